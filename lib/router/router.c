/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The router instance: creation, address, start and stop, and the dispatch of its events —
 * received messages through the receive policy (RFC 3376 §4, §9; RFC 3810 §5, §5.2.13) to the
 * querier or the group tables, and timer calls to whichever record is due. Also the read-only
 * view for status output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mgm/err.h"
#include "router_priv.h"

/* ---- Intervals in use (RFC 3376 §8, RFC 3810 §9) ------------------------------------------- */

int64_t mgm_rtr_gmi(const struct mgm_router *r)
{
	/* §8.4 (MALI, RFC 3810 §9.4): RV x QI + QRI. */
	return (int64_t)r->rv * r->qi_ms + r->cfg.query_response_interval_ms;
}

uint8_t mgm_rtr_lmqc(const struct mgm_router *r)
{
	/* §8.9 (RFC 3810 §9.9): default RV. */
	return r->cfg.last_member_query_count ? r->cfg.last_member_query_count : r->rv;
}

uint8_t mgm_rtr_sqc(const struct mgm_router *r)
{
	/* §8.7 (RFC 3810 §9.7): default RV. */
	return r->cfg.startup_query_count ? r->cfg.startup_query_count : r->rv;
}

uint32_t mgm_rtr_sqi(const struct mgm_router *r)
{
	/* §8.6 (RFC 3810 §9.6): default QI / 4. A Query Interval of at least 1 s keeps it
	 * above 0. */
	return r->cfg.startup_query_interval_ms ? r->cfg.startup_query_interval_ms : r->qi_ms / 4;
}

int64_t mgm_rtr_lmqt(const struct mgm_router *r)
{
	/* §8.10 (LLQT, RFC 3810 §9.10): LMQI x LMQC. */
	return (int64_t)r->cfg.last_member_query_interval_ms * mgm_rtr_lmqc(r);
}

int64_t mgm_rtr_ohpi(const struct mgm_router *r)
{
	/* §8.13 Older Host Present Interval, §8.12 Older Version Querier Present Timeout: both
	 * RV x QI + QRI, the GMI's sum (RFC 3810 §9.12, §9.13 likewise). */
	return mgm_rtr_gmi(r);
}

int64_t mgm_rtr_oqpi(const struct mgm_router *r)
{
	/* §8.5: RV x QI + QRI / 2. */
	return (int64_t)r->rv * r->qi_ms + r->cfg.query_response_interval_ms / 2;
}

/* ---- Logging and drops ---------------------------------------------------------------------- */

void mgm_rtr_log(const struct mgm_router *r, int level, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (!r->cb.log)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r->cb.log(r->cb.ctx, level, text);
}

static const char *const drop_names[MGM_DROP__COUNT] = {
	[MGM_DROP_NONE] = "none",
	[MGM_DROP_MALFORMED] = "malformed",
	[MGM_DROP_NOT_RUNNING] = "not_running",
	[MGM_DROP_FAMILY] = "family",
	[MGM_DROP_UNKNOWN_TYPE] = "unknown_type",
	[MGM_DROP_NO_ROUTER_ALERT] = "no_router_alert",
	[MGM_DROP_BAD_TTL] = "bad_ttl",
	[MGM_DROP_SOURCE_NOT_LINK_LOCAL] = "source_not_link_local",
	[MGM_DROP_SOURCE_UNSPECIFIED] = "source_unspecified",
	[MGM_DROP_OFF_SUBNET] = "off_subnet",
	[MGM_DROP_OWN_QUERY] = "own_query",
	[MGM_DROP_VERSION] = "version",
	[MGM_DROP_LINK_LOCAL_GROUP] = "link_local_group",
	[MGM_DROP_SSM_EXCLUDE] = "ssm_exclude",
	[MGM_DROP_COMPAT_IGNORED] = "compat_ignored",
	[MGM_DROP_GROUP_LIMIT] = "group_limit",
	[MGM_DROP_SOURCE_LIMIT] = "source_limit",
	[MGM_DROP_NOMEM] = "nomem",
	[MGM_DROP_TRACK_LIMIT] = "track_limit",
	[MGM_DROP_RECORD_TYPE] = "record_type",
	[MGM_DROP_RECORD_GROUP] = "record_group",
	[MGM_DROP_RECORD_SOURCE] = "record_source",
	[MGM_DROP_RECORD_TRUNCATED] = "record_truncated",
};

