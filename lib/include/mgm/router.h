/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The router side of IGMPv1/v2/v3 and MLDv1/v2 for one interface and family, sans I/O: querier
 * election and query schedule (RFC 3376 §6.6, §8; RFC 2236 §3; RFC 3810 §7), group and source
 * state (RFC 3376 §6.2-§6.5), older-version compatibility (RFC 3376 §7.3, RFC 3810 §8.3), SSM
 * (RFC 4604 §2.2.1) and forwarding state emitted as effects.
 */
#ifndef MGM_ROUTER_H
#define MGM_ROUTER_H

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
 * ABI: unstable until 1.0, with the soname saying so (engine.h). Arrays indexed by protocol
 * version hold version v at [v - 1] (engine.h, MGM_VERSIONS).
 *
 * Model
 * -----
 * One struct mgm_router per (interface, family). Events in:
 *   mgm_router_input()      an IGMP / ICMPv6 message with what its IP header said,
 *   mgm_router_timer()      the caller's clock reached mgm_router_next_deadline(),
 *   API calls               start, stop, set_address, reconfigure.
 * Effects out, through the callbacks given at creation, always from inside one of those calls:
 *   send()      an IGMP or ICMPv6 payload to transmit on the interface to dst. The source must
 *               be the router's address (mgm_router_set_address()); MLD checksums cover it.
 *               The daemon wraps it with mgm_ip_encode().
 *   forward()   one forwarding-state change (below).
 *   log()       one event in words (optional; nothing is formatted when it is NULL).
 * Time is int64_t milliseconds of the caller's monotonic clock; it must never go backwards.
 * The engine reads no clock, draws no random numbers of its own, has no globals, does no I/O
 * and allocates only through the mgm_allocator hooks. It is not thread-safe: one caller at a
 * time per instance.
 *
 * Re-entrancy: a callback (send, forward, log, random) must not call into its own instance;
 * the state is mid-transition while it runs. Such a call is refused and changes nothing: the
 * functions returning int return MGM_E_BUSY, mgm_router_next_deadline() MGM_TIME_NEVER,
 * mgm_router_forwarding() false, mgm_router_status() / _counters() a zeroed struct, and the
 * void ones (destroy, stop, timer) do nothing. Inside a foreach walk's function the calls that
 * change state are refused the same way; the read-only ones (nested walks included) are served.
 * Other instances may be called from a callback.
 *
 * Forwarding state
 * ----------------
 * Per group G the interface holds an entry (*,G) in {NONE, FORWARD} and entries (S,G) in
 * {NONE, FORWARD, BLOCK}. Traffic from S to G is wanted on this interface iff (S,G) = FORWARD,
 * or (S,G) = NONE and (*,G) = FORWARD. The group records map onto it as:
 *   INCLUDE(A):     (*,G) = NONE,    (S,G) = FORWARD for S in A.
 *   EXCLUDE(X, Y):  (*,G) = FORWARD, (S,G) = BLOCK for S in Y, (S,G) = NONE for S in X
 *                   (forwarded through (*,G)). A source of X whose timer runs out moves to Y
 *                   (RFC 3376 §6.3), so its (S,G) becomes BLOCK.
 * Every change is emitted as it happens. Within one transition the order is: new BLOCKs, then
 * new FORWARDs, then withdrawn FORWARDs, then withdrawn BLOCKs, so traffic that stays wanted
 * never gaps and traffic that becomes unwanted is never let through in between.
 * In the SSM ranges (RFC 4607; mgm_addr_is_ssm()) only INCLUDE state exists, so (*,G) is never
 * FORWARD there.
 */

struct mgm_router;

enum mgm_fwd_state {
	MGM_FWD_NONE = 0,
	MGM_FWD_FORWARD = 1,
	MGM_FWD_BLOCK = 2,
};

struct mgm_fwd_change {
	struct mgm_addr group;
	struct mgm_addr source; /* unspecified address when any_source */
	bool any_source;	/* the (*,G) entry */
	uint8_t from, to;	/* enum mgm_fwd_state */
};

