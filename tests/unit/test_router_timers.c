/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Timer paths of the router engine in simulated time: group timer expiry and the switch to
 * INCLUDE (RFC 3376 §6.5), source timer expiry in both modes (§6.2.1, §6.3), and the
 * retransmissions of Q(G) and Q(G,S) with their S flag and split (§6.6.3.1, §6.6.3.2); then
 * fast leave by explicit tracking.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "router_sim.h"

#define GMI 260000
#define G   "239.1.1.1"
#define H1  "10.0.0.11"
#define H2  "10.0.0.12"
#define S1  "10.1.0.1"
#define S2  "10.1.0.2"
#define S3  "10.1.0.3"

static const char *const v4[] = {"10.0.0.1"};
static const char *const names[] = {S1, S2, S3};

static int fwd_index(const struct sim *s, const char *src, uint8_t from, uint8_t to)
{
	for (int k = 0; k < s->rt[0].nfwd; k++) {
		const struct mgm_fwd_change *c = &s->rt[0].fwd[k];
		bool star = src == NULL;

		if (c->any_source != star || c->from != from || c->to != to)
			continue;
		if (!star) {
			struct mgm_addr a = sim_addr(src);

			if (!mgm_addr_eq(&a, &c->source))
				continue;
		}
		return k;
	}
	return -1;
}

static bool gone(struct sim *s, const char *g)
{
	struct mgm_router_group_info gi;

	return sim_group(s, 0, g, &gi) == MGM_E_NOENT;
}

static void test_group_timer_expiry_switches_to_include_with_running_sources(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_group_info gi;
	int a, b, c;

	(void)state;
	sim_start(s);
	/* EXCLUDE(X = {S1}, Y = {S3}) with the group timer from t = 0. */
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, S3, NULL);
	sim_record(s, 0, H1, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
	sim_run(s, 100000);
	sim_record(s, 0, H2, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	sim_clear(s);
	sim_run(s, GMI - 1);
	assert_int_equal(s->rt[0].nfwd, 0);
	sim_run(s, GMI);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_INCLUDE);
	assert_int_equal(gi.group_timer_ms, -1);
	assert_true(sim_has_source(s, 0, G, S1));
	assert_false(sim_has_source(s, 0, G, S3));
	/* S1 starts before (*,G) stops; S3's block goes last. */
	a = fwd_index(s, S1, MGM_FWD_NONE, MGM_FWD_FORWARD);
	b = fwd_index(s, NULL, MGM_FWD_FORWARD, MGM_FWD_NONE);
	c = fwd_index(s, S3, MGM_FWD_BLOCK, MGM_FWD_NONE);
	assert_true(a >= 0 && b > a && c > b);
	assert_true(sim_fwd(s, 0, G, S1));
	assert_false(sim_fwd(s, 0, G, S2));
	/* S1's own timer (refreshed at 100 s) ends the group. */
	sim_run(s, 100000 + GMI);
	assert_true(gone(s, G));
	assert_true(fwd_index(s, S1, MGM_FWD_FORWARD, MGM_FWD_NONE) > c);
	sim_free(s);
}

/* Forwarding changes captured for one source (NULL: (*,G)). */
static int fwd_count(const struct sim *s, const char *src)
{
	int n = 0;

	for (int k = 0; k < s->rt[0].nfwd; k++) {
		const struct mgm_fwd_change *c = &s->rt[0].fwd[k];
		struct mgm_addr a;

		if (!src) {
			n += c->any_source;
			continue;
		}
		a = sim_addr(src);
		n += !c->any_source && mgm_addr_eq(&a, &c->source);
	}
	return n;
}

/*
 * §6.5 carries into INCLUDE only the sources "with source timers greater than zero": a source
 * of X whose timer runs out in the same millisecond as the group timer is not forwarded and
 * withdrawn again (nor blocked and unblocked), whichever of the two timers fires first. S2,
 * refreshed later, is carried over.
 */
