/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interfaces as the kernel reports them (netlink.c), each matched against the configuration's
 * stanzas: one router engine per family on downstream and querier interfaces, fed by its
 * packet socket (io.c), with a VIF in the kernel's multicast routing when mgmd routes (fwd.c);
 * on upstream interfaces the socket feeds the proxy's host engine (upstream.c).
 * An interface that does not exist yet, is down or has no address is waited for; whatever the
 * kernel reports later is followed without touching the other interfaces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "mgmd.h"
#include "netlink.h"

static const char *fam_proto(uint8_t family)
{
	return family == MGM_INET ? "IGMP" : "MLD";
}

const char *mgmd_role_name(uint8_t role)
{
	switch (role) {
	case MGMD_ROLE_DOWNSTREAM:
		return "downstream";
	case MGMD_ROLE_UPSTREAM:
		return "upstream";
	case MGMD_ROLE_QUERIER:
		return "querier";
	case MGMD_ROLE_DISABLED:
		return "disabled";
	}
	return "none";
}

static uint8_t role_of(const struct mgmd_iface *ifc)
{
	return ifc->ic ? ifc->ic->role : 0;
}

static bool fam_enabled(const struct mgmd_iface *ifc, uint8_t family)
{
	if (!ifc->ic || ifc->ic->role == MGMD_ROLE_DISABLED)
		return false;
	return family == MGM_INET ? ifc->ic->ipv4 : ifc->ic->ipv6;
}

static bool has_engine_role(const struct mgmd_iface *ifc)
{
	return role_of(ifc) == MGMD_ROLE_DOWNSTREAM || role_of(ifc) == MGMD_ROLE_QUERIER;
}

struct mgmd_iface *mgmd_iface_by_name(struct mgmd *d, const char *name)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (strcmp(d->ifaces[i]->name, name) == 0)
			return d->ifaces[i];
	return NULL;
}

struct mgmd_iface *mgmd_iface_by_index(struct mgmd *d, int ifindex)
{
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i]->ifindex == ifindex)
			return d->ifaces[i];
	return NULL;
}

/* ---- Engine callbacks ----------------------------------------------------------------------- */

static void engine_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct mgmd_fam *fam = ctx;
	int rc;

	if (fam->fd < 0)
		return;
	rc = mgmd_io_send(fam->fd, fam->ifc->ifindex, &fam->addr, dst, payload, len, &fam->io);
	if (rc < 0 && fam->io.tx_errors < 10)
		mgmd_log(LOG_WARNING, "%s %s: send: %s", fam->ifc->name, fam_proto(fam->family),
			 strerror(-rc));
}

static struct mgmd *daemon_of(struct mgmd_fam *fam);

static void pending_add(struct mgmd *d, uint8_t family, const struct mgm_addr *group)
{
	if (!d->fwd[mgmd_fi(family)])
		return;
	/* The last few are the likeliest repeats (one report changes one group many times). */
	for (size_t i = d->n_pending; i > 0 && i + 8 > d->n_pending; i--)
		if (d->pending[i - 1].family == family &&
		    mgm_addr_eq(&d->pending[i - 1].group, group))
			return;
	if (d->n_pending == d->cap_pending) {
		size_t n = d->cap_pending ? d->cap_pending * 2 : 64;
		struct mgmd_pending *p = realloc(d->pending, n * sizeof(*p));

		if (!p) {
			/* Cannot remember the group: rewrite everything at the flush instead. */
			d->n_pending = 0;
			mgmd_fwd_update_all(d->fwd[mgmd_fi(family)]);
			return;
		}
		d->pending = p;
		d->cap_pending = n;
	}
	d->pending[d->n_pending].family = family;
	d->pending[d->n_pending].group = *group;
	d->n_pending++;
}

static void engine_forward(void *ctx, const struct mgm_fwd_change *c)
{
	struct mgmd_fam *fam = ctx;
	struct mgmd *d = daemon_of(fam);

	if (mgmd_log_enabled(LOG_DEBUG)) {
		char g[MGM_ADDRSTRLEN], s[MGM_ADDRSTRLEN];
		static const char *const st[] = {"none", "forward", "block"};

		mgmd_log(LOG_DEBUG, "%s: (%s, %s) %s -> %s", fam->ifc->name,
			 c->any_source ? "*" : mgm_addr_str(&c->source, s),
			 mgm_addr_str(&c->group, g), st[c->from % 3], st[c->to % 3]);
	}
	if (role_of(fam->ifc) == MGMD_ROLE_DOWNSTREAM) {
		pending_add(d, fam->family, &c->group);
		mgmd_upstream_pending(d, fam, &c->group);
	}
}

static void engine_log(void *ctx, int level, const char *text)
{
	struct mgmd_fam *fam = ctx;

	/* enum mgm_log_level takes syslog's numbers. */
	mgmd_log(level, "%s %s: %s", fam->ifc->name, fam_proto(fam->family), text);
}