const char *mgm_router_drop_name(int reason)
{
	if (reason < 0 || reason >= MGM_DROP__COUNT)
		return "unknown";
	return drop_names[reason];
}

void mgm_rtr_drop(struct mgm_router *r, enum mgm_router_drop reason)
{
	if (reason <= MGM_DROP_NONE || reason >= MGM_DROP__COUNT)
		return;
	r->ctr.drops[reason]++;
	mgm_rtr_log(r, MGM_LOG_DEBUG, "dropped: %s", drop_names[reason]);
}

/* ---- Life cycle ----------------------------------------------------------------------------- */

/*
 * Scratch buffers sized by the configuration: one query packet (its payload fits the MTU less
 * the IP header) with its source list, and the record cache (max_sources_per_group). They are
 * allocated in full first and only then swapped in, so that a refused allocation leaves the
 * router exactly as it was.
 */
struct scratch {
	uint8_t *qbuf;
	size_t qbuf_len;
	struct mgm_addr *qsrc;
	uint32_t qsrc_max;
	uint32_t *rec_si;
	uint32_t rec_si_cap;
	bool new_q, new_rec; /* which of the two this set replaces */
};

static void scratch_free(struct mgm_router *r, struct scratch *x)
{
	if (x->new_q) {
		mgm_mem_free(&r->mem, x->qbuf, x->qbuf_len);
		mgm_mem_free(&r->mem, x->qsrc, x->qsrc_max * sizeof(*x->qsrc));
	}
	if (x->new_rec)
		mgm_mem_free(&r->mem, x->rec_si, (size_t)x->rec_si_cap * sizeof(*x->rec_si));
	memset(x, 0, sizeof(*x));
}

/* Allocates what cfg needs and the router's current buffers do not provide (all of it when
 * the router has none yet). Nothing of the router changes. */
static int scratch_alloc(struct mgm_router *r, const struct mgm_router_config *cfg,
			 struct scratch *x)
{
	memset(x, 0, sizeof(*x));
	if (!r->qbuf || cfg->mtu != r->cfg.mtu) {
		/* The top version's query is the longest without sources. */
		size_t fixed = mgm_family_caps(r->fam, r->fam->top_version)->query_len;
		uint32_t nsrc;

		x->new_q = true;
		x->qbuf_len = cfg->mtu - mgm_ip_header_len(r->family);
		nsrc = (uint32_t)((x->qbuf_len - fixed) / r->alen);
		x->qsrc_max = nsrc > 65535 ? 65535 : nsrc;
		x->qbuf = mgm_mem_alloc(&r->mem, x->qbuf_len);
		x->qsrc = mgm_mem_alloc(&r->mem, x->qsrc_max * sizeof(*x->qsrc));
		if (!x->qbuf || !x->qsrc)
			goto nomem;
	}
	if (!r->rec_si || cfg->max_sources_per_group != r->rec_si_cap) {
		x->new_rec = true;
		x->rec_si_cap = cfg->max_sources_per_group;
		x->rec_si = mgm_mem_alloc(&r->mem, (size_t)x->rec_si_cap * sizeof(*x->rec_si));
		if (!x->rec_si)
			goto nomem;
	}
	return 0;
nomem:
	scratch_free(r, x);
	return MGM_E_NOMEM;
}

/* Swaps the new buffers in and frees the ones they replace. Cannot fail. */
static void scratch_commit(struct mgm_router *r, struct scratch *x)
{
	struct scratch old = {
		.qbuf = r->qbuf,
		.qbuf_len = r->qbuf_len,
		.qsrc = r->qsrc,
		.qsrc_max = r->qsrc_max,
		.rec_si = r->rec_si,
		.rec_si_cap = r->rec_si_cap,
		.new_q = x->new_q,
		.new_rec = x->new_rec,
	};

	if (x->new_q) {
		r->qbuf = x->qbuf;
		r->qbuf_len = x->qbuf_len;
		r->qsrc = x->qsrc;
		r->qsrc_max = x->qsrc_max;
	}
	if (x->new_rec) {
		r->rec_si = x->rec_si;
		r->rec_si_cap = x->rec_si_cap;
	}
	scratch_free(r, &old);
	memset(x, 0, sizeof(*x));
}

