/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host side of IGMPv1/v2/v3 and MLDv1/v2 for one interface and family, sans I/O: socket
 * filters merged into the interface state (RFC 3376 §3.2, RFC 3810 §4.2; the API of RFC 3678),
 * state-change reports (RFC 3376 §5.1, RFC 3810 §6.1), query responses (§5.2, RFC 3810 §6.2)
 * and older-version compatibility (§7.2, RFC 3810 §8.2; RFC 2236 §3, RFC 1112, RFC 2710 §4).
 */
#ifndef MGM_HOST_H
#define MGM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/engine.h"
#include "mgm/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Model
 * -----
 * One struct mgm_host per (interface, family), like the router engine (router.h): events in
 * (mgm_host_input(), mgm_host_timer(), the socket calls, start / stop / set_address /
 * reconfigure), effects out through the callbacks, always from inside one of those calls. Time
 * is the caller's monotonic milliseconds; randomness comes from the random() callback, which is
 * required because every delay a host picks is random (§5.1, §5.2). The same re-entrancy rule
 * as the router: a callback calling into its own instance is refused with MGM_E_BUSY (or does
 * nothing, for the void functions).
 *
 * Sockets: a caller-chosen uint32_t id per socket. Each (socket, group) holds a filter mode and
 * a source list (RFC 3678 §4: the socket's filter). The interface state of a group is their
 * merge (RFC 3376 §3.2). "No state" is INCLUDE {}: a socket whose filter becomes INCLUDE {} has
 * left the group. Groups mgm_addr_is_unrouted_group() names (224.0.0.0/24, link-scope IPv6)
 * are refused with MGM_E_INVAL: no host reports them (RFC 3376 §5; see addr.h).
 *
 * Operating version: the configured version, lowered while an Older Version Querier Present
 * timer runs (§7.2.1, RFC 3810 §8.2.1). In v3 / MLDv2 every change of the interface state is
 * reported at once as the difference of the state before and after it (§5.1), repeated
 * [Robustness Variable] - 1 more times. In v1 / v2 / MLDv1 a join is an unsolicited report
 * (repeated the same way), a leave a Leave / Done to the all-routers group when this host sent
 * the last report for the group (RFC 2236 §3, RFC 2710 §4), none in IGMPv1.
 *
 * Messages are sent to 224.0.0.22 / ff02::16 (v3 / MLDv2 reports), the group (older reports)
 * or 224.0.0.2 / ff02::2 (leaves, dones), with the host's address (mgm_host_set_address(); the
 * unspecified address until one is set, which RFC 3376 §4.2.13 and RFC 3810 §5.2.13 allow) as
 * the source. The caller wraps them with mgm_ip_encode().
 */

struct mgm_host;

struct mgm_host_config {
	uint8_t family;	    /* MGM_INET (IGMP) or MGM_INET6 (MLD) */
	uint8_t version;    /* the highest it may speak: IGMP 1..3, MLD 1..2 (default 3 / 2) */
	uint8_t robustness; /* RV, 1..7 (default 2): §8.1 / RFC 3810 §9.1 */
	/* Unsolicited Report Interval, default 1 s (RFC 3376 §8.11, RFC 3810 §9.11); 1..60 s */
	uint32_t unsolicited_report_interval_ms;
	/* The same while speaking IGMPv1 / v2 / MLDv1: default 10 s (RFC 2236 §8.10, RFC 2710
	 * §7.10); 1..60 s */
	uint32_t v1v2_unsolicited_report_interval_ms;
	/* Query Interval assumed for the Older Version Querier Present Timeout, §8.12 (older
	 * queries carry none); default 125 s. */
	uint32_t query_interval_ms;
	/*
	 * At most one answer to General Queries per this many ms (default 1000, at most 60000;
	 * 0: as §5.2 alone). A General Query arriving sooner after the last answer (IGMPv3 /
	 * MLDv2: after it was sent; older versions: after the last query answered) has its answer
	 * scheduled from the end of that interval instead of now: deferred, never dropped. Without
	 * it a flood of General Queries with a Max Resp Time of 0 makes the host send its whole
	 * state once per query. Queries of one group (Group-Specific, Group-and-Source-Specific)
	 * get at most one answer per group per quarter of this interval, the same way (RFC 3376
	 * §9.1 suggests limiting them): a querier's last-member queries, a second apart by
	 * default, are answered as before.
	 */
	uint32_t general_answer_interval_ms;
	/* Link MTU: reports are split to fit it (§4.2.16). At least 576 / 1280; default 1500. */
	uint32_t mtu;
	/* Limits; all > 0. */
	uint32_t max_groups; /* groups with any socket in them (default 1024) */
	/* Sources in one socket filter (default 256, <= 65535). The interface state, their
	 * merge, is not limited apart: a leave is never refused for what other sockets hold. */
	uint32_t max_sources_per_group;
	uint32_t max_sockets; /* (socket, group) memberships in all (default 4096) */
};

