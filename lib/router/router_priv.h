/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to the router engine: the instance, its group and source records (RFC 3376 §6.2,
 * RFC 3810 §7.2) and tracking records, and what the router_*.c files offer each other: router.c
 * dispatch, router_querier.c §6.6, router_group.c §6.4-§6.5, router_compat.c §7.3, router_fwd.c.
 */
#ifndef MGM_ROUTER_PRIV_H
#define MGM_ROUTER_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "family.h"
#include "htab.h"
#include "mgm/router.h"
#include "timer.h"

/* The querier role (router_querier.c): states and the events that move between them. */
enum querier_state { QS_STOPPED, QS_QUERIER, QS_NON_QUERIER, QS__COUNT };
enum querier_event {
	QE_START,		  /* mgm_router_start() */
	QE_STOP,		  /* mgm_router_stop() */
	QE_LOWER_QUERY_HEARD,	  /* a query from a lower address, §6.6.2 */
	QE_OTHER_QUERIER_TIMEOUT, /* the Other Querier Present timer ran out */
	QE_GENERAL_QUERY_TIMER,	  /* the next general query is due */
	QE_ADDRESS_CHANGED,	  /* address set or removed, querier option changed */
	QE__COUNT
};

/* Timer heap references: a group index, or a source index with this bit. */
#define REF_SOURCE 0x80000000u

/* Group record flags. */
enum {
	GF_DIRTY = 1 << 0,     /* a source changed in a way that can change forwarding */
	GF_UNTRUSTED = 1 << 1, /* fast-leave tracking cannot see every member */
};

/* Source record flags; the low two bits hold the emitted (S,G) enum mgm_fwd_state. */
enum {
	SF_FWD_MASK = 3,
	SF_LISTED = 1 << 2, /* named by the record being applied */
	SF_DOOMED = 1 << 3, /* deleted; freed once its forwarding state is withdrawn */
};

/*
 * A group's timers, in the order they are handled when due (router_group.c: one row each in
 * group_timers[], with its name and what its expiry does). Adding one: a value here, a row
 * there; struct mgm_group grows by 8 octets.
 */
enum mgm_group_timer {
	MGM_GT_RETRANSMIT,    /* next Q(G) / Q(G,S) retransmission, §6.6.3 */
	MGM_GT_OLDER_HOST_V1, /* Older Host Present, IGMPv1 (§7.3.2) or MLDv1 (RFC 3810 §8.3.2) */
	MGM_GT_OLDER_HOST_V2, /* Older Host Present, IGMPv2 */
	MGM_GT_GROUP,	      /* group timer, EXCLUDE mode only (§6.2.2); last: it may delete */
	MGM_GT__COUNT
};

/*
 * A group record: 88 octets. Deadlines are absolute milliseconds, MGM_TIME_NEVER when the
 * timer does not run. The heap holds one entry per group at or before the earliest of its
 * deadlines: a deadline that moves later (a refresh) does not touch the heap; the entry fires,
 * finds nothing due and moves on (group_rearm()).
 */
struct mgm_group {
	uint8_t addr[16];
	int64_t deadline[MGM_GT__COUNT];
	uint32_t heap;	     /* heap position or MGM_NIL */
	uint32_t src_head;   /* source list */
	uint32_t track_head; /* tracked reporters (fast leave) */
	uint16_t num_src;
	uint16_t ex_hosts; /* tracked reporters in EXCLUDE mode */
	uint16_t n_hosts;  /* tracked reporters */
	uint8_t mode;	   /* enum mgm_filter_mode */
	uint8_t fwd;	   /* emitted (*,G) state */
	uint8_t rtx_left;  /* Q(G) transmissions still due */
	uint8_t flags;
	uint8_t last_reporter[16];
};

/*
 * A source record: 40 octets. Its timer runs while it has a heap entry (heap == MGM_NIL: not
 * running, which in EXCLUDE mode is list Y). The entry is at or before the deadline and less
 * than 2^32 ms before it, so the record keeps only the deadline's low 32 bits (timer_lo):
 * deadline = key + (uint32_t)(timer_lo - key). A refresh to a later deadline rewrites timer_lo
 * alone, and the entry, when it fires early, moves on to the deadline (mgm_rtr_source_fire()).
 */
struct mgm_source {
	uint8_t addr[16];
	uint32_t group;
	uint32_t next, prev;
	uint32_t heap;
	uint32_t timer_lo;
	uint16_t in_hosts; /* tracked INCLUDE-mode reporters asking for it */
	uint8_t rtx_left;  /* Q(G,S) transmissions still due, §6.6.3.2 */
	uint8_t flags;
};