static void router_destroy(struct mgm_router *r);

int mgm_router_create(const struct mgm_router_config *cfg, const struct mgm_router_callbacks *cb,
		      const struct mgm_allocator *alloc, struct mgm_router **out, char *errbuf,
		      size_t errlen)
{
	struct mgm_mem mem;
	struct mgm_router *r;
	struct scratch x;
	int err;

	if (!cfg || !out)
		return MGM_E_INVAL;
	*out = NULL;
	err = mgm_router_config_check(cfg, errbuf, errlen);
	if (err)
		return err;
	err = mgm_mem_init(&mem, alloc);
	if (err) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "allocator: give both alloc and free, or neither");
		return err;
	}
	r = mgm_mem_zalloc(&mem, sizeof(*r));
	if (!r)
		return MGM_E_NOMEM;
	r->mem = mem;
	r->cfg = *cfg;
	if (cb)
		r->cb = *cb;
	r->family = cfg->family;
	r->fam = mgm_family_desc(cfg->family);
	r->alen = (uint8_t)mgm_addr_len(cfg->family);
	mgm_addr_any(&r->addr, r->family);
	mgm_rtr_querier_init(r);
	r->seed = r->cb.random ? r->cb.random(r->cb.ctx) : 0x243f6a8885a308d3ull;
	mgm_rtr_store_init(r);
	err = scratch_alloc(r, cfg, &x);
	if (err) {
		router_destroy(r);
		return err;
	}
	scratch_commit(r, &x);
	*out = r;
	return 0;
}

static void router_stop(struct mgm_router *r, int64_t now);

static void router_destroy(struct mgm_router *r)
{
	struct mgm_mem mem;

	if (!r)
		return;
	/* The safe path is the easy one: a running router's forwarding state is withdrawn as by
	 * mgm_router_stop() (which reads no time), so no kernel route outlives it. */
	if (r->running)
		router_stop(r, 0);
	mgm_rtr_store_fini(r);
	mgm_mem_free(&r->mem, r->qbuf, r->qbuf_len);
	mgm_mem_free(&r->mem, r->qsrc, r->qsrc_max * sizeof(*r->qsrc));
	mgm_mem_free(&r->mem, r->rec_si, (size_t)r->rec_si_cap * sizeof(*r->rec_si));
	mem = r->mem;
	mgm_mem_free(&mem, r, sizeof(*r));
}

/* A valid link-local unicast address: fe80::/10 followed by 54 zero bits, i.e. fe80::/64
 * (RFC 4291 §2.5.6). */
static bool link_local_64(const struct mgm_addr *a)
{
	static const uint8_t prefix[8] = {0xfe, 0x80};

	return a->family == MGM_INET6 && !memcmp(a->octets, prefix, sizeof(prefix));
}

static int router_set_address(struct mgm_router *r, int64_t now, const struct mgm_addr *addr,
			      uint8_t prefix_len)
{
	if (!r || !addr || addr->family != r->family || prefix_len > r->alen * 8)
		return MGM_E_INVAL;
	/* RFC 3810 §5.1.14: queries come from a valid link-local address, which is what the
	 * others' election accepts (check_policy()). */
	if (r->family == MGM_INET6 && !mgm_addr_is_any(addr) && !link_local_64(addr))
		return MGM_E_INVAL;
	r->addr = *addr;
	r->prefix_len = prefix_len;
	r->have_addr = !mgm_addr_is_any(addr);
	mgm_rtr_querier_readdress(r, now);
	return 0;
}

static int router_start(struct mgm_router *r, int64_t now)
{
	if (!r)
		return MGM_E_INVAL;
	if (r->running)
		return 0;
	r->running = true;
	mgm_rtr_querier_start(r, now);
	return 0;
}

static void router_stop(struct mgm_router *r, int64_t now)
{
	if (!r || !r->running)
		return;
	mgm_rtr_group_delete_all(r);
	mgm_rtr_store_fini(r);
	mgm_rtr_store_init(r);
	mgm_rtr_querier_stop(r, now);
	r->running = false;
}

