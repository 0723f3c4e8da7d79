/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Answers to queries: RFC 3376 §5.2 (RFC 3810 §6.2) in v3 / MLDv2 with current-state records
 * built when the answer is sent, RFC 2236 §3 / RFC 2710 §4 (report suppression) in the older
 * versions; and host compatibility, §7.2 (RFC 3810 §8.2): the Older Version Querier Present
 * timers that lower the version spoken.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host_priv.h"
#include "mgm/err.h"

static bool has_state(const struct hgroup *g)
{
	return g->mode == MGM_EXCLUDE || g->src.n;
}

/* Frees every group that nothing keeps any more; the table changes under a freed group, so the
 * walk starts over after each. */
static void gc_all(struct mgm_host *h)
{
	bool again = true;

	while (again) {
		uint32_t before = h->groups.live;

		again = false;
		for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;) {
			mgm_hst_group_gc(h, gi);
			if (h->groups.live != before) {
				again = true;
				break;
			}
		}
	}
}

/* ---- §7.2.1 / RFC 3810 §8.2.1: compatibility --------------------------------------------- */

void mgm_hst_version_changed(struct mgm_host *h, int64_t now, uint8_t from)
{
	uint8_t to = mgm_hst_version(h, now);

	if (to == from)
		return;
	mgm_hst_log(h, MGM_LOG_INFO, "host compatibility mode %s%u -> %s%u", h->fam->version_prefix,
		    (unsigned)from, h->fam->version_prefix, (unsigned)to);
	if (to > from)
		return;
	/* §7.2.1: "When Host Compatibility Mode changes from IGMPv3 to IGMPv2 or IGMPv1, a host
	 * SHOULD cancel all its pending response and retransmission timers." The same from v2 to
	 * v1, whose report a v2 answer would not be. */
	h->general_at = MGM_TIME_NEVER;
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;) {
		struct hgroup *g = hgrp(h, gi);

		g->resp_at = MGM_TIME_NEVER;
		mgm_hset_free(&h->mem, &g->resp_src);
		mgm_hst_cancel_retransmissions(h, gi);
	}
	gc_all(h);
}

void mgm_hst_compat_timers(struct mgm_host *h, int64_t now)
{
	/* §7.2.1: when the Older Version Querier Present timer of a version runs out, the host
	 * goes back to the newest version whose timer (if any) still runs. */
	uint8_t from = mgm_hst_version(h, now);
	bool expired = false;

	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		if (h->older_at[i] <= now) {
			h->older_at[i] = MGM_TIME_NEVER;
			expired = true;
		}
	if (expired)
		mgm_hst_version_changed(h, now, from);
}

/* §7.2.1: "the host MUST set the appropriate Older Version Querier Present timer", whose value
 * is §8.12's Older Version Querier Present Timeout: "the [Robustness Variable] times (the
 * [Query Interval] in the last Query received) plus ([Query Response Interval])". Older queries
 * carry neither QI nor QRV: the host's own, and the query's Max Resp Time as QRI. */
static void older_querier_heard(struct mgm_host *h, int64_t now, const struct mgm_msg *m)
{
	uint8_t from;

	if (m->version >= h->fam->top_version)
		return;
	from = mgm_hst_version(h, now);
	h->older_at[m->version - 1] =
		now + (int64_t)h->cfg.robustness * h->cfg.query_interval_ms + m->max_resp_ms;
	mgm_hst_version_changed(h, now, from);
}

/* ---- §5.2: scheduling ------------------------------------------------------------------- */

static void set_response(struct mgm_host *h, uint32_t gi, int64_t at)
{
	hgrp(h, gi)->resp_at = at;
	mgm_hst_group_rearm(h, gi);
}

static int addr_order(const void *a, const void *b)
{
	return mgm_addr_cmp(a, b);
}

/*
 * A Group-and-Source-Specific Query's sources as a set: sorted and without repeats in one
 * pass (O(k log k) for k sources, whatever the packet repeats), at most max_sources_per_group
 * of them. 0, or non-zero with *out empty: more sources than that (counted), or no memory; the
 * whole group is then the answer, as for a Group-Specific Query.
 */
