/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host's answers to queries: RFC 3376 §5.2's five scheduling rules as data rows, the
 * records each timer sends (current state built when it is sent; the group-and-source table),
 * reports split at the MTU; and compatibility, §7.2.1: Older Version Querier Present timers
 * switching a v3 host to v2 / v1 and back, IGMPv2 report suppression (RFC 2236 §3). Every row
 * runs for IGMPv3 and for its MLDv2 twin (RFC 3810 §6.2, §8.2) unless it is IGMP's alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_sim.h"

#define A (1u << 0)
#define B (1u << 1)
#define C (1u << 2)
#define D (1u << 3)

#define IN MGM_INCLUDE
#define EX MGM_EXCLUDE

#define MRT 10000 /* Max Resp Time of the queries */

static const uint8_t families[] = {MGM_INET, MGM_INET6};

static const char *fam_name(uint8_t f)
{
	return f == MGM_INET ? "IGMPv3" : "MLDv2";
}

/* The family's newest query version. */
static uint8_t top(uint8_t f)
{
	return f == MGM_INET ? 3 : 2;
}

/* A query whose delay the host will draw as `delay` ms. */
static void query_at(struct hsim *s, int gi, unsigned mask, uint32_t delay)
{
	s->fixed_random = true;
	s->random_value = delay;
	hsim_query(s, top(s->family), gi, MRT, mask);
	s->fixed_random = false;
}

/* ---- §5.2: the scheduling rules ---------------------------------------------------------- */

enum { GEN = 1, GRP, GS };

struct q {
	uint8_t kind;
	unsigned mask;
	uint32_t delay;
};

struct rule_row {
	const char *rfc;
	struct q q[2];
	int64_t general_ms, response_ms; /* after the queries; -1: none pending */
	uint32_t response_sources;
	const char *answers; /* G1 is INCLUDE {a,b,c} */
};

static const struct rule_row rule_rows[] = {
	{"§5.2 rule 2: a general query sets the interface timer",
	 {{GEN, 0, 3000}},
	 3000,
	 -1,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 2: a sooner general query replaces the pending one",
	 {{GEN, 0, 5000}, {GEN, 0, 2000}},
	 2000,
	 -1,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 1: a general answer pending sooner: nothing more",
	 {{GEN, 0, 2000}, {GEN, 0, 5000}},
	 2000,
	 -1,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 1: a general answer pending sooner covers a group query",
	 {{GEN, 0, 1000}, {GRP, 0, 5000}},
	 1000,
	 -1,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 1 does not apply: the general answer is later",
	 {{GEN, 0, 5000}, {GRP, 0, 1000}},
	 5000,
	 1000,
	 0,
	 "IS_IN G1{a,b,c} | IS_IN G1{a,b,c}"},
	{"§5.2 rule 3: a group-specific query sets the group timer",
	 {{GRP, 0, 3000}},
	 -1,
	 3000,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 3: a group-and-source query records its sources",
	 {{GS, C | D, 3000}},
	 -1,
	 3000,
	 2,
	 "IS_IN G1{c}"},
	{"§5.2 rule 4: pending sources cleared by a group query, the earlier time",
	 {{GS, C, 3000}, {GRP, 0, 5000}},
	 -1,
	 3000,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 4: a pending group answer stays whole, the earlier time",
	 {{GRP, 0, 5000}, {GS, A, 2000}},
	 -1,
	 2000,
	 0,
	 "IS_IN G1{a,b,c}"},
	{"§5.2 rule 5: the source list augmented, the earlier time",
	 {{GS, A, 4000}, {GS, D, 2000}},
	 -1,
	 2000,
	 2,
	 "IS_IN G1{a}"},
};

