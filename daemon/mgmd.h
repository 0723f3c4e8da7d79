/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemon's state, shared by mgmd.c (startup, signals, reload), iface.c (one engine per
 * interface and family, driven by netlink) and show.c (the control socket's answers).
 */
#ifndef MGMD_MGMD_H
#define MGMD_MGMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fwd.h"
#include "io.h"
#include "mgm/proxy.h"
#include "mgm/router.h"

struct mgmd_loop;
struct mgmd_netlink;
struct mgmd_control;

#define MGMD_MAX_ADDRS 16 /* addresses kept per interface and family */

/* A static membership on one interface: from the configuration or from mgmctl join. */
struct mgmd_join {
	struct mgm_addr group;
	bool has_source;
	struct mgm_addr source;
	bool from_config;
};

struct mgmd_addr_entry {
	struct mgm_addr addr;
	uint8_t prefix_len;
	bool seen; /* reported since the last dump began */
};

/* One family (IGMP or MLD) on one interface. */
struct mgmd_fam {
	struct mgmd_iface *ifc;
	uint8_t family;
	struct mgm_router *router; /* downstream and querier roles */
	bool started;
	int fd; /* packet socket (io.h), -1 */
	struct mgmd_addr_entry addrs[MGMD_MAX_ADDRS];
	unsigned n_addrs;
	struct mgm_addr addr; /* the engine's: IPv4 the first address, IPv6 the link-local */
	uint8_t prefix_len;
	bool has_addr;
	bool addr_applied; /* addr was given to the engine */
	int vif;	   /* -1: none */
	char problem[320]; /* why it is not (fully) working, "" when it is */
	struct mgmd_io_stats io;
	uint64_t acl_refused;
};

struct mgmd_iface {
	char name[MGMD_IFNAMSIZ];
	int ifindex;
	bool up, multicast, seen;
	uint32_t mtu;
	const struct mgmd_iface_config *ic; /* the stanza it falls under, NULL: not ours */
	struct mgmd_fam fam[2];		    /* [0] IPv4, [1] IPv6 */
	struct mgmd_join *joins;
	size_t n_joins;
	uint64_t *acl_hits; /* per rule of ic->acl, then one for the default */
	size_t n_acl_hits;
};

struct mgmd_pending {
	uint8_t family;
	struct mgm_addr group;
};

/* One upstream interface of one family: a host engine of the family's proxy (upstream.c). */
struct mgmd_upslot {
	struct mgmd *d;
	uint8_t family;
	int ifindex;
	const struct mgmd_iface_config *ic;
	bool started;
	struct mgm_addr addr; /* the host engine's */
	int64_t last_tx;      /* when it last sent, 0: never */
	char last_msg[256];   /* what, in words */
	bool has_querier;     /* the last query heard upstream */
	struct mgm_addr querier;
	uint8_t querier_version;
	int64_t querier_seen;
	uint64_t queries;
};

struct mgmd_ppending {
	int ifindex;
	struct mgm_addr group;
};

/* Proxying of one family: NULL proxy when no upstream interface of it exists. */
struct mgmd_proxyfam {
	struct mgm_proxy *proxy;
	struct mgmd_upslot *slots; /* slot k = the proxy's upstream k */
	size_t n_slots;
	/* (downstream interface, group) whose router record changed in an engine call. */
	struct mgmd_ppending *pending;
	size_t n_pending, cap_pending;
	bool replay; /* a pending entry was lost: rebuild from the engines at the flush */
	uint64_t refused;
};

struct mgmd {
	struct mgmd_loop *loop;
	struct mgmd_config cfg; /* running */
	struct mgmd_netlink *nl;
	struct mgmd_control *ctl;
	struct mgmd_fwd *fwd[2]; /* kernel forwarding per family, NULL when not routing it */
	bool router_mode;
	struct mgmd_iface **ifaces; /* every link the kernel reported */
	size_t n_ifaces, cap_ifaces;
	/* Groups whose forwarding changed inside an engine call: their kernel entries are
	 * rewritten when the call returns (a callback may not call back into its engine). */
	struct mgmd_pending *pending;
	size_t n_pending, cap_pending;
	struct mgmd_proxyfam px[2];
	uint64_t rng;
	int64_t started;
	uint64_t reloads, reload_failures;
	char last_reload_error[512];
};

static inline int mgmd_fi(uint8_t family)
{
	return family == MGM_INET ? 0 : 1;
}

/* iface.c */
struct mgmd_netlink_callbacks;
void mgmd_iface_netlink_callbacks(struct mgmd *d, struct mgmd_netlink_callbacks *cb);
struct mgmd_iface *mgmd_iface_by_name(struct mgmd *d, const char *name);
struct mgmd_iface *mgmd_iface_by_index(struct mgmd *d, int ifindex);
/* After the configuration changed (reload): every interface re-matched and re-applied. */
void mgmd_iface_apply_config(struct mgmd *d, int64_t now);
/* Tears every interface down (stop: forwarding withdrawn, sockets closed). */
void mgmd_iface_shutdown(struct mgmd *d, int64_t now);
/* Runs the engines' due timers; returns the earliest next deadline. */
int64_t mgmd_iface_timers(struct mgmd *d, int64_t now);
/* Rewrites the kernel entries of the groups whose forwarding changed. */
void mgmd_iface_flush(struct mgmd *d);
/* mgmd_fwd_ops.outputs */
bool mgmd_iface_outputs(void *ctx, uint8_t family, int in_ifindex, struct mgmd_mfc *e);
/* Is traffic from source to group wanted on fam (engine or static join, SSM ranges and access
 * list applied)? why (may be NULL) gets one sentence saying why or why not. */
bool mgmd_iface_wants(struct mgmd *d, struct mgmd_fam *fam, const struct mgm_addr *source,
		      const struct mgm_addr *group, char *why, size_t whylen);
/* mgmctl join / leave: 0 or a negative errno with a sentence in err. */
int mgmd_iface_join(struct mgmd *d, const char *ifname, const struct mgm_addr *group,
		    const struct mgm_addr *source, bool join, char *err, size_t errlen);
const char *mgmd_role_name(uint8_t role);
uint64_t mgmd_random(struct mgmd *d);

/* upstream.c: proxying (RFC 4605) */
/* The upstream interfaces as configuration and kernel now say; rebuilt when they changed. */
void mgmd_upstream_sync(struct mgmd *d, int64_t now);
/* An upstream interface's socket or address changed: its host engine started or stopped. */
void mgmd_upstream_fam_changed(struct mgmd *d, struct mgmd_fam *fam);
/* A packet on an upstream interface. */
void mgmd_upstream_input(struct mgmd *d, struct mgmd_fam *fam, const struct mgm_ip_info *ip);
/* A downstream router engine's record of group changed (inside an engine call). */
void mgmd_upstream_pending(struct mgmd *d, const struct mgmd_fam *fam,
			   const struct mgm_addr *group);
/* Passes the pending changes to the database (after the engine call returned). */
void mgmd_upstream_flush(struct mgmd *d);
/* mgmd_upstream_sync() after a reload: every downstream record and static join is also passed
 * through the (new) access lists and SSM ranges again; only what changed is reported. */
void mgmd_upstream_reload(struct mgmd *d, int64_t now);
/* The static joins of group on ifc changed: its static record is recomputed from them all. */
void mgmd_upstream_static(struct mgmd *d, struct mgmd_iface *ifc, const struct mgm_addr *group);
/* A downstream interface's family started or stopped (link up / down): its static joins of
 * that family are reported upstream only while it runs. */
void mgmd_upstream_statics(struct mgmd *d, struct mgmd_fam *fam);
/* A downstream interface gone or no longer downstream: its records and static joins leave. */
void mgmd_upstream_remove_downstream(struct mgmd *d, struct mgmd_iface *ifc);
int64_t mgmd_upstream_timers(struct mgmd *d, int64_t now);
void mgmd_upstream_shutdown(struct mgmd *d);
/* The upstream slot of an upstream interface's family, or NULL; its host engine's status
 * (0, or -1 when it has none). */
const struct mgmd_upslot *mgmd_upstream_slot(struct mgmd *d, const struct mgmd_fam *fam);
int mgmd_upstream_status(struct mgmd *d, const struct mgmd_fam *fam, struct mgm_host_status *st);
/* What ifc reports upstream about group, in one sentence (mgmctl explain). */
void mgmd_upstream_explain(struct mgmd *d, const struct mgmd_iface *ifc,
			   const struct mgm_addr *group, char *buf, size_t len);
/* Is ifc the upstream that reports group (so its traffic is taken there and sent there)? */
bool mgmd_upstream_serves(struct mgmd *d, const struct mgmd_iface *ifc,
			  const struct mgm_addr *group);

/* show.c: registers the control commands. */
int mgmd_show_register(struct mgmd *d);
/* mgmd.c: re-reads the configuration; 0 or -1 with the errors in err. */
int mgmd_reload(struct mgmd *d, char *err, size_t errlen, char *warn, size_t warnlen);

#endif
