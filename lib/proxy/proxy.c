/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 4605 proxying: the membership database of downstream records per group, and the upstream
 * host engines it drives. The §4.1 merge itself is the host engine's socket merge (RFC 3376
 * §3.2): a downstream record is set as that interface's socket filter.
 */
#include <stdio.h>
#include <string.h>

#include "mgm/err.h"
#include "mgm/proxy.h"

#include "alloc.h"
#include "check.h"
#include "htab.h"

#define NO_HOLD (-1)

struct rec {
	struct rec *next;		   /* hash chain */
	struct rec *hold_prev, *hold_next; /* the upstream's hold-down queue, in deadline order */
	struct mgm_addr group;
	uint32_t downstream;
	uint32_t upstream;
	uint8_t mode;
	uint32_t nsrc;
	struct mgm_addr *src;
	int64_t hold_until; /* NO_HOLD, or when the held leave takes effect */
};

struct upstream {
	struct mgm_proxy_upstream_config cfg;
	struct mgm_host *host;
	/* Every hold-down of one upstream lasts as long, so appending keeps the queue sorted. */
	struct rec *hold_head, *hold_tail;
	int64_t keep_joined_at; /* next round, MGM_TIME_NEVER when off */
};

struct mgm_proxy {
	struct mgm_proxy_config cfg;
	struct mgm_mem mem;
	struct mgm_allocator hooks;
	struct upstream *up;
	uint32_t nup;
	struct rec **bucket;
	uint32_t nbucket; /* a power of two, or 0 */
	uint32_t nrec;
	struct mgm_proxy_counters ctr;
};

void mgm_proxy_config_defaults(struct mgm_proxy_config *cfg, uint8_t family)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->family = family;
	cfg->max_records = 65536;
	cfg->max_sources = 256;
	cfg->max_upstreams = 8;
}

static int config_error(char *errbuf, size_t errlen, const char *what)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", what);
	return MGM_E_CONFIG;
}

int mgm_proxy_config_check(const struct mgm_proxy_config *cfg, char *errbuf, size_t errlen)
{
	if (cfg->family != MGM_INET && cfg->family != MGM_INET6)
		return config_error(errbuf, errlen, "family: neither IPv4 nor IPv6");
	if (!cfg->max_records || cfg->max_records > (1u << 30))
		return config_error(errbuf, errlen, "max_records: 1 .. 2^30");
	if (!cfg->max_sources || cfg->max_sources > 65535)
		return config_error(errbuf, errlen, "max_sources: 1 .. 65535");
	if (!cfg->max_upstreams || cfg->max_upstreams > 64)
		return config_error(errbuf, errlen, "max_upstreams: 1 .. 64");
	return 0;
}

int mgm_proxy_create(const struct mgm_proxy_config *cfg, const struct mgm_allocator *alloc,
		     struct mgm_proxy **out, char *errbuf, size_t errlen)
{
	struct mgm_mem mem;
	struct mgm_proxy *p;
	int rc;

	*out = NULL;
	rc = mgm_proxy_config_check(cfg, errbuf, errlen);
	if (rc)
		return rc;
	if (mgm_mem_init(&mem, alloc))
		return MGM_E_INVAL;
	p = mgm_mem_zalloc(&mem, sizeof(*p));
	if (!p)
		return MGM_E_NOMEM;
	p->mem = mem;
	p->mem.in_use += sizeof(*p);
	p->hooks = alloc ? *alloc : (struct mgm_allocator){0};
	p->cfg = *cfg;
	p->up = mgm_mem_zalloc(&p->mem, sizeof(*p->up) * cfg->max_upstreams);
	if (!p->up) {
		mgm_mem_free(&p->mem, p, sizeof(*p));
		return MGM_E_NOMEM;
	}
	*out = p;
	return 0;
}

static void rec_free(struct mgm_proxy *p, struct rec *r)
{
	if (r->src)
		mgm_mem_free(&p->mem, r->src, sizeof(*r->src) * r->nsrc);
	mgm_mem_free(&p->mem, r, sizeof(*r));
}

void mgm_proxy_destroy(struct mgm_proxy *p)
{
	struct mgm_mem mem;

	if (!p)
		return;
	for (uint32_t b = 0; b < p->nbucket; b++) {
		struct rec *r = p->bucket[b], *next;

		for (; r; r = next) {
			next = r->next;
			rec_free(p, r);
		}
	}
	if (p->bucket)
		mgm_mem_free(&p->mem, p->bucket, sizeof(*p->bucket) * p->nbucket);
	for (uint32_t i = 0; i < p->nup; i++)
		mgm_host_destroy(p->up[i].host);
	mgm_mem_free(&p->mem, p->up, sizeof(*p->up) * p->cfg.max_upstreams);
	mem = p->mem;
	mgm_mem_free(&mem, p, sizeof(*p));
}

