/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Compatibility of the router engine with older hosts and routers: group compatibility modes
 * and their Older Host Present timers (RFC 3376 §7.3.2, RFC 3810 §8.3.2), and routers
 * configured as plain IGMPv2 (RFC 2236), IGMPv1 (RFC 1112) and MLDv1 (RFC 2710).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "router_sim.h"

#define GMI  260000
#define OHPI 260000 /* §8.13: RV x QI + QRI */

static const char *const v4[] = {"10.0.0.1"};
static const char *const v6[] = {"fe80::1"};

static struct mgm_router_group_info group(struct sim *s, const char *g)
{
	struct mgm_router_group_info gi;

	assert_int_equal(sim_group(s, 0, g, &gi), 0);
	return gi;
}

/* Group-specific queries router 0 sent for g; *with_sources counts those listing sources. */
static int group_queries(struct sim *s, const char *g, int *with_sources)
{
	int n = 0;

	*with_sources = 0;
	for (int k = 0; k < s->rt[0].nsent; k++) {
		const struct sim_sent *q = &s->rt[0].sent[k];

		if (!sim_query_for(s, q, g))
			continue;
		n++;
		if (q->m.num_sources)
			(*with_sources)++;
	}
	return n;
}

static void test_compat_v2_report_is_is_ex_and_starts_v2_host_timer(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	gi = group(s, "239.1.1.1");
	/* §7.3.2: IGMPv2 report -> IS_EX({}): EXCLUDE({}, {}), group timer GMI. */
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_int_equal(gi.num_sources, 0);
	assert_int_equal(gi.group_timer_ms, GMI);
	assert_int_equal(gi.compat_version, 2);
	assert_int_equal(gi.older_host_present_ms[2 - 1], OHPI);
	assert_int_equal(gi.older_host_present_ms[1 - 1], -1);
	{
		struct mgm_addr h = sim_addr("10.0.0.9");

		assert_true(mgm_addr_eq(&gi.last_reporter, &h));
	}
	assert_true(sim_fwd(s, 0, "239.1.1.1", "10.9.9.9"));
	assert_int_equal(s->rt[0].nfwd, 1);
	assert_true(s->rt[0].fwd[0].any_source);
	assert_int_equal(s->rt[0].fwd[0].to, MGM_FWD_FORWARD);
	sim_free(s);
}

static void test_compat_v1_report_starts_v1_host_timer(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.1");
	gi = group(s, "239.1.1.1");
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_int_equal(gi.compat_version, 1);
	assert_int_equal(gi.older_host_present_ms[1 - 1], OHPI);
	sim_free(s);
}

static void test_compat_v2_mode_ignores_block(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	/* ALLOW is read as it is in IGMPv2 mode: EXCLUDE({S}, {}). */
	sim_record(s, 0, "10.0.0.8", MGM_ALLOW_NEW_SOURCES, "239.1.1.1", "10.1.0.1", NULL);
	sim_clear(s);
	/* §7.3.2: in IGMPv2 mode BLOCK is ignored: no Q(G,S), no lowering. */
	sim_record(s, 0, "10.0.0.8", MGM_BLOCK_OLD_SOURCES, "239.1.1.1", "10.1.0.1", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_COMPAT_IGNORED), 1);
	assert_int_equal(s->rt[0].nsent, 0);
	assert_int_equal(sim_source_timer(s, 0, "239.1.1.1", "10.1.0.1"), GMI);
	sim_free(s);
}

static void test_compat_v2_mode_reads_to_ex_without_sources(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	int with_sources;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_clear(s);
	/* Without compatibility this is EXCLUDE + TO_EX({S}): S joins X with the group timer
	 * and Q(G,{S}) goes out (§6.4.2). As TO_EX({}) nothing of that happens. */
	sim_record(s, 0, "10.0.0.8", MGM_CHANGE_TO_EXCLUDE, "239.1.1.1", "10.1.0.1", NULL);
	assert_false(sim_has_source(s, 0, "239.1.1.1", "10.1.0.1"));
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 0);
	assert_true(sim_fwd(s, 0, "239.1.1.1", "10.1.0.1"));
	assert_int_equal(group(s, "239.1.1.1").group_timer_ms, GMI);
	sim_free(s);
}

static void test_compat_v1_mode_ignores_leave_and_to_in(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	int with_sources;

	(void)state;
	sim_start(s);
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.1");
	sim_clear(s);
	sim_leave(s, 0, "10.0.0.7", "239.1.1.1");
	sim_record(s, 0, "10.0.0.8", MGM_CHANGE_TO_INCLUDE, "239.1.1.1", NULL);
	sim_record(s, 0, "10.0.0.8", MGM_BLOCK_OLD_SOURCES, "239.1.1.1", "10.1.0.1", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_COMPAT_IGNORED), 3);
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 0);
	assert_int_equal(group(s, "239.1.1.1").group_timer_ms, GMI);
	sim_free(s);
}

