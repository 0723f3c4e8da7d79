/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test harness for the router engine: routers on a simulated link in simulated time. Hosts'
 * messages are built with the codec, everything a router sends is captured (and decoded), and
 * routers on the same link hear each other's queries.
 */
#ifndef ROUTER_SIM_H
#define ROUTER_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/router.h"
#include "mgm/wire.h"
#include "test_alloc.h"

#define SIM_MAX_SENT	512
#define SIM_MAX_FWD	512
#define SIM_MAX_ROUTERS 4

struct sim_sent {
	int64_t at;
	struct mgm_addr dst;
	uint8_t buf[1500];
	size_t len;
	struct mgm_msg m; /* decoded; points into buf */
};

struct sim;

struct sim_router {
	struct sim *sim;
	struct mgm_router *r;
	struct mgm_router_config cfg;
	struct mgm_addr addr;
	struct sim_sent sent[SIM_MAX_SENT];
	int nsent;
	int delivered; /* sent[] entries already heard by the other routers */
	struct mgm_fwd_change fwd[SIM_MAX_FWD];
	int nfwd;
	struct test_alloc alloc; /* the router's memory, counted */
	int nwarn;		 /* log() calls at MGM_LOG_WARN or more severe */
};

struct sim {
	uint8_t family;
	int64_t now;
	struct sim_router rt[SIM_MAX_ROUTERS];
	int n;
};

/* A link of one family with n routers at the given addresses (IPv6: link-local), with the
 * default configuration changed by tweak (may be NULL). Not started. */
struct sim *sim_new(uint8_t family, int n, const char *const *addrs,
		    void (*tweak)(struct mgm_router_config *cfg));
void sim_free(struct sim *s);
void sim_start(struct sim *s);
/* Runs every router's timers up to time t (in deadline order), delivering queries between
 * routers as they are sent; then sets the clock to t. */
void sim_run(struct sim *s, int64_t t);
/* Forgets the captured sends and forwarding changes of every router. */
void sim_clear(struct sim *s);

struct mgm_addr sim_addr(const char *text);

/* Tweaks for sim_new(): the family's protocol at version 1 (IGMPv1, MLDv1) or 2 (IGMPv2;
 * for MLD the default). */
void sim_version_1(struct mgm_router_config *cfg);
void sim_version_2(struct mgm_router_config *cfg);

/* Host messages to router i (all routers hear a message with i = -1). */
void sim_report_v1(struct sim *s, int i, const char *host, const char *group);
void sim_report_v2(struct sim *s, int i, const char *host, const char *group);
void sim_leave(struct sim *s, int i, const char *host, const char *group);
/* One group record: sources a NULL-terminated list of texts. */
void sim_record(struct sim *s, int i, const char *host, uint8_t type, const char *group, ...);
void sim_record_list(struct sim *s, int i, const char *host, uint8_t type, const char *group,
		     const char *const *sources, int n);
/* A query from another (simulated) router. */
void sim_query(struct sim *s, int i, const char *from, uint8_t version, const char *group,
	       bool suppress, uint8_t qrv, uint8_t qqic, uint32_t max_resp_ms,
	       const char *const *sources, int nsrc);
/* Raw input with explicit IP metadata. Returns mgm_router_input()'s result. */
int sim_input(struct sim *s, int i, const struct mgm_ip_info *ip, const uint8_t *buf, size_t len);
void sim_ip(struct sim *s, struct mgm_ip_info *ip, const char *src, const char *dst);

/* Queries captured at router i: how many in total, and a query's description. */
int sim_queries(const struct sim_router *rt);
/* Sources of sent query k as a bitmask over names[] (bit j = names[j] listed); -1 if it lists
 * a source not in names, or one twice. */
int sim_query_mask(const struct sim *s, const struct sim_sent *q, const char *const *names, int n);
bool sim_is_general(const struct sim_sent *q);
bool sim_query_for(const struct sim *s, const struct sim_sent *q, const char *group);

/* Introspection shortcuts. */
int64_t sim_source_timer(const struct sim *s, int i, const char *group, const char *source);
bool sim_has_source(const struct sim *s, int i, const char *group, const char *source);
int sim_group(const struct sim *s, int i, const char *group, struct mgm_router_group_info *gi);
bool sim_fwd(const struct sim *s, int i, const char *group, const char *source);
uint64_t sim_drops(const struct sim *s, int i, int reason);

#endif
