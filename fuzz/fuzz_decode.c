/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the wire codec: IGMP (RFC 2236, RFC 3376 §4), MLD (RFC 2710, RFC 3810
 * §5), their IP framing (RFC 2113, RFC 2711) and the exponential codes (RFC 3376 §4.1.1,
 * §4.1.7; RFC 3810 §5.1.3, §5.1.9). Beyond crashes it checks properties: what decodes is walked
 * to the last octet, re-encoded, decoded again, and must come back with the same fields.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgm/addr.h"
#include "mgm/err.h"
#include "mgm/wire.h"

#include "fuzz.h"

/*
 * The first input octet selects what the rest is. Checksums make random mutations useless
 * (almost every one fails the checksum and never reaches the record parser), so one bit asks
 * the harness to correct them first; inputs without it exercise the checksum rejection.
 */
enum {
	SEL_IGMP = 0,	/* an IGMP message, mgm_igmp_decode() */
	SEL_MLD = 1,	/* an ICMPv6 message, mgm_mld_decode() with fixed addresses */
	SEL_PACKET = 2, /* an IPv4 or IPv6 packet, mgm_packet_decode() */
	SEL_CODES = 3,	/* big-endian 32-bit values for the exponential codes */
	SEL_TARGET = 0x03,
	SEL_FIX_CHECKSUMS = 0x04,
	SEL_MLD_SRC_ANY = 0x08,	    /* MLD source :: (a host doing DAD) instead of fe80::1 */
	SEL_MLD_DST_REPORTS = 0x10, /* MLD destination ff02::16 instead of ff02::1 */
	SEL_SPLIT_SHIFT = 5, /* 3 bits: re-encode v3 reports also with an MTU this many eighths */
};

#define ICMPV6_NEXT_HEADER 58

/* Re-encoding needs the decoded lists as arrays: sized for any message in 64 KiB. */
#define MAX_ADDRS   (65536 / 4)
#define MAX_RECORDS (65536 / 8)

static struct mgm_addr addr_pool[MAX_ADDRS];
static struct mgm_group_record record_pool[MAX_RECORDS];

int fuzz_last_decoded;

/* Keeps the walk's reads alive: the point is that ASan sees every octet touched. */
static volatile uint64_t sink;

/* ---- Checksums, computed here independently of the library ------------------------------- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n >= 2; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static void put_checksum(uint8_t *field, uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	field[0] = (uint8_t)(s >> 8);
	field[1] = (uint8_t)s;
}

/* RFC 2236 §2.3, RFC 3376 §4.1.2: over the whole IGMP message. */
static void fix_igmp_checksum(uint8_t *msg, size_t len)
{
	if (len < 4)
		return;
	msg[2] = msg[3] = 0;
	put_checksum(msg + 2, sum16(msg, len, 0));
}

/* RFC 4443 §2.3 with the RFC 8200 §8.1 pseudo-header. */
static void fix_icmp6_checksum(uint8_t *msg, size_t len, const struct mgm_addr *src,
			       const struct mgm_addr *dst)
{
	uint32_t s;

	if (len < 4)
		return;
	msg[2] = msg[3] = 0;
	s = sum16(src->octets, 16, 0);
	s = sum16(dst->octets, 16, s);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + ICMPV6_NEXT_HEADER;
	put_checksum(msg + 2, sum16(msg, len, s));
}

/* The IPv4 header checksum, then the payload's once the library has found the payload. */
static void fix_packet_checksums(uint8_t *pkt, size_t len)
{
	struct mgm_ip_info ip;
	size_t off;

	if (len >= 20 && pkt[0] >> 4 == 4) {
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;

		if (ihl >= 20 && ihl <= len) {
			pkt[10] = pkt[11] = 0;
			put_checksum(pkt + 10, sum16(pkt, ihl, 0));
		}
	}
	if (mgm_ip_decode(pkt, len, &ip) != 0)
		return;
	CHECK(ip.payload >= pkt && ip.payload_len <= len);
	off = (size_t)(ip.payload - pkt);
	CHECK(off <= len - ip.payload_len);
	if (ip.family == MGM_INET)
		fix_igmp_checksum(pkt + off, ip.payload_len);
	else
		fix_icmp6_checksum(pkt + off, ip.payload_len, &ip.src, &ip.dst);
}