/*
 * Received-message policy on the IP header (TTL / hop limit and Router Alert).
 * DEFAULT: MLD messages need hop limit 1 and Router Alert (RFC 3810 §5 requires the rest be
 *          dropped); IGMP is accepted whatever the TTL and Router Alert (RFC 3376 §9.1 makes
 *          dropping v3 messages without Router Alert a choice, and v1 never had it).
 * STRICT:  additionally IGMP needs TTL 1 on every message, and Router Alert on v2 and v3
 *          messages (RFC 2236 §2 and RFC 3376 §4 send it; IGMPv1, RFC 1112, predates it).
 * LOOSE:   no checks at all, also for MLD (against RFC 3810 §5; for labs and broken peers).
 */
enum mgm_ip_policy {
	MGM_IP_POLICY_DEFAULT = 0,
	MGM_IP_POLICY_STRICT = 1,
	MGM_IP_POLICY_LOOSE = 2,
};

/*
 * Per-interface configuration: every variable of RFC 3376 §8 / RFC 3810 §9 plus limits.
 * Times are milliseconds. mgm_router_config_defaults() fills the RFC defaults.
 * Derived variables: the three whose RFC default is a function of another (startup query
 * interval, startup query count, last member query count) take 0 for "derive", the default:
 * they are then computed when used from the Robustness Variable and Query Interval in use
 * (own, or the querier's QRV / QQI when not querier, §4.1.6-7), so a robustness changed later
 * carries over. mgm_router_status() shows the values in use. A value set explicitly stays.
 */
struct mgm_router_config {
	uint8_t family;	 /* MGM_INET (IGMP) or MGM_INET6 (MLD) */
	uint8_t version; /* IGMP 1..3, MLD 1..2: caps what is sent and accepted (default 3 / 2) */

	uint8_t robustness; /* RV, 1..255; RFC: MUST NOT be 0, SHOULD NOT be 1 */
	/* QI, default 125 s; whole seconds that QQIC carries exactly (RFC 3376 §4.1.7). */
	uint32_t query_interval_ms;
	/* QRI, default 10 s; must be < QI and exact in the configured version's Max Resp Code
	 * (IGMPv2: tenths; IGMPv3: tenths in the 8-bit code; MLDv2: the 16-bit code). */
	uint32_t query_response_interval_ms;
	uint32_t startup_query_interval_ms; /* 0 (default): QI / 4, §8.6; else <= QI */
	uint8_t startup_query_count;	    /* 0 (default): RV, §8.7 */
	/* LMQI, default 1 s; the Max Resp Code of group-specific queries, so exact in it like QRI.
	 */
	uint32_t last_member_query_interval_ms;
	uint8_t last_member_query_count; /* LMQC; 0 (default): RV, §8.9 */

	bool querier;	 /* take part in the querier election (default true); false: never query */
	bool fast_leave; /* explicit tracking of reporters, see below (default false) */
	bool check_subnet; /* IGMP: ignore reports from sources off the interface's prefix
			    * (RFC 3376 §9.2; 0.0.0.0 always accepted). MLD always requires a
			    * link-local source (RFC 3810 §5). Default true. */
	uint8_t ip_policy; /* enum mgm_ip_policy */

	/* Link MTU: group-and-source-specific queries are split to fit it (RFC 3376 §4.1.8).
	 * At least 576 (IGMP) / 1280 (MLD); default 1500. */
	uint32_t mtu;

	/* Limits on what peers can make us allocate; all must be > 0. */
	uint32_t max_groups;		/* group records on this interface (default 4096) */
	uint32_t max_sources_per_group; /* source records in one group, <= 65535 (default 512) */
	uint32_t max_sources;		/* source records on this interface (default 65536) */
	uint32_t max_tracked;		/* fast-leave reporter records (default 8192) */
};

/* RFC defaults for the family (RFC 3376 §8, RFC 3810 §9) and the default limits. */
void mgm_router_config_defaults(struct mgm_router_config *cfg, uint8_t family);