static void untrust_one(void *ctx, uint32_t gi)
{
	mgm_rtr_track_untrust(ctx, gi);
}

static int router_reconfigure(struct mgm_router *r, int64_t now,
			      const struct mgm_router_config *cfg, char *errbuf, size_t errlen)
{
	bool fast_leave_on, querier_change;
	uint8_t old_version;
	struct scratch x;
	int err;

	if (!r || !cfg)
		return MGM_E_INVAL;
	err = mgm_router_config_check(cfg, errbuf, errlen);
	if (err)
		return err;
	if (cfg->family != r->family) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "family (%u) cannot change from %u",
				 (unsigned)cfg->family, (unsigned)r->family);
		return MGM_E_CONFIG;
	}
	/* Everything that can fail comes before the first change. */
	err = scratch_alloc(r, cfg, &x);
	if (err) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "out of memory for the new configuration");
		return err;
	}
	scratch_commit(r, &x);
	fast_leave_on = cfg->fast_leave && !r->cfg.fast_leave;
	querier_change = cfg->querier != r->cfg.querier;
	old_version = r->cfg.version;
	r->cfg = *cfg;
	/* Members that reported before tracking began are unknown to it. */
	if (fast_leave_on)
		mgm_rtr_group_walk(r, untrust_one, r);
	if (r->qstate != QS_NON_QUERIER) {
		r->rv = cfg->robustness;
		r->qi_ms = cfg->query_interval_ms;
	}
	if (!r->running)
		return 0;
	/* §7.3.1 (RFC 3810 §8.3.1): the configured version is the operating version. */
	if (old_version != cfg->version)
		mgm_rtr_log(r, MGM_LOG_INFO, "operating version %s%u -> %s%u (configured)",
			    r->fam->version_prefix, (unsigned)old_version, r->fam->version_prefix,
			    (unsigned)cfg->version);
	if (querier_change)
		mgm_rtr_querier_readdress(r, now);
	return 0;
}

/* ---- Input ---------------------------------------------------------------------------------- */

static bool on_subnet(const struct mgm_router *r, const struct mgm_addr *a)
{
	unsigned bits = r->prefix_len;
	unsigned bytes = bits / 8;

	if (memcmp(a->octets, r->addr.octets, bytes))
		return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		return (a->octets[bytes] & mask) == (r->addr.octets[bytes] & mask);
	}
	return true;
}

/* The drop reason, or MGM_DROP_NONE when the IP header and source are acceptable. */
static enum mgm_router_drop check_policy(const struct mgm_router *r, const struct mgm_ip_info *ip,
					 const struct mgm_msg *m, uint8_t version)
{
	bool query = m->kind == MGM_MSG_QUERY;

	if (r->cfg.ip_policy != MGM_IP_POLICY_LOOSE &&
	    (r->family == MGM_INET6 || r->cfg.ip_policy == MGM_IP_POLICY_STRICT)) {
		/* RFC 3810 §5 (MUST), RFC 2236 §2 / RFC 3376 §4 (strict policy): Router Alert
		 * and a hop limit of 1. IGMPv1 (RFC 1112) never carried Router Alert. */
		bool need_ra = mgm_family_caps(r->fam, version)->router_alert;

		if (need_ra && !ip->router_alert)
			return MGM_DROP_NO_ROUTER_ALERT;
		if (ip->hop_limit != 1)
			return MGM_DROP_BAD_TTL;
	}
	if (r->family == MGM_INET6) {
		/* RFC 3810 §5.1.14: queries from other than a link-local address are discarded;
		 * §5.2.13: reports too, except from :: (hosts doing DAD), which no router state
		 * may come from either. */
		if (mgm_addr_is_any(&ip->src))
			return MGM_DROP_SOURCE_UNSPECIFIED;
		if (r->cfg.ip_policy != MGM_IP_POLICY_LOOSE &&
		    !mgm_addr_is_ipv6_link_local(&ip->src))
			return MGM_DROP_SOURCE_NOT_LINK_LOCAL;
		/* §5.1.14: a query whose source is not a *valid* link-local address is
		 * discarded; RFC 4291 §2.5.6 makes that fe80::/64. Only there does the election's
		 * comparison of interface IDs (§7.6.2) compare like with like. */
		if (query && r->cfg.ip_policy != MGM_IP_POLICY_LOOSE && !link_local_64(&ip->src))
			return MGM_DROP_SOURCE_NOT_LINK_LOCAL;
		return MGM_DROP_NONE;
	}
	/* A query from 0.0.0.0 (a snooping switch, RFC 4541 §2.1.1) cannot win the election
	 * against an address. */
	if (query && mgm_addr_is_any(&ip->src))
		return MGM_DROP_SOURCE_UNSPECIFIED;
	/* RFC 3376 §9.2: reports from off the subnet are ignored; 0.0.0.0 is allowed (§4.2.13).
	 * Queries too (§9.1): an off-link forger must not win the election, lower the operating
	 * version or impose its QRV and QQI. */
	if (r->cfg.check_subnet && r->have_addr && !mgm_addr_is_any(&ip->src) &&
	    !on_subnet(r, &ip->src))
		return MGM_DROP_OFF_SUBNET;
	return MGM_DROP_NONE;
}

