/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host instance: configuration (RFC 3376 §8, RFC 3810 §9 as far as a host uses them),
 * creation, address, start and stop, the dispatch of received messages (RFC 3810 §5 receive
 * checks) and of timers, the socket entry points, and the read-only view.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "host_priv.h"
#include "config_error.h"
#include "mgm/err.h"

/* ---- Configuration -------------------------------------------------------------------------- */

void mgm_host_config_defaults(struct mgm_host_config *cfg, uint8_t family)
{
	const struct mgm_family_desc *fd = mgm_family_desc(family);

	memset(cfg, 0, sizeof(*cfg));
	cfg->family = family;
	cfg->version = fd ? fd->top_version : 0;
	cfg->robustness = 2;				  /* §8.1, RFC 3810 §9.1 */
	cfg->unsolicited_report_interval_ms = 1000;	  /* §8.11, RFC 3810 §9.11 */
	cfg->v1v2_unsolicited_report_interval_ms = 10000; /* RFC 2236 §8.10, RFC 2710 §7.10 */
	cfg->query_interval_ms = 125000;		  /* §8.2, RFC 3810 §9.2 */
	cfg->general_answer_interval_ms = 1000;
	cfg->mtu = 1500;
	cfg->max_groups = 1024;
	cfg->max_sources_per_group = 256;
	cfg->max_sockets = 4096;
}

int mgm_host_config_check(const struct mgm_host_config *cfg, char *errbuf, size_t errlen)
{
	const struct mgm_family_desc *fd;

	if (errbuf && errlen)
		errbuf[0] = 0;
	if (!cfg)
		return MGM_E_INVAL;
	fd = mgm_family_desc(cfg->family);
	if (!fd)
		return mgm_config_error(errbuf, errlen, "family (%u) must be 4 (IGMP) or 6 (MLD)",
					(unsigned)cfg->family);
	if (cfg->version < 1 || cfg->version > fd->top_version)
		return mgm_config_error(errbuf, errlen, "version (%u) must be 1..%u for %s",
					(unsigned)cfg->version, (unsigned)fd->top_version,
					fd->name);
	/* §4.1.6: a QRV above 7 cannot be carried; a host's RV is the querier's in spirit. */
	if (cfg->robustness < 1 || cfg->robustness > 7)
		return mgm_config_error(errbuf, errlen, "robustness (%u) must be 1..7",
					(unsigned)cfg->robustness);
	if (cfg->unsolicited_report_interval_ms < 1 || cfg->unsolicited_report_interval_ms > 60000)
		return mgm_config_error(errbuf, errlen,
					"unsolicited_report_interval_ms (%u) must be 1..60000",
					(unsigned)cfg->unsolicited_report_interval_ms);
	if (cfg->v1v2_unsolicited_report_interval_ms < 1 ||
	    cfg->v1v2_unsolicited_report_interval_ms > 60000)
		return mgm_config_error(errbuf, errlen,
					"v1v2_unsolicited_report_interval_ms (%u) must be 1..60000",
					(unsigned)cfg->v1v2_unsolicited_report_interval_ms);
	if (cfg->query_interval_ms < 1000 || cfg->query_interval_ms > 31744000)
		return mgm_config_error(errbuf, errlen,
					"query_interval_ms (%u) must be 1000..31744000",
					(unsigned)cfg->query_interval_ms);
	if (cfg->general_answer_interval_ms > 60000)
		return mgm_config_error(errbuf, errlen,
					"general_answer_interval_ms (%u) must be 0..60000",
					(unsigned)cfg->general_answer_interval_ms);
	if (cfg->mtu < fd->min_mtu || cfg->mtu > 65535)
		return mgm_config_error(errbuf, errlen, "mtu (%u) must be %u..65535 for %s",
					(unsigned)cfg->mtu, (unsigned)fd->min_mtu, fd->name);
	if (!cfg->max_groups)
		return mgm_config_error(errbuf, errlen, "max_groups must be above 0");
	if (!cfg->max_sources_per_group || cfg->max_sources_per_group > 65535)
		return mgm_config_error(errbuf, errlen,
					"max_sources_per_group (%u) must be 1..65535",
					(unsigned)cfg->max_sources_per_group);
	if (!cfg->max_sockets)
		return mgm_config_error(errbuf, errlen, "max_sockets must be above 0");
	return 0;
}