enum { TRACK_REPORTER = 1, TRACK_SOURCE = 2 };

/* Fast-leave tracking: a reporter of a group (owner = group index) or a source a reporter
 * asked for (owner = source index). Reporter records list the group's reporters; source
 * records list the reporter's sources. */
struct mgm_track {
	uint8_t host[16];
	uint32_t owner;
	uint32_t next, prev;
	uint32_t aux; /* reporter: its first source record; source record: its reporter */
	uint8_t kind;
	uint8_t mode; /* reporter: enum mgm_filter_mode */
	uint32_t gen; /* sweep stamp when a full-state record replaces a reporter's sources */
};

struct mgm_router {
	struct mgm_router_config cfg;
	struct mgm_router_callbacks cb;
	struct mgm_mem mem;
	const struct mgm_family_desc *fam; /* of family: versions, names, sections */
	uint8_t family;
	uint8_t alen; /* 4 or 16 */
	bool running;
	uint8_t busy; /* inside an entry point (router.c): callbacks must not re-enter */

	bool have_addr;
	struct mgm_addr addr;
	uint8_t prefix_len;

	/* Querier state, §6.6.2: a state machine (router_querier.c). */
	uint8_t qstate; /* enum querier_state */
	struct mgm_addr querier_addr;
	int64_t other_querier_at;
	int64_t general_query_at;
	uint8_t startup_left;
	/* Older Version Querier Present, version v = 1, 2 at [v - 1] (engine.h). */
	int64_t older_querier_at[MGM_OLDER_VERSIONS];
	bool older_warned;	 /* older_warn_next is valid */
	int64_t older_warn_next; /* rate limit of the §7.3.1 warning */
	uint8_t rv;		 /* Robustness Variable in use */
	uint32_t qi_ms;		 /* Query Interval in use */

	struct mgm_pool groups, sources, tracks;
	struct mgm_htab gtab, stab, ttab;
	struct mgm_timer_heap heap;
	/* No source's heap entry was ever keyed later than this: a source timer set to this or
	 * later is at or after its entry without reading the heap (mgm_rtr_source_set_timer()). */
	int64_t src_key_max;
	uint64_t seed;
	uint32_t track_gen;

	struct mgm_router_counters ctr;

	/* Scratch for building queries: one packet and its source list. */
	uint8_t *qbuf;
	size_t qbuf_len;
	struct mgm_addr *qsrc;
	uint32_t qsrc_max; /* sources per query packet for the MTU */
	/* Scratch for applying a record: the source record of each listed source, so a row
	 * looks each up once (records longer than max_sources_per_group go without). */
	uint32_t *rec_si;
	uint32_t rec_si_cap;
};

static inline struct mgm_group *grp(const struct mgm_router *r, uint32_t gi)
{
	return mgm_pool_at(&r->groups, gi);
}

static inline struct mgm_source *src(const struct mgm_router *r, uint32_t si)
{
	return mgm_pool_at(&r->sources, si);
}

static inline struct mgm_track *trk(const struct mgm_router *r, uint32_t ti)
{
	return mgm_pool_at(&r->tracks, ti);
}

static inline void addr_make(const struct mgm_router *r, struct mgm_addr *a, const uint8_t *o)
{
	mgm_addr_from_wire(a, r->family, o);
}

/* ---- router.c: timers in use (RFC 3376 §8, RFC 3810 §9) ---------------------------------- */

