/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Group records and their state machine: the two tables of RFC 3376 §6.4.1 (current-state
 * records) and §6.4.2 (filter-mode and source-list changes), identical in RFC 3810 §7.4.1 and
 * §7.4.2 with MALI for GMI, laid out as data; the timer expiries of §6.2.1-§6.3 and the switch
 * from EXCLUDE to INCLUDE of §6.5; the timer lowering of §6.6.1.
 */
#include <stdio.h>
#include <string.h>

#include "mgm/err.h"
#include "router_priv.h"

/*
 * Actions of the tables, in the RFC's notation. In a row, A (INCLUDE) or X+Y (EXCLUDE) is the
 * group's source list, B (or A for EXCLUDE rows) the record's. "Listed" sources are the
 * record's; "requested" sources are those whose timer runs (all of A, or X).
 */
enum grp_action {
	ACT_END = 0,
	ACT_SET_LISTED_GMI,	 /* (B)=GMI: create or refresh every listed source */
	ACT_ADD_NEW_EXCLUDED,	 /* (B-A)=0: listed sources not present join Y */
	ACT_ADD_NEW_GMI,	 /* (A-X-Y)=GMI */
	ACT_ADD_NEW_GROUP_TIMER, /* (A-X-Y)=Group Timer */
	ACT_DELETE_UNLISTED,	 /* Delete (A-B), or (X-A) and (Y-A) */
	ACT_QUERY_LISTED,	 /* Send Q(G,A*B), or Q(G,A-Y): listed and requested */
	ACT_QUERY_UNLISTED,	 /* Send Q(G,A-B), or Q(G,X-A): requested, not listed */
	ACT_QUERY_GROUP,	 /* Send Q(G) */
	ACT_GROUP_TIMER_GMI,	 /* Group Timer=GMI */
	ACT__COUNT
};

/* In the family's words: %I is its GMI (RFC 3810: MALI), %T its group timer (filter timer). */
static const char *const action_name[ACT__COUNT] = {
	[ACT_END] = "",
	[ACT_SET_LISTED_GMI] = "(B)=%I",
	[ACT_ADD_NEW_EXCLUDED] = "(B-A)=0",
	[ACT_ADD_NEW_GMI] = "(A-X-Y)=%I",
	[ACT_ADD_NEW_GROUP_TIMER] = "(A-X-Y)=%T",
	[ACT_DELETE_UNLISTED] = "delete unlisted",
	[ACT_QUERY_LISTED] = "Q(G,listed)",
	[ACT_QUERY_UNLISTED] = "Q(G,unlisted)",
	[ACT_QUERY_GROUP] = "Q(G)",
	[ACT_GROUP_TIMER_GMI] = "%T=%I",
};

#define MAX_ACTIONS 5

struct grp_row {
	uint8_t state; /* enum mgm_filter_mode */
	uint8_t event; /* enum mgm_record_type */
	uint8_t next;  /* enum mgm_filter_mode */
	uint8_t actions[MAX_ACTIONS];
	uint8_t rule; /* enum mgm_fam_rule: the section the row is from, in each family's RFC */
};

