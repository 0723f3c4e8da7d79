/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode(encode(x)) == x over generated messages of both families (a seeded xorshift generator,
 * so every run sees the same messages), the report writer's splitting rules of RFC 3376 §4.2.16
 * / RFC 3810 §5.2.15 at the edge sizes, IP header round trips, and mutated packets that must
 * decode or fail without a read out of bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mgm/wire.h"

static uint64_t rng_state;

static void seed(uint64_t s)
{
	rng_state = s ? s : 1;
}

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void random_unicast(uint8_t family, struct mgm_addr *a)
{
	do {
		uint8_t o[16];

		for (int i = 0; i < 16; i++)
			o[i] = (uint8_t)rnd();
		mgm_addr_from_wire(a, family, o);
	} while (!mgm_addr_is_unicast(a));
}

/* A group that no decoder check refuses: multicast, not all-systems. Numbered, so that records
 * of one test are told apart by their group. */
static void numbered_group(uint8_t family, uint32_t n, struct mgm_addr *g)
{
	mgm_addr_any(g, family);
	if (family == MGM_INET) {
		g->octets[0] = 232;
		g->octets[1] = (uint8_t)(n >> 16);
		g->octets[2] = (uint8_t)(n >> 8);
		g->octets[3] = (uint8_t)n;
	} else {
		g->octets[0] = 0xff;
		g->octets[1] = 0x3e;
		g->octets[13] = (uint8_t)(n >> 16);
		g->octets[14] = (uint8_t)(n >> 8);
		g->octets[15] = (uint8_t)n;
	}
}

static void endpoints(uint8_t family, struct mgm_addr *src, struct mgm_addr *dst)
{
	if (family == MGM_INET) {
		mgm_addr_parse("192.0.2.1", src);
		mgm_addr_v3_report_dest(dst, MGM_INET);
	} else {
		mgm_addr_parse("fe80::1", src);
		mgm_addr_v3_report_dest(dst, MGM_INET6);
	}
}

static void assert_sources_equal(uint8_t family, const uint8_t *wire, const struct mgm_addr *want,
				 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mgm_addr s;

		mgm_source_at(wire, family, i, &s);
		assert_true(mgm_addr_eq(&s, &want[i]));
	}
}

/* Rewrites the IGMP / ICMPv6 checksum over len octets (with the endpoints() pseudo-header). */
static void fix_checksum(uint8_t family, uint8_t *b, size_t len)
{
	struct mgm_addr s, d;
	uint32_t pseudo = 0;

	if (len < 4)
		return;
	endpoints(family, &s, &d);
	if (family == MGM_INET6)
		pseudo = mgm_icmp6_pseudo_sum(&s, &d, (uint32_t)len);
	b[2] = b[3] = 0;
	uint16_t c = mgm_inet_checksum(b, len, pseudo);
	b[2] = (uint8_t)(c >> 8);
	b[3] = (uint8_t)c;
}

/* ==== queries and v1/v2 messages ============================================================ */

