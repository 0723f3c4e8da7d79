/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the router engine refuses, and says so: limits on groups and sources, memory refusal,
 * SSM ranges (RFC 4604 §2.2.1), the receive policy (RFC 3376 §9, RFC 3810 §5), groups never
 * tracked, configuration validation, counters, and stopping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router_sim.h"
#include "test_alloc.h"

#define GMI 260000
#define G   "239.1.1.1"

static const char *const v4[] = {"10.0.0.1"};
static const char *const v6[] = {"fe80::1"};

static struct mgm_router_counters counters(const struct sim *s)
{
	struct mgm_router_counters c;

	mgm_router_counters(s->rt[0].r, &c);
	return c;
}

/* ---- Limits ---------------------------------------------------------------------------------- */

static void two_groups_three_sources(struct mgm_router_config *c)
{
	c->max_groups = 2;
	c->max_sources_per_group = 3;
	c->max_sources = 5;
}

static void test_limit_max_groups_refuses_a_new_group_and_counts_it(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, two_groups_three_sources);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.2");
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.3");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_GROUP_LIMIT), 1);
	assert_int_equal(sim_group(s, 0, "239.1.1.3", &gi), MGM_E_NOENT);
	/* Existing groups still refresh. */
	sim_run(s, 100000);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.2");
	assert_int_equal(sim_group(s, 0, "239.1.1.2", &gi), 0);
	assert_int_equal(gi.group_timer_ms, GMI);
	sim_free(s);
}

static void test_limit_sources_per_group_refuses_the_whole_record(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, two_groups_three_sources);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, G, "10.1.0.1", "10.1.0.2", NULL);
	sim_clear(s);
	/* 2 + 2 > 3: neither S3 nor S4, and nothing else changes. */
	sim_record(s, 0, "10.0.0.9", MGM_ALLOW_NEW_SOURCES, G, "10.1.0.3", "10.1.0.4", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_LIMIT), 1);
	assert_false(sim_has_source(s, 0, G, "10.1.0.3"));
	/* A mode change over the limit is refused whole: still INCLUDE, timers untouched,
	 * no query. */
	sim_run(s, 1000);
	sim_record(s, 0, "10.0.0.9", MGM_CHANGE_TO_EXCLUDE, G, "10.1.0.1", "10.1.0.2", "10.1.0.3",
		   "10.1.0.4", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_LIMIT), 2);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_INCLUDE);
	assert_int_equal(gi.num_sources, 2);
	assert_int_equal(sim_source_timer(s, 0, G, "10.1.0.1"), GMI - 1000);
	assert_int_equal(s->rt[0].nsent, 0);
	assert_int_equal(s->rt[0].nfwd, 0);
	/* Within the limit it applies: TO_EX deletes A-B, so 3 is fine. */
	sim_record(s, 0, "10.0.0.9", MGM_CHANGE_TO_EXCLUDE, G, "10.1.0.2", "10.1.0.3", "10.1.0.4",
		   NULL);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_int_equal(gi.num_sources, 3);
	sim_free(s);
}

static void test_limit_sources_per_interface_refuses_records(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, two_groups_three_sources);
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, "239.1.1.1", "10.1.0.1", "10.1.0.2",
		   "10.1.0.3", NULL);
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, "239.1.1.2", "10.1.0.1", "10.1.0.2",
		   "10.1.0.3", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_LIMIT), 1);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_int_equal(st.sources, 3);
	assert_int_equal(st.groups, 1);
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, "239.1.1.2", "10.1.0.1", "10.1.0.2",
		   NULL);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_int_equal(st.sources, 5);
	sim_free(s);
}

static void count_fwd(void *ctx, const struct mgm_fwd_change *c)
{
	(void)c;
	(*(int *)ctx)++;
}

static void test_nomem_refuses_the_record_and_keeps_state_whole(void **state)
{
	struct test_alloc a = {0};
	struct mgm_allocator hooks = test_alloc_hooks(&a);
	int changes = 0;
	struct mgm_router_callbacks cb = {.ctx = &changes, .forward = count_fwd};
	struct mgm_router_config cfg;
	struct mgm_router_counters c;
	struct mgm_router_status st;
	struct mgm_router *r;
	struct mgm_msg m;
	struct mgm_ip_info ip;
	struct mgm_addr self = sim_addr("10.0.0.1"), g = sim_addr(G), srcs[300];
	struct mgm_group_record rec = {.type = MGM_ALLOW_NEW_SOURCES, .group = g};
	struct mgm_report_writer w;
	uint8_t buf[2000];
	size_t len, before;

	(void)state;
	mgm_router_config_defaults(&cfg, MGM_INET);
	assert_int_equal(mgm_router_create(&cfg, &cb, &hooks, &r, NULL, 0), 0);
	assert_int_equal(mgm_router_set_address(r, 0, &self, 24), 0);
	assert_int_equal(mgm_router_start(r, 0), 0);
	memset(&ip, 0, sizeof(ip));
	ip.family = MGM_INET;
	ip.src = sim_addr("10.0.0.9");
	ip.hop_limit = 1;
	ip.router_alert = true;
	for (int i = 0; i < 300; i++) {
		char t[32];

		snprintf(t, sizeof(t), "10.2.%d.%d", i / 200, i % 200 + 1);
		srcs[i] = sim_addr(t);
	}
	rec.sources = srcs;
	rec.num_sources = 1;
	mgm_report_writer_init(&w, MGM_INET, &rec, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, &ip.src, &ip.dst, buf, sizeof(buf), &len), 1);
	ip.payload = buf;
	ip.payload_len = len;
	assert_int_equal(mgm_router_input(r, 1, &ip), 0);
	assert_true(mgm_router_forwarding(r, &g, &srcs[0]));
	changes = 0;
	/* 300 more sources need more pool: refused, and nothing of the record is applied. */
	before = a.live;
	test_alloc_budget(&a, 0);
	rec.sources = srcs + 1;
	rec.num_sources = 299;
	mgm_report_writer_init(&w, MGM_INET, &rec, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, &ip.src, &ip.dst, buf, sizeof(buf), &len), 1);
	assert_int_equal(mgm_decode(MGM_INET, buf, len, NULL, NULL, &m), 0);
	assert_int_equal(mgm_router_input_msg(r, 2, &ip, &m), 0);
	mgm_router_counters(r, &c);
	assert_int_equal(c.drops[MGM_DROP_NOMEM], 1);
	assert_int_equal(changes, 0);
	assert_false(mgm_router_forwarding(r, &g, &srcs[1]));
	mgm_router_status(r, 2, &st);
	assert_int_equal(st.sources, 1);
	assert_true(a.live <= before);
	/* The same record for a new group: the group is not left behind, and a group that was
	 * never used is neither counted as added nor as removed; the refusal is counted once. */
	rec.group = sim_addr("239.2.2.2");
	mgm_report_writer_init(&w, MGM_INET, &rec, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, &ip.src, &ip.dst, buf, sizeof(buf), &len), 1);
	ip.payload = buf;
	ip.payload_len = len;
	assert_int_equal(mgm_router_input(r, 2, &ip), 0);
	mgm_router_counters(r, &c);
	assert_int_equal(c.drops[MGM_DROP_NOMEM], 2);
	assert_int_equal(c.drops[MGM_DROP_NONE], 0);
	assert_int_equal(c.groups_added, 1);
	assert_int_equal(c.groups_removed, 0);
	mgm_router_status(r, 2, &st);
	assert_int_equal(st.groups, 1);
	test_alloc_budget(&a, -1);
	mgm_router_stop(r, 3);
	mgm_router_counters(r, &c);
	assert_int_equal(c.groups_removed, 1);
	mgm_router_destroy(r);
	assert_int_equal(a.live, 0);
}