/* ---- Helpers -------------------------------------------------------------------------------- */

void mgm_hst_log(const struct mgm_host *h, int level, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (!h->cb.log)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	h->cb.log(h->cb.ctx, level, text);
}

static const char *const drop_names[MGM_HOST_DROP__COUNT] = {
	[MGM_HOST_DROP_NONE] = "none",
	[MGM_HOST_DROP_MALFORMED] = "malformed",
	[MGM_HOST_DROP_NOT_RUNNING] = "not_running",
	[MGM_HOST_DROP_FAMILY] = "family",
	[MGM_HOST_DROP_IGNORED_TYPE] = "ignored_type",
	[MGM_HOST_DROP_BAD_TTL] = "bad_ttl",
	[MGM_HOST_DROP_SOURCE_NOT_LINK_LOCAL] = "source_not_link_local",
	[MGM_HOST_DROP_OWN_MESSAGE] = "own_message",
	[MGM_HOST_DROP_NOMEM] = "nomem",
	[MGM_HOST_DROP_QUERY_SOURCES] = "query_sources",
};

const char *mgm_host_drop_name(int reason)
{
	if (reason < 0 || reason >= MGM_HOST_DROP__COUNT)
		return "unknown";
	return drop_names[reason];
}

void mgm_hst_drop(struct mgm_host *h, enum mgm_host_drop reason)
{
	if (reason <= MGM_HOST_DROP_NONE || reason >= MGM_HOST_DROP__COUNT)
		return;
	h->ctr.drops[reason]++;
	mgm_hst_log(h, MGM_LOG_DEBUG, "dropped: %s", drop_names[reason]);
}

int64_t mgm_hst_random_between(struct mgm_host *h, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;

	MGM_ASSERT(hi >= lo);
	return lo + (int64_t)(h->cb.random(h->cb.ctx) % span);
}

uint8_t mgm_hst_version(const struct mgm_host *h, int64_t now)
{
	uint8_t v = h->cfg.version;

	(void)now; /* expired timers are cleared before any event is handled */
	/* §7.2.1: "The Host Compatibility Mode of an interface is set to IGMPv1 whenever an
	 * IGMPv1 ... Query is heard on that interface. It is set to IGMPv2 whenever an IGMPv2
	 * Query is heard on that interface and the IGMPv1 Querier Present timer is not running."
	 * (RFC 3810 §8.2.1: MLDv1.) */
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		if (h->older_at[i] != MGM_TIME_NEVER && i + 1 < v)
			v = (uint8_t)(i + 1);
	return v;
}

bool mgm_hst_v3(const struct mgm_host *h, int64_t now)
{
	return mgm_family_caps(h->fam, mgm_hst_version(h, now))->source_lists;
}

/* ---- Life cycle ----------------------------------------------------------------------------- */

static int buf_alloc(struct mgm_host *h, uint32_t mtu, uint8_t **buf, size_t *len)
{
	*len = mtu - mgm_ip_header_len(h->family);
	*buf = mgm_mem_alloc(&h->mem, *len);
	return *buf ? 0 : MGM_E_NOMEM;
}

static void host_destroy(struct mgm_host *h)
{
	struct mgm_mem mem;

	mgm_hst_store_fini(h);
	if (h->buf)
		mgm_mem_free(&h->mem, h->buf, h->buf_len);
	mem = h->mem;
	mgm_mem_free(&mem, h, sizeof(*h));
}

int mgm_host_create(const struct mgm_host_config *cfg, const struct mgm_host_callbacks *cb,
		    const struct mgm_allocator *alloc, struct mgm_host **out, char *errbuf,
		    size_t errlen)
{
	struct mgm_mem mem;
	struct mgm_host *h;
	int err;

	if (!cfg || !out)
		return MGM_E_INVAL;
	*out = NULL;
	err = mgm_host_config_check(cfg, errbuf, errlen);
	if (err)
		return err;
	if (!cb || !cb->random) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen,
				 "random: a host needs a random source (RFC 3376 §5)");
		return MGM_E_INVAL;
	}
	err = mgm_mem_init(&mem, alloc);
	if (err) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "allocator: give both alloc and free, or neither");
		return err;
	}
	h = mgm_mem_zalloc(&mem, sizeof(*h));
	if (!h)
		return MGM_E_NOMEM;
	h->mem = mem;
	h->cfg = *cfg;
	h->cb = *cb;
	h->family = cfg->family;
	h->fam = mgm_family_desc(cfg->family);
	h->alen = (uint8_t)mgm_addr_len(cfg->family);
	mgm_addr_any(&h->addr, h->family);
	h->general_at = MGM_TIME_NEVER;
	h->general_floor = INT64_MIN;
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		h->older_at[i] = MGM_TIME_NEVER;
	h->seed = h->cb.random(h->cb.ctx);
	mgm_hst_store_init(h);
	err = buf_alloc(h, cfg->mtu, &h->buf, &h->buf_len);
	if (err) {
		host_destroy(h);
		return err;
	}
	*out = h;
	return 0;
}