static int router_input_msg(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			    const struct mgm_msg *m)
{
	enum mgm_router_drop why;
	uint8_t version;

	if (!r || !ip || !m)
		return MGM_E_INVAL;
	if (!r->running) {
		mgm_rtr_drop(r, MGM_DROP_NOT_RUNNING);
		return 0;
	}
	if (m->family != r->family || ip->family != r->family || ip->src.family != r->family) {
		mgm_rtr_drop(r, MGM_DROP_FAMILY);
		return 0;
	}
	if (m->kind == MGM_MSG_UNKNOWN || m->kind >= MGM_MSG__COUNT) {
		mgm_rtr_drop(r, MGM_DROP_UNKNOWN_TYPE);
		return 0;
	}
	version = m->version;
	/* Only a message built by hand can name a version its family does not have. */
	if (!mgm_family_caps(r->fam, version)->exists) {
		mgm_rtr_drop(r, MGM_DROP_MALFORMED);
		return 0;
	}
	why = check_policy(r, ip, m, version);
	if (why != MGM_DROP_NONE) {
		mgm_rtr_drop(r, why);
		return 0;
	}
	if (m->kind == MGM_MSG_QUERY) {
		if (r->have_addr && mgm_addr_eq(&ip->src, &r->addr)) {
			mgm_rtr_drop(r, MGM_DROP_OWN_QUERY);
			return 0;
		}
		r->ctr.rx_queries[version - 1]++;
		mgm_rtr_querier_input(r, now, ip, m);
		return 0;
	}
	/* A router speaking an older version does not know the newer messages (RFC 2236 §2.1,
	 * RFC 3376 §7.3.1: configured compatibility). */
	if (version > r->cfg.version) {
		mgm_rtr_drop(r, MGM_DROP_VERSION);
		return 0;
	}
	if (m->kind == MGM_MSG_LEAVE)
		r->ctr.rx_leaves++;
	else
		r->ctr.rx_reports[version - 1]++;
	mgm_rtr_compat_input(r, now, ip, m);
	return 0;
}

static int router_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip)
{
	struct mgm_msg m;
	int err;

	if (!r || !ip || (!ip->payload && ip->payload_len))
		return MGM_E_INVAL;
	if (!r->running) {
		mgm_rtr_drop(r, MGM_DROP_NOT_RUNNING);
		return 0;
	}
	if (ip->family != r->family) {
		mgm_rtr_drop(r, MGM_DROP_FAMILY);
		return 0;
	}
	err = mgm_decode_lenient(r->family, ip->payload, ip->payload_len, &ip->src, &ip->dst, &m);
	if (err < 0) {
		mgm_rtr_drop(r, MGM_DROP_MALFORMED);
		return err;
	}
	return router_input_msg(r, now, ip, &m);
}

/* ---- Time ----------------------------------------------------------------------------------- */

static void router_timer(struct mgm_router *r, int64_t now)
{
	int64_t when;
	uint32_t ref;

	if (!r || !r->running)
		return;
	mgm_rtr_querier_timers(r, now);
	/* Every handler removes its entry or moves it past now, so this ends. */
	while (mgm_timer_peek(&r->heap, &when, &ref) && when <= now) {
		if (ref & REF_SOURCE)
			mgm_rtr_source_fire(r, now, ref & ~REF_SOURCE);
		else
			mgm_rtr_group_fire(r, now, ref);
	}
}