static void test_host_query_rules(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++)
		for (size_t i = 0; i < sizeof(rule_rows) / sizeof(rule_rows[0]); i++) {
			const struct rule_row *r = &rule_rows[i];
			struct hsim *s = hsim_new(families[f], NULL);
			struct mgm_addr g = hsim_group(s->family, 0);
			struct mgm_host_group_info gi;
			struct mgm_host_status st;
			const char *got;

			assert_int_equal(hsim_set(s, 1, 0, IN, A | B | C), 0);
			hsim_run(s, 10000);
			hsim_take(s);
			for (int k = 0; k < 2 && r->q[k].kind; k++)
				query_at(s, r->q[k].kind == GEN ? -1 : 0,
					 r->q[k].kind == GS ? r->q[k].mask : 0, r->q[k].delay);
			mgm_host_status(s->h, s->now, &st);
			assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
			if (st.general_response_ms != r->general_ms ||
			    gi.response_ms != r->response_ms ||
			    gi.response_sources != r->response_sources)
				fail_msg("%s (%s): general %lld group %lld sources %u", r->rfc,
					 fam_name(s->family), (long long)st.general_response_ms,
					 (long long)gi.response_ms, gi.response_sources);
			hsim_run(s, s->now + MRT + 1);
			got = hsim_take(s);
			if (strcmp(got, r->answers))
				fail_msg("%s (%s): sent \"%s\", want \"%s\"", r->rfc,
					 fam_name(s->family), got, r->answers);
			hsim_free(s);
		}
}

/* ---- §5.2: what a group timer sends ------------------------------------------------------ */

struct answer_row {
	const char *rfc;
	uint8_t mode;
	unsigned src;
	uint8_t kind; /* GRP or GS */
	unsigned query;
	const char *answer;
};

static const struct answer_row answer_rows[] = {
	{"§5.2 group-specific, INCLUDE: IS_IN of the state", IN, A | B, GRP, 0, "IS_IN G1{a,b}"},
	{"§5.2 group-specific, EXCLUDE: IS_EX of the state", EX, A, GRP, 0, "IS_EX G1{a}"},
	{"§5.2 group-and-source, INCLUDE (A): IS_IN (A*Q)", IN, A | B, GS, B | C, "IS_IN G1{b}"},
	{"§5.2 group-and-source, EXCLUDE (A): IS_IN (Q-A)", EX, A | B, GS, B | C, "IS_IN G1{c}"},
	{"§5.2 group-and-source, INCLUDE, nothing in common: no response", IN, A, GS, C, ""},
	{"§5.2 group-and-source, EXCLUDE, all excluded: no response", EX, A | B, GS, A, ""},
};

static void test_host_query_answers(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++)
		for (size_t i = 0; i < sizeof(answer_rows) / sizeof(answer_rows[0]); i++) {
			const struct answer_row *r = &answer_rows[i];
			struct hsim *s = hsim_new(families[f], NULL);
			const char *got;

			assert_int_equal(hsim_set(s, 1, 0, r->mode, r->src), 0);
			hsim_run(s, 10000);
			hsim_take(s);
			query_at(s, 0, r->kind == GS ? r->query : 0, 500);
			hsim_run(s, s->now + MRT + 1);
			got = hsim_take(s);
			if (strcmp(got, r->answer))
				fail_msg("%s (%s): sent \"%s\", want \"%s\"", r->rfc,
					 fam_name(s->family), got, r->answer);
			hsim_free(s);
		}
}

/* §5.2: current-state records are built when the timer fires, not when the query came. */
static void test_host_answer_built_at_send_time(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);

		assert_int_equal(hsim_set(s, 1, 0, IN, A), 0);
		hsim_run(s, 10000);
		hsim_take(s);
		query_at(s, 0, 0, 3000);
		hsim_run(s, s->now + 1000);
		assert_int_equal(hsim_set(s, 1, 0, IN, A | B), 0);
		assert_string_equal(hsim_take(s), "ALLOW G1{b}");
		hsim_run(s, s->now + 2000);
		assert_string_equal(hsim_take(s), "ALLOW G1{b} | IS_IN G1{a,b}");
		hsim_free(s);
	}
}

/* No reception state, nothing to answer: a query for another group schedules nothing, and a
 * group left before its answer is due sends none. */