int64_t mgm_rtr_gmi(const struct mgm_router *r);  /* Group Membership Interval */
int64_t mgm_rtr_lmqt(const struct mgm_router *r); /* Last Member Query Time */
/* The derived variables in use (0 in the configuration: from RV and QI in use). */
uint8_t mgm_rtr_lmqc(const struct mgm_router *r); /* Last Member Query Count */
uint8_t mgm_rtr_sqc(const struct mgm_router *r);  /* Startup Query Count */
uint32_t mgm_rtr_sqi(const struct mgm_router *r); /* Startup Query Interval */
int64_t mgm_rtr_ohpi(const struct mgm_router *r); /* Older Host Present Interval */
int64_t mgm_rtr_oqpi(const struct mgm_router *r); /* Other Querier Present Interval */
void mgm_rtr_log(const struct mgm_router *r, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool mgm_rtr_logging(const struct mgm_router *r)
{
	return r->cb.log != NULL;
}
/* Counts a drop (MGM_DROP_NONE: nothing) and logs it. */
void mgm_rtr_drop(struct mgm_router *r, enum mgm_router_drop reason);

/* ---- router_store.c: records, hash tables, the heap's owners ---------------------------- */

/* Empty tables and pools: allocates nothing, so it cannot fail. */
void mgm_rtr_store_init(struct mgm_router *r);
void mgm_rtr_store_fini(struct mgm_router *r);
uint32_t mgm_rtr_group_find(const struct mgm_router *r, const uint8_t *addr);
/* Creates an empty INCLUDE group (limits and memory checked). MGM_NIL with *why set. The
 * caller counts it (groups_added) once it keeps it. */
uint32_t mgm_rtr_group_new(struct mgm_router *r, const uint8_t *addr, enum mgm_router_drop *why);
/* Frees a group whose forwarding state is withdrawn and whose sources are gone. The caller
 * counts a deletion (groups_removed); a group freed unused is not one. */
void mgm_rtr_group_free(struct mgm_router *r, uint32_t gi);
uint32_t mgm_rtr_source_find(const struct mgm_router *r, uint32_t gi, const uint8_t *addr);
/* mgm_rtr_source_find() of n addresses (a record's wire list) into out[], as one batch. */
void mgm_rtr_source_find_batch(const struct mgm_router *r, uint32_t gi, const uint8_t *addrs,
			       uint32_t n, uint32_t *out);
/* Room for n more sources in the tables and the heap (reserve before mutating). */
int mgm_rtr_source_reserve(struct mgm_router *r, uint32_t n);
/* Creates a source (after a successful reserve: cannot fail). Timer not running. */
uint32_t mgm_rtr_source_new(struct mgm_router *r, uint32_t gi, const uint8_t *addr);
void mgm_rtr_source_free(struct mgm_router *r, uint32_t si);
/* Source timer: deadline or MGM_TIME_NEVER (stopped). */
int64_t mgm_rtr_source_deadline(const struct mgm_router *r, const struct mgm_source *s);
void mgm_rtr_source_set_timer(struct mgm_router *r, uint32_t si, int64_t when);
/* The source's heap entry fired: true when the timer was refreshed meanwhile (the entry
 * moved to the real deadline), false when it is due. */
bool mgm_rtr_source_rekey(struct mgm_router *r, uint32_t si, int64_t now);
/* Puts the group's heap entry at or before its earliest deadline (see struct mgm_group);
 * exact: exactly at it (after the entry fired). */
void mgm_rtr_group_rearm(struct mgm_router *r, uint32_t gi, bool exact);
/* Stops every timer of the group (the caller rearms). */
static inline void mgm_rtr_group_timers_stop(struct mgm_group *g)
{
	for (int k = 0; k < MGM_GT__COUNT; k++)
		g->deadline[k] = MGM_TIME_NEVER;
}
uint32_t mgm_rtr_track_find(const struct mgm_router *r, uint8_t kind, uint32_t owner,
			    const uint8_t *host);
uint32_t mgm_rtr_track_new(struct mgm_router *r, uint8_t kind, uint32_t owner, const uint8_t *host);
void mgm_rtr_track_free(struct mgm_router *r, uint32_t ti);
/* Gives back what reservations took and nothing used (after a refused record). */
void mgm_rtr_store_trim(struct mgm_router *r);
/* Deletes every group (mgm_rtr_group_delete()), withdrawing their forwarding state. */
void mgm_rtr_group_delete_all(struct mgm_router *r);
/* Calls fn on every live group index; fn may not delete groups. */
void mgm_rtr_group_walk(const struct mgm_router *r, void (*fn)(void *ctx, uint32_t gi), void *ctx);

/* ---- router_group.c: RFC 3376 §6.4, §6.5 ------------------------------------------------ */

/* A group record as the §6.4 tables see it, after compatibility mapping. */
struct mgm_rtr_record {
	uint8_t type; /* enum mgm_record_type */
	const uint8_t *group;
	const uint8_t *sources; /* wire list, num_sources addresses of r->alen octets */
	uint16_t num_sources;
	const uint8_t *reporter; /* wire address of the reporter */
};

/* Applies one record to the group state: the §6.4 rows. *gi is the group's index as the
 * caller found it (MGM_NIL: absent), so the record's group is looked up once; on return it is
 * the index after the record, MGM_NIL when there is no group. A refused record is counted
 * here and changes nothing; returns MGM_DROP_NONE or the reason. */
enum mgm_router_drop mgm_rtr_group_apply(struct mgm_router *r, int64_t now, uint32_t *gi,
					 const struct mgm_rtr_record *rec);
/* A heap entry of a group or a source fired: a group's runs the timers due, in the order of
 * enum mgm_group_timer. */
void mgm_rtr_group_fire(struct mgm_router *r, int64_t now, uint32_t gi);
void mgm_rtr_source_fire(struct mgm_router *r, int64_t now, uint32_t si);
/* §6.5: the group timer of an EXCLUDE-mode group ran out (or fast leave says it may). */
void mgm_rtr_group_expire(struct mgm_router *r, int64_t now, uint32_t gi);
/* Deletes a source (marks it; router_fwd.c frees it). */
void mgm_rtr_source_delete(struct mgm_router *r, uint32_t si);
/* Deletes a group with everything in it, withdrawing its forwarding state. */
void mgm_rtr_group_delete(struct mgm_router *r, uint32_t gi);
/* §6.6.1: lowering on a received (or sent) query with S clear. */
void mgm_rtr_lower_group(struct mgm_router *r, int64_t now, uint32_t gi, int64_t ms);
void mgm_rtr_lower_source(struct mgm_router *r, int64_t now, uint32_t si, int64_t ms);
const char *mgm_rtr_mode_name(uint8_t mode);

/* ---- router_querier.c: RFC 3376 §6.6, §7.3.1 -------------------------------------------- */

/* The querier state of a new router: STOPPED. */
void mgm_rtr_querier_init(struct mgm_router *r);
const char *mgm_rtr_querier_state_name(uint8_t state);
void mgm_rtr_querier_start(struct mgm_router *r, int64_t now);
void mgm_rtr_querier_stop(struct mgm_router *r, int64_t now);
void mgm_rtr_querier_timers(struct mgm_router *r, int64_t now);
int64_t mgm_rtr_querier_deadline(const struct mgm_router *r);
void mgm_rtr_querier_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			   const struct mgm_msg *m);
void mgm_rtr_querier_readdress(struct mgm_router *r, int64_t now);
/* §6.6.3.1: a table row asked for Q(G): lowers the group timer and sets the retransmission
 * count. True when a mgm_rtr_query_flush() is then due (once per row, so that a row asking
 * for Q(G) and Q(G,S) sends each once). */