/* ---- Walking a decoded message ---------------------------------------------------------- */

static bool span_within(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && (size_t)(p - buf) <= len && n <= len - (size_t)(p - buf);
}

static uint64_t touch(const uint8_t *p, size_t n)
{
	uint64_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = h * 31 + p[i];
	return h;
}

/* Decoder errors a message can produce; the IP ones only on the packet path. */
static bool is_message_error(int rc)
{
	return rc <= MGM_E_SHORT && rc >= MGM_E_REPORT_ALL_SYSTEMS;
}

static bool is_ip_error(int rc)
{
	return rc <= MGM_E_IP_HEADER && rc >= MGM_E_IP_PROTOCOL;
}

static void check_error(int rc, bool packet)
{
	CHECK(is_message_error(rc) || (packet && is_ip_error(rc)));
	CHECK(mgm_strerror(rc) != NULL && mgm_errname(rc) != NULL);
}

/*
 * Touches every octet the message points at, and checks what the decoder promised: pointers
 * inside the buffer, records contiguous and exactly filling records_len, valid record types,
 * and query versions as RFC 3376 §7.1 / RFC 3810 §8.1 tell them apart by length.
 */
/* An IGMPv3 / MLDv2 report: the one kind with group records. */
static bool is_v3_report(const struct mgm_msg *m)
{
	return m->kind == MGM_MSG_REPORT && m->version == (m->family == MGM_INET ? 3 : 2);
}

static void walk(const struct mgm_msg *m, const uint8_t *buf, size_t len)
{
	size_t alen = mgm_addr_len(m->family);
	uint64_t h = 0;

	CHECK(m->family == MGM_INET || m->family == MGM_INET6);
	CHECK(m->len == len); /* wire.h: the whole buffer is the message */
	CHECK(m->kind < MGM_MSG__COUNT);
	if (m->kind == MGM_MSG_UNKNOWN)
		return;
	/* wire.h: every known message has a version of its family; records belong to v3 /
	 * MLDv2 reports alone. */
	CHECK(m->version >= 1 && m->version <= (m->family == MGM_INET ? 3 : 2));
	CHECK((m->records != NULL) == is_v3_report(m));
	CHECK(m->group.family == m->family);

	if (m->kind == MGM_MSG_QUERY) {
		CHECK(mgm_addr_is_any(&m->group) || mgm_addr_is_multicast(&m->group));
		CHECK(m->max_resp_ms == mgm_max_resp_ms(m->family, m->version, m->max_resp_code));
		if (m->family == MGM_INET) {
			/* RFC 3376 §7.1: 8 octets is v1 or v2 by the code, 12 and more is v3. */
			CHECK(m->len == 8 || m->len >= 12);
			CHECK(m->version == (m->len >= 12 ? 3 : m->max_resp_code == 0 ? 1 : 2));
		} else {
			/* RFC 3810 §8.1: 24 octets is MLDv1, 28 and more is MLDv2. */
			CHECK(m->len == 24 || m->len >= 28);
			CHECK(m->version == (m->len >= 28 ? 2 : 1));
		}
		if (m->version == 3 || (m->family == MGM_INET6 && m->version == 2)) {
			CHECK(m->qrv <= 7);
			CHECK(m->qqi == mgm_code8_decode(m->qqic));
		}
	} else if (!is_v3_report(m)) {
		CHECK(mgm_addr_is_multicast(&m->group));
		CHECK(!mgm_addr_is_all_systems(&m->group));
	}

	if (m->num_sources) {
		CHECK(span_within(m->sources, m->num_sources * alen, buf, len));
		for (size_t i = 0; i < m->num_sources; i++) {
			struct mgm_addr a;

			mgm_source_at(m->sources, m->family, i, &a);
			CHECK(a.family == m->family);
			h += touch(a.octets, sizeof(a.octets));
		}
	}

	if (is_v3_report(m)) {
		struct mgm_record_iter it;
		struct mgm_record rec;
		const uint8_t *next = m->records;
		size_t n = 0;

		CHECK(m->num_records == 0 || span_within(m->records, m->records_len, buf, len));
		mgm_records_begin(m, &it);
		while (mgm_records_next(&it, &rec)) {
			size_t slen = rec.num_sources * alen;

			CHECK(++n <= m->num_records);
			CHECK(rec.type >= MGM_MODE_IS_INCLUDE && rec.type <= MGM_BLOCK_OLD_SOURCES);
			CHECK(rec.group.family == m->family);
			CHECK(mgm_addr_is_multicast(&rec.group));
			/* Record layout, RFC 3376 §4.2.4: 4 octets, group, sources, aux data. */
			CHECK(rec.sources == next + 4 + alen);
			CHECK(rec.aux == rec.sources + slen);
			CHECK(span_within(rec.sources, slen + rec.aux_words * 4u, buf, len));
			for (size_t i = 0; i < rec.num_sources; i++) {
				struct mgm_addr a;

				mgm_source_at(rec.sources, m->family, i, &a);
				CHECK(mgm_addr_is_unicast(&a));
				h += touch(a.octets, sizeof(a.octets));
			}
			h += touch(rec.aux, rec.aux_words * 4u);
			h += touch(rec.group.octets, sizeof(rec.group.octets));
			next = rec.aux + rec.aux_words * 4u;
		}
		CHECK(n == m->num_records);
		CHECK(!mgm_records_next(&it, &rec));
		CHECK(n == 0 || next == m->records + m->records_len);
	}
	sink += h;
}