static void test_host_query_for_group_without_state(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);
		struct mgm_addr g2 = hsim_group(s->family, 1);
		struct mgm_host_group_info gi;

		assert_int_equal(hsim_join(s, 1, 0), 0);
		hsim_run(s, 10000);
		hsim_take(s);
		query_at(s, 1, 0, 500);
		assert_int_equal(mgm_host_group(s->h, s->now, &g2, &gi), MGM_E_NOENT);
		query_at(s, 0, 0, 3000);
		assert_int_equal(hsim_leave(s, 1, 0), 0);
		hsim_run(s, s->now + MRT + 1);
		assert_string_equal(hsim_take(s), "TO_IN G1{} | TO_IN G1{}");
		hsim_free(s);
	}
}

/* A general answer: one current-state record per group with reception state. */
static void test_host_general_answer_every_group(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);
		const char *got;

		assert_int_equal(hsim_set(s, 1, 0, EX, A), 0);
		assert_int_equal(hsim_set(s, 1, 1, IN, B | C), 0);
		assert_int_equal(hsim_set(s, 1, 2, IN, A), 0);
		assert_int_equal(hsim_set(s, 1, 2, IN, 0), 0);
		hsim_run(s, 10000);
		hsim_take(s);
		query_at(s, -1, 0, 700);
		hsim_run(s, s->now + MRT);
		got = hsim_take(s);
		/* One report; the order of records is the engine's. */
		if (strcmp(got, "IS_EX G1{a} IS_IN G2{b,c}") &&
		    strcmp(got, "IS_IN G2{b,c} IS_EX G1{a}"))
			fail_msg("%s: sent \"%s\"", fam_name(s->family), got);
		hsim_free(s);
	}
}

/* ---- §4.2.16 / RFC 3810 §5.2.15: reports split at the MTU -------------------------------- */

static struct mgm_addr nth(uint8_t family, int kind, int i)
{
	struct mgm_addr a = kind ? hsim_source(family, 0) : hsim_group(family, 0);

	a.octets[family == MGM_INET ? 2 : 14] = (uint8_t)(i >> 8);
	a.octets[family == MGM_INET ? 3 : 15] = (uint8_t)(i + 1);
	return a;
}

static void min_mtu(struct mgm_host_config *cfg)
{
	cfg->mtu = cfg->family == MGM_INET ? 576 : 1280;
}

static void test_host_reports_split_at_mtu(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		uint8_t fam = families[f];
		struct hsim *s = hsim_new(fam, min_mtu);
		struct mgm_addr src[200], g = nth(fam, 0, 0);
		struct mgm_record_iter it;
		struct mgm_record rec;
		unsigned records = 0, sources = 0;
		int first;

		for (int i = 0; i < 200; i++)
			src[i] = nth(fam, 1, i);
		/* 200 sources in one INCLUDE group, 150 groups in EXCLUDE {}. */
		assert_int_equal(mgm_host_set_filter(s->h, s->now, 1, &g, IN, src, 200), 0);
		for (int i = 1; i <= 150; i++) {
			struct mgm_addr gi = nth(fam, 0, i);

			assert_int_equal(mgm_host_join(s->h, s->now, 1, &gi), 0);
		}
		hsim_run(s, 10000);
		first = s->nsent;
		s->fixed_random = true;
		s->random_value = 100;
		hsim_query(s, top(fam), -1, MRT, 0);
		hsim_run(s, s->now + MRT);
		/* Every report within the MTU (host_sim checks) and more than one needed. */
		assert_true(s->nsent - first >= 2);
		for (int k = first; k < s->nsent; k++) {
			mgm_records_begin(&s->sent[k].m, &it);
			while (mgm_records_next(&it, &rec)) {
				records++;
				if (rec.type == MGM_MODE_IS_INCLUDE)
					sources += rec.num_sources;
				else
					assert_int_equal(rec.type, MGM_MODE_IS_EXCLUDE);
			}
		}
		/* The INCLUDE record split over several reports, none lost. */
		assert_int_equal(sources, 200);
		assert_true(records >= 151);
		s->taken = s->nsent;
		hsim_free(s);
	}
}