/*
 * Validates a configuration. Returns 0 or MGM_E_CONFIG with a sentence naming the field and the
 * values in errbuf ("query_response_interval_ms (125000) must be below query_interval_ms
 * (125000)"). A value that is legal but discouraged (robustness 1) returns 0 with a warning
 * sentence in errbuf; errbuf is "" when there is nothing to say. errbuf may be NULL.
 */
int mgm_router_config_check(const struct mgm_router_config *cfg, char *errbuf, size_t errlen);

struct mgm_router_callbacks {
	void *ctx;
	void (*send)(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len);
	void (*forward)(void *ctx, const struct mgm_fwd_change *change);
	void (*log)(void *ctx, int level, const char *text); /* enum mgm_log_level; optional */
	/* Optional: seeds the hash tables so that peers cannot aim collisions at them. */
	uint64_t (*random)(void *ctx);
};

/*
 * Creates a stopped router. cfg is validated (MGM_E_CONFIG, message in errbuf). alloc may be
 * NULL (malloc/free); one with alloc but no free, or the reverse, is refused (MGM_E_INVAL). The
 * callbacks are copied; send and forward may be NULL to discard.
 */
int mgm_router_create(const struct mgm_router_config *cfg, const struct mgm_router_callbacks *cb,
		      const struct mgm_allocator *alloc, struct mgm_router **out, char *errbuf,
		      size_t errlen);
/*
 * Frees everything. A router still running is stopped first, as by mgm_router_stop(): its
 * forwarding state is withdrawn through forward() (nothing is sent), so no kernel route
 * outlives it. After mgm_router_stop() it emits nothing.
 */
void mgm_router_destroy(struct mgm_router *r);

/*
 * The router's own address on the interface and its prefix length: it is the source of every
 * query and the querier election compares it. The prefix serves the IGMP subnet check. Without
 * an address (the unspecified one) the router can keep state but never becomes querier.
 *
 * Querier election: the lowest address wins.
 *   IGMP: IPv4 addresses compared numerically (RFC 3376 §6.6.2, RFC 2236 §3).
 *   MLD:  the address must be link-local (RFC 3810 §5.1.14), and a valid one: in fe80::/64
 *         (RFC 4291 §2.5.6), else MGM_E_INVAL. Addresses are compared by their interface IDs,
 *         the last 64 bits, as RFC 3810 §7.6.2 (RFC 9777 §7.6.2) defines "lower". A received
 *         query whose source is not in fe80::/64 is not a valid link-local source: §5.1.14
 *         says to discard it, so it is dropped (MGM_DROP_SOURCE_NOT_LINK_LOCAL) and takes no
 *         part in the election. With MGM_IP_POLICY_LOOSE it is kept and compared by its
 *         interface ID like any other, whatever its prefix.
 */
int mgm_router_set_address(struct mgm_router *r, int64_t now, const struct mgm_addr *addr,
			   uint8_t prefix_len);

/*
 * Starts the querier role (RFC 3376 §6.6.2: a router starts as querier and sends
 * [Startup Query Count] general queries [Startup Query Interval] apart) and message processing.
 * Before start, input is ignored (counted as MGM_DROP_NOT_RUNNING).
 */
int mgm_router_start(struct mgm_router *r, int64_t now);
/* Stops: every group is deleted with its forwarding state withdrawn; counters are kept. */
void mgm_router_stop(struct mgm_router *r, int64_t now);

/*
 * Applies a new configuration (same family). Running timers keep their deadlines; new values
 * apply from the next time each timer is set. Lowered limits do not evict existing state, they
 * refuse growth. The version may change: the operating version follows at once. On any error
 * (configuration refused, allocation failed) the old configuration stays fully in place.
 */
int mgm_router_reconfigure(struct mgm_router *r, int64_t now, const struct mgm_router_config *cfg,
			   char *errbuf, size_t errlen);

/*
 * One received IGMP message (ip->family MGM_INET) or ICMPv6 message (MGM_INET6), all of it in
 * ip: the payload is ip->payload / ip->payload_len, as mgm_ip_decode() fills them (a caller
 * whose socket strips the IP header fills the other fields itself); the source, destination,
 * TTL / hop limit and Router Alert decide the policy checks. The message is decoded with
 * mgm_decode_lenient(): a v3 / MLDv2 report with bad group records still has its good ones
 * applied, each bad one counted (MGM_DROP_RECORD_*). Returns 0 when the message was processed
 * or dropped by policy (drops are counted per reason), a negative enum mgm_err when it did not
 * decode (counted as MGM_DROP_MALFORMED) or on misuse (MGM_E_INVAL).
 */
