/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Proxying (RFC 4605) in the daemon: per family one membership database (lib/proxy), fed by
 * the downstream interfaces' router engines and static joins, reporting on the upstream
 * interfaces through its host engines (lib/host), one per upstream interface.
 *
 * The upstream "slots" of a family are the existing interfaces whose stanza has role upstream,
 * in stanza order (then interface index): the order in which groups are matched against the
 * stanzas' `groups` ranges. When that list changes (an upstream appears or goes, a reload
 * changes ranges, keep-joined or hold-down), the database is built anew from the downstream
 * engines' state and each running upstream reports its state as if just joined; a reload that
 * changes only the host engines' settings reconfigures them in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "loop.h"
#include "mgmd.h"

#define STATIC_ID(ifindex) (0x80000000u | (uint32_t)(ifindex))

static const char *fam_proto(uint8_t family)
{
	return family == MGM_INET ? "IGMP" : "MLD";
}

/* ---- Host engine callbacks -------------------------------------------------------------- */

/* A short description of what was sent, for mgmctl show upstream. */
static void describe(struct mgmd_upslot *s, uint8_t family, const struct mgm_addr *dst,
		     const uint8_t *payload, size_t len)
{
	struct mgm_msg m;
	struct mgm_record_iter it;
	struct mgm_record rec;
	char g[MGM_ADDRSTRLEN];
	size_t used;
	int n;

	if (mgm_decode(family, payload, len, &s->addr, dst, &m) < 0) {
		snprintf(s->last_msg, sizeof(s->last_msg), "%zu octets (did not decode)", len);
		return;
	}
	n = snprintf(s->last_msg, sizeof(s->last_msg), "%sv%u %s", fam_proto(family),
		     (unsigned)m.version, mgm_msg_kind_name(family, m.kind));
	used = n > 0 ? (size_t)n : 0;
	if (!m.records) {
		if (used < sizeof(s->last_msg))
			snprintf(s->last_msg + used, sizeof(s->last_msg) - used, " %s",
				 mgm_addr_str(&m.group, g));
		return;
	}
	mgm_records_begin(&m, &it);
	while (mgm_records_next(&it, &rec) && used + 1 < sizeof(s->last_msg)) {
		n = snprintf(s->last_msg + used, sizeof(s->last_msg) - used,
			     "%s %s(%s, %u source%s)",
			     used && s->last_msg[used - 1] == ')' ? "," : ":",
			     mgm_record_type_name(rec.type), mgm_addr_str(&rec.group, g),
			     (unsigned)rec.num_sources, rec.num_sources == 1 ? "" : "s");
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void host_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct mgmd_upslot *s = ctx;
	struct mgmd_iface *ifc = mgmd_iface_by_index(s->d, s->ifindex);
	struct mgmd_fam *fam;
	int rc;

	if (!ifc)
		return;
	fam = &ifc->fam[mgmd_fi(s->family)];
	if (fam->fd < 0)
		return;
	rc = mgmd_io_send(fam->fd, ifc->ifindex, &s->addr, dst, payload, len, &fam->io);
	if (rc < 0) {
		MGMD_LOG_RL(5, 60000, mgmd_loop_now(s->d->loop), LOG_WARNING,
			    "%s %s upstream: send: %s", ifc->name, fam_proto(s->family),
			    strerror(-rc));
		return;
	}
	s->last_tx = mgmd_loop_now(s->d->loop);
	describe(s, s->family, dst, payload, len);
	if (mgmd_log_enabled(LOG_DEBUG))
		mgmd_log(LOG_DEBUG, "%s upstream: sent %s", ifc->name, s->last_msg);
}

static void host_log(void *ctx, int level, const char *text)
{
	struct mgmd_upslot *s = ctx;
	struct mgmd_iface *ifc = mgmd_iface_by_index(s->d, s->ifindex);

	mgmd_log(level, "%s %s upstream: %s", ifc ? ifc->name : "?", fam_proto(s->family), text);
}

static uint64_t host_random(void *ctx)
{
	struct mgmd_upslot *s = ctx;

	return mgmd_random(s->d);
}

/* At most this many upstream interfaces per family. */
#define MAX_SLOTS 64

/* ---- Slots ---------------------------------------------------------------------------------- */

static bool fam_on(const struct mgmd_iface_config *ic, uint8_t family)
{
	return family == MGM_INET ? ic->ipv4 : ic->ipv6;
}

/* The slots the configuration and the interfaces call for, in order, into v (cap entries);
 * returns how many (may exceed cap: the rest are left out). */
static size_t wanted_slots(struct mgmd *d, uint8_t family, struct mgmd_upslot *v, size_t cap)
{
	size_t n = 0;

	for (size_t k = 0; k < d->cfg.n_ifaces; k++) {
		const struct mgmd_iface_config *ic = &d->cfg.ifaces[k];
		int last = 0;

		if (ic->role != MGMD_ROLE_UPSTREAM || !fam_on(ic, family))
			continue;
		/* The interfaces under this stanza by rising index. */
		for (;;) {
			struct mgmd_iface *best = NULL;

			for (size_t i = 0; i < d->n_ifaces; i++) {
				struct mgmd_iface *ifc = d->ifaces[i];

				if (ifc->ic == ic && ifc->ifindex > last &&
				    (!best || ifc->ifindex < best->ifindex))
					best = ifc;
			}
			if (!best)
				break;
			last = best->ifindex;
			if (n < cap) {
				memset(&v[n], 0, sizeof(v[n]));
				v[n].ifindex = best->ifindex;
				v[n].ic = ic;
			}
			n++;
		}
	}
	return n;
}

/* Same upstream as far as the database is concerned: interface, ranges, keep-joined and
 * hold-down (the host engine's own settings can change in place). */
static bool same_slot(const struct mgmd_upslot *a, const struct mgmd_upslot *b)
{
	const struct mgmd_iface_config *x = a->ic, *y = b->ic;

	if (a->ifindex != b->ifindex || x->n_up_groups != y->n_up_groups ||
	    x->keep_joined_ms != y->keep_joined_ms || x->leave_holddown_ms != y->leave_holddown_ms)
		return false;
	for (size_t i = 0; i < x->n_up_groups; i++)
		if (x->up_groups[i].len != y->up_groups[i].len ||
		    !mgm_addr_eq(&x->up_groups[i].addr, &y->up_groups[i].addr))
			return false;
	return true;
}

static void host_config_of(struct mgmd *d, const struct mgmd_upslot *s, struct mgm_host_config *hc)
{
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, s->ifindex);
	uint32_t floor = s->family == MGM_INET ? 576 : 1280;

	mgmd_config_host(s->ic, s->family, hc);
	if (ifc && !s->ic->mtu_configured && ifc->mtu)
		hc->mtu = ifc->mtu < floor ? floor : ifc->mtu;
}