static void test_compat_v2_leave_is_to_in_empty_with_last_member_queries(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	int with_sources;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_run(s, 5000);
	sim_clear(s);
	sim_leave(s, 0, "10.0.0.9", "239.1.1.1");
	/* TO_IN({}) in EXCLUDE: Q(G), group timer LMQT (§6.4.2, §6.6.3.1). */
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 1);
	assert_int_equal(with_sources, 0);
	assert_int_equal(s->rt[0].sent[0].m.max_resp_ms, 1000);
	assert_int_equal(group(s, "239.1.1.1").group_timer_ms, 2000);
	sim_run(s, 6000);
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 2);
	assert_int_equal(s->rt[0].sent[1].at, 6000);
	assert_true(sim_fwd(s, 0, "239.1.1.1", "10.1.0.1"));
	sim_run(s, 7000);
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 2);
	assert_false(sim_fwd(s, 0, "239.1.1.1", "10.1.0.1"));
	sim_free(s);
}

static void test_compat_older_host_timer_expiry_returns_to_v3(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	int with_sources;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_run(s, 200000);
	sim_record(s, 0, "10.0.0.8", MGM_MODE_IS_EXCLUDE, "239.1.1.1", NULL);
	sim_run(s, OHPI - 1);
	assert_int_equal(group(s, "239.1.1.1").compat_version, 2);
	sim_run(s, OHPI);
	assert_int_equal(group(s, "239.1.1.1").compat_version, 3);
	assert_int_equal(group(s, "239.1.1.1").older_host_present_ms[2 - 1], -1);
	/* Back in IGMPv3 mode TO_EX keeps its sources. */
	sim_clear(s);
	sim_record(s, 0, "10.0.0.8", MGM_CHANGE_TO_EXCLUDE, "239.1.1.1", "10.1.0.1", NULL);
	assert_true(sim_has_source(s, 0, "239.1.1.1", "10.1.0.1"));
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 1);
	assert_int_equal(with_sources, 1);
	sim_free(s);
}

static void test_compat_v1_then_v2_then_v3_as_timers_run_out(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.1");
	sim_run(s, 100000);
	sim_report_v2(s, 0, "10.0.0.8", "239.1.1.1");
	assert_int_equal(group(s, "239.1.1.1").compat_version, 1);
	sim_run(s, OHPI);
	assert_int_equal(group(s, "239.1.1.1").compat_version, 2);
	sim_run(s, 100000 + OHPI - 1);
	assert_int_equal(group(s, "239.1.1.1").compat_version, 2);
	sim_record(s, 0, "10.0.0.7", MGM_MODE_IS_EXCLUDE, "239.1.1.1", NULL);
	sim_run(s, 100000 + OHPI);
	assert_int_equal(group(s, "239.1.1.1").compat_version, 3);
	sim_free(s);
}

static void test_compat_mldv1_listener_on_mldv2_router(void **state)
{
	struct sim *s = sim_new(MGM_INET6, 1, v6, NULL);
	struct mgm_router_group_info gi;
	int with_sources;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "fe80::9", "ff0e::1");
	gi = group(s, "ff0e::1");
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_int_equal(gi.compat_version, 1);
	assert_int_equal(gi.older_host_present_ms[1 - 1], OHPI);
	sim_clear(s);
	/* RFC 3810 §8.3.2: BLOCK ignored, TO_EX without sources. */
	sim_record(s, 0, "fe80::8", MGM_BLOCK_OLD_SOURCES, "ff0e::1", "2001:db8::1", NULL);
	sim_record(s, 0, "fe80::8", MGM_CHANGE_TO_EXCLUDE, "ff0e::1", "2001:db8::1", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_COMPAT_IGNORED), 1);
	assert_false(sim_has_source(s, 0, "ff0e::1", "2001:db8::1"));
	/* Done -> TO_IN({}): Q(G) in MLDv2. */
	sim_leave(s, 0, "fe80::9", "ff0e::1");
	assert_int_equal(group_queries(s, "ff0e::1", &with_sources), 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 2);
	sim_free(s);
}