static int query_sources(struct mgm_host *h, const struct mgm_msg *m, struct hset *out)
{
	size_t cap = m->num_sources;
	struct mgm_addr *v;
	uint32_t n = 0;

	memset(out, 0, sizeof(*out));
	v = mgm_mem_alloc(&h->mem, cap * sizeof(*v));
	if (!v) {
		mgm_hst_drop(h, MGM_HOST_DROP_NOMEM);
		return MGM_E_NOMEM;
	}
	for (uint16_t i = 0; i < m->num_sources; i++)
		mgm_source_at(m->sources, h->family, i, &v[i]);
	qsort(v, cap, sizeof(*v), addr_order);
	for (size_t i = 0; i < cap; i++)
		if (!n || mgm_addr_cmp(&v[n - 1], &v[i]))
			v[n++] = v[i];
	if (n > h->cfg.max_sources_per_group) {
		mgm_hst_drop(h, MGM_HOST_DROP_QUERY_SOURCES);
		mgm_mem_free(&h->mem, v, cap * sizeof(*v));
		return MGM_E_LIMIT;
	}
	/* Kept in an allocation of its own size: what a pending answer holds is bounded by the
	 * limit, not by how many repeats the packet carried. */
	{
		struct hset all = {.v = v, .n = n, .cap = (uint32_t)cap};
		int rc = mgm_hset_copy(&h->mem, &all, out);

		mgm_mem_free(&h->mem, v, cap * sizeof(*v));
		if (rc) {
			mgm_hst_drop(h, MGM_HOST_DROP_NOMEM);
			memset(out, 0, sizeof(*out));
		}
		return rc;
	}
}

/*
 * §5.2 (RFC 3810 §6.2), after "a delay ... selected from the range (0, [Max Resp Time])":
 * "1. If there is a pending response to a previous General Query scheduled sooner than the
 *     selected delay, no additional response needs to be scheduled.
 *  2. If the received Query is a General Query, the interface timer is used to schedule a
 *     response to the General Query after the selected delay. Any previously pending response
 *     to a General Query is canceled.
 *  3. If the received Query is a Group-Specific Query or a Group-and-Source-Specific Query and
 *     there is no pending response to a previous Query for this group, then the group timer is
 *     used to schedule a report. If the received Query is a Group-and-Source-Specific Query,
 *     the list of queried sources is recorded to be used when generating a response.
 *  4. If there already is a pending response to a previous Query scheduled for this group, and
 *     either the new Query is a Group-Specific Query or the recorded source-list associated
 *     with the group is empty, then the group source-list is cleared and a single response is
 *     scheduled using the group timer. The new response is scheduled to be sent at the
 *     earliest of the remaining time for the pending report and the selected delay.
 *  5. If the received Query is a Group-and-Source-Specific Query and there is a pending
 *     response for this group with a non-empty source-list, then the group source list is
 *     augmented to contain the list of sources in the new Query and a single response is
 *     scheduled using the group timer. The new response is scheduled to be sent at the
 *     earliest of the remaining time for the pending report and the selected delay."
 */
/* When the answers to a General Query heard now may start: now, or later while the
 * general_answer_interval_ms after the last answer runs (host.h; not in the RFCs). */
static int64_t general_base(const struct mgm_host *h, int64_t now)
{
	return h->cfg.general_answer_interval_ms && h->general_floor > now ? h->general_floor : now;
}

/* An answer to a query of group g due at `at`, or at the end of the group's answer interval
 * when that is later (counted): a flood of queries for one group gets a few answers a second,
 * not one each. */
static int64_t group_floor(struct mgm_host *h, const struct hgroup *g, int64_t at)
{
	if (!h->cfg.general_answer_interval_ms || g->answer_floor <= at)
		return at;
	h->ctr.group_deferred++;
	return g->answer_floor;
}

static void v3_query(struct mgm_host *h, int64_t now, const struct mgm_msg *m)
{
	bool general = mgm_addr_is_any(&m->group);
	int64_t base = general ? general_base(h, now) : now;
	int64_t at = base + mgm_hst_random_between(h, 0, m->max_resp_ms);
	struct hgroup *g;
	uint32_t gi;

	if (base > now)
		h->ctr.general_deferred++;
	/* Rule 1. */
	if (h->general_at != MGM_TIME_NEVER && h->general_at <= at)
		return;
	if (general) {
		h->general_at = at; /* rule 2 */
		return;
	}
	gi = mgm_hst_group_find(h, &m->group);
	if (gi == MGM_NIL || !has_state(hgrp(h, gi)))
		return; /* nothing to answer for */
	g = hgrp(h, gi);
	if (g->resp_at == MGM_TIME_NEVER) {
		/* Rule 3. */
		mgm_hset_free(&h->mem, &g->resp_src);
		if (m->num_sources)
			(void)query_sources(h, m, &g->resp_src);
		set_response(h, gi, group_floor(h, g, at));
		return;
	}
	if (!m->num_sources || !g->resp_src.n) {
		/* Rule 4. */
		mgm_hset_free(&h->mem, &g->resp_src);
	} else {
		/* Rule 5. */
		struct hset q, t;

		if (query_sources(h, m, &q) || mgm_hset_union(&h->mem, &g->resp_src, &q, &t)) {
			mgm_hset_free(&h->mem, &g->resp_src); /* answer the whole group */
		} else if (t.n > h->cfg.max_sources_per_group) {
			mgm_hst_drop(h, MGM_HOST_DROP_QUERY_SOURCES);
			mgm_hset_free(&h->mem, &t);
			mgm_hset_free(&h->mem, &g->resp_src);
		} else {
			mgm_hset_free(&h->mem, &g->resp_src);
			g->resp_src = t;
		}
		mgm_hset_free(&h->mem, &q);
	}
	set_response(h, gi, at < g->resp_at ? group_floor(h, g, at) : g->resp_at);
}

