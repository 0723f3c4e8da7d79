/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A model of the hosts on a link in simulated time: per host and group an interface state
 * (filter mode and source list, RFC 3376 §3.2, RFC 3810 §4.2), the state-change records of
 * §5.1 (RFC 3810 §6.1) with their [Robustness Variable] retransmissions, the query answers of
 * §5.2 (RFC 3810 §6.2); and what routers should make of it: which sources of a group some host
 * wants, and the group's merged state (§3.2). Groups and sources are indices into small pools
 * (source s is bit s of a mask); a source index past the pool stands for any other source.
 * Sending is the caller's: the model hands it each host's records.
 */
#ifndef HOST_MODEL_H
#define HOST_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/engine.h"
#include "mgm/wire.h"
#include "test_rng.h"

#define HM_MAX_HOSTS   8
#define HM_MAX_GROUPS  8
#define HM_MAX_SOURCES 8 /* the bits of a uint8_t mask */

/* One host's state for one group; "no state" is INCLUDE {}. */
struct hm_group {
	uint8_t mode; /* enum mgm_filter_mode */
	uint8_t srcs; /* bit s: source s listed */
	/* §5.1: a filter-mode change is repeated [RV] times with the current state, otherwise each
	 * changed source [RV] times in ALLOW or BLOCK. */
	uint8_t mode_retrans;
	uint8_t allow_retrans[HM_MAX_SOURCES], block_retrans[HM_MAX_SOURCES];
	int64_t retrans_at;
	int64_t resp_at; /* group or group-and-source response pending */
	bool resp_all;	 /* group-specific: the source list was cleared (§5.2 rule 4) */
	uint8_t resp_srcs;
};

struct hm_host {
	struct mgm_addr addr;
	struct hm_group g[HM_MAX_GROUPS];
	int64_t general_at; /* general query response pending */
};

struct host_model {
	uint8_t family;
	int nhosts, ngroups, nsources;
	struct hm_host hosts[HM_MAX_HOSTS];
	struct mgm_addr groups[HM_MAX_GROUPS], sources[HM_MAX_SOURCES];
	uint8_t robustness;		/* [RV] */
	uint32_t unsolicited_report_ms; /* retransmissions within it, §5.1 */
	struct rng *rng;		/* the random delays of §5.1 and §5.2 */
	void *ctx;
	/* Host h sends these records now (n >= 1); the caller encodes and delivers them. */
	void (*send)(void *ctx, int h, const struct mgm_group_record *recs, int n);
	/* One line of trace; may be NULL. */
	void (*note)(void *ctx, const char *text);
};

/* Every host at INCLUDE {} on every group, nothing pending. The callbacks, the random source,
 * [RV] and the report interval are set by the caller afterwards. */
void hm_init(struct host_model *m, uint8_t family, const struct mgm_addr *hosts, int nhosts,
	     const struct mgm_addr *groups, int ngroups, const struct mgm_addr *sources,
	     int nsources);

/* The API event: host h's interface state for group g becomes mode {srcs}; sends the §5.1
 * state-change records at once (nothing when the state is unchanged). */
void hm_set_state(struct host_model *m, int64_t now, int h, int g, uint8_t mode, uint8_t srcs);
/* Every host hears query q at now and schedules its answer (§5.2). */
void hm_hear_query(struct host_model *m, int64_t now, const struct mgm_msg *q);
/* The earliest pending answer or retransmission, MGM_TIME_NEVER if none. */
int64_t hm_next_event(const struct host_model *m);
/* Sends whatever is due at or before now; true if anything was. */
bool hm_run(struct host_model *m, int64_t now);

/* What the hosts ask of the routers. */
bool hm_host_wants(const struct hm_group *hg, int s);
bool hm_has_state(const struct hm_group *hg);
/* Some host wants source s of group g (s == nsources: a source no host lists). */
bool hm_wanted(const struct host_model *m, int g, int s);
/* The merged state of group g over every host (§3.2): EXCLUDE with the sources every EXCLUDE
 * host excludes and no INCLUDE host lists if any host is in EXCLUDE mode, otherwise INCLUDE with
 * every listed source. False when no host has state for g. */
bool hm_merged(const struct host_model *m, int g, uint8_t *mode, uint8_t *srcs);

#endif