static int host_set_address(struct mgm_host *h, const struct mgm_addr *addr)
{
	if (!addr || addr->family != h->family)
		return MGM_E_INVAL;
	/* RFC 3810 §5.2.13: reports come from a link-local address, or :: before one is valid. */
	if (h->family == MGM_INET6 && !mgm_addr_is_any(addr) && !mgm_addr_is_ipv6_link_local(addr))
		return MGM_E_INVAL;
	h->addr = *addr;
	return 0;
}

static bool has_state(const struct hgroup *g)
{
	return g->mode == MGM_EXCLUDE || g->src.n;
}

static void host_start(struct mgm_host *h, int64_t now)
{
	static const struct hset empty;

	if (h->running)
		return;
	h->running = true;
	/* Reported as joined now: §5.1 from INCLUDE {}. */
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;)
		if (has_state(hgrp(h, gi)))
			mgm_hst_state_changed(h, now, gi, MGM_INCLUDE, &empty);
}

static void host_stop(struct mgm_host *h)
{
	bool again = true;

	if (!h->running)
		return;
	h->running = false;
	h->general_at = MGM_TIME_NEVER;
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		h->older_at[i] = MGM_TIME_NEVER;
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;) {
		struct hgroup *g = hgrp(h, gi);

		g->resp_at = MGM_TIME_NEVER;
		g->last_reporter = false;
		mgm_hset_free(&h->mem, &g->resp_src);
		mgm_hst_cancel_retransmissions(h, gi);
	}
	while (again) {
		uint32_t before = h->groups.live;

		again = false;
		for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;) {
			mgm_hst_group_gc(h, gi);
			if (h->groups.live != before) {
				again = true;
				break;
			}
		}
	}
}

static int host_reconfigure(struct mgm_host *h, int64_t now, const struct mgm_host_config *cfg,
			    char *errbuf, size_t errlen)
{
	uint8_t from;
	int err;

	if (!cfg)
		return MGM_E_INVAL;
	err = mgm_host_config_check(cfg, errbuf, errlen);
	if (err)
		return err;
	if (cfg->family != h->family)
		return mgm_config_error(errbuf, errlen, "family (%u) cannot change from %u",
					(unsigned)cfg->family, (unsigned)h->family);
	if (cfg->mtu != h->cfg.mtu) {
		uint8_t *buf;
		size_t len;

		err = buf_alloc(h, cfg->mtu, &buf, &len);
		if (err) {
			if (errbuf && errlen)
				snprintf(errbuf, errlen, "out of memory for the new configuration");
			return err;
		}
		mgm_mem_free(&h->mem, h->buf, h->buf_len);
		h->buf = buf;
		h->buf_len = len;
	}
	from = mgm_hst_version(h, now);
	h->cfg = *cfg;
	if (h->running)
		mgm_hst_version_changed(h, now, from);
	return 0;
}

/* ---- Input ---------------------------------------------------------------------------------- */