/* ---- §7.2.1 / RFC 3810 §8.2.1: compatibility --------------------------------------------- */

static void test_host_compat_v3_hears_v2_query(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, NULL);
	struct mgm_host_status st;

	(void)state;
	assert_int_equal(hsim_join(s, 1, 0), 0);
	hsim_run(s, 10000);
	hsim_take(s);
	hsim_query(s, 2, -1, MRT, 0);
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.operating_version, 2);
	/* §8.12: RV x QI + the query's Max Resp Time = 2 x 125 s + 10 s. */
	assert_int_equal(st.older_querier_present_ms[1], 260000);
	assert_int_equal(st.older_querier_present_ms[0], -1);
	hsim_run(s, s->now + MRT);
	assert_string_equal(hsim_take(s), "R2 G1");
	/* Joins and leaves as an IGMPv2 host; it was the last reporter of G1. */
	assert_int_equal(hsim_join(s, 1, 1), 0);
	assert_int_equal(hsim_leave(s, 1, 0), 0);
	hsim_run(s, s->now + 10000); /* the repeat within 10 s, RFC 2236 §8.10 */
	assert_string_equal(hsim_take(s), "R2 G2 | L G1 | R2 G2");
	/* The timer runs out: IGMPv3 again. */
	hsim_run(s, 10000 + 260000);
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.operating_version, 3);
	assert_int_equal(st.older_querier_present_ms[1], -1);
	assert_int_equal(hsim_join(s, 1, 2), 0);
	hsim_run(s, s->now + 5000);
	assert_string_equal(hsim_take(s), "TO_EX G3{} | TO_EX G3{}");
	hsim_free(s);
}

static void test_host_compat_v1_then_v2(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, NULL);
	struct mgm_host_status st;

	(void)state;
	/* IGMPv1 query (Max Resp Time 10 s), then an IGMPv2 one later: v1 while v1's timer
	 * runs (§7.2.1), then v2. */
	hsim_query(s, 1, -1, 0, 0);
	hsim_run(s, 100000);
	hsim_query(s, 2, -1, 1000, 0);
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.operating_version, 1);
	assert_int_equal(hsim_join(s, 1, 0), 0);
	assert_int_equal(hsim_leave(s, 1, 0), 0);
	hsim_run(s, 100000 + 5000);
	assert_string_equal(hsim_take(s), "R1 G1");
	hsim_run(s, 260001);
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.operating_version, 2);
	hsim_run(s, 100000 + 251001);
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.operating_version, 3);
	hsim_free(s);
}

/* §7.2.1: "a host SHOULD cancel all its pending response and retransmission timers". */
static void test_host_compat_switch_cancels_pending(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);
		struct mgm_addr g = hsim_group(s->family, 0);
		struct mgm_host_group_info gi;
		struct mgm_host_status st;

		assert_int_equal(hsim_set(s, 1, 0, IN, A), 0);
		hsim_run(s, 10000);
		query_at(s, -1, 0, 5000);
		assert_int_equal(hsim_set(s, 1, 0, EX, 0), 0);
		hsim_take(s);
		hsim_query(s, 1, 0, 10000, 0);
		mgm_host_status(s->h, s->now, &st);
		assert_int_equal(st.operating_version, 1);
		assert_int_equal(st.general_response_ms, -1);
		assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
		assert_int_equal(gi.mode_retransmissions, 0);
		assert_int_equal(gi.source_retransmissions, 0);
		/* The v1 group query is answered as v1 (MLDv1) would. */
		assert_true(gi.response_ms >= 0);
		hsim_run(s, s->now + 10001);
		assert_string_equal(hsim_take(s), "R1 G1");
		hsim_free(s);
	}
}

static void v2(struct mgm_host_config *cfg)
{
	cfg->version = 2;
}

