/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to the host engine: the instance, its group records with their socket filters and
 * interface state (RFC 3376 §3.2, RFC 3810 §4.2), and what the host_*.c files offer each other:
 * host.c dispatch, host_filter.c §3.2, host_report.c §5.1 and sending, host_query.c §5.2, §7.2.
 */
#ifndef MGM_HOST_PRIV_H
#define MGM_HOST_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "family.h"
#include "htab.h"
#include "mgm/host.h"
#include "timer.h"

/* A sorted set of addresses (ascending mgm_addr_cmp()), no duplicates; cap slots allocated. */
struct hset {
	struct mgm_addr *v;
	uint32_t n, cap;
};

/* One socket's filter on one group (RFC 3678 §4; RFC 3376 §3.1's per-socket state). */
struct hsock {
	struct hsock *next;
	uint32_t id;
	uint8_t mode; /* enum mgm_filter_mode */
	struct hset src;
};

/* §5.1 retransmission state of one source: reports still to carry it in ALLOW / BLOCK. Which of
 * the two is decided when a report is built, from the interface state then (the §5.1 table
 * "ALLOW: all with retransmission state that must be forwarded"). */
struct hrtx {
	struct mgm_addr a;
	uint8_t left;
};

/*
 * A group record: exists while a socket holds the group or a report about it is pending. The
 * stored interface state (mode, src) is the state at the last report; a change computes the
 * new one from the sockets and reports the difference before storing it (the two moments of
 * FreeBSD's in_mcast.c).
 */
struct hgroup {
	struct mgm_addr addr;
	uint32_t heap; /* heap position or MGM_NIL; keyed at min(rtx_at, resp_at) */
	struct hsock *socks;
	uint32_t nsocks;
	uint8_t mode; /* interface state, §3.2 */
	struct hset src;
	/* §5.1: Filter-Mode-Change reports still due, source retransmission state, next report. */
	uint8_t mode_rtx;
	struct hrtx *rtx;
	uint32_t nrtx, rtx_cap;
	int64_t rtx_at;
	/* §5.2: the group timer (pending answer) and the recorded query sources. In v1 / v2 the
	 * answer is the report of RFC 2236 §3 and resp_src stays empty. */
	int64_t resp_at;
	struct hset resp_src;
	bool last_reporter; /* RFC 2236 §3 flag */
	/* No answer to a query of this group before this (a quarter of
	 * general_answer_interval_ms after the last one); INT64_MIN: none yet. */
	int64_t answer_floor;
};

struct mgm_host {
	struct mgm_host_config cfg;
	struct mgm_host_callbacks cb;
	struct mgm_mem mem;
	const struct mgm_family_desc *fam;
	uint8_t family;
	uint8_t alen;
	bool running;
	uint8_t busy; /* inside an entry point (host.c) */
	struct mgm_addr addr;

	struct mgm_pool groups;
	struct mgm_htab gtab;
	struct mgm_timer_heap heap;
	uint64_t seed;
	uint32_t nsocks; /* (socket, group) memberships */

	int64_t general_at; /* §5.2 interface timer */
	/* No answer to a General Query is scheduled before this (general_answer_interval_ms);
	 * INT64_MIN: none yet. */
	int64_t general_floor;
	/* §7.2.1 Older Version Querier Present, version v = 1, 2 at [v - 1]. */
	int64_t older_at[MGM_OLDER_VERSIONS];

	struct mgm_host_counters ctr;
	uint8_t *buf; /* one report's payload: MTU less the IP header */
	size_t buf_len;
};

static inline struct hgroup *hgrp(const struct mgm_host *h, uint32_t gi)
{
	return mgm_pool_at(&h->groups, gi);
}

/* ---- host.c --------------------------------------------------------------------------------- */