/* ---- The database from the downstream state ------------------------------------------------ */

struct policy {
	struct mgmd *d;
	const struct mgmd_iface *ifc;
};

/* What the daemon would forward to the interface is what it may pull upstream for it: its
 * access list, and no any-source reception in an SSM range (RFC 4604 §2.2.2). */
static bool policy_keep(void *ctx, const struct mgm_addr *group, const struct mgm_addr *source)
{
	struct policy *pol = ctx;
	bool allow;

	(void)mgmd_acl_match(pol->ifc->ic, group, source, &allow);
	return allow && (source || !mgmd_config_is_ssm(&pol->d->cfg, group));
}

/* The record of one downstream interface for one group into the database: what its router
 * engine holds, through the daemon's policy. */
static void update_group(struct mgmd *d, struct mgmd_proxyfam *px, struct mgmd_iface *ifc,
			 const struct mgm_addr *group, int64_t now)
{
	struct mgmd_fam *fam = &ifc->fam[mgmd_fi(group->family)];
	struct policy pol = {.d = d, .ifc = ifc};
	int rc;

	if (fam->router)
		rc = mgm_proxy_update_group_policy(px->proxy, now, (uint32_t)ifc->ifindex,
						   fam->router, group, policy_keep, &pol);
	else
		rc = mgm_proxy_set_filter(px->proxy, now, (uint32_t)ifc->ifindex, group,
					  MGM_INCLUDE, NULL, 0);
	if (rc < 0) {
		char g[MGM_ADDRSTRLEN];

		px->refused++;
		MGMD_LOG_RL(5, 60000, now, LOG_WARNING,
			    "%s %s: group %s not passed upstream: %s (upstream limits: "
			    "max-groups, max-sources-per-group of the upstream stanza)",
			    ifc->name, fam_proto(group->family), mgm_addr_str(group, g),
			    mgm_strerror(rc));
	}
}

