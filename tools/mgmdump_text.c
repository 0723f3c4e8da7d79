/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump's one-line-per-message text form (documented in doc/mgmdump.1) and the output buffer.
 * Shows the fields of RFC 3376 §4 and RFC 3810 §5 as libmgm decoded them; a line is built
 * without printf because a benchmark runs this over millions of messages.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "mgmdump.h"

void dump_out_flush(struct dump_out *o)
{
	if (o->len > 0)
		fwrite(o->buf, 1, o->len, o->f);
	o->len = 0;
}

void dump_out_mem_slow(struct dump_out *o, const char *s, size_t n)
{
	dump_out_flush(o);
	if (n + DUMP_OUT_SLACK > o->cap) {
		fwrite(s, 1, n, o->f);
		return;
	}
	memcpy(o->buf, s, n);
	o->len = n;
}

static size_t u64_text(uint64_t v, char *buf)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

void dump_out_u64(struct dump_out *o, uint64_t v)
{
	dump_out_reserve(o, 24);
	o->len += u64_text(v, o->buf + o->len);
}

/* Fixed-width decimal, zero padded: clock fields and microseconds. */
static void out_padded(struct dump_out *o, uint32_t v, int width)
{
	int i;

	dump_out_reserve(o, (size_t)width);
	for (i = width - 1; i >= 0; i--) {
		o->buf[o->len + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	o->len += (size_t)width;
}

/* Two decimal digits for each value below 100. */
static const char digits2[200] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* An octet in decimal: on every IPv4 address, so no division loop. */
static size_t u8_text(unsigned v, char *buf)
{
	if (v >= 100) {
		buf[0] = (char)(v >= 200 ? '2' : '1');
		memcpy(buf + 1, digits2 + 2 * (v % 100), 2);
		return 3;
	}
	if (v >= 10) {
		memcpy(buf, digits2 + 2 * v, 2);
		return 2;
	}
	buf[0] = (char)('0' + v);
	return 1;
}

/* A 16-bit group in lower-case hex without leading zeros (RFC 5952 §4.1, §4.3). */
static size_t hex16_text(unsigned v, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = v >= 0x1000 ? 4 : v >= 0x100 ? 3 : v >= 0x10 ? 2 : 1;

	switch (n) {
	case 4:
		buf[n - 4] = hex[v >> 12];
		/* fall through */
	case 3:
		buf[n - 3] = hex[(v >> 8) & 15];
		/* fall through */
	case 2:
		buf[n - 2] = hex[(v >> 4) & 15];
		/* fall through */
	default:
		buf[n - 1] = hex[v & 15];
	}
	return n;
}

static size_t ipv4_text(const uint8_t *o, char *buf)
{
	size_t n = u8_text(o[0], buf);

	buf[n++] = '.';
	n += u8_text(o[1], buf + n);
	buf[n++] = '.';
	n += u8_text(o[2], buf + n);
	buf[n++] = '.';
	n += u8_text(o[3], buf + n);
	buf[n] = '\0';
	return n;
}

/*
 * RFC 5952 text: the longest run of two or more zero groups (the first of equals) becomes
 * "::" (§4.2), hex in lower case (§4.3), IPv4-mapped addresses end in dotted decimal (§5).
 * inet_ntop() would do, but its sprintf costs a third of a run over a large capture.
 */
static size_t ipv6_text(const uint8_t *o, char *buf)
{
	unsigned w[8];
	int i, best = -1, best_len = 0, run = 0;
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)o[2 * i] << 8 | o[2 * i + 1];
		run = w[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	if (best_len < 2)
		best = -1;
	if (best == 0 && best_len == 5 && w[5] == 0xffff) {
		memcpy(buf, "::ffff:", 7);
		return 7 + ipv4_text(o + 12, buf + 7);
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			buf[n++] = ':';
			buf[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			buf[n++] = ':';
		n += hex16_text(w[i], buf + n);
	}
	buf[n] = '\0';
	return n;
}

size_t dump_addr_text(uint8_t family, const uint8_t *octets, char *buf)
{
	if (family == MGM_INET)
		return ipv4_text(octets, buf);
	if (family == MGM_INET6)
		return ipv6_text(octets, buf);
	memcpy(buf, "?", 2);
	return 1;
}

void dump_out_addr(struct dump_out *o, const struct mgm_addr *a)
{
	dump_out_reserve(o, MGM_ADDRSTRLEN);
	o->len += dump_addr_text(a->family, a->octets, o->buf + o->len);
}

const char *dump_protocol_name(uint8_t family)
{
	return family == MGM_INET6 ? "MLD" : "IGMP";
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

void dump_text_init(struct dump_text *t, int time_style, bool verbose)
{
	memset(t, 0, sizeof(*t));
	t->time_style = time_style;
	t->verbose = verbose;
	t->cached_sec = INT64_MIN;
}

/* Seconds and microseconds of b - a, for the relative styles. */
static void out_interval(struct dump_out *o, int64_t sec, int32_t usec, int64_t psec, int32_t pusec)
{
	int64_t d = (sec - psec) * 1000000 + (usec - pusec);

	if (d < 0) {
		/* Captures merged out of order: show the step back rather than wrap. */
		dump_out_mem(o, "-", 1);
		d = -d;
	}
	dump_out_u64(o, (uint64_t)(d / 1000000));
	dump_out_mem(o, ".", 1);
	out_padded(o, (uint32_t)(d % 1000000), 6);
}

static void out_time(struct dump_text *t, struct dump_out *o, const struct dump_msg *dm)
{
	struct tm tm;
	time_t tt;

	switch (t->time_style) {
	case DUMP_TIME_NONE:
		return;
	case DUMP_TIME_EPOCH:
		out_interval(o, dm->ts_sec, dm->ts_usec, 0, 0);
		break;
	case DUMP_TIME_DELTA:
	case DUMP_TIME_SINCE1:
		if (!t->have_prev) {
			t->have_prev = true;
			t->first_sec = t->prev_sec = dm->ts_sec;
			t->first_usec = t->prev_usec = dm->ts_usec;
		}
		if (t->time_style == DUMP_TIME_DELTA)
			out_interval(o, dm->ts_sec, dm->ts_usec, t->prev_sec, t->prev_usec);
		else
			out_interval(o, dm->ts_sec, dm->ts_usec, t->first_sec, t->first_usec);
		t->prev_sec = dm->ts_sec;
		t->prev_usec = dm->ts_usec;
		break;
	default:
		/* localtime_r is costly; messages come many to a second, so keep the text. */
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
		dump_out_mem(o, t->cached_clock, t->cached_len);
		dump_out_mem(o, ".", 1);
		out_padded(o, (uint32_t)dm->ts_usec, 6);
		break;
	}
	dump_out_mem(o, " ", 1);
}

/* A duration in milliseconds as seconds, without trailing zeros: 10s, 0.1s, 1.234s. */
static void out_seconds(struct dump_out *o, uint32_t ms)
{
	uint32_t frac = ms % 1000;

	dump_out_u64(o, ms / 1000);
	if (frac) {
		dump_out_mem(o, ".", 1);
		if (frac % 100 == 0)
			out_padded(o, frac / 100, 1);
		else if (frac % 10 == 0)
			out_padded(o, frac / 10, 2);
		else
			out_padded(o, frac, 3);
	}
	dump_out_mem(o, "s", 1);
}

static void out_sources(struct dump_out *o, const uint8_t *sources, uint8_t family, size_t n)
{
	struct mgm_addr a;
	size_t i;

	dump_out_mem(o, "{", 1);
	for (i = 0; i < n; i++) {
		if (i)
			dump_out_mem(o, ", ", 2);
		mgm_source_at(sources, family, i, &a);
		dump_out_addr(o, &a);
	}
	dump_out_mem(o, "}", 1);
}

static void out_version(struct dump_out *o, const struct mgm_msg *m)
{
	dump_out_str(o, m->family == MGM_INET6 ? "MLDv" : "IGMPv");
	dump_out_u64(o, m->version);
}

static void out_group(struct dump_out *o, const struct mgm_addr *g)
{
	if (mgm_addr_is_any(g))
		dump_out_str(o, "general");
	else
		dump_out_addr(o, g);
}

static void out_query(struct dump_out *o, const struct mgm_msg *m)
{
	dump_out_str(o, " query ");
	out_group(o, &m->group);
	dump_out_str(o, " mrt ");
	out_seconds(o, m->max_resp_ms);
	/* RFC 3376 §4.1.5-§4.1.8, RFC 3810 §5.1.7-§5.1.10: only v3 / MLDv2 queries have these. */
	if ((m->family == MGM_INET && m->version == 3) ||
	    (m->family == MGM_INET6 && m->version == 2)) {
		if (m->suppress)
			dump_out_str(o, " S");
		dump_out_str(o, " qrv ");
		dump_out_u64(o, m->qrv);
		dump_out_str(o, " qqi ");
		out_seconds(o, m->qqi * 1000u);
		dump_out_mem(o, " ", 1);
		out_sources(o, m->sources, m->family, m->num_sources);
	}
}

static void out_v3_report(struct dump_out *o, const struct mgm_msg *m)
{
	struct mgm_record_iter it;
	struct mgm_record rec;
	bool first = true;

	dump_out_str(o, " report ");
	dump_out_u64(o, m->num_records);
	dump_out_str(o, m->num_records == 1 ? " record" : " records");
	mgm_records_begin(m, &it);
	while (mgm_records_next(&it, &rec)) {
		dump_out_str(o, first ? ": " : "; ");
		first = false;
		dump_out_str(o, mgm_record_type_name(rec.type));
		dump_out_mem(o, " ", 1);
		dump_out_addr(o, &rec.group);
		dump_out_mem(o, " ", 1);
		out_sources(o, rec.sources, m->family, rec.num_sources);
		if (rec.aux_words) {
			dump_out_str(o, " aux ");
			dump_out_u64(o, rec.aux_words);
			dump_out_str(o, rec.aux_words == 1 ? " word" : " words");
		}
	}
}

/* IGMP types are written in hex (RFC 3376 §4 lists them so), ICMPv6 types in decimal. */
static void out_type(struct dump_out *o, uint8_t family, uint8_t type)
{
	static const char hex[] = "0123456789abcdef";
	char text[5] = {'0', 'x', hex[type >> 4], hex[type & 15], '\0'};

	dump_out_str(o, " type ");
	if (family == MGM_INET6)
		dump_out_u64(o, type);
	else
		dump_out_str(o, text);
}

static void out_message(struct dump_out *o, const struct mgm_msg *m)
{
	if (m->kind == MGM_MSG_UNKNOWN) {
		/* RFC 3376 §4 / RFC 2236 §2.1: other types are ignored, not malformed. */
		dump_out_str(o, dump_protocol_name(m->family));
		out_type(o, m->family, m->type);
		dump_out_str(o, " ignored, ");
		dump_out_u64(o, m->len);
		dump_out_str(o, " octets");
		return;
	}
	out_version(o, m);
	switch (m->kind) {
	case MGM_MSG_QUERY:
		out_query(o, m);
		break;
	case MGM_MSG_REPORT_V1:
	case MGM_MSG_REPORT_V2:
		dump_out_str(o, " report ");
		dump_out_addr(o, &m->group);
		break;
	case MGM_MSG_LEAVE:
		dump_out_str(o, m->family == MGM_INET6 ? " done " : " leave ");
		dump_out_addr(o, &m->group);
		break;
	case MGM_MSG_REPORT_V3:
		out_v3_report(o, m);
		break;
	}
}

static void out_malformed(struct dump_out *o, const struct dump_msg *dm)
{
	if (dm->ip_valid)
		dump_out_str(o, dump_protocol_name(dm->family));
	else
		dump_out_str(o, dm->family == MGM_INET6 ? "IPv6" : "IPv4");
	dump_out_str(o, " malformed: ");
	dump_out_str(o, mgm_errname(dm->err));
	dump_out_str(o, " (");
	dump_out_str(o, mgm_strerror(dm->err));
	dump_out_str(o, ")");
	if (dm->ip_valid && dm->ip.payload_len > 0) {
		out_type(o, dm->family, dm->ip.payload[0]);
		dump_out_str(o, ", ");
		dump_out_u64(o, dm->ip.payload_len);
		dump_out_str(o, " octets");
	}
}

static void out_verbose(struct dump_out *o, const struct dump_msg *dm)
{
	static const char hex[] = "0123456789abcdef";
	char tos[5] = {'0', 'x', hex[dm->ip.tos >> 4], hex[dm->ip.tos & 15], '\0'};

	dump_out_str(o, " [frame ");
	dump_out_u64(o, dm->frame);
	if (dm->ip_valid) {
		/* A malformed message already names its length. */
		dump_out_str(o, dm->family == MGM_INET6 ? ", hlim " : ", ttl ");
		dump_out_u64(o, dm->ip.hop_limit);
		dump_out_str(o, dm->family == MGM_INET6 ? ", tclass " : ", tos ");
		dump_out_str(o, tos);
		dump_out_str(o, dm->ip.router_alert ? ", RA" : ", no RA");
		if (!dm->err) {
			dump_out_str(o, ", ");
			dump_out_u64(o, dm->ip.payload_len);
			dump_out_str(o, " octets");
		}
	}
	dump_out_mem(o, "]", 1);
}

void dump_text_msg(struct dump_text *t, struct dump_out *o, const struct dump_msg *dm)
{
	struct mgm_addr src, dst;

	out_time(t, o, dm);
	if (dump_msg_addrs(dm, &src, &dst)) {
		dump_out_addr(o, &src);
		dump_out_str(o, " > ");
		dump_out_addr(o, &dst);
		dump_out_mem(o, " ", 1);
	}
	if (dm->err)
		out_malformed(o, dm);
	else
		out_message(o, &dm->msg);
	if (t->verbose)
		out_verbose(o, dm);
	dump_out_mem(o, "\n", 1);
}