/* ---- Re-entrancy and destroy ------------------------------------------------------------------
 */

/* A router whose callbacks call back into it. */
struct reenter {
	struct mgm_router *r;
	uint8_t report[64];
	size_t report_len;
	struct mgm_ip_info ip;
	int fwd, withdrawn, sent, refused, walked;
	bool misbehave;
};

static void reenter_all(struct reenter *x)
{
	struct mgm_router_status st;
	struct mgm_router_counters c;
	struct mgm_router_group_info gi;
	struct mgm_addr g = sim_addr(G), self = sim_addr("10.0.0.2");
	struct mgm_router_config cfg;

	if (!x->misbehave)
		return;
	/* Every entry point refuses: errors where there is a return value, nothing else. */
	x->refused += mgm_router_input(x->r, 5, &x->ip) == MGM_E_BUSY;
	x->refused += mgm_router_start(x->r, 5) == MGM_E_BUSY;
	x->refused += mgm_router_set_address(x->r, 5, &self, 24) == MGM_E_BUSY;
	mgm_router_config_defaults(&cfg, MGM_INET);
	x->refused += mgm_router_reconfigure(x->r, 5, &cfg, NULL, 0) == MGM_E_BUSY;
	x->refused += mgm_router_group(x->r, 5, &g, &gi) == MGM_E_BUSY;
	x->refused += mgm_router_foreach_group(x->r, 5, NULL, NULL) == MGM_E_BUSY;
	x->refused += mgm_router_next_deadline(x->r) == MGM_TIME_NEVER;
	x->refused += !mgm_router_forwarding(x->r, &g, NULL);
	mgm_router_status(x->r, 5, &st);
	x->refused += !st.running && st.groups == 0;
	mgm_router_counters(x->r, &c);
	x->refused += c.groups_added == 0;
	mgm_router_stop(x->r, 5);
	mgm_router_timer(x->r, 1000000);
	mgm_router_destroy(x->r);
}

static void reenter_fwd(void *ctx, const struct mgm_fwd_change *c)
{
	struct reenter *x = ctx;

	x->fwd++;
	x->withdrawn += c->to == MGM_FWD_NONE;
	reenter_all(x);
}

static void reenter_send(void *ctx, const struct mgm_addr *dst, const uint8_t *p, size_t len)
{
	struct reenter *x = ctx;

	(void)dst;
	(void)p;
	(void)len;
	x->sent++;
	reenter_all(x);
}

static int walk_source(void *ctx, const struct mgm_router_source_info *si)
{
	(void)si;
	((struct reenter *)ctx)->walked++;
	return 0;
}

/* Inside a walk, reading (a nested walk) is served, changing is refused. */
static int walk_group(void *ctx, const struct mgm_router_group_info *gi)
{
	struct reenter *x = ctx;
	struct mgm_router_status st;

	assert_int_equal(mgm_router_foreach_source(x->r, 5, &gi->group, walk_source, x), 0);
	mgm_router_status(x->r, 5, &st);
	assert_true(st.running);
	assert_int_equal(mgm_router_input(x->r, 5, &x->ip), MGM_E_BUSY);
	mgm_router_stop(x->r, 5);
	mgm_router_destroy(x->r);
	return 0;
}

static void reenter_setup(struct reenter *x, struct mgm_router_callbacks *cb)
{
	struct mgm_addr self = sim_addr("10.0.0.1"), g = sim_addr(G), src = sim_addr("10.1.0.1");
	struct mgm_group_record rec = {.type = MGM_MODE_IS_EXCLUDE, .group = g};
	struct mgm_report_writer w;
	struct mgm_router_config cfg;

	memset(x, 0, sizeof(*x));
	memset(cb, 0, sizeof(*cb));
	cb->ctx = x;
	cb->forward = reenter_fwd;
	cb->send = reenter_send;
	mgm_router_config_defaults(&cfg, MGM_INET);
	assert_int_equal(mgm_router_create(&cfg, cb, NULL, &x->r, NULL, 0), 0);
	assert_int_equal(mgm_router_set_address(x->r, 0, &self, 24), 0);
	memset(&x->ip, 0, sizeof(x->ip));
	x->ip.family = MGM_INET;
	x->ip.src = sim_addr("10.0.0.9");
	x->ip.hop_limit = 1;
	x->ip.router_alert = true;
	rec.sources = &src;
	rec.num_sources = 1;
	mgm_report_writer_init(&w, MGM_INET, &rec, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, &x->ip.src, &x->ip.dst, x->report,
						sizeof(x->report), &x->report_len),
			 1);
	x->ip.payload = x->report;
	x->ip.payload_len = x->report_len;
}

/* router.h: callbacks must not re-enter their instance; when they do, every call is refused
 * and the state stays exactly what the outer call makes it. */
