/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control socket's commands (control.h): the engines' and the kernel's state as JSON
 * (field names from the IETF YANG model for IGMP/MLD, RFC 8652, where it has them), static
 * joins, reload and explain.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "control.h"
#include "log.h"
#include "loop.h"
#include "mgmd.h"
#include "netlink.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), (struct json_object *)NULL)

static const char *fam_key(uint8_t family)
{
	return family == MGM_INET ? "ipv4" : "ipv6";
}

static struct json_object *jaddr(const struct mgm_addr *a)
{
	char buf[MGM_ADDRSTRLEN];

	return json_object_new_string(mgm_addr_str(a, buf));
}

/* Timer remaining in seconds with milliseconds, null when not running. */
static struct json_object *jtimer(int64_t ms)
{
	if (ms < 0)
		return NULL;
	return json_object_new_double((double)ms / 1000.0);
}

static void put(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static const char *opt_str(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The "interface" and "family" filters of the show commands. */
static bool wanted(struct json_object *req, const struct mgmd_iface *ifc, uint8_t family)
{
	const char *i = opt_str(req, "interface"), *f = opt_str(req, "family");

	if (i && strcmp(i, ifc->name))
		return false;
	if (f && strcmp(f, fam_key(family)))
		return false;
	return true;
}

static int64_t now_of(struct mgmd *d)
{
	return mgmd_loop_now(d->loop);
}

/* ---- show-interfaces ------------------------------------------------------------------------ */

static struct json_object *fam_json(struct mgmd *d, struct mgmd_fam *fam)
{
	struct json_object *o = json_object_new_object();
	struct mgm_router_status st;
	const struct mgmd_iface_config *ic = fam->ifc->ic;
	const struct mgm_router_config *rc = fam->family == MGM_INET ? &ic->igmp : &ic->mld;

	put(o, "enabled", json_object_new_boolean(1));
	put(o, "protocol", json_object_new_string(fam->family == MGM_INET ? "igmp" : "mld"));
	put(o, "version", json_object_new_int(rc->version));
	put(o, "fast-leave", json_object_new_boolean(rc->fast_leave));
	put(o, "vif", fam->vif >= 0 ? json_object_new_int(fam->vif) : NULL);
	if (fam->problem[0])
		put(o, "problem", json_object_new_string(fam->problem));
	if (!fam->router && ic->role == MGMD_ROLE_UPSTREAM) {
		/* The proxy's host engine: never querier here; the querier is the one heard. */
		struct mgm_host_status hs;
		const struct mgmd_upslot *s = mgmd_upstream_slot(d, fam);

		if (s && mgmd_upstream_status(d, fam, &hs) == 0) {
			put(o, "version", json_object_new_int(hs.operating_version));
			put(o, "running", json_object_new_boolean(hs.running));
			put(o, "address", jaddr(&hs.address));
			put(o, "querier", json_object_new_boolean(0));
			put(o, "querier-address", s->has_querier ? jaddr(&s->querier) : NULL);
			put(o, "group-count", json_object_new_int64(hs.groups));
			return o;
		}
	}
	if (!fam->router) {
		put(o, "running", json_object_new_boolean(0));
		put(o, "address", fam->n_addrs ? jaddr(&fam->addrs[0].addr) : NULL);
		return o;
	}
	mgm_router_status(fam->router, now_of(d), &st);
	put(o, "running", json_object_new_boolean(st.running));
	put(o, "address", mgm_addr_is_any(&st.address) ? NULL : jaddr(&st.address));
	put(o, "querier", json_object_new_boolean(st.querier));
	put(o, "querier-address",
	    mgm_addr_is_any(&st.querier_address) ? NULL : jaddr(&st.querier_address));
	put(o, "other-querier-present-timer", jtimer(st.other_querier_present_ms));
	put(o, "next-query", jtimer(st.next_general_query_ms));
	put(o, "query-interval", json_object_new_double(st.query_interval_ms / 1000.0));
	put(o, "robustness-variable", json_object_new_int(st.robustness));
	put(o, "query-max-response-time",
	    json_object_new_double(rc->query_response_interval_ms / 1000.0));
	put(o, "last-member-query-interval",
	    json_object_new_double(rc->last_member_query_interval_ms / 1000.0));
	put(o, "group-count", json_object_new_int64(st.groups));
	put(o, "source-count", json_object_new_int64(st.sources));
	put(o, "memory", json_object_new_int64((int64_t)st.memory));
	return o;
}

static struct json_object *cmd_interfaces(void *ctx, struct json_object *req, char *err,
					  size_t errlen)
{
	struct mgmd *d = ctx;
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();
	const char *only = opt_str(req, "interface");
	size_t i, k;

	put(res, "interfaces", arr);
	for (i = 0; i < d->n_ifaces; i++) {
		struct mgmd_iface *ifc = d->ifaces[i];
		struct json_object *o, *probs;

		if (!ifc->ic || (only && strcmp(only, ifc->name)))
			continue;
		o = json_object_new_object();
		probs = json_object_new_array();
		put(o, "name", json_object_new_string(ifc->name));
		put(o, "ifindex", json_object_new_int(ifc->ifindex));
		put(o, "stanza", json_object_new_string(ifc->ic->name));
		put(o, "role", json_object_new_string(mgmd_role_name(ifc->ic->role)));
		put(o, "oper-status", json_object_new_string(ifc->up ? "up" : "down"));
		put(o, "mtu", json_object_new_int64(ifc->mtu));
		for (int fi = 0; fi < 2; fi++) {
			struct mgmd_fam *fam = &ifc->fam[fi];
			bool on = fi == 0 ? ifc->ic->ipv4 : ifc->ic->ipv6;
			char line[256];

			if (ifc->ic->role == MGMD_ROLE_DISABLED || !on) {
				put(o, fam_key(fam->family), NULL);
				continue;
			}
			put(o, fam_key(fam->family), fam_json(d, fam));
			if (fam->problem[0]) {
				snprintf(line, sizeof(line), "%s: %s", fi == 0 ? "IPv4" : "IPv6",
					 fam->problem);
				json_object_array_add(probs, json_object_new_string(line));
			}
		}
		put(o, "problems", probs);
		json_object_array_add(arr, o);
	}
	/* Stanzas that match no interface yet: say they are waited for. */
	for (k = 0; k < d->cfg.n_ifaces; k++) {
		const struct mgmd_iface_config *ic = &d->cfg.ifaces[k];
		bool found = false;

		for (i = 0; i < d->n_ifaces && !found; i++)
			found = d->ifaces[i]->ic == ic;
		if (found || ic->is_pattern || (only && strcmp(only, ic->name)))
			continue;
		struct json_object *o = json_object_new_object(), *probs = json_object_new_array();

		put(o, "name", json_object_new_string(ic->name));
		put(o, "ifindex", json_object_new_int(0));
		put(o, "stanza", json_object_new_string(ic->name));
		put(o, "role", json_object_new_string(mgmd_role_name(ic->role)));
		put(o, "oper-status", json_object_new_string("absent"));
		put(o, "mtu", json_object_new_int(0));
		put(o, "ipv4", NULL);
		put(o, "ipv6", NULL);
		json_object_array_add(
			probs, json_object_new_string("the interface does not exist (yet): waiting "
						      "for it"));
		put(o, "problems", probs);
		json_object_array_add(arr, o);
	}
	(void)err;
	(void)errlen;
	return res;
}

/* ---- show-groups / show-sources ---------------------------------------------------------- */

struct walk {
	struct mgmd *d;
	struct mgmd_fam *fam;
	struct json_object *arr;     /* groups or sources */
	struct json_object *sources; /* the current group's */
	const struct mgm_addr *group;
	bool flat;
};

static int walk_source(void *ctx, const struct mgm_router_source_info *si)
{
	struct walk *w = ctx;
	struct json_object *o = json_object_new_object();

	if (w->flat) {
		put(o, "interface", json_object_new_string(w->fam->ifc->name));
		put(o, "family", json_object_new_string(fam_key(w->fam->family)));
		put(o, "group-address", jaddr(w->group));
	}
	put(o, "source-address", jaddr(&si->source));
	put(o, "expire", jtimer(si->timer_ms));
	put(o, "forwarding", json_object_new_boolean(si->forwarded));
	json_object_array_add(w->flat ? w->arr : w->sources, o);
	return 0;
}

static int walk_group(void *ctx, const struct mgm_router_group_info *gi)
{
	struct walk *w = ctx;
	struct json_object *o;

	w->group = &gi->group;
	if (w->flat)
		return mgm_router_foreach_source(w->fam->router, now_of(w->d), &gi->group,
						 walk_source, w);
	o = json_object_new_object();
	put(o, "interface", json_object_new_string(w->fam->ifc->name));
	put(o, "family", json_object_new_string(fam_key(w->fam->family)));
	put(o, "group-address", jaddr(&gi->group));
	put(o, "filter-mode",
	    json_object_new_string(gi->filter_mode == MGM_INCLUDE ? "include" : "exclude"));
	put(o, "version", json_object_new_int(gi->compat_version));
	put(o, "expire", jtimer(gi->group_timer_ms));
	put(o, "last-reporter",
	    mgm_addr_is_any(&gi->last_reporter) ? NULL : jaddr(&gi->last_reporter));
	put(o, "static", json_object_new_boolean(0));
	w->sources = json_object_new_array();
	(void)mgm_router_foreach_source(w->fam->router, now_of(w->d), &gi->group, walk_source, w);
	put(o, "source", w->sources);
	json_object_array_add(w->arr, o);
	return 0;
}

static void static_groups(struct mgmd_fam *fam, struct json_object *arr, bool flat)
{
	struct mgmd_iface *ifc = fam->ifc;

	for (size_t i = 0; i < ifc->n_joins; i++) {
		const struct mgmd_join *j = &ifc->joins[i];
		struct json_object *o = json_object_new_object(), *srcs, *s;

		if (j->group.family != fam->family) {
			json_object_put(o);
			continue;
		}
		put(o, "interface", json_object_new_string(ifc->name));
		put(o, "family", json_object_new_string(fam_key(fam->family)));
		put(o, "group-address", jaddr(&j->group));
		if (flat) {
			if (!j->has_source) {
				json_object_put(o);
				continue;
			}
			put(o, "source-address", jaddr(&j->source));
			put(o, "expire", NULL);
			put(o, "forwarding", json_object_new_boolean(1));
			put(o, "static", json_object_new_boolean(1));
			json_object_array_add(arr, o);
			continue;
		}
		put(o, "filter-mode",
		    json_object_new_string(j->has_source ? "include" : "exclude"));
		put(o, "version", NULL);
		put(o, "expire", NULL);
		put(o, "last-reporter", NULL);
		put(o, "static", json_object_new_boolean(1));
		srcs = json_object_new_array();
		if (j->has_source) {
			s = json_object_new_object();
			put(s, "source-address", jaddr(&j->source));
			put(s, "expire", NULL);
			put(s, "forwarding", json_object_new_boolean(1));
			json_object_array_add(srcs, s);
		}
		put(o, "source", srcs);
		json_object_array_add(arr, o);
	}
}

static struct json_object *groups_or_sources(struct mgmd *d, struct json_object *req, bool flat)
{
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();

	put(res, flat ? "sources" : "groups", arr);
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (int fi = 0; fi < 2; fi++) {
			struct mgmd_fam *fam = &d->ifaces[i]->fam[fi];
			struct walk w = {.d = d, .fam = fam, .arr = arr, .flat = flat};

			if (!d->ifaces[i]->ic || !wanted(req, d->ifaces[i], fam->family))
				continue;
			if (fam->router)
				(void)mgm_router_foreach_group(fam->router, now_of(d), walk_group,
							       &w);
			static_groups(fam, arr, flat);
		}
	return res;
}

static struct json_object *cmd_groups(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return groups_or_sources(ctx, req, false);
}

static struct json_object *cmd_sources(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return groups_or_sources(ctx, req, true);
}

/* ---- show-upstream -------------------------------------------------------------------------- */

struct uwalk {
	struct mgmd *d;
	struct mgmd_proxyfam *px;
	struct mgm_host *h;
	uint32_t index;
	struct json_object *arr;
	struct json_object *downs; /* of the group being written */
};

static struct json_object *jsources(const struct mgm_addr *v, uint32_t n)
{
	struct json_object *arr = json_object_new_array();

	for (uint32_t i = 0; i < n; i++)
		json_object_array_add(arr, jaddr(&v[i]));
	return arr;
}

static const char *downstream_name(struct mgmd *d, uint32_t id, char *buf, size_t len)
{
	bool st = id & 0x80000000u;
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, (int)(id & 0x7fffffffu));

	snprintf(buf, len, "%s%s", ifc ? ifc->name : "?", st ? " (static)" : "");
	return buf;
}

static int walk_record(void *ctx, const struct mgm_proxy_record_info *ri)
{
	struct uwalk *w = ctx;
	struct json_object *o = json_object_new_object();
	struct mgm_addr *src = NULL;
	char name[MGMD_IFNAMSIZ + 16];
	uint32_t n = 0;

	if (ri->upstream != w->index)
		return 0;
	if (ri->num_sources)
		src = calloc(ri->num_sources, sizeof(*src));
	if (src) {
		struct mgm_proxy_record_info tmp;

		if (mgm_proxy_record(w->px->proxy, now_of(w->d), ri->downstream, &ri->group, &tmp,
				     src, ri->num_sources) == 0)
			n = tmp.num_sources < ri->num_sources ? tmp.num_sources : ri->num_sources;
	}
	put(o, "interface",
	    json_object_new_string(downstream_name(w->d, ri->downstream, name, sizeof(name))));
	put(o, "filter-mode",
	    json_object_new_string(ri->filter_mode == MGM_INCLUDE ? "include" : "exclude"));
	put(o, "sources", jsources(src, n));
	put(o, "holddown-ms", json_object_new_int64(ri->holddown_ms));
	free(src);
	json_object_array_add(w->downs, o);
	return 0;
}

static int walk_up_group(void *ctx, const struct mgm_host_group_info *gi)
{
	struct uwalk *w = ctx;
	struct json_object *o = json_object_new_object();
	struct mgm_addr *src = NULL;
	uint32_t n = 0;

	if (gi->num_sources)
		src = calloc(gi->num_sources, sizeof(*src));
	if (src) {
		int r = mgm_host_group_sources(w->h, &gi->group, src, gi->num_sources);

		n = r < 0 ? 0 : (uint32_t)r < gi->num_sources ? (uint32_t)r : gi->num_sources;
	}
	put(o, "group", jaddr(&gi->group));
	put(o, "filter-mode",
	    json_object_new_string(gi->filter_mode == MGM_INCLUDE ? "include" : "exclude"));
	put(o, "sources", jsources(src, n));
	free(src);
	put(o, "retransmit-ms", json_object_new_int64(gi->retransmit_ms));
	put(o, "response-ms", json_object_new_int64(gi->response_ms));
	w->downs = json_object_new_array();
	(void)mgm_proxy_foreach_record(w->px->proxy, now_of(w->d), &gi->group, walk_record, w);
	put(o, "downstream", w->downs);
	json_object_array_add(w->arr, o);
	return 0;
}

static struct json_object *upslot_json(struct mgmd *d, struct mgmd_proxyfam *px, uint32_t k)
{
	struct mgmd_upslot *s = &px->slots[k];
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, s->ifindex);
	struct mgm_host *h = mgm_proxy_upstream_host(px->proxy, k);
	struct json_object *o = json_object_new_object(), *arr, *oq, *x;
	struct mgm_host_status st;
	struct mgm_host_counters c;
	struct uwalk w = {.d = d, .px = px, .h = h, .index = k};
	int64_t now = now_of(d);
	char buf[64];

	mgm_host_status(h, now, &st);
	mgm_host_counters(h, &c);
	put(o, "interface", json_object_new_string(ifc ? ifc->name : "?"));
	put(o, "family", json_object_new_string(fam_key(s->family)));
	put(o, "index", json_object_new_int((int)k));
	put(o, "state", json_object_new_string(st.running ? "running" : "stopped"));
	put(o, "problem",
	    json_object_new_string(st.running ? ""
				   : !ifc     ? "interface gone"
				   : ifc->fam[mgmd_fi(s->family)].problem[0]
					   ? ifc->fam[mgmd_fi(s->family)].problem
					   : "link down or no socket"));
	put(o, "address", jaddr(&st.address));
	arr = json_object_new_array();
	for (size_t r = 0; r < s->ic->n_up_groups; r++)
		if (s->ic->up_groups[r].addr.family == s->family)
			json_object_array_add(
				arr, json_object_new_string(mgmd_prefix_str(&s->ic->up_groups[r],
									    buf, sizeof(buf))));
	put(o, "groups-served", arr);
	put(o, "configured-version", json_object_new_int(st.configured_version));
	put(o, "operating-version", json_object_new_int(st.operating_version));
	oq = json_object_new_object();
	put(oq, "v1", json_object_new_int64(st.older_querier_present_ms[0]));
	if (s->family == MGM_INET)
		put(oq, "v2", json_object_new_int64(st.older_querier_present_ms[1]));
	put(o, "older-version-querier-present-ms", oq);
	if (s->has_querier) {
		x = json_object_new_object();
		put(x, "address", jaddr(&s->querier));
		put(x, "version", json_object_new_int(s->querier_version));
		put(x, "ago-ms", json_object_new_int64(now - s->querier_seen));
		put(o, "querier", x);
	} else {
		put(o, "querier", NULL);
	}
	if (s->last_tx) {
		x = json_object_new_object();
		put(x, "ago-ms", json_object_new_int64(now - s->last_tx));
		put(x, "message", json_object_new_string(s->last_msg));
		put(o, "last-report", x);
	} else {
		put(o, "last-report", NULL);
	}
	put(o, "keep-joined-ms", json_object_new_int64(s->ic->keep_joined_ms));
	put(o, "leave-holddown-ms", json_object_new_int64(s->ic->leave_holddown_ms));
	w.arr = json_object_new_array();
	if (h)
		(void)mgm_host_foreach_group(h, now, walk_up_group, &w);
	put(o, "groups", w.arr);
	x = json_object_new_object();
	put(x, "reports-sent",
	    json_object_new_int64((int64_t)(c.tx_reports[0] + c.tx_reports[1] + c.tx_reports[2])));
	put(x, "leaves-sent", json_object_new_int64((int64_t)c.tx_leaves));
	put(x, "queries-received",
	    json_object_new_int64((int64_t)(c.rx_queries[0] + c.rx_queries[1] + c.rx_queries[2])));
	put(x, "suppressed", json_object_new_int64((int64_t)c.suppressed));
	put(x, "general-answers-deferred", json_object_new_int64((int64_t)c.general_deferred));
	put(x, "group-answers-deferred", json_object_new_int64((int64_t)c.group_deferred));
	{
		struct json_object *dr = json_object_new_object();

		for (int r = MGM_HOST_DROP_NONE + 1; r < MGM_HOST_DROP__COUNT; r++)
			put(dr, mgm_host_drop_name(r), json_object_new_int64((int64_t)c.drops[r]));
		put(x, "drops", dr);
	}
	put(o, "statistics", x);
	return o;
}