static bool range_check(const struct mgm_proxy_range *r, uint8_t family)
{
	return r->group.family == family && r->prefix_len <= mgm_addr_len(family) * 8;
}

int mgm_proxy_add_upstream(struct mgm_proxy *p, const struct mgm_proxy_upstream_config *uc,
			   const struct mgm_host_callbacks *cb, uint32_t *index, char *errbuf,
			   size_t errlen)
{
	struct upstream *u;
	int rc;

	if (p->nup >= p->cfg.max_upstreams)
		return MGM_E_LIMIT;
	if (uc->host.family != p->cfg.family)
		return config_error(errbuf, errlen, "host.family: not the proxy's family");
	if (uc->num_ranges > MGM_PROXY_MAX_RANGES)
		return config_error(errbuf, errlen, "num_ranges: more than MGM_PROXY_MAX_RANGES");
	for (uint32_t i = 0; i < uc->num_ranges; i++)
		if (!range_check(&uc->ranges[i], p->cfg.family))
			return config_error(errbuf, errlen,
					    "ranges: family or prefix length out of range");
	if (uc->keep_joined_ms && uc->keep_joined_ms < 1000)
		return config_error(errbuf, errlen, "keep_joined_ms: 0 (off) or >= 1000");
	if (uc->leave_holddown_ms > 60000)
		return config_error(errbuf, errlen, "leave_holddown_ms: 0 .. 60000");
	u = &p->up[p->nup];
	memset(u, 0, sizeof(*u));
	u->cfg = *uc;
	rc = mgm_host_create(&uc->host, cb, &p->hooks, &u->host, errbuf, errlen);
	if (rc)
		return rc;
	u->keep_joined_at = MGM_TIME_NEVER;
	if (index)
		*index = p->nup;
	p->nup++;
	return 0;
}

uint32_t mgm_proxy_num_upstreams(const struct mgm_proxy *p)
{
	return p->nup;
}

struct mgm_host *mgm_proxy_upstream_host(struct mgm_proxy *p, uint32_t index)
{
	return index < p->nup ? p->up[index].host : NULL;
}

static bool prefix_match(const struct mgm_proxy_range *r, const struct mgm_addr *g)
{
	uint32_t bits = r->prefix_len, i = 0;

	if (r->group.family != g->family)
		return false;
	for (; bits >= 8; bits -= 8, i++)
		if (r->group.octets[i] != g->octets[i])
			return false;
	if (bits) {
		uint8_t mask = (uint8_t)(0xff00u >> bits);

		return (r->group.octets[i] & mask) == (g->octets[i] & mask);
	}
	return true;
}

int mgm_proxy_upstream_of(const struct mgm_proxy *p, const struct mgm_addr *group)
{
	for (uint32_t i = 0; i < p->nup; i++) {
		const struct mgm_proxy_upstream_config *c = &p->up[i].cfg;

		if (!c->num_ranges)
			return (int)i;
		for (uint32_t j = 0; j < c->num_ranges; j++)
			if (prefix_match(&c->ranges[j], group))
				return (int)i;
	}
	return -1;
}

/* ---- The database ------------------------------------------------------------------------- */

static uint32_t rec_hash(const struct mgm_addr *group, uint32_t downstream)
{
	uint64_t a, b;

	memcpy(&a, group->octets, 8);
	memcpy(&b, group->octets + 8, 8);
	return (uint32_t)mgm_htab_mix(a * 0x9e3779b97f4a7c15ull ^ mgm_htab_mix(b ^ downstream));
}

static struct rec **rec_slot(const struct mgm_proxy *p, const struct mgm_addr *group,
			     uint32_t downstream)
{
	struct rec **s;

	if (!p->nbucket)
		return NULL;
	s = &p->bucket[rec_hash(group, downstream) & (p->nbucket - 1)];
	for (; *s; s = &(*s)->next)
		if ((*s)->downstream == downstream && mgm_addr_eq(&(*s)->group, group))
			return s;
	return NULL;
}

static struct rec *rec_find(const struct mgm_proxy *p, const struct mgm_addr *group,
			    uint32_t downstream)
{
	struct rec **s = rec_slot(p, group, downstream);

	return s ? *s : NULL;
}