static void test_compat_igmpv2_router_follows_rfc2236(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, sim_version_2);
	int with_sources;

	(void)state;
	sim_start(s);
	assert_int_equal(s->rt[0].sent[0].m.version, 2);
	assert_int_equal(s->rt[0].sent[0].len, 8);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	assert_int_equal(group(s, "239.1.1.1").group_timer_ms, GMI);
	/* Its own version needs no Older Host Present timer. */
	assert_int_equal(group(s, "239.1.1.1").older_host_present_ms[2 - 1], -1);
	/* RFC 2236 routers do not know IGMPv3 reports. */
	sim_record(s, 0, "10.0.0.8", MGM_MODE_IS_EXCLUDE, "239.1.1.2", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_VERSION), 1);
	sim_run(s, 10000);
	sim_clear(s);
	/* Leave: group-specific queries (RFC 2236 §3) with Max Response Time LMQI. */
	sim_leave(s, 0, "10.0.0.9", "239.1.1.1");
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 2);
	assert_int_equal(s->rt[0].sent[0].m.max_resp_code, 10);
	/* A member answers: back to Members Present, the retransmission is cancelled
	 * (RFC 2236 §7: no S flag before IGMPv3). */
	sim_run(s, 10500);
	sim_report_v2(s, 0, "10.0.0.7", "239.1.1.1");
	sim_run(s, 20000);
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 1);
	assert_int_equal(group(s, "239.1.1.1").group_timer_ms, GMI - 9500);
	/* The last one leaves: two queries LMQI apart, then the group is gone. */
	sim_clear(s);
	sim_leave(s, 0, "10.0.0.7", "239.1.1.1");
	sim_run(s, 22000);
	assert_int_equal(group_queries(s, "239.1.1.1", &with_sources), 2);
	assert_int_equal(s->rt[0].sent[1].at, 21000);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &(struct mgm_router_group_info){0}),
			 MGM_E_NOENT);
	sim_free(s);
}

static void test_compat_igmpv2_router_with_v1_host_ignores_leaves(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, sim_version_2);

	(void)state;
	sim_start(s);
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.1");
	/* RFC 2236 §4: with a v1 host present, leaves are ignored. */
	assert_int_equal(group(s, "239.1.1.1").compat_version, 1);
	sim_leave(s, 0, "10.0.0.8", "239.1.1.1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_COMPAT_IGNORED), 1);
	sim_free(s);
}

static void test_compat_igmpv1_router_follows_rfc1112(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, sim_version_1);

	(void)state;
	sim_start(s);
	/* RFC 1112: queries carry no response time. */
	assert_int_equal(s->rt[0].sent[0].m.version, 1);
	assert_int_equal(s->rt[0].sent[0].m.max_resp_code, 0);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_leave(s, 0, "10.0.0.9", "239.1.1.1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_VERSION), 2);
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.2");
	assert_int_equal(group(s, "239.1.1.2").group_timer_ms, GMI);
	sim_clear(s);
	sim_run(s, GMI);
	/* Never a group-specific query, only the general ones at SQI and SQI + QI; the group
	 * goes with its timer. */
	assert_int_equal(s->rt[0].nsent, 2);
	for (int k = 0; k < s->rt[0].nsent; k++)
		assert_true(sim_is_general(&s->rt[0].sent[k]));
	assert_false(sim_fwd(s, 0, "239.1.1.2", "10.1.0.1"));
	sim_free(s);
}

static void test_compat_mldv1_router_follows_rfc2710(void **state)
{
	struct sim *s = sim_new(MGM_INET6, 1, v6, sim_version_1);
	int with_sources;

	(void)state;
	sim_start(s);
	assert_int_equal(s->rt[0].sent[0].m.version, 1);
	assert_int_equal(s->rt[0].sent[0].len, 24);
	sim_record(s, 0, "fe80::8", MGM_MODE_IS_EXCLUDE, "ff0e::2", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_VERSION), 1);
	sim_report_v2(s, 0, "fe80::9", "ff0e::1");
	sim_clear(s);
	sim_leave(s, 0, "fe80::9", "ff0e::1");
	assert_int_equal(group_queries(s, "ff0e::1", &with_sources), 1);
	assert_int_equal(s->rt[0].sent[0].len, 24);
	assert_int_equal(s->rt[0].sent[0].m.max_resp_ms, 1000);
	sim_run(s, 2000);
	assert_false(sim_fwd(s, 0, "ff0e::1", "2001:db8::1"));
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_v2_report_is_is_ex_and_starts_v2_host_timer),
		cmocka_unit_test(test_compat_v1_report_starts_v1_host_timer),
		cmocka_unit_test(test_compat_v2_mode_ignores_block),
		cmocka_unit_test(test_compat_v2_mode_reads_to_ex_without_sources),
		cmocka_unit_test(test_compat_v1_mode_ignores_leave_and_to_in),
		cmocka_unit_test(test_compat_v2_leave_is_to_in_empty_with_last_member_queries),
		cmocka_unit_test(test_compat_older_host_timer_expiry_returns_to_v3),
		cmocka_unit_test(test_compat_v1_then_v2_then_v3_as_timers_run_out),
		cmocka_unit_test(test_compat_mldv1_listener_on_mldv2_router),
		cmocka_unit_test(test_compat_igmpv2_router_follows_rfc2236),
		cmocka_unit_test(test_compat_igmpv2_router_with_v1_host_ignores_leaves),
		cmocka_unit_test(test_compat_igmpv1_router_follows_rfc1112),
		cmocka_unit_test(test_compat_mldv1_router_follows_rfc2710),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