static void check_query_round_trip(uint8_t family, uint8_t version, uint16_t nsrc)
{
	static struct mgm_addr srcs[600];
	static uint8_t buf[12000];
	struct mgm_addr s, d;
	struct mgm_query q = {.version = version};
	struct mgm_msg m;
	size_t len;
	bool v3 = (family == MGM_INET && version == 3) || (family == MGM_INET6 && version == 2);

	endpoints(family, &s, &d);
	if (below(3) == 0)
		mgm_addr_any(&q.group, family);
	else
		numbered_group(family, rnd() & 0xffffff, &q.group);
	if (family == MGM_INET && version == 2)
		q.max_resp_code = (uint16_t)(1 + below(255));
	else if (family == MGM_INET && version == 3)
		q.max_resp_code = (uint16_t)below(256);
	else if (family == MGM_INET6)
		q.max_resp_code = (uint16_t)rnd();
	if (v3) {
		q.suppress = below(2);
		q.qrv = (uint8_t)below(8);
		q.qqic = (uint8_t)rnd();
		q.num_sources = nsrc;
		for (size_t i = 0; i < nsrc; i++)
			random_unicast(family, &srcs[i]);
		q.sources = srcs;
	}
	assert_int_equal(mgm_encode_query(family, &q, &s, &d, buf, sizeof(buf), &len), 0);
	assert_int_equal(mgm_decode(family, buf, len, &s, &d, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_QUERY);
	assert_int_equal(m.version, version);
	assert_int_equal(m.len, len);
	assert_true(mgm_addr_eq(&m.group, &q.group));
	assert_int_equal(m.max_resp_code, q.max_resp_code);
	assert_int_equal(m.max_resp_ms, mgm_max_resp_ms(family, version, q.max_resp_code));
	assert_int_equal(m.suppress, q.suppress);
	assert_int_equal(m.qrv, q.qrv);
	assert_int_equal(m.qqic, q.qqic);
	assert_int_equal(m.qqi, v3 ? mgm_code8_decode(q.qqic) : 0);
	assert_int_equal(m.num_sources, q.num_sources);
	assert_sources_equal(family, m.sources, srcs, q.num_sources);
	/* One octet less, checksum fixed, is refused by the length checks: RFC 3376 §7.1 /
	 * RFC 3810 §8.1 leave no valid query length between 8 and 12 (24 and 28), and a source
	 * list cut short is an overrun. */
	fix_checksum(family, buf, len - 1);
	assert_int_equal(mgm_decode(family, buf, len - 1, &s, &d, &m),
			 q.num_sources ? MGM_E_SOURCE_OVERRUN
			 : v3	       ? MGM_E_LENGTH
				       : MGM_E_SHORT);
}

static void test_query_round_trip_generated(void **state)
{
	seed(1);
	for (int i = 0; i < 3000; i++) {
		check_query_round_trip(MGM_INET, (uint8_t)(1 + below(3)), (uint16_t)below(40));
		check_query_round_trip(MGM_INET6, (uint8_t)(1 + below(2)), (uint16_t)below(40));
	}
	/* Edge sizes: no sources, and as many as a 1500 / 9000 octet MTU holds. */
	check_query_round_trip(MGM_INET, 3, 0);
	check_query_round_trip(MGM_INET6, 2, 0);
	check_query_round_trip(MGM_INET, 3, (1500 - 24 - 12) / 4);
	check_query_round_trip(MGM_INET6, 2, (1500 - 48 - 28) / 16);
	check_query_round_trip(MGM_INET6, 2, (9000 - 48 - 28) / 16);
}

static void test_v1v2_round_trip_generated(void **state)
{
	/* (kind, version) of every one-group message: IGMPv1/v2 reports, IGMPv2 leave; MLDv1
	 * report and done. */
	static const uint8_t kinds4[][2] = {
		{MGM_MSG_REPORT, 1}, {MGM_MSG_REPORT, 2}, {MGM_MSG_LEAVE, 2}};
	static const uint8_t kinds6[][2] = {{MGM_MSG_REPORT, 1}, {MGM_MSG_LEAVE, 1}};
	uint8_t buf[24];
	size_t len;
	struct mgm_msg m;

	seed(2);
	for (int i = 0; i < 3000; i++) {
		uint8_t family = (i & 1) ? MGM_INET6 : MGM_INET;
		const uint8_t *kv = family == MGM_INET ? kinds4[below(3)] : kinds6[below(2)];
		uint8_t kind = kv[0], version = kv[1];
		struct mgm_addr s, d, g;

		endpoints(family, &s, &d);
		numbered_group(family, rnd() & 0xffffff, &g);
		assert_int_equal(
			mgm_encode_v1v2(family, kind, version, &g, &s, &d, buf, sizeof(buf), &len),
			0);
		assert_int_equal(len, family == MGM_INET ? 8 : 24);
		assert_int_equal(mgm_decode(family, buf, len, &s, &d, &m), 0);
		assert_int_equal(m.kind, kind);
		assert_true(mgm_addr_eq(&m.group, &g));
		assert_int_equal(m.version, version);
	}
}

/* ==== the report writer ==================================================================== */

#define MAX_RECORDS 1200
#define MAX_SOURCES 50000

struct report_case {
	uint8_t family;
	size_t mtu;
	size_t num_records;
	struct mgm_group_record recs[MAX_RECORDS];
	struct mgm_addr pool[MAX_SOURCES];
	uint8_t aux[4 * 255];
};

/* What came out of the writer for one original record. */
struct seen {
	size_t pieces;
	size_t sources; /* sources so far, in order */
};

static bool is_ex(uint8_t type)
{
	return type == MGM_MODE_IS_EXCLUDE || type == MGM_CHANGE_TO_EXCLUDE;
}

/* Octets a report may have: the MTU less the IP header, and no more than the 16-bit IPv4 Total
 * Length (RFC 791) or IPv6 Payload Length (RFC 8200 §3, counting the Hop-by-Hop header) allows. */
static size_t report_budget(const struct report_case *c)
{
	size_t hdr = mgm_ip_header_len(c->family);
	size_t ip_max = c->family == MGM_INET ? 0xffff - hdr : 0xffff - (hdr - 40);

	return c->mtu - hdr < ip_max ? c->mtu - hdr : ip_max;
}

/* Sources of a record that fit an otherwise empty report. */
static size_t fit_empty(const struct report_case *c, const struct mgm_group_record *r)
{
	size_t alen = mgm_addr_len(c->family);
	size_t budget = report_budget(c) - 8;
	size_t fixed = 4 + alen + (size_t)r->aux_words * 4;

	return (budget - fixed) / alen;
}

/*
 * Runs the writer to the end and checks, packet by packet: each fits the MTU with its IP header
 * (and decodes there too); records come out in order; every source of an ALLOW / BLOCK / IS_IN
 * / TO_IN record appears exactly once, in order, over as many pieces as needed; IS_EX / TO_EX
 * come out once with the sources that fit; a record that does not fit what a report has left
 * opens the next report. Returns the number of reports.
 */
static size_t run_writer(struct report_case *c)
{
	static uint8_t buf[70000], pkt[70000];
	static struct seen seen[MAX_RECORDS];
	struct mgm_report_writer w;
	struct mgm_addr s, d;
	size_t len, reports = 0, cur = 0, alen = mgm_addr_len(c->family);
	size_t hdr = mgm_ip_header_len(c->family), prev_len = 0;
	int ret;

	memset(seen, 0, sizeof(seen));
	endpoints(c->family, &s, &d);
	mgm_report_writer_init(&w, c->family, c->recs, c->num_records, c->mtu);
	while ((ret = mgm_report_writer_next(&w, &s, &d, buf, sizeof(buf), &len)) == 1) {
		struct mgm_ip_info ip;
		struct mgm_msg m;
		struct mgm_record_iter it;
		struct mgm_record r;
		bool first = true;

		assert_true(hdr + len <= c->mtu);
		assert_int_equal(mgm_ip_encode(c->family, &s, &d, len, pkt, sizeof(pkt)), 0);
		memcpy(pkt + hdr, buf, len);
		assert_int_equal(mgm_packet_decode(pkt, hdr + len, &ip, &m), 0);
		assert_int_equal(m.kind, MGM_MSG_REPORT);
		assert_int_equal(m.version, c->family == MGM_INET ? 3 : 2);
		assert_true(m.num_records > 0);
		mgm_records_begin(&m, &it);
		while (mgm_records_next(&it, &r)) {
			const struct mgm_group_record *o;

			/* Match the original by group; records never go backwards. */
			while (cur < c->num_records && !mgm_addr_eq(&c->recs[cur].group, &r.group))
				cur++;
			assert_true(cur < c->num_records);
			o = &c->recs[cur];
			assert_int_equal(r.type, o->type);
			assert_int_equal(r.aux_words, o->aux_words);
			if (o->aux_words)
				assert_memory_equal(r.aux, o->aux, (size_t)o->aux_words * 4);
			/* Every piece carries the sources that follow the ones already sent. */
			assert_true(seen[cur].sources + r.num_sources <= o->num_sources);
			assert_sources_equal(c->family, r.sources, o->sources + seen[cur].sources,
					     r.num_sources);
			if (first && reports > 0 && seen[cur].pieces == 0) {
				/* §4.2.16: it went to a new report because it did not fit. */
				size_t whole = 4 + alen + (size_t)o->aux_words * 4 +
					       (size_t)o->num_sources * alen;
				assert_true(whole > report_budget(c) - prev_len);
			}
			seen[cur].pieces++;
			seen[cur].sources += r.num_sources;
			first = false;
		}
		prev_len = len;
		reports++;
	}
	assert_int_equal(ret, 0);
	for (size_t i = 0; i < c->num_records; i++) {
		const struct mgm_group_record *o = &c->recs[i];
		size_t fit = fit_empty(c, o);

		assert_true(seen[i].pieces >= 1);
		if (is_ex(o->type)) {
			assert_int_equal(seen[i].pieces, 1);
			assert_int_equal(seen[i].sources,
					 o->num_sources < fit ? o->num_sources : fit);
		} else {
			assert_int_equal(seen[i].sources, o->num_sources);
			if (o->num_sources > fit)
				assert_true(seen[i].pieces >= (o->num_sources + fit - 1) / fit);
		}
	}
	return reports;
}

static struct report_case rc;

static void one_record(uint8_t family, size_t mtu, uint8_t type, size_t nsrc, uint8_t aux_words)
{
	memset(&rc, 0, sizeof(rc));
	rc.family = family;
	rc.mtu = mtu;
	rc.num_records = 1;
	for (size_t i = 0; i < nsrc; i++)
		random_unicast(family, &rc.pool[i]);
	for (size_t i = 0; i < sizeof(rc.aux); i++)
		rc.aux[i] = (uint8_t)rnd();
	rc.recs[0] = (struct mgm_group_record){.type = type,
					       .num_sources = (uint16_t)nsrc,
					       .sources = rc.pool,
					       .aux_words = aux_words,
					       .aux = rc.aux};
	numbered_group(family, 1, &rc.recs[0].group);
}

static void test_report_writer_max_sources_fit_one_report(void **state)
{
	/* 1500 - 24 IP - 8 report - 8 record = 1460 octets: 365 IPv4 sources. */
	static const struct {
		uint8_t family;
		size_t mtu, max;
	} rows[] = {
		{MGM_INET, 1500, 365},
		{MGM_INET6, 1500, 89}, /* 1500 - 48 - 8 - 20 = 1424: 89 sources */
		{MGM_INET, 9000, 2240},
		{MGM_INET6, 9000, 557},
		/* Above 64 KiB the IP length field is the limit: 65535 - 24 - 8 - 8 = 65495
		 * octets for IPv4 sources; IPv6 has 65535 - 8 - 8 - 20 = 65499. */
		{MGM_INET, 70000, 16373},
		{MGM_INET6, 70000, 4093},
	};

	seed(3);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		one_record(rows[i].family, rows[i].mtu, MGM_MODE_IS_INCLUDE, rows[i].max, 0);
		assert_int_equal(run_writer(&rc), 1);
		one_record(rows[i].family, rows[i].mtu, MGM_ALLOW_NEW_SOURCES, rows[i].max + 1, 0);
		assert_int_equal(run_writer(&rc), 2);
		one_record(rows[i].family, rows[i].mtu, MGM_MODE_IS_EXCLUDE, rows[i].max + 1, 0);
		assert_int_equal(run_writer(&rc), 1);
		one_record(rows[i].family, rows[i].mtu, MGM_CHANGE_TO_EXCLUDE, 3 * rows[i].max, 0);
		assert_int_equal(run_writer(&rc), 1);
		one_record(rows[i].family, rows[i].mtu, MGM_BLOCK_OLD_SOURCES, 3 * rows[i].max, 0);
		assert_int_equal(run_writer(&rc), 3);
		one_record(rows[i].family, rows[i].mtu, MGM_CHANGE_TO_INCLUDE, 0, 0);
		assert_int_equal(run_writer(&rc), 1);
	}
}