static int64_t router_next_deadline(const struct mgm_router *r)
{
	int64_t d, when;
	uint32_t ref;

	if (!r || !r->running)
		return MGM_TIME_NEVER;
	d = mgm_rtr_querier_deadline(r);
	if (mgm_timer_peek(&r->heap, &when, &ref) && when < d)
		d = when;
	return d;
}

/* ---- Introspection -------------------------------------------------------------------------- */

static bool router_forwarding(const struct mgm_router *r, const struct mgm_addr *group,
			      const struct mgm_addr *source)
{
	const struct mgm_group *g;
	uint32_t gi, si;
	uint8_t st;

	if (!r || !group || group->family != r->family)
		return false;
	gi = mgm_rtr_group_find(r, group->octets);
	if (gi == MGM_NIL)
		return false;
	g = grp(r, gi);
	if (!source || mgm_addr_is_any(source) || source->family != r->family)
		return g->fwd == MGM_FWD_FORWARD;
	si = mgm_rtr_source_find(r, gi, source->octets);
	st = si == MGM_NIL ? MGM_FWD_NONE : (src(r, si)->flags & SF_FWD_MASK);
	return st == MGM_FWD_FORWARD || (st == MGM_FWD_NONE && g->fwd == MGM_FWD_FORWARD);
}

static int64_t remaining(int64_t deadline, int64_t now)
{
	if (deadline == MGM_TIME_NEVER)
		return -1;
	return deadline > now ? deadline - now : 0;
}

static void router_status(const struct mgm_router *r, int64_t now, struct mgm_router_status *st)
{
	memset(st, 0, sizeof(*st));
	st->family = r->family;
	st->configured_version = r->cfg.version;
	st->operating_version = r->cfg.version; /* never lowered, §7.3.1 */
	st->running = r->running;
	st->querier = r->qstate == QS_QUERIER;
	st->address = r->addr;
	st->prefix_len = r->prefix_len;
	st->querier_address = r->querier_addr;
	st->other_querier_present_ms = remaining(r->other_querier_at, now);
	st->next_general_query_ms = remaining(r->general_query_at, now);
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		st->older_querier_present_ms[i] = remaining(r->older_querier_at[i], now);
	st->startup_queries_left = r->startup_left;
	st->robustness = r->rv;
	st->query_interval_ms = r->qi_ms;
	st->startup_query_interval_ms = mgm_rtr_sqi(r);
	st->startup_query_count = mgm_rtr_sqc(r);
	st->last_member_query_count = mgm_rtr_lmqc(r);
	st->groups = r->groups.live;
	st->sources = r->sources.live;
	st->tracked = r->tracks.live;
	/* Every octet the instance holds, itself included, went through r->mem. */
	st->memory = r->mem.in_use;
}

static void router_counters(const struct mgm_router *r, struct mgm_router_counters *c)
{
	*c = r->ctr;
}

static void fill_group(const struct mgm_router *r, int64_t now, uint32_t gi,
		       struct mgm_router_group_info *gi_out)
{
	const struct mgm_group *g = grp(r, gi);

	memset(gi_out, 0, sizeof(*gi_out));
	addr_make(r, &gi_out->group, g->addr);
	gi_out->filter_mode = g->mode;
	gi_out->compat_version = mgm_rtr_group_compat(r, g);
	gi_out->group_timer_ms =
		g->mode == MGM_EXCLUDE ? remaining(g->deadline[MGM_GT_GROUP], now) : -1;
	gi_out->older_host_present_ms[0] = remaining(g->deadline[MGM_GT_OLDER_HOST_V1], now);
	/* An Older Host Present timer for each version below the family's top (§7.3.2). */
	gi_out->older_host_present_ms[1] =
		2 < r->fam->top_version ? remaining(g->deadline[MGM_GT_OLDER_HOST_V2], now) : -1;
	addr_make(r, &gi_out->last_reporter, g->last_reporter);
	gi_out->num_sources = g->num_src;
	gi_out->group_query_retransmissions = g->rtx_left;
	gi_out->any_source_fwd = g->fwd;
	gi_out->tracking_trusted = r->cfg.fast_leave && !(g->flags & GF_UNTRUSTED);
	gi_out->tracked_reporters = g->n_hosts;
}