/* A host configured for IGMPv2 reads an IGMPv3 query as the v2 query it contains. */
static void test_host_v2_answers_v3_query(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, v2);
	struct mgm_host_status st;

	(void)state;
	assert_int_equal(hsim_set(s, 1, 0, IN, A), 0);
	hsim_run(s, 10000);
	hsim_take(s);
	hsim_query(s, 3, 0, MRT, B);
	hsim_run(s, s->now + MRT + 1);
	assert_string_equal(hsim_take(s), "R2 G1");
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.operating_version, 2);
	hsim_free(s);
}

/* RFC 2236 §3 / RFC 2710 §4: another host's report cancels our pending one; a v3 host does not
 * suppress (§5.2). */
static void test_host_report_suppression(void **state)
{
	static const struct {
		uint8_t family, query_version;
		const char *answer;
		uint64_t suppressed;
	} rows[] = {
		{MGM_INET, 2, "", 1},
		{MGM_INET, 1, "", 1},
		{MGM_INET6, 1, "", 1},
		{MGM_INET, 3, "IS_EX G1{}", 0},
		{MGM_INET6, 2, "IS_EX G1{}", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct hsim *s = hsim_new(rows[i].family, NULL);
		struct mgm_host_counters c;

		assert_int_equal(hsim_join(s, 1, 0), 0);
		hsim_run(s, 10000);
		hsim_take(s);
		hsim_query(s, rows[i].query_version, -1, MRT, 0);
		hsim_other_report(s, 1, 0);
		hsim_run(s, s->now + MRT + 1);
		assert_string_equal(hsim_take(s), rows[i].answer);
		mgm_host_counters(s->h, &c);
		assert_int_equal(c.suppressed, rows[i].suppressed);
		assert_int_equal(c.rx_reports_heard, 1);
		hsim_free(s);
	}
}

/* RFC 2236 §3: a running timer is reset only by a query asking for a quicker answer. */
static void test_host_v2_timer_reset_only_when_sooner(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, v2);
	struct mgm_addr g = hsim_group(MGM_INET, 0);
	struct mgm_host_group_info gi;

	(void)state;
	assert_int_equal(hsim_join(s, 1, 0), 0);
	hsim_run(s, 10000);
	s->fixed_random = true;
	s->random_value = 4000;
	hsim_query(s, 2, -1, MRT, 0);
	s->random_value = 500;
	hsim_query(s, 2, 0, 5000, 0); /* 5 s >= the 4 s left: kept */
	assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
	assert_int_equal(gi.response_ms, 4000);
	hsim_query(s, 2, 0, 1000, 0); /* 1 s < 4 s: reset to a draw within 1 s */
	assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
	assert_int_equal(gi.response_ms, 500);
	hsim_free(s);
}

/* RFC 3810 §5: the receive checks; our own looped-back messages. */
static void test_host_input_checks(void **state)
{
	struct hsim *s = hsim_new(MGM_INET6, NULL);
	struct mgm_addr g = hsim_group(MGM_INET6, 0), src, dst;
	struct mgm_query q = {.version = 2, .max_resp_code = 1000};
	struct mgm_host_counters c;
	struct mgm_ip_info ip;
	uint8_t buf[128];
	size_t len;

	(void)state;
	assert_int_equal(hsim_join(s, 1, 0), 0);
	mgm_addr_any(&q.group, MGM_INET6);
	mgm_addr_all_systems(&dst, MGM_INET6);
	assert_int_equal(mgm_addr_parse("2001:db8::99", &src), 0);
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, &src, &dst, buf, sizeof(buf), &len), 0);
	ip = (struct mgm_ip_info){.family = MGM_INET6,
				  .src = src,
				  .dst = dst,
				  .hop_limit = 1,
				  .router_alert = true,
				  .payload = buf,
				  .payload_len = len};
	assert_int_equal(mgm_host_input(s->h, s->now, &ip), 0);
	ip.src = s->querier;
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, &ip.src, &dst, buf, sizeof(buf), &len), 0);
	ip.hop_limit = 2;
	assert_int_equal(mgm_host_input(s->h, s->now, &ip), 0);
	ip.hop_limit = 1;
	ip.src = s->addr;
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, &ip.src, &dst, buf, sizeof(buf), &len), 0);
	assert_int_equal(mgm_host_input(s->h, s->now, &ip), 0);
	buf[len - 1] ^= 1;
	assert_int_equal(mgm_host_input(s->h, s->now, &ip), MGM_E_CHECKSUM);
	mgm_host_counters(s->h, &c);
	assert_int_equal(c.drops[MGM_HOST_DROP_SOURCE_NOT_LINK_LOCAL], 1);
	assert_int_equal(c.drops[MGM_HOST_DROP_BAD_TTL], 1);
	assert_int_equal(c.drops[MGM_HOST_DROP_OWN_MESSAGE], 1);
	assert_int_equal(c.drops[MGM_HOST_DROP_MALFORMED], 1);
	assert_int_equal(c.rx_queries[1], 0);
	(void)g;
	hsim_free(s);
}