static int replay_group(void *ctx, const struct mgm_router_group_info *gi);

struct replay {
	struct mgmd *d;
	struct mgmd_proxyfam *px;
	struct mgmd_iface *ifc;
	int64_t now;
	struct mgm_addr *groups;
	size_t n, cap;
};

static int replay_group(void *ctx, const struct mgm_router_group_info *gi)
{
	struct replay *r = ctx;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct mgm_addr *v = realloc(r->groups, cap * sizeof(*v));

		if (!v)
			return 1;
		r->groups = v;
		r->cap = cap;
	}
	r->groups[r->n++] = gi->group;
	return 0;
}

static bool is_downstream(const struct mgmd_iface *ifc)
{
	return ifc->ic && ifc->ic->role == MGMD_ROLE_DOWNSTREAM;
}

/*
 * The static record of (interface, group), recomputed from all of the interface's static joins
 * of that group through the same policy as a host's membership: EXCLUDE {} when an any-source
 * join passes it, else INCLUDE of the joined sources that pass, else none. While the interface
 * is not running (link down), none: a static join pulls traffic for a link that can take it.
 */
static void static_apply(struct mgmd *d, struct mgmd_proxyfam *px, struct mgmd_iface *ifc,
			 const struct mgm_addr *group, int64_t now)
{
	struct policy pol = {.d = d, .ifc = ifc};
	struct mgm_addr *src;
	uint32_t n = 0;
	bool any = false, running;
	int rc;

	if (!px->proxy || !is_downstream(ifc) || !fam_on(ifc->ic, group->family))
		return;
	running = ifc->fam[mgmd_fi(group->family)].started;
	src = ifc->n_joins ? malloc(ifc->n_joins * sizeof(*src)) : NULL;
	if (ifc->n_joins && !src) {
		px->refused++;
		mgmd_log(LOG_ERR, "%s: out of memory for static joins", ifc->name);
		return;
	}
	for (size_t k = 0; running && k < ifc->n_joins; k++) {
		const struct mgmd_join *j = &ifc->joins[k];

		if (!mgm_addr_eq(&j->group, group))
			continue;
		if (!j->has_source) {
			any = any || policy_keep(&pol, group, NULL);
			continue;
		}
		if (policy_keep(&pol, group, &j->source)) {
			bool dup = false;

			for (uint32_t i = 0; i < n && !dup; i++)
				dup = mgm_addr_eq(&src[i], &j->source);
			if (!dup)
				src[n++] = j->source;
		}
	}
	if (any)
		rc = mgm_proxy_set_filter(px->proxy, now, STATIC_ID(ifc->ifindex), group,
					  MGM_EXCLUDE, NULL, 0);
	else
		rc = mgm_proxy_set_filter(px->proxy, now, STATIC_ID(ifc->ifindex), group,
					  MGM_INCLUDE, n ? src : NULL, n);
	free(src);
	if (rc < 0) {
		char g[MGM_ADDRSTRLEN];

		px->refused++;
		mgmd_log(LOG_WARNING, "%s: static join %s not passed upstream: %s", ifc->name,
			 mgm_addr_str(group, g), mgm_strerror(rc));
	}
}

/* The static records of every group ifc joins statically in family, each group once. */
static void statics_apply_all(struct mgmd *d, struct mgmd_proxyfam *px, struct mgmd_iface *ifc,
			      uint8_t family, int64_t now)
{
	for (size_t k = 0; k < ifc->n_joins; k++) {
		const struct mgm_addr *g = &ifc->joins[k].group;
		size_t e = 0;

		while (e < k && !mgm_addr_eq(&ifc->joins[e].group, g))
			e++;
		if (g->family == family && e == k)
			static_apply(d, px, ifc, g, now);
	}
}