/*
 * RFC 2236 §3 (RFC 2710 §4; RFC 1112 appendix I with its fixed 10 s): "When a host receives a
 * General Query, it sets delay timers for each group (excluding the all-systems group) of which
 * it is a member on the interface from which it received the query ... When a host receives a
 * Group-Specific Query, it sets a delay timer for the group being queried if it is a member ...
 * If a timer for the group is already running, it is reset to the random value only if the
 * requested Max Response Time is less than the remaining value of the running timer." A newer
 * query is read the same way (RFC 3376 §7.2.1: its sources ignored).
 */
static void v1v2_query_group(struct mgm_host *h, int64_t now, uint32_t gi, uint32_t max_resp)
{
	struct hgroup *g = hgrp(h, gi);

	if (!has_state(g))
		return;
	if (g->resp_at != MGM_TIME_NEVER && g->resp_at - now <= (int64_t)max_resp)
		return;
	set_response(h, gi, group_floor(h, g, now + mgm_hst_random_between(h, 0, max_resp)));
}

/* The Max Resp Time as an older host reads it: a newer query's code taken linearly (IGMPv2:
 * tenths of a second in one octet, RFC 2236 §2.2; MLDv1: milliseconds, RFC 2710 §3.4), not
 * with the newer exponential form (at most 25.5 s / 65.5 s instead of 53 min / 2.3 h). */
static uint32_t older_max_resp(const struct mgm_host *h, const struct mgm_msg *m)
{
	if (!mgm_family_caps(h->fam, m->version)->source_lists)
		return m->max_resp_ms;
	return h->family == MGM_INET ? (uint32_t)(m->max_resp_code & 0xff) * 100u
				     : m->max_resp_code;
}

static void v1v2_query(struct mgm_host *h, int64_t now, const struct mgm_msg *m)
{
	uint32_t max_resp = older_max_resp(h, m);
	int64_t base;
	uint32_t gi;

	if (!mgm_addr_is_any(&m->group)) {
		gi = mgm_hst_group_find(h, &m->group);
		if (gi != MGM_NIL)
			v1v2_query_group(h, now, gi, max_resp);
		return;
	}
	/* A General Query: every group's answer from base. The interval counts from the query
	 * answered; a deferred query does not move it. */
	base = general_base(h, now);
	if (base > now)
		h->ctr.general_deferred++;
	else if (h->cfg.general_answer_interval_ms)
		h->general_floor = now + h->cfg.general_answer_interval_ms;
	for (uint32_t pos = 0; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;)
		v1v2_query_group(h, base, gi, max_resp);
}

void mgm_hst_query_input(struct mgm_host *h, int64_t now, const struct mgm_msg *m)
{
	h->ctr.rx_queries[m->version - 1]++;
	if (m->num_sources)
		h->ctr.rx_group_source_queries++;
	else if (!mgm_addr_is_any(&m->group))
		h->ctr.rx_group_queries++;
	older_querier_heard(h, now, m);
	/* A query of a version with source lists is answered in it only when the host speaks it;
	 * §7.2.1 otherwise reads it as the older query it contains. */
	if (mgm_hst_v3(h, now) && mgm_family_caps(h->fam, m->version)->source_lists)
		v3_query(h, now, m);
	else
		v1v2_query(h, now, m);
}

void mgm_hst_report_heard(struct mgm_host *h, int64_t now, const struct mgm_msg *m)
{
	struct hgroup *g;
	uint32_t gi;

	h->ctr.rx_reports_heard++;
	/* §5 (RFC 3810 §6): v3 hosts do not suppress; RFC 2236 §3: "If the host receives another
	 * host's Report (version 1 or 2) while it has a timer running, it stops its timer for the
	 * specified group and does not send a Report, in order to suppress duplicate Reports",
	 * and clears its flag: it is no longer the last reporter (§6's "Report Received" event
	 * of the Delaying Member state). */
	if (mgm_hst_v3(h, now))
		return;
	gi = mgm_hst_group_find(h, &m->group);
	if (gi == MGM_NIL)
		return;
	g = hgrp(h, gi);
	if (g->resp_at == MGM_TIME_NEVER)
		return;
	h->ctr.suppressed++;
	g->last_reporter = false;
	set_response(h, gi, MGM_TIME_NEVER);
	mgm_hst_group_gc(h, gi);
}