/* Grows the bucket array to keep chains short (load <= 1). */
static int rec_reserve(struct mgm_proxy *p)
{
	struct rec **nb;
	uint32_t n;

	if (p->nrec < p->nbucket)
		return 0;
	n = p->nbucket ? p->nbucket * 2 : 64;
	nb = mgm_mem_zalloc(&p->mem, sizeof(*nb) * n);
	if (!nb)
		return MGM_E_NOMEM;
	for (uint32_t b = 0; b < p->nbucket; b++) {
		struct rec *r = p->bucket[b], *next;

		for (; r; r = next) {
			uint32_t h = rec_hash(&r->group, r->downstream) & (n - 1);

			next = r->next;
			r->next = nb[h];
			nb[h] = r;
		}
	}
	if (p->bucket)
		mgm_mem_free(&p->mem, p->bucket, sizeof(*p->bucket) * p->nbucket);
	p->bucket = nb;
	p->nbucket = n;
	return 0;
}

static void hold_unlink(struct mgm_proxy *p, struct rec *r)
{
	struct upstream *u = &p->up[r->upstream];

	if (r->hold_until == NO_HOLD)
		return;
	if (r->hold_prev)
		r->hold_prev->hold_next = r->hold_next;
	else
		u->hold_head = r->hold_next;
	if (r->hold_next)
		r->hold_next->hold_prev = r->hold_prev;
	else
		u->hold_tail = r->hold_prev;
	r->hold_prev = r->hold_next = NULL;
	r->hold_until = NO_HOLD;
}

static void hold_append(struct mgm_proxy *p, struct rec *r, int64_t until)
{
	struct upstream *u = &p->up[r->upstream];

	MGM_ASSERT(!u->hold_tail || u->hold_tail->hold_until <= until);
	r->hold_until = until;
	r->hold_prev = u->hold_tail;
	r->hold_next = NULL;
	if (u->hold_tail)
		u->hold_tail->hold_next = r;
	else
		u->hold_head = r;
	u->hold_tail = r;
}

/* Drops a record; its socket left upstream already. */
static void rec_delete(struct mgm_proxy *p, struct rec *r)
{
	struct rec **s = rec_slot(p, &r->group, r->downstream);

	MGM_ASSERT(s && *s == r);
	hold_unlink(p, r);
	*s = r->next;
	p->nrec--;
	rec_free(p, r);
}

static void keep_joined_arm(struct upstream *u, int64_t now)
{
	if (u->cfg.keep_joined_ms && u->keep_joined_at == MGM_TIME_NEVER)
		u->keep_joined_at = now + u->cfg.keep_joined_ms;
}

/* The interface leaves the group upstream: INCLUDE {} as its socket filter. The host engine
 * may refuse even a leave (MGM_E_NOMEM: the merge of the sockets that stay is a new source
 * list); then the record stays as it was, still reported upstream, and the error is returned. */
static int rec_leave_now(struct mgm_proxy *p, int64_t now, struct rec *r)
{
	struct upstream *u = &p->up[r->upstream];
	int rc = mgm_host_set_filter(u->host, now, r->downstream, &r->group, MGM_INCLUDE, NULL, 0);

	if (rc) {
		p->ctr.refused++;
		return rc;
	}
	rec_delete(p, r);
	return 0;
}

static bool sources_ok(const struct mgm_addr *src, uint32_t n, uint8_t family)
{
	for (uint32_t i = 0; i < n; i++) {
		if (src[i].family != family || !mgm_addr_is_unicast(&src[i]))
			return false;
		for (uint32_t j = 0; j < i; j++)
			if (mgm_addr_eq(&src[i], &src[j]))
				return false;
	}
	return true;
}

static bool same_filter(const struct rec *r, uint8_t mode, const struct mgm_addr *src, uint32_t n)
{
	if (r->mode != mode || r->nsrc != n)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = 0;

		while (j < n && !mgm_addr_eq(&src[i], &r->src[j]))
			j++;
		if (j == n)
			return false;
	}
	return true;
}

