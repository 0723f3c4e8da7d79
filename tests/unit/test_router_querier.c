/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The querier role of the router engine, with two and three routers on one simulated link:
 * startup queries (RFC 3376 §8.6, §8.7), election on the lowest address (§6.6.2, RFC 3810
 * §7.6.2), the Other Querier Present timer and takeover, QRV / QQI adoption (§4.1.6, §4.1.7),
 * older-version queriers (§7.3.1) and the timer lowering of received queries (§6.6.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "router_sim.h"

#define GMI  260000
#define OQPI 255000 /* RV 2 x QI 125 s + QRI 10 s / 2 */
#define SQI  31250

static struct mgm_router_status status(const struct sim *s, int i)
{
	struct mgm_router_status st;

	mgm_router_status(s->rt[i].r, s->now, &st);
	return st;
}

/* Times of the general queries router i sent. */
static int general_times(const struct sim *s, int i, int64_t *t, int max)
{
	int n = 0;

	for (int k = 0; k < s->rt[i].nsent && n < max; k++)
		if (sim_is_general(&s->rt[i].sent[k]))
			t[n++] = s->rt[i].sent[k].at;
	return n;
}

static void test_querier_sends_startup_queries_then_one_per_query_interval(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_addr all_systems;
	const struct sim_sent *q;
	int64_t t[8];

	(void)state;
	mgm_addr_all_systems(&all_systems, MGM_INET);
	sim_start(s);
	sim_run(s, 400000);
	/* §8.7: [Startup Query Count] = RV = 2 queries [Startup Query Interval] = QI / 4 apart,
	 * then every QI. */
	assert_int_equal(general_times(s, 0, t, 8), 4);
	assert_int_equal(t[0], 0);
	assert_int_equal(t[1], SQI);
	assert_int_equal(t[2], SQI + 125000);
	assert_int_equal(t[3], SQI + 250000);
	q = &s->rt[0].sent[0];
	assert_int_equal(q->m.version, 3);
	/* §4.1.12: general queries go to the all-systems group 224.0.0.1. */
	assert_true(mgm_addr_eq(&q->dst, &all_systems));
	assert_int_equal(q->m.max_resp_ms, 10000);
	assert_int_equal(q->m.qrv, 2);
	assert_int_equal(q->m.qqi, 125);
	assert_false(q->m.suppress);
	assert_true(status(s, 0).querier);
	sim_free(s);
}

static void startup_four_fast(struct mgm_router_config *c)
{
	c->startup_query_count = 4;
	c->startup_query_interval_ms = 5000;
}

static void test_querier_startup_count_and_interval_follow_the_configuration(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, startup_four_fast);
	int64_t t[8];

	(void)state;
	sim_start(s);
	sim_run(s, 150000);
	assert_int_equal(general_times(s, 0, t, 8), 5);
	assert_int_equal(t[0], 0);
	assert_int_equal(t[1], 5000);
	assert_int_equal(t[2], 10000);
	assert_int_equal(t[3], 15000);
	assert_int_equal(t[4], 140000);
	sim_free(s);
}

static void robustness_3(struct mgm_router_config *c)
{
	c->robustness = 3;
}

/* §8.6, §8.7, §8.9: the startup query interval, startup query count and last member query
 * count default to QI / 4 and RV. Left at 0 by mgm_router_config_defaults(), they follow a
 * robustness set afterwards (and a reconfigured one) instead of staying at 2. */
static void test_querier_derived_defaults_follow_robustness_set_later(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, robustness_3);
	struct mgm_router_config cfg = s->rt[0].cfg;
	struct mgm_router_status st;
	int64_t t[8];

	(void)state;
	sim_start(s);
	st = status(s, 0);
	assert_int_equal(st.startup_query_count, 3);
	assert_int_equal(st.startup_query_interval_ms, SQI);
	assert_int_equal(st.last_member_query_count, 3);
	sim_run(s, 2 * SQI + 1);
	assert_int_equal(general_times(s, 0, t, 8), 3);
	assert_int_equal(t[2], 2 * SQI);
	/* Three Q(G) for a leave: LMQC = RV = 3. */
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_clear(s);
	sim_leave(s, 0, "10.0.0.9", "239.1.1.1");
	sim_run(s, s->now + 10000);
	assert_int_equal(sim_queries(&s->rt[0]), 3);
	/* A new QI and RV carry over too; explicit values stay. */
	cfg.robustness = 4;
	cfg.query_interval_ms = 60000;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, s->now, &cfg, NULL, 0), 0);
	st = status(s, 0);
	assert_int_equal(st.startup_query_count, 4);
	assert_int_equal(st.startup_query_interval_ms, 15000);
	assert_int_equal(st.last_member_query_count, 4);
	cfg.last_member_query_count = 2;
	cfg.startup_query_interval_ms = 7000;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, s->now, &cfg, NULL, 0), 0);
	st = status(s, 0);
	assert_int_equal(st.startup_query_interval_ms, 7000);
	assert_int_equal(st.last_member_query_count, 2);
	sim_free(s);
}