/* Every downstream interface's records and static joins into a new database. */
static void replay_all(struct mgmd *d, struct mgmd_proxyfam *px, uint8_t family, int64_t now)
{
	for (size_t i = 0; i < d->n_ifaces; i++) {
		struct mgmd_iface *ifc = d->ifaces[i];
		struct mgmd_fam *fam = &ifc->fam[mgmd_fi(family)];
		struct replay r = {.d = d, .px = px, .ifc = ifc, .now = now};

		if (!is_downstream(ifc))
			continue;
		if (fam->router) {
			(void)mgm_router_foreach_group(fam->router, now, replay_group, &r);
			for (size_t k = 0; k < r.n; k++)
				update_group(d, px, ifc, &r.groups[k], now);
			free(r.groups);
		}
		statics_apply_all(d, px, ifc, family, now);
	}
}

static void slot_start(struct mgmd *d, struct mgmd_proxyfam *px, uint32_t k, int64_t now);

/* The records of a database about to be replaced. */
struct old_records {
	struct mgm_proxy_record_info *v;
	size_t n, cap;
};

static int collect_record(void *ctx, const struct mgm_proxy_record_info *ri)
{
	struct old_records *o = ctx;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct mgm_proxy_record_info *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return 1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = *ri;
	return 0;
}

/*
 * What the old database reported that the new one does not report on the same interface is
 * withdrawn there before the old one goes: the record's socket in the old upstream host engine
 * is set to INCLUDE {}, which reports the difference at once (once: the engine is freed after).
 * Without this, a reload that moves a group range to another upstream, or removes an upstream,
 * left the old upstream router forwarding until its membership timed out.
 */
static void withdraw_moved(struct mgmd_proxyfam *px, struct mgm_proxy *old,
			   const struct mgmd_upslot *old_slots, size_t n_old, int64_t now)
{
	struct old_records o = {0};
	size_t withdrawn = 0;

	if (mgm_proxy_foreach_record(old, now, NULL, collect_record, &o))
		mgmd_log(LOG_WARNING, "upstream: out of memory: some groups are not withdrawn from "
				      "the upstream they leave (they expire there)");
	for (size_t i = 0; i < o.n; i++) {
		const struct mgm_proxy_record_info *ri = &o.v[i];
		struct mgm_proxy_record_info now_ri;
		struct mgm_host *h;

		if (ri->upstream >= n_old || !old_slots[ri->upstream].started)
			continue;
		if (px->proxy &&
		    mgm_proxy_record(px->proxy, now, ri->downstream, &ri->group, &now_ri, NULL,
				     0) == 0 &&
		    now_ri.upstream < px->n_slots &&
		    px->slots[now_ri.upstream].ifindex == old_slots[ri->upstream].ifindex)
			continue;
		h = mgm_proxy_upstream_host(old, ri->upstream);
		if (h && mgm_host_set_filter(h, now, ri->downstream, &ri->group, MGM_INCLUDE, NULL,
					     0) == 0)
			withdrawn++;
	}
	if (withdrawn)
		mgmd_log(LOG_INFO,
			 "upstream: %zu record%s withdrawn from the upstream they no longer "
			 "use",
			 withdrawn, withdrawn == 1 ? "" : "s");
	free(o.v);
}

