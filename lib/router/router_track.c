/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fast leave by explicit tracking of reporters (not part of RFC 3376 / 3810, which let the
 * last-member queries of §6.6.3 find out; this is what bridges do, cf. RFC 4541 §2.1.1): which
 * reporters are in EXCLUDE mode for a group and which sources each INCLUDE-mode reporter asked
 * for, so that the last one leaving stops forwarding at once. See router.h for the trust rules.
 */
#include "router_priv.h"

void mgm_rtr_track_untrust(struct mgm_router *r, uint32_t gi)
{
	grp(r, gi)->flags |= GF_UNTRUSTED;
}

static bool trusted(const struct mgm_router *r, const struct mgm_group *g)
{
	return r->cfg.fast_leave && !(g->flags & GF_UNTRUSTED);
}

/* Out of tracking records: the group can no longer know all its members. */
static void overflow(struct mgm_router *r, uint32_t gi)
{
	mgm_rtr_track_untrust(r, gi);
	mgm_rtr_drop(r, MGM_DROP_TRACK_LIMIT);
	mgm_rtr_store_trim(r);
}

static void source_entry_del(struct mgm_router *r, uint32_t ti)
{
	struct mgm_track *t = trk(r, ti);
	struct mgm_track *rep = trk(r, t->aux);

	if (t->prev != MGM_NIL)
		trk(r, t->prev)->next = t->next;
	else
		rep->aux = t->next;
	if (t->next != MGM_NIL)
		trk(r, t->next)->prev = t->prev;
	src(r, t->owner)->in_hosts--;
	mgm_rtr_track_free(r, ti);
}

static bool source_entry_add(struct mgm_router *r, uint32_t rep_ti, uint32_t si, uint32_t gen)
{
	struct mgm_track *rep = trk(r, rep_ti);
	uint32_t ti = mgm_rtr_track_find(r, TRACK_SOURCE, si, rep->host);
	struct mgm_track *t;

	if (ti == MGM_NIL) {
		ti = mgm_rtr_track_new(r, TRACK_SOURCE, si, rep->host);
		if (ti == MGM_NIL)
			return false;
		rep = trk(r, rep_ti);
		t = trk(r, ti);
		t->aux = rep_ti;
		t->next = rep->aux;
		if (rep->aux != MGM_NIL)
			trk(r, rep->aux)->prev = ti;
		rep->aux = ti;
		src(r, si)->in_hosts++;
	}
	trk(r, ti)->gen = gen;
	return true;
}

static void reporter_clear_sources(struct mgm_router *r, uint32_t rep_ti)
{
	while (trk(r, rep_ti)->aux != MGM_NIL)
		source_entry_del(r, trk(r, rep_ti)->aux);
}

static void reporter_set_mode(struct mgm_router *r, uint32_t rep_ti, uint8_t mode)
{
	struct mgm_track *rep = trk(r, rep_ti);
	struct mgm_group *g = grp(r, rep->owner);

	if (rep->mode == mode)
		return;
	if (rep->mode == MGM_EXCLUDE)
		g->ex_hosts--;
	if (mode == MGM_EXCLUDE)
		g->ex_hosts++;
	rep->mode = mode;
}

static void reporter_del(struct mgm_router *r, uint32_t rep_ti)
{
	struct mgm_track *rep;
	struct mgm_group *g;

	reporter_clear_sources(r, rep_ti);
	reporter_set_mode(r, rep_ti, MGM_INCLUDE);
	rep = trk(r, rep_ti);
	g = grp(r, rep->owner);
	if (rep->prev != MGM_NIL)
		trk(r, rep->prev)->next = rep->next;
	else
		g->track_head = rep->next;
	if (rep->next != MGM_NIL)
		trk(r, rep->next)->prev = rep->prev;
	g->n_hosts--;
	mgm_rtr_track_free(r, rep_ti);
}