static void test_report_writer_split_pieces_exact_bytes(void **state)
{
	static uint8_t buf[1500];
	struct mgm_report_writer w;
	struct mgm_msg m;
	struct mgm_record_iter it;
	struct mgm_record r;
	size_t len;

	/* 366 sources at MTU 1500: 365 in the first report, 1 in the second, same type. */
	seed(4);
	one_record(MGM_INET, 1500, MGM_MODE_IS_INCLUDE, 366, 0);
	mgm_report_writer_init(&w, MGM_INET, rc.recs, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 1476);
	assert_int_equal(w.next_record, 0);
	assert_int_equal(w.next_source, 365);
	assert_int_equal(mgm_igmp_decode(buf, len, &m), 0);
	mgm_records_begin(&m, &it);
	assert_true(mgm_records_next(&it, &r));
	assert_int_equal(r.num_sources, 365);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 8 + 8 + 4);
	assert_int_equal(mgm_igmp_decode(buf, len, &m), 0);
	mgm_records_begin(&m, &it);
	assert_true(mgm_records_next(&it, &r));
	assert_int_equal(r.type, MGM_MODE_IS_INCLUDE);
	assert_int_equal(r.num_sources, 1);
	assert_sources_equal(MGM_INET, r.sources, &rc.pool[365], 1);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 0);
}