static void test_reentering_callback_is_refused_and_state_stays_whole(void **state)
{
	struct mgm_router_callbacks cb;
	struct mgm_router_counters c;
	struct mgm_router_status st;
	struct mgm_addr g = sim_addr(G), s1 = sim_addr("10.1.0.1"), s2 = sim_addr("10.1.0.2");
	struct reenter x;

	(void)state;
	reenter_setup(&x, &cb);
	x.misbehave = true;
	assert_int_equal(mgm_router_start(x.r, 0), 0); /* sends a query: send() re-enters */
	assert_int_equal(x.sent, 1);
	assert_int_equal(x.refused, 10);
	/* IS_EX({S1}): (S1,G) BLOCK, (*,G) FORWARD, each forward() re-entering. */
	assert_int_equal(mgm_router_input(x.r, 1, &x.ip), 0);
	assert_int_equal(x.fwd, 2);
	assert_int_equal(x.refused, 30);
	mgm_router_status(x.r, 1, &st);
	assert_true(st.running && st.querier);
	assert_int_equal(st.groups, 1);
	assert_int_equal(st.sources, 1);
	assert_true(mgm_router_forwarding(x.r, &g, &s2));
	assert_false(mgm_router_forwarding(x.r, &g, &s1));
	mgm_router_counters(x.r, &c);
	assert_int_equal(c.rx_reports[3 - 1], 1);
	assert_int_equal(c.fwd_changes, 2);
	/* Walks: nested reads served, changes refused. */
	x.misbehave = false;
	assert_int_equal(mgm_router_foreach_group(x.r, 1, walk_group, &x), 0);
	assert_int_equal(x.walked, 1);
	mgm_router_status(x.r, 1, &st);
	assert_true(st.running);
	assert_int_equal(st.groups, 1);
	mgm_router_stop(x.r, 2);
	assert_int_equal(x.withdrawn, 2);
	mgm_router_destroy(x.r);
}

/* The safe path is the easy one: destroying a running router withdraws its forwarding state
 * as mgm_router_stop() would, so no route outlives it. */
static void test_destroy_of_a_running_router_withdraws_forwarding(void **state)
{
	struct mgm_router_callbacks cb;
	struct reenter x;

	(void)state;
	reenter_setup(&x, &cb);
	assert_int_equal(mgm_router_start(x.r, 0), 0);
	assert_int_equal(mgm_router_input(x.r, 1, &x.ip), 0);
	assert_int_equal(x.fwd, 2);
	assert_int_equal(x.withdrawn, 0);
	mgm_router_destroy(x.r);
	assert_int_equal(x.fwd, 4);
	assert_int_equal(x.withdrawn, 2);
	assert_int_equal(x.sent, 1);
}

/* mgm_router_source(): one source's record, as mgm_router_foreach_source() reports it. */
static void test_source_lookup_reports_one_source_or_noent(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_addr g = sim_addr(G), s1 = sim_addr("10.1.0.1"), s2 = sim_addr("10.1.0.2");
	struct mgm_addr other = sim_addr("239.9.9.9"), v6g = sim_addr("ff0e::1");
	struct mgm_router_source_info si;

	(void)state;
	sim_start(s);
	sim_record(s, 0, "10.0.0.9", MGM_ALLOW_NEW_SOURCES, G, "10.1.0.1", NULL);
	sim_run(s, 1000);
	assert_int_equal(mgm_router_source(s->rt[0].r, s->now, &g, &s1, &si), 0);
	assert_true(mgm_addr_eq(&si.source, &s1));
	assert_int_equal(si.timer_ms, GMI - 1000);
	assert_int_equal(si.fwd, MGM_FWD_FORWARD);
	assert_true(si.forwarded);
	/* EXCLUDE({}, {S2}): S2 in Y, its timer not running (-1), blocked. */
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_EXCLUDE, G, "10.1.0.2", NULL);
	assert_int_equal(mgm_router_source(s->rt[0].r, s->now, &g, &s2, &si), 0);
	assert_int_equal(si.timer_ms, -1);
	assert_int_equal(si.fwd, MGM_FWD_BLOCK);
	assert_false(si.forwarded);
	assert_int_equal(mgm_router_source(s->rt[0].r, s->now, &g, &s1, &si), MGM_E_NOENT);
	assert_int_equal(mgm_router_source(s->rt[0].r, s->now, &other, &s2, &si), MGM_E_NOENT);
	assert_int_equal(mgm_router_source(s->rt[0].r, s->now, &v6g, &s2, &si), MGM_E_INVAL);
	assert_int_equal(mgm_router_source(NULL, s->now, &g, &s2, &si), MGM_E_INVAL);
	sim_free(s);
}

/* ---- SSM ---------------------------------------------------------------------------------------
 */

static void test_ssm_drops_exclude_records_and_older_reports(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_EXCLUDE, "232.1.1.1", NULL);
	sim_record(s, 0, "10.0.0.9", MGM_CHANGE_TO_EXCLUDE, "232.1.1.1", "10.1.0.1", NULL);
	sim_report_v2(s, 0, "10.0.0.9", "232.1.1.1");
	sim_report_v1(s, 0, "10.0.0.9", "232.1.1.1");
	sim_leave(s, 0, "10.0.0.9", "232.1.1.1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SSM_EXCLUDE), 5);
	assert_int_equal(sim_group(s, 0, "232.1.1.1", &gi), MGM_E_NOENT);
	/* INCLUDE mode works as anywhere, and ASM is never forwarded. */
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, "232.1.1.1", "10.1.0.1", NULL);
	assert_true(sim_fwd(s, 0, "232.1.1.1", "10.1.0.1"));
	assert_false(sim_fwd(s, 0, "232.1.1.1", "10.1.0.2"));
	sim_record(s, 0, "10.0.0.9", MGM_CHANGE_TO_EXCLUDE, "232.1.1.1", NULL);
	assert_int_equal(sim_group(s, 0, "232.1.1.1", &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_INCLUDE);
	assert_int_equal(gi.any_source_fwd, MGM_FWD_NONE);
	sim_free(s);
}