int mgm_proxy_set_filter(struct mgm_proxy *p, int64_t now, uint32_t downstream,
			 const struct mgm_addr *group, uint8_t mode, const struct mgm_addr *sources,
			 uint32_t num_sources)
{
	struct mgm_addr *copy = NULL;
	struct upstream *u;
	struct rec *r;
	bool fresh = false;
	int up, rc;

	if (!group || group->family != p->cfg.family || !mgm_addr_is_multicast(group) ||
	    mgm_addr_is_unrouted_group(group) || (mode != MGM_INCLUDE && mode != MGM_EXCLUDE) ||
	    (num_sources && !sources) || !sources_ok(sources, num_sources, p->cfg.family))
		return MGM_E_INVAL;
	r = rec_find(p, group, downstream);
	up = r ? (int)r->upstream : mgm_proxy_upstream_of(p, group);
	if (up < 0) {
		p->ctr.unmatched++;
		return 0;
	}
	u = &p->up[up];
	if (mode == MGM_INCLUDE && !num_sources) {
		if (!r || r->hold_until != NO_HOLD)
			return 0;
		if (u->cfg.leave_holddown_ms) {
			/* The record keeps its filter upstream until the hold-down ends. */
			hold_append(p, r, now + u->cfg.leave_holddown_ms);
			p->ctr.updates++;
			return 0;
		}
		rc = rec_leave_now(p, now, r);
		if (!rc)
			p->ctr.updates++;
		return rc;
	}
	if (r && r->hold_until != NO_HOLD) {
		hold_unlink(p, r);
		p->ctr.holddown_canceled++;
	}
	if (r && same_filter(r, mode, sources, num_sources))
		return 0;
	if (num_sources > p->cfg.max_sources || (!r && p->nrec >= p->cfg.max_records)) {
		p->ctr.refused++;
		return MGM_E_LIMIT;
	}
	if (!r && rec_reserve(p))
		goto nomem;
	if (num_sources) {
		copy = mgm_mem_alloc(&p->mem, sizeof(*copy) * num_sources);
		if (!copy)
			goto nomem;
		memcpy(copy, sources, sizeof(*copy) * num_sources);
	}
	if (!r) {
		r = mgm_mem_zalloc(&p->mem, sizeof(*r));
		if (!r) {
			if (copy)
				mgm_mem_free(&p->mem, copy, sizeof(*copy) * num_sources);
			goto nomem;
		}
		r->group = *group;
		r->downstream = downstream;
		r->upstream = (uint32_t)up;
		r->hold_until = NO_HOLD;
		r->mode = MGM_INCLUDE; /* no state yet */
		fresh = true;
	}
	/* RFC 4605 §4.1: the merge of every downstream record is the host engine's §3.2 merge of
	 * its sockets; a change of the merged state is reported there (§5.1). */
	rc = mgm_host_set_filter(u->host, now, downstream, group, mode, sources, num_sources);
	if (rc) {
		if (copy)
			mgm_mem_free(&p->mem, copy, sizeof(*copy) * num_sources);
		if (fresh)
			mgm_mem_free(&p->mem, r, sizeof(*r));
		p->ctr.refused++;
		return rc;
	}
	if (fresh) {
		struct rec **b = &p->bucket[rec_hash(group, downstream) & (p->nbucket - 1)];

		r->next = *b;
		*b = r;
		p->nrec++;
	}
	if (r->src)
		mgm_mem_free(&p->mem, r->src, sizeof(*r->src) * r->nsrc);
	r->src = copy;
	r->nsrc = num_sources;
	r->mode = mode;
	p->ctr.updates++;
	keep_joined_arm(u, now);
	return 0;
nomem:
	p->ctr.refused++;
	return MGM_E_NOMEM;
}

/* ---- From a router engine's record --------------------------------------------------------- */

struct collect {
	uint8_t mode;
	uint32_t n, cap;
	struct mgm_addr *out;
	bool overflow;
	const struct mgm_addr *group;
	mgm_proxy_policy_fn keep;
	void *ctx;
};

static int collect_source(void *ctx, const struct mgm_router_source_info *si)
{
	struct collect *c = ctx;

	/* INCLUDE: the list A, sources forwarded; EXCLUDE: the list Y, sources not forwarded
	 * (RFC 3376 §6.2.1, the router-side record that RFC 4605 §4.1 merges). The caller's
	 * policy may drop sources from A (never add to Y: what it forbids, it does not report). */
	if (si->forwarded != (c->mode == MGM_INCLUDE))
		return 0;
	if (c->mode == MGM_INCLUDE && c->keep && !c->keep(c->ctx, c->group, &si->source))
		return 0;
	if (c->n == c->cap) {
		c->overflow = true;
		return 1;
	}
	c->out[c->n++] = si->source;
	return 0;
}