static void test_querier_election_two_routers_lowest_address_wins(void **state)
{
	static const char *const addr[] = {"10.0.0.2", "10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 2, addr, NULL);
	struct mgm_router_status st;
	struct mgm_router_counters c;
	int64_t t[8];

	(void)state;
	sim_start(s);
	sim_run(s, 300000);
	/* Both queried at start; .1's query made .2 yield (§6.6.2). */
	assert_int_equal(general_times(s, 0, t, 8), 1);
	assert_int_equal(general_times(s, 1, t, 8), 4);
	st = status(s, 0);
	assert_false(st.querier);
	assert_true(mgm_addr_eq(&st.querier_address, &s->rt[1].addr));
	/* The querier's last query was at SQI + 2 QI. */
	assert_int_equal(st.other_querier_present_ms, SQI + 250000 + OQPI - 300000);
	assert_int_equal(st.next_general_query_ms, -1);
	mgm_router_counters(s->rt[0].r, &c);
	assert_int_equal(c.querier_lost, 1);
	st = status(s, 1);
	assert_true(st.querier);
	assert_true(mgm_addr_eq(&st.querier_address, &s->rt[1].addr));
	sim_free(s);
}

static void test_querier_election_three_routers_one_querier(void **state)
{
	static const char *const addr[] = {"10.0.0.3", "10.0.0.1", "10.0.0.2"};
	struct sim *s = sim_new(MGM_INET, 3, addr, NULL);
	int64_t t[8];

	(void)state;
	sim_start(s);
	sim_clear(s);
	sim_run(s, 1000000);
	assert_int_equal(general_times(s, 0, t, 8), 0);
	assert_int_equal(general_times(s, 2, t, 8), 0);
	assert_true(general_times(s, 1, t, 8) >= 7);
	assert_false(status(s, 0).querier);
	assert_true(status(s, 1).querier);
	assert_false(status(s, 2).querier);
	sim_free(s);
}

static void test_querier_takeover_when_other_querier_present_expires(void **state)
{
	/* rt[1] = .3 runs its timers before rt[2] = .2 in the same millisecond. */
	static const char *const addr[] = {"10.0.0.1", "10.0.0.3", "10.0.0.2"};
	struct sim *s = sim_new(MGM_INET, 3, addr, NULL);
	struct mgm_router_counters c;
	int64_t t[8];

	(void)state;
	sim_start(s);
	sim_run(s, 10000);
	assert_true(status(s, 0).querier);
	/* The querier goes away after its first startup query (t = 0). */
	mgm_router_stop(s->rt[0].r, s->now);
	sim_clear(s);
	sim_run(s, OQPI - 1);
	assert_int_equal(general_times(s, 1, t, 8), 0);
	assert_int_equal(general_times(s, 2, t, 8), 0);
	assert_false(status(s, 2).querier);
	sim_run(s, OQPI + 1000);
	/* Both Other Querier Present timers ran out at once: both query, then the lower
	 * address keeps the role. */
	assert_int_equal(general_times(s, 1, t, 8), 1);
	assert_int_equal(t[0], OQPI);
	assert_int_equal(general_times(s, 2, t, 8), 1);
	assert_int_equal(t[0], OQPI);
	assert_false(status(s, 1).querier);
	assert_true(status(s, 2).querier);
	mgm_router_counters(s->rt[2].r, &c);
	assert_int_equal(c.querier_elected, 2); /* at start, and now */
	sim_clear(s);
	sim_run(s, OQPI + 130000);
	/* The new querier queries every QI (no startup burst on takeover). */
	assert_int_equal(general_times(s, 2, t, 8), 1);
	assert_int_equal(t[0], OQPI + 125000);
	assert_int_equal(general_times(s, 1, t, 8), 0);
	sim_free(s);
}

static void test_querier_mld_election_compares_link_local_addresses(void **state)
{
	static const char *const addr[] = {"fe80::2", "fe80::1:0"};
	struct sim *s = sim_new(MGM_INET6, 2, addr, NULL);

	(void)state;
	sim_start(s);
	sim_run(s, 200000);
	assert_false(status(s, 1).querier);
	assert_true(status(s, 0).querier);
	sim_free(s);
}

static void loose(struct mgm_router_config *c)
{
	c->ip_policy = MGM_IP_POLICY_LOOSE;
}

/*
 * RFC 3810 §7.6.2: "lower" compares the interface IDs, the last 64 bits. A query from outside
 * fe80::/64 is no valid link-local source (§5.1.14, RFC 4291 §2.5.6): dropped, no election.
 */
static void test_querier_mld_election_compares_interface_ids(void **state)
{
	static const char *const addr[] = {"fe80::10"};
	struct sim *s = sim_new(MGM_INET6, 1, addr, NULL);
	struct mgm_addr odd = sim_addr("fe80:0:0:1::10"), global = sim_addr("2001:db8::1");
	struct mgm_addr q = sim_addr("fe80::5");
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	/* fe80:0:0:1::5 would win on its interface ID (5 < 0x10), but is not in fe80::/64. */
	sim_query(s, 0, "fe80:0:0:1::5", 2, NULL, false, 2, 125, 10000, NULL, 0);
	assert_true(status(s, 0).querier);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_NOT_LINK_LOCAL), 1);
	/* A higher interface ID does not win, a lower one does. */
	sim_query(s, 0, "fe80::11", 2, NULL, false, 2, 125, 10000, NULL, 0);
	assert_true(status(s, 0).querier);
	sim_query(s, 0, "fe80::5", 2, NULL, false, 2, 125, 10000, NULL, 0);
	st = status(s, 0);
	assert_false(st.querier);
	assert_true(mgm_addr_eq(&st.querier_address, &q));
	/* The router's own address must be a valid link-local one too. */
	assert_int_equal(mgm_router_set_address(s->rt[0].r, s->now, &odd, 64), MGM_E_INVAL);
	assert_int_equal(mgm_router_set_address(s->rt[0].r, s->now, &global, 64), MGM_E_INVAL);
	sim_free(s);
}