static uint64_t engine_random(void *ctx)
{
	return mgmd_random(daemon_of(ctx));
}

uint64_t mgmd_random(struct mgmd *d)
{
	uint64_t x = d->rng;

	/* xorshift64*, seeded from getrandom() at startup. */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	d->rng = x;
	return x * 2685821657736338717ull;
}

/* The daemon an interface belongs to: kept in a file-wide pointer (one daemon per process). */
static struct mgmd *the_daemon;

static struct mgmd *daemon_of(struct mgmd_fam *fam)
{
	(void)fam;
	return the_daemon;
}

void mgmd_iface_flush(struct mgmd *d)
{
	size_t i;

	for (i = 0; i < d->n_pending; i++) {
		struct mgmd_fwd *f = d->fwd[mgmd_fi(d->pending[i].family)];

		if (f)
			mgmd_fwd_update_group(f, &d->pending[i].group);
	}
	d->n_pending = 0;
	mgmd_upstream_flush(d);
}

/* ---- Packets -------------------------------------------------------------------------------- */

static void on_packet(void *ctx, int fd, uint32_t events)
{
	static uint8_t buf[MGMD_IO_PACKET_MAX];
	struct mgmd_fam *fam = ctx;
	struct mgmd *d = daemon_of(fam);
	struct mgm_ip_info ip;
	int i, rc;

	(void)events;
	for (i = 0; i < MGMD_IO_READ_BUDGET; i++) {
		rc = mgmd_io_recv(fd, buf, sizeof(buf), &ip, &fam->io);
		if (rc <= 0) {
			if (rc < 0)
				mgmd_log(LOG_WARNING, "%s %s: receive: %s", fam->ifc->name,
					 fam_proto(fam->family), strerror(-rc));
			break;
		}
		if (ip.family != fam->family)
			continue;
		if (fam->router)
			(void)mgm_router_input(fam->router, mgmd_loop_now(d->loop), &ip);
		else if (role_of(fam->ifc) == MGMD_ROLE_UPSTREAM)
			mgmd_upstream_input(d, fam, &ip);
	}
	mgmd_iface_flush(d);
}

/* ---- Static joins and access lists ------------------------------------------------------------
 */

static bool join_matches(const struct mgmd_join *j, const struct mgm_addr *source,
			 const struct mgm_addr *group)
{
	if (!mgm_addr_eq(&j->group, group))
		return false;
	return !j->has_source || mgm_addr_eq(&j->source, source);
}

bool mgmd_iface_wants(struct mgmd *d, struct mgmd_fam *fam, const struct mgm_addr *source,
		      const struct mgm_addr *group, char *why, size_t whylen)
{
	struct mgmd_iface *ifc = fam->ifc;
	struct mgm_router_source_info si;
	struct mgm_router_group_info gi;
	int64_t now = mgmd_loop_now(d->loop);
	bool ssm = mgmd_config_is_ssm(&d->cfg, group), member = false, specific = false;
	const char *how = "";
	char dummy[1];
	int rule;
	bool allow;
	size_t i;

	if (!why) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	if (mgm_addr_is_unrouted_group(group)) {
		snprintf(why, whylen, "link-local group: never routed");
		return false;
	}
	for (i = 0; i < ifc->n_joins; i++)
		if (ifc->joins[i].group.family == fam->family &&
		    join_matches(&ifc->joins[i], source, group) &&
		    (!ssm || ifc->joins[i].has_source)) {
			member = true;
			specific = ifc->joins[i].has_source;
			how = specific ? "static join of the source" : "static join of the group";
			break;
		}
	if (!member && fam->router) {
		if (mgm_router_source(fam->router, now, group, source, &si) == 0 &&
		    si.fwd == MGM_FWD_FORWARD) {
			member = specific = true;
			how = "a member asked for this source (INCLUDE)";
		} else if (!ssm && mgm_router_forwarding(fam->router, group, source)) {
			member = true;
			how = "members want the group from any source but blocked ones (EXCLUDE)";
		} else if (mgm_router_group(fam->router, now, group, &gi) == 0) {
			snprintf(why, whylen, "%s",
				 ssm ? "SSM range: no member asked for this source"
				 : gi.filter_mode == MGM_INCLUDE
					 ? "members want other sources only (INCLUDE without it)"
					 : "the members block this source (EXCLUDE)");
			return false;
		}
	}
	if (!member) {
		snprintf(why, whylen, "%s", "no member of the group on this interface");
		return false;
	}
	rule = mgmd_acl_match(ifc->ic, group, specific ? source : NULL, &allow);
	if (!allow) {
		if (rule >= 0)
			snprintf(why, whylen, "denied by access list rule at line %u",
				 ifc->ic->acl[rule].line);
		else
			snprintf(why, whylen,
				 "denied by the access list's default (acl-default deny)");
		return false;
	}
	snprintf(why, whylen, "%s", how);
	return true;
}