int mgm_proxy_update_group(struct mgm_proxy *p, int64_t now, uint32_t downstream,
			   const struct mgm_router *r, const struct mgm_addr *group)
{
	return mgm_proxy_update_group_policy(p, now, downstream, r, group, NULL, NULL);
}

int mgm_proxy_update_group_policy(struct mgm_proxy *p, int64_t now, uint32_t downstream,
				  const struct mgm_router *r, const struct mgm_addr *group,
				  mgm_proxy_policy_fn keep, void *ctx)
{
	struct mgm_router_group_info gi;
	struct collect c = {.group = group, .keep = keep, .ctx = ctx};
	int rc;

	if (!r || !group)
		return MGM_E_INVAL;
	if (mgm_router_group(r, now, group, &gi))
		return mgm_proxy_set_filter(p, now, downstream, group, MGM_INCLUDE, NULL, 0);
	c.mode = gi.filter_mode;
	if (c.mode == MGM_EXCLUDE && keep && !keep(ctx, group, NULL)) {
		/* Any-source reception refused: only what an INCLUDE record would hold, none. */
		return mgm_proxy_set_filter(p, now, downstream, group, MGM_INCLUDE, NULL, 0);
	}
	c.cap = gi.num_sources < p->cfg.max_sources ? gi.num_sources : p->cfg.max_sources;
	if (c.cap) {
		c.out = mgm_mem_alloc(&p->mem, sizeof(*c.out) * c.cap);
		if (!c.out) {
			p->ctr.refused++;
			return MGM_E_NOMEM;
		}
	}
	rc = mgm_router_foreach_source(r, now, group, collect_source, &c);
	if (c.overflow) {
		rc = MGM_E_LIMIT;
		p->ctr.refused++;
	} else if (rc == 0 || rc == 1) {
		rc = mgm_proxy_set_filter(p, now, downstream, group, c.mode, c.out, c.n);
	}
	if (c.out)
		mgm_mem_free(&p->mem, c.out, sizeof(*c.out) * c.cap);
	return rc;
}

int mgm_proxy_remove_downstream(struct mgm_proxy *p, int64_t now, uint32_t downstream)
{
	int first = 0;

	for (uint32_t b = 0; b < p->nbucket; b++) {
		struct rec *r = p->bucket[b], *next;

		for (; r; r = next) {
			int rc;

			next = r->next;
			if (r->downstream != downstream)
				continue;
			rc = rec_leave_now(p, now, r);
			if (rc && !first)
				first = rc;
		}
	}
	return first;
}

int mgm_proxy_set_static(struct mgm_proxy *p, int64_t now, uint32_t id,
			 const struct mgm_addr *group, const struct mgm_addr *source, bool join)
{
	struct rec *r;
	struct mgm_addr *list;
	uint32_t n, i;
	int rc;

	if (!group)
		return MGM_E_INVAL;
	r = rec_find(p, group, id);
	if (r && r->hold_until != NO_HOLD)
		r = join ? r : NULL; /* a held leave is not held any more for a removal */
	if (!source) {
		if (join)
			return mgm_proxy_set_filter(p, now, id, group, MGM_EXCLUDE, NULL, 0);
		if (!r || r->mode != MGM_EXCLUDE)
			return MGM_E_NOENT;
		return mgm_proxy_set_filter(p, now, id, group, MGM_INCLUDE, NULL, 0);
	}
	if (r && r->mode == MGM_EXCLUDE && r->hold_until == NO_HOLD)
		return MGM_E_INVAL;
	n = r && r->mode == MGM_INCLUDE && r->hold_until == NO_HOLD ? r->nsrc : 0;
	for (i = 0; i < n && !mgm_addr_eq(&r->src[i], source); i++)
		;
	if (join && i < n)
		return 0;
	if (!join && i == n)
		return MGM_E_NOENT;
	if (join && n >= p->cfg.max_sources)
		return MGM_E_LIMIT;
	list = mgm_mem_alloc(&p->mem, sizeof(*list) * (n + 1));
	if (!list)
		return MGM_E_NOMEM;
	if (n)
		memcpy(list, r->src, sizeof(*list) * n);
	if (join) {
		list[n] = *source;
		rc = mgm_proxy_set_filter(p, now, id, group, MGM_INCLUDE, list, n + 1);
	} else {
		list[i] = list[n - 1];
		rc = mgm_proxy_set_filter(p, now, id, group, MGM_INCLUDE, list, n - 1);
	}
	mgm_mem_free(&p->mem, list, sizeof(*list) * (n + 1));
	return rc;
}