static void test_report_writer_aux_data_and_many_records(void **state)
{
	seed(5);
	/* Aux data rides along on every piece of a split record. */
	one_record(MGM_INET, 576, MGM_ALLOW_NEW_SOURCES, 500, 3);
	assert_true(run_writer(&rc) >= 4);
	one_record(MGM_INET6, 1280, MGM_MODE_IS_EXCLUDE, 200, 255);
	assert_int_equal(run_writer(&rc), 1);

	/* 1000 source-less records: 183 of 8 octets fill a 1468-octet report body. */
	memset(&rc, 0, sizeof(rc));
	rc.family = MGM_INET;
	rc.mtu = 1500;
	rc.num_records = 1000;
	for (size_t i = 0; i < rc.num_records; i++) {
		rc.recs[i].type = MGM_MODE_IS_EXCLUDE;
		numbered_group(MGM_INET, (uint32_t)i, &rc.recs[i].group);
	}
	assert_int_equal(run_writer(&rc), (1000 + 182) / 183);
}

static void test_report_writer_generated_record_sets(void **state)
{
	static const size_t mtus4[] = {68, 100, 576, 1500, 9000, 70000};
	static const size_t mtus6[] = {100, 1280, 1500, 9000, 70000};

	seed(6);
	for (int iter = 0; iter < 300; iter++) {
		uint8_t family = (iter & 1) ? MGM_INET6 : MGM_INET;
		size_t used = 0;

		memset(&rc, 0, sizeof(rc));
		rc.family = family;
		rc.mtu = family == MGM_INET ? mtus4[below(6)] : mtus6[below(5)];
		rc.num_records = 1 + below(60);
		for (size_t i = 0; i < sizeof(rc.aux); i++)
			rc.aux[i] = (uint8_t)rnd();
		for (size_t i = 0; i < rc.num_records; i++) {
			struct mgm_group_record *r = &rc.recs[i];
			size_t n = below(4) ? below(12) : below(400);

			if (used + n > MAX_SOURCES)
				n = 0;
			r->type = (uint8_t)(1 + below(6));
			numbered_group(family, (uint32_t)i, &r->group);
			r->aux_words = below(5) == 0 ? (uint8_t)below(3) : 0;
			r->aux = rc.aux;
			for (size_t j = 0; j < n; j++)
				random_unicast(family, &rc.pool[used + j]);
			r->num_sources = (uint16_t)n;
			r->sources = n ? &rc.pool[used] : NULL;
			used += n;
		}
		/* Tiny MTUs cannot hold some records: then the writer says so, and the rest of
		 * the test only makes sense for MTUs that can. */
		bool fits = true;
		for (size_t i = 0; i < rc.num_records; i++) {
			size_t alen = mgm_addr_len(family);
			size_t need = mgm_ip_header_len(family) + 8 + 4 + alen +
				      (size_t)rc.recs[i].aux_words * 4 +
				      (rc.recs[i].num_sources ? alen : 0);
			if (need > rc.mtu)
				fits = false;
		}
		if (fits) {
			run_writer(&rc);
		} else {
			struct mgm_report_writer w;
			struct mgm_addr s, d;
			static uint8_t buf[70000];
			size_t len;
			int ret;

			endpoints(family, &s, &d);
			mgm_report_writer_init(&w, family, rc.recs, rc.num_records, rc.mtu);
			while ((ret = mgm_report_writer_next(&w, &s, &d, buf, sizeof(buf), &len)) ==
			       1)
				;
			assert_int_equal(ret, MGM_E_MTU);
		}
	}
}