/* With the loose policy, any source takes part, compared by its interface ID only: the
 * prefix, which a whole-address comparison would look at first, does not count. */
static void test_querier_mld_loose_policy_compares_interface_ids_of_any_source(void **state)
{
	static const char *const addr[] = {"fe80::10"};
	struct sim *s = sim_new(MGM_INET6, 1, addr, loose);
	struct mgm_addr q = sim_addr("fe80:0:0:1::5");
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	/* Lower as a whole address, higher interface ID: no election won. */
	sim_query(s, 0, "2001:db8::20", 2, NULL, false, 2, 125, 10000, NULL, 0);
	assert_true(status(s, 0).querier);
	/* Higher as a whole address, lower interface ID: it wins. */
	sim_query(s, 0, "fe80:0:0:1::5", 2, NULL, false, 2, 125, 10000, NULL, 0);
	st = status(s, 0);
	assert_false(st.querier);
	assert_true(mgm_addr_eq(&st.querier_address, &q));
	sim_free(s);
}

static void test_querier_adopts_qrv_and_qqi_of_the_querier(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_router_group_info gi;
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	/* §4.1.6, §4.1.7: QRV 4, QQIC 60 s from the querier 10.0.0.1. */
	sim_query(s, 0, "10.0.0.1", 3, NULL, false, 4, 60, 10000, NULL, 0);
	st = status(s, 0);
	assert_false(st.querier);
	assert_int_equal(st.robustness, 4);
	assert_int_equal(st.query_interval_ms, 60000);
	/* §8.5 with the adopted values: 4 x 60 s + 10 s / 2. */
	assert_int_equal(st.other_querier_present_ms, 245000);
	/* §8.4: GMI = 4 x 60 s + 10 s. */
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, 250000);
	/* QRV 0 and QQIC 0 mean "use your own". */
	sim_query(s, 0, "10.0.0.1", 3, NULL, false, 0, 0, 10000, NULL, 0);
	st = status(s, 0);
	assert_int_equal(st.robustness, 2);
	assert_int_equal(st.query_interval_ms, 125000);
	/* Taking the role back restores the configuration. */
	sim_query(s, 0, "10.0.0.1", 3, NULL, false, 5, 30, 10000, NULL, 0);
	sim_run(s, 5 * 30000 + 5000 + 1);
	st = status(s, 0);
	assert_true(st.querier);
	assert_int_equal(st.robustness, 2);
	assert_int_equal(st.query_interval_ms, 125000);
	sim_free(s);
}

static void test_querier_ignores_queries_from_higher_addresses(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	sim_query(s, 0, "10.0.0.7", 3, NULL, false, 6, 10, 10000, NULL, 0);
	st = status(s, 0);
	assert_true(st.querier);
	assert_int_equal(st.robustness, 2);
	assert_int_equal(st.other_querier_present_ms, -1);
	sim_free(s);
}

static void test_querier_own_query_looped_back_is_dropped(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);

	(void)state;
	sim_start(s);
	sim_query(s, 0, "10.0.0.1", 3, NULL, false, 2, 125, 10000, NULL, 0);
	assert_true(status(s, 0).querier);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_OWN_QUERY), 1);
	sim_free(s);
}

static void test_querier_off_never_queries_but_keeps_state(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_router_config cfg = s->rt[0].cfg;

	(void)state;
	cfg.querier = false;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, 0, &cfg, NULL, 0), 0);
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_leave(s, 0, "10.0.0.9", "239.1.1.1");
	sim_run(s, 1000000);
	assert_int_equal(s->rt[0].nsent, 0);
	assert_false(status(s, 0).querier);
	/* Switched back on with nobody else querying: it starts as a fresh querier. */
	cfg.querier = true;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, s->now, &cfg, NULL, 0), 0);
	assert_true(status(s, 0).querier);
	assert_int_equal(sim_queries(&s->rt[0]), 1);
	sim_free(s);
}

static uint64_t older_queries(const struct sim *s, int i)
{
	struct mgm_router_counters c;

	mgm_router_counters(s->rt[i].r, &c);
	return c.rx_older_queries;
}

static void test_querier_older_igmpv2_querier_warns_and_keeps_configured_version(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_router_status st;
	int64_t t[8];

	(void)state;
	sim_start(s);
	sim_run(s, 40000);
	assert_int_equal(s->rt[0].nwarn, 0);
	/* §7.3.1: an IGMPv2 router (higher address: not the querier) on the link. The version
	 * is administratively assured: warn and count, do not follow it. */
	sim_query(s, 0, "10.0.0.9", 2, NULL, false, 0, 0, 10000, NULL, 0);
	st = status(s, 0);
	assert_true(st.querier);
	assert_int_equal(st.operating_version, 3);
	assert_int_equal(st.older_querier_present_ms[2 - 1], GMI);
	assert_int_equal(st.older_querier_present_ms[1 - 1], -1);
	assert_int_equal(older_queries(s, 0), 1);
	assert_int_equal(s->rt[0].nwarn, 1);
	sim_clear(s);
	sim_run(s, 40000 + 125000);
	/* The next general query is still an IGMPv3 one. */
	assert_int_equal(general_times(s, 0, t, 8), 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 3);
	assert_true(s->rt[0].sent[0].len >= 12);
	/* Rate limit: the same querier again within the interval is counted, not warned. */
	sim_query(s, 0, "10.0.0.9", 2, NULL, false, 0, 0, 10000, NULL, 0);
	assert_int_equal(older_queries(s, 0), 2);
	assert_int_equal(s->rt[0].nwarn, 1);
	/* One interval after the first warning, the next one is logged. */
	sim_run(s, 40000 + GMI);
	sim_query(s, 0, "10.0.0.9", 2, NULL, false, 0, 0, 10000, NULL, 0);
	assert_int_equal(s->rt[0].nwarn, 2);
	assert_int_equal(status(s, 0).operating_version, 3);
	/* The timer reports when one was last heard and runs out on its own. */
	sim_run(s, 40000 + 2 * GMI);
	assert_int_equal(status(s, 0).older_querier_present_ms[2 - 1], -1);
	sim_free(s);
}