static void rebuild(struct mgmd *d, uint8_t family, struct mgmd_upslot *v, size_t n, int64_t now)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(family)];
	/* The old database lives until the new one is filled: its host engines send the
	 * withdrawals, through its slots. */
	struct mgm_proxy *old = px->proxy;
	struct mgmd_upslot *old_slots = px->slots;
	size_t n_old = px->n_slots;
	struct mgm_proxy_config pc;
	char err[256];
	size_t k;

	px->proxy = NULL;
	px->slots = NULL;
	px->n_slots = 0;
	px->n_pending = 0;
	if (!n)
		goto done;
	px->slots = calloc(n, sizeof(*px->slots));
	if (!px->slots) {
		mgmd_log(LOG_ERR, "%s upstream: out of memory", fam_proto(family));
		goto done;
	}
	mgm_proxy_config_defaults(&pc, family);
	pc.max_sources = 1024;
	pc.max_upstreams = (uint32_t)n;
	if (mgm_proxy_create(&pc, NULL, &px->proxy, err, sizeof(err)) < 0) {
		mgmd_log(LOG_ERR, "%s upstream: %s", fam_proto(family), err);
		free(px->slots);
		px->slots = NULL;
		goto done;
	}
	for (k = 0; k < n; k++) {
		struct mgmd_upslot *s = &px->slots[px->n_slots];
		struct mgm_proxy_upstream_config uc;
		struct mgm_host_callbacks cb = {
			.ctx = s, .send = host_send, .log = host_log, .random = host_random};
		uint32_t index;

		/* A fresh slot: its host engine is new, stopped, and has heard no querier (v may be
		 * a copy of running slots, for a replay). */
		memset(s, 0, sizeof(*s));
		s->ifindex = v[k].ifindex;
		s->ic = v[k].ic;
		s->d = d;
		s->family = family;
		mgm_addr_any(&s->addr, family);
		memset(&uc, 0, sizeof(uc));
		host_config_of(d, s, &uc.host);
		for (size_t r = 0; r < s->ic->n_up_groups; r++) {
			if (s->ic->up_groups[r].addr.family != family)
				continue;
			uc.ranges[uc.num_ranges].group = s->ic->up_groups[r].addr;
			uc.ranges[uc.num_ranges].prefix_len = s->ic->up_groups[r].len;
			uc.num_ranges++;
		}
		if (s->ic->n_up_groups && !uc.num_ranges) {
			/* Ranges only of the other family: this one serves none of this family.
			 * A range no group can match says so. */
			mgm_addr_any(&uc.ranges[0].group, family);
			uc.ranges[0].prefix_len = mgm_addr_len(family) * 8;
			uc.num_ranges = 1;
		}
		uc.keep_joined_ms = s->ic->keep_joined_ms;
		uc.leave_holddown_ms = s->ic->leave_holddown_ms;
		if (mgm_proxy_add_upstream(px->proxy, &uc, &cb, &index, err, sizeof(err)) < 0) {
			struct mgmd_iface *ifc = mgmd_iface_by_index(d, s->ifindex);

			mgmd_log(LOG_ERR, "%s %s upstream: %s", ifc ? ifc->name : "?",
				 fam_proto(family), err);
			continue;
		}
		px->n_slots++;
	}
	replay_all(d, px, family, now);
done:
	if (old) {
		withdraw_moved(px, old, old_slots, n_old, now);
		mgm_proxy_destroy(old);
	}
	free(old_slots);
	for (k = 0; k < px->n_slots; k++)
		slot_start(d, px, (uint32_t)k, now);
}

static struct mgmd_upslot *slot_of(struct mgmd *d, uint8_t family, int ifindex, uint32_t *k)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(family)];

	for (uint32_t i = 0; i < px->n_slots; i++)
		if (px->slots[i].ifindex == ifindex) {
			if (k)
				*k = i;
			return &px->slots[i];
		}
	return NULL;
}

/* Starts (or keeps running) the host engine of slot k when its interface is up with a socket,
 * with the interface's address; stops it otherwise. */