static void three_sources(struct mgm_host_config *cfg)
{
	cfg->max_sources_per_group = 3;
}

/* The sources recorded for a pending Group-and-Source-Specific answer are bounded by
 * max_sources_per_group: past it the list is dropped (counted) and the whole group's state is
 * the answer, as for a Group-Specific Query; further source queries do not grow it again. */
static void test_host_query_sources_bounded(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], three_sources);
		struct mgm_addr g = hsim_group(s->family, 0);
		struct mgm_host_group_info gi;
		struct mgm_host_counters c;

		assert_int_equal(hsim_set(s, 1, 0, IN, A | B), 0);
		hsim_run(s, 10000);
		hsim_take(s);
		query_at(s, 0, C, 5000);
		assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
		assert_int_equal(gi.response_sources, 1);
		query_at(s, 0, A | B | D, 5000);
		assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
		assert_int_equal(gi.response_sources, 0);
		mgm_host_counters(s->h, &c);
		assert_int_equal(c.drops[MGM_HOST_DROP_QUERY_SOURCES], 1);
		query_at(s, 0, A | B | C | D, 5000);
		assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
		assert_int_equal(gi.response_sources, 0);
		/* One source query alone larger than the limit: the same at once. */
		hsim_run(s, s->now + MRT + 1);
		assert_string_equal(hsim_take(s), "IS_IN G1{a,b}");
		query_at(s, 0, A | B | C | D, 2000);
		assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
		assert_int_equal(gi.response_sources, 0);
		mgm_host_counters(s->h, &c);
		assert_int_equal(c.drops[MGM_HOST_DROP_QUERY_SOURCES], 2);
		hsim_run(s, s->now + MRT + 1);
		assert_string_equal(hsim_take(s), "IS_IN G1{a,b}");
		assert_string_equal(mgm_host_drop_name(MGM_HOST_DROP_QUERY_SOURCES),
				    "query_sources");
		hsim_free(s);
	}
}

/* An IGMPv2 host (configured so, or in compatibility mode) reads a newer query's Max Resp Code
 * as an IGMPv2 host does, linearly: code 0xFF is 25.5 s, not 53 min; and a query heard later
 * is answered within its own Max Resp Time (it was deferred to the 53 min point once). */
static void test_host_v2_reads_v3_code_linearly(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, v2);
	struct mgm_host_group_info gi;
	struct mgm_addr g = hsim_group(MGM_INET, 0);
	int64_t t0;

	(void)state;
	assert_int_equal(hsim_join(s, 1, 0), 0);
	hsim_run(s, 20000);
	hsim_take(s);
	t0 = s->now;
	hsim_query(s, 3, -1, 3174400, 0); /* code 0xFF */
	assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
	assert_true(gi.response_ms >= 0 && gi.response_ms <= 25500);
	hsim_run(s, t0 + 25501);
	assert_string_equal(hsim_take(s), "R2 G1");
	hsim_run(s, t0 + 30000);
	hsim_query(s, 2, -1, 1000, 0);
	hsim_run(s, t0 + 31001);
	assert_string_equal(hsim_take(s), "R2 G1");
	hsim_free(s);
}