static void test_querier_older_igmpv1_querier_keeps_group_queries_and_leaves(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_query(s, 0, "10.0.0.9", 1, NULL, false, 0, 0, 0, NULL, 0);
	assert_int_equal(status(s, 0).operating_version, 3);
	assert_int_equal(s->rt[0].nwarn, 1);
	/* Still an IGMPv3 querier: the leave starts the last-member queries (§6.6.3.1). */
	sim_clear(s);
	sim_leave(s, 0, "10.0.0.9", "239.1.1.1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_COMPAT_IGNORED), 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.compat_version, 2);
	assert_int_equal(sim_queries(&s->rt[0]), 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 3);
	sim_free(s);
}

static void test_querier_older_igmpv1_querier_with_lower_address_wins_election(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_addr v1_querier = sim_addr("10.0.0.1");
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	/* §6.6.2 by address whatever the version: the IGMPv1 router is the querier. */
	sim_query(s, 0, "10.0.0.1", 1, NULL, false, 0, 0, 0, NULL, 0);
	st = status(s, 0);
	assert_false(st.querier);
	assert_true(mgm_addr_eq(&st.querier_address, &v1_querier));
	assert_int_equal(st.other_querier_present_ms, OQPI);
	assert_int_equal(st.operating_version, 3);
	assert_int_equal(older_queries(s, 0), 1);
	/* It falls silent: this router takes over, in its configured version. */
	sim_clear(s);
	sim_run(s, OQPI);
	assert_true(status(s, 0).querier);
	assert_int_equal(sim_queries(&s->rt[0]), 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 3);
	sim_free(s);
}

static void test_querier_mldv1_querier_warns_mld_stays_version_2(void **state)
{
	static const char *const addr[] = {"fe80::1"};
	struct sim *s = sim_new(MGM_INET6, 1, addr, NULL);
	int64_t t[8];

	(void)state;
	sim_start(s);
	sim_run(s, 40000);
	sim_query(s, 0, "fe80::9", 1, NULL, false, 0, 0, 10000, NULL, 0);
	assert_int_equal(status(s, 0).operating_version, 2);
	assert_int_equal(older_queries(s, 0), 1);
	assert_int_equal(s->rt[0].nwarn, 1);
	sim_clear(s);
	sim_run(s, 40000 + 125000);
	assert_int_equal(general_times(s, 0, t, 8), 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 2);
	assert_int_equal(s->rt[0].sent[0].len, 28);
	sim_free(s);
}

static uint64_t newer_queries(const struct sim *s, int i)
{
	struct mgm_router_counters c;

	mgm_router_counters(s->rt[i].r, &c);
	return c.rx_newer_queries;
}

/* §7.3.1: "When in IGMPv1 mode, routers ... SHOULD also warn about receiving an IGMPv2 or
 * IGMPv3 query", rate-limited. */
static void test_querier_igmpv1_router_warns_on_newer_queries(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, sim_version_1);

	(void)state;
	sim_start(s);
	sim_run(s, 40000);
	assert_int_equal(s->rt[0].nwarn, 0);
	sim_query(s, 0, "10.0.0.9", 3, NULL, false, 2, 125, 10000, NULL, 0);
	assert_int_equal(newer_queries(s, 0), 1);
	assert_int_equal(older_queries(s, 0), 0);
	assert_int_equal(s->rt[0].nwarn, 1);
	assert_int_equal(status(s, 0).operating_version, 1);
	/* An IGMPv2 one within the interval: counted, the warning not repeated. */
	sim_query(s, 0, "10.0.0.9", 2, NULL, false, 0, 0, 10000, NULL, 0);
	assert_int_equal(newer_queries(s, 0), 2);
	assert_int_equal(s->rt[0].nwarn, 1);
	/* After the interval, warned again. */
	sim_run(s, 40000 + GMI);
	sim_query(s, 0, "10.0.0.9", 2, NULL, false, 0, 0, 10000, NULL, 0);
	assert_int_equal(s->rt[0].nwarn, 2);
	/* Its own version is no warning. */
	sim_run(s, 40000 + 2 * GMI);
	sim_query(s, 0, "10.0.0.9", 1, NULL, false, 0, 0, 0, NULL, 0);
	assert_int_equal(newer_queries(s, 0), 3);
	assert_int_equal(s->rt[0].nwarn, 2);
	/* The version a router sends is still its own: an IGMPv1 query (Max Resp Time 0). */
	sim_clear(s);
	sim_run(s, 40000 + 2 * GMI + 125000);
	assert_true(s->rt[0].nsent >= 1);
	assert_int_equal(s->rt[0].sent[0].m.version, 1);
	sim_free(s);
}

