/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * State-change reports: RFC 3376 §5.1 (RFC 3810 §6.1) in v3 / MLDv2, the unsolicited report and
 * the leave of RFC 2236 §3 / RFC 2710 §4 (and RFC 1112's report) in the older versions; their
 * retransmissions; and the encoding of everything the host sends (§4.2.16: split at the MTU).
 */
#include <string.h>

#include "check.h"
#include "host_priv.h"
#include "mgm/err.h"

/* ---- Sending ---------------------------------------------------------------------------- */

void mgm_hst_send_records(struct mgm_host *h, const struct mgm_group_record *recs, size_t n)
{
	struct mgm_report_writer w;
	size_t len;
	int rc;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		h->ctr.tx_records[recs[i].type]++;
	/* RFC 3376 §4.2.16 / RFC 3810 §5.2.15: as many reports as the records need, each within
	 * the MTU; IS_EX / TO_EX records keep the sources that fit (the writer's rule). */
	mgm_report_writer_init(&w, h->family, recs, n, h->cfg.mtu);
	while ((rc = mgm_report_writer_next(&w, &h->addr, &h->fam->report_dst, h->buf, h->buf_len,
					    &len)) == 1) {
		h->ctr.tx_reports[h->fam->top_version - 1]++;
		if (h->cb.send)
			h->cb.send(h->cb.ctx, &h->fam->report_dst, h->buf, len);
	}
	MGM_ASSERT(rc == 0); /* the configured MTU holds a record (config check) */
}

void mgm_hst_send_v1v2(struct mgm_host *h, uint8_t kind, uint8_t version,
		       const struct mgm_addr *group)
{
	/* RFC 2236 §3 / RFC 2710 §4: reports to the group, leaves / dones to all routers. */
	const struct mgm_addr *dst = kind == MGM_MSG_LEAVE ? &h->fam->all_routers : group;
	size_t len;

	if (mgm_encode_v1v2(h->family, kind, version, group, &h->addr, dst, h->buf, h->buf_len,
			    &len))
		return;
	if (kind == MGM_MSG_LEAVE)
		h->ctr.tx_leaves++;
	else
		h->ctr.tx_reports[version - 1]++;
	if (h->cb.send)
		h->cb.send(h->cb.ctx, dst, h->buf, len);
}

/* ---- RFC 3376 §5.1: retransmission state ------------------------------------------------- */

void mgm_hst_cancel_retransmissions(struct mgm_host *h, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);

	g->mode_rtx = 0;
	g->nrtx = 0;
	g->rtx_at = MGM_TIME_NEVER;
	mgm_hst_group_rearm(h, gi);
}

/* Gives every source of the symmetric difference of the two lists retransmission state:
 * "Each time a source is included in the difference report calculated above, retransmission
 * state for that source needs to be maintained until [Robustness Variable] State-Change
 * reports have been sent by the host." 0 or MGM_E_NOMEM (nothing changed). */
static int mark_sources(struct mgm_host *h, struct hgroup *g, const struct hset *a,
			const struct hset *b)
{
	struct hset ab, ba;
	uint32_t need, k;
	int err;

	err = mgm_hset_minus(&h->mem, a, b, &ab);
	if (err)
		return err;
	err = mgm_hset_minus(&h->mem, b, a, &ba);
	if (err) {
		mgm_hset_free(&h->mem, &ab);
		return err;
	}
	need = g->nrtx + ab.n + ba.n;
	if (need > g->rtx_cap) {
		struct hrtx *v = mgm_mem_alloc(&h->mem, (size_t)need * sizeof(*v));

		if (!v) {
			mgm_hset_free(&h->mem, &ab);
			mgm_hset_free(&h->mem, &ba);
			return MGM_E_NOMEM;
		}
		if (g->nrtx)
			memcpy(v, g->rtx, (size_t)g->nrtx * sizeof(*v));
		if (g->rtx)
			mgm_mem_free(&h->mem, g->rtx, (size_t)g->rtx_cap * sizeof(*g->rtx));
		g->rtx = v;
		g->rtx_cap = need;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct hset *d = pass ? &ba : &ab;

		for (uint32_t i = 0; i < d->n; i++) {
			for (k = 0; k < g->nrtx; k++)
				if (mgm_addr_eq(&g->rtx[k].a, &d->v[i]))
					break;
			if (k == g->nrtx)
				g->rtx[g->nrtx++].a = d->v[i];
			g->rtx[k].left = h->cfg.robustness;
		}
	}
	mgm_hset_free(&h->mem, &ab);
	mgm_hset_free(&h->mem, &ba);
	return 0;
}