static void test_group_and_source_timer_expiring_together_emit_no_churn(void **state)
{
	for (int order = 0; order < 2; order++) {
		struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
		struct mgm_router_group_info gi;

		(void)state;
		sim_start(s);
		if (order == 0) {
			/* The group's timer entry first, then S1's. */
			sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
			sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
		} else {
			/* S1 before the group's timer runs: INCLUDE({S1}), then IS_EX({S1}). */
			sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
			sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, S1, NULL);
		}
		sim_run(s, 1000);
		sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S2, NULL);
		assert_int_equal(sim_source_timer(s, 0, G, S1), GMI - 1000);
		assert_int_equal(sim_group(s, 0, G, &gi), 0);
		assert_int_equal(gi.group_timer_ms, GMI - 1000);
		sim_clear(s);
		sim_run(s, GMI);
		assert_int_equal(sim_group(s, 0, G, &gi), 0);
		assert_int_equal(gi.filter_mode, MGM_INCLUDE);
		assert_false(sim_has_source(s, 0, G, S1));
		assert_int_equal(fwd_count(s, S1), 0);
		assert_false(sim_fwd(s, 0, G, S1));
		/* S2 is carried over before (*,G) stops: two changes in all. */
		assert_int_equal(fwd_index(s, S2, MGM_FWD_NONE, MGM_FWD_FORWARD), 0);
		assert_int_equal(fwd_index(s, NULL, MGM_FWD_FORWARD, MGM_FWD_NONE), 1);
		assert_int_equal(s->rt[0].nfwd, 2);
		sim_free(s);
	}
}

static void test_group_timer_expiry_deletes_group_without_running_sources(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, S3, NULL);
	sim_run(s, GMI);
	assert_true(gone(s, G));
	assert_false(sim_fwd(s, 0, G, S1));
	assert_false(sim_fwd(s, 0, G, S3));
	sim_free(s);
}

static void test_source_timer_expiry_in_exclude_moves_source_to_y(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
	sim_run(s, 100000);
	/* IS_EX({S1}) keeps S1 in X with its own timer and raises the group timer. */
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, S1, NULL);
	sim_clear(s);
	sim_run(s, GMI);
	assert_int_equal(sim_source_timer(s, 0, G, S1), -1);
	assert_false(sim_fwd(s, 0, G, S1));
	assert_true(sim_fwd(s, 0, G, S2));
	assert_int_equal(s->rt[0].nfwd, 1);
	assert_int_equal(fwd_index(s, S1, MGM_FWD_NONE, MGM_FWD_BLOCK), 0);
	sim_free(s);
}

/* A refresh to a GMI shorter than the source's running timer (the query interval was lowered)
 * must bring the timer down to it: the store's refresh that skips the heap may only move a
 * timer later than its heap entry. */
static void test_source_timer_refresh_after_gmi_shrinks(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_config c = s->rt[0].cfg;
	int64_t gmi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	assert_int_equal(sim_source_timer(s, 0, G, S1), GMI);
	c.query_interval_ms = 25000;
	c.startup_query_interval_ms = 6000;
	assert_int_equal(mgm_router_reconfigure(s->rt[0].r, s->now, &c, NULL, 0), 0);
	gmi = (int64_t)c.robustness * c.query_interval_ms + c.query_response_interval_ms;
	sim_run(s, 1000);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	assert_int_equal(sim_source_timer(s, 0, G, S1), gmi);
	sim_run(s, 1000 + gmi - 1);
	assert_true(sim_has_source(s, 0, G, S1));
	sim_run(s, 1000 + gmi);
	assert_true(gone(s, G));
	sim_free(s);
}

/* A caller that does not run the timers for more than 2^32 ms (the source's heap entry long
 * overdue) and then refreshes: the refresh still holds a whole GMI. */
static void test_source_timer_refresh_after_timers_not_run_for_fifty_days(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	s->now = 5000000000; /* about 58 days later, no mgm_router_timer() call in between */
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	mgm_router_timer(s->rt[0].r, s->now);
	assert_int_equal(sim_source_timer(s, 0, G, S1), GMI);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, s->now + GMI - 1);
	assert_true(sim_has_source(s, 0, G, S1));
	sim_run(s, s->now + 1);
	assert_true(gone(s, G));
	sim_free(s);
}

static void test_source_timer_expiry_in_include_deletes_source_then_group(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, S2, NULL);
	sim_run(s, 50000);
	sim_record(s, 0, H1, MGM_ALLOW_NEW_SOURCES, G, S2, NULL);
	sim_run(s, GMI);
	assert_false(sim_has_source(s, 0, G, S1));
	assert_true(sim_fwd(s, 0, G, S2));
	sim_run(s, 50000 + GMI);
	assert_true(gone(s, G));
	sim_free(s);
}