int mgm_router_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip);
/* The same for a message the caller already decoded (its buffer must still be valid), with
 * mgm_decode() or mgm_decode_lenient(): the records are checked as they are applied. */
int mgm_router_input_msg(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			 const struct mgm_msg *m);

/* Runs every timer due at or before now. */
void mgm_router_timer(struct mgm_router *r, int64_t now);
/* When the router next wants mgm_router_timer(), or MGM_TIME_NEVER. May be earlier than
 * anything visible (a re-check of a refreshed timer); never later. */
int64_t mgm_router_next_deadline(const struct mgm_router *r);

/* Is traffic from source to group wanted on this interface (the model above)? */
bool mgm_router_forwarding(const struct mgm_router *r, const struct mgm_addr *group,
			   const struct mgm_addr *source);

/*
 * Fast leave (cfg.fast_leave). The router then tracks, per group, which reporters are in
 * EXCLUDE mode and which sources each INCLUDE-mode reporter asked for, from their v3 / MLDv2
 * records (RFC 3376 does not define this; it is explicit tracking as bridges do it). When the
 * last EXCLUDE-mode reporter leaves, the group switches at once as if its timer had expired
 * (§6.5); when the last reporter of an INCLUDE-mode source blocks it, the source is deleted at
 * once. The first query of the normal procedure is still sent, as a safety net for members the
 * tracking cannot see; the retransmissions are not. Tracking is trusted only for groups whose
 * whole history it saw: a group that heard a v1/v2 report (those hosts suppress each other's
 * reports, RFC 2236 §3), a report from the unspecified address, an IS_EX / TO_EX whose RFC row
 * deleted a source some reporter had asked for, or that ran into max_tracked falls back to the
 * normal last-member procedure until it is deleted. IS_IN only adds to what a reporter asked for
 * (it may answer a group-and-source-specific query, RFC 3376 §5.2); TO_IN replaces it.
 */

/*
 * Limits. A group record that would take a group past max_sources_per_group or the interface
 * past max_sources, or that needs memory the allocator refuses, is refused whole: the group's
 * mode, timers, sources and forwarding stay as they were (no half-applied row), and the refusal
 * is counted. Duplicate sources in a record count against the limit as if distinct. A record
 * that would create a group past max_groups is refused the same way; existing groups keep
 * refreshing. Lowered limits refuse growth but evict nothing.
 *
 * Older versions. The configured version caps what is sent and accepted (newer reports are
 * dropped as MGM_DROP_VERSION, as an RFC 2236 / 2710 router ignores them). It is also the
 * operating version: RFC 3376 §7.3.1 / RFC 3810 §8.3.1 (and RFC 9776 §7.3.1) leave the lowest
 * version on the link to be "administratively assured", so a router is configured for it. An
 * older querier heard on the link does not lower it: it is counted (rx_older_queries), its
 * general queries raise a warning through log() at most once per Older Version Querier
 * Present Interval, it refreshes older_querier_present_ms in the status, and it takes part in
 * the querier election by address like any other. A newer querier heard by a router
 * configured older (IGMPv1/v2, MLDv1) is counted (rx_newer_queries) and warned about the same
 * way. Configured below IGMPv3 / MLDv2 there is no
 * Q(G,S): rows that would send one leave it (and its timer lowering) out.
 */

/* ---- Introspection ------------------------------------------------------------------------
 *
 * Timers are reported as the milliseconds that remain (0 when due), or -1 when the timer does
 * not run: every *_ms field named for a timer below follows that rule.
 */

/* Why a message or a group record was not (fully) applied. MGM_DROP_NONE is "applied": it is
 * never counted, so drops[MGM_DROP_NONE] stays 0. */