static struct json_object *cmd_upstream(void *ctx, struct json_object *req, char *err,
					size_t errlen)
{
	struct mgmd *d = ctx;
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();
	struct mgm_proxy_counters pc;

	(void)err;
	(void)errlen;
	put(res, "upstreams", arr);
	for (int fi = 0; fi < 2; fi++) {
		struct mgmd_proxyfam *px = &d->px[fi];

		if (!px->proxy)
			continue;
		for (uint32_t k = 0; k < px->n_slots; k++) {
			struct mgmd_iface *ifc = mgmd_iface_by_index(d, px->slots[k].ifindex);

			if (ifc && !wanted(req, ifc, px->slots[k].family))
				continue;
			json_object_array_add(arr, upslot_json(d, px, k));
		}
		mgm_proxy_counters(px->proxy, &pc);
		{
			struct json_object *o = json_object_new_object();

			put(o, "records", json_object_new_int64(mgm_proxy_num_records(px->proxy)));
			put(o, "updates", json_object_new_int64((int64_t)pc.updates));
			put(o, "unmatched", json_object_new_int64((int64_t)pc.unmatched));
			put(o, "holddown-canceled",
			    json_object_new_int64((int64_t)pc.holddown_canceled));
			put(o, "holddown-expired",
			    json_object_new_int64((int64_t)pc.holddown_expired));
			put(o, "keep-joined-rounds",
			    json_object_new_int64((int64_t)pc.keep_joined_rounds));
			put(o, "refused",
			    json_object_new_int64((int64_t)(pc.refused + px->refused)));
			put(o, "memory",
			    json_object_new_int64((int64_t)mgm_proxy_memory(px->proxy)));
			put(res, fi == 0 ? "proxy-ipv4" : "proxy-ipv6", o);
		}
	}
	return res;
}