static void test_ssm_mld_range_drops_exclude_records(void **state)
{
	struct sim *s = sim_new(MGM_INET6, 1, v6, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, "fe80::9", MGM_MODE_IS_EXCLUDE, "ff3e::8000:1", NULL);
	sim_report_v2(s, 0, "fe80::9", "ff3e::8000:1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SSM_EXCLUDE), 2);
	sim_record(s, 0, "fe80::9", MGM_ALLOW_NEW_SOURCES, "ff3e::8000:1", "2001:db8::1", NULL);
	assert_true(sim_fwd(s, 0, "ff3e::8000:1", "2001:db8::1"));
	sim_free(s);
}

/* ---- Receive policy ------------------------------------------------------------------------ */

static void v2_report_with(struct sim *s, const char *src, uint8_t ttl, bool ra, const char *grp)
{
	struct mgm_addr g = sim_addr(grp), h = sim_addr(src);
	struct mgm_ip_info ip;
	uint8_t buf[64];
	size_t len;

	assert_int_equal(mgm_encode_v1v2(s->family, MGM_MSG_REPORT, s->family == MGM_INET ? 2 : 1,
					 &g, &h, &g, buf, sizeof(buf), &len),
			 0);
	sim_ip(s, &ip, src, grp);
	ip.hop_limit = ttl;
	ip.router_alert = ra;
	assert_int_equal(sim_input(s, 0, &ip, buf, len), 0);
}

static void test_policy_mld_needs_router_alert_hop_limit_1_and_link_local_source(void **state)
{
	struct sim *s = sim_new(MGM_INET6, 1, v6, NULL);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	v2_report_with(s, "fe80::9", 1, false, "ff0e::1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_NO_ROUTER_ALERT), 1);
	v2_report_with(s, "fe80::9", 2, true, "ff0e::1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_BAD_TTL), 1);
	v2_report_with(s, "2001:db8::9", 1, true, "ff0e::1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_NOT_LINK_LOCAL), 1);
	/* RFC 3810 §5.2.13: a report from :: (a host doing DAD) makes no state. */
	v2_report_with(s, "::", 1, true, "ff0e::1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_SOURCE_UNSPECIFIED), 1);
	assert_int_equal(sim_group(s, 0, "ff0e::1", &gi), MGM_E_NOENT);
	v2_report_with(s, "fe80::9", 1, true, "ff0e::1");
	assert_int_equal(sim_group(s, 0, "ff0e::1", &gi), 0);
	sim_free(s);
}

static void strict(struct mgm_router_config *c)
{
	c->ip_policy = MGM_IP_POLICY_STRICT;
}

static void test_policy_igmp_default_accepts_missing_router_alert_and_ttl(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	v2_report_with(s, "10.0.0.9", 3, false, "239.1.1.1");
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_int_equal(st.groups, 1);
	sim_free(s);
}

static void test_policy_igmp_strict_drops_but_accepts_v1_without_router_alert(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, strict);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	v2_report_with(s, "10.0.0.9", 1, false, "239.1.1.1");
	v2_report_with(s, "10.0.0.9", 2, true, "239.1.1.1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_NO_ROUTER_ALERT), 1);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_BAD_TTL), 1);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), MGM_E_NOENT);
	/* RFC 1112 hosts never sent Router Alert. */
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.1");
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	sim_free(s);
}

static void loose(struct mgm_router_config *c)
{
	c->ip_policy = MGM_IP_POLICY_LOOSE;
}

static void test_policy_mld_loose_accepts_what_default_drops(void **state)
{
	struct sim *s = sim_new(MGM_INET6, 1, v6, loose);
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	v2_report_with(s, "2001:db8::9", 4, false, "ff0e::1");
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_int_equal(st.groups, 1);
	sim_free(s);
}

static void no_subnet_check(struct mgm_router_config *c)
{
	c->check_subnet = false;
}

/* RFC 3376 §9.1: a forged query from off the link neither wins the election nor counts as an
 * older querier (§7.3.1); one from the subnet does both (the version stays as configured). */
static void test_policy_queries_from_off_the_subnet_are_ignored(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_addr on_link = sim_addr("10.0.0.0");
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	sim_query(s, 0, "1.1.1.1", 1, "0.0.0.0", false, 0, 0, 0, NULL, 0);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_OFF_SUBNET), 1);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_true(st.querier);
	assert_int_equal(st.older_querier_present_ms[1 - 1], -1);
	sim_query(s, 0, "10.0.0.0", 1, "0.0.0.0", false, 0, 0, 0, NULL, 0);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_false(st.querier);
	assert_true(mgm_addr_eq(&st.querier_address, &on_link));
	/* §8.12: Older Version Querier Present Timeout = RV x QI + QRI. */
	assert_int_equal(st.older_querier_present_ms[1 - 1], GMI);
	assert_int_equal(st.operating_version, 3);
	sim_free(s);
}

static void test_policy_reports_from_off_the_subnet_are_ignored(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct sim *t = sim_new(MGM_INET, 1, v4, no_subnet_check);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_start(t);
	sim_report_v2(s, 0, "192.168.7.7", "239.1.1.1");
	assert_int_equal(sim_drops(s, 0, MGM_DROP_OFF_SUBNET), 1);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), MGM_E_NOENT);
	/* RFC 3376 §4.2.13: 0.0.0.0 is a valid report source. */
	sim_report_v2(s, 0, "0.0.0.0", "239.1.1.1");
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	sim_report_v2(t, 0, "192.168.7.7", "239.1.1.1");
	assert_int_equal(sim_group(t, 0, "239.1.1.1", &gi), 0);
	sim_free(s);
	sim_free(t);
}

static void test_policy_link_local_groups_are_never_tracked(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct sim *t = sim_new(MGM_INET6, 1, v6, NULL);
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	sim_start(t);
	sim_report_v2(s, 0, "10.0.0.9", "224.0.0.5");
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_EXCLUDE, "224.0.0.251", NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_LINK_LOCAL_GROUP), 2);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_int_equal(st.groups, 0);
	sim_record(t, 0, "fe80::9", MGM_MODE_IS_EXCLUDE, "ff02::fb", NULL);
	sim_report_v2(t, 0, "fe80::9", "ff02::1:ff00:1");
	assert_int_equal(sim_drops(t, 0, MGM_DROP_LINK_LOCAL_GROUP), 2);
	/* RFC 4291 §2.7: the scope decides, whatever the flags (router.h says so). */
	sim_record(t, 0, "fe80::9", MGM_MODE_IS_EXCLUDE, "ff12::1234", NULL);
	sim_record(t, 0, "fe80::9", MGM_MODE_IS_EXCLUDE, "ff31::1234", NULL);
	assert_int_equal(sim_drops(t, 0, MGM_DROP_LINK_LOCAL_GROUP), 4);
	sim_record(t, 0, "fe80::9", MGM_MODE_IS_EXCLUDE, "ff15::1234", NULL);
	assert_int_equal(sim_drops(t, 0, MGM_DROP_LINK_LOCAL_GROUP), 4);
	mgm_router_status(t->rt[0].r, t->now, &st);
	assert_int_equal(st.groups, 1);
	sim_free(s);
	sim_free(t);
}

static void test_policy_malformed_message_is_counted_and_returned(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_ip_info ip;
	uint8_t junk[10] = {0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0};

	(void)state;
	sim_start(s);
	sim_ip(s, &ip, "10.0.0.9", "224.0.0.1");
	assert_true(sim_input(s, 0, &ip, junk, sizeof(junk)) < 0);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_MALFORMED), 1);
	assert_true(sim_input(s, 0, &ip, junk, 3) < 0);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_MALFORMED), 2);
	sim_free(s);
}

/* ---- Reports with bad records (RFC 3376 §4.2.12, RFC 3810 §5.2.12) ------------------------ */

struct raw_report {
	uint8_t family;
	uint8_t buf[400];
	uint8_t *p;
};