/* ==== IP headers ============================================================================ */

static void test_ip_header_round_trip_generated(void **state)
{
	static uint8_t pkt[70000];

	seed(7);
	for (int i = 0; i < 2000; i++) {
		uint8_t family = (i & 1) ? MGM_INET6 : MGM_INET;
		size_t hdr = mgm_ip_header_len(family);
		size_t plen = below(4) ? below(200) : below(65000);
		struct mgm_addr s, d;
		struct mgm_ip_info ip;

		random_unicast(family, &s);
		numbered_group(family, rnd(), &d);
		assert_int_equal(mgm_ip_encode(family, &s, &d, plen, pkt, sizeof(pkt)), 0);
		for (size_t j = 0; j < plen; j++)
			pkt[hdr + j] = (uint8_t)j;
		assert_int_equal(mgm_ip_decode(pkt, hdr + plen, &ip), 0);
		assert_int_equal(ip.family, family);
		assert_true(mgm_addr_eq(&ip.src, &s));
		assert_true(mgm_addr_eq(&ip.dst, &d));
		assert_int_equal(ip.hop_limit, 1);
		assert_int_equal(ip.tos, 0xc0);
		assert_true(ip.router_alert);
		assert_ptr_equal(ip.payload, pkt + hdr);
		assert_int_equal(ip.payload_len, plen);
	}
	/* The largest payloads the length fields can carry, and one more. */
	struct mgm_addr s4, d4, s6, d6;
	mgm_addr_parse("10.0.0.1", &s4);
	mgm_addr_parse("224.0.0.22", &d4);
	mgm_addr_parse("fe80::1", &s6);
	mgm_addr_parse("ff02::16", &d6);
	assert_int_equal(mgm_ip_encode(MGM_INET, &s4, &d4, 65535 - 24, pkt, sizeof(pkt)), 0);
	assert_int_equal(mgm_ip_encode(MGM_INET, &s4, &d4, 65535 - 23, pkt, sizeof(pkt)),
			 MGM_E_INVAL);
	assert_int_equal(mgm_ip_encode(MGM_INET6, &s6, &d6, 65535 - 8, pkt, sizeof(pkt)), 0);
	assert_int_equal(mgm_ip_encode(MGM_INET6, &s6, &d6, 65535 - 7, pkt, sizeof(pkt)),
			 MGM_E_INVAL);
	assert_int_equal(mgm_ip_encode(MGM_INET6, &s4, &d6, 8, pkt, sizeof(pkt)), MGM_E_INVAL);
}