/* ---- general_answer_interval_ms: a flood of General Queries ------------------------------ */

static void no_interval(struct mgm_host_config *cfg)
{
	cfg->general_answer_interval_ms = 0;
}

static void v2_no_interval(struct mgm_host_config *cfg)
{
	cfg->version = 2;
	cfg->general_answer_interval_ms = 0;
}

/* Queries every 10 ms for 3 s (gi -1: General Queries, else of group gi), Max Resp Time mrt,
 * in the given version. Returns the reports sent for them; *gap the shortest time between two
 * reports to one destination (a v3 answer's reports share theirs; an IGMPv2 report goes to its
 * group), INT64_MAX with fewer than two. */
static int flood(struct hsim *s, uint8_t version, int gi, uint32_t mrt, int64_t *gap)
{
	int64_t t0 = s->now;
	int n0 = s->nsent;

	for (int64_t t = t0; t < t0 + 3000; t += 10) {
		hsim_run(s, t);
		hsim_query(s, version, gi, mrt, 0);
	}
	hsim_run(s, t0 + 3000 + 1100 + mrt);
	*gap = INT64_MAX;
	for (int i = n0; i < s->nsent; i++)
		for (int j = n0; j < i; j++)
			if (mgm_addr_eq(&s->sent[i].dst, &s->sent[j].dst) &&
			    s->sent[i].at - s->sent[j].at < *gap)
				*gap = s->sent[i].at - s->sent[j].at;
	return s->nsent - n0;
}

/* With the default interval (1 s), 300 General Queries in 3 s with the smallest Max Resp Time
 * get at most one answer a second; the queries within a second of an answer are counted; a query
 * after the flood is answered within its Max Resp Time as usual. With the interval 0, the flood
 * is answered as §5.2 alone says: tens of times. */
static void test_host_general_answer_interval(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL), *r;
		struct mgm_host_counters c;
		int64_t gap, q_at;
		const char *got;
		int n;

		assert_int_equal(s->cfg.general_answer_interval_ms, 1000);
		for (int gi = 0; gi < 3; gi++)
			assert_int_equal(hsim_join(s, 1, gi), 0);
		hsim_run(s, 10000);
		hsim_take(s);
		n = flood(s, top(s->family), -1, 0, &gap);
		hsim_take(s);
		/* One report holds the three groups: answers at 0, 1000, 2000 and 3000 ms. */
		if (n < 3 || n > 4 || gap < 1000)
			fail_msg("%s: %d answers to 300 General Queries in 3 s, %lld ms apart",
				 fam_name(s->family), n, (long long)gap);
		mgm_host_counters(s->h, &c);
		assert_true(c.general_deferred >= 290);
		hsim_run(s, s->now + 2000);
		q_at = s->now;
		query_at(s, -1, 0, 700);
		hsim_run(s, s->now + MRT + 1);
		got = hsim_take(s);
		assert_non_null(strstr(got, "IS_EX G1{}"));
		assert_non_null(strstr(got, "IS_EX G2{}"));
		assert_non_null(strstr(got, "IS_EX G3{}"));
		assert_int_equal(s->sent[s->nsent - 1].at, q_at + 700);
		hsim_free(s);

		r = hsim_new(families[f], no_interval);
		for (int gi = 0; gi < 3; gi++)
			assert_int_equal(hsim_join(r, 1, gi), 0);
		hsim_run(r, 10000);
		hsim_take(r);
		n = flood(r, top(r->family), -1, 0, &gap);
		/* (The smallest IGMPv3 Max Resp Time encodable is 100 ms: answers come at random
		 * within it, and a query arriving before one is sent is covered by it, rule 1.) */
		if (n < 25)
			fail_msg("%s, interval 0: only %d answers to 300 General Queries",
				 fam_name(r->family), n);
		hsim_free(r);
	}
}

/* Group-Specific Queries for one group every 10 ms for 3 s: at most one answer per group per
 * 250 ms (a quarter of the default interval), counted; queries a second apart (a querier's
 * last-member queries) are each answered at their own time; with the interval 0, tens. */