bool mgmd_iface_outputs(void *ctx, uint8_t family, int in_ifindex, struct mgmd_mfc *e)
{
	struct mgmd *d = ctx;
	struct mgmd_iface *in = mgmd_iface_by_index(d, in_ifindex);
	int fi = mgmd_fi(family);
	size_t i;

	memset(e->ttl, 0, sizeof(e->ttl));
	if (!in || !in->ic)
		return true; /* cached with no output, so the kernel stops asking */
	if (mgm_addr_is_unrouted_group(&e->group))
		return true;
	/* RFC 4605 §4.2 with several upstreams: a group's traffic is taken only on the upstream
	 * that reports it, and what downstream sources send goes only there. */
	if (role_of(in) == MGMD_ROLE_UPSTREAM && !mgmd_upstream_serves(d, in, &e->group))
		return true;
	for (i = 0; i < d->n_ifaces; i++) {
		struct mgmd_iface *o = d->ifaces[i];
		struct mgmd_fam *fam = &o->fam[fi];

		if (o == in || fam->vif < 0 || fam->vif >= MGMD_MROUTE_MAX_VIFS)
			continue;
		if (role_of(o) == MGMD_ROLE_DOWNSTREAM) {
			if (mgmd_iface_wants(d, fam, &e->source, &e->group, NULL, 0))
				e->ttl[fam->vif] = 1;
		} else if (role_of(o) == MGMD_ROLE_UPSTREAM &&
			   role_of(in) == MGMD_ROLE_DOWNSTREAM &&
			   mgmd_upstream_serves(d, o, &e->group)) {
			/* RFC 4605 §4.2: what a source on a downstream link sends goes upstream. */
			e->ttl[fam->vif] = 1;
		}
	}
	return true;
}

/* Counts refusals by the access list when an engine starts wanting traffic the list denies:
 * called for each change to FORWARD. */
static void count_acl(struct mgmd_iface *ifc, struct mgmd_fam *fam, const struct mgm_addr *group,
		      const struct mgm_addr *source)
{
	bool allow;
	int rule = mgmd_acl_match(ifc->ic, group, source, &allow);

	if (allow)
		return;
	fam->acl_refused++;
	if (ifc->acl_hits) {
		size_t k = rule >= 0 ? (size_t)rule : ifc->n_acl_hits - 1;

		if (k < ifc->n_acl_hits)
			ifc->acl_hits[k]++;
	}
}

static void engine_forward_counted(void *ctx, const struct mgm_fwd_change *c)
{
	struct mgmd_fam *fam = ctx;

	if (c->to == MGM_FWD_FORWARD && fam->ifc->ic)
		count_acl(fam->ifc, fam, &c->group, c->any_source ? NULL : &c->source);
	engine_forward(ctx, c);
}

/* ---- Per-family bring-up and tear-down --------------------------------------------------------
 */

static const struct mgm_router_config *fam_config(const struct mgmd_iface *ifc, uint8_t family,
						  struct mgm_router_config *buf)
{
	uint32_t floor = family == MGM_INET ? 576 : 1280;

	*buf = family == MGM_INET ? ifc->ic->igmp : ifc->ic->mld;
	if (!ifc->ic->mtu_configured && ifc->mtu)
		buf->mtu = ifc->mtu < floor ? floor : ifc->mtu;
	return buf;
}

static void fam_close_socket(struct mgmd *d, struct mgmd_fam *fam)
{
	if (fam->fd >= 0) {
		mgmd_loop_del(d->loop, fam->fd);
		close(fam->fd);
		fam->fd = -1;
	}
}

static void fam_del_vif(struct mgmd *d, struct mgmd_fam *fam)
{
	struct mgmd_fwd *f = d->fwd[mgmd_fi(fam->family)];

	if (fam->vif < 0 || !f)
		return;
	mgmd_fwd_drop_input(f, fam->ifc->ifindex);
	(void)mgmd_mroute_vif_del(mgmd_fwd_mroute(f), fam->ifc->ifindex);
	fam->vif = -1;
	mgmd_fwd_update_all(f);
}

/* Stops the engine (its forwarding withdrawn), closes the socket, removes the VIF. destroy:
 * the engine goes too (interface gone or its role changed). */
static void fam_down(struct mgmd *d, struct mgmd_fam *fam, bool destroy)
{
	int64_t now = mgmd_loop_now(d->loop);

	if (fam->router && fam->started) {
		mgm_router_stop(fam->router, now);
		fam->started = false;
		/* Its withdrawn records reach the proxy while the engine still exists. */
		mgmd_iface_flush(d);
		mgmd_upstream_statics(d, fam);
	}
	if (fam->router && destroy) {
		mgm_router_destroy(fam->router);
		fam->router = NULL;
		fam->addr_applied = fam->has_addr = false;
	}
	fam_close_socket(d, fam);
	if (destroy)
		fam->addr_applied = fam->has_addr = false;
	mgmd_upstream_fam_changed(d, fam);
	fam_del_vif(d, fam);
	mgmd_iface_flush(d);
}