/* The rows of RFC 3376 §6.4.1 and §6.4.2 in the RFC's order (RFC 3810 §7.4.1, §7.4.2). */
static const struct grp_row grp_fsm[] = {
	/* §6.4.1: INCLUDE(A) + IS_IN(B) -> INCLUDE(A+B); (B)=GMI */
	{MGM_INCLUDE,
	 MGM_MODE_IS_INCLUDE,
	 MGM_INCLUDE,
	 {ACT_SET_LISTED_GMI},
	 MGM_RULE_CURRENT_STATE},
	/* §6.4.1: INCLUDE(A) + IS_EX(B) -> EXCLUDE(A*B, B-A); (B-A)=0; Delete (A-B); GT=GMI */
	{MGM_INCLUDE,
	 MGM_MODE_IS_EXCLUDE,
	 MGM_EXCLUDE,
	 {ACT_ADD_NEW_EXCLUDED, ACT_DELETE_UNLISTED, ACT_GROUP_TIMER_GMI},
	 MGM_RULE_CURRENT_STATE},
	/* §6.4.1: EXCLUDE(X,Y) + IS_IN(A) -> EXCLUDE(X+A, Y-A); (A)=GMI */
	{MGM_EXCLUDE,
	 MGM_MODE_IS_INCLUDE,
	 MGM_EXCLUDE,
	 {ACT_SET_LISTED_GMI},
	 MGM_RULE_CURRENT_STATE},
	/* §6.4.1: EXCLUDE(X,Y) + IS_EX(A) -> EXCLUDE(A-Y, Y*A); (A-X-Y)=GMI; Delete (X-A),
	 * (Y-A); GT=GMI */
	{MGM_EXCLUDE,
	 MGM_MODE_IS_EXCLUDE,
	 MGM_EXCLUDE,
	 {ACT_ADD_NEW_GMI, ACT_DELETE_UNLISTED, ACT_GROUP_TIMER_GMI},
	 MGM_RULE_CURRENT_STATE},
	/* §6.4.2: INCLUDE(A) + ALLOW(B) -> INCLUDE(A+B); (B)=GMI */
	{MGM_INCLUDE,
	 MGM_ALLOW_NEW_SOURCES,
	 MGM_INCLUDE,
	 {ACT_SET_LISTED_GMI},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: INCLUDE(A) + BLOCK(B) -> INCLUDE(A); Send Q(G,A*B) */
	{MGM_INCLUDE,
	 MGM_BLOCK_OLD_SOURCES,
	 MGM_INCLUDE,
	 {ACT_QUERY_LISTED},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: INCLUDE(A) + TO_EX(B) -> EXCLUDE(A*B, B-A); (B-A)=0; Delete (A-B);
	 * Send Q(G,A*B); GT=GMI */
	{MGM_INCLUDE,
	 MGM_CHANGE_TO_EXCLUDE,
	 MGM_EXCLUDE,
	 {ACT_ADD_NEW_EXCLUDED, ACT_DELETE_UNLISTED, ACT_QUERY_LISTED, ACT_GROUP_TIMER_GMI},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: INCLUDE(A) + TO_IN(B) -> INCLUDE(A+B); (B)=GMI; Send Q(G,A-B) */
	{MGM_INCLUDE,
	 MGM_CHANGE_TO_INCLUDE,
	 MGM_INCLUDE,
	 {ACT_SET_LISTED_GMI, ACT_QUERY_UNLISTED},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: EXCLUDE(X,Y) + ALLOW(A) -> EXCLUDE(X+A, Y-A); (A)=GMI */
	{MGM_EXCLUDE,
	 MGM_ALLOW_NEW_SOURCES,
	 MGM_EXCLUDE,
	 {ACT_SET_LISTED_GMI},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: EXCLUDE(X,Y) + BLOCK(A) -> EXCLUDE(X+(A-Y), Y); (A-X-Y)=GT; Send Q(G,A-Y) */
	{MGM_EXCLUDE,
	 MGM_BLOCK_OLD_SOURCES,
	 MGM_EXCLUDE,
	 {ACT_ADD_NEW_GROUP_TIMER, ACT_QUERY_LISTED},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: EXCLUDE(X,Y) + TO_EX(A) -> EXCLUDE(A-Y, Y*A); (A-X-Y)=GT; Delete (X-A),
	 * (Y-A); Send Q(G,A-Y); GT=GMI. The new sources take the group timer before it is
	 * raised: the row lists GT=GMI last. */
	{MGM_EXCLUDE,
	 MGM_CHANGE_TO_EXCLUDE,
	 MGM_EXCLUDE,
	 {ACT_ADD_NEW_GROUP_TIMER, ACT_DELETE_UNLISTED, ACT_QUERY_LISTED, ACT_GROUP_TIMER_GMI},
	 MGM_RULE_STATE_CHANGE},
	/* §6.4.2: EXCLUDE(X,Y) + TO_IN(A) -> EXCLUDE(X+A, Y-A); (A)=GMI; Send Q(G,X-A);
	 * Send Q(G) */
	{MGM_EXCLUDE,
	 MGM_CHANGE_TO_INCLUDE,
	 MGM_EXCLUDE,
	 {ACT_SET_LISTED_GMI, ACT_QUERY_UNLISTED, ACT_QUERY_GROUP},
	 MGM_RULE_STATE_CHANGE},
};

static const struct grp_row *find_row(uint8_t state, uint8_t event)
{
	for (size_t i = 0; i < sizeof(grp_fsm) / sizeof(grp_fsm[0]); i++)
		if (grp_fsm[i].state == state && grp_fsm[i].event == event)
			return &grp_fsm[i];
	return NULL;
}

/* The set of the row's actions, one bit each. */
static unsigned row_actions(const struct grp_row *row)
{
	unsigned set = 0;

	for (int i = 0; i < MAX_ACTIONS && row->actions[i] != ACT_END; i++)
		set |= 1u << row->actions[i];
	return set;
}

const char *mgm_rtr_mode_name(uint8_t mode)
{
	return mode == MGM_EXCLUDE ? "EXCLUDE" : "INCLUDE";
}

static const uint8_t *rec_source(const struct mgm_router *r, const struct mgm_rtr_record *rec,
				 uint16_t i)
{
	return rec->sources + (size_t)i * r->alen;
}

static bool running(const struct mgm_source *s)
{
	return s->heap != MGM_NIL;
}

/* ---- Timers of the records ------------------------------------------------------------------ */

void mgm_rtr_lower_group(struct mgm_router *r, int64_t now, uint32_t gi, int64_t ms)
{
	struct mgm_group *g = grp(r, gi);

	if (g->mode == MGM_EXCLUDE && g->deadline[MGM_GT_GROUP] > now + ms) {
		g->deadline[MGM_GT_GROUP] = now + ms;
		mgm_rtr_group_rearm(r, gi, false);
	}
}

void mgm_rtr_lower_source(struct mgm_router *r, int64_t now, uint32_t si, int64_t ms)
{
	struct mgm_source *s = src(r, si);

	if (running(s) && !(s->flags & SF_DOOMED) && mgm_rtr_source_deadline(r, s) > now + ms)
		mgm_rtr_source_set_timer(r, si, now + ms);
}

/* Sets a source timer; a source of an EXCLUDE-mode group moving between X and Y changes
 * forwarding, so the group is marked for router_fwd.c. */
static void set_source_timer(struct mgm_router *r, uint32_t si, int64_t when)
{
	struct mgm_source *s = src(r, si);

	if (running(s) != (when != MGM_TIME_NEVER))
		grp(r, s->group)->flags |= GF_DIRTY;
	mgm_rtr_source_set_timer(r, si, when);
}

void mgm_rtr_source_delete(struct mgm_router *r, uint32_t si)
{
	struct mgm_source *s = src(r, si);

	if (s->flags & SF_DOOMED)
		return;
	s->flags |= SF_DOOMED;
	s->rtx_left = 0;
	mgm_rtr_source_set_timer(r, si, MGM_TIME_NEVER);
	grp(r, s->group)->flags |= GF_DIRTY;
}

void mgm_rtr_group_delete(struct mgm_router *r, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);

	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next)
		mgm_rtr_source_delete(r, si);
	g->mode = MGM_INCLUDE;
	mgm_rtr_group_timers_stop(g);
	g->rtx_left = 0;
	g->flags |= GF_DIRTY;
	mgm_rtr_fwd_sync(r, gi); /* INCLUDE({}): withdraws and frees */
}

/* §6.5: the group timer of an EXCLUDE-mode group ran out. The group goes to INCLUDE with the
 * sources "with source timers greater than zero"; the others are deleted: Y, and the sources of
 * X whose timer runs out in this same millisecond (carried over, they would be forwarded and
 * withdrawn again in one call). router_fwd.c deletes the group if nothing is left. */
void mgm_rtr_group_expire(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);
	char gs[MGM_ADDRSTRLEN];

	if (g->mode != MGM_EXCLUDE)
		return;
	g->mode = MGM_INCLUDE;
	g->deadline[MGM_GT_GROUP] = MGM_TIME_NEVER;
	g->rtx_left = 0; /* Q(G) retransmissions belong to the EXCLUDE-mode group */
	g->flags |= GF_DIRTY;
	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next)
		if (!running(src(r, si)) || mgm_rtr_source_deadline(r, src(r, si)) <= now)
			mgm_rtr_source_delete(r, si);
	mgm_rtr_track_drop_excluders(r, gi);
	if (mgm_rtr_logging(r)) {
		struct mgm_addr a;

		addr_make(r, &a, g->addr);
		mgm_rtr_log(r, MGM_LOG_DEBUG,
			    "group %s: %s expired, EXCLUDE -> INCLUDE (%u sources left) (%s %s)",
			    mgm_addr_str(&a, gs), r->fam->group_timer_name, (unsigned)(g->num_src),
			    r->fam->rfc, r->fam->section[MGM_RULE_FILTER_SWITCH]);
	}
}

/* §6.6.3: the next Q(G) / Q(G,S) transmission is due. */
static bool retransmit_expired(struct mgm_router *r, int64_t now, uint32_t gi)
{
	grp(r, gi)->deadline[MGM_GT_RETRANSMIT] = MGM_TIME_NEVER;
	mgm_rtr_query_flush(r, now, gi);
	return true;
}

/* §7.3.2: the group may return to a newer compatibility mode (both timers at once, so that
 * the change is told once). */
static bool older_host_expired(struct mgm_router *r, int64_t now, uint32_t gi)
{
	mgm_rtr_compat_timers(r, now, gi);
	return true;
}

/* §6.5: EXCLUDE -> INCLUDE, which may leave nothing of the group. */
static bool group_timer_expired(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);

	if (g->mode != MGM_EXCLUDE) {
		g->deadline[MGM_GT_GROUP] = MGM_TIME_NEVER; /* cannot run: see group_rearm() */
		return true;
	}
	mgm_rtr_group_expire(r, now, gi);
	return mgm_rtr_fwd_sync(r, gi);
}

/* A group's timers: a row each, in the order of enum mgm_group_timer. A handler stops or
 * moves its timer and returns false when the group was deleted. */
static const struct group_timer_row {
	const char *name;
	bool (*expired)(struct mgm_router *r, int64_t now, uint32_t gi);
} group_timers[MGM_GT__COUNT] = {
	[MGM_GT_RETRANSMIT] = {"query retransmission", retransmit_expired},
	[MGM_GT_OLDER_HOST_V1] = {"older host present (version 1)", older_host_expired},
	[MGM_GT_OLDER_HOST_V2] = {"older host present (version 2)", older_host_expired},
	[MGM_GT_GROUP] = {"group", group_timer_expired},
};

void mgm_rtr_group_fire(struct mgm_router *r, int64_t now, uint32_t gi)
{
	for (int k = 0; k < MGM_GT__COUNT; k++) {
		if (grp(r, gi)->deadline[k] > now)
			continue;
		if (mgm_rtr_logging(r)) {
			char gs[MGM_ADDRSTRLEN];
			struct mgm_addr a;

			addr_make(r, &a, grp(r, gi)->addr);
			mgm_rtr_log(r, MGM_LOG_DEBUG, "group %s: %s timer ran out",
				    mgm_addr_str(&a, gs), group_timers[k].name);
		}
		if (!group_timers[k].expired(r, now, gi))
			return;
	}
	mgm_rtr_group_rearm(r, gi, true);
}

/* §6.2.1 / §6.3: a source timer ran out. In INCLUDE mode the source is deleted (and the group
 * with its last source); in EXCLUDE mode it moves to Y and is no longer forwarded, unless the
 * group timer runs out in this same millisecond: §6.5 then deletes Y, so the source is deleted
 * now rather than blocked and unblocked in one call. */
void mgm_rtr_source_fire(struct mgm_router *r, int64_t now, uint32_t si)
{
	struct mgm_source *s;
	uint32_t gi;
	struct mgm_group *g;

	if (mgm_rtr_source_rekey(r, si, now))
		return;
	s = src(r, si);
	gi = s->group;
	g = grp(r, gi);
	s->rtx_left = 0;
	if (g->mode == MGM_INCLUDE || g->deadline[MGM_GT_GROUP] <= now)
		mgm_rtr_source_delete(r, si);
	else
		set_source_timer(r, si, MGM_TIME_NEVER);
	if (mgm_rtr_logging(r)) {
		char gs[MGM_ADDRSTRLEN], ss[MGM_ADDRSTRLEN];
		struct mgm_addr a, b;

		addr_make(r, &a, g->addr);
		addr_make(r, &b, s->addr);
		mgm_rtr_log(r, MGM_LOG_DEBUG,
			    "group %s source %s: source timer expired in %s mode: %s",
			    mgm_addr_str(&a, gs), mgm_addr_str(&b, ss), mgm_rtr_mode_name(g->mode),
			    s->flags & SF_DOOMED ? "deleted" : "moved to Y");
	}
	mgm_rtr_fwd_sync(r, gi);
}

/* ---- Applying a record: the table rows ------------------------------------------------------ */

/* §6.6.3.2: Send Q(G, sources selected by `listed`). Only a querier acts; only sources whose
 * timer is above LMQT are (re)armed, the others are already being queried or about to go. */
static bool query_sources(struct mgm_router *r, int64_t now, uint32_t gi, bool listed)
{
	struct mgm_group *g = grp(r, gi);
	int64_t lmqt = mgm_rtr_lmqt(r);
	uint32_t n = 0;

	if (!mgm_rtr_can_query_sources(r))
		return false;
	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		struct mgm_source *s = src(r, si);

		if ((s->flags & SF_DOOMED) || !running(s) || !!(s->flags & SF_LISTED) != listed)
			continue;
		if (mgm_rtr_source_deadline(r, s) <= now + lmqt)
			continue;
		s->rtx_left = mgm_rtr_lmqc(r);
		mgm_rtr_source_set_timer(r, si, now + lmqt);
		n++;
	}
	return n > 0;
}