void mgm_host_config_defaults(struct mgm_host_config *cfg, uint8_t family);
/* 0 or MGM_E_CONFIG with a sentence naming the field in errbuf (may be NULL). */
int mgm_host_config_check(const struct mgm_host_config *cfg, char *errbuf, size_t errlen);

struct mgm_host_callbacks {
	void *ctx;
	void (*send)(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len);
	void (*log)(void *ctx, int level, const char *text); /* optional */
	uint64_t (*random)(void *ctx);			     /* required */
};

/* Creates a stopped host (MGM_E_INVAL without random()). As mgm_router_create() otherwise. */
int mgm_host_create(const struct mgm_host_config *cfg, const struct mgm_host_callbacks *cb,
		    const struct mgm_allocator *alloc, struct mgm_host **out, char *errbuf,
		    size_t errlen);
/* Frees everything; sends nothing. */
void mgm_host_destroy(struct mgm_host *h);

/* The source of what the host sends. MLD: link-local (fe80::/10) or ::, else MGM_E_INVAL. */
int mgm_host_set_address(struct mgm_host *h, int64_t now, const struct mgm_addr *addr);

/*
 * Start: every group with reception state is reported as if just joined (§5.1 from INCLUDE {}).
 * Stop: nothing pending is sent any more, the Older Version Querier Present timers are
 * forgotten; socket state stays (the socket calls go on changing it silently) until start.
 */
int mgm_host_start(struct mgm_host *h, int64_t now);
void mgm_host_stop(struct mgm_host *h, int64_t now);

/* New configuration, same family. MGM_E_CONFIG / MGM_E_NOMEM leave the old one in place.
 * Lowered limits refuse growth and evict nothing. A version now lower than the operating one
 * takes effect as an older querier would (§7.2.1: pending reports canceled). */
int mgm_host_reconfigure(struct mgm_host *h, int64_t now, const struct mgm_host_config *cfg,
			 char *errbuf, size_t errlen);

/*
 * A received IGMP / ICMPv6 message, as mgm_router_input(): queries are answered (§5.2), older
 * queries set the compatibility timers (§7.2.1), v1 / v2 / MLDv1 reports of other hosts suppress
 * a pending answer of ours (RFC 2236 §3, RFC 2710 §4). Everything else is ignored; policy drops
 * are counted. Returns 0, or a negative enum mgm_err when it did not decode (MGM_E_INVAL on
 * misuse).
 */
int mgm_host_input(struct mgm_host *h, int64_t now, const struct mgm_ip_info *ip);

void mgm_host_timer(struct mgm_host *h, int64_t now);
/* When the host next wants mgm_host_timer(), or MGM_TIME_NEVER. */
int64_t mgm_host_next_deadline(const struct mgm_host *h);

/*
 * The socket calls of RFC 3678 §4 (IP_ADD_MEMBERSHIP, ..., setsourcefilter). Each returns 0 or:
 *   MGM_E_INVAL  bad address, unrouted group, or a call the socket's filter mode refuses
 *                (join_source on an any-source join, block_source on a source-specific one:
 *                RFC 3678 §4.1.1 / §4.1.2), duplicate sources in set_filter;
 *   MGM_E_NOENT  leave of a group / source the socket does not hold;
 *   MGM_E_LIMIT  max_groups, max_sockets or max_sources_per_group;
 *   MGM_E_NOMEM  the allocator refused;
 *   MGM_E_BUSY   re-entered from a callback.
 * On error nothing changed (mgm_host_close_socket(): the groups left before an MGM_E_NOMEM stay
 * left; call it again). A change of the interface state is reported at once when running.
 * An any-source join of a group the socket already holds in EXCLUDE mode changes nothing (0).
 */
int mgm_host_join(struct mgm_host *h, int64_t now, uint32_t sock, const struct mgm_addr *group);
int mgm_host_leave(struct mgm_host *h, int64_t now, uint32_t sock, const struct mgm_addr *group);
int mgm_host_join_source(struct mgm_host *h, int64_t now, uint32_t sock,
			 const struct mgm_addr *group, const struct mgm_addr *source);
int mgm_host_leave_source(struct mgm_host *h, int64_t now, uint32_t sock,
			  const struct mgm_addr *group, const struct mgm_addr *source);
int mgm_host_block_source(struct mgm_host *h, int64_t now, uint32_t sock,
			  const struct mgm_addr *group, const struct mgm_addr *source);
int mgm_host_unblock_source(struct mgm_host *h, int64_t now, uint32_t sock,
			    const struct mgm_addr *group, const struct mgm_addr *source);
/* The whole filter (RFC 3678 §4.2 setsourcefilter); INCLUDE with no source leaves. */
int mgm_host_set_filter(struct mgm_host *h, int64_t now, uint32_t sock,
			const struct mgm_addr *group, uint8_t mode, const struct mgm_addr *sources,
			uint32_t num_sources);
/* Every group of one socket left at once (the socket closed). 0 even when it held none. */
int mgm_host_close_socket(struct mgm_host *h, int64_t now, uint32_t sock);

