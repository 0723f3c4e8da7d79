/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Forwarding effects: maps each group record onto the (*,G) / (S,G) forwarding entries of
 * router.h (RFC 3376 §6.3 and RFC 3810 §7.3: what the routing protocol is told) and emits every
 * change, ordered so that traffic that stays wanted never gaps and unwanted traffic never leaks.
 * It is also where deleted sources and empty groups are finally freed.
 */
#include "router_priv.h"

uint8_t mgm_rtr_source_fwd_wanted(const struct mgm_router *r, const struct mgm_group *g,
				  const struct mgm_source *s)
{
	(void)r;
	if (s->flags & SF_DOOMED)
		return MGM_FWD_NONE;
	/* §6.3: INCLUDE forwards the listed sources; EXCLUDE forwards all but Y (timer stopped). */
	if (g->mode == MGM_INCLUDE)
		return MGM_FWD_FORWARD;
	return s->heap != MGM_NIL ? MGM_FWD_NONE : MGM_FWD_BLOCK;
}

static const char *fwd_name(uint8_t st)
{
	return st == MGM_FWD_FORWARD ? "FORWARD" : st == MGM_FWD_BLOCK ? "BLOCK" : "NONE";
}

static void emit(struct mgm_router *r, const struct mgm_group *g, const struct mgm_source *s,
		 uint8_t from, uint8_t to)
{
	struct mgm_fwd_change c;

	addr_make(r, &c.group, g->addr);
	c.any_source = s == NULL;
	if (s)
		addr_make(r, &c.source, s->addr);
	else
		mgm_addr_any(&c.source, r->family);
	c.from = from;
	c.to = to;
	r->ctr.fwd_changes++;
	if (mgm_rtr_logging(r)) {
		char gs[MGM_ADDRSTRLEN], ss[MGM_ADDRSTRLEN];

		mgm_rtr_log(r, MGM_LOG_DEBUG, "forwarding (%s,%s): %s -> %s",
			    s ? mgm_addr_str(&c.source, ss) : "*", mgm_addr_str(&c.group, gs),
			    fwd_name(from), fwd_name(to));
	}
	if (r->cb.forward)
		r->cb.forward(r->cb.ctx, &c);
}

static void set_fwd(struct mgm_source *s, uint8_t st)
{
	s->flags = (uint8_t)((s->flags & ~SF_FWD_MASK) | st);
}

/*
 * Four passes over the group's sources:
 *   1. new BLOCKs (before (*,G) starts forwarding, so excluded sources never leak),
 *   2. new FORWARDs, (*,G) first,
 *   3. withdrawn FORWARDs, (*,G) first (after the sources that replace it started),
 *   4. withdrawn BLOCKs (after (*,G) stopped), freeing deleted sources on the way.
 */
bool mgm_rtr_fwd_sync(struct mgm_router *r, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);
	uint8_t gwant;
	uint32_t live = 0, si, next;

	if (!(g->flags & GF_DIRTY)) {
		/* No source changed: only (*,G) can have. */
		gwant = g->mode == MGM_EXCLUDE ? MGM_FWD_FORWARD : MGM_FWD_NONE;
		if (gwant != g->fwd) {
			emit(r, g, NULL, g->fwd, gwant);
			g->fwd = gwant;
		}
		if (g->mode == MGM_INCLUDE && g->num_src == 0)
			goto delete_group;
		return true;
	}
	g->flags &= (uint8_t)~GF_DIRTY;
	for (si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		struct mgm_source *s = src(r, si);
		uint8_t want = mgm_rtr_source_fwd_wanted(r, g, s);

		if (!(s->flags & SF_DOOMED))
			live++;
		if (want == MGM_FWD_BLOCK && (s->flags & SF_FWD_MASK) == MGM_FWD_NONE) {
			emit(r, g, s, MGM_FWD_NONE, MGM_FWD_BLOCK);
			set_fwd(s, MGM_FWD_BLOCK);
		}
	}
	gwant = g->mode == MGM_EXCLUDE ? MGM_FWD_FORWARD : MGM_FWD_NONE;
	if (gwant == MGM_FWD_FORWARD && g->fwd != MGM_FWD_FORWARD) {
		emit(r, g, NULL, g->fwd, MGM_FWD_FORWARD);
		g->fwd = MGM_FWD_FORWARD;
	}
	for (si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		struct mgm_source *s = src(r, si);
		uint8_t cur = s->flags & SF_FWD_MASK;

		if (mgm_rtr_source_fwd_wanted(r, g, s) == MGM_FWD_FORWARD &&
		    cur != MGM_FWD_FORWARD) {
			emit(r, g, s, cur, MGM_FWD_FORWARD);
			set_fwd(s, MGM_FWD_FORWARD);
		}
	}
	if (gwant == MGM_FWD_NONE && g->fwd != MGM_FWD_NONE) {
		emit(r, g, NULL, g->fwd, MGM_FWD_NONE);
		g->fwd = MGM_FWD_NONE;
	}
	for (si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		struct mgm_source *s = src(r, si);
		uint8_t want = mgm_rtr_source_fwd_wanted(r, g, s);

		if ((s->flags & SF_FWD_MASK) == MGM_FWD_FORWARD && want != MGM_FWD_FORWARD) {
			emit(r, g, s, MGM_FWD_FORWARD, want);
			set_fwd(s, want);
		}
	}
	for (si = g->src_head; si != MGM_NIL; si = next) {
		struct mgm_source *s = src(r, si);
		uint8_t want = mgm_rtr_source_fwd_wanted(r, g, s);

		next = s->next;
		if ((s->flags & SF_FWD_MASK) == MGM_FWD_BLOCK && want == MGM_FWD_NONE) {
			emit(r, g, s, MGM_FWD_BLOCK, MGM_FWD_NONE);
			set_fwd(s, MGM_FWD_NONE);
		}
		if (s->flags & SF_DOOMED) {
			mgm_rtr_track_drop_source(r, si);
			mgm_rtr_source_free(r, si);
		}
	}
	g = grp(r, gi);
	if (g->mode == MGM_INCLUDE && live == 0)
		goto delete_group;
	return true;

delete_group:
	/* §6.2.1 / §6.5: an INCLUDE-mode group without sources is deleted. */
	mgm_rtr_track_drop_group(r, gi);
	mgm_rtr_group_free(r, gi);
	r->ctr.groups_removed++;
	return false;
}