static int router_group(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
			struct mgm_router_group_info *gi)
{
	uint32_t idx;

	if (!r || !group || !gi || group->family != r->family)
		return MGM_E_INVAL;
	idx = mgm_rtr_group_find(r, group->octets);
	if (idx == MGM_NIL)
		return MGM_E_NOENT;
	fill_group(r, now, idx, gi);
	return 0;
}

static int router_foreach_group(const struct mgm_router *r, int64_t now,
				int (*fn)(void *ctx, const struct mgm_router_group_info *gi),
				void *ctx)
{
	struct mgm_router_group_info info;

	if (!r || !fn)
		return MGM_E_INVAL;
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&r->gtab, &pos)) != MGM_NIL;) {
		int rc;

		fill_group(r, now, gi, &info);
		rc = fn(ctx, &info);
		if (rc)
			return rc;
	}
	return 0;
}

static void fill_source(const struct mgm_router *r, int64_t now, const struct mgm_group *g,
			uint32_t si, struct mgm_router_source_info *info)
{
	const struct mgm_source *s = src(r, si);
	uint8_t st = s->flags & SF_FWD_MASK;

	memset(info, 0, sizeof(*info));
	addr_make(r, &info->source, s->addr);
	info->timer_ms = remaining(mgm_rtr_source_deadline(r, s), now);
	info->fwd = st;
	info->forwarded =
		st == MGM_FWD_FORWARD || (st == MGM_FWD_NONE && g->fwd == MGM_FWD_FORWARD);
	info->query_retransmissions = s->rtx_left;
	info->tracked_reporters = s->in_hosts;
}

static int router_foreach_source(const struct mgm_router *r, int64_t now,
				 const struct mgm_addr *group,
				 int (*fn)(void *ctx, const struct mgm_router_source_info *si),
				 void *ctx)
{
	struct mgm_router_source_info info;
	const struct mgm_group *g;
	uint32_t gi;

	if (!r || !group || !fn || group->family != r->family)
		return MGM_E_INVAL;
	gi = mgm_rtr_group_find(r, group->octets);
	if (gi == MGM_NIL)
		return MGM_E_NOENT;
	g = grp(r, gi);
	for (uint32_t si = g->src_head; si != MGM_NIL; si = src(r, si)->next) {
		int rc;

		fill_source(r, now, g, si, &info);
		rc = fn(ctx, &info);
		if (rc)
			return rc;
	}
	return 0;
}

static int router_source(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
			 const struct mgm_addr *source, struct mgm_router_source_info *si)
{
	uint32_t gi, idx;

	if (!group || !source || !si || group->family != r->family || source->family != r->family)
		return MGM_E_INVAL;
	gi = mgm_rtr_group_find(r, group->octets);
	if (gi == MGM_NIL)
		return MGM_E_NOENT;
	idx = mgm_rtr_source_find(r, gi, source->octets);
	if (idx == MGM_NIL)
		return MGM_E_NOENT;
	fill_source(r, now, grp(r, gi), idx, si);
	return 0;
}

/* ---- Entry points: one call at a time per instance ------------------------------------------
 *
 * router.h: a callback must not re-enter its own instance. While a call that can change state
 * runs (BUSY_CALL), every entry point refuses: MGM_E_BUSY, or nothing for the void ones (an
 * output struct is zeroed); read-only calls too, as the state is then mid-transition. While a
 * walk calls the caller's function (BUSY_WALK), the calls that change state are refused and the
 * read-only ones, nested walks included, are served.
 */
enum { BUSY_NONE, BUSY_WALK, BUSY_CALL };

/* The walks mark the instance, which is never itself const. */
static struct mgm_router *writable(const struct mgm_router *r)
{
	return (struct mgm_router *)r;
}

static bool enter(struct mgm_router *r)
{
	if (r->busy != BUSY_NONE)
		return false;
	r->busy = BUSY_CALL;
	return true;
}

static void leave(struct mgm_router *r)
{
	r->busy = BUSY_NONE;
}