static void slot_start(struct mgmd *d, struct mgmd_proxyfam *px, uint32_t k, int64_t now)
{
	struct mgmd_upslot *s = &px->slots[k];
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, s->ifindex);
	struct mgm_host *h = mgm_proxy_upstream_host(px->proxy, k);
	struct mgmd_fam *fam = ifc ? &ifc->fam[mgmd_fi(s->family)] : NULL;
	bool want = fam && fam->fd >= 0;
	char a[MGM_ADDRSTRLEN];
	int rc;

	if (!h)
		return;
	if (!want) {
		if (s->started) {
			mgm_host_stop(h, now);
			s->started = false;
		}
		return;
	}
	if (!mgm_addr_eq(&s->addr, &fam->addr)) {
		rc = mgm_host_set_address(h, now, &fam->addr);
		if (rc == 0) {
			s->addr = fam->addr;
			if (s->started)
				mgmd_log(LOG_INFO, "%s %s upstream: reports from %s", ifc->name,
					 fam_proto(s->family), mgm_addr_str(&s->addr, a));
		} else
			mgmd_log(LOG_WARNING, "%s %s upstream: address %s refused: %s", ifc->name,
				 fam_proto(s->family), mgm_addr_str(&fam->addr, a),
				 mgm_strerror(rc));
	}
	if (!s->started) {
		rc = mgm_host_start(h, now);
		if (rc == 0) {
			s->started = true;
			mgmd_log(LOG_NOTICE, "%s: %s upstream started (reports from %s%s)",
				 ifc->name, fam_proto(s->family), mgm_addr_str(&s->addr, a),
				 mgm_addr_is_any(&s->addr) ? ", no address yet" : "");
		} else {
			mgmd_log(LOG_ERR, "%s %s upstream: start: %s", ifc->name,
				 fam_proto(s->family), mgm_strerror(rc));
		}
	}
}

/* ---- Daemon entry points -------------------------------------------------------------------- */

/* The slots the configuration and the interfaces call for, each family's database rebuilt
 * when they differ from what runs (which replays every record). reevaluate: after a reload,
 * an unchanged database has its records passed through the new policy too. */
static void sync_all(struct mgmd *d, int64_t now, bool reevaluate)
{
	for (int fi = 0; fi < 2; fi++) {
		uint8_t family = fi == 0 ? MGM_INET : MGM_INET6;
		struct mgmd_proxyfam *px = &d->px[fi];
		size_t n = wanted_slots(d, family, NULL, 0), i;
		/* On the stack: the slots must follow every reload (their stanza pointers), so
		 * this step cannot be allowed to fail for memory. */
		struct mgmd_upslot v[MAX_SLOTS];
		bool same;

		if (n > MAX_SLOTS) {
			mgmd_log(LOG_WARNING,
				 "%s: %zu upstream interfaces; only the first %d report",
				 fam_proto(family), n, MAX_SLOTS);
			n = MAX_SLOTS;
		}
		(void)wanted_slots(d, family, v, n);
		same = n == px->n_slots && (n == 0 || px->proxy);
		for (i = 0; same && i < n; i++)
			same = same_slot(&v[i], &px->slots[i]);
		if (!same) {
			if (px->proxy || n)
				mgmd_log(LOG_INFO, "%s upstream: %zu interface%s",
					 fam_proto(family), n, n == 1 ? "" : "s");
			rebuild(d, family, v, n, now);
		} else {
			/* The same upstreams: new stanza pointers (a reload), new host settings. */
			for (i = 0; i < n; i++) {
				struct mgm_host *h =
					mgm_proxy_upstream_host(px->proxy, (uint32_t)i);
				struct mgm_host_config hc;
				char err[256];

				px->slots[i].ic = v[i].ic;
				host_config_of(d, &px->slots[i], &hc);
				if (h && mgm_host_reconfigure(h, now, &hc, err, sizeof(err)) < 0)
					mgmd_log(LOG_ERR, "%s upstream: reconfigure: %s",
						 fam_proto(family), err);
				slot_start(d, px, (uint32_t)i, now);
			}
			if (reevaluate && px->proxy)
				replay_all(d, px, family, now);
		}
	}
}

void mgmd_upstream_sync(struct mgmd *d, int64_t now)
{
	sync_all(d, now, false);
}

void mgmd_upstream_reload(struct mgmd *d, int64_t now)
{
	sync_all(d, now, true);
}

void mgmd_upstream_fam_changed(struct mgmd *d, struct mgmd_fam *fam)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(fam->family)];
	uint32_t k;

	if (slot_of(d, fam->family, fam->ifc->ifindex, &k))
		slot_start(d, px, k, mgmd_loop_now(d->loop));
}