/* The source record of listed source i: from the scratch filled when the row began, or
 * looked up (a source created since, or a record too long for the scratch). */
static uint32_t listed_source(const struct mgm_router *r, uint32_t gi,
			      const struct mgm_rtr_record *rec, uint16_t i)
{
	if (rec->num_sources <= r->rec_si_cap && r->rec_si[i] != MGM_NIL)
		return r->rec_si[i];
	return mgm_rtr_source_find(r, gi, rec_source(r, rec, i));
}

static void remember(struct mgm_router *r, const struct mgm_rtr_record *rec, uint16_t i,
		     uint32_t si)
{
	if (rec->num_sources <= r->rec_si_cap)
		r->rec_si[i] = si;
}

/* Runs one action; queries are only prepared, and *flush says they are due. */
static void do_action(struct mgm_router *r, int64_t now, uint32_t gi, uint8_t act,
		      const struct mgm_rtr_record *rec, bool *flush)
{
	struct mgm_group *g = grp(r, gi);
	int64_t gmi = now + mgm_rtr_gmi(r);

	switch (act) {
	case ACT_SET_LISTED_GMI:
		for (uint16_t i = 0; i < rec->num_sources; i++) {
			const uint8_t *a = rec_source(r, rec, i);
			uint32_t si = listed_source(r, gi, rec, i);

			if (si == MGM_NIL)
				si = mgm_rtr_source_new(r, gi, a);
			remember(r, rec, i, si);
			src(r, si)->flags |= SF_LISTED;
			set_source_timer(r, si, gmi);
		}
		break;
	case ACT_ADD_NEW_EXCLUDED:
	case ACT_ADD_NEW_GMI:
	case ACT_ADD_NEW_GROUP_TIMER: {
		int64_t when = act == ACT_ADD_NEW_EXCLUDED ? MGM_TIME_NEVER
			       : act == ACT_ADD_NEW_GMI	   ? gmi
							   : g->deadline[MGM_GT_GROUP];

		for (uint16_t i = 0; i < rec->num_sources; i++) {
			const uint8_t *a = rec_source(r, rec, i);
			uint32_t si = listed_source(r, gi, rec, i);

			if (si == MGM_NIL) {
				si = mgm_rtr_source_new(r, gi, a);
				src(r, si)->flags |= SF_LISTED;
				set_source_timer(r, si, when);
			}
			/* else present (marked when the row began) */
			remember(r, rec, i, si);
		}
		break;
	}
	case ACT_DELETE_UNLISTED:
		for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next)
			if (!(src(r, si)->flags & SF_LISTED))
				mgm_rtr_source_delete(r, si);
		break;
	case ACT_QUERY_LISTED:
		*flush |= query_sources(r, now, gi, true);
		break;
	case ACT_QUERY_UNLISTED:
		*flush |= query_sources(r, now, gi, false);
		break;
	case ACT_QUERY_GROUP:
		*flush |= mgm_rtr_query_group(r, now, gi);
		break;
	case ACT_GROUP_TIMER_GMI:
		g->deadline[MGM_GT_GROUP] = gmi;
		break;
	default:
		break;
	}
}