/* ---- Re-encoding -------------------------------------------------------------------------- */

/* memcmp() wants valid pointers even for no octets; an empty list may be NULL. */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

static void compare_records(const struct mgm_msg *a, const struct mgm_msg *b)
{
	struct mgm_record_iter ia, ib;
	struct mgm_record ra, rb;
	size_t alen = mgm_addr_len(a->family);

	mgm_records_begin(a, &ia);
	mgm_records_begin(b, &ib);
	for (;;) {
		bool more = mgm_records_next(&ia, &ra);

		CHECK(more == mgm_records_next(&ib, &rb));
		if (!more)
			break;
		CHECK(ra.type == rb.type);
		CHECK(ra.aux_words == rb.aux_words);
		CHECK(ra.num_sources == rb.num_sources);
		CHECK(mgm_addr_eq(&ra.group, &rb.group));
		CHECK(same_bytes(ra.sources, rb.sources, ra.num_sources * alen));
		CHECK(same_bytes(ra.aux, rb.aux, ra.aux_words * 4u));
	}
}

/* Every field the message carries; the length may differ (trailing octets are dropped). */
static void compare(const struct mgm_msg *a, const struct mgm_msg *b)
{
	CHECK(a->family == b->family);
	CHECK(a->kind == b->kind);
	CHECK(a->version == b->version);
	CHECK(a->type == b->type);
	CHECK(mgm_addr_eq(&a->group, &b->group));
	CHECK(a->max_resp_code == b->max_resp_code);
	CHECK(a->max_resp_ms == b->max_resp_ms);
	CHECK(a->suppress == b->suppress);
	CHECK(a->qrv == b->qrv);
	CHECK(a->qqic == b->qqic);
	CHECK(a->qqi == b->qqi);
	CHECK(a->num_sources == b->num_sources);
	CHECK(same_bytes(a->sources, b->sources, a->num_sources * mgm_addr_len(a->family)));
	CHECK(a->num_records == b->num_records);
	CHECK(a->records_len == b->records_len);
	compare_records(a, b);
}

