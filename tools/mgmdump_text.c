/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump's one-line-per-message text form (doc/mgmdump.1) and the output buffer: the fields of
 * RFC 3376 §4 and RFC 3810 §5 as libmgm decoded them, addresses as RFC 5952 writes them. Run over
 * millions of messages, so a line goes straight into the buffer: no printf, no check per
 * character, one check of the room left before each piece whose longest text is known.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgmdump.h"

/* ---- output buffer ------------------------------------------------------------------------ */

void dump_out_init(struct dump_out *o, int fd, char *buf, size_t cap)
{
	assert(cap >= DUMP_OUT_MIN_CAP);
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->buf = buf;
	o->cap = cap;
}

static void write_all(struct dump_out *o, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && !o->failed) {
		w = write(o->fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->failed = true;
			o->errno_saved = errno;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

bool dump_out_flush(struct dump_out *o)
{
	if (o->fd == DUMP_OUT_HOLD)
		return true;
	write_all(o, o->buf, o->len);
	o->len = 0;
	return !o->failed;
}

void dump_out_pass(struct dump_out *o, struct dump_out *held)
{
	dump_out_flush(o);
	write_all(o, held->buf, held->len);
	held->len = 0;
}

/* A held buffer grows to take need more octets; running out of memory ends the program, as
 * nothing sensible can be printed any more. */
static void grow(struct dump_out *o, size_t need)
{
	size_t cap = o->cap * 2;
	char *buf;

	if (cap < o->len + need + DUMP_OUT_SLACK)
		cap = o->len + need + DUMP_OUT_SLACK;
	buf = realloc(o->buf, cap);
	if (!buf) {
		fputs("mgmdump: out of memory\n", stderr);
		exit(1);
	}
	o->buf = buf;
	o->cap = cap;
}

void dump_out_mem_slow(struct dump_out *o, const char *s, size_t n)
{
	if (o->fd == DUMP_OUT_HOLD) {
		grow(o, n);
	} else {
		dump_out_flush(o);
		if (n + DUMP_OUT_SLACK > o->cap) {
			write_all(o, s, n);
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/*
 * A line is written through a cursor p into o->buf. room() makes sure need octets are free
 * at p, handing what the line has so far to the output (or growing a held buffer) when they
 * are not; every writer below states the most it writes (stores may run a few octets past the
 * text, never past that).
 */
static char *room_slow(struct dump_out *o, char *p, size_t need)
{
	o->len = (size_t)(p - o->buf);
	if (o->fd == DUMP_OUT_HOLD) {
		grow(o, need);
		return o->buf + o->len;
	}
	/* Every need is below DUMP_OUT_MIN_CAP: an empty buffer has it. */
	dump_out_flush(o);
	return o->buf;
}

static inline char *room(struct dump_out *o, char *p, size_t need)
{
	if ((size_t)(o->buf + o->cap - p) >= need)
		return p;
	return room_slow(o, p, need);
}

static inline char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT_LIT(p, lit) put(p, lit, sizeof(lit) - 1)

/* One of the library's names (a message kind, a record type): short, so room() covers it. */
static inline char *put_name(char *p, const char *name)
{
	return put(p, name, strnlen(name, 16));
}

/* ---- numbers ------------------------------------------------------------------------------ */

/* Two decimal digits for each value below 100. */
static const char digits2[200] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Decimal without leading zeros; at most 20 octets. */
static char *put_u64(char *p, uint64_t v)
{
	uint64_t t;
	size_t n = 1;

	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		memcpy(p, digits2 + 2 * v, 2);
		return p + 2;
	}
	for (t = v; t >= 10; t /= 10)
		n++;
	p += n;
	while (v >= 100) {
		p -= 2;
		memcpy(p, digits2 + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digits2 + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return p + n;
}

/* The last six decimal digits, zero padded: microseconds. */
static char *put_6digits(char *p, uint32_t v)
{
	v %= 1000000;
	memcpy(p, digits2 + 2 * (v / 10000), 2);
	memcpy(p + 2, digits2 + 2 * (v / 100 % 100), 2);
	memcpy(p + 4, digits2 + 2 * (v % 100), 2);
	return p + 6;
}

/* ---- addresses ---------------------------------------------------------------------------- */

/* Room for one address and what is written past it, with some to spare. */
#define ADDR_ROOM 48

/* libmgm's one formatter, the text of mgm_addr_str() that the JSON printer uses. */
static inline char *put_addr(char *p, const struct mgm_addr *a)
{
	return p + mgm_addr_format(a->family, a->octets, p);
}

/* "IGMP" or "MLD": at most 4 octets. */
static char *put_protocol(char *p, uint8_t family)
{
	if (family == MGM_INET6)
		return PUT_LIT(p, "MLD");
	return PUT_LIT(p, "IGMP");
}

bool dump_msg_addrs(const struct dump_msg *dm, struct mgm_addr *src, struct mgm_addr *dst)
{
	if (dm->ip_valid) {
		*src = dm->ip.src;
		*dst = dm->ip.dst;
		return true;
	}
	/* The decoder refused the header; its fixed part may still name the endpoints. */
	if (dm->family == MGM_INET && dm->pkt_len >= 20) {
		mgm_addr_from_wire(src, MGM_INET, dm->pkt + 12);
		mgm_addr_from_wire(dst, MGM_INET, dm->pkt + 16);
		return true;
	}
	if (dm->family == MGM_INET6 && dm->pkt_len >= 40) {
		mgm_addr_from_wire(src, MGM_INET6, dm->pkt + 8);
		mgm_addr_from_wire(dst, MGM_INET6, dm->pkt + 24);
		return true;
	}
	return false;
}

/* ---- the line ----------------------------------------------------------------------------- */

void dump_text_init(struct dump_text *t, int time_style, bool verbose)
{
	memset(t, 0, sizeof(*t));
	t->time_style = time_style;
	t->verbose = verbose;
	t->cached_sec = INT64_MIN;
}

bool dump_text_sequential(const struct dump_text *t)
{
	return t->time_style == DUMP_TIME_DELTA || t->time_style == DUMP_TIME_SINCE1;
}

/*
 * Seconds and microseconds of (sec, usec) - (psec, pusec), for the relative styles: at most 28
 * octets. In unsigned arithmetic, which wraps where the seconds of a hostile capture (pcapng
 * time stamps reach far beyond any year) would overflow; the microseconds need not be below a
 * million.
 */
static char *put_interval(char *p, int64_t sec, int32_t usec, int64_t psec, int32_t pusec)
{
	uint64_t s = (uint64_t)sec - (uint64_t)psec;
	int64_t u = (int64_t)usec - pusec, q = u / 1000000;

	u -= q * 1000000;
	if (u < 0) {
		u += 1000000;
		q--;
	}
	s += (uint64_t)q; /* now the difference is s seconds (as signed) plus u microseconds */
	if ((int64_t)s < 0) {
		/* Captures merged out of order: show the step back rather than wrap. */
		*p++ = '-';
		s = u ? ~s : 0 - s;
		u = u ? 1000000 - u : 0;
	}
	p = put_u64(p, s);
	*p++ = '.';
	return put_6digits(p, (uint32_t)u);
}

void dump_epoch_text(int64_t sec, int32_t usec, char *buf)
{
	*put_interval(buf, sec, usec, 0, 0) = '\0';
}

/* The time and a space: at most 31 + 8 octets (the clock text is cut to cached_clock). */
static char *put_time(struct dump_text *t, char *p, const struct dump_msg *dm)
{
	struct tm tm;
	time_t tt;

	switch (t->time_style) {
	case DUMP_TIME_NONE:
		return p;
	case DUMP_TIME_EPOCH:
		p = put_interval(p, dm->ts_sec, dm->ts_usec, 0, 0);
		break;
	case DUMP_TIME_DELTA:
	case DUMP_TIME_SINCE1:
		if (!t->have_prev) {
			t->have_prev = true;
			t->first_sec = t->prev_sec = dm->ts_sec;
			t->first_usec = t->prev_usec = dm->ts_usec;
		}
		if (t->time_style == DUMP_TIME_DELTA)
			p = put_interval(p, dm->ts_sec, dm->ts_usec, t->prev_sec, t->prev_usec);
		else
			p = put_interval(p, dm->ts_sec, dm->ts_usec, t->first_sec, t->first_usec);
		t->prev_sec = dm->ts_sec;
		t->prev_usec = dm->ts_usec;
		break;
	default:
		/* localtime_r and strftime are costly and messages come many to a second: the
		 * clock text is made once per second. */
		if (dm->ts_sec != t->cached_sec) {
			tt = (time_t)dm->ts_sec;
			if (!localtime_r(&tt, &tm))
				memset(&tm, 0, sizeof(tm));
			t->cached_len = strftime(
				t->cached_clock, sizeof(t->cached_clock),
				t->time_style == DUMP_TIME_DATE ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
				&tm);
			t->cached_sec = dm->ts_sec;
		}
		/* The whole array, a fixed-size copy: only cached_len octets of it count. */
		memcpy(p, t->cached_clock, sizeof(t->cached_clock));
		p += t->cached_len;
		*p++ = '.';
		p = put_6digits(p, (uint32_t)dm->ts_usec);
		break;
	}
	*p++ = ' ';
	return p;
}

/* A duration in milliseconds as seconds, without trailing zeros: 10s, 0.1s, 1.234s; at most
 * 16 octets. */
static char *put_seconds(char *p, uint32_t ms)
{
	uint32_t frac = ms % 1000;

	p = put_u64(p, ms / 1000);
	if (frac) {
		*p++ = '.';
		if (frac % 100 == 0) {
			*p++ = (char)('0' + frac / 100);
		} else if (frac % 10 == 0) {
			p = put(p, digits2 + 2 * (frac / 10), 2);
		} else {
			*p++ = (char)('0' + frac / 100);
			p = put(p, digits2 + 2 * (frac % 100), 2);
		}
	}
	*p++ = 's';
	return p;
}

/* Sources are written in batches of this many, each batch after one check of the room. */
#define SOURCE_BATCH 256
#define SOURCE_ROOM  (2 + ADDR_ROOM)
_Static_assert(SOURCE_BATCH *SOURCE_ROOM + 64 <= DUMP_OUT_MIN_CAP / 2, "room for a batch");

/* "{a, b, c}" from a wire source list; the caller leaves room for "{}" and what follows. Every
 * source is followed by ", ", and the last of them taken back. */
static char *put_sources(struct dump_out *o, char *p, const uint8_t *sources, uint8_t family,
			 size_t n)
{
	size_t batch, i, alen = mgm_addr_len(family);

	*p++ = '{';
	if (n == 0) {
		*p++ = '}';
		return p;
	}
	for (; n > 0; n -= batch) {
		batch = n < SOURCE_BATCH ? n : SOURCE_BATCH;
		p = room(o, p, batch * SOURCE_ROOM + 64);
		for (i = 0; i < batch; i++, sources += alen) {
			p += mgm_addr_format(family, sources, p);
			p = PUT_LIT(p, ", ");
		}
	}
	p[-2] = '}';
	return p - 1;
}

/* The IGMP or MLD version: "IGMPv3", at most 8 octets. */
static char *put_version(char *p, const struct mgm_msg *m)
{
	p = put_protocol(p, m->family);
	*p++ = 'v';
	return put_u64(p, m->version);
}

/* Room for everything of a line but the error texts, source lists and records. */
#define LINE_ROOM 512

/* A query; the source list of an IGMPv3 / MLDv2 one checks its own room. */
static char *put_query(struct dump_out *o, char *p, const struct mgm_msg *m)
{
	p = PUT_LIT(p, " query ");
	if (mgm_addr_is_any(&m->group))
		p = PUT_LIT(p, "general");
	else
		p = put_addr(p, &m->group);
	p = PUT_LIT(p, " mrt ");
	p = put_seconds(p, m->max_resp_ms);
	if (dump_query_v3(m)) {
		if (m->suppress)
			p = PUT_LIT(p, " S");
		p = PUT_LIT(p, " qrv ");
		p = put_u64(p, m->qrv);
		p = PUT_LIT(p, " qqi ");
		p = put_seconds(p, m->qqi * 1000u);
		*p++ = ' ';
		p = put_sources(o, p, m->sources, m->family, m->num_sources);
	}
	return p;
}

/* One record needs this much room besides its sources. */
#define RECORD_ROOM (2 + 16 + 1 + ADDR_ROOM + 2 + 5 + 20 + 6 + 64)

static char *put_v3_report(struct dump_out *o, char *p, const struct mgm_msg *m)
{
	struct mgm_record_iter it;
	struct mgm_record rec;
	bool first = true;

	p = PUT_LIT(p, " report ");
	p = put_u64(p, m->num_records);
	if (m->num_records == 1)
		p = PUT_LIT(p, " record");
	else
		p = PUT_LIT(p, " records");
	mgm_records_begin(m, &it);
	while (mgm_records_next(&it, &rec)) {
		p = room(o, p, RECORD_ROOM);
		*p++ = first ? ':' : ';';
		*p++ = ' ';
		first = false;
		p = put_name(p, mgm_record_type_name(rec.type));
		*p++ = ' ';
		p = put_addr(p, &rec.group);
		*p++ = ' ';
		p = put_sources(o, p, rec.sources, m->family, rec.num_sources);
		if (rec.aux_words) {
			p = PUT_LIT(p, " aux ");
			p = put_u64(p, rec.aux_words);
			if (rec.aux_words == 1)
				p = PUT_LIT(p, " word");
			else
				p = PUT_LIT(p, " words");
		}
	}
	return p;
}

/* IGMP types are written in hex (RFC 3376 §4 lists them so), ICMPv6 types in decimal: at most
 * 10 octets. */
static char *put_type(char *p, uint8_t family, uint8_t type)
{
	static const char hex[] = "0123456789abcdef";

	p = PUT_LIT(p, " type ");
	if (family == MGM_INET6)
		return put_u64(p, type);
	p[0] = '0';
	p[1] = 'x';
	p[2] = hex[type >> 4];
	p[3] = hex[type & 15];
	return p + 4;
}

/* A message that names one group: " report G", " leave G", " done G". */
static char *put_group_message(char *p, const struct mgm_msg *m)
{
	*p++ = ' ';
	p = put_name(p, mgm_msg_kind_name(m->family, m->kind));
	*p++ = ' ';
	return put_addr(p, &m->group);
}

static char *put_message(struct dump_out *o, char *p, const struct mgm_msg *m)
{
	if (m->kind == MGM_MSG_UNKNOWN) {
		/* RFC 3376 §4 / RFC 2236 §2.1: other types are ignored, not malformed. */
		p = put_protocol(p, m->family);
		p = put_type(p, m->family, m->type);
		p = PUT_LIT(p, " ignored, ");
		p = put_u64(p, m->len);
		return PUT_LIT(p, " octets");
	}
	p = put_version(p, m);
	switch (m->kind) {
	case MGM_MSG_QUERY:
		p = put_query(o, p, m);
		break;
	case MGM_MSG_REPORT:
		if (m->records) {
			p = put_v3_report(o, p, m); /* IGMPv3, MLDv2 */
			break;
		}
		p = put_group_message(p, m); /* IGMPv1/v2, MLDv1 */
		break;
	case MGM_MSG_LEAVE:
		p = put_group_message(p, m);
		break;
	}
	return p;
}

static char *put_malformed(struct dump_out *o, char *p, const struct dump_msg *dm)
{
	const char *name = mgm_errname(dm->err), *text = mgm_strerror(dm->err);
	size_t name_len = strlen(name), text_len = strlen(text);

	p = room(o, p, name_len + text_len + LINE_ROOM);
	if (dm->ip_valid)
		p = put_protocol(p, dm->family);
	else if (dm->family == MGM_INET6)
		p = PUT_LIT(p, "IPv6");
	else
		p = PUT_LIT(p, "IPv4");
	p = PUT_LIT(p, " malformed: ");
	p = put(p, name, name_len);
	p = PUT_LIT(p, " (");
	p = put(p, text, text_len);
	*p++ = ')';
	if (dm->ip_valid && dm->ip.payload_len > 0) {
		p = put_type(p, dm->family, dm->ip.payload[0]);
		p = PUT_LIT(p, ", ");
		p = put_u64(p, dm->ip.payload_len);
		p = PUT_LIT(p, " octets");
	}
	return p;
}

/* " [frame N, ttl T, tos 0xNN, no RA, N octets]": at most 100 octets. */
static char *put_verbose(char *p, const struct dump_msg *dm)
{
	static const char hex[] = "0123456789abcdef";
	bool v6 = dm->family == MGM_INET6;

	p = PUT_LIT(p, " [frame ");
	p = put_u64(p, dm->frame);
	if (dm->ip_valid) {
		/* A malformed message already names its length. */
		if (v6)
			p = PUT_LIT(p, ", hlim ");
		else
			p = PUT_LIT(p, ", ttl ");
		p = put_u64(p, dm->ip.hop_limit);
		if (v6)
			p = PUT_LIT(p, ", tclass 0x");
		else
			p = PUT_LIT(p, ", tos 0x");
		*p++ = hex[dm->ip.tos >> 4];
		*p++ = hex[dm->ip.tos & 15];
		if (dm->ip.router_alert)
			p = PUT_LIT(p, ", RA");
		else
			p = PUT_LIT(p, ", no RA");
		if (!dm->err) {
			p = PUT_LIT(p, ", ");
			p = put_u64(p, dm->ip.payload_len);
			p = PUT_LIT(p, " octets");
		}
	}
	*p++ = ']';
	return p;
}

void dump_text_msg(struct dump_text *t, struct dump_out *o, const struct dump_msg *dm)
{
	char *p = room(o, o->buf + o->len, LINE_ROOM);
	struct mgm_addr src, dst;

	p = put_time(t, p, dm);
	if (dm->ip_valid) {
		/* The common case without copying the addresses out. */
		p = put_addr(p, &dm->ip.src);
		p = PUT_LIT(p, " > ");
		p = put_addr(p, &dm->ip.dst);
		*p++ = ' ';
	} else if (dump_msg_addrs(dm, &src, &dst)) {
		p = put_addr(p, &src);
		p = PUT_LIT(p, " > ");
		p = put_addr(p, &dst);
		*p++ = ' ';
	}
	if (dm->err)
		p = put_malformed(o, p, dm);
	else
		p = put_message(o, p, &dm->msg);
	/* Lists and records may have used up the room checked above. */
	p = room(o, p, LINE_ROOM);
	if (t->verbose)
		p = put_verbose(p, dm);
	*p++ = '\n';
	o->len = (size_t)(p - o->buf);
}