/* ---- show-routes ---------------------------------------------------------------------------- */

struct rwalk {
	struct mgmd *d;
	struct mgmd_fwd *f;
	uint8_t family;
	struct json_object *arr;
};

static const char *ifname_of(struct mgmd *d, int ifindex)
{
	struct mgmd_iface *ifc = mgmd_iface_by_index(d, ifindex);

	return ifc ? ifc->name : "?";
}

static int walk_route(void *ctx, const struct mgmd_route_info *ri)
{
	struct rwalk *w = ctx;
	struct json_object *o = json_object_new_object(), *outs = json_object_new_array();
	struct mgmd_mroute *mr = mgmd_fwd_mroute(w->f);
	struct mgmd_sg_counters c;

	put(o, "family", json_object_new_string(fam_key(w->family)));
	put(o, "source-address", jaddr(&ri->source));
	put(o, "group-address", jaddr(&ri->group));
	put(o, "input", json_object_new_string(ifname_of(w->d, ri->input_ifindex)));
	for (unsigned v = 0; v < MGMD_MROUTE_MAX_VIFS; v++)
		if (ri->ttl[v])
			json_object_array_add(outs, json_object_new_string(ifname_of(
							    w->d, mgmd_mroute_vif_ifindex(mr, v))));
	put(o, "outputs", outs);
	memset(&c, 0, sizeof(c));
	(void)mgmd_mroute_mfc_counters(mr, &ri->source, &ri->group, &c);
	put(o, "packets", json_object_new_int64((int64_t)c.packets));
	put(o, "bytes", json_object_new_int64((int64_t)c.bytes));
	put(o, "wrong-if", json_object_new_int64((int64_t)c.wrong_if));
	put(o, "age", json_object_new_double((now_of(w->d) - ri->created) / 1000.0));
	json_object_array_add(w->arr, o);
	return 0;
}