/* Copies a list of wire addresses into the pool; false when it does not fit. */
static bool sources_to_pool(const uint8_t *sources, uint8_t family, size_t n, size_t *used)
{
	if (n > MAX_ADDRS - *used)
		return false;
	for (size_t i = 0; i < n; i++)
		mgm_source_at(sources, family, i, &addr_pool[*used + i]);
	*used += n;
	return true;
}

/* The records of a decoded report as the writer takes them; false when they do not fit. */
static bool records_to_pool(const struct mgm_msg *m, size_t *n)
{
	struct mgm_record_iter it;
	struct mgm_record rec;
	size_t used = 0;

	*n = 0;
	if (m->num_records > MAX_RECORDS)
		return false;
	mgm_records_begin(m, &it);
	while (mgm_records_next(&it, &rec)) {
		struct mgm_group_record *g = &record_pool[(*n)++];

		g->type = rec.type;
		g->group = rec.group;
		g->num_sources = rec.num_sources;
		g->sources = addr_pool + used;
		g->aux_words = rec.aux_words;
		g->aux = rec.aux;
		if (!sources_to_pool(rec.sources, m->family, rec.num_sources, &used))
			return false;
	}
	return true;
}

/*
 * Encodes the decoded message again into a buffer of exactly the size it needs: *out is a
 * fresh allocation so ASan catches a decoder reading one octet too far. Returns the length,
 * 0 when the message is not one the encoder makes.
 */
static size_t reencode(const struct mgm_msg *m, const struct mgm_addr *src,
		       const struct mgm_addr *dst, uint8_t **out)
{
	static uint8_t buf[65536 + 64];
	size_t len = 0, used = 0;
	int rc;

	switch (m->kind) {
	case MGM_MSG_QUERY: {
		struct mgm_query q = {
			.version = m->version,
			.group = m->group,
			.max_resp_code = m->max_resp_code,
			.suppress = m->suppress,
			.qrv = m->qrv,
			.qqic = m->qqic,
			.num_sources = m->num_sources,
			.sources = addr_pool,
		};

		if (!sources_to_pool(m->sources, m->family, m->num_sources, &used))
			return 0;
		rc = mgm_encode_query(m->family, &q, src, dst, buf, sizeof(buf), &len);
		CHECK(rc == 0);
		break;
	}
	case MGM_MSG_LEAVE:
		rc = mgm_encode_v1v2(m->family, m->kind, m->version, &m->group, src, dst, buf,
				     sizeof(buf), &len);
		CHECK(rc == 0);
		break;
	case MGM_MSG_REPORT: {
		struct mgm_report_writer w;
		size_t n, need = 8 + m->records_len, extra;

		if (!is_v3_report(m)) {
			rc = mgm_encode_v1v2(m->family, m->kind, m->version, &m->group, src, dst,
					     buf, sizeof(buf), &len);
			CHECK(rc == 0);
			break;
		}
		if (!records_to_pool(m, &n))
			return 0;
		/*
		 * An MTU that holds exactly the original report: RFC 3376 §4.2.16 lets the
		 * writer split only what does not fit, so the same records must come out in one
		 * report of the same size.
		 */
		mgm_report_writer_init(&w, m->family, record_pool, n,
				       mgm_ip_header_len(m->family) + need);
		rc = mgm_report_writer_next(&w, src, dst, buf, need, &len);
		if (n == 0) {
			CHECK(rc == 0);
			return 0;
		}
		CHECK(rc == 1);
		CHECK(len == need);
		CHECK(mgm_report_writer_next(&w, src, dst, buf, need, &extra) == 0);
		break;
	}
	default:
		return 0;
	}
	CHECK(len > 0 && len <= sizeof(buf));
	*out = malloc(len);
	CHECK(*out != NULL);
	memcpy(*out, buf, len);
	return len;
}