void mgmd_upstream_input(struct mgmd *d, struct mgmd_fam *fam, const struct mgm_ip_info *ip)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(fam->family)];
	int64_t now = mgmd_loop_now(d->loop);
	struct mgmd_upslot *s;
	struct mgm_msg m;
	uint32_t k;

	s = slot_of(d, fam->family, fam->ifc->ifindex, &k);
	if (!s || !s->started)
		return;
	/* The querier upstream, for mgmctl: the source of the last query that decodes. */
	if (mgm_decode(ip->family, ip->payload, ip->payload_len, &ip->src, &ip->dst, &m) == 0 &&
	    m.kind == MGM_MSG_QUERY) {
		s->has_querier = true;
		s->querier = ip->src;
		s->querier_version = m.version;
		s->querier_seen = now;
		s->queries++;
	}
	(void)mgm_host_input(mgm_proxy_upstream_host(px->proxy, k), now, ip);
}

void mgmd_upstream_pending(struct mgmd *d, const struct mgmd_fam *fam, const struct mgm_addr *group)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(fam->family)];
	struct mgmd_ppending *p;

	if (!px->proxy)
		return;
	for (size_t i = px->n_pending; i > 0 && i + 8 > px->n_pending; i--)
		if (px->pending[i - 1].ifindex == fam->ifc->ifindex &&
		    mgm_addr_eq(&px->pending[i - 1].group, group))
			return;
	if (px->n_pending == px->cap_pending) {
		size_t n = px->cap_pending ? px->cap_pending * 2 : 64;

		p = realloc(px->pending, n * sizeof(*p));
		if (!p) {
			/* Cannot remember it: the whole database is read again at the flush. */
			px->replay = true;
			return;
		}
		px->pending = p;
		px->cap_pending = n;
	}
	px->pending[px->n_pending].ifindex = fam->ifc->ifindex;
	px->pending[px->n_pending].group = *group;
	px->n_pending++;
}

void mgmd_upstream_flush(struct mgmd *d)
{
	int64_t now = mgmd_loop_now(d->loop);

	for (int fi = 0; fi < 2; fi++) {
		struct mgmd_proxyfam *px = &d->px[fi];

		if (!px->proxy) {
			px->n_pending = 0;
			continue;
		}
		if (px->replay) {
			/* Everything again: rebuilt from the engines, which hold the truth. */
			struct mgmd_upslot *v = calloc(px->n_slots ? px->n_slots : 1, sizeof(*v));

			px->replay = false;
			if (v) {
				size_t n = px->n_slots;

				memcpy(v, px->slots, n * sizeof(*v));
				rebuild(d, fi == 0 ? MGM_INET : MGM_INET6, v, n, now);
				free(v);
			}
			continue;
		}
		for (size_t i = 0; i < px->n_pending; i++) {
			struct mgmd_iface *ifc = mgmd_iface_by_index(d, px->pending[i].ifindex);

			if (ifc && is_downstream(ifc))
				update_group(d, px, ifc, &px->pending[i].group, now);
		}
		px->n_pending = 0;
	}
}

void mgmd_upstream_static(struct mgmd *d, struct mgmd_iface *ifc, const struct mgm_addr *group)
{
	static_apply(d, &d->px[mgmd_fi(group->family)], ifc, group, mgmd_loop_now(d->loop));
}

void mgmd_upstream_statics(struct mgmd *d, struct mgmd_fam *fam)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(fam->family)];
	struct mgmd_iface *ifc = fam->ifc;
	int64_t now = mgmd_loop_now(d->loop);

	if (!px->proxy || !is_downstream(ifc))
		return;
	if (!fam->started) {
		(void)mgm_proxy_remove_downstream(px->proxy, now, STATIC_ID(ifc->ifindex));
		return;
	}
	statics_apply_all(d, px, ifc, fam->family, now);
}

void mgmd_upstream_remove_downstream(struct mgmd *d, struct mgmd_iface *ifc)
{
	int64_t now = mgmd_loop_now(d->loop);

	for (int fi = 0; fi < 2; fi++)
		if (d->px[fi].proxy) {
			(void)mgm_proxy_remove_downstream(d->px[fi].proxy, now,
							  (uint32_t)ifc->ifindex);
			(void)mgm_proxy_remove_downstream(d->px[fi].proxy, now,
							  STATIC_ID(ifc->ifindex));
		}
}