bool mgm_rtr_query_group(struct mgm_router *r, int64_t now, uint32_t gi);
/* §6.6.3.2: may this router send Q(G,S) now (querier, configured for IGMPv3 / MLDv2)? */
bool mgm_rtr_can_query_sources(const struct mgm_router *r);
/* Sends every query due for the group (Q(G) and the split Q(G,S)) and schedules the next
 * retransmission: after a table row marked sources, and when the retransmission timer fires. */
void mgm_rtr_query_flush(struct mgm_router *r, int64_t now, uint32_t gi);

/* ---- router_compat.c: RFC 3376 §7.3.2, RFC 3810 §8.3.2 ---------------------------------- */

/* The version the group's records are read in: its compatibility mode, capped by the
 * router's operating version. */
uint8_t mgm_rtr_group_compat(const struct mgm_router *r, const struct mgm_group *g);
/* A report, v3 report or leave that passed the policy checks. */
void mgm_rtr_compat_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			  const struct mgm_msg *m);
/* An Older Host Present timer may have run out: switch the group's mode back. */
void mgm_rtr_compat_timers(struct mgm_router *r, int64_t now, uint32_t gi);

/* ---- router_fwd.c: forwarding effects --------------------------------------------------- */

/* Emits every change of the group's forwarding state, frees doomed sources, and deletes the
 * group when it is INCLUDE({}). Returns false when the group was deleted. */
bool mgm_rtr_fwd_sync(struct mgm_router *r, uint32_t gi);
uint8_t mgm_rtr_source_fwd_wanted(const struct mgm_router *r, const struct mgm_group *g,
				  const struct mgm_source *s);

/* ---- router_track.c: fast leave --------------------------------------------------------- */

void mgm_rtr_track_record(struct mgm_router *r, uint32_t gi, const struct mgm_rtr_record *rec);
/* After a record: acts on the group if no tracked reporter wants (some of) it any more, by
 * marking; the caller's mgm_rtr_fwd_sync() withdraws and deletes. */
void mgm_rtr_fast_leave(struct mgm_router *r, int64_t now, uint32_t gi);
void mgm_rtr_track_untrust(struct mgm_router *r, uint32_t gi);
void mgm_rtr_track_drop_group(struct mgm_router *r, uint32_t gi);
void mgm_rtr_track_drop_source(struct mgm_router *r, uint32_t si);
void mgm_rtr_track_drop_excluders(struct mgm_router *r, uint32_t gi);

#endif