static size_t record_octets(const struct mgm_group_record *g, size_t alen, size_t nsrc)
{
	return 4 + alen + g->aux_words * 4u + nsrc * alen;
}

/*
 * The writer under a smaller MTU (RFC 3376 §4.2.16, RFC 3810 §5.2.15): every report fits and
 * decodes; the records come out in order, packed greedily; a record too big for an empty
 * report is split into pieces of the same type carrying consecutive parts of its sources,
 * except IS_EX and TO_EX, sent once with as many sources as fit. MGM_E_MTU only when not even
 * one source of the record fits an empty report.
 */
static void check_split(const struct mgm_msg *m, const struct mgm_addr *src,
			const struct mgm_addr *dst, unsigned eighths)
{
	static uint8_t buf[65536];
	size_t alen = mgm_addr_len(m->family), hlen = mgm_ip_header_len(m->family);
	size_t budget = 8 + m->records_len * eighths / 8, n, i = 0, s = 0, reports = 0;
	struct mgm_report_writer w;

	if (!records_to_pool(m, &n) || n == 0)
		return;
	mgm_report_writer_init(&w, m->family, record_pool, n, hlen + budget);
	for (;;) {
		const struct mgm_group_record *g;
		struct mgm_record_iter it;
		struct mgm_record rec;
		struct mgm_msg r;
		uint8_t *copy;
		size_t len = 0, pos = 8;
		int rc = mgm_report_writer_next(&w, src, dst, buf, budget, &len);

		if (rc == 0) {
			CHECK(i == n);
			return;
		}
		CHECK(i < n);
		g = &record_pool[i];
		if (rc == MGM_E_MTU) {
			CHECK(8 + record_octets(g, alen, g->num_sources > s ? 1 : 0) > budget);
			return;
		}
		CHECK(rc == 1);
		CHECK(len <= budget && ++reports <= n + m->records_len);
		copy = malloc(len);
		CHECK(copy != NULL);
		memcpy(copy, buf, len);
		CHECK(mgm_decode(m->family, copy, len, src, dst, &r) == 0);
		CHECK(is_v3_report(&r) && r.num_records > 0);
		mgm_records_begin(&r, &it);
		while (mgm_records_next(&it, &rec)) {
			size_t left;

			CHECK(i < n);
			g = &record_pool[i];
			left = g->num_sources - s;
			CHECK(rec.type == g->type && mgm_addr_eq(&rec.group, &g->group));
			CHECK(rec.aux_words == g->aux_words);
			CHECK(same_bytes(rec.aux, g->aux, g->aux_words * 4u));
			CHECK(rec.num_sources <= left);
			for (size_t k = 0; k < rec.num_sources; k++) {
				struct mgm_addr a;

				mgm_source_at(rec.sources, m->family, k, &a);
				CHECK(mgm_addr_eq(&a, &g->sources[s + k]));
			}
			if (rec.num_sources < left) {
				/* Cut short only when alone in a report and one more would not fit.
				 */
				CHECK(r.num_records == 1 && rec.num_sources > 0);
				CHECK(8 + record_octets(g, alen, rec.num_sources + 1) > budget);
			}
			pos += record_octets(g, alen, rec.num_sources);
			if (g->type == MGM_MODE_IS_EXCLUDE || g->type == MGM_CHANGE_TO_EXCLUDE ||
			    rec.num_sources == left) {
				i++;
				s = 0;
			} else {
				s += rec.num_sources;
			}
		}
		CHECK(pos == len);
		/* Greedy: what comes next did not fit in what this report had left. */
		if (i < n)
			CHECK(len + record_octets(&record_pool[i], alen,
						  record_pool[i].num_sources - s) >
			      budget);
		free(copy);
	}
}