enum mgm_router_drop {
	MGM_DROP_NONE = 0,		/* not dropped */
	MGM_DROP_MALFORMED,		/* the decoder refused it */
	MGM_DROP_NOT_RUNNING,		/* router not started */
	MGM_DROP_FAMILY,		/* IP family is not the router's */
	MGM_DROP_UNKNOWN_TYPE,		/* a type the RFCs say to ignore */
	MGM_DROP_NO_ROUTER_ALERT,	/* ip_policy: Router Alert missing */
	MGM_DROP_BAD_TTL,		/* ip_policy: TTL / hop limit not 1 */
	MGM_DROP_SOURCE_NOT_LINK_LOCAL, /* MLD from a non-link-local source, RFC 3810 §5; a
					 * query from outside fe80::/64, §5.1.14 */
	MGM_DROP_SOURCE_UNSPECIFIED,	/* MLD report from ::, RFC 3810 §5.2.13 / IGMP query
					 * from 0.0.0.0: no state, no election */
	MGM_DROP_OFF_SUBNET,		/* IGMP report from outside the prefix, RFC 3376 §9.2 */
	MGM_DROP_OWN_QUERY,		/* our own query looped back */
	MGM_DROP_VERSION,		/* message newer than the configured version */
	/* Never tracked (counted per record): 224.0.0.0/24, and IPv6 groups of scope 0, 1 or 2
	 * with any flags (ffF0::/16, ffF1::/16, ffF2::/16 for every flag nibble F: ff02::,
	 * ff12::, ff32::, ...). Reserved, interface-local and link-local scopes (RFC 4291
	 * §2.7) never leave the link, so no router forwards them onto it. */
	MGM_DROP_LINK_LOCAL_GROUP,
	MGM_DROP_SSM_EXCLUDE,	 /* IS_EX, TO_EX, v1/v2 report or leave, SSM group (RFC 4604) */
	MGM_DROP_COMPAT_IGNORED, /* BLOCK in v1/v2 compat, leave / TO_IN in v1 (§7.3.2) */
	MGM_DROP_GROUP_LIMIT,	 /* max_groups reached: record refused */
	MGM_DROP_SOURCE_LIMIT,	 /* max_sources_per_group / max_sources: record refused whole */
	MGM_DROP_NOMEM,		 /* allocator refused: record refused */
	MGM_DROP_TRACK_LIMIT,	 /* max_tracked reached: group falls back to normal leave */
	/* A bad group record in a v3 / MLDv2 report whose other records are applied (RFC 3376
	 * §4.2.12, RFC 3810 §5.2.12: unrecognized record types are ignored, not the report). */
	MGM_DROP_RECORD_TYPE,	   /* record type not 1..6 */
	MGM_DROP_RECORD_GROUP,	   /* record group not multicast, or the all-systems group */
	MGM_DROP_RECORD_SOURCE,	   /* a source of the record not unicast */
	MGM_DROP_RECORD_TRUNCATED, /* record runs past the message: it and all after it */
	MGM_DROP__COUNT
};
/* "none", "malformed", "no_router_alert", ...; "unknown" out of range. */
const char *mgm_router_drop_name(int reason);

struct mgm_router_counters {
	/* Received, valid and accepted by policy; version v at [v - 1] (engine.h). */
	uint64_t rx_queries[MGM_VERSIONS];
	uint64_t rx_reports[MGM_VERSIONS];
	uint64_t rx_leaves; /* IGMPv2 leave / MLDv1 done */
	/* v3 / MLDv2 group records by type 1..6 (enum mgm_record_type) at [type]; [0] records of
	 * an unknown type, skipped (MGM_DROP_RECORD_TYPE). */
	uint64_t rx_records[7];
	/* Sent; queries by version, v at [v - 1]. */
	uint64_t tx_general_queries[MGM_VERSIONS];
	uint64_t tx_group_queries[MGM_VERSIONS];	/* Q(G) */
	uint64_t tx_group_source_queries[MGM_VERSIONS]; /* Q(G,S), each of the split counted */
	uint64_t drops[MGM_DROP__COUNT];
	uint64_t groups_added, groups_removed;
	uint64_t sources_added, sources_removed;
	uint64_t fwd_changes;
	uint64_t querier_elected; /* times this router became querier */
	uint64_t querier_lost;	  /* times it yielded to a lower address */
	/* Queries of a version older / newer than the configured one (RFC 3376 §7.3.1, RFC 3810
	 * §8.3.1: a warning, rate-limited). */
	uint64_t rx_older_queries;
	uint64_t rx_newer_queries;
};