/* Does the interface state ask for traffic from source a ("must be forwarded", §5.1)? */
static bool forwarded(const struct hgroup *g, const struct mgm_addr *a)
{
	return mgm_hset_has(&g->src, a) == (g->mode == MGM_INCLUDE);
}

static void schedule_retransmission(struct mgm_host *h, int64_t now, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);
	uint32_t uri = mgm_hst_v3(h, now) ? h->cfg.unsolicited_report_interval_ms
					  : h->cfg.v1v2_unsolicited_report_interval_ms;

	/* §5.1: "retransmitted [Robustness Variable] - 1 more times, at intervals chosen at random
	 * from the range (0, [Unsolicited Report Interval])" (RFC 3810 §6.1 likewise); the older
	 * versions' repeats within theirs (RFC 2236 §3, §8.10). */
	if (g->mode_rtx || g->nrtx)
		g->rtx_at = now + mgm_hst_random_between(h, 1, uri);
	else
		g->rtx_at = MGM_TIME_NEVER;
	mgm_hst_group_rearm(h, gi);
}

/*
 * One State-Change Report of the group, §5.1: "If the report should contain a Filter-Mode-Change
 * record, then if the current filter-mode of the interface is INCLUDE, a TO_IN record is
 * included in the report, otherwise a TO_EX record is included. If instead the report should
 * contain Source-List-Change records, an ALLOW and a BLOCK record is included."
 *
 *	Record	Sources included
 *	TO_IN	All in the current interface state that must be forwarded
 *	TO_EX	All in the current interface state that must be blocked
 *	ALLOW	All with retransmission state that must be forwarded
 *	BLOCK	All with retransmission state that must be blocked
 *
 * "If the computed source list for either an ALLOW or a BLOCK record is empty, that record is
 * omitted from the State-Change report."
 */
static void send_state_change(struct mgm_host *h, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);
	struct mgm_group_record rec[2];
	struct mgm_addr *allow, *block;
	uint32_t na = 0, nb = 0, k, kept = 0;
	size_t n = 0, bytes;

	if (g->mode_rtx) {
		rec[0] = (struct mgm_group_record){
			.type = g->mode == MGM_INCLUDE ? MGM_CHANGE_TO_INCLUDE
						       : MGM_CHANGE_TO_EXCLUDE,
			.group = g->addr,
			.num_sources = (uint16_t)g->src.n,
			.sources = g->src.v,
		};
		g->mode_rtx--;
		mgm_hst_send_records(h, rec, 1);
		return;
	}
	if (!g->nrtx)
		return;
	bytes = (size_t)g->nrtx * 2 * sizeof(*allow);
	allow = mgm_mem_alloc(&h->mem, bytes);
	if (!allow) {
		/* Without room for the lists, the full state says the same: TO_IN / TO_EX. */
		mgm_hst_drop(h, MGM_HOST_DROP_NOMEM);
		g->mode_rtx = 1;
		send_state_change(h, gi);
		return;
	}
	block = allow + g->nrtx;
	for (k = 0; k < g->nrtx; k++) {
		struct hrtx *x = &g->rtx[k];

		if (forwarded(g, &x->a))
			allow[na++] = x->a;
		else
			block[nb++] = x->a;
		if (--x->left)
			g->rtx[kept++] = *x;
	}
	g->nrtx = kept;
	if (na)
		rec[n++] = (struct mgm_group_record){.type = MGM_ALLOW_NEW_SOURCES,
						     .group = g->addr,
						     .num_sources = (uint16_t)na,
						     .sources = allow};
	if (nb)
		rec[n++] = (struct mgm_group_record){.type = MGM_BLOCK_OLD_SOURCES,
						     .group = g->addr,
						     .num_sources = (uint16_t)nb,
						     .sources = block};
	mgm_hst_send_records(h, rec, n);
	mgm_mem_free(&h->mem, allow, bytes);
}

static bool member(uint8_t mode, const struct hset *s)
{
	return mode == MGM_EXCLUDE || s->n;
}