static struct json_object *cmd_routes(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	struct mgmd *d = ctx;
	struct json_object *res = json_object_new_object(), *arr = json_object_new_array();

	put(res, "routes", arr);
	for (int fi = 0; fi < 2; fi++) {
		struct rwalk w = {
			.d = d, .f = d->fwd[fi], .family = fi ? MGM_INET6 : MGM_INET, .arr = arr};
		const char *f = opt_str(req, "family");

		if (!d->fwd[fi] || (f && strcmp(f, fam_key(w.family))))
			continue;
		(void)mgmd_fwd_foreach(d->fwd[fi], walk_route, &w);
	}
	(void)err;
	(void)errlen;
	return res;
}

/* ---- show-stats ----------------------------------------------------------------------------- */

struct stats {
	struct json_object *arr;
};

static void sample(struct stats *s, const char *name, const char *help, uint64_t value,
		   const char *const *labels /* key, value, ..., NULL */)
{
	struct json_object *o = json_object_new_object(), *l = json_object_new_object();

	put(o, "name", json_object_new_string(name));
	put(o, "help", json_object_new_string(help));
	for (; labels && labels[0]; labels += 2)
		put(l, labels[0], json_object_new_string(labels[1]));
	put(o, "labels", l);
	put(o, "value", json_object_new_int64((int64_t)value));
	json_object_array_add(s->arr, o);
}