static int host_input(struct mgm_host *h, int64_t now, const struct mgm_ip_info *ip)
{
	struct mgm_msg m;
	int err;

	if (!ip || (!ip->payload && ip->payload_len))
		return MGM_E_INVAL;
	if (!h->running) {
		mgm_hst_drop(h, MGM_HOST_DROP_NOT_RUNNING);
		return 0;
	}
	if (ip->family != h->family || ip->src.family != h->family) {
		mgm_hst_drop(h, MGM_HOST_DROP_FAMILY);
		return 0;
	}
	err = mgm_decode(h->family, ip->payload, ip->payload_len, &ip->src, &ip->dst, &m);
	if (err < 0) {
		mgm_hst_drop(h, MGM_HOST_DROP_MALFORMED);
		return err;
	}
	mgm_hst_compat_timers(h, now);
	if (!mgm_addr_is_any(&h->addr) && mgm_addr_eq(&ip->src, &h->addr)) {
		mgm_hst_drop(h, MGM_HOST_DROP_OWN_MESSAGE);
		return 0;
	}
	if (h->family == MGM_INET6) {
		/* RFC 3810 §5: MLD messages carry hop limit 1; §5.1.14: queries come from a
		 * link-local source. */
		if (ip->hop_limit != 1) {
			mgm_hst_drop(h, MGM_HOST_DROP_BAD_TTL);
			return 0;
		}
		if (m.kind == MGM_MSG_QUERY && !mgm_addr_is_ipv6_link_local(&ip->src)) {
			mgm_hst_drop(h, MGM_HOST_DROP_SOURCE_NOT_LINK_LOCAL);
			return 0;
		}
	}
	if (m.kind == MGM_MSG_QUERY)
		mgm_hst_query_input(h, now, &m);
	else if (m.kind == MGM_MSG_REPORT && !m.records)
		mgm_hst_report_heard(h, now, &m);
	else
		mgm_hst_drop(h, MGM_HOST_DROP_IGNORED_TYPE);
	return 0;
}

/* ---- Time ----------------------------------------------------------------------------------- */

static void group_fire(struct mgm_host *h, int64_t now, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);

	if (g->rtx_at <= now)
		mgm_hst_retransmit(h, now, gi);
	if (hgrp(h, gi)->resp_at <= now)
		mgm_hst_answer_group(h, now, gi);
	mgm_hst_group_rearm(h, gi);
	mgm_hst_group_gc(h, gi);
}

static void host_timer(struct mgm_host *h, int64_t now)
{
	int64_t when;
	uint32_t ref;

	if (!h->running)
		return;
	mgm_hst_compat_timers(h, now);
	if (h->general_at <= now)
		mgm_hst_answer_general(h, now);
	/* Every handler moves its group's entry past now or removes it, so this ends. */
	while (mgm_timer_peek(&h->heap, &when, &ref) && when <= now)
		group_fire(h, now, ref);
}

static int64_t host_next_deadline(const struct mgm_host *h)
{
	int64_t d = h->general_at, when;
	uint32_t ref;

	if (!h->running)
		return MGM_TIME_NEVER;
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		if (h->older_at[i] < d)
			d = h->older_at[i];
	if (mgm_timer_peek(&h->heap, &when, &ref) && when < d)
		d = when;
	return d;
}

/* ---- Introspection -------------------------------------------------------------------------- */

static int64_t remaining(int64_t deadline, int64_t now)
{
	if (deadline == MGM_TIME_NEVER)
		return -1;
	return deadline > now ? deadline - now : 0;
}

static void host_status(const struct mgm_host *h, int64_t now, struct mgm_host_status *st)
{
	memset(st, 0, sizeof(*st));
	st->family = h->family;
	st->configured_version = h->cfg.version;
	st->operating_version = mgm_hst_version(h, now);
	st->running = h->running;
	st->address = h->addr;
	for (int i = 0; i < MGM_OLDER_VERSIONS; i++)
		st->older_querier_present_ms[i] =
			i + 1 < h->fam->top_version ? remaining(h->older_at[i], now) : -1;
	st->general_response_ms = remaining(h->general_at, now);
	st->groups = h->groups.live;
	st->sockets = h->nsocks;
	st->memory = h->mem.in_use;
}

static void fill_group(const struct mgm_host *h, int64_t now, uint32_t gi,
		       struct mgm_host_group_info *out)
{
	const struct hgroup *g = hgrp(h, gi);

	memset(out, 0, sizeof(*out));
	out->group = g->addr;
	out->filter_mode = g->mode;
	out->num_sources = g->src.n;
	out->num_sockets = g->nsocks;
	out->mode_retransmissions = g->mode_rtx;
	out->source_retransmissions = g->nrtx;
	out->retransmit_ms = remaining(g->rtx_at, now);
	out->response_ms = remaining(g->resp_at, now);
	out->response_sources = g->resp_src.n;
	out->last_reporter = g->last_reporter;
}