/* ---- §5.2: answering -------------------------------------------------------------------- */

/* The current-state record of a group: "its associated filter mode (MODE_IS_INCLUDE or
 * MODE_IS_EXCLUDE) and source list". */
static struct mgm_group_record current_state(const struct hgroup *g)
{
	return (struct mgm_group_record){
		.type = g->mode == MGM_INCLUDE ? MGM_MODE_IS_INCLUDE : MGM_MODE_IS_EXCLUDE,
		.group = g->addr,
		.num_sources = (uint16_t)g->src.n,
		.sources = g->src.v,
	};
}

/* §5.2: "If the expired timer is the interface timer (i.e., it is a pending response to a
 * General Query), then one Current-State Record is sent for each multicast address for which
 * the specified interface has reception state ... packed into individual Report messages, to
 * the extent possible." */
void mgm_hst_answer_general(struct mgm_host *h, int64_t now)
{
	struct mgm_group_record *recs;
	size_t n = 0, cap = h->groups.live;

	h->general_at = MGM_TIME_NEVER;
	if (h->cfg.general_answer_interval_ms)
		h->general_floor = now + h->cfg.general_answer_interval_ms;
	if (!cap)
		return;
	recs = mgm_mem_alloc(&h->mem, cap * sizeof(*recs));
	if (!recs) {
		mgm_hst_drop(h, MGM_HOST_DROP_NOMEM);
		return;
	}
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;)
		if (has_state(hgrp(h, gi)))
			recs[n++] = current_state(hgrp(h, gi));
	mgm_hst_send_records(h, recs, n);
	mgm_mem_free(&h->mem, recs, cap * sizeof(*recs));
}

/*
 * §5.2, a group timer: with no recorded sources, a pending answer to a Group-Specific Query:
 * "a single Current-State Record is sent for that address" if the interface has reception state
 * for it. With recorded sources Q (Group-and-Source-Specific):
 *
 *	Interface state		Record sent
 *	INCLUDE (A)		IS_IN (A*Q)
 *	EXCLUDE (A)		IS_IN (Q-A)
 *
 * "If the resulting Current-State Record has an empty set of source addresses, then no
 * response is sent." Then "the source lists associated with any reported groups are cleared."
 * In v1 / v2 the answer is the report of RFC 2236 §3, which makes this host the last reporter.
 */
void mgm_hst_answer_group(struct mgm_host *h, int64_t now, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);
	uint8_t v = mgm_hst_version(h, now);
	struct mgm_group_record rec;
	struct hset q;

	g->resp_at = MGM_TIME_NEVER;
	if (h->cfg.general_answer_interval_ms)
		g->answer_floor = now + h->cfg.general_answer_interval_ms / 4;
	mgm_hst_group_rearm(h, gi);
	if (!has_state(g)) {
		mgm_hset_free(&h->mem, &g->resp_src);
		return;
	}
	if (!mgm_family_caps(h->fam, v)->source_lists) {
		mgm_hset_free(&h->mem, &g->resp_src);
		mgm_hst_send_v1v2(h, MGM_MSG_REPORT, v, &g->addr);
		g->last_reporter = true;
		return;
	}
	if (!g->resp_src.n) {
		rec = current_state(g);
		mgm_hst_send_records(h, &rec, 1);
		return;
	}
	if ((g->mode == MGM_INCLUDE ? mgm_hset_inter : mgm_hset_minus)(
		    &h->mem, g->mode == MGM_INCLUDE ? &g->src : &g->resp_src,
		    g->mode == MGM_INCLUDE ? &g->resp_src : &g->src, &q)) {
		mgm_hst_drop(h, MGM_HOST_DROP_NOMEM);
		mgm_hset_free(&h->mem, &g->resp_src);
		return;
	}
	mgm_hset_free(&h->mem, &g->resp_src);
	if (q.n) {
		rec = (struct mgm_group_record){.type = MGM_MODE_IS_INCLUDE,
						.group = g->addr,
						.num_sources = (uint16_t)q.n,
						.sources = q.v};
		mgm_hst_send_records(h, &rec, 1);
	}
	mgm_hset_free(&h->mem, &q);
}