/* ==== mutated packets ====================================================================== */

/* Decodes from a heap copy of exactly len octets; anything accepted must iterate cleanly. */
static void decode_hostile(uint8_t family, const uint8_t *b, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct mgm_addr s, d;
	struct mgm_msg m;

	assert_non_null(copy);
	memcpy(copy, b, len);
	endpoints(family, &s, &d);
	if (mgm_decode(family, copy, len, &s, &d, &m) == 0) {
		size_t alen = mgm_addr_len(family);

		assert_true(m.len == len);
		if (m.kind == MGM_MSG_QUERY) {
			assert_true((size_t)(m.sources - copy) + m.num_sources * alen <= len ||
				    m.num_sources == 0);
		} else if (m.kind == MGM_MSG_REPORT && m.records) {
			struct mgm_record_iter it;
			struct mgm_record r;
			size_t n = 0;

			mgm_records_begin(&m, &it);
			while (mgm_records_next(&it, &r)) {
				struct mgm_addr a;

				assert_true(r.type >= 1 && r.type <= 6);
				assert_true(mgm_addr_is_multicast(&r.group));
				for (size_t i = 0; i < r.num_sources; i++) {
					mgm_source_at(r.sources, family, i, &a);
					assert_true(mgm_addr_is_unicast(&a));
				}
				n++;
			}
			assert_int_equal(n, m.num_records);
			assert_true(m.records + m.records_len <= copy + len);
		}
	}
	/* And the same octets as a whole packet behind an IP header, with the same care. */
	struct mgm_ip_info ip;
	mgm_packet_decode(copy, len, &ip, &m);
	free(copy);
}