static int host_group(const struct mgm_host *h, int64_t now, const struct mgm_addr *group,
		      struct mgm_host_group_info *gi)
{
	uint32_t idx;

	if (!group || !gi || group->family != h->family)
		return MGM_E_INVAL;
	idx = mgm_hst_group_find(h, group);
	if (idx == MGM_NIL)
		return MGM_E_NOENT;
	fill_group(h, now, idx, gi);
	return 0;
}

static int host_group_sources(const struct mgm_host *h, const struct mgm_addr *group,
			      struct mgm_addr *out, uint32_t cap)
{
	const struct hgroup *g;
	uint32_t idx;

	if (!group || (cap && !out) || group->family != h->family)
		return MGM_E_INVAL;
	idx = mgm_hst_group_find(h, group);
	if (idx == MGM_NIL)
		return MGM_E_NOENT;
	g = hgrp(h, idx);
	for (uint32_t i = 0; i < g->src.n && i < cap; i++)
		out[i] = g->src.v[i];
	return (int)g->src.n;
}

static int host_foreach_group(const struct mgm_host *h, int64_t now,
			      int (*fn)(void *ctx, const struct mgm_host_group_info *gi), void *ctx)
{
	struct mgm_host_group_info info;

	if (!fn)
		return MGM_E_INVAL;
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;) {
		int rc;

		fill_group(h, now, gi, &info);
		rc = fn(ctx, &info);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- Entry points: one call at a time per instance (the router's rule, router.c) ------------ */

enum { BUSY_NONE, BUSY_WALK, BUSY_CALL };

static bool enter(struct mgm_host *h)
{
	if (h->busy != BUSY_NONE)
		return false;
	h->busy = BUSY_CALL;
	return true;
}

static void leave(struct mgm_host *h)
{
	h->busy = BUSY_NONE;
}

static bool readable(const struct mgm_host *h)
{
	return h->busy != BUSY_CALL;
}

void mgm_host_destroy(struct mgm_host *h)
{
	if (!h || !enter(h))
		return;
	host_destroy(h);
}

int mgm_host_set_address(struct mgm_host *h, int64_t now, const struct mgm_addr *addr)
{
	int rc;

	(void)now;
	if (!h)
		return MGM_E_INVAL;
	if (!enter(h))
		return MGM_E_BUSY;
	rc = host_set_address(h, addr);
	leave(h);
	return rc;
}

int mgm_host_start(struct mgm_host *h, int64_t now)
{
	if (!h)
		return MGM_E_INVAL;
	if (!enter(h))
		return MGM_E_BUSY;
	host_start(h, now);
	leave(h);
	return 0;
}

void mgm_host_stop(struct mgm_host *h, int64_t now)
{
	(void)now;
	if (!h || !enter(h))
		return;
	host_stop(h);
	leave(h);
}

int mgm_host_reconfigure(struct mgm_host *h, int64_t now, const struct mgm_host_config *cfg,
			 char *errbuf, size_t errlen)
{
	int rc;

	if (!h)
		return MGM_E_INVAL;
	if (!enter(h))
		return MGM_E_BUSY;
	rc = host_reconfigure(h, now, cfg, errbuf, errlen);
	leave(h);
	return rc;
}

int mgm_host_input(struct mgm_host *h, int64_t now, const struct mgm_ip_info *ip)
{
	int rc;

	if (!h)
		return MGM_E_INVAL;
	if (!enter(h))
		return MGM_E_BUSY;
	rc = host_input(h, now, ip);
	leave(h);
	return rc;
}

void mgm_host_timer(struct mgm_host *h, int64_t now)
{
	if (!h || !enter(h))
		return;
	host_timer(h, now);
	leave(h);
}

int64_t mgm_host_next_deadline(const struct mgm_host *h)
{
	if (!h || !readable(h))
		return MGM_TIME_NEVER;
	return host_next_deadline(h);
}

static int socket_call(struct mgm_host *h, int64_t now, uint32_t sock, int op,
		       const struct mgm_addr *group, uint8_t mode, const struct mgm_addr *srcs,
		       uint32_t n)
{
	int rc;

	if (!h)
		return MGM_E_INVAL;
	if (!enter(h))
		return MGM_E_BUSY;
	if (h->running)
		mgm_hst_compat_timers(h, now);
	rc = mgm_hst_socket_op(h, now, sock, op, group, mode, srcs, n);
	leave(h);
	return rc;
}

int mgm_host_join(struct mgm_host *h, int64_t now, uint32_t sock, const struct mgm_addr *group)
{
	return socket_call(h, now, sock, MGM_HOP_JOIN, group, 0, NULL, 0);
}

int mgm_host_leave(struct mgm_host *h, int64_t now, uint32_t sock, const struct mgm_addr *group)
{
	return socket_call(h, now, sock, MGM_HOP_LEAVE, group, 0, NULL, 0);
}

int mgm_host_join_source(struct mgm_host *h, int64_t now, uint32_t sock,
			 const struct mgm_addr *group, const struct mgm_addr *source)
{
	if (!source)
		return MGM_E_INVAL;
	return socket_call(h, now, sock, MGM_HOP_JOIN_SOURCE, group, 0, source, 1);
}

int mgm_host_leave_source(struct mgm_host *h, int64_t now, uint32_t sock,
			  const struct mgm_addr *group, const struct mgm_addr *source)
{
	if (!source)
		return MGM_E_INVAL;
	return socket_call(h, now, sock, MGM_HOP_LEAVE_SOURCE, group, 0, source, 1);
}

int mgm_host_block_source(struct mgm_host *h, int64_t now, uint32_t sock,
			  const struct mgm_addr *group, const struct mgm_addr *source)
{
	if (!source)
		return MGM_E_INVAL;
	return socket_call(h, now, sock, MGM_HOP_BLOCK, group, 0, source, 1);
}

int mgm_host_unblock_source(struct mgm_host *h, int64_t now, uint32_t sock,
			    const struct mgm_addr *group, const struct mgm_addr *source)
{
	if (!source)
		return MGM_E_INVAL;
	return socket_call(h, now, sock, MGM_HOP_UNBLOCK, group, 0, source, 1);
}

int mgm_host_set_filter(struct mgm_host *h, int64_t now, uint32_t sock,
			const struct mgm_addr *group, uint8_t mode, const struct mgm_addr *sources,
			uint32_t num_sources)
{
	return socket_call(h, now, sock, MGM_HOP_SET, group, mode, sources, num_sources);
}

int mgm_host_close_socket(struct mgm_host *h, int64_t now, uint32_t sock)
{
	int rc;

	if (!h)
		return MGM_E_INVAL;
	if (!enter(h))
		return MGM_E_BUSY;
	if (h->running)
		mgm_hst_compat_timers(h, now);
	rc = mgm_hst_close_socket(h, now, sock);
	leave(h);
	return rc;
}

void mgm_host_status(const struct mgm_host *h, int64_t now, struct mgm_host_status *st)
{
	if (!st)
		return;
	if (!h || !readable(h)) {
		memset(st, 0, sizeof(*st));
		return;
	}
	host_status(h, now, st);
}

void mgm_host_counters(const struct mgm_host *h, struct mgm_host_counters *c)
{
	if (!c)
		return;
	if (!h || !readable(h)) {
		memset(c, 0, sizeof(*c));
		return;
	}
	*c = h->ctr;
}

int mgm_host_group(const struct mgm_host *h, int64_t now, const struct mgm_addr *group,
		   struct mgm_host_group_info *gi)
{
	if (!h)
		return MGM_E_INVAL;
	if (!readable(h))
		return MGM_E_BUSY;
	return host_group(h, now, group, gi);
}

int mgm_host_group_sources(const struct mgm_host *h, const struct mgm_addr *group,
			   struct mgm_addr *out, uint32_t cap)
{
	if (!h)
		return MGM_E_INVAL;
	if (!readable(h))
		return MGM_E_BUSY;
	return host_group_sources(h, group, out, cap);
}

int mgm_host_foreach_group(const struct mgm_host *h, int64_t now,
			   int (*fn)(void *ctx, const struct mgm_host_group_info *gi), void *ctx)
{
	struct mgm_host *w = (struct mgm_host *)h; /* the walk marks the instance */
	uint8_t outer;
	int rc;

	if (!h)
		return MGM_E_INVAL;
	if (!readable(h))
		return MGM_E_BUSY;
	outer = w->busy;
	w->busy = BUSY_WALK;
	rc = host_foreach_group(h, now, fn, ctx);
	w->busy = outer;
	return rc;
}