/* May a read-only call run? */
static bool readable(const struct mgm_router *r)
{
	return r->busy != BUSY_CALL;
}

void mgm_router_destroy(struct mgm_router *r)
{
	if (!r || !enter(r))
		return;
	router_destroy(r);
}

int mgm_router_set_address(struct mgm_router *r, int64_t now, const struct mgm_addr *addr,
			   uint8_t prefix_len)
{
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!enter(r))
		return MGM_E_BUSY;
	rc = router_set_address(r, now, addr, prefix_len);
	leave(r);
	return rc;
}

int mgm_router_start(struct mgm_router *r, int64_t now)
{
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!enter(r))
		return MGM_E_BUSY;
	rc = router_start(r, now);
	leave(r);
	return rc;
}

void mgm_router_stop(struct mgm_router *r, int64_t now)
{
	if (!r || !enter(r))
		return;
	router_stop(r, now);
	leave(r);
}

int mgm_router_reconfigure(struct mgm_router *r, int64_t now, const struct mgm_router_config *cfg,
			   char *errbuf, size_t errlen)
{
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!enter(r))
		return MGM_E_BUSY;
	rc = router_reconfigure(r, now, cfg, errbuf, errlen);
	leave(r);
	return rc;
}

int mgm_router_input_msg(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			 const struct mgm_msg *m)
{
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!enter(r))
		return MGM_E_BUSY;
	rc = router_input_msg(r, now, ip, m);
	leave(r);
	return rc;
}

int mgm_router_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip)
{
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!enter(r))
		return MGM_E_BUSY;
	rc = router_input(r, now, ip);
	leave(r);
	return rc;
}

void mgm_router_timer(struct mgm_router *r, int64_t now)
{
	if (!r || !enter(r))
		return;
	router_timer(r, now);
	leave(r);
}

int64_t mgm_router_next_deadline(const struct mgm_router *r)
{
	if (!r || !readable(r))
		return MGM_TIME_NEVER;
	return router_next_deadline(r);
}

bool mgm_router_forwarding(const struct mgm_router *r, const struct mgm_addr *group,
			   const struct mgm_addr *source)
{
	if (!r || !readable(r))
		return false;
	return router_forwarding(r, group, source);
}

void mgm_router_status(const struct mgm_router *r, int64_t now, struct mgm_router_status *st)
{
	if (!st)
		return;
	if (!r || !readable(r)) {
		memset(st, 0, sizeof(*st));
		return;
	}
	router_status(r, now, st);
}

void mgm_router_counters(const struct mgm_router *r, struct mgm_router_counters *c)
{
	if (!c)
		return;
	if (!r || !readable(r)) {
		memset(c, 0, sizeof(*c));
		return;
	}
	router_counters(r, c);
}

int mgm_router_group(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
		     struct mgm_router_group_info *gi)
{
	if (!r)
		return MGM_E_INVAL;
	if (!readable(r))
		return MGM_E_BUSY;
	return router_group(r, now, group, gi);
}

int mgm_router_source(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
		      const struct mgm_addr *source, struct mgm_router_source_info *si)
{
	if (!r)
		return MGM_E_INVAL;
	if (!readable(r))
		return MGM_E_BUSY;
	return router_source(r, now, group, source, si);
}

int mgm_router_foreach_group(const struct mgm_router *r, int64_t now,
			     int (*fn)(void *ctx, const struct mgm_router_group_info *gi),
			     void *ctx)
{
	uint8_t outer;
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!readable(r))
		return MGM_E_BUSY;
	outer = r->busy;
	writable(r)->busy = BUSY_WALK;
	rc = router_foreach_group(r, now, fn, ctx);
	writable(r)->busy = outer;
	return rc;
}

int mgm_router_foreach_source(const struct mgm_router *r, int64_t now, const struct mgm_addr *group,
			      int (*fn)(void *ctx, const struct mgm_router_source_info *si),
			      void *ctx)
{
	uint8_t outer;
	int rc;

	if (!r)
		return MGM_E_INVAL;
	if (!readable(r))
		return MGM_E_BUSY;
	outer = r->busy;
	writable(r)->busy = BUSY_WALK;
	rc = router_foreach_source(r, now, group, fn, ctx);
	writable(r)->busy = outer;
	return rc;
}