static void raw_begin(struct raw_report *w, uint8_t family, uint16_t num_records)
{
	memset(w, 0, sizeof(*w));
	w->family = family;
	w->buf[0] = family == MGM_INET ? MGM_IGMP_V3_REPORT : MGM_MLD_V2_REPORT;
	w->buf[6] = (uint8_t)(num_records >> 8);
	w->buf[7] = (uint8_t)num_records;
	w->p = w->buf + 8;
}

static void raw_addr(struct raw_report *w, const char *text)
{
	struct mgm_addr a = sim_addr(text);
	size_t alen = mgm_addr_len(w->family);

	memcpy(w->p, a.octets, alen);
	w->p += alen;
}

/* A record header and group, num_sources as given; the caller adds the sources. */
static void raw_record(struct raw_report *w, uint8_t type, uint16_t num_sources, const char *g)
{
	*w->p++ = type;
	*w->p++ = 0;
	*w->p++ = (uint8_t)(num_sources >> 8);
	*w->p++ = (uint8_t)num_sources;
	raw_addr(w, g);
}

/* Fills the checksum for src -> dst and returns the length. */
static size_t raw_end(struct raw_report *w, const struct mgm_ip_info *ip)
{
	size_t len = (size_t)(w->p - w->buf);
	uint32_t sum = w->family == MGM_INET6
			       ? mgm_icmp6_pseudo_sum(&ip->src, &ip->dst, (uint32_t)len)
			       : 0;
	uint16_t c = mgm_inet_checksum(w->buf, len, sum);

	w->buf[2] = (uint8_t)(c >> 8);
	w->buf[3] = (uint8_t)c;
	return len;
}

struct bad_record_case {
	uint8_t family;
	const char *const *self;
	const char *host, *dst;
	const char *g[6]; /* groups of records 1..6 */
	const char *unicast, *multicast_source;
};

/*
 * One report: a good IS_EX, an unknown type, a group that is not multicast, a source that is
 * not unicast, a good TO_EX, and a last record whose sources are cut off. The strict decoder
 * refuses all of it; the router applies the two good records and counts the four bad ones.
 */
static void check_bad_records_beside_good_ones(const struct bad_record_case *c)
{
	struct sim *s = sim_new(c->family, 1, c->self, NULL);
	struct mgm_router_group_info gi;
	struct mgm_router_counters k;
	struct raw_report w;
	struct mgm_ip_info ip;
	struct mgm_msg m;
	size_t len;

	sim_start(s);
	sim_ip(s, &ip, c->host, c->dst);
	raw_begin(&w, c->family, 6);
	raw_record(&w, MGM_MODE_IS_EXCLUDE, 0, c->g[0]);
	raw_record(&w, 9, 0, c->g[1]); /* RFC 3376 §4.2.12: only 1..6 are defined */
	raw_record(&w, MGM_MODE_IS_EXCLUDE, 0, c->unicast);
	raw_record(&w, MGM_ALLOW_NEW_SOURCES, 1, c->g[3]);
	raw_addr(&w, c->multicast_source);
	raw_record(&w, MGM_CHANGE_TO_EXCLUDE, 0, c->g[4]);
	raw_record(&w, MGM_MODE_IS_EXCLUDE, 2, c->g[5]); /* no room for its two sources */
	len = raw_end(&w, &ip);
	assert_int_equal(mgm_decode(c->family, w.buf, len, &ip.src, &ip.dst, &m),
			 MGM_E_RECORD_TYPE);

	assert_int_equal(sim_input(s, 0, &ip, w.buf, len), 0);
	assert_int_equal(sim_group(s, 0, c->g[0], &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_int_equal(sim_group(s, 0, c->g[4], &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_int_equal(sim_group(s, 0, c->g[1], &gi), MGM_E_NOENT);
	assert_int_equal(sim_group(s, 0, c->g[3], &gi), MGM_E_NOENT);
	assert_int_equal(sim_group(s, 0, c->g[5], &gi), MGM_E_NOENT);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_RECORD_TYPE), 1);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_RECORD_GROUP), 1);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_RECORD_SOURCE), 1);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_RECORD_TRUNCATED), 1);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_MALFORMED), 0);
	k = counters(s);
	assert_int_equal(k.rx_reports[(c->family == MGM_INET ? 3 : 2) - 1], 1);
	/* Every record read whole is counted by type, the unknown one in slot 0. */
	assert_int_equal(k.rx_records[0], 1);
	assert_int_equal(k.rx_records[MGM_MODE_IS_EXCLUDE], 2);
	assert_int_equal(k.rx_records[MGM_ALLOW_NEW_SOURCES], 1);
	assert_int_equal(k.rx_records[MGM_CHANGE_TO_EXCLUDE], 1);

	/* A bad checksum still refuses the whole message. */
	w.buf[2] ^= 0xff;
	assert_int_equal(sim_input(s, 0, &ip, w.buf, len), MGM_E_CHECKSUM);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_MALFORMED), 1);
	assert_int_equal(counters(s).rx_reports[(c->family == MGM_INET ? 3 : 2) - 1], 1);
	sim_free(s);
}

static void test_policy_report_with_bad_records_applies_the_good_ones(void **state)
{
	static const struct bad_record_case igmp = {
		MGM_INET,
		v4,
		"10.0.0.9",
		"224.0.0.22",
		{"239.1.1.1", "239.1.1.2", "", "239.1.1.4", "239.1.1.5", "239.1.1.6"},
		"10.0.0.5",
		"239.9.9.9",
	};
	static const struct bad_record_case mld = {
		MGM_INET6,
		v6,
		"fe80::9",
		"ff02::16",
		{"ff05::1", "ff05::2", "", "ff05::4", "ff05::5", "ff05::6"},
		"2001:db8::5",
		"ff05::99",
	};

	(void)state;
	check_bad_records_beside_good_ones(&igmp);
	check_bad_records_beside_good_ones(&mld);
}

/* A count of records beyond what the message holds: the records before the gap are applied,
 * the missing one counted as truncated, and that ends the walk. */
static void test_policy_report_counting_more_records_than_it_has_keeps_the_ones_before(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_group_info gi;
	struct raw_report w;
	struct mgm_ip_info ip;
	size_t len;

	(void)state;
	sim_start(s);
	sim_ip(s, &ip, "10.0.0.9", "224.0.0.22");
	raw_begin(&w, MGM_INET, 3);
	raw_record(&w, MGM_MODE_IS_EXCLUDE, 0, "239.1.1.1");
	raw_record(&w, MGM_MODE_IS_INCLUDE, 1, "239.1.1.2");
	raw_addr(&w, "10.1.1.1");
	len = raw_end(&w, &ip);
	assert_int_equal(sim_input(s, 0, &ip, w.buf, len), 0);
	assert_int_equal(sim_group(s, 0, "239.1.1.1", &gi), 0);
	assert_true(sim_fwd(s, 0, "239.1.1.2", "10.1.1.1"));
	assert_int_equal(sim_drops(s, 0, MGM_DROP_RECORD_TRUNCATED), 1);
	assert_int_equal(counters(s).rx_records[MGM_MODE_IS_INCLUDE], 1);
	sim_free(s);
}