/* ---- Introspection ------------------------------------------------------------------------ */

enum mgm_host_drop {
	MGM_HOST_DROP_NONE = 0,
	MGM_HOST_DROP_MALFORMED,	     /* did not decode */
	MGM_HOST_DROP_NOT_RUNNING,	     /* before start / after stop */
	MGM_HOST_DROP_FAMILY,		     /* not the host's family */
	MGM_HOST_DROP_IGNORED_TYPE,	     /* leaves, v3 reports, unknown types: nothing to do */
	MGM_HOST_DROP_BAD_TTL,		     /* MLD with hop limit not 1, RFC 3810 §5 */
	MGM_HOST_DROP_SOURCE_NOT_LINK_LOCAL, /* MLD query not from fe80::/10, RFC 3810 §5.1.14 */
	MGM_HOST_DROP_OWN_MESSAGE,	     /* our own message looped back */
	MGM_HOST_DROP_NOMEM,		     /* a report not built: allocator refused */
	/* Group-and-Source-Specific Queries of one group named more sources than
	 * max_sources_per_group before the answer: the list is not kept, the whole group's
	 * state is the answer (§5.2 as for a Group-Specific Query). */
	MGM_HOST_DROP_QUERY_SOURCES,
	MGM_HOST_DROP__COUNT
};
/* "none", "malformed", ...; "unknown" out of range. */
const char *mgm_host_drop_name(int reason);

struct mgm_host_counters {
	/* Queries received and accepted, by version (v at [v - 1]). */
	uint64_t rx_queries[MGM_VERSIONS];
	uint64_t rx_group_queries;	  /* of those: group-specific */
	uint64_t rx_group_source_queries; /* of those: group-and-source-specific */
	uint64_t rx_reports_heard;	  /* v1 / v2 / MLDv1 reports of other hosts */
	uint64_t suppressed;		  /* answers canceled by such a report (RFC 2236 §3) */
	/* General Queries heard within general_answer_interval_ms of the last answer: answered
	 * at its end (or by the answer already pending then). */
	uint64_t general_deferred;
	/* Answers to queries of one group moved to a quarter of general_answer_interval_ms after
	 * the group's last answer. */
	uint64_t group_deferred;
	/* Sent: v3 / MLDv2 records by type 1..6 at [type]; report messages by version. */
	uint64_t tx_records[7];
	uint64_t tx_reports[MGM_VERSIONS];
	uint64_t tx_leaves; /* IGMPv2 leave / MLDv1 done */
	uint64_t drops[MGM_HOST_DROP__COUNT];
};

struct mgm_host_status {
	uint8_t family;
	uint8_t configured_version;
	uint8_t operating_version; /* lowered by older queriers, §7.2.1 */
	bool running;
	struct mgm_addr address;
	/* Older Version Querier Present, version v = 1, 2 at [v - 1]: remaining ms, -1 when not
	 * running (MLD: [0] is MLDv1, [1] always -1). */
	int64_t older_querier_present_ms[MGM_OLDER_VERSIONS];
	int64_t general_response_ms; /* interface timer of §5.2, -1 when none pending */
	uint32_t groups, sockets;    /* group records, (socket, group) memberships */
	size_t memory;
};

struct mgm_host_group_info {
	struct mgm_addr group;
	uint8_t filter_mode; /* interface state, §3.2 */
	uint32_t num_sources;
	uint32_t num_sockets;
	/* §5.1 retransmission state: filter-mode-change reports still to send, sources with
	 * retransmission state, and when the next report goes (-1: none pending). */
	uint8_t mode_retransmissions;
	uint32_t source_retransmissions;
	int64_t retransmit_ms;
	/* §5.2: pending answer (-1: none) and the recorded query sources (0: the whole group). */
	int64_t response_ms;
	uint32_t response_sources;
	bool last_reporter; /* v1 / v2: we sent the last report (RFC 2236 §3) */
};

void mgm_host_status(const struct mgm_host *h, int64_t now, struct mgm_host_status *st);
void mgm_host_counters(const struct mgm_host *h, struct mgm_host_counters *c);
/* One group's record, or MGM_E_NOENT. */
int mgm_host_group(const struct mgm_host *h, int64_t now, const struct mgm_addr *group,
		   struct mgm_host_group_info *gi);
/* The interface state's sources of a group into out[] (up to cap); returns how many there are
 * in all (may exceed cap), or MGM_E_NOENT. */
int mgm_host_group_sources(const struct mgm_host *h, const struct mgm_addr *group,
			   struct mgm_addr *out, uint32_t cap);
/* Calls fn for every group record; a non-zero return stops the walk and is returned. The state
 * must not be changed from inside fn. */
int mgm_host_foreach_group(const struct mgm_host *h, int64_t now,
			   int (*fn)(void *ctx, const struct mgm_host_group_info *gi), void *ctx);

#ifdef __cplusplus
}
#endif
#endif