static void test_refreshed_source_timer_outlives_its_first_deadline(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	for (int64_t t = 0; t <= 1000000; t += 125000) {
		sim_run(s, t);
		sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
		assert_int_equal(sim_source_timer(s, 0, G, S1), GMI);
	}
	sim_run(s, 1000000 + GMI - 1);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 1000000 + GMI);
	assert_true(gone(s, G));
	sim_free(s);
}

static const struct sim_sent *query_at(const struct sim *s, int64_t at, bool s_flag, int mask)
{
	for (int k = 0; k < s->rt[0].nsent; k++) {
		const struct sim_sent *q = &s->rt[0].sent[k];

		if (q->at == at && sim_query_for(s, q, G) && q->m.suppress == s_flag &&
		    sim_query_mask(s, q, names, 3) == mask)
			return q;
	}
	return NULL;
}

static void test_group_source_query_retransmission_splits_by_s_flag(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, S2, NULL);
	sim_run(s, 10000);
	sim_clear(s);
	sim_record(s, 0, H1, MGM_BLOCK_OLD_SOURCES, G, S1, S2, NULL);
	assert_non_null(query_at(s, 10000, false, 3));
	/* Another host still wants S1 and says so before the retransmission. */
	sim_run(s, 10500);
	sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
	sim_run(s, 11000);
	/* §6.6.3.2: S set for the source above LMQT, S clear for the one at or below. */
	assert_int_equal(s->rt[0].nsent, 3);
	assert_non_null(query_at(s, 11000, true, 1));
	assert_non_null(query_at(s, 11000, false, 2));
	assert_int_equal(sim_source_timer(s, 0, G, S1), GMI - 500);
	sim_run(s, 12000);
	assert_false(sim_has_source(s, 0, G, S2));
	assert_true(sim_fwd(s, 0, G, S1));
	assert_int_equal(s->rt[0].nsent, 3);
	sim_free(s);
}

static void test_group_query_retransmission_sets_s_flag_after_a_report(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_run(s, 10000);
	sim_clear(s);
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_non_null(query_at(s, 10000, false, 0));
	sim_run(s, 10500);
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_run(s, 11000);
	/* §6.6.3.1: the group timer is above LMQT again, so S is set; and the router does not
	 * lower its own timer for it (§6.6.1). */
	assert_int_equal(s->rt[0].nsent, 2);
	assert_non_null(query_at(s, 11000, true, 0));
	sim_run(s, 20000);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_free(s);
}

static void test_group_query_and_source_query_together_leave_out_the_s_set_one(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
	sim_run(s, 10000);
	sim_clear(s);
	/* EXCLUDE(X = {S1}) + TO_IN({}): Q(G, X) and Q(G), both S clear. */
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_int_equal(s->rt[0].nsent, 2);
	assert_non_null(query_at(s, 10000, false, 0));
	assert_non_null(query_at(s, 10000, false, 1));
	sim_run(s, 10500);
	sim_record(s, 0, H2, MGM_ALLOW_NEW_SOURCES, G, S1, NULL);
	sim_run(s, 11000);
	/* Q(G) goes again; the S-set Q(G,{S1}) may be left out beside it (§6.6.3.2 note). */
	assert_int_equal(s->rt[0].nsent, 3);
	assert_non_null(query_at(s, 11000, false, 0));
	sim_free(s);
}

static void lmqc4(struct mgm_router_config *c)
{
	c->last_member_query_count = 4;
	c->last_member_query_interval_ms = 500;
}

static void test_last_member_queries_follow_count_and_interval(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, lmqc4);

	(void)state;
	sim_start(s);
	sim_report_v2(s, 0, H1, G);
	sim_run(s, 10000);
	sim_clear(s);
	sim_leave(s, 0, H1, G);
	sim_run(s, 11999);
	assert_int_equal(s->rt[0].nsent, 4);
	/* §6.6.3.1: Q(G), S clear (the group timer is at or below LMQT), Max Resp Time LMQI. */
	for (int k = 0; k < 4; k++) {
		assert_ptr_equal(query_at(s, 10000 + 500 * k, false, 0), &s->rt[0].sent[k]);
		assert_int_equal(s->rt[0].sent[k].m.max_resp_ms, 500);
	}
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 12000);
	assert_true(gone(s, G));
	assert_int_equal(s->rt[0].nsent, 4);
	sim_free(s);
}

/* ---- Fast leave ------------------------------------------------------------------------------ */

static void fast(struct mgm_router_config *c)
{
	c->fast_leave = true;
}