static void test_policy_input_before_start_and_wrong_family_are_dropped(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_ip_info ip;
	uint8_t buf[8] = {0x16, 0, 0, 0, 239, 1, 1, 1};

	(void)state;
	sim_ip(s, &ip, "10.0.0.9", "239.1.1.1");
	ip.payload = buf;
	ip.payload_len = sizeof(buf);
	assert_int_equal(mgm_router_input(s->rt[0].r, 0, &ip), 0);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_NOT_RUNNING), 1);
	sim_start(s);
	ip.family = MGM_INET6;
	assert_int_equal(mgm_router_input(s->rt[0].r, 0, &ip), 0);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_FAMILY), 1);
	assert_int_equal(mgm_router_input(s->rt[0].r, 0, NULL), MGM_E_INVAL);
	/* The payload is ip->payload: a length without a buffer is misuse. */
	ip.family = MGM_INET;
	ip.payload = NULL;
	assert_int_equal(mgm_router_input(s->rt[0].r, 0, &ip), MGM_E_INVAL);
	assert_string_equal(mgm_router_drop_name(MGM_DROP_OFF_SUBNET), "off_subnet");
	assert_string_equal(mgm_router_drop_name(MGM_DROP__COUNT), "unknown");
	assert_string_equal(mgm_router_drop_name(MGM_DROP_NONE), "none");
	sim_free(s);
}

/* ---- Counters and stop ------------------------------------------------------------------------
 */

static void test_counters_count_messages_records_and_queries(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_counters c;

	(void)state;
	sim_start(s);
	sim_report_v1(s, 0, "10.0.0.9", "239.1.1.1");
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.2");
	sim_leave(s, 0, "10.0.0.9", "239.1.1.2");
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, "239.1.1.3", "10.1.0.1", NULL);
	sim_record(s, 0, "10.0.0.9", MGM_BLOCK_OLD_SOURCES, "239.1.1.3", "10.1.0.1", NULL);
	sim_query(s, 0, "10.0.0.7", 2, NULL, false, 0, 0, 10000, NULL, 0);
	c = counters(s);
	assert_int_equal(c.rx_reports[1 - 1], 1);
	assert_int_equal(c.rx_reports[2 - 1], 1);
	assert_int_equal(c.rx_reports[3 - 1], 2);
	assert_int_equal(c.rx_leaves, 1);
	assert_int_equal(c.rx_records[MGM_MODE_IS_INCLUDE], 1);
	assert_int_equal(c.rx_records[MGM_BLOCK_OLD_SOURCES], 1);
	assert_int_equal(c.rx_queries[2 - 1], 1);
	assert_int_equal(c.tx_general_queries[3 - 1], 1);
	assert_int_equal(c.tx_group_queries[3 - 1], 1);
	assert_int_equal(c.tx_group_source_queries[3 - 1], 1);
	assert_int_equal(c.groups_added, 3);
	assert_int_equal(c.sources_added, 1);
	sim_free(s);
}

static void test_stop_withdraws_every_forwarding_entry(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_status st;
	int forwarding = 0;

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, "10.0.0.9", "239.1.1.1");
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_INCLUDE, "239.1.1.2", "10.1.0.1", "10.1.0.2",
		   NULL);
	sim_record(s, 0, "10.0.0.9", MGM_MODE_IS_EXCLUDE, "239.1.1.3", "10.1.0.1", NULL);
	mgm_router_stop(s->rt[0].r, s->now);
	for (int k = 0; k < s->rt[0].nfwd; k++) {
		const struct mgm_fwd_change *c = &s->rt[0].fwd[k];

		forwarding += (c->to != MGM_FWD_NONE) - (c->from != MGM_FWD_NONE);
	}
	assert_int_equal(forwarding, 0);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_false(st.running);
	assert_int_equal(st.groups, 0);
	assert_int_equal(mgm_router_next_deadline(s->rt[0].r), MGM_TIME_NEVER);
	/* Started again: a fresh querier. */
	assert_int_equal(mgm_router_start(s->rt[0].r, s->now), 0);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_true(st.querier);
	sim_free(s);
}

/* ---- Configuration ------------------------------------------------------------------------ */