static uint32_t reporter_get(struct mgm_router *r, uint32_t gi, const uint8_t *host)
{
	uint32_t ti = mgm_rtr_track_find(r, TRACK_REPORTER, gi, host);
	struct mgm_group *g;
	struct mgm_track *t;

	if (ti != MGM_NIL)
		return ti;
	ti = mgm_rtr_track_new(r, TRACK_REPORTER, gi, host);
	if (ti == MGM_NIL)
		return MGM_NIL;
	g = grp(r, gi);
	t = trk(r, ti);
	t->mode = MGM_INCLUDE;
	t->next = g->track_head;
	if (g->track_head != MGM_NIL)
		trk(r, g->track_head)->prev = ti;
	g->track_head = ti;
	g->n_hosts++;
	return ti;
}

/* A reporter that asks for nothing is no longer a member. */
static void reporter_maybe_del(struct mgm_router *r, uint32_t rep_ti)
{
	struct mgm_track *rep = trk(r, rep_ti);

	if (rep->mode == MGM_INCLUDE && rep->aux == MGM_NIL)
		reporter_del(r, rep_ti);
}

/*
 * The IS_EX / TO_EX rows of §6.4.1 / §6.4.2 delete (A-B) or (X-A) and (Y-A) while the group
 * (now EXCLUDE) still forwards those sources. The deleted source record is where we kept which
 * INCLUDE-mode reporters asked for it, and those reporters will not say so again before the
 * next query: the tracking no longer sees every member. Sources the row deleted are still on
 * the list (SF_DOOMED) until router_fwd.c frees them; timer expiries are not counted here,
 * as the RFC itself forgets a source whose reporters stopped refreshing it.
 */
static bool row_dropped_tracked_source(const struct mgm_router *r, const struct mgm_group *g)
{
	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		const struct mgm_source *s = src(r, si);

		if ((s->flags & SF_DOOMED) && s->in_hosts > 0)
			return true;
	}
	return false;
}

static bool add_sources(struct mgm_router *r, uint32_t gi, uint32_t rep,
			const struct mgm_rtr_record *rec, uint32_t gen)
{
	for (uint16_t i = 0; i < rec->num_sources; i++) {
		uint32_t si = mgm_rtr_source_find(r, gi, rec->sources + (size_t)i * r->alen);

		if (si != MGM_NIL && !source_entry_add(r, rep, si, gen)) {
			overflow(r, gi);
			return false;
		}
	}
	return true;
}

void mgm_rtr_track_record(struct mgm_router *r, uint32_t gi, const struct mgm_rtr_record *rec)
{
	struct mgm_group *g = grp(r, gi);
	struct mgm_addr reporter;
	uint32_t rep, gen;

	if (!trusted(r, g))
		return;
	if (row_dropped_tracked_source(r, g)) {
		mgm_rtr_track_untrust(r, gi);
		return;
	}
	addr_make(r, &reporter, rec->reporter);
	if (mgm_addr_is_any(&reporter)) {
		/* Several hosts may hide behind the unspecified address (RFC 3376 §4.2.13). */
		mgm_rtr_track_untrust(r, gi);
		return;
	}
	rep = mgm_rtr_track_find(r, TRACK_REPORTER, gi, rec->reporter);
	if (rep == MGM_NIL) {
		/* BLOCK / TO_IN / IS_IN with nothing new from an unknown INCLUDE reporter. */
		if (rec->type == MGM_BLOCK_OLD_SOURCES ||
		    (rec->num_sources == 0 && rec->type != MGM_MODE_IS_EXCLUDE &&
		     rec->type != MGM_CHANGE_TO_EXCLUDE))
			return;
		rep = reporter_get(r, gi, rec->reporter);
		if (rep == MGM_NIL) {
			overflow(r, gi);
			return;
		}
	}
	switch (rec->type) {
	case MGM_MODE_IS_EXCLUDE:
	case MGM_CHANGE_TO_EXCLUDE:
		/* The reporter wants everything but its own exclusions, which need no tracking:
		 * the group stays EXCLUDE while any such reporter is there. */
		reporter_clear_sources(r, rep);
		reporter_set_mode(r, rep, MGM_EXCLUDE);
		return;
	case MGM_CHANGE_TO_INCLUDE:
		/* Full state: the record's sources replace what the reporter asked for. */
		reporter_set_mode(r, rep, MGM_INCLUDE);
		gen = ++r->track_gen;
		if (!add_sources(r, gi, rep, rec, gen))
			return;
		for (uint32_t ti = trk(r, rep)->aux, next; ti != MGM_NIL; ti = next) {
			next = trk(r, ti)->next;
			if (trk(r, ti)->gen != gen)
				source_entry_del(r, ti);
		}
		reporter_maybe_del(r, rep);
		return;
	case MGM_MODE_IS_INCLUDE:
		/* Not a whole state: a host answers Q(G,S) with IS_IN(A*B) in INCLUDE mode and with
		 * IS_IN(B-A) in EXCLUDE mode (RFC 3376 §5.2, RFC 3810 §6). So it only adds, and
		 * never takes a reporter out of EXCLUDE (which wants those sources anyway); only
		 * TO_IN / IS_EX / TO_EX and leaving change a reporter's mode. Tracking that keeps
		 * too much only keeps fast leave from firing early: the RFC timers still apply. */
	case MGM_ALLOW_NEW_SOURCES:
		if (trk(r, rep)->mode != MGM_INCLUDE)
			return;
		if (add_sources(r, gi, rep, rec, ++r->track_gen))
			reporter_maybe_del(r, rep);
		return;
	case MGM_BLOCK_OLD_SOURCES:
		if (trk(r, rep)->mode != MGM_INCLUDE)
			return;
		for (uint16_t i = 0; i < rec->num_sources; i++) {
			uint32_t si =
				mgm_rtr_source_find(r, gi, rec->sources + (size_t)i * r->alen);
			uint32_t ti;

			if (si == MGM_NIL)
				continue;
			ti = mgm_rtr_track_find(r, TRACK_SOURCE, si, rec->reporter);
			if (ti != MGM_NIL)
				source_entry_del(r, ti);
		}
		reporter_maybe_del(r, rep);
		return;
	default:
		return;
	}
}

