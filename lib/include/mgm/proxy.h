/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IGMP/MLD proxying (RFC 4605), sans I/O: a membership database of every downstream
 * interface's record per group, merged per RFC 4605 §4.1 (the RFC 3376 §3.2 rules) by the
 * upstream host engines, which report the merged state upstream (§4.1, §5.1 / §5.2 there).
 */
#ifndef MGM_PROXY_H
#define MGM_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/engine.h"
#include "mgm/host.h"
#include "mgm/router.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Model
 * -----
 * The proxy composes the engines rather than being a third state machine. Each downstream
 * interface (a caller-chosen uint32_t id) holds, per group, the record its router engine
 * holds: INCLUDE (A) or EXCLUDE (X, Y). For the merge that record is a socket filter: INCLUDE
 * with A, EXCLUDE with Y (the sources blocked). RFC 4605 §4.1 merges those records by the RFC
 * 3376 §3.2 rules, which is exactly the merge of socket filters into the interface state that
 * the host engine does: so every downstream interface is one "socket" of the upstream host
 * engine (socket id = interface id), and the host engine computes the merged state and its
 * state-change reports (§5.1), answers queries from it (§5.2) and follows the compatibility
 * mode the upstream querier imposes (§7.2.1). Static joins take the same path under an
 * interface id of their own.
 *
 * Several upstreams: each has ranges of groups; a group is reported on the first upstream (in
 * the order added) whose ranges match it; a group no upstream matches is not reported.
 *
 * The proxy is never querier upstream (RFC 4605 §4.1): there is nothing to configure, the
 * caller runs no router engine on an upstream interface.
 *
 * Events in (mgm_proxy_update_group(), mgm_proxy_set_filter(), mgm_proxy_timer(), and the
 * upstream host engines' input), effects out through each upstream host engine's callbacks.
 * Time is the caller's monotonic milliseconds; memory comes from the allocator hooks; no I/O.
 * Not thread-safe; the host engines' callbacks must not call back into the proxy.
 *
 * Limits: the proxy's own (max_records, max_sources) and each upstream host engine's: its
 * max_sockets must cover the (downstream interface, group) records it serves and its
 * max_groups the groups, or changes are refused with MGM_E_LIMIT (counted as refused).
 */

struct mgm_proxy;

struct mgm_proxy_config {
	uint8_t family;		/* MGM_INET or MGM_INET6 */
	uint32_t max_records;	/* (downstream interface, group) records (default 65536) */
	uint32_t max_sources;	/* sources in one record (default 256) */
	uint32_t max_upstreams; /* default 8, at most 64 */
};

void mgm_proxy_config_defaults(struct mgm_proxy_config *cfg, uint8_t family);
int mgm_proxy_config_check(const struct mgm_proxy_config *cfg, char *errbuf, size_t errlen);

#define MGM_PROXY_MAX_RANGES 16

/* Groups group/prefix_len: a prefix of the family's address. */
struct mgm_proxy_range {
	struct mgm_addr group;
	uint8_t prefix_len;
};

struct mgm_proxy_upstream_config {
	struct mgm_host_config host; /* the upstream host engine; host.family = the proxy's */
	/* Groups served, first match over upstreams; none: every group. */
	struct mgm_proxy_range ranges[MGM_PROXY_MAX_RANGES];
	uint32_t num_ranges;
	/* Keep joined: every keep_joined_ms (0: off, else >= 1000) the whole current state is
	 * reported again unsolicited, for upstream equipment that drops a stream when reports
	 * stop. Skipped while an older-version querier is present upstream (it queries, and the
	 * answers keep the stream; the host engine offers no call that re-reports without
	 * forgetting that querier's compatibility timer). */
	uint32_t keep_joined_ms;
	/* Leave hold-down: a downstream record leaving a group (its filter becoming INCLUDE {})
	 * takes effect upstream leave_holddown_ms later (0: at once), and not at all if the
	 * interface joins the group again within it (channel-zapping churn). <= 60 s. */
	uint32_t leave_holddown_ms;
};

int mgm_proxy_create(const struct mgm_proxy_config *cfg, const struct mgm_allocator *alloc,
		     struct mgm_proxy **out, char *errbuf, size_t errlen);
/* Frees everything, the upstream host engines with it; sends nothing. */
void mgm_proxy_destroy(struct mgm_proxy *p);

/*
 * A new upstream (its host engine created stopped, with cb as its callbacks); its index (0, 1,
 * ... in the order added) into *index. MGM_E_CONFIG (errbuf says why), MGM_E_LIMIT
 * (max_upstreams), MGM_E_NOMEM. Groups already in the database are not moved to it.
 */
int mgm_proxy_add_upstream(struct mgm_proxy *p, const struct mgm_proxy_upstream_config *uc,
			   const struct mgm_host_callbacks *cb, uint32_t *index, char *errbuf,
			   size_t errlen);
uint32_t mgm_proxy_num_upstreams(const struct mgm_proxy *p);
/* The upstream's host engine, for the caller to feed its input (mgm_host_input()), give it its
 * address, start and stop it. Its sockets belong to the proxy: do not call the socket calls on
 * it, nor mgm_host_timer() (mgm_proxy_timer() does). NULL when out of range. */
struct mgm_host *mgm_proxy_upstream_host(struct mgm_proxy *p, uint32_t index);
/* The upstream index a group is reported on, or -1 when none matches. */
int mgm_proxy_upstream_of(const struct mgm_proxy *p, const struct mgm_addr *group);

/*
 * The record of downstream interface `downstream` for `group` becomes (mode, sources). INCLUDE
 * with no source: the interface left the group (after the hold-down, if any). Returns 0 (also
 * when no upstream serves the group: nothing is stored), or MGM_E_INVAL (family, not a routed
 * multicast group, bad mode, duplicate sources), MGM_E_LIMIT (max_records, max_sources: the
 * old record stays), MGM_E_NOMEM, or what the host engine refused (then nothing changed).
 */
int mgm_proxy_set_filter(struct mgm_proxy *p, int64_t now, uint32_t downstream,
			 const struct mgm_addr *group, uint8_t mode, const struct mgm_addr *sources,
			 uint32_t num_sources);

/*
 * The daemon's call when a downstream router engine's state for a group changed: reads the
 * group's record from r (INCLUDE: the sources forwarded, A; EXCLUDE: those not forwarded, Y;
 * no record: INCLUDE {}) and sets it as above.
 */
int mgm_proxy_update_group(struct mgm_proxy *p, int64_t now, uint32_t downstream,
			   const struct mgm_router *r, const struct mgm_addr *group);

/*
 * The same through the caller's policy (access lists, its own SSM ranges): keep(ctx, group,
 * source) says whether traffic from source may be pulled for that downstream interface, and
 * keep(ctx, group, NULL) whether any-source reception may. An INCLUDE record keeps the sources
 * the policy passes; an EXCLUDE record the policy refuses counts as INCLUDE {} (a list of what
 * it would forbid cannot be reported). keep NULL: mgm_proxy_update_group().
 */
typedef bool (*mgm_proxy_policy_fn)(void *ctx, const struct mgm_addr *group,
				    const struct mgm_addr *source);
int mgm_proxy_update_group_policy(struct mgm_proxy *p, int64_t now, uint32_t downstream,
				  const struct mgm_router *r, const struct mgm_addr *group,
				  mgm_proxy_policy_fn keep, void *ctx);

/* A downstream interface gone: all its records dropped at once (no hold-down). Walks every
 * record. A leave the host engine refuses (MGM_E_NOMEM) keeps its record; the first such error
 * is returned, the others are still removed, and a later call retries. A refused leave after a
 * hold-down is tried again one hold-down later. */
int mgm_proxy_remove_downstream(struct mgm_proxy *p, int64_t now, uint32_t downstream);

/*
 * A static join on interface id `id`: any-source (source NULL: EXCLUDE {}) or of one source
 * (added to the record's INCLUDE list; refused with MGM_E_INVAL on an any-source record).
 * join false removes it (the any-source join, or the one source). MGM_E_NOENT when not held.
 */
int mgm_proxy_set_static(struct mgm_proxy *p, int64_t now, uint32_t id,
			 const struct mgm_addr *group, const struct mgm_addr *source, bool join);

/* Runs the hold-downs, keep-joined rounds and the upstream host engines' timers due by now. */
void mgm_proxy_timer(struct mgm_proxy *p, int64_t now);
/* The earliest of those, or MGM_TIME_NEVER. */
int64_t mgm_proxy_next_deadline(const struct mgm_proxy *p);

/* ---- Introspection (mgmctl show upstream) --------------------------------------------------
 * The merged state per upstream and group: mgm_host_foreach_group() / mgm_host_group_sources()
 * on mgm_proxy_upstream_host(). What each downstream interface contributes: below. */

struct mgm_proxy_record_info {
	struct mgm_addr group;
	uint32_t downstream;
	uint32_t upstream;   /* index */
	uint8_t filter_mode; /* as merged: INCLUDE (A) / EXCLUDE (Y) */
	uint32_t num_sources;
	int64_t holddown_ms; /* remaining hold-down of a leave, -1 when none */
};

struct mgm_proxy_counters {
	uint64_t updates;	    /* set_filter calls that changed a record */
	uint64_t unmatched;	    /* of groups no upstream serves */
	uint64_t holddown_canceled; /* leaves undone by a join within the hold-down */
	uint64_t holddown_expired;
	uint64_t keep_joined_rounds;
	uint64_t refused; /* calls refused (limits, memory, host engine) */
};

void mgm_proxy_counters(const struct mgm_proxy *p, struct mgm_proxy_counters *c);
/* Records in the database, memory held by the proxy (not its host engines). */
uint32_t mgm_proxy_num_records(const struct mgm_proxy *p);
size_t mgm_proxy_memory(const struct mgm_proxy *p);
/* One record, or MGM_E_NOENT; its sources into out[] up to cap (out may be NULL). */
int mgm_proxy_record(const struct mgm_proxy *p, int64_t now, uint32_t downstream,
		     const struct mgm_addr *group, struct mgm_proxy_record_info *ri,
		     struct mgm_addr *out, uint32_t cap);
/* Every record of a group (every group: group NULL); a non-zero return of fn stops the walk and
 * is returned. Nothing may change from inside fn. */
int mgm_proxy_foreach_record(const struct mgm_proxy *p, int64_t now, const struct mgm_addr *group,
			     int (*fn)(void *ctx, const struct mgm_proxy_record_info *ri),
			     void *ctx);

#ifdef __cplusplus
}
#endif
#endif