static void fam_pick_address(struct mgmd_fam *fam, struct mgm_addr *a, uint8_t *plen)
{
	unsigned i;

	mgm_addr_any(a, fam->family);
	*plen = 0;
	for (i = 0; i < fam->n_addrs; i++) {
		const struct mgm_addr *x = &fam->addrs[i].addr;

		if (fam->family == MGM_INET6 &&
		    !(x->octets[0] == 0xfe && (x->octets[1] & 0xc0) == 0x80))
			continue;
		*a = *x;
		*plen = fam->addrs[i].prefix_len;
		return;
	}
}

static int fam_open_socket(struct mgmd *d, struct mgmd_fam *fam)
{
	char err[256];
	int r;

	if (fam->fd >= 0)
		return 0;
	r = mgmd_io_open(fam->family, fam->ifc->ifindex, err, sizeof(err));
	if (r < 0) {
		snprintf(fam->problem, sizeof(fam->problem), "%s", err);
		mgmd_log(LOG_ERR, "%s: %s", fam->ifc->name, err);
		return r;
	}
	fam->fd = r;
	r = mgmd_loop_add(d->loop, fam->fd, EPOLLIN, on_packet, fam);
	if (r < 0) {
		close(fam->fd);
		fam->fd = -1;
		snprintf(fam->problem, sizeof(fam->problem), "event loop: %s", strerror(-r));
		return r;
	}
	return 0;
}

static void fam_up(struct mgmd *d, struct mgmd_fam *fam)
{
	struct mgmd_iface *ifc = fam->ifc;
	struct mgmd_fwd *f = d->fwd[mgmd_fi(fam->family)];
	int64_t now = mgmd_loop_now(d->loop);
	struct mgm_router_config rc;
	struct mgm_addr a;
	uint8_t plen;
	char err[256];
	int r;

	fam->problem[0] = '\0';
	fam_pick_address(fam, &a, &plen);
	if (has_engine_role(ifc)) {
		if (!fam->router) {
			struct mgm_router_callbacks cb = {
				.ctx = fam,
				.send = engine_send,
				.forward = engine_forward_counted,
				.log = engine_log,
				.random = engine_random,
			};

			r = mgm_router_create(fam_config(ifc, fam->family, &rc), &cb, NULL,
					      &fam->router, err, sizeof(err));
			if (r < 0) {
				snprintf(fam->problem, sizeof(fam->problem), "%s engine: %s",
					 fam_proto(fam->family), err);
				mgmd_log(LOG_ERR, "%s: %s", ifc->name, fam->problem);
				return;
			}
		}
		if (fam_open_socket(d, fam) < 0)
			return;
		if (!fam->addr_applied || !mgm_addr_eq(&a, &fam->addr) || plen != fam->prefix_len) {
			fam->addr_applied = true;
			fam->addr = a;
			fam->prefix_len = plen;
			fam->has_addr = !mgm_addr_is_any(&a);
			r = mgm_router_set_address(fam->router, now, &a, plen);
			if (r < 0)
				mgmd_log(LOG_WARNING, "%s %s: address refused: %s", ifc->name,
					 fam_proto(fam->family), mgm_strerror(r));
			else if (fam->has_addr)
				mgmd_log(LOG_INFO, "%s %s: address %s/%u", ifc->name,
					 fam_proto(fam->family), mgm_addr_str(&a, err), plen);
		}
		if (!fam->started) {
			r = mgm_router_start(fam->router, now);
			if (r == 0) {
				fam->started = true;
				mgmd_upstream_statics(d, fam);
				mgmd_log(LOG_NOTICE, "%s: %s %s started (%s)", ifc->name,
					 fam_proto(fam->family), mgmd_role_name(role_of(ifc)),
					 fam->has_addr ? "querier election on"
						       : "no address yet: not querier");
			}
		}
		if (!fam->has_addr)
			snprintf(fam->problem, sizeof(fam->problem),
				 "no %s address yet: cannot be querier",
				 fam->family == MGM_INET ? "IPv4" : "IPv6 link-local");
	} else if (role_of(ifc) == MGMD_ROLE_UPSTREAM) {
		/* The proxy's host engine reports here (upstream.c): the socket carries the
		 * queries in and the reports out, from the interface's address. */
		if (fam_open_socket(d, fam) < 0)
			return;
		fam->addr = a;
		fam->prefix_len = plen;
		fam->has_addr = !mgm_addr_is_any(&a);
		fam->addr_applied = true;
		mgmd_upstream_fam_changed(d, fam);
	}
	if (f && (role_of(ifc) == MGMD_ROLE_DOWNSTREAM || role_of(ifc) == MGMD_ROLE_UPSTREAM) &&
	    fam->vif < 0) {
		if (fam->family == MGM_INET && fam->n_addrs == 0) {
			snprintf(fam->problem, sizeof(fam->problem),
				 "no VIF yet: waiting for an IPv4 address");
		} else {
			r = mgmd_mroute_vif_add(mgmd_fwd_mroute(f), ifc->ifindex);
			if (r >= 0) {
				fam->vif = r;
				mgmd_log(LOG_INFO, "%s: %s VIF %d", ifc->name,
					 fam->family == MGM_INET ? "IPv4" : "IPv6", r);
				mgmd_fwd_update_all(f);
			} else if (r == -ENOSPC) {
				snprintf(fam->problem, sizeof(fam->problem),
					 "no VIF: the kernel's %d %s VIFs are all in use, so this "
					 "interface cannot forward",
					 MGMD_MROUTE_MAX_VIFS,
					 fam->family == MGM_INET ? "IPv4" : "IPv6");
				mgmd_log(LOG_ERR, "%s: %s", ifc->name, fam->problem);
			} else {
				snprintf(fam->problem, sizeof(fam->problem), "no VIF: %s",
					 mgmd_mroute_error(mgmd_fwd_mroute(f)));
				mgmd_log(LOG_ERR, "%s: %s", ifc->name, fam->problem);
			}
		}
	}
	mgmd_iface_flush(d);
}