void mgm_rtr_fast_leave(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);
	uint32_t gone = 0;
	char gs[MGM_ADDRSTRLEN];
	struct mgm_addr a;

	if (!trusted(r, g))
		return;
	if (g->mode == MGM_EXCLUDE && g->ex_hosts == 0) {
		/* No reporter wants "all but": as if the group timer had run out (§6.5). */
		if (mgm_rtr_logging(r)) {
			addr_make(r, &a, g->addr);
			mgm_rtr_log(r, MGM_LOG_DEBUG,
				    "group %s: fast leave, last EXCLUDE-mode reporter gone",
				    mgm_addr_str(&a, gs));
		}
		mgm_rtr_group_expire(r, now, gi);
		g = grp(r, gi);
	}
	if (g->mode != MGM_INCLUDE)
		return;
	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		struct mgm_source *s = src(r, si);

		if (!(s->flags & SF_DOOMED) && s->in_hosts == 0) {
			mgm_rtr_source_delete(r, si);
			gone++;
		}
	}
	if (gone && mgm_rtr_logging(r)) {
		addr_make(r, &a, g->addr);
		mgm_rtr_log(r, MGM_LOG_DEBUG,
			    "group %s: fast leave, %u sources no reporter asks for",
			    mgm_addr_str(&a, gs), (unsigned)gone);
	}
}

void mgm_rtr_track_drop_source(struct mgm_router *r, uint32_t si)
{
	struct mgm_source *s = src(r, si);
	struct mgm_group *g = grp(r, s->group);

	if (s->in_hosts == 0)
		return;
	for (uint32_t rep = g->track_head, next; rep != MGM_NIL; rep = next) {
		uint32_t ti = mgm_rtr_track_find(r, TRACK_SOURCE, si, trk(r, rep)->host);

		next = trk(r, rep)->next;
		if (ti != MGM_NIL) {
			source_entry_del(r, ti);
			reporter_maybe_del(r, rep);
		}
	}
}

void mgm_rtr_track_drop_excluders(struct mgm_router *r, uint32_t gi)
{
	for (uint32_t rep = grp(r, gi)->track_head, next; rep != MGM_NIL; rep = next) {
		next = trk(r, rep)->next;
		if (trk(r, rep)->mode == MGM_EXCLUDE)
			reporter_del(r, rep);
	}
}

void mgm_rtr_track_drop_group(struct mgm_router *r, uint32_t gi)
{
	while (grp(r, gi)->track_head != MGM_NIL)
		reporter_del(r, grp(r, gi)->track_head);
}