static void test_fast_leave_last_exclude_reporter_stops_forwarding_at_once(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);
	struct mgm_router_group_info gi;
	struct mgm_router_status st;

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_true(gi.tracking_trusted);
	assert_int_equal(gi.tracked_reporters, 2);
	sim_run(s, 10000);
	sim_clear(s);
	/* One of two leaves: the normal procedure, forwarding goes on. */
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_true(sim_fwd(s, 0, G, S1));
	assert_int_equal(s->rt[0].nsent, 1);
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_run(s, 20000);
	sim_clear(s);
	/* The last one: forwarding stops now, not after LMQT. */
	sim_record(s, 0, H2, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_false(sim_fwd(s, 0, G, S1));
	assert_true(gone(s, G));
	assert_int_equal(fwd_index(s, NULL, MGM_FWD_FORWARD, MGM_FWD_NONE), 0);
	/* The first query still goes out, as a safety net; its retransmissions do not. */
	assert_int_equal(s->rt[0].nsent, 1);
	sim_run(s, 30000);
	assert_int_equal(s->rt[0].nsent, 1);
	mgm_router_status(s->rt[0].r, s->now, &st);
	assert_int_equal(st.tracked, 0);
	sim_free(s);
}

static void test_fast_leave_last_reporter_blocking_a_source_stops_it_at_once(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, S2, NULL);
	sim_record(s, 0, H2, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	sim_record(s, 0, H2, MGM_BLOCK_OLD_SOURCES, G, S1, NULL);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_record(s, 0, H1, MGM_BLOCK_OLD_SOURCES, G, S1, NULL);
	assert_false(sim_fwd(s, 0, G, S1));
	assert_false(sim_has_source(s, 0, G, S1));
	assert_true(sim_fwd(s, 0, G, S2));
	/* A full-state record drops what it no longer lists. */
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, S3, NULL);
	assert_false(sim_fwd(s, 0, G, S2));
	assert_true(sim_fwd(s, 0, G, S3));
	sim_free(s);
}

static void test_fast_leave_switch_keeps_sources_include_reporters_want(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, S3, NULL);
	sim_record(s, 0, H2, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_INCLUDE);
	assert_true(sim_fwd(s, 0, G, S1));
	assert_false(sim_fwd(s, 0, G, S2));
	assert_false(sim_has_source(s, 0, G, S3));
	sim_free(s);
}

static void test_fast_leave_falls_back_for_groups_with_older_hosts(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	/* IGMPv2 hosts suppress each other's reports: the one seen may not be the last. */
	sim_report_v2(s, 0, H1, G);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_false(gi.tracking_trusted);
	sim_leave(s, 0, H1, G);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 2000);
	assert_true(gone(s, G));
	sim_free(s);
}

/* router.h: a report from the unspecified address (RFC 3376 §4.2.13) may stand for several
 * hosts, so tracking cannot know the last one left. */
static void test_fast_leave_falls_back_after_report_from_unspecified(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, "0.0.0.0", MGM_MODE_IS_EXCLUDE, G, NULL);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_false(gi.tracking_trusted);
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 2000);
	assert_true(gone(s, G));
	sim_free(s);
}

static void fast_tiny(struct mgm_router_config *c)
{
	c->fast_leave = true;
	c->max_tracked = 1;
}

static void test_fast_leave_tracking_limit_falls_back_to_last_member_queries(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast_tiny);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	assert_int_equal(sim_drops(s, 0, MGM_DROP_TRACK_LIMIT), 1);
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	/* H2 was never tracked: only the last-member queries can tell. */
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 2000);
	assert_true(gone(s, G));
	sim_free(s);
}

/* An EXCLUDE-mode host answers Q(G,S) with IS_IN(B-A) (RFC 3376 §5.2): that is a part of what
 * it wants, not a switch to INCLUDE, so the group must stay EXCLUDE and keep forwarding. */
static void test_fast_leave_exclude_host_answering_source_query_stays_exclude(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, S3, NULL);
	sim_record(s, 0, H2, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	sim_run(s, 10000);
	sim_clear(s);
	/* H2 blocks S1: the router asks Q(G,S1) and H1, excluding only S3, answers IS_IN(S1). */
	sim_record(s, 0, H2, MGM_BLOCK_OLD_SOURCES, G, S1, NULL);
	assert_int_equal(sim_queries(&s->rt[0]), 1);
	assert_int_equal(sim_query_mask(s, &s->rt[0].sent[0], names, 3), 1);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_int_equal(gi.filter_mode, MGM_EXCLUDE);
	assert_true(sim_fwd(s, 0, G, S1));
	assert_true(sim_fwd(s, 0, G, S2));
	assert_false(sim_fwd(s, 0, G, S3));
	assert_int_equal(fwd_index(s, NULL, MGM_FWD_FORWARD, MGM_FWD_NONE), -1);
	/* Its real leave still takes effect at once. */
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_false(sim_fwd(s, 0, G, S2));
	sim_free(s);
}