static void fam_stats(struct mgmd *d, struct stats *s, struct mgmd_fam *fam)
{
	const char *ifn = fam->ifc->name, *fk = fam_key(fam->family);
	const char *lb[] = {"interface", ifn, "family", fk, NULL, NULL, NULL};
	struct mgm_router_counters c;
	char ver[4];
	int v;

	if (fam->fd >= 0)
		mgmd_io_poll_drops(fam->fd, &fam->io);
	sample(s, "mgmd_packets_received_total", "IGMP/MLD packets read on the interface",
	       fam->io.rx, lb);
	sample(s, "mgmd_packets_bad_ip_total", "packets whose IP header did not decode",
	       fam->io.rx_bad_ip, lb);
	sample(s, "mgmd_packets_kernel_dropped_total",
	       "packets the kernel dropped because mgmd's socket queue was full",
	       fam->io.rx_kernel_drops, lb);
	sample(s, "mgmd_packets_sent_total", "IGMP/MLD packets sent", fam->io.tx, lb);
	sample(s, "mgmd_send_errors_total", "sends that failed", fam->io.tx_errors, lb);
	sample(s, "mgmd_acl_refused_by_family_total",
	       "memberships the access list refused, per family", fam->acl_refused, lb);
	if (!fam->router)
		return;
	mgm_router_counters(fam->router, &c);
	lb[4] = "version";
	lb[5] = ver;
	for (v = 1; v <= MGM_VERSIONS; v++) {
		if (fam->family == MGM_INET6 && v > 2)
			break;
		snprintf(ver, sizeof(ver), "%d", v);
		sample(s, "mgmd_queries_received_total", "queries received and accepted",
		       c.rx_queries[v - 1], lb);
		sample(s, "mgmd_reports_received_total", "reports received and accepted",
		       c.rx_reports[v - 1], lb);
		sample(s, "mgmd_general_queries_sent_total", "general queries sent",
		       c.tx_general_queries[v - 1], lb);
		sample(s, "mgmd_group_queries_sent_total", "group-specific queries sent",
		       c.tx_group_queries[v - 1], lb);
		sample(s, "mgmd_group_source_queries_sent_total",
		       "group-and-source-specific queries sent", c.tx_group_source_queries[v - 1],
		       lb);
	}
	lb[4] = NULL;
	sample(s, "mgmd_leaves_received_total", "IGMPv2 leaves / MLDv1 dones received", c.rx_leaves,
	       lb);
	lb[4] = "reason";
	for (v = 1; v < MGM_DROP__COUNT; v++) {
		lb[5] = mgm_router_drop_name(v);
		sample(s, "mgmd_dropped_total", "messages or records dropped, by reason",
		       c.drops[v], lb);
	}
	lb[4] = NULL;
	sample(s, "mgmd_groups_added_total", "group records created", c.groups_added, lb);
	sample(s, "mgmd_groups_removed_total", "group records deleted", c.groups_removed, lb);
	sample(s, "mgmd_forwarding_changes_total", "forwarding state changes", c.fwd_changes, lb);
	sample(s, "mgmd_querier_elected_total", "times this router became querier",
	       c.querier_elected, lb);
	{
		struct mgm_router_status st;

		mgm_router_status(fam->router, now_of(d), &st);
		sample(s, "mgmd_groups", "group records", st.groups, lb);
		sample(s, "mgmd_sources", "source records", st.sources, lb);
		sample(s, "mgmd_memory_bytes", "bytes the engine holds", st.memory, lb);
		sample(s, "mgmd_querier", "1 when this router is the querier", st.querier, lb);
	}
}