static void roundtrip_message(const struct mgm_msg *m, const struct mgm_addr *src,
			      const struct mgm_addr *dst, unsigned eighths)
{
	struct mgm_msg again;
	uint8_t *enc = NULL;
	size_t len = reencode(m, src, dst, &enc);

	if (eighths && is_v3_report(m))
		check_split(m, src, dst, eighths);
	if (len == 0)
		return;
	CHECK(mgm_decode(m->family, enc, len, src, dst, &again) == 0);
	walk(&again, enc, len);
	compare(m, &again);
	free(enc);
}

/* The same message behind a header from mgm_ip_encode() must decode to the same fields. */
static void roundtrip_packet(const struct mgm_ip_info *ip, const struct mgm_msg *m,
			     unsigned eighths)
{
	struct mgm_ip_info ip2;
	struct mgm_msg again;
	uint8_t *enc = NULL, *pkt;
	size_t hlen = mgm_ip_header_len(ip->family);
	size_t len = reencode(m, &ip->src, &ip->dst, &enc);

	if (eighths && is_v3_report(m))
		check_split(m, &ip->src, &ip->dst, eighths);
	if (len == 0)
		return;
	pkt = malloc(hlen + len);
	CHECK(pkt != NULL);
	memcpy(pkt + hlen, enc, len);
	CHECK(mgm_ip_encode(ip->family, &ip->src, &ip->dst, len, pkt, hlen + len) == 0);
	CHECK(mgm_packet_decode(pkt, hlen + len, &ip2, &again) == 0);
	CHECK(ip2.family == ip->family);
	CHECK(mgm_addr_eq(&ip2.src, &ip->src) && mgm_addr_eq(&ip2.dst, &ip->dst));
	CHECK(ip2.router_alert && ip2.hop_limit == 1);
	CHECK(ip2.payload == pkt + hlen && ip2.payload_len == len);
	walk(&again, ip2.payload, ip2.payload_len);
	compare(m, &again);
	free(pkt);
	free(enc);
}

/* ---- Entry points ------------------------------------------------------------------------- */

/*
 * The router's decoder agrees with the strict one on every message but a v3 / MLDv2 report
 * whose records the strict one refused; there its walk stays inside the buffer, hands out only
 * records the strict decoder would accept, and ends at the first truncated one.
 */
static void check_lenient(uint8_t family, const uint8_t *buf, size_t len,
			  const struct mgm_addr *src, const struct mgm_addr *dst, int strict)
{
	size_t alen = mgm_addr_len(family), n = 0;
	struct mgm_record_iter it;
	struct mgm_record rec;
	struct mgm_msg m;
	int rc = mgm_decode_lenient(family, buf, len, src, dst, &m), got;
	uint64_t h = 0;

	if (rc != 0) {
		CHECK(rc == strict);
		return;
	}
	if (strict == 0 || !is_v3_report(&m)) {
		CHECK(strict == 0);
		return;
	}
	CHECK(m.records + m.records_len == buf + len);
	mgm_records_begin(&m, &it);
	while ((got = mgm_records_next_checked(&it, &rec)) != 0) {
		CHECK(++n <= m.num_records);
		CHECK(got == 1 || got == MGM_E_RECORD_TYPE || got == MGM_E_GROUP_NOT_MULTICAST ||
		      got == MGM_E_REPORT_ALL_SYSTEMS || got == MGM_E_SOURCE_NOT_UNICAST ||
		      got == MGM_E_RECORD_OVERRUN || got == MGM_E_SOURCE_OVERRUN ||
		      got == MGM_E_AUX_OVERRUN);
		if (got == MGM_E_RECORD_OVERRUN || got == MGM_E_SOURCE_OVERRUN ||
		    got == MGM_E_AUX_OVERRUN) {
			CHECK(mgm_records_next_checked(&it, &rec) == 0);
			break;
		}
		CHECK(span_within(rec.sources, rec.num_sources * alen, buf, len));
		CHECK(span_within(rec.aux, rec.aux_words * 4u, buf, len));
		if (got == 1) {
			CHECK(rec.type >= MGM_MODE_IS_INCLUDE && rec.type <= MGM_BLOCK_OLD_SOURCES);
			CHECK(mgm_addr_is_multicast(&rec.group) &&
			      !mgm_addr_is_all_systems(&rec.group));
			for (size_t i = 0; i < rec.num_sources; i++) {
				struct mgm_addr a;

				mgm_source_at(rec.sources, family, i, &a);
				CHECK(mgm_addr_is_unicast(&a));
			}
		}
		h += touch(rec.sources, rec.num_sources * alen) +
		     touch(rec.aux, rec.aux_words * 4u);
	}
	sink += h;
}