static void test_config_defaults_are_the_rfc_values(void **state)
{
	struct mgm_router_config c;
	char err[200];

	(void)state;
	mgm_router_config_defaults(&c, MGM_INET);
	assert_int_equal(c.version, 3);
	assert_int_equal(c.robustness, 2);
	assert_int_equal(c.query_interval_ms, 125000);
	assert_int_equal(c.query_response_interval_ms, 10000);
	/* Derived from RV and QI when used (0). */
	assert_int_equal(c.startup_query_interval_ms, 0);
	assert_int_equal(c.startup_query_count, 0);
	assert_int_equal(c.last_member_query_interval_ms, 1000);
	assert_int_equal(c.last_member_query_count, 0);
	assert_true(c.querier);
	assert_false(c.fast_leave);
	assert_int_equal(mgm_router_config_check(&c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	mgm_router_config_defaults(&c, MGM_INET6);
	assert_int_equal(c.version, 2);
	assert_int_equal(mgm_router_config_check(&c, err, sizeof(err)), 0);
}

struct bad_config {
	const char *name;
	void (*set)(struct mgm_router_config *c);
	const char *words; /* must appear in the message */
};

static void bad_family(struct mgm_router_config *c)
{
	c->family = 5;
}
static void bad_version(struct mgm_router_config *c)
{
	c->version = 4;
}
static void bad_rv(struct mgm_router_config *c)
{
	c->robustness = 0;
}
static void bad_qri(struct mgm_router_config *c)
{
	c->query_response_interval_ms = 125000;
}
static void bad_qri_v2(struct mgm_router_config *c)
{
	c->version = 2;
	c->query_response_interval_ms = 30000;
}
static void bad_qi(struct mgm_router_config *c)
{
	c->query_interval_ms = 500;
}
static void bad_sqi(struct mgm_router_config *c)
{
	c->startup_query_interval_ms = 200000;
}
static void bad_lmqi(struct mgm_router_config *c)
{
	c->last_member_query_interval_ms = 50;
}
static void bad_limit(struct mgm_router_config *c)
{
	c->max_groups = 0;
}
static void bad_per_group(struct mgm_router_config *c)
{
	c->max_sources_per_group = 70000;
}
static void bad_mtu(struct mgm_router_config *c)
{
	c->mtu = 500;
}
static void bad_policy(struct mgm_router_config *c)
{
	c->ip_policy = 9;
}
static void bad_gmi(struct mgm_router_config *c)
{
	c->robustness = 200;
	c->query_interval_ms = 31744000;
}

static const struct bad_config bad[] = {
	{"family", bad_family, "family (5)"},
	{"version", bad_version, "version (4) must be 1..3"},
	{"robustness", bad_rv, "robustness (0)"},
	{"qri >= qi", bad_qri,
	 "query_response_interval_ms (125000) must be below query_interval_ms (125000)"},
	{"qri for v2", bad_qri_v2, "query_response_interval_ms (30000) must be 100..25500"},
	{"qi", bad_qi, "query_interval_ms (500)"},
	{"sqi", bad_sqi, "startup_query_interval_ms (200000)"},
	{"lmqi", bad_lmqi, "last_member_query_interval_ms (50)"},
	{"max_groups", bad_limit, "max_groups (0)"},
	{"max_sources_per_group", bad_per_group, "max_sources_per_group (70000)"},
	{"mtu", bad_mtu, "mtu (500)"},
	{"ip_policy", bad_policy, "ip_policy (9)"},
	{"gmi", bad_gmi, "robustness (200) x query_interval_ms (31744000)"},
};

static void test_config_check_names_the_field_and_the_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mgm_router_config c;
		struct mgm_router *r = NULL;
		char err[256];

		mgm_router_config_defaults(&c, MGM_INET);
		bad[i].set(&c);
		err[0] = '\0';
		if (mgm_router_config_check(&c, err, sizeof(err)) != MGM_E_CONFIG)
			fail_msg("%s: accepted", bad[i].name);
		if (!strstr(err, bad[i].words))
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].name, err, bad[i].words);
		assert_int_equal(mgm_router_create(&c, NULL, NULL, &r, NULL, 0), MGM_E_CONFIG);
		assert_null(r);
	}
}

/* RFC 3376 §4.1.7, §8.2; §4.1.1; RFC 3810 §5.1.3, §5.1.9: intervals the codes would round are
 * refused with the representable neighbours; the neighbours themselves are accepted. */
static void test_config_refuses_intervals_the_codes_cannot_carry(void **state)
{
	static const struct {
		uint8_t family, version;
		uint32_t qi, qri;
		const char *words; /* NULL: accepted */
	} cases[] = {
		{MGM_INET, 3, 130000, 10000, "query_interval_ms (130000) cannot be sent exactly"},
		{MGM_INET, 3, 130000, 10000, "128000 or 136000"},
		{MGM_INET, 3, 125500, 10000, "125000 or 126000"},
		{MGM_INET, 2, 130000, 10000, "query_interval_ms (130000)"},
		{MGM_INET6, 2, 130000, 10000, "128000 or 136000"},
		{MGM_INET, 3, 128000, 10000, NULL},
		{MGM_INET, 3, 136000, 10000, NULL},
		{MGM_INET, 3, 31744000, 10000, NULL},
		{MGM_INET, 3, 125000, 10050, "query_response_interval_ms (10050)"},
		{MGM_INET, 3, 125000, 10050, "10000 or 10100"},
		{MGM_INET, 3, 125000, 13000, "12800 or 13600"},
		{MGM_INET, 3, 125000, 12800, NULL},
		{MGM_INET, 2, 125000, 10050, "10000 or 10100"},
		{MGM_INET, 2, 125000, 13000, NULL},
		{MGM_INET, 1, 125000, 10050, NULL}, /* IGMPv1 sends no time */
		{MGM_INET6, 2, 125000, 40001, "40000 or 40008"},
		{MGM_INET6, 2, 125000, 40008, NULL},
		{MGM_INET6, 2, 125000, 10001, NULL},
		{MGM_INET6, 1, 125000, 10001, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mgm_router_config c;
		char err[300];
		int rc;

		mgm_router_config_defaults(&c, cases[i].family);
		c.version = cases[i].version;
		c.query_interval_ms = cases[i].qi;
		c.query_response_interval_ms = cases[i].qri;
		c.startup_query_interval_ms = cases[i].qi / 4;
		err[0] = '\0';
		rc = mgm_router_config_check(&c, err, sizeof(err));
		if (!cases[i].words && rc != 0)
			fail_msg("case %zu refused: %s", i, err);
		if (cases[i].words && rc != MGM_E_CONFIG)
			fail_msg("case %zu accepted", i);
		if (cases[i].words && !strstr(err, cases[i].words))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err, cases[i].words);
	}
}

/* RFC 3376 §6.6.3, RFC 3810 §7.6.3: group-specific queries carry the Last Member Query Interval
 * as their Max Resp Code, so it too must be sent exactly. */
static void test_config_refuses_a_last_member_interval_the_codes_cannot_carry(void **state)
{
	static const struct {
		uint8_t family, version;
		uint32_t lmqi;
		const char *words; /* NULL: accepted */
	} cases[] = {
		{MGM_INET, 3, 1050, "last_member_query_interval_ms (1050) cannot be sent exactly"},
		{MGM_INET, 3, 1050, "1000 or 1100"},
		{MGM_INET, 3, 13000, "12800 or 13600"},
		{MGM_INET, 3, 12700, NULL},
		{MGM_INET, 3, 13600, NULL},
		{MGM_INET, 2, 1050, "1000 or 1100"},
		{MGM_INET, 2, 1100, NULL},
		{MGM_INET, 1, 1050, NULL}, /* IGMPv1 has no group-specific queries */
		{MGM_INET6, 2, 1050, NULL},
		{MGM_INET6, 2, 40001, "40000 or 40008"},
		{MGM_INET6, 1, 40001, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mgm_router_config c;
		char err[300];
		int rc;

		mgm_router_config_defaults(&c, cases[i].family);
		c.version = cases[i].version;
		c.query_response_interval_ms = 10000;
		c.last_member_query_interval_ms = cases[i].lmqi;
		err[0] = '\0';
		rc = mgm_router_config_check(&c, err, sizeof(err));
		if (!cases[i].words && rc != 0)
			fail_msg("case %zu refused: %s", i, err);
		if (cases[i].words && rc != MGM_E_CONFIG)
			fail_msg("case %zu accepted", i);
		if (cases[i].words && !strstr(err, cases[i].words))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err, cases[i].words);
	}
}