static struct json_object *cmd_stats(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	struct mgmd *d = ctx;
	struct json_object *res = json_object_new_object();
	struct stats s = {.arr = json_object_new_array()};
	struct mgmd_netlink_stats ns;

	put(res, "counters", s.arr);
	sample(&s, "mgmd_uptime_seconds", "seconds since start",
	       (uint64_t)((now_of(d) - d->started) / 1000), NULL);
	sample(&s, "mgmd_reloads_total", "configuration reloads asked for", d->reloads, NULL);
	sample(&s, "mgmd_reload_failures_total", "reloads refused (invalid configuration)",
	       d->reload_failures, NULL);
	if (d->nl) {
		mgmd_netlink_stats(d->nl, &ns);
		sample(&s, "mgmd_netlink_messages_total", "netlink messages read", ns.messages,
		       NULL);
		sample(&s, "mgmd_netlink_overruns_total", "netlink events the kernel dropped",
		       ns.overruns, NULL);
	}
	for (int fi = 0; fi < 2; fi++) {
		struct mgmd_fwd_stats fs;
		const char *lb[] = {"family", fi ? "ipv6" : "ipv4", NULL};

		if (!d->fwd[fi])
			continue;
		mgmd_fwd_stats(d->fwd[fi], &fs);
		sample(&s, "mgmd_routes", "(S,G) entries in the kernel", mgmd_fwd_count(d->fwd[fi]),
		       lb);
		sample(&s, "mgmd_upcalls_nocache_total", "kernel upcalls for traffic without entry",
		       fs.upcalls_nocache, lb);
		sample(&s, "mgmd_upcalls_wrong_interface_total",
		       "kernel upcalls for traffic on a wrong interface", fs.upcalls_wrongvif, lb);
		sample(&s, "mgmd_routes_added_total", "(S,G) entries installed", fs.routes_added,
		       lb);
		sample(&s, "mgmd_routes_removed_total", "(S,G) entries removed", fs.routes_removed,
		       lb);
		sample(&s, "mgmd_routes_idle_removed_total", "(S,G) entries removed as idle",
		       fs.routes_idle_removed, lb);
		sample(&s, "mgmd_routes_refused_total", "(S,G) entries refused at max-routes",
		       fs.routes_refused, lb);
		sample(&s, "mgmd_kernel_errors_total", "multicast routing calls the kernel refused",
		       fs.kernel_errors, lb);
	}
	for (size_t i = 0; i < d->n_ifaces; i++) {
		struct mgmd_iface *ifc = d->ifaces[i];
		const char *ifn = opt_str(req, "interface");

		if (!ifc->ic || (ifn && strcmp(ifn, ifc->name)))
			continue;
		for (size_t k = 0; k < ifc->n_acl_hits; k++) {
			char rule[32];
			const char *lb[] = {"interface", ifc->name, "rule", rule, NULL};

			if (k < ifc->ic->n_acl)
				snprintf(rule, sizeof(rule), "line %u", ifc->ic->acl[k].line);
			else
				snprintf(rule, sizeof(rule), "default");
			sample(&s, "mgmd_acl_refused_total",
			       "memberships refused by an access-list rule (or the default)",
			       ifc->acl_hits[k], lb);
		}
	}
	for (size_t i = 0; i < d->n_ifaces; i++)
		for (int fi = 0; fi < 2; fi++)
			if (d->ifaces[i]->ic &&
			    wanted(req, d->ifaces[i], fi ? MGM_INET6 : MGM_INET) &&
			    (d->ifaces[i]->fam[fi].router || d->ifaces[i]->fam[fi].fd >= 0))
				fam_stats(d, &s, &d->ifaces[i]->fam[fi]);
	(void)err;
	(void)errlen;
	return res;
}