static void fuzz_igmp(uint8_t *buf, size_t len, uint8_t sel)
{
	struct mgm_msg m;
	int rc;

	if (sel & SEL_FIX_CHECKSUMS)
		fix_igmp_checksum(buf, len);
	rc = mgm_igmp_decode(buf, len, &m);
	check_lenient(MGM_INET, buf, len, NULL, NULL, rc);
	if (rc != 0) {
		check_error(rc, false);
		return;
	}
	fuzz_last_decoded = 1;
	CHECK(m.family == MGM_INET);
	walk(&m, buf, len);
	roundtrip_message(&m, NULL, NULL, sel >> SEL_SPLIT_SHIFT);
}

static void fuzz_mld(uint8_t *buf, size_t len, uint8_t sel)
{
	struct mgm_addr src, dst;
	struct mgm_msg m;
	int rc;

	CHECK(mgm_addr_parse(sel & SEL_MLD_SRC_ANY ? "::" : "fe80::1", &src) == 0);
	CHECK(mgm_addr_parse(sel & SEL_MLD_DST_REPORTS ? "ff02::16" : "ff02::1", &dst) == 0);
	if (sel & SEL_FIX_CHECKSUMS)
		fix_icmp6_checksum(buf, len, &src, &dst);
	rc = mgm_mld_decode(buf, len, &src, &dst, &m);
	check_lenient(MGM_INET6, buf, len, &src, &dst, rc);
	if (rc != 0) {
		check_error(rc, false);
		return;
	}
	fuzz_last_decoded = 1;
	CHECK(m.family == MGM_INET6);
	walk(&m, buf, len);
	roundtrip_message(&m, &src, &dst, sel >> SEL_SPLIT_SHIFT);
}