/*
 * Before a row changes anything: marks the listed sources that exist and checks that the
 * result fits the limits and that memory for it is reserved. A record is applied whole or not
 * at all, so a refusal never leaves a half-updated mode and timer mix. Duplicates in a record
 * count against the limit as if distinct. Returns MGM_DROP_NONE or the reason of the refusal.
 */
static enum mgm_router_drop row_prepare(struct mgm_router *r, uint32_t gi,
					const struct grp_row *row, const struct mgm_rtr_record *rec)
{
	/* The actions that create the sources they name. */
	const unsigned creating = 1u << ACT_SET_LISTED_GMI | 1u << ACT_ADD_NEW_EXCLUDED |
				  1u << ACT_ADD_NEW_GMI | 1u << ACT_ADD_NEW_GROUP_TIMER;
	struct mgm_group *g = grp(r, gi);
	unsigned acts = row_actions(row);
	uint32_t present = 0, absent = 0, after, deleted = 0;

	/* The scratch holds the record's source records: looked up as one batch. */
	if (rec->num_sources <= r->rec_si_cap)
		mgm_rtr_source_find_batch(r, gi, rec->sources, rec->num_sources, r->rec_si);
	for (uint16_t i = 0; i < rec->num_sources; i++) {
		uint32_t si = rec->num_sources <= r->rec_si_cap
				      ? r->rec_si[i]
				      : mgm_rtr_source_find(r, gi, rec_source(r, rec, i));

		remember(r, rec, i, si);
		if (si == MGM_NIL) {
			absent++;
		} else if (!(src(r, si)->flags & SF_LISTED)) {
			src(r, si)->flags |= SF_LISTED;
			present++;
		}
	}
	if (!(acts & creating))
		absent = 0;
	if (acts & 1u << ACT_DELETE_UNLISTED) {
		after = present + absent;
		deleted = g->num_src - present;
	} else {
		after = g->num_src + absent;
	}
	if (absent && (after > r->cfg.max_sources_per_group ||
		       (uint64_t)r->sources.live - deleted + absent > r->cfg.max_sources))
		return MGM_DROP_SOURCE_LIMIT;
	if (absent && mgm_rtr_source_reserve(r, absent))
		return MGM_DROP_NOMEM;
	return MGM_DROP_NONE;
}