static void test_mutated_messages_never_read_out_of_bounds(void **state)
{
	static uint8_t base[4096], b[4200];

	seed(8);
	for (int iter = 0; iter < 3000; iter++) {
		uint8_t family = (iter & 1) ? MGM_INET6 : MGM_INET;
		struct mgm_report_writer w;
		struct mgm_addr s, d;
		size_t len;

		/* A valid report to start from. */
		memset(&rc, 0, sizeof(rc));
		rc.family = family;
		rc.num_records = 1 + below(6);
		for (size_t i = 0; i < rc.num_records; i++) {
			size_t n = below(5);

			rc.recs[i].type = (uint8_t)(1 + below(6));
			numbered_group(family, (uint32_t)i, &rc.recs[i].group);
			rc.recs[i].aux_words = (uint8_t)below(2);
			rc.recs[i].aux = rc.aux;
			for (size_t j = 0; j < n; j++)
				random_unicast(family, &rc.pool[8 * i + j]);
			rc.recs[i].num_sources = (uint16_t)n;
			rc.recs[i].sources = &rc.pool[8 * i];
		}
		endpoints(family, &s, &d);
		mgm_report_writer_init(&w, family, rc.recs, rc.num_records, 1500);
		assert_int_equal(mgm_report_writer_next(&w, &s, &d, base, sizeof(base), &len), 1);

		for (int k = 0; k < 20; k++) {
			size_t n = len;
			int flips = 1 + (int)below(4);

			memcpy(b, base, len);
			if (below(4) == 0)
				n = below((uint32_t)len + 1); /* truncate */
			else if (below(8) == 0)
				n = len + below(64); /* trailing octets */
			for (size_t j = len; j < n; j++)
				b[j] = (uint8_t)rnd();
			for (int f = 0; f < flips && n; f++)
				b[below((uint32_t)n)] = (uint8_t)rnd();
			if (below(2) == 0 && n > 4 && below(3) == 0)
				b[0] = family == MGM_INET ? MGM_IGMP_QUERY : MGM_MLD_QUERY;
			if (below(4) != 0)
				fix_checksum(family, b, n);
			decode_hostile(family, b, n);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_round_trip_generated),
		cmocka_unit_test(test_v1v2_round_trip_generated),
		cmocka_unit_test(test_report_writer_max_sources_fit_one_report),
		cmocka_unit_test(test_report_writer_split_pieces_exact_bytes),
		cmocka_unit_test(test_report_writer_aux_data_and_many_records),
		cmocka_unit_test(test_report_writer_generated_record_sets),
		cmocka_unit_test(test_ip_header_round_trip_generated),
		cmocka_unit_test(test_mutated_messages_never_read_out_of_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