static void fuzz_packet(uint8_t *buf, size_t len, uint8_t sel)
{
	struct mgm_ip_info ip;
	struct mgm_msg m;
	size_t upper_off = 0;
	int rc, upper;

	if (sel & SEL_FIX_CHECKSUMS)
		fix_packet_checksums(buf, len);
	/* The lenient walk stays inside the buffer, and agrees with the strict decoder on every
	 * packet the latter accepts. */
	upper = mgm_ip_upper_protocol(buf, len, &upper_off);
	CHECK(upper < 0 || upper_off <= len);
	rc = mgm_packet_decode(buf, len, &ip, &m);
	if (rc == 0)
		CHECK(upper == (ip.family == MGM_INET ? 2 : 58) && buf + upper_off == ip.payload);
	if (rc != 0) {
		check_error(rc, true);
		return;
	}
	fuzz_last_decoded = 1;
	CHECK(ip.family == m.family);
	CHECK(ip.src.family == ip.family && ip.dst.family == ip.family);
	CHECK(span_within(ip.payload, ip.payload_len, buf, len));
	walk(&m, ip.payload, ip.payload_len);
	roundtrip_packet(&ip, &m, sel >> SEL_SPLIT_SHIFT);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The encoders return the code with the largest value not above the one asked for
 * (RFC 3376 §4.1.1 leaves the rounding to the sender; rounding down never makes hosts wait
 * longer than the querier meant), so decode(encode(v)) <= v, the next code is above v, and
 * encoding is monotonic.
 */
static void check_code8(uint32_t v, uint32_t w)
{
	uint8_t c = mgm_code8_encode(v);

	CHECK(mgm_code8_decode(c) <= v);
	CHECK(c == 0xff || mgm_code8_decode((uint8_t)(c + 1)) > v);
	if (v <= w)
		CHECK(c <= mgm_code8_encode(w));
}

static void check_code16(uint32_t v, uint32_t w)
{
	uint16_t c = mgm_code16_encode(v);

	CHECK(mgm_code16_decode(c) <= v);
	CHECK(c == 0xffff || mgm_code16_decode((uint16_t)(c + 1)) > v);
	if (v <= w)
		CHECK(c <= mgm_code16_encode(w));
}

/*
 * Max Resp Code for a time in ms: never above the time asked for, except that a version
 * where 0 means something else answers with its smallest non-zero code; monotonic.
 */
static void check_max_resp(uint8_t family, uint8_t version, uint32_t v, uint32_t w)
{
	uint32_t got = mgm_max_resp_ms(family, version, mgm_max_resp_code(family, version, v));
	uint32_t smallest = mgm_max_resp_ms(family, version, 1);

	CHECK(got <= v || got <= smallest);
	if (v <= w)
		CHECK(got <=
		      mgm_max_resp_ms(family, version, mgm_max_resp_code(family, version, w)));
}

static void fuzz_codes(const uint8_t *p, size_t len)
{
	static const uint8_t versions[][2] = {
		{MGM_INET, 2},
		{MGM_INET, 3},
		{MGM_INET6, 1},
		{MGM_INET6, 2},
	};

	for (; len >= 9; p += 9, len -= 9) {
		uint32_t v = get_be32(p), w = get_be32(p + 4);
		const uint8_t *fv = versions[p[8] % 4];

		check_code8(v, w);
		check_code8(w, v);
		check_code16(v, w);
		check_code16(w, v);
		check_max_resp(fv[0], fv[1], v, w);
		check_max_resp(fv[0], fv[1], w, v);
	}
}

/* Once per process: every code is canonical and the codes increase with their values. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (unsigned c = 0; c <= 0xff; c++) {
		CHECK(mgm_code8_encode(mgm_code8_decode((uint8_t)c)) == c);
		CHECK(c == 0 || mgm_code8_decode((uint8_t)c) > mgm_code8_decode((uint8_t)(c - 1)));
	}
	CHECK(mgm_code8_decode(0xff) == 31744);
	for (unsigned c = 0; c <= 0xffff; c++) {
		CHECK(mgm_code16_encode(mgm_code16_decode((uint16_t)c)) == c);
		CHECK(c == 0 ||
		      mgm_code16_decode((uint16_t)c) > mgm_code16_decode((uint16_t)(c - 1)));
	}
	CHECK(mgm_code16_decode(0xffff) == 8387584);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel, *buf;
	size_t len;

	fuzz_last_decoded = 0;
	if (size < 1)
		return 0;
	sel = data[0];
	len = size - 1;
	if ((sel & SEL_TARGET) == SEL_CODES) {
		fuzz_codes(data + 1, len);
		fuzz_last_decoded = 1; /* every value is valid input for the codes */
		return 0;
	}
	/* A private copy of exactly the input's size: writable for the checksum fix-up, and
	 * any read past its end is a heap overflow ASan reports. */
	buf = malloc(len);
	CHECK(buf != NULL || len == 0);
	if (len)
		memcpy(buf, data + 1, len);
	switch (sel & SEL_TARGET) {
	case SEL_IGMP:
		fuzz_igmp(buf, len, sel);
		break;
	case SEL_MLD:
		fuzz_mld(buf, len, sel);
		break;
	default:
		fuzz_packet(buf, len, sel);
		break;
	}
	free(buf);
	return 0;
}