int64_t mgmd_upstream_timers(struct mgmd *d, int64_t now)
{
	int64_t next = INT64_MAX, t;

	for (int fi = 0; fi < 2; fi++) {
		struct mgm_proxy *p = d->px[fi].proxy;

		if (!p)
			continue;
		t = mgm_proxy_next_deadline(p);
		if (t != MGM_TIME_NEVER && t <= now) {
			mgm_proxy_timer(p, now);
			t = mgm_proxy_next_deadline(p);
		}
		if (t != MGM_TIME_NEVER && t < next)
			next = t;
	}
	return next;
}

void mgmd_upstream_shutdown(struct mgmd *d)
{
	for (int fi = 0; fi < 2; fi++) {
		struct mgmd_proxyfam *px = &d->px[fi];

		mgm_proxy_destroy(px->proxy);
		free(px->slots);
		free(px->pending);
		memset(px, 0, sizeof(*px));
	}
}

bool mgmd_upstream_serves(struct mgmd *d, const struct mgmd_iface *ifc,
			  const struct mgm_addr *group)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(group->family)];
	int k;

	if (!px->proxy)
		return true; /* no database (no upstream of this family): nothing to be consistent
				with */
	k = mgm_proxy_upstream_of(px->proxy, group);
	return k >= 0 && (uint32_t)k < px->n_slots && px->slots[k].ifindex == ifc->ifindex;
}

void mgmd_upstream_explain(struct mgmd *d, const struct mgmd_iface *ifc,
			   const struct mgm_addr *group, char *buf, size_t len)
{
	struct mgmd_proxyfam *px = &d->px[mgmd_fi(group->family)];
	struct mgm_host_group_info gi;
	struct mgmd_iface *other;
	uint32_t k;
	int u;

	if (!slot_of(d, group->family, ifc->ifindex, &k)) {
		snprintf(buf, len, "reports nothing (not an upstream of this family yet)");
		return;
	}
	u = mgm_proxy_upstream_of(px->proxy, group);
	if (u < 0) {
		snprintf(buf, len,
			 "no upstream serves this group ('groups' ranges): not reported, its "
			 "traffic not taken");
		return;
	}
	if ((uint32_t)u != k) {
		other = mgmd_iface_by_index(d, px->slots[u].ifindex);
		snprintf(buf, len, "does not report this group: upstream %s serves it first",
			 other ? other->name : "?");
		return;
	}
	if (!px->slots[k].started) {
		snprintf(buf, len,
			 "would report this group but is stopped (link down or no socket)");
		return;
	}
	if (mgm_host_group(mgm_proxy_upstream_host(px->proxy, k), mgmd_loop_now(d->loop), group,
			   &gi) < 0 ||
	    (gi.filter_mode == MGM_INCLUDE && gi.num_sources == 0)) {
		snprintf(buf, len,
			 "reports no interest in it: no downstream member or static join");
		return;
	}
	snprintf(buf, len, "reports %s with %u source%s (mgmctl show upstream)",
		 gi.filter_mode == MGM_INCLUDE ? "INCLUDE" : "EXCLUDE", (unsigned)gi.num_sources,
		 gi.num_sources == 1 ? "" : "s");
}

const struct mgmd_upslot *mgmd_upstream_slot(struct mgmd *d, const struct mgmd_fam *fam)
{
	return slot_of(d, fam->family, fam->ifc->ifindex, NULL);
}

int mgmd_upstream_status(struct mgmd *d, const struct mgmd_fam *fam, struct mgm_host_status *st)
{
	uint32_t k;

	if (!slot_of(d, fam->family, fam->ifc->ifindex, &k))
		return -1;
	mgm_host_status(mgm_proxy_upstream_host(d->px[mgmd_fi(fam->family)].proxy, k),
			mgmd_loop_now(d->loop), st);
	return 0;
}
