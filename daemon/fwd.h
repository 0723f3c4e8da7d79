/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel forwarding for one family: the (S,G) entries mgmd installed in the kernel's multicast
 * forwarding cache, created on the kernel's no-cache upcall and rewritten whenever the
 * engines' forwarding state for their group changes. Which interfaces an (S,G) goes to is
 * the caller's answer (iface.c, from the engines): this module keeps the entries, their
 * limit, their idle expiry and the kernel in step.
 */
#ifndef MGMD_FWD_H
#define MGMD_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mroute.h"

struct mgmd_loop;

struct mgmd_fwd_ops {
	void *ctx;
	/* Fills e->ttl (indexed by VIF; e->input_vif is set) for traffic from e->source to
	 * e->group arriving on in_ifindex. Returns false when such traffic must not be cached
	 * at all (the interface is not one mgmd routes for). */
	bool (*outputs)(void *ctx, uint8_t family, int in_ifindex, struct mgmd_mfc *e);
	/* Optional: a message for the log, at a syslog level. */
	void (*log)(void *ctx, int level, const char *text);
};

struct mgmd_fwd_stats {
	uint64_t upcalls_nocache, upcalls_wrongvif, upcalls_other, upcalls_unknown_vif;
	uint64_t routes_added, routes_removed, routes_idle_removed, routes_refused;
	uint64_t kernel_errors;
};

struct mgmd_route_info {
	struct mgm_addr source, group;
	int input_ifindex;
	uint8_t ttl[MGMD_MROUTE_MAX_VIFS];
	int64_t created, last_active; /* loop clock, ms */
};

struct mgmd_fwd;

/* Takes the kernel's multicast routing for family and table. 0 or a negative errno with one
 * line in err (mroute.h says which). */
int mgmd_fwd_open(struct mgmd_fwd **out, uint8_t family, uint32_t table, uint32_t max_routes,
		  uint32_t idle_s, const struct mgmd_fwd_ops *ops, struct mgmd_loop *loop,
		  char *err, size_t errlen);
/* Withdraws every entry and VIF (MRT_DONE) and frees. NULL is allowed. */
void mgmd_fwd_close(struct mgmd_fwd *f);
void mgmd_fwd_set_limits(struct mgmd_fwd *f, uint32_t max_routes, uint32_t idle_s);

struct mgmd_mroute *mgmd_fwd_mroute(struct mgmd_fwd *f);

/* Recomputes the entries of one group (after a forwarding change), of every group (NULL:
 * after a reload, an interface or VIF change). Entries whose input interface is gone are
 * removed. */
void mgmd_fwd_update_group(struct mgmd_fwd *f, const struct mgm_addr *group);
void mgmd_fwd_update_all(struct mgmd_fwd *f);
/* Removes every entry whose input is ifindex (before its VIF goes). */
void mgmd_fwd_drop_input(struct mgmd_fwd *f, int ifindex);

/* Idle expiry: call at the deadline; returns the next one (loop clock, ms). */
int64_t mgmd_fwd_timer(struct mgmd_fwd *f, int64_t now);

void mgmd_fwd_stats(const struct mgmd_fwd *f, struct mgmd_fwd_stats *st);
uint32_t mgmd_fwd_count(const struct mgmd_fwd *f);
/* Walks the entries (fn returns non-zero to stop). */
int mgmd_fwd_foreach(struct mgmd_fwd *f, int (*fn)(void *ctx, const struct mgmd_route_info *ri),
		     void *ctx);
/* One entry, or -ENOENT. */
int mgmd_fwd_get(struct mgmd_fwd *f, const struct mgm_addr *source, const struct mgm_addr *group,
		 struct mgmd_route_info *ri);
/* Does any entry exist for the group? */
bool mgmd_fwd_has_group(struct mgmd_fwd *f, const struct mgm_addr *group);

#endif