static void test_host_group_answer_interval(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL),
			    *r = hsim_new(families[f], no_interval);
		struct mgm_host_counters c;
		int64_t gap;
		int n, m;

		assert_int_equal(hsim_set(s, 1, 0, IN, A | B), 0);
		assert_int_equal(hsim_set(r, 1, 0, IN, A | B), 0);
		hsim_run(s, 10000);
		hsim_run(r, 10000);
		hsim_take(s);
		hsim_take(r);
		n = flood(s, top(s->family), 0, 0, &gap);
		if (n < 3 || n > 13 || gap < 250)
			fail_msg("%s: %d answers to 300 queries of one group in 3 s, %lld ms apart",
				 fam_name(s->family), n, (long long)gap);
		m = flood(r, top(r->family), 0, 0, &gap);
		if (m < 25)
			fail_msg("%s, interval 0: only %d answers", fam_name(s->family), m);
		mgm_host_counters(s->h, &c);
		assert_true(c.group_deferred > 0);
		/* Last-member queries, a second apart: each answered at its own draw. */
		hsim_take(s);
		for (int k = 0; k < 2; k++) {
			int64_t q = s->now;

			query_at(s, 0, 0, 100);
			hsim_run(s, q + 1000);
			assert_string_equal(hsim_take(s), "IS_IN G1{a,b}");
			assert_int_equal(s->sent[s->nsent - 1].at, q + 100);
		}
		hsim_free(s);
		hsim_free(r);
	}
}

/* The same for an IGMPv2 host (one report per group and query): each group is reported about
 * once a second; with the interval 0, every Max Resp Time. */
static void test_host_general_answer_interval_v2(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, v2), *r = hsim_new(MGM_INET, v2_no_interval);
	int64_t gap, gap0;
	int n, m;

	(void)state;
	for (int gi = 0; gi < 2; gi++) {
		assert_int_equal(hsim_join(s, 1, gi), 0);
		assert_int_equal(hsim_join(r, 1, gi), 0);
	}
	hsim_run(s, 20000);
	hsim_run(r, 20000);
	hsim_take(s);
	hsim_take(r);
	n = flood(s, 2, -1, 100, &gap);
	m = flood(r, 2, -1, 100, &gap0);
	/* A round of answers within 100 ms of the queries at 0, 1000, 2000 and 3000 ms, two
	 * groups each; a group's reports at least a second apart less the Max Resp Time. Without
	 * the interval: a round per Max Resp Time, 30 in 3 s. */
	if (n < 6 || n > 8 || gap < 900)
		fail_msg(
			"IGMPv2, interval 1 s: %d reports for 2 groups in 3 s of queries, a group's "
			"%lld ms apart",
			n, (long long)gap);
	if (m < 50)
		fail_msg("IGMPv2, interval 0: only %d reports for 2 groups in 3 s of queries", m);
	hsim_free(s);
	hsim_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_query_rules),
		cmocka_unit_test(test_host_query_answers),
		cmocka_unit_test(test_host_answer_built_at_send_time),
		cmocka_unit_test(test_host_query_for_group_without_state),
		cmocka_unit_test(test_host_general_answer_every_group),
		cmocka_unit_test(test_host_reports_split_at_mtu),
		cmocka_unit_test(test_host_compat_v3_hears_v2_query),
		cmocka_unit_test(test_host_compat_v1_then_v2),
		cmocka_unit_test(test_host_compat_switch_cancels_pending),
		cmocka_unit_test(test_host_v2_answers_v3_query),
		cmocka_unit_test(test_host_report_suppression),
		cmocka_unit_test(test_host_v2_timer_reset_only_when_sooner),
		cmocka_unit_test(test_host_input_checks),
		cmocka_unit_test(test_host_query_sources_bounded),
		cmocka_unit_test(test_host_v2_reads_v3_code_linearly),
		cmocka_unit_test(test_host_general_answer_interval),
		cmocka_unit_test(test_host_general_answer_interval_v2),
		cmocka_unit_test(test_host_group_answer_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