/* Brings each family of an interface to what the configuration and the link say. */
static void reconcile(struct mgmd *d, struct mgmd_iface *ifc)
{
	for (int fi = 0; fi < 2; fi++) {
		struct mgmd_fam *fam = &ifc->fam[fi];
		bool want = ifc->ifindex > 0 && fam_enabled(ifc, fam->family) && ifc->up;

		if (want && !ifc->multicast) {
			snprintf(fam->problem, sizeof(fam->problem),
				 "the link has multicast off (ip link set %s multicast on)",
				 ifc->name);
			want = false;
		}
		if (want)
			fam_up(d, fam);
		else {
			fam_down(d, fam, false);
			if (ifc->ic && fam_enabled(ifc, fam->family) && !ifc->up)
				snprintf(fam->problem, sizeof(fam->problem), "link down");
			else if (!ifc->multicast && ifc->up && fam_enabled(ifc, fam->family))
				; /* said above */
			else
				fam->problem[0] = '\0';
		}
	}
}

static bool same_join(const struct mgmd_join *a, const struct mgmd_join *b)
{
	return mgm_addr_eq(&a->group, &b->group) && a->has_source == b->has_source &&
	       (!a->has_source || mgm_addr_eq(&a->source, &b->source));
}

static bool join_in(const struct mgmd_join *j, const struct mgmd_join *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (same_join(j, &v[i]))
			return true;
	return false;
}

/* The configuration's static joins replace the earlier configuration's (mgmctl's stay); the
 * proxy hears only the difference, so a reload does not make the upstream leave and join. */
static void joins_from_config(struct mgmd *d, struct mgmd_iface *ifc)
{
	size_t i, n = 0, n_old = 0;
	struct mgmd_join *j, *old = NULL;

	for (i = 0; i < ifc->n_joins; i++)
		n_old += ifc->joins[i].from_config;
	if (n_old && (old = malloc(n_old * sizeof(*old))) != NULL)
		for (i = 0, n_old = 0; i < ifc->n_joins; i++)
			if (ifc->joins[i].from_config)
				old[n_old++] = ifc->joins[i];
	for (i = 0; i < ifc->n_joins; i++)
		if (!ifc->joins[i].from_config)
			ifc->joins[n++] = ifc->joins[i];
	ifc->n_joins = n;
	if (ifc->ic && ifc->ic->n_joins) {
		j = realloc(ifc->joins, (n + ifc->ic->n_joins) * sizeof(*j));
		if (!j) {
			mgmd_log(LOG_ERR, "%s: out of memory for static joins", ifc->name);
		} else {
			ifc->joins = j;
			for (i = 0; i < ifc->ic->n_joins; i++) {
				j[n].group = ifc->ic->joins[i].group;
				j[n].has_source = ifc->ic->joins[i].has_source;
				j[n].source = ifc->ic->joins[i].source;
				j[n].from_config = true;
				n++;
			}
			ifc->n_joins = n;
		}
	}
	if (!old) {
		/* The earlier ones unknown (none, or no memory to compare): add what is new. */
		for (i = 0; i < ifc->n_joins; i++)
			if (ifc->joins[i].from_config)
				mgmd_upstream_static(d, ifc, &ifc->joins[i].group);
		return;
	}
	for (i = 0; i < n_old; i++)
		if (!join_in(&old[i], ifc->joins, ifc->n_joins))
			mgmd_upstream_static(d, ifc, &old[i].group);
	for (i = 0; i < ifc->n_joins; i++)
		if (ifc->joins[i].from_config && !join_in(&ifc->joins[i], old, n_old))
			mgmd_upstream_static(d, ifc, &ifc->joins[i].group);
	free(old);
}