static void test_config_robustness_1_is_allowed_with_a_warning(void **state)
{
	struct mgm_router_config c;
	char err[200];

	(void)state;
	mgm_router_config_defaults(&c, MGM_INET);
	c.robustness = 1;
	assert_int_equal(mgm_router_config_check(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "warning: robustness 1"));
}

static void test_reconfigure_refuses_bad_values_and_a_family_change(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_config c = s->rt[0].cfg;
	char err[200];

	(void)state;
	sim_start(s);
	c.robustness = 0;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, 0, &c, err, sizeof(err)), MGM_E_CONFIG);
	mgm_router_config_defaults(&c, MGM_INET6);
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, 0, &c, err, sizeof(err)), MGM_E_CONFIG);
	assert_non_null(strstr(err, "family (6)"));
	/* A good one applies: a lower version takes effect at once. */
	c = s->rt[0].cfg;
	c.version = 2;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, 0, &c, err, sizeof(err)), 0);
	sim_clear(s);
	sim_run(s, 40000);
	assert_int_equal(s->rt[0].sent[0].m.version, 2);
	sim_free(s);
}

/* A refused allocation in reconfigure leaves the old configuration and buffers in place,
 * whichever of the new buffers it hit. */
static void test_reconfigure_nomem_keeps_old_configuration_and_buffers(void **state)
{
	struct test_alloc b = {0};
	struct mgm_allocator hooks = test_alloc_hooks(&b);
	struct mgm_router_config cfg, c;
	struct mgm_router_status st;
	struct mgm_router *r;
	size_t held, mem;

	(void)state;
	mgm_router_config_defaults(&cfg, MGM_INET);
	assert_int_equal(mgm_router_create(&cfg, NULL, &hooks, &r, NULL, 0), 0);
	held = b.live;
	mgm_router_status(r, 0, &st);
	mem = st.memory;
	c = cfg;
	c.mtu = 9000;
	c.max_sources_per_group = 1000;
	c.robustness = 3;
	/* The new query buffers take two allocations, the record cache one: fail each. */
	for (int grant = 2; grant >= 0; grant--) {
		char err[200] = "";

		test_alloc_budget(&b, grant);
		assert_int_equal(mgm_router_reconfigure(r, 0, &c, err, sizeof(err)), MGM_E_NOMEM);
		assert_int_equal(b.live, held);
		mgm_router_status(r, 0, &st);
		assert_int_equal(st.memory, mem);
		assert_int_equal(st.robustness, 2);
		assert_true(err[0] != '\0');
	}
	/* With memory it applies, and the old buffers are given back. */
	test_alloc_budget(&b, -1);
	assert_int_equal(mgm_router_reconfigure(r, 0, &c, NULL, 0), 0);
	mgm_router_status(r, 0, &st);
	assert_int_equal(st.robustness, 3);
	assert_int_equal(st.memory, b.live);
	assert_true(b.live > held);
	mgm_router_destroy(r);
	assert_int_equal(b.live, 0);
}

static void test_create_refuses_an_allocator_with_only_one_hook(void **state)
{
	struct test_alloc b = {0};
	struct mgm_allocator only_alloc = {.alloc = test_alloc_alloc, .ctx = &b};
	struct mgm_allocator only_free = {.free = test_alloc_free, .ctx = &b};
	struct mgm_allocator neither = {.ctx = &b};
	struct mgm_router_config cfg;
	struct mgm_router *r = (struct mgm_router *)&b;

	(void)state;
	mgm_router_config_defaults(&cfg, MGM_INET);
	assert_int_equal(mgm_router_create(&cfg, NULL, &only_alloc, &r, NULL, 0), MGM_E_INVAL);
	assert_null(r);
	assert_int_equal(mgm_router_create(&cfg, NULL, &only_free, &r, NULL, 0), MGM_E_INVAL);
	assert_null(r);
	assert_int_equal(b.live, 0);
	/* Neither hook: malloc and free, as documented. */
	assert_int_equal(mgm_router_create(&cfg, NULL, &neither, &r, NULL, 0), 0);
	assert_non_null(r);
	mgm_router_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reentering_callback_is_refused_and_state_stays_whole),
		cmocka_unit_test(test_destroy_of_a_running_router_withdraws_forwarding),
		cmocka_unit_test(test_source_lookup_reports_one_source_or_noent),
		cmocka_unit_test(test_limit_max_groups_refuses_a_new_group_and_counts_it),
		cmocka_unit_test(test_limit_sources_per_group_refuses_the_whole_record),
		cmocka_unit_test(test_limit_sources_per_interface_refuses_records),
		cmocka_unit_test(test_nomem_refuses_the_record_and_keeps_state_whole),
		cmocka_unit_test(test_ssm_drops_exclude_records_and_older_reports),
		cmocka_unit_test(test_ssm_mld_range_drops_exclude_records),
		cmocka_unit_test(
			test_policy_mld_needs_router_alert_hop_limit_1_and_link_local_source),
		cmocka_unit_test(test_policy_igmp_default_accepts_missing_router_alert_and_ttl),
		cmocka_unit_test(test_policy_igmp_strict_drops_but_accepts_v1_without_router_alert),
		cmocka_unit_test(test_policy_mld_loose_accepts_what_default_drops),
		cmocka_unit_test(test_policy_reports_from_off_the_subnet_are_ignored),
		cmocka_unit_test(test_policy_queries_from_off_the_subnet_are_ignored),
		cmocka_unit_test(test_policy_link_local_groups_are_never_tracked),
		cmocka_unit_test(test_policy_malformed_message_is_counted_and_returned),
		cmocka_unit_test(test_policy_input_before_start_and_wrong_family_are_dropped),
		cmocka_unit_test(test_policy_report_with_bad_records_applies_the_good_ones),
		cmocka_unit_test(
			test_policy_report_counting_more_records_than_it_has_keeps_the_ones_before),
		cmocka_unit_test(test_counters_count_messages_records_and_queries),
		cmocka_unit_test(test_stop_withdraws_every_forwarding_entry),
		cmocka_unit_test(test_config_defaults_are_the_rfc_values),
		cmocka_unit_test(test_config_check_names_the_field_and_the_values),
		cmocka_unit_test(test_config_robustness_1_is_allowed_with_a_warning),
		cmocka_unit_test(test_config_refuses_intervals_the_codes_cannot_carry),
		cmocka_unit_test(test_config_refuses_a_last_member_interval_the_codes_cannot_carry),
		cmocka_unit_test(test_reconfigure_refuses_bad_values_and_a_family_change),
		cmocka_unit_test(test_reconfigure_nomem_keeps_old_configuration_and_buffers),
		cmocka_unit_test(test_create_refuses_an_allocator_with_only_one_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