/* RFC 3810 §8.3.1: an MLDv1-mode router SHOULD warn about an MLDv2 query, rate-limited. */
static void test_querier_mldv1_router_warns_on_mldv2_queries(void **state)
{
	static const char *const addr[] = {"fe80::1"};
	struct sim *s = sim_new(MGM_INET6, 1, addr, sim_version_1);

	(void)state;
	sim_start(s);
	sim_query(s, 0, "fe80::9", 2, NULL, false, 2, 125, 10000, NULL, 0);
	assert_int_equal(newer_queries(s, 0), 1);
	assert_int_equal(s->rt[0].nwarn, 1);
	sim_query(s, 0, "fe80::9", 1, NULL, false, 0, 0, 10000, NULL, 0);
	assert_int_equal(newer_queries(s, 0), 1);
	assert_int_equal(s->rt[0].nwarn, 1);
	sim_free(s);
}

static void test_non_querier_lowers_group_timer_on_querier_group_query(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};
	const char *src[] = {"10.1.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_query(s, 0, "10.0.0.1", 3, NULL, false, 2, 125, 10000, NULL, 0);
	sim_clear(s); /* its own startup query, sent before it heard the querier */
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_EXCLUDE, "239.1.1.1", NULL);
	sim_record(s, 0, "10.0.0.9", MGM_ALLOW_NEW_SOURCES, "239.1.1.1", "10.1.0.1", "10.1.0.2",
		   NULL);
	/* A host left: the non-querier sends nothing itself. */
	sim_record(s, 0, "10.0.0.9", MGM_CHANGE_TO_INCLUDE, "239.1.1.1", NULL);
	assert_int_equal(sim_queries(&s->rt[0]), 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, GMI);
	/* The querier's Q(G) with S set changes nothing (§6.6.1)... */
	sim_query(s, 0, "10.0.0.1", 3, "239.1.1.1", true, 2, 125, 5000, NULL, 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, GMI);
	/* ...with S clear it lowers the group timer to LMQT, this router's LMQI x LMQC (§8.10),
	 * not a multiple of the query's Max Resp Time (5 s here)... */
	sim_query(s, 0, "10.0.0.1", 3, "239.1.1.1", false, 2, 125, 5000, NULL, 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, 2000);
	/* ...Q(G,S) with S set leaves the source timers alone... */
	sim_query(s, 0, "10.0.0.1", 3, "239.1.1.1", true, 2, 125, 5000, src, 1);
	assert_int_equal(sim_source_timer(s, 0, "239.1.1.1", "10.1.0.1"), GMI);
	/* ...and with S clear lowers the listed sources' timers, no others. */
	sim_query(s, 0, "10.0.0.1", 3, "239.1.1.1", false, 2, 125, 5000, src, 1);
	assert_int_equal(sim_source_timer(s, 0, "239.1.1.1", "10.1.0.1"), 2000);
	assert_int_equal(sim_source_timer(s, 0, "239.1.1.1", "10.1.0.2"), GMI);
	/* Lowering never raises a timer already below LMQT. */
	sim_run(s, 1500);
	sim_query(s, 0, "10.0.0.1", 3, "239.1.1.1", false, 2, 125, 5000, src, 1);
	sim_query(s, 0, "10.0.0.1", 3, "239.1.1.1", false, 2, 125, 5000, NULL, 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, 500);
	assert_int_equal(sim_source_timer(s, 0, "239.1.1.1", "10.1.0.1"), 500);
	/* Nobody answers: the group timer ends EXCLUDE mode, S1 goes with its timer and the
	 * group lives on in INCLUDE mode for S2 alone (§6.5). */
	sim_run(s, 2000);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_INCLUDE);
	assert_int_equal(gi.num_sources, 1);
	assert_false(sim_has_source(s, 0, "239.1.1.1", "10.1.0.1"));
	assert_int_equal(sim_source_timer(s, 0, "239.1.1.1", "10.1.0.2"), GMI - 2000);
	assert_int_equal(sim_queries(&s->rt[0]), 0);
	sim_free(s);
}

static void test_non_querier_igmpv2_lowers_to_lmqc_times_max_response(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};
	struct sim *s = sim_new(MGM_INET, 1, addr, sim_version_2);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_query(s, 0, "10.0.0.1", 2, NULL, false, 0, 0, 10000, NULL, 0);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	/* RFC 2236 §3: LMQC x the query's Max Response Time (0.5 s here). */
	sim_query(s, 0, "10.0.0.1", 2, "239.1.1.1", false, 0, 0, 500, NULL, 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, 1000);
	sim_free(s);
}

static void test_querier_query_from_unspecified_source_is_dropped(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);

	(void)state;
	sim_start(s);
	sim_query(s, 0, "0.0.0.0", 3, NULL, false, 2, 125, 10000, NULL, 0);
	assert_true(status(s, 0).querier);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_UNSPECIFIED), 1);
	sim_free(s);
}