static void unmark(struct mgm_router *r, uint32_t gi, const struct mgm_rtr_record *rec)
{
	for (uint16_t i = 0; i < rec->num_sources; i++) {
		uint32_t si = listed_source(r, gi, rec, i);

		if (si != MGM_NIL)
			src(r, si)->flags &= (uint8_t)~SF_LISTED;
	}
}

/* Appends an action's name to buf (NUL-terminated, truncated at cap), in the family's words. */
static size_t put_action(char *buf, size_t off, size_t cap, const struct mgm_family_desc *fd,
			 const char *name)
{
	for (; *name && off + 1 < cap; name++) {
		const char *word = NULL;

		if (name[0] == '%' && name[1] == 'I')
			word = fd->gmi_name;
		else if (name[0] == '%' && name[1] == 'T')
			word = fd->group_timer_abbr;
		if (!word) {
			buf[off++] = *name;
			continue;
		}
		for (; *word && off + 1 < cap; word++)
			buf[off++] = *word;
		name++;
	}
	buf[off] = '\0';
	return off;
}

static void log_row(struct mgm_router *r, uint32_t gi, const struct grp_row *row,
		    const struct mgm_rtr_record *rec)
{
	char gs[MGM_ADDRSTRLEN], hs[MGM_ADDRSTRLEN], acts[128];
	struct mgm_addr a, h;
	size_t off = 0;

	acts[0] = '\0';
	for (int i = 0; i < MAX_ACTIONS && row->actions[i] != ACT_END; i++) {
		if (i)
			off = put_action(acts, off, sizeof(acts), r->fam, ", ");
		off = put_action(acts, off, sizeof(acts), r->fam, action_name[row->actions[i]]);
	}
	addr_make(r, &a, grp(r, gi)->addr);
	addr_make(r, &h, rec->reporter);
	mgm_rtr_log(r, MGM_LOG_DEBUG, "group %s: %s + %s(%u sources) from %s -> %s [%s] (%s %s)",
		    mgm_addr_str(&a, gs), mgm_rtr_mode_name(row->state),
		    mgm_record_type_name(row->event), (unsigned)rec->num_sources,
		    mgm_addr_str(&h, hs), mgm_rtr_mode_name(row->next), acts, r->fam->rfc,
		    r->fam->section[row->rule]);
}