/* ---- explain ----------------------------------------------------------------------------------
 */

static struct json_object *cmd_explain(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	struct mgmd *d = ctx;
	const char *gs = opt_str(req, "group"), *ss = opt_str(req, "source");
	struct mgm_addr g, s;
	struct json_object *res, *arr;
	struct mgmd_route_info ri;
	bool have_route = false;
	struct mgmd_fwd *f;
	int fi;

	if (!gs || mgm_addr_parse(gs, &g) < 0 || !mgm_addr_is_multicast(&g))
		return ERR("explain: expected a multicast group address, got %s", gs ? gs : "none");
	if (ss && (mgm_addr_parse(ss, &s) < 0 || s.family != g.family || !mgm_addr_is_unicast(&s)))
		return ERR(
			"explain: expected a unicast source address of the group's family, got %s",
			ss);
	if (!ss)
		mgm_addr_any(&s, g.family);
	fi = mgmd_fi(g.family);
	f = d->fwd[fi];
	if (f && ss)
		have_route = mgmd_fwd_get(f, &s, &g, &ri) == 0;
	res = json_object_new_object();
	put(res, "group", jaddr(&g));
	put(res, "source", ss ? jaddr(&s) : NULL);
	arr = json_object_new_array();
	put(res, "interfaces", arr);
	for (size_t i = 0; i < d->n_ifaces; i++) {
		struct mgmd_iface *ifc = d->ifaces[i];
		struct mgmd_fam *fam = &ifc->fam[fi];
		struct json_object *o;
		char why[320], line[512];
		bool fwd = false;

		if (!ifc->ic)
			continue;
		o = json_object_new_object();
		put(o, "interface", json_object_new_string(ifc->name));
		put(o, "family", json_object_new_string(fam_key(g.family)));
		put(o, "role", json_object_new_string(mgmd_role_name(ifc->ic->role)));
		if (ifc->ic->role == MGMD_ROLE_DISABLED ||
		    !(fi == 0 ? ifc->ic->ipv4 : ifc->ic->ipv6)) {
			snprintf(line, sizeof(line), "%s is off on this interface (configuration)",
				 fi == 0 ? "IGMP" : "MLD");
		} else if (!ifc->up) {
			snprintf(line, sizeof(line), "link down");
		} else if (ifc->ic->role == MGMD_ROLE_UPSTREAM) {
			char rep[256];

			mgmd_upstream_explain(d, ifc, &g, rep, sizeof(rep));
			if (!f)
				snprintf(line, sizeof(line), "upstream, no multicast routing; %s",
					 rep);
			else if (fam->vif < 0)
				snprintf(line, sizeof(line), "upstream without VIF: %s; %s",
					 fam->problem[0] ? fam->problem : "none yet", rep);
			else if (have_route && ri.input_ifindex == ifc->ifindex)
				snprintf(line, sizeof(line),
					 "upstream: the traffic arrives here (input of the route); "
					 "%s",
					 rep);
			else if (!mgmd_upstream_serves(d, ifc, &g))
				snprintf(line, sizeof(line), "upstream: %s", rep);
			else
				snprintf(
					line, sizeof(line),
					"upstream: receives what sources on downstream links send; "
					"%s",
					rep);
		} else {
			bool want = mgmd_iface_wants(d, fam, &s, &g, why, sizeof(why));

			if (ifc->ic->role == MGMD_ROLE_QUERIER) {
				snprintf(line, sizeof(line),
					 "querier only, never forwards; membership: %s", why);
			} else if (!want) {
				snprintf(line, sizeof(line), "%s", why);
			} else if (!f) {
				snprintf(line, sizeof(line), "wanted (%s) but no multicast routing",
					 why);
			} else if (fam->vif < 0) {
				snprintf(line, sizeof(line), "wanted (%s) but %s", why,
					 fam->problem[0] ? fam->problem : "no VIF");
			} else if (!ss) {
				fwd = true;
				snprintf(line, sizeof(line),
					 "wanted (%s); name a source to see its kernel route", why);
			} else if (!have_route) {
				snprintf(
					line, sizeof(line),
					"wanted (%s); no kernel route yet: no packet of (%s, %s) has "
					"arrived",
					why, ss, gs);
			} else if (ri.input_ifindex == ifc->ifindex) {
				snprintf(
					line, sizeof(line),
					"the traffic arrives on this interface: never sent back out");
			} else if (ri.ttl[fam->vif]) {
				fwd = true;
				snprintf(line, sizeof(line), "%s (kernel route from %s, TTL > %u)",
					 why, ifname_of(d, ri.input_ifindex), ri.ttl[fam->vif]);
			} else {
				snprintf(line, sizeof(line),
					 "wanted (%s) but the kernel route lacks it (updating)",
					 why);
			}
		}
		put(o, "forwarded", json_object_new_boolean(fwd));
		put(o, "reason", json_object_new_string(line));
		json_object_array_add(arr, o);
	}
	if (have_route) {
		struct mgmd_sg_counters c;

		if (mgmd_mroute_mfc_counters(mgmd_fwd_mroute(f), &s, &g, &c) == 0) {
			put(res, "packets", json_object_new_int64((int64_t)c.packets));
			put(res, "wrong-if", json_object_new_int64((int64_t)c.wrong_if));
		}
		put(res, "input", json_object_new_string(ifname_of(d, ri.input_ifindex)));
	}
	return res;
}