static void test_querier_without_address_keeps_state_and_queries_once_addressed(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, NULL);
	struct mgm_addr none, bad = sim_addr("2001:db8::1");
	struct mgm_router_group_info gi;

	(void)state;
	mgm_addr_any(&none, MGM_INET);
	assert_int_equal(mgm_router_set_address(s->rt[0].r, 0, &none, 0), 0);
	assert_int_equal(mgm_router_set_address(s->rt[0].r, 0, &bad, 64), MGM_E_INVAL);
	sim_start(s);
	assert_false(status(s, 0).querier);
	assert_int_equal(s->rt[0].nsent, 0);
	/* Without an address there is no subnet to check reports against. */
	sim_report_v2(s, 0, "192.168.1.9", "239.1.1.1");
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	sim_run(s, 5000);
	assert_int_equal(mgm_router_set_address(s->rt[0].r, s->now, &s->rt[0].addr, 24), 0);
	assert_true(status(s, 0).querier);
	assert_int_equal(sim_queries(&s->rt[0]), 1);
	assert_int_equal(status(s, 0).startup_queries_left, 1);
	/* Losing the address ends the role. */
	assert_int_equal(mgm_router_set_address(s->rt[0].r, s->now, &none, 0), 0);
	assert_false(status(s, 0).querier);
	sim_run(s, 500000);
	assert_int_equal(sim_queries(&s->rt[0]), 1);
	sim_free(s);
}

/* ---- The querier state machine, row by row ------------------------------------------------ */

enum q_state { ST_STOPPED, ST_QUERIER, ST_NON_QUERIER };

/* Where a row starts. Every router is 10.0.0.5; the other querier, when heard, 10.0.0.2. */
enum q_setup {
	SETUP_STOPPED,		      /* created, addressed, not started */
	SETUP_STOPPED_NO_ADDRESS,     /* created without an address */
	SETUP_QUERIER,		      /* started at t = 0 */
	SETUP_NON_QUERIER,	      /* started, then a query from 10.0.0.2 at t = 1000 */
	SETUP_NON_QUERIER_OFF,	      /* the same with the querier option off */
	SETUP_NON_QUERIER_NO_ADDRESS, /* started without an address, no querier heard */
};

enum q_stimulus {
	DO_START,
	DO_STOP,
	DO_LOWER_QUERY,	 /* from 10.0.0.2 */
	DO_HIGHER_QUERY, /* from 10.0.0.9: no event */
	DO_OTHER_QUERIER_TIMEOUT,
	DO_GENERAL_QUERY_TIMER,
	DO_ADDRESS_LOWER,  /* 10.0.0.1 */
	DO_ADDRESS_HIGHER, /* 10.0.0.7 */
	DO_ADDRESS_NONE,
	DO_QUERIER_OFF,
};

struct q_case {
	const char *row; /* the transition, as the engine logs it */
	uint8_t setup, stimulus, expect;
	int sent;	     /* general queries sent by the stimulus */
	int startup_left;    /* -1: not checked */
	const char *querier; /* expected querier address; NULL: unspecified */
};

static const struct q_case q_cases[] = {
	{"STOPPED + START -> QUERIER", SETUP_STOPPED, DO_START, ST_QUERIER, 1, 1, "10.0.0.5"},
	{"STOPPED + START -> NON_QUERIER (no address)", SETUP_STOPPED_NO_ADDRESS, DO_START,
	 ST_NON_QUERIER, 0, 0, NULL},
	{"STOPPED + query: no row (not running)", SETUP_STOPPED, DO_LOWER_QUERY, ST_STOPPED, 0, 0,
	 NULL},
	{"STOPPED + ADDRESS_CHANGED: no row", SETUP_STOPPED, DO_ADDRESS_LOWER, ST_STOPPED, 0, 0,
	 NULL},
	{"QUERIER + STOP -> STOPPED", SETUP_QUERIER, DO_STOP, ST_STOPPED, 0, 0, NULL},
	{"QUERIER + LOWER_QUERY_HEARD -> NON_QUERIER", SETUP_QUERIER, DO_LOWER_QUERY,
	 ST_NON_QUERIER, 0, 0, "10.0.0.2"},
	{"QUERIER + higher query: no event", SETUP_QUERIER, DO_HIGHER_QUERY, ST_QUERIER, 0, 1,
	 "10.0.0.5"},
	{"QUERIER + GENERAL_QUERY_TIMER -> QUERIER", SETUP_QUERIER, DO_GENERAL_QUERY_TIMER,
	 ST_QUERIER, 1, 0, "10.0.0.5"},
	{"QUERIER + ADDRESS_CHANGED -> QUERIER (new address)", SETUP_QUERIER, DO_ADDRESS_HIGHER,
	 ST_QUERIER, 0, 1, "10.0.0.7"},
	{"QUERIER + ADDRESS_CHANGED -> NON_QUERIER (address gone)", SETUP_QUERIER, DO_ADDRESS_NONE,
	 ST_NON_QUERIER, 0, 0, NULL},
	{"QUERIER + ADDRESS_CHANGED -> NON_QUERIER (querier off)", SETUP_QUERIER, DO_QUERIER_OFF,
	 ST_NON_QUERIER, 0, 0, NULL},
	{"NON_QUERIER + STOP -> STOPPED", SETUP_NON_QUERIER, DO_STOP, ST_STOPPED, 0, 0, NULL},
	{"NON_QUERIER + LOWER_QUERY_HEARD -> NON_QUERIER", SETUP_NON_QUERIER, DO_LOWER_QUERY,
	 ST_NON_QUERIER, 0, 0, "10.0.0.2"},
	{"NON_QUERIER + OTHER_QUERIER_TIMEOUT -> QUERIER (no startup)", SETUP_NON_QUERIER,
	 DO_OTHER_QUERIER_TIMEOUT, ST_QUERIER, 1, 0, "10.0.0.5"},
	{"NON_QUERIER + OTHER_QUERIER_TIMEOUT -> NON_QUERIER (querier off)", SETUP_NON_QUERIER_OFF,
	 DO_OTHER_QUERIER_TIMEOUT, ST_NON_QUERIER, 0, 0, NULL},
	{"NON_QUERIER + ADDRESS_CHANGED -> QUERIER (now the lower, no startup)", SETUP_NON_QUERIER,
	 DO_ADDRESS_LOWER, ST_QUERIER, 1, 0, "10.0.0.1"},
	{"NON_QUERIER + ADDRESS_CHANGED -> NON_QUERIER (still the higher)", SETUP_NON_QUERIER,
	 DO_ADDRESS_HIGHER, ST_NON_QUERIER, 0, 0, "10.0.0.2"},
	{"NON_QUERIER + ADDRESS_CHANGED -> QUERIER (no querier known: startup)",
	 SETUP_NON_QUERIER_NO_ADDRESS, DO_ADDRESS_HIGHER, ST_QUERIER, 1, 1, "10.0.0.7"},
};