/* Whether a record for an absent group, i.e. INCLUDE({}), would leave any state. */
static bool creates_state(const struct mgm_rtr_record *rec)
{
	switch (rec->type) {
	case MGM_MODE_IS_EXCLUDE:
	case MGM_CHANGE_TO_EXCLUDE:
		return true;
	case MGM_MODE_IS_INCLUDE:
	case MGM_CHANGE_TO_INCLUDE:
	case MGM_ALLOW_NEW_SOURCES:
		return rec->num_sources > 0;
	default:
		/* BLOCK on INCLUDE({}) sends Q(G,{}): nothing. */
		return false;
	}
}

/* A refused record: counted once, here, and whatever reservations took is given back. */
static enum mgm_router_drop refuse(struct mgm_router *r, enum mgm_router_drop why)
{
	mgm_rtr_drop(r, why);
	mgm_rtr_store_trim(r);
	return why;
}

enum mgm_router_drop mgm_rtr_group_apply(struct mgm_router *r, int64_t now, uint32_t *gip,
					 const struct mgm_rtr_record *rec)
{
	enum mgm_router_drop why = MGM_DROP_NONE;
	const struct grp_row *row;
	struct mgm_group *g;
	uint32_t gi = *gip;
	bool created = false, flush = false;

	if (gi == MGM_NIL && !creates_state(rec))
		return MGM_DROP_NONE;
	/* The row before any change: a new group starts in INCLUDE({}) (§6.4). Looked up first
	 * so that no path can create a group and then leave it behind unused. */
	row = find_row(gi == MGM_NIL ? MGM_INCLUDE : grp(r, gi)->mode, rec->type);
	if (!row)
		return refuse(r, MGM_DROP_UNKNOWN_TYPE);
	if (gi == MGM_NIL) {
		/* Limits first, so a refused record does not even create the group. */
		if (rec->num_sources > r->cfg.max_sources_per_group ||
		    (uint64_t)r->sources.live + rec->num_sources > r->cfg.max_sources)
			return refuse(r, MGM_DROP_SOURCE_LIMIT);
		gi = mgm_rtr_group_new(r, rec->group, &why);
		if (gi == MGM_NIL)
			return refuse(r, why);
		created = true;
	}
	g = grp(r, gi);
	why = row_prepare(r, gi, row, rec);
	if (why != MGM_DROP_NONE) {
		unmark(r, gi, rec);
		if (created)
			mgm_rtr_group_free(r, gi); /* never used: neither added nor removed */
		return refuse(r, why);
	}
	if (created)
		r->ctr.groups_added++;
	if (mgm_rtr_logging(r))
		log_row(r, gi, row, rec);
	for (int i = 0; i < MAX_ACTIONS && row->actions[i] != ACT_END; i++)
		do_action(r, now, gi, row->actions[i], rec, &flush);
	g = grp(r, gi);
	if (g->mode != row->next) {
		g->mode = row->next;
		g->flags |= GF_DIRTY;
	}
	if (flush)
		mgm_rtr_query_flush(r, now, gi);
	unmark(r, gi, rec);
	memset(g->last_reporter, 0, sizeof(g->last_reporter));
	memcpy(g->last_reporter, rec->reporter, r->alen);
	mgm_rtr_group_rearm(r, gi, false);
	mgm_rtr_track_record(r, gi, rec);
	mgm_rtr_fast_leave(r, now, gi);
	*gip = mgm_rtr_fwd_sync(r, gi) ? gi : MGM_NIL;
	return MGM_DROP_NONE;
}