static void acl_counters(struct mgmd_iface *ifc)
{
	size_t n = ifc->ic ? ifc->ic->n_acl + 1 : 0;

	free(ifc->acl_hits);
	ifc->acl_hits = n ? calloc(n, sizeof(uint64_t)) : NULL;
	ifc->n_acl_hits = ifc->acl_hits ? n : 0;
}

static struct mgmd_iface *iface_new(struct mgmd *d, const struct mgmd_link *l)
{
	struct mgmd_iface *ifc;

	if (d->n_ifaces == d->cap_ifaces) {
		size_t n = d->cap_ifaces ? d->cap_ifaces * 2 : 16;
		struct mgmd_iface **v = realloc(d->ifaces, n * sizeof(*v));

		if (!v)
			return NULL;
		d->ifaces = v;
		d->cap_ifaces = n;
	}
	ifc = calloc(1, sizeof(*ifc));
	if (!ifc)
		return NULL;
	snprintf(ifc->name, sizeof(ifc->name), "%s", l->name);
	ifc->ifindex = l->ifindex;
	for (int fi = 0; fi < 2; fi++) {
		ifc->fam[fi].ifc = ifc;
		ifc->fam[fi].family = fi == 0 ? MGM_INET : MGM_INET6;
		ifc->fam[fi].fd = -1;
		ifc->fam[fi].vif = -1;
	}
	ifc->ic = mgmd_config_match(&d->cfg, ifc->name);
	joins_from_config(d, ifc);
	acl_counters(ifc);
	d->ifaces[d->n_ifaces++] = ifc;
	if (ifc->ic)
		mgmd_log(LOG_INFO, "%s: appeared (index %d), role %s", ifc->name, ifc->ifindex,
			 mgmd_role_name(ifc->ic->role));
	return ifc;
}

static void iface_free(struct mgmd *d, struct mgmd_iface *ifc)
{
	size_t i;

	for (int fi = 0; fi < 2; fi++)
		fam_down(d, &ifc->fam[fi], true);
	if (role_of(ifc) == MGMD_ROLE_DOWNSTREAM)
		mgmd_upstream_remove_downstream(d, ifc);
	for (i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i] == ifc) {
			d->ifaces[i] = d->ifaces[--d->n_ifaces];
			break;
		}
	free(ifc->joins);
	free(ifc->acl_hits);
	free(ifc);
}

/* ---- Netlink ------------------------------------------------------------------------------- */

static void nl_link(void *ctx, const struct mgmd_link *l)
{
	struct mgmd *d = ctx;
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, l->ifindex);

	if (ifc && strcmp(ifc->name, l->name) != 0) {
		/* Renamed: the stanza may differ; start over under the new name. */
		mgmd_log(LOG_INFO, "%s: renamed to %s", ifc->name, l->name);
		iface_free(d, ifc);
		ifc = NULL;
	}
	if (!ifc) {
		ifc = iface_new(d, l);
		if (!ifc) {
			mgmd_log(LOG_ERR, "%s: out of memory", l->name);
			return;
		}
	}
	ifc->seen = true;
	if (ifc->ic && (ifc->up != l->up || ifc->mtu != l->mtu))
		mgmd_log(LOG_INFO, "%s: %s, mtu %u", ifc->name, l->up ? "up" : "down",
			 (unsigned)l->mtu);
	if (ifc->mtu != l->mtu && ifc->ic && !ifc->ic->mtu_configured) {
		ifc->mtu = l->mtu;
		for (int fi = 0; fi < 2; fi++) {
			struct mgm_router_config rc;
			char err[256];

			if (ifc->fam[fi].router &&
			    mgm_router_reconfigure(ifc->fam[fi].router, mgmd_loop_now(d->loop),
						   fam_config(ifc, ifc->fam[fi].family, &rc), err,
						   sizeof(err)) < 0)
				mgmd_log(LOG_WARNING, "%s: mtu %u: %s", ifc->name, (unsigned)l->mtu,
					 err);
		}
	}
	ifc->mtu = l->mtu;
	ifc->up = l->up;
	ifc->multicast = l->multicast;
	reconcile(d, ifc);
	mgmd_upstream_sync(d, mgmd_loop_now(d->loop));
}

static void nl_link_del(void *ctx, int ifindex)
{
	struct mgmd *d = ctx;
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, ifindex);

	if (!ifc)
		return;
	if (ifc->ic)
		mgmd_log(LOG_INFO, "%s: deleted", ifc->name);
	iface_free(d, ifc);
	mgmd_upstream_sync(d, mgmd_loop_now(d->loop));
}