/*
 * §5.1, the first report of a change: "the interface state for the affected group before and
 * after the latest change is compared":
 *
 *	Old State	New State	State-Change Record Sent
 *	INCLUDE (A)	INCLUDE (B)	ALLOW (B-A), BLOCK (A-B)
 *	EXCLUDE (A)	EXCLUDE (B)	ALLOW (A-B), BLOCK (B-A)
 *	INCLUDE (A)	EXCLUDE (B)	TO_EX (B)
 *	EXCLUDE (A)	INCLUDE (B)	TO_IN (B)
 *
 * With a report still pending the difference is "merged with the contents of the pending
 * report": a filter-mode change makes the next [RV] reports Filter-Mode-Change records ("even
 * if any number of source-list changes occur in that period"), whose TO_IN / TO_EX carry the
 * whole state, so the per-source state before it is dropped; a source-list change gives each
 * changed source [RV] reports of retransmission state, sent as ALLOW / BLOCK once the
 * Filter-Mode-Change reports are done. Either way the merged report goes out at once and
 * "becomes the first of [Robustness Variable] transmissions".
 */
static void v3_state_changed(struct mgm_host *h, int64_t now, uint32_t gi, uint8_t old_mode,
			     const struct hset *old)
{
	struct hgroup *g = hgrp(h, gi);

	if (old_mode != g->mode) {
		g->nrtx = 0;
		g->mode_rtx = h->cfg.robustness;
	} else if (mark_sources(h, g, old, &g->src)) {
		/* No room for per-source state: the full state in TO_IN / TO_EX says it too. */
		mgm_hst_drop(h, MGM_HOST_DROP_NOMEM);
		g->mode_rtx = h->cfg.robustness;
	}
	send_state_change(h, gi);
	schedule_retransmission(h, now, gi);
}

/*
 * RFC 2236 §3 (RFC 2710 §4, RFC 1112 appendix I): "When a host joins a multicast group, it
 * should immediately transmit an unsolicited Version 2 Membership Report for that group ... it
 * is recommended that it be repeated once or twice after short delays": [RV] - 1 repeats, as in
 * §5.1. "When a host leaves a multicast group, if it was the last host to reply to a Query
 * with a Membership Report for that group, it SHOULD send a Leave Group message to the
 * all-routers multicast group"; IGMPv1 has no leave. In this mode the group's mode_rtx counts
 * the repeats of the report.
 */
static void v1v2_state_changed(struct mgm_host *h, int64_t now, uint32_t gi, uint8_t version,
			       uint8_t old_mode, const struct hset *old)
{
	struct hgroup *g = hgrp(h, gi);
	bool was = member(old_mode, old), is = member(g->mode, &g->src);

	if (!was && is) {
		mgm_hst_send_v1v2(h, MGM_MSG_REPORT, version, &g->addr);
		g->last_reporter = true;
		g->nrtx = 0;
		g->mode_rtx = (uint8_t)(h->cfg.robustness - 1);
		schedule_retransmission(h, now, gi);
	} else if (was && !is) {
		if (g->last_reporter && mgm_family_caps(h->fam, version)->leave)
			mgm_hst_send_v1v2(h, MGM_MSG_LEAVE, version, &g->addr);
		g->last_reporter = false;
		g->resp_at = MGM_TIME_NEVER;
		mgm_hst_cancel_retransmissions(h, gi);
	}
}

void mgm_hst_state_changed(struct mgm_host *h, int64_t now, uint32_t gi, uint8_t old_mode,
			   const struct hset *old)
{
	uint8_t v = mgm_hst_version(h, now);

	if (mgm_family_caps(h->fam, v)->source_lists)
		v3_state_changed(h, now, gi, old_mode, old);
	else
		v1v2_state_changed(h, now, gi, v, old_mode, old);
}

void mgm_hst_retransmit(struct mgm_host *h, int64_t now, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);
	uint8_t v = mgm_hst_version(h, now);

	if (mgm_family_caps(h->fam, v)->source_lists) {
		send_state_change(h, gi);
	} else if (g->mode_rtx) {
		g->mode_rtx--;
		if (member(g->mode, &g->src)) {
			mgm_hst_send_v1v2(h, MGM_MSG_REPORT, v, &g->addr);
			g->last_reporter = true;
		}
	}
	schedule_retransmission(h, now, gi);
}