static void querier_off(struct mgm_router_config *c)
{
	c->querier = false;
}

static uint8_t q_state(const struct sim *s)
{
	struct mgm_router_status st = status(s, 0);

	return !st.running ? ST_STOPPED : st.querier ? ST_QUERIER : ST_NON_QUERIER;
}

static void q_set_address(struct sim *s, const char *text)
{
	struct mgm_addr a;

	if (text)
		a = sim_addr(text);
	else
		mgm_addr_any(&a, MGM_INET);
	assert_int_equal(mgm_router_set_address(s->rt[0].r, s->now, &a, 24), 0);
}

/* The querier's transitions are logged citing the family's RFC: RFC 3810 §7.6.2 for MLD, not
 * RFC 3376 §6.6.2 (issue 10: "MLD log lines cite RFC 3376 sections; cite RFC 3810's"). */
struct seen_log {
	int transitions;
	char text[256];
};

static void keep_transition(void *ctx, int level, const char *text)
{
	struct seen_log *seen = ctx;

	(void)level;
	if (strncmp(text, "querier: ", 9) == 0 && strstr(text, " -> ")) {
		seen->transitions++;
		snprintf(seen->text, sizeof(seen->text), "%s", text);
	}
}

static void test_querier_transitions_cite_the_family_rfc(void **state)
{
	static const struct {
		uint8_t family;
		const char *addr, *cite;
	} fams[] = {
		{MGM_INET, "10.0.0.5", "(RFC 3376 6.6.2)"},
		{MGM_INET6, "fe80::5", "(RFC 3810 7.6.2)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		struct seen_log seen = {0};
		struct mgm_router_callbacks cb = {.ctx = &seen, .log = keep_transition};
		struct mgm_router_config cfg;
		struct mgm_router *r;
		struct mgm_addr a = sim_addr(fams[i].addr);

		mgm_router_config_defaults(&cfg, fams[i].family);
		assert_int_equal(mgm_router_create(&cfg, &cb, NULL, &r, NULL, 0), 0);
		assert_int_equal(
			mgm_router_set_address(r, 0, &a, fams[i].family == MGM_INET ? 24 : 64), 0);
		assert_int_equal(mgm_router_start(r, 0), 0);
		mgm_router_stop(r, 1);
		mgm_router_destroy(r);
		assert_int_equal(seen.transitions, 2); /* STOPPED -> QUERIER -> STOPPED */
		if (!strstr(seen.text, fams[i].cite))
			fail_msg("\"%s\" does not cite %s", seen.text, fams[i].cite);
	}
}

static void test_querier_state_machine_rows(void **state)
{
	static const char *const addr[] = {"10.0.0.5"};

	(void)state;
	for (size_t i = 0; i < sizeof(q_cases) / sizeof(q_cases[0]); i++) {
		const struct q_case *c = &q_cases[i];
		struct sim *s = sim_new(MGM_INET, 1, addr,
					c->setup == SETUP_NON_QUERIER_OFF ? querier_off : NULL);
		struct mgm_router_config cfg = s->rt[0].cfg;
		struct mgm_router_status st;
		int64_t t[8];

		if (c->setup == SETUP_STOPPED_NO_ADDRESS ||
		    c->setup == SETUP_NON_QUERIER_NO_ADDRESS)
			q_set_address(s, NULL);
		if (c->setup >= SETUP_QUERIER)
			sim_start(s);
		if (c->setup == SETUP_NON_QUERIER || c->setup == SETUP_NON_QUERIER_OFF) {
			sim_run(s, 1000);
			sim_query(s, 0, "10.0.0.2", 3, NULL, false, 2, 125, 10000, NULL, 0);
		}
		sim_clear(s);
		switch (c->stimulus) {
		case DO_START:
			assert_int_equal(mgm_router_start(s->rt[0].r, s->now), 0);
			break;
		case DO_STOP:
			mgm_router_stop(s->rt[0].r, s->now);
			break;
		case DO_LOWER_QUERY:
			sim_query(s, 0, "10.0.0.2", 3, NULL, false, 2, 125, 10000, NULL, 0);
			break;
		case DO_HIGHER_QUERY:
			sim_query(s, 0, "10.0.0.9", 3, NULL, false, 2, 125, 10000, NULL, 0);
			break;
		case DO_OTHER_QUERIER_TIMEOUT:
			sim_run(s, 1000 + OQPI);
			break;
		case DO_GENERAL_QUERY_TIMER:
			sim_run(s, mgm_router_next_deadline(s->rt[0].r));
			break;
		case DO_ADDRESS_LOWER:
			q_set_address(s, "10.0.0.1");
			break;
		case DO_ADDRESS_HIGHER:
			q_set_address(s, "10.0.0.7");
			break;
		case DO_ADDRESS_NONE:
			q_set_address(s, NULL);
			break;
		case DO_QUERIER_OFF:
			cfg.querier = false;
			assert_int_equal(mgm_router_reconfigure(s->rt[0].r, s->now, &cfg, NULL, 0),
					 0);
			break;
		}
		st = status(s, 0);
		if (q_state(s) != c->expect || general_times(s, 0, t, 8) != c->sent ||
		    (c->startup_left >= 0 && st.startup_queries_left != c->startup_left))
			fail_msg("row %zu \"%s\": state %d, %d queries, %u startup left", i, c->row,
				 (int)q_state(s), general_times(s, 0, t, 8),
				 (unsigned)st.startup_queries_left);
		if (c->querier) {
			struct mgm_addr q = sim_addr(c->querier);

			if (!mgm_addr_eq(&st.querier_address, &q))
				fail_msg("row %zu \"%s\": wrong querier address", i, c->row);
		} else if (!mgm_addr_is_any(&st.querier_address)) {
			fail_msg("row %zu \"%s\": a querier address", i, c->row);
		}
		/* Only the querier has a general query timer, only a non-querier with a known
		 * querier an Other Querier Present timer. */
		assert_int_equal(st.next_general_query_ms >= 0, c->expect == ST_QUERIER);
		assert_int_equal(st.other_querier_present_ms >= 0,
				 c->expect == ST_NON_QUERIER && c->querier != NULL);
		sim_free(s);
	}
}

/*
 * RFC 3376 §4.1.6, §4.1.7 (RFC 3810 §5.1.8, §5.1.9): a non-querier adopts the querier's QRV and
 * QQI. A router configured never to query (querier = false) is a non-querier whatever its
 * address, so it must adopt them from a querier whose address is higher than its own too;
 * else its GMI comes from its own QI and, under a querier with a longer QQI, its groups run
 * out between two general queries.
 */
static void test_non_querier_by_config_adopts_higher_queriers_variables(void **state)
{
	static const char *const addr[] = {"10.0.0.1"};
	struct sim *s = sim_new(MGM_INET, 1, addr, querier_off);
	struct mgm_router_group_info gi;
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	sim_run(s, 1000);
	/* The querier at 10.0.0.5: QRV 3, QQIC 100 (QQI 100 s, the code is linear below 128). */
	sim_query(s, 0, "10.0.0.5", 3, NULL, false, 3, 100, 10000, NULL, 0);
	st = status(s, 0);
	assert_false(st.querier);
	assert_int_equal(st.robustness, 3);
	assert_int_equal(st.query_interval_ms, 100000);
	sim_record(s, 0, "10.0.0.11", MGM_MODE_IS_EXCLUDE, "239.1.1.1", NULL);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_int_equal(gi.group_timer_ms, 3 * 100000 + 10000);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_querier_state_machine_rows),
		cmocka_unit_test(test_querier_transitions_cite_the_family_rfc),
		cmocka_unit_test(test_non_querier_by_config_adopts_higher_queriers_variables),
		cmocka_unit_test(test_querier_sends_startup_queries_then_one_per_query_interval),
		cmocka_unit_test(test_querier_startup_count_and_interval_follow_the_configuration),
		cmocka_unit_test(test_querier_derived_defaults_follow_robustness_set_later),
		cmocka_unit_test(test_querier_election_two_routers_lowest_address_wins),
		cmocka_unit_test(test_querier_election_three_routers_one_querier),
		cmocka_unit_test(test_querier_takeover_when_other_querier_present_expires),
		cmocka_unit_test(test_querier_mld_election_compares_link_local_addresses),
		cmocka_unit_test(test_querier_mld_election_compares_interface_ids),
		cmocka_unit_test(
			test_querier_mld_loose_policy_compares_interface_ids_of_any_source),
		cmocka_unit_test(test_querier_adopts_qrv_and_qqi_of_the_querier),
		cmocka_unit_test(test_querier_ignores_queries_from_higher_addresses),
		cmocka_unit_test(test_querier_own_query_looped_back_is_dropped),
		cmocka_unit_test(test_querier_off_never_queries_but_keeps_state),
		cmocka_unit_test(
			test_querier_older_igmpv2_querier_warns_and_keeps_configured_version),
		cmocka_unit_test(test_querier_older_igmpv1_querier_keeps_group_queries_and_leaves),
		cmocka_unit_test(test_querier_igmpv1_router_warns_on_newer_queries),
		cmocka_unit_test(test_querier_mldv1_router_warns_on_mldv2_queries),
		cmocka_unit_test(
			test_querier_older_igmpv1_querier_with_lower_address_wins_election),
		cmocka_unit_test(test_querier_mldv1_querier_warns_mld_stays_version_2),
		cmocka_unit_test(test_non_querier_lowers_group_timer_on_querier_group_query),
		cmocka_unit_test(test_non_querier_igmpv2_lowers_to_lmqc_times_max_response),
		cmocka_unit_test(test_querier_query_from_unspecified_source_is_dropped),
		cmocka_unit_test(
			test_querier_without_address_keeps_state_and_queries_once_addressed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