/* ---- Time --------------------------------------------------------------------------------- */

/* Re-reports the upstream's whole state, unsolicited. The host engine has no call for that: a
 * stop and start reports every group as just joined (§5.1 from INCLUDE {}), but forgets the
 * Older Version Querier Present timers, so the round is skipped while one runs. */
static void keep_joined_round(struct mgm_proxy *p, struct upstream *u, int64_t now)
{
	struct mgm_host_status st;

	mgm_host_status(u->host, now, &st);
	if (st.running && st.groups && st.operating_version == st.configured_version) {
		mgm_host_stop(u->host, now);
		MGM_MUST(mgm_host_start(u->host, now));
		p->ctr.keep_joined_rounds++;
	}
	u->keep_joined_at = st.groups ? now + u->cfg.keep_joined_ms : MGM_TIME_NEVER;
}

void mgm_proxy_timer(struct mgm_proxy *p, int64_t now)
{
	for (uint32_t i = 0; i < p->nup; i++) {
		struct upstream *u = &p->up[i];

		while (u->hold_head && u->hold_head->hold_until <= now) {
			struct rec *r = u->hold_head;

			/* now, not the hold's end: the host engine's clock never goes back. */
			if (rec_leave_now(p, now, r) == 0) {
				p->ctr.holddown_expired++;
				continue;
			}
			/* Refused (memory): held once more and tried again a hold-down later; the
			 * queue stays sorted, every other hold ends by now + leave_holddown_ms. */
			hold_unlink(p, r);
			hold_append(p, r, now + u->cfg.leave_holddown_ms);
		}
		if (u->keep_joined_at <= now)
			keep_joined_round(p, u, now);
		if (mgm_host_next_deadline(u->host) <= now)
			mgm_host_timer(u->host, now);
	}
}

int64_t mgm_proxy_next_deadline(const struct mgm_proxy *p)
{
	int64_t t = MGM_TIME_NEVER;

	for (uint32_t i = 0; i < p->nup; i++) {
		const struct upstream *u = &p->up[i];
		int64_t h = mgm_host_next_deadline(u->host);

		if (u->hold_head && u->hold_head->hold_until < t)
			t = u->hold_head->hold_until;
		if (u->keep_joined_at < t)
			t = u->keep_joined_at;
		if (h < t)
			t = h;
	}
	return t;
}

/* ---- Introspection ------------------------------------------------------------------------ */

void mgm_proxy_counters(const struct mgm_proxy *p, struct mgm_proxy_counters *c)
{
	*c = p->ctr;
}

uint32_t mgm_proxy_num_records(const struct mgm_proxy *p)
{
	return p->nrec;
}

size_t mgm_proxy_memory(const struct mgm_proxy *p)
{
	return p->mem.in_use;
}

static void rec_info(const struct rec *r, int64_t now, struct mgm_proxy_record_info *ri)
{
	ri->group = r->group;
	ri->downstream = r->downstream;
	ri->upstream = r->upstream;
	ri->filter_mode = r->mode;
	ri->num_sources = r->nsrc;
	ri->holddown_ms = r->hold_until == NO_HOLD ? -1
			  : r->hold_until > now	   ? r->hold_until - now
						   : 0;
}

int mgm_proxy_record(const struct mgm_proxy *p, int64_t now, uint32_t downstream,
		     const struct mgm_addr *group, struct mgm_proxy_record_info *ri,
		     struct mgm_addr *out, uint32_t cap)
{
	const struct rec *r = group ? rec_find(p, group, downstream) : NULL;

	if (!r)
		return MGM_E_NOENT;
	rec_info(r, now, ri);
	for (uint32_t i = 0; out && i < r->nsrc && i < cap; i++)
		out[i] = r->src[i];
	return 0;
}

int mgm_proxy_foreach_record(const struct mgm_proxy *p, int64_t now, const struct mgm_addr *group,
			     int (*fn)(void *ctx, const struct mgm_proxy_record_info *ri),
			     void *ctx)
{
	for (uint32_t b = 0; b < p->nbucket; b++) {
		for (const struct rec *r = p->bucket[b]; r; r = r->next) {
			struct mgm_proxy_record_info ri;
			int rc;

			if (group && !mgm_addr_eq(group, &r->group))
				continue;
			rec_info(r, now, &ri);
			rc = fn(ctx, &ri);
			if (rc)
				return rc;
		}
	}
	return 0;
}