static void nl_addr(void *ctx, int ifindex, const struct mgm_addr *a, uint8_t plen, bool added)
{
	struct mgmd *d = ctx;
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, ifindex);
	struct mgmd_fam *fam;
	unsigned i;

	if (!ifc || (a->family != MGM_INET && a->family != MGM_INET6))
		return;
	fam = &ifc->fam[mgmd_fi(a->family)];
	for (i = 0; i < fam->n_addrs; i++)
		if (mgm_addr_eq(&fam->addrs[i].addr, a))
			break;
	if (added) {
		if (i == fam->n_addrs) {
			if (fam->n_addrs == MGMD_MAX_ADDRS)
				return; /* the first ones are the ones that matter */
			fam->n_addrs++;
		}
		fam->addrs[i].addr = *a;
		fam->addrs[i].prefix_len = plen;
		fam->addrs[i].seen = true;
	} else {
		if (i == fam->n_addrs)
			return;
		memmove(&fam->addrs[i], &fam->addrs[i + 1],
			(fam->n_addrs - i - 1) * sizeof(fam->addrs[0]));
		fam->n_addrs--;
	}
	if (fam->router || ifc->ic)
		reconcile(d, ifc);
}

static void nl_dump_start(void *ctx)
{
	struct mgmd *d = ctx;

	for (size_t i = 0; i < d->n_ifaces; i++) {
		d->ifaces[i]->seen = false;
		for (int fi = 0; fi < 2; fi++)
			for (unsigned k = 0; k < d->ifaces[i]->fam[fi].n_addrs; k++)
				d->ifaces[i]->fam[fi].addrs[k].seen = false;
	}
}

static void nl_dump_done(void *ctx)
{
	struct mgmd *d = ctx;
	size_t i = 0;

	while (i < d->n_ifaces) {
		struct mgmd_iface *ifc = d->ifaces[i];
		bool changed = false;

		if (!ifc->seen) {
			iface_free(d, ifc); /* moves the last one into slot i */
			continue;
		}
		for (int fi = 0; fi < 2; fi++) {
			struct mgmd_fam *fam = &ifc->fam[fi];
			unsigned k = 0;

			while (k < fam->n_addrs)
				if (!fam->addrs[k].seen) {
					memmove(&fam->addrs[k], &fam->addrs[k + 1],
						(fam->n_addrs - k - 1) * sizeof(fam->addrs[0]));
					fam->n_addrs--;
					changed = true;
				} else {
					k++;
				}
		}
		if (changed)
			reconcile(d, ifc);
		i++;
	}
	mgmd_upstream_sync(d, mgmd_loop_now(d->loop));
}

void mgmd_iface_netlink_callbacks(struct mgmd *d, struct mgmd_netlink_callbacks *cb)
{
	the_daemon = d;
	memset(cb, 0, sizeof(*cb));
	cb->ctx = d;
	cb->link = nl_link;
	cb->link_del = nl_link_del;
	cb->addr = nl_addr;
	cb->dump_start = nl_dump_start;
	cb->dump_done = nl_dump_done;
}

/* ---- Configuration, timers, shutdown ------------------------------------------------------------
 */

void mgmd_iface_apply_config(struct mgmd *d, int64_t now)
{
	for (size_t i = 0; i < d->n_ifaces; i++) {
		struct mgmd_iface *ifc = d->ifaces[i];
		const struct mgmd_iface_config *old = ifc->ic, *nw;

		nw = mgmd_config_match(&d->cfg, ifc->name);
		if (old && nw && old->role == nw->role && old->ipv4 == nw->ipv4 &&
		    old->ipv6 == nw->ipv6) {
			/* Same role: the engines keep their state and take the new values. */
			ifc->ic = nw;
			for (int fi = 0; fi < 2; fi++) {
				struct mgmd_fam *fam = &ifc->fam[fi];
				struct mgm_router_config rc;
				char err[256];

				if (fam->router &&
				    mgm_router_reconfigure(fam->router, now,
							   fam_config(ifc, fam->family, &rc), err,
							   sizeof(err)) < 0)
					mgmd_log(LOG_ERR, "%s %s: reconfigure: %s", ifc->name,
						 fam_proto(fam->family), err);
			}
		} else if (old || nw) {
			/* Role or families changed: start over. */
			for (int fi = 0; fi < 2; fi++)
				fam_down(d, &ifc->fam[fi], true);
			if (role_of(ifc) == MGMD_ROLE_DOWNSTREAM)
				mgmd_upstream_remove_downstream(d, ifc);
			ifc->ic = nw;
			if (nw)
				mgmd_log(LOG_INFO, "%s: role %s", ifc->name,
					 mgmd_role_name(nw->role));
		}
		joins_from_config(d, ifc);
		acl_counters(ifc);
		reconcile(d, ifc);
	}
	mgmd_upstream_reload(d, now);
	for (int fi = 0; fi < 2; fi++)
		if (d->fwd[fi]) {
			mgmd_fwd_set_limits(d->fwd[fi], d->cfg.max_routes, d->cfg.route_idle_s);
			mgmd_fwd_update_all(d->fwd[fi]);
		}
}