void mgm_hst_log(const struct mgm_host *h, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mgm_hst_drop(struct mgm_host *h, enum mgm_host_drop reason);
/* A draw in [lo, hi] from the injected random source. */
int64_t mgm_hst_random_between(struct mgm_host *h, int64_t lo, int64_t hi);
/* The version spoken now: configured, lowered by older queriers (§7.2.1, RFC 3810 §8.2.1). */
uint8_t mgm_hst_version(const struct mgm_host *h, int64_t now);
/* Does the operating version have source lists (v3 / MLDv2)? */
bool mgm_hst_v3(const struct mgm_host *h, int64_t now);

/* ---- host_filter.c: sets, sockets, §3.2 ------------------------------------------------------ */

void mgm_hset_free(struct mgm_mem *m, struct hset *s);
bool mgm_hset_has(const struct hset *s, const struct mgm_addr *a);
/* out = a op b into a fresh allocation (0 or MGM_E_NOMEM). */
int mgm_hset_union(struct mgm_mem *m, const struct hset *a, const struct hset *b, struct hset *out);
int mgm_hset_inter(struct mgm_mem *m, const struct hset *a, const struct hset *b, struct hset *out);
int mgm_hset_minus(struct mgm_mem *m, const struct hset *a, const struct hset *b, struct hset *out);
int mgm_hset_copy(struct mgm_mem *m, const struct hset *a, struct hset *out);
/* §3.2: the interface state the sockets ask for (INCLUDE {} without sockets). 0 or
 * MGM_E_NOMEM. */
int mgm_hst_merge(struct mgm_host *h, const struct hsock *socks, uint8_t *mode, struct hset *out);

uint32_t mgm_hst_group_find(const struct mgm_host *h, const struct mgm_addr *g);
/* The socket calls of RFC 3678 §4 (host.h): one op on socket sock's filter for group. */
enum mgm_hst_op {
	MGM_HOP_JOIN,
	MGM_HOP_LEAVE,
	MGM_HOP_JOIN_SOURCE,
	MGM_HOP_LEAVE_SOURCE,
	MGM_HOP_BLOCK,
	MGM_HOP_UNBLOCK,
	MGM_HOP_SET,
};
int mgm_hst_socket_op(struct mgm_host *h, int64_t now, uint32_t sock, int op,
		      const struct mgm_addr *group, uint8_t set_mode, const struct mgm_addr *srcs,
		      uint32_t n);
int mgm_hst_close_socket(struct mgm_host *h, int64_t now, uint32_t sock);
/* Frees a group record whose sockets are gone and that has nothing pending. */
void mgm_hst_group_free(struct mgm_host *h, uint32_t gi);
/* Frees the group if nothing keeps it (no socket, INCLUDE {}, nothing pending). */
void mgm_hst_group_gc(struct mgm_host *h, uint32_t gi);
void mgm_hst_store_init(struct mgm_host *h);
void mgm_hst_store_fini(struct mgm_host *h);
/* Puts the group's heap entry at its earliest deadline (removed when none). */
void mgm_hst_group_rearm(struct mgm_host *h, uint32_t gi);

/* ---- host_report.c: §5.1 state changes, RFC 2236 §3 joins and leaves, sending --------------- */

/* The interface state of the group changes from (old_mode, old) to the stored one: reports
 * the difference (§5.1) or the join / leave of the older versions. Cannot fail: what cannot
 * be allocated is counted and the report goes without it. */
void mgm_hst_state_changed(struct mgm_host *h, int64_t now, uint32_t gi, uint8_t old_mode,
			   const struct hset *old);
/* The group's retransmission timer fired. */
void mgm_hst_retransmit(struct mgm_host *h, int64_t now, uint32_t gi);
/* Drops the §5.1 retransmission state of the group (§7.2.1 on a change of version). */
void mgm_hst_cancel_retransmissions(struct mgm_host *h, uint32_t gi);
/* Sends v3 / MLDv2 reports of the records, split at the MTU. */
void mgm_hst_send_records(struct mgm_host *h, const struct mgm_group_record *recs, size_t n);
/* Sends a v1 / v2 / MLDv1 report (kind MGM_MSG_REPORT) or leave / done for the group. */
void mgm_hst_send_v1v2(struct mgm_host *h, uint8_t kind, uint8_t version,
		       const struct mgm_addr *group);

/* ---- host_query.c: §5.2 answers, §7.2 compatibility ---------------------------------------- */

void mgm_hst_query_input(struct mgm_host *h, int64_t now, const struct mgm_msg *m);
/* Another host's v1 / v2 / MLDv1 report for a group (RFC 2236 §3 suppression). */
void mgm_hst_report_heard(struct mgm_host *h, int64_t now, const struct mgm_msg *m);
/* The interface timer fired: current-state records of every group (§5.2). */
void mgm_hst_answer_general(struct mgm_host *h, int64_t now);
/* A group timer fired. */
void mgm_hst_answer_group(struct mgm_host *h, int64_t now, uint32_t gi);
/* Older Version Querier Present timers ran out: back to the newer version. */
void mgm_hst_compat_timers(struct mgm_host *h, int64_t now);
/* §7.2.1: the operating version changed from `from`: pending reports canceled. */
void mgm_hst_version_changed(struct mgm_host *h, int64_t now, uint8_t from);

#endif