/* EXCLUDE + IS_EX(A) deletes (X-A) (RFC 3376 §6.4.1), and with it which reporters asked for
 * those sources: tracking no longer knows every member and must not cut the group short. */
static void test_fast_leave_row_deleting_tracked_source_falls_back(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, fast);
	struct mgm_router_group_info gi;

	(void)state;
	sim_start(s);
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	assert_true(sim_has_source(s, 0, G, S1));
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_true(gi.tracking_trusted);
	sim_run(s, 10000);
	/* H2 answers a general query: X-A = {S1} goes, H1's tracking with it. */
	sim_record(s, 0, H2, MGM_MODE_IS_EXCLUDE, G, NULL);
	assert_false(sim_has_source(s, 0, G, S1));
	sim_clear(s);
	/* H2 leaves: H1 still wants S1, only the last-member queries can find that out. */
	sim_record(s, 0, H2, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_false(gone(s, G));
	assert_true(sim_fwd(s, 0, G, S1));
	assert_int_equal(fwd_index(s, NULL, MGM_FWD_FORWARD, MGM_FWD_NONE), -1);
	assert_int_equal(sim_group(s, 0, G, &gi), 0);
	assert_false(gi.tracking_trusted);
	sim_record(s, 0, H1, MGM_MODE_IS_INCLUDE, G, S1, NULL);
	sim_run(s, 20000);
	assert_true(sim_fwd(s, 0, G, S1));
	assert_false(sim_fwd(s, 0, G, S2));
	sim_free(s);
}

static void test_fast_leave_off_keeps_forwarding_until_lmqt(void **state)
{
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);

	(void)state;
	sim_start(s);
	sim_record(s, 0, H1, MGM_MODE_IS_EXCLUDE, G, NULL);
	sim_record(s, 0, H1, MGM_CHANGE_TO_INCLUDE, G, NULL);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 1999);
	assert_true(sim_fwd(s, 0, G, S1));
	sim_run(s, 2000);
	assert_false(sim_fwd(s, 0, G, S1));
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_timer_expiry_switches_to_include_with_running_sources),
		cmocka_unit_test(test_group_and_source_timer_expiring_together_emit_no_churn),
		cmocka_unit_test(test_group_timer_expiry_deletes_group_without_running_sources),
		cmocka_unit_test(test_source_timer_expiry_in_exclude_moves_source_to_y),
		cmocka_unit_test(test_source_timer_refresh_after_gmi_shrinks),
		cmocka_unit_test(test_source_timer_refresh_after_timers_not_run_for_fifty_days),
		cmocka_unit_test(test_source_timer_expiry_in_include_deletes_source_then_group),
		cmocka_unit_test(test_refreshed_source_timer_outlives_its_first_deadline),
		cmocka_unit_test(test_group_source_query_retransmission_splits_by_s_flag),
		cmocka_unit_test(test_group_query_retransmission_sets_s_flag_after_a_report),
		cmocka_unit_test(
			test_group_query_and_source_query_together_leave_out_the_s_set_one),
		cmocka_unit_test(test_last_member_queries_follow_count_and_interval),
		cmocka_unit_test(test_fast_leave_last_exclude_reporter_stops_forwarding_at_once),
		cmocka_unit_test(test_fast_leave_last_reporter_blocking_a_source_stops_it_at_once),
		cmocka_unit_test(test_fast_leave_switch_keeps_sources_include_reporters_want),
		cmocka_unit_test(test_fast_leave_falls_back_for_groups_with_older_hosts),
		cmocka_unit_test(test_fast_leave_falls_back_after_report_from_unspecified),
		cmocka_unit_test(test_fast_leave_tracking_limit_falls_back_to_last_member_queries),
		cmocka_unit_test(test_fast_leave_exclude_host_answering_source_query_stays_exclude),
		cmocka_unit_test(test_fast_leave_row_deleting_tracked_source_falls_back),
		cmocka_unit_test(test_fast_leave_off_keeps_forwarding_until_lmqt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