void mgmd_iface_shutdown(struct mgmd *d, int64_t now)
{
	(void)now;
	/* Upstream: the whole downstream interest leaves at once (one state-change report per
	 * upstream, best effort: its retransmissions would come after the exit), so the
	 * upstream router stops the traffic now rather than after its membership timeout. */
	for (size_t i = 0; i < d->n_ifaces; i++)
		if (role_of(d->ifaces[i]) == MGMD_ROLE_DOWNSTREAM)
			mgmd_upstream_remove_downstream(d, d->ifaces[i]);
	mgmd_upstream_shutdown(d);
	while (d->n_ifaces)
		iface_free(d, d->ifaces[d->n_ifaces - 1]);
	free(d->ifaces);
	d->ifaces = NULL;
	d->cap_ifaces = 0;
	free(d->pending);
	d->pending = NULL;
	d->n_pending = d->cap_pending = 0;
}

int64_t mgmd_iface_timers(struct mgmd *d, int64_t now)
{
	int64_t next = INT64_MAX, t;

	for (size_t i = 0; i < d->n_ifaces; i++)
		for (int fi = 0; fi < 2; fi++) {
			struct mgm_router *r = d->ifaces[i]->fam[fi].router;

			if (!r)
				continue;
			t = mgm_router_next_deadline(r);
			if (t != MGM_TIME_NEVER && t <= now) {
				mgm_router_timer(r, now);
				t = mgm_router_next_deadline(r);
			}
			if (t != MGM_TIME_NEVER && t < next)
				next = t;
		}
	mgmd_iface_flush(d);
	t = mgmd_upstream_timers(d, now);
	return t < next ? t : next;
}

int mgmd_iface_join(struct mgmd *d, const char *ifname, const struct mgm_addr *group,
		    const struct mgm_addr *source, bool join, char *err, size_t errlen)
{
	struct mgmd_iface *ifc = mgmd_iface_by_name(d, ifname);
	struct mgmd_join *j;
	size_t i;

	if (!ifc || !ifc->ic) {
		snprintf(err, errlen, "%s: not an interface mgmd manages", ifname);
		return -ENOENT;
	}
	if (ifc->ic->role != MGMD_ROLE_DOWNSTREAM) {
		snprintf(err, errlen, "%s: static joins need a downstream interface (role is %s)",
			 ifname, mgmd_role_name(ifc->ic->role));
		return -EINVAL;
	}
	if (!mgm_addr_is_multicast(group) || mgm_addr_is_unrouted_group(group)) {
		snprintf(err, errlen, "%s is not a routable multicast group", "the group");
		return -EINVAL;
	}
	if (source && (source->family != group->family || !mgm_addr_is_unicast(source))) {
		snprintf(err, errlen, "the source must be a unicast address of the group's family");
		return -EINVAL;
	}
	if (!source && mgmd_config_is_ssm(&d->cfg, group)) {
		snprintf(err, errlen, "the group is in an SSM range: name a source");
		return -EINVAL;
	}
	for (i = 0; i < ifc->n_joins; i++) {
		j = &ifc->joins[i];
		if (mgm_addr_eq(&j->group, group) && j->has_source == (source != NULL) &&
		    (!source || mgm_addr_eq(&j->source, source)))
			break;
	}
	if (join) {
		if (i < ifc->n_joins) {
			snprintf(err, errlen, "already joined");
			return -EEXIST;
		}
		if (ifc->n_joins >= 4096) {
			snprintf(err, errlen, "%s: at most 4096 static joins per interface",
				 ifname);
			return -ENOSPC;
		}
		j = realloc(ifc->joins, (ifc->n_joins + 1) * sizeof(*j));
		if (!j) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		ifc->joins = j;
		j[ifc->n_joins].group = *group;
		j[ifc->n_joins].has_source = source != NULL;
		if (source)
			j[ifc->n_joins].source = *source;
		else
			mgm_addr_any(&j[ifc->n_joins].source, group->family);
		j[ifc->n_joins].from_config = false;
		ifc->n_joins++;
		mgmd_upstream_static(d, ifc, group);
	} else {
		struct mgmd_join gone;

		if (i == ifc->n_joins) {
			snprintf(err, errlen, "%s: no such static join", ifname);
			return -ENOENT;
		}
		gone = ifc->joins[i];
		ifc->joins[i] = ifc->joins[--ifc->n_joins];
		mgmd_upstream_static(d, ifc, &gone.group);
	}
	if (d->fwd[mgmd_fi(group->family)])
		mgmd_fwd_update_group(d->fwd[mgmd_fi(group->family)], group);
	return 0;
}
