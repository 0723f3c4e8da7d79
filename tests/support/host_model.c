/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hosts on a simulated link (see host_model.h): interface state per host and group, the
 * records RFC 3376 §5.1 / RFC 3810 §6.1 send on a change and the answers §5.2 / §6.2 give to
 * queries, and what the hosts together ask of the routers (§3.2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host_model.h"

static void note(struct host_model *m, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	if (!m->note)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->note(m->ctx, text);
}

void hm_init(struct host_model *m, uint8_t family, const struct mgm_addr *hosts, int nhosts,
	     const struct mgm_addr *groups, int ngroups, const struct mgm_addr *sources,
	     int nsources)
{
	memset(m, 0, sizeof(*m));
	m->family = family;
	m->nhosts = nhosts < HM_MAX_HOSTS ? nhosts : HM_MAX_HOSTS;
	m->ngroups = ngroups < HM_MAX_GROUPS ? ngroups : HM_MAX_GROUPS;
	m->nsources = nsources < HM_MAX_SOURCES ? nsources : HM_MAX_SOURCES;
	memcpy(m->groups, groups, sizeof(m->groups[0]) * (size_t)m->ngroups);
	memcpy(m->sources, sources, sizeof(m->sources[0]) * (size_t)m->nsources);
	for (int h = 0; h < m->nhosts; h++) {
		m->hosts[h].addr = hosts[h];
		m->hosts[h].general_at = MGM_TIME_NEVER;
		for (int g = 0; g < m->ngroups; g++) {
			m->hosts[h].g[g].mode = MGM_INCLUDE;
			m->hosts[h].g[g].retrans_at = MGM_TIME_NEVER;
			m->hosts[h].g[g].resp_at = MGM_TIME_NEVER;
		}
	}
}

/* ---- What the hosts want ------------------------------------------------------------------ */

bool hm_host_wants(const struct hm_group *hg, int s)
{
	bool listed = s < HM_MAX_SOURCES && (hg->srcs >> s & 1);

	return hg->mode == MGM_INCLUDE ? listed : !listed;
}

bool hm_has_state(const struct hm_group *hg)
{
	return hg->mode == MGM_EXCLUDE || hg->srcs;
}

bool hm_wanted(const struct host_model *m, int g, int s)
{
	for (int h = 0; h < m->nhosts; h++)
		if (hm_host_wants(&m->hosts[h].g[g], s))
			return true;
	return false;
}

bool hm_merged(const struct host_model *m, int g, uint8_t *mode, uint8_t *srcs)
{
	uint8_t included = 0, excluded = 0xff;
	bool any = false, exclude = false;

	for (int h = 0; h < m->nhosts; h++) {
		const struct hm_group *hg = &m->hosts[h].g[g];

		if (!hm_has_state(hg))
			continue;
		any = true;
		if (hg->mode == MGM_EXCLUDE) {
			exclude = true;
			excluded &= hg->srcs;
		} else {
			included |= hg->srcs;
		}
	}
	*mode = exclude ? MGM_EXCLUDE : MGM_INCLUDE;
	*srcs = exclude ? (uint8_t)(excluded & ~included) : included;
	return any;
}

/* ---- State changes (RFC 3376 §5.1) --------------------------------------------------------- */

static void mask_to_addrs(const struct host_model *m, uint8_t mask, struct mgm_addr *out,
			  uint16_t *n)
{
	*n = 0;
	for (int s = 0; s < m->nsources; s++)
		if (mask >> s & 1)
			out[(*n)++] = m->sources[s];
}

static void send(struct host_model *m, int h, const struct mgm_group_record *recs, int n)
{
	if (n)
		m->send(m->ctx, h, recs, n);
}

static int change_records(struct host_model *m, int h, int g, struct mgm_group_record *recs,
			  struct mgm_addr (*srcbuf)[HM_MAX_SOURCES])
{
	struct hm_group *hg = &m->hosts[h].g[g];
	uint8_t allow = 0, block = 0;
	int n = 0;

	if (hg->mode_retrans) {
		/* §5.1: while a filter-mode change is pending, the record carries the current
		 * state, which subsumes any source-list change. */
		hg->mode_retrans--;
		recs[n].type =
			hg->mode == MGM_EXCLUDE ? MGM_CHANGE_TO_EXCLUDE : MGM_CHANGE_TO_INCLUDE;
		recs[n].group = m->groups[g];
		mask_to_addrs(m, hg->srcs, srcbuf[n], &recs[n].num_sources);
		recs[n].sources = srcbuf[n];
		return 1;
	}
	for (int s = 0; s < m->nsources; s++) {
		if (hg->allow_retrans[s]) {
			hg->allow_retrans[s]--;
			allow |= 1u << s;
		}
		if (hg->block_retrans[s]) {
			hg->block_retrans[s]--;
			block |= 1u << s;
		}
	}
	if (allow) {
		recs[n].type = MGM_ALLOW_NEW_SOURCES;
		recs[n].group = m->groups[g];
		mask_to_addrs(m, allow, srcbuf[n], &recs[n].num_sources);
		recs[n].sources = srcbuf[n];
		n++;
	}
	if (block) {
		recs[n].type = MGM_BLOCK_OLD_SOURCES;
		recs[n].group = m->groups[g];
		mask_to_addrs(m, block, srcbuf[n], &recs[n].num_sources);
		recs[n].sources = srcbuf[n];
		n++;
	}
	return n;
}

static bool retrans_pending(const struct host_model *m, const struct hm_group *hg)
{
	if (hg->mode_retrans)
		return true;
	for (int s = 0; s < m->nsources; s++)
		if (hg->allow_retrans[s] || hg->block_retrans[s])
			return true;
	return false;
}

static void send_change(struct host_model *m, int64_t now, int h, int g)
{
	struct mgm_group_record recs[2];
	struct mgm_addr srcbuf[2][HM_MAX_SOURCES];
	struct hm_group *hg = &m->hosts[h].g[g];
	int n;

	memset(recs, 0, sizeof(recs));
	n = change_records(m, h, g, recs, srcbuf);
	/* §5.1: [RV]-1 retransmissions at random within [Unsolicited Report Interval]. */
	hg->retrans_at = retrans_pending(m, hg) ? now + between(m->rng, 1, m->unsolicited_report_ms)
						: MGM_TIME_NEVER;
	send(m, h, recs, n);
}

void hm_set_state(struct host_model *m, int64_t now, int h, int g, uint8_t mode, uint8_t srcs)
{
	struct hm_group *hg = &m->hosts[h].g[g];
	uint8_t rv = m->robustness;

	if (hg->mode == mode && hg->srcs == srcs)
		return;
	note(m, "host %d group %d: %s{%#x} -> %s{%#x}", h, g, hg->mode == MGM_INCLUDE ? "IN" : "EX",
	     hg->srcs, mode == MGM_INCLUDE ? "IN" : "EX", srcs);
	if (hg->mode != mode) {
		/* §5.1: INCLUDE->EXCLUDE sends TO_EX, EXCLUDE->INCLUDE TO_IN; pending
		 * source-list changes are superseded by the full state. */
		hg->mode_retrans = rv;
		memset(hg->allow_retrans, 0, sizeof(hg->allow_retrans));
		memset(hg->block_retrans, 0, sizeof(hg->block_retrans));
	} else {
		/* §5.1: INCLUDE(A)->INCLUDE(B): ALLOW(B-A), BLOCK(A-B); EXCLUDE(A)->EXCLUDE(B):
		 * ALLOW(A-B), BLOCK(B-A). */
		uint8_t allow = mode == MGM_INCLUDE ? srcs & ~hg->srcs : hg->srcs & ~srcs;
		uint8_t block = mode == MGM_INCLUDE ? hg->srcs & ~srcs : srcs & ~hg->srcs;

		for (int s = 0; s < m->nsources; s++) {
			if (allow >> s & 1) {
				hg->allow_retrans[s] = rv;
				hg->block_retrans[s] = 0;
			}
			if (block >> s & 1) {
				hg->block_retrans[s] = rv;
				hg->allow_retrans[s] = 0;
			}
		}
		if (hg->mode_retrans)
			hg->mode_retrans = rv;
	}
	hg->mode = mode;
	hg->srcs = srcs;
	send_change(m, now, h, g);
}

/* ---- Query answers (RFC 3376 §5.2) --------------------------------------------------------- */

static int current_record(const struct host_model *m, int h, int g, struct mgm_group_record *rec,
			  struct mgm_addr *srcbuf)
{
	const struct hm_group *hg = &m->hosts[h].g[g];

	if (!hm_has_state(hg))
		return 0;
	rec->type = hg->mode == MGM_EXCLUDE ? MGM_MODE_IS_EXCLUDE : MGM_MODE_IS_INCLUDE;
	rec->group = m->groups[g];
	mask_to_addrs(m, hg->srcs, srcbuf, &rec->num_sources);
	rec->sources = srcbuf;
	return 1;
}

static void answer_general(struct host_model *m, int h)
{
	struct mgm_group_record recs[HM_MAX_GROUPS];
	struct mgm_addr srcbuf[HM_MAX_GROUPS][HM_MAX_SOURCES];
	int n = 0;

	memset(recs, 0, sizeof(recs));
	m->hosts[h].general_at = MGM_TIME_NEVER;
	for (int g = 0; g < m->ngroups; g++)
		n += current_record(m, h, g, &recs[n], srcbuf[n]);
	send(m, h, recs, n);
}

static void answer_group(struct host_model *m, int h, int g)
{
	struct hm_group *hg = &m->hosts[h].g[g];
	struct mgm_group_record rec;
	struct mgm_addr srcbuf[HM_MAX_SOURCES];
	int n = 0;

	memset(&rec, 0, sizeof(rec));
	hg->resp_at = MGM_TIME_NEVER;
	if (hg->resp_all) {
		n = current_record(m, h, g, &rec, srcbuf);
	} else {
		/* §5.2: INCLUDE(A) queried for B answers IS_IN(A*B), EXCLUDE(A) IS_IN(B-A),
		 * nothing when that is empty. */
		uint8_t mask = hg->mode == MGM_INCLUDE ? hg->srcs & hg->resp_srcs
						       : hg->resp_srcs & ~hg->srcs;

		if (mask) {
			rec.type = MGM_MODE_IS_INCLUDE;
			rec.group = m->groups[g];
			mask_to_addrs(m, mask, srcbuf, &rec.num_sources);
			rec.sources = srcbuf;
			n = 1;
		}
	}
	send(m, h, &rec, n);
}

static void host_hear_query(struct host_model *m, int64_t now, int h, const struct mgm_msg *q)
{
	struct hm_host *ho = &m->hosts[h];
	/* §5.2: a delay chosen at random in (0, Max Resp Time]. */
	int64_t at = now + between(m->rng, 1, q->max_resp_ms);
	struct hm_group *hg;
	uint8_t mask = 0;
	int g;

	/* Rule 1: a General Query response due sooner covers this query. */
	if (ho->general_at <= at)
		return;
	if (mgm_addr_is_any(&q->group)) {
		ho->general_at = at; /* rule 2 */
		return;
	}
	for (g = 0; g < m->ngroups; g++)
		if (mgm_addr_eq(&q->group, &m->groups[g]))
			break;
	if (g == m->ngroups)
		return;
	for (uint16_t i = 0; i < q->num_sources; i++) {
		struct mgm_addr a;

		mgm_source_at(q->sources, m->family, i, &a);
		for (int s = 0; s < m->nsources; s++)
			if (mgm_addr_eq(&a, &m->sources[s]))
				mask |= 1u << s;
	}
	hg = &ho->g[g];
	if (hg->resp_at == MGM_TIME_NEVER) { /* rule 3 */
		hg->resp_at = at;
		hg->resp_all = q->num_sources == 0;
		hg->resp_srcs = mask;
	} else if (q->num_sources == 0 || hg->resp_all) { /* rule 4 */
		hg->resp_all = true;
		hg->resp_srcs = 0;
		if (at < hg->resp_at)
			hg->resp_at = at;
	} else { /* rule 5 */
		hg->resp_srcs |= mask;
		if (at < hg->resp_at)
			hg->resp_at = at;
	}
}

void hm_hear_query(struct host_model *m, int64_t now, const struct mgm_msg *q)
{
	for (int h = 0; h < m->nhosts; h++)
		host_hear_query(m, now, h, q);
}

/* ---- Time ---------------------------------------------------------------------------------- */

int64_t hm_next_event(const struct host_model *m)
{
	int64_t t = MGM_TIME_NEVER;

	for (int h = 0; h < m->nhosts; h++) {
		const struct hm_host *ho = &m->hosts[h];

		if (ho->general_at < t)
			t = ho->general_at;
		for (int g = 0; g < m->ngroups; g++) {
			if (ho->g[g].retrans_at < t)
				t = ho->g[g].retrans_at;
			if (ho->g[g].resp_at < t)
				t = ho->g[g].resp_at;
		}
	}
	return t;
}

bool hm_run(struct host_model *m, int64_t now)
{
	bool did = false;

	for (int h = 0; h < m->nhosts; h++) {
		struct hm_host *ho = &m->hosts[h];

		if (ho->general_at <= now) {
			answer_general(m, h);
			did = true;
		}
		for (int g = 0; g < m->ngroups; g++) {
			if (ho->g[g].resp_at <= now) {
				answer_group(m, h, g);
				did = true;
			}
			if (ho->g[g].retrans_at <= now) {
				note(m, "host %d group %d retransmits", h, g);
				send_change(m, now, h, g);
				did = true;
			}
		}
	}
	return did;
}