struct mgm_router_status {
	uint8_t family;
	uint8_t configured_version;
	uint8_t operating_version; /* = configured_version: never lowered (RFC 3376 §7.3.1) */
	bool running;
	bool querier; /* this router is the querier */
	struct mgm_addr address;
	uint8_t prefix_len;
	struct mgm_addr querier_address; /* own address when querier; unspecified if unknown */
	/* Timers: remaining, -1 when not running. */
	int64_t other_querier_present_ms;
	int64_t next_general_query_ms;
	/* Version v = 1, 2 at [v - 1]: remaining Older Version Querier Present Interval since a
	 * query of that version was last heard, -1 when none was heard within it. Informational:
	 * it does not change the operating version (§7.3.1). */
	int64_t older_querier_present_ms[MGM_OLDER_VERSIONS];
	uint8_t startup_queries_left;
	/* In use: own configuration, or the querier's QRV / QQI when not querier (§4.1.6-7). */
	uint8_t robustness;
	uint32_t query_interval_ms;
	/* In use, derived ones included (struct mgm_router_config). */
	uint32_t startup_query_interval_ms;
	uint8_t startup_query_count;
	uint8_t last_member_query_count;
	uint32_t groups, sources, tracked;
	size_t memory; /* bytes currently allocated by this instance */
};

void mgm_router_status(const struct mgm_router *r, int64_t now, struct mgm_router_status *st);
void mgm_router_counters(const struct mgm_router *r, struct mgm_router_counters *c);

struct mgm_router_group_info {
	struct mgm_addr group;
	uint8_t filter_mode;	/* enum mgm_filter_mode */
	uint8_t compat_version; /* group compatibility mode, RFC 3376 §7.3.2 */
	int64_t group_timer_ms; /* remaining; -1 when not running (INCLUDE mode) */
	/* Older Host Present, version v = 1, 2 at [v - 1] (MLDv1 at [0], [1] always -1). */
	int64_t older_host_present_ms[MGM_OLDER_VERSIONS];
	struct mgm_addr last_reporter;
	uint32_t num_sources;
	uint8_t group_query_retransmissions; /* Q(G) still to send */
	uint8_t any_source_fwd;		     /* (*,G): enum mgm_fwd_state */
	bool tracking_trusted;		     /* fast leave may act on this group */
	uint32_t tracked_reporters;
};

struct mgm_router_source_info {
	struct mgm_addr source;
	int64_t timer_ms;	       /* remaining; -1 when not running (EXCLUDE mode, list Y) */
	uint8_t fwd;		       /* (S,G): enum mgm_fwd_state */
	bool forwarded;		       /* traffic from this source to the group is wanted */
	uint8_t query_retransmissions; /* Q(G,S) still to send for it */
	uint16_t tracked_reporters;    /* fast leave: reporters asking for it */
};

/* One group, or MGM_E_NOENT. */
int mgm_router_group(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
		     struct mgm_router_group_info *gi);
/* One source of one group, or MGM_E_NOENT (no such group, or no record for the source). */
int mgm_router_source(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
		      const struct mgm_addr *source, struct mgm_router_source_info *si);
/*
 * Calls fn for every group (order unspecified) / every source of one group. fn returns 0 to
 * go on; any other value stops the walk and is returned. The state must not be changed from
 * inside fn.
 */
int mgm_router_foreach_group(const struct mgm_router *r, int64_t now,
			     int (*fn)(void *ctx, const struct mgm_router_group_info *gi),
			     void *ctx);
int mgm_router_foreach_source(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
			      int (*fn)(void *ctx, const struct mgm_router_source_info *si),
			      void *ctx);

#ifdef __cplusplus
}
#endif
#endif