/* ---- join, leave, reload ----------------------------------------------------------------------
 */

static struct json_object *join_leave(struct mgmd *d, struct json_object *req, bool join, char *err,
				      size_t errlen)
{
	const char *ifn = opt_str(req, "interface"), *gs = opt_str(req, "group"),
		   *ss = opt_str(req, "source");
	struct mgm_addr g, s;

	if (!ifn || !gs)
		return ERR("%s: expected an interface and a group", join ? "join" : "leave");
	if (mgm_addr_parse(gs, &g) < 0)
		return ERR("%s: not an address", gs);
	if (ss && mgm_addr_parse(ss, &s) < 0)
		return ERR("%s: not an address", ss);
	if (mgmd_iface_join(d, ifn, &g, ss ? &s : NULL, join, err, errlen) < 0)
		return NULL;
	mgmd_log(LOG_NOTICE, "%s: static %s %s%s%s (mgmctl)", ifn, join ? "join" : "leave", gs,
		 ss ? " source " : "", ss ? ss : "");
	return json_object_new_object();
}

static struct json_object *cmd_join(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	return join_leave(ctx, req, true, err, errlen);
}

static struct json_object *cmd_leave(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	return join_leave(ctx, req, false, err, errlen);
}

static struct json_object *cmd_reload(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	struct mgmd *d = ctx;
	char warn[4096];
	struct json_object *res, *arr;
	char *line, *save = NULL;

	(void)req;
	if (mgmd_reload(d, err, errlen, warn, sizeof(warn)) < 0)
		return NULL;
	res = json_object_new_object();
	arr = json_object_new_array();
	for (line = strtok_r(warn, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_object_array_add(arr, json_object_new_string(line));
	put(res, "warnings", arr);
	return res;
}

int mgmd_show_register(struct mgmd *d)
{
	static const struct {
		const char *name;
		mgmd_control_fn fn;
	} cmds[] = {
		{"show-interfaces", cmd_interfaces},
		{"show-groups", cmd_groups},
		{"show-sources", cmd_sources},
		{"show-routes", cmd_routes},
		{"show-upstream", cmd_upstream},
		{"show-stats", cmd_stats},
		{"explain", cmd_explain},
		{"join", cmd_join},
		{"leave", cmd_leave},
		{"reload", cmd_reload},
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (mgmd_control_register(d->ctl, cmds[i].name, cmds[i].fn, d) < 0)
			return -1;
	return 0;
}
