/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Socket filters and the interface state they make: RFC 3678 §4's calls on per-socket state,
 * merged per group by RFC 3376 §3.2 (RFC 3810 §4.2). A change computes the new interface state
 * first and keeps the old one beside it, so host_report.c reports their difference (§5.1); a
 * call that cannot be completed leaves everything as it was. Also the group records' storage.
 */
#include <string.h>

#include "check.h"
#include "host_priv.h"
#include "mgm/err.h"

/* ---- Sorted address sets -------------------------------------------------------------------- */

static int hset_alloc(struct mgm_mem *m, struct hset *s, uint32_t cap)
{
	s->n = 0;
	s->cap = cap;
	s->v = NULL;
	if (!cap)
		return 0;
	s->v = mgm_mem_alloc(m, (size_t)cap * sizeof(*s->v));
	if (!s->v) {
		s->cap = 0;
		return MGM_E_NOMEM;
	}
	return 0;
}

void mgm_hset_free(struct mgm_mem *m, struct hset *s)
{
	if (s->v)
		mgm_mem_free(m, s->v, (size_t)s->cap * sizeof(*s->v));
	memset(s, 0, sizeof(*s));
}

bool mgm_hset_has(const struct hset *s, const struct mgm_addr *a)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = mgm_addr_cmp(&s->v[mid], a);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

enum set_op { OP_UNION, OP_INTER, OP_MINUS };

/* One walk over both sorted lists. */
static int hset_combine(struct mgm_mem *m, const struct hset *a, const struct hset *b,
			enum set_op op, struct hset *out)
{
	uint32_t i = 0, j = 0;
	uint32_t cap = op == OP_UNION ? a->n + b->n : a->n;
	struct hset r;

	if (hset_alloc(m, &r, cap))
		return MGM_E_NOMEM;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : mgm_addr_cmp(&a->v[i], &b->v[j]);

		if (c < 0) {
			if (op != OP_INTER)
				r.v[r.n++] = a->v[i];
			i++;
		} else if (c > 0) {
			if (op == OP_UNION)
				r.v[r.n++] = b->v[j];
			j++;
		} else {
			if (op != OP_MINUS)
				r.v[r.n++] = a->v[i];
			i++;
			j++;
		}
	}
	*out = r;
	return 0;
}

int mgm_hset_union(struct mgm_mem *m, const struct hset *a, const struct hset *b, struct hset *out)
{
	return hset_combine(m, a, b, OP_UNION, out);
}

int mgm_hset_inter(struct mgm_mem *m, const struct hset *a, const struct hset *b, struct hset *out)
{
	return hset_combine(m, a, b, OP_INTER, out);
}

int mgm_hset_minus(struct mgm_mem *m, const struct hset *a, const struct hset *b, struct hset *out)
{
	return hset_combine(m, a, b, OP_MINUS, out);
}

int mgm_hset_copy(struct mgm_mem *m, const struct hset *a, struct hset *out)
{
	static const struct hset empty;

	return hset_combine(m, a, &empty, OP_UNION, out);
}

/* ---- RFC 3376 §3.2 ------------------------------------------------------------------------- */

/*
 * RFC 3376 §3.2 (RFC 3810 §4.2): "If any of the socket records for a given multicast address
 * on an interface has a filter mode of EXCLUDE, then the filter mode of the interface record
 * is EXCLUDE, and the source list of the interface record is the intersection of the source
 * lists of all socket records in EXCLUDE mode, minus those source addresses that appear in any
 * socket record in INCLUDE mode." Otherwise "the filter mode of the interface record is
 * INCLUDE, and the source list of the interface record is the union of the source lists of
 * all the socket records".
 */
int mgm_hst_merge(struct mgm_host *h, const struct hsock *socks, uint8_t *mode, struct hset *out)
{
	struct hset ex = {0}, inc = {0}, t;
	bool any_ex = false;
	int err = 0;

	for (const struct hsock *s = socks; s; s = s->next) {
		if (s->mode == MGM_EXCLUDE) {
			err = any_ex ? mgm_hset_inter(&h->mem, &ex, &s->src, &t)
				     : mgm_hset_copy(&h->mem, &s->src, &t);
			if (err)
				goto out;
			mgm_hset_free(&h->mem, &ex);
			ex = t;
			any_ex = true;
		} else {
			err = mgm_hset_union(&h->mem, &inc, &s->src, &t);
			if (err)
				goto out;
			mgm_hset_free(&h->mem, &inc);
			inc = t;
		}
	}
	if (any_ex) {
		err = mgm_hset_minus(&h->mem, &ex, &inc, &t);
		if (err)
			goto out;
		*mode = MGM_EXCLUDE;
	} else {
		t = inc;
		memset(&inc, 0, sizeof(inc));
		*mode = MGM_INCLUDE;
	}
	*out = t;
out:
	mgm_hset_free(&h->mem, &ex);
	mgm_hset_free(&h->mem, &inc);
	return err;
}

/* ---- Group records -------------------------------------------------------------------------- */

static uint32_t group_hash(const struct mgm_host *h, const struct mgm_addr *a)
{
	return mgm_htab_hash(&h->gtab, a->octets, 0);
}

static uint32_t group_hash_of(const void *ctx, uint32_t idx)
{
	const struct mgm_host *h = ctx;

	return group_hash(h, &hgrp(h, idx)->addr);
}

static void heap_moved(void *ctx, uint32_t ref, uint32_t pos)
{
	struct mgm_host *h = ctx;

	hgrp(h, ref)->heap = pos;
}

void mgm_hst_store_init(struct mgm_host *h)
{
	mgm_pool_init(&h->groups, &h->mem, sizeof(struct hgroup));
	mgm_htab_init(&h->gtab, &h->mem, h->seed, true, group_hash_of, h);
	mgm_timer_init(&h->heap, &h->mem, heap_moved, h);
}

static void group_release(struct mgm_host *h, struct hgroup *g)
{
	while (g->socks) {
		struct hsock *s = g->socks;

		g->socks = s->next;
		mgm_hset_free(&h->mem, &s->src);
		mgm_mem_free(&h->mem, s, sizeof(*s));
		h->nsocks--;
	}
	mgm_hset_free(&h->mem, &g->src);
	mgm_hset_free(&h->mem, &g->resp_src);
	if (g->rtx)
		mgm_mem_free(&h->mem, g->rtx, (size_t)g->rtx_cap * sizeof(*g->rtx));
	g->rtx = NULL;
	g->nrtx = g->rtx_cap = 0;
}

void mgm_hst_store_fini(struct mgm_host *h)
{
	for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;)
		group_release(h, hgrp(h, gi));
	mgm_htab_fini(&h->gtab);
	mgm_pool_fini(&h->groups);
	mgm_timer_fini(&h->heap);
}

uint32_t mgm_hst_group_find(const struct mgm_host *h, const struct mgm_addr *a)
{
	struct mgm_htab_probe p;
	uint32_t gi;

	for (gi = mgm_htab_probe_first(&h->gtab, group_hash(h, a), &p); gi != MGM_NIL;
	     gi = mgm_htab_probe_next(&h->gtab, &p))
		if (mgm_addr_eq(&hgrp(h, gi)->addr, a))
			return gi;
	return MGM_NIL;
}

static int group_new(struct mgm_host *h, const struct mgm_addr *a, uint32_t *out)
{
	struct hgroup *g;
	uint32_t gi;

	if (h->groups.live >= h->cfg.max_groups)
		return MGM_E_LIMIT;
	if (mgm_pool_reserve(&h->groups, 1) || mgm_htab_reserve(&h->gtab, 1) ||
	    mgm_timer_reserve(&h->heap, h->groups.live + 1)) {
		mgm_pool_trim(&h->groups);
		mgm_htab_trim(&h->gtab);
		return MGM_E_NOMEM;
	}
	gi = mgm_pool_take(&h->groups);
	MGM_ASSERT(gi != MGM_NIL); /* reserved above */
	g = hgrp(h, gi);
	g->addr = *a;
	g->heap = MGM_NIL;
	g->mode = MGM_INCLUDE;
	g->rtx_at = g->resp_at = MGM_TIME_NEVER;
	g->answer_floor = INT64_MIN;
	mgm_htab_insert(&h->gtab, group_hash(h, a), gi);
	*out = gi;
	return 0;
}

void mgm_hst_group_free(struct mgm_host *h, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);

	group_release(h, g);
	mgm_htab_remove(&h->gtab, group_hash(h, &g->addr), gi);
	if (g->heap != MGM_NIL)
		mgm_timer_remove(&h->heap, g->heap);
	mgm_pool_put(&h->groups, gi);
	mgm_timer_trim(&h->heap, h->groups.live);
}

void mgm_hst_group_gc(struct mgm_host *h, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);

	if (!g->socks && g->mode == MGM_INCLUDE && !g->src.n && g->rtx_at == MGM_TIME_NEVER &&
	    g->resp_at == MGM_TIME_NEVER)
		mgm_hst_group_free(h, gi);
}

void mgm_hst_group_rearm(struct mgm_host *h, uint32_t gi)
{
	struct hgroup *g = hgrp(h, gi);
	int64_t key = g->rtx_at < g->resp_at ? g->rtx_at : g->resp_at;

	if (key == MGM_TIME_NEVER) {
		if (g->heap != MGM_NIL) {
			mgm_timer_remove(&h->heap, g->heap);
			g->heap = MGM_NIL;
		}
		return;
	}
	if (g->heap == MGM_NIL)
		MGM_MUST(mgm_timer_push(&h->heap, key, gi)); /* room reserved with the group */
	else
		mgm_timer_update(&h->heap, g->heap, key);
}

/* ---- RFC 3678 §4: the socket calls ----------------------------------------------------------- */

static struct hsock *sock_find(const struct hgroup *g, uint32_t id)
{
	for (struct hsock *s = g ? g->socks : NULL; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/* A set of one address. */
static struct hset single(struct mgm_addr *a)
{
	return (struct hset){.v = a, .n = 1, .cap = 0};
}

/* The socket's new filter for op, from its current one (cur NULL: INCLUDE {}). Returns 1 when
 * nothing changes, 0 with *mode and *out (allocated) set, or an error. */
static int new_filter(struct mgm_host *h, int op, const struct hsock *cur, uint8_t set_mode,
		      const struct mgm_addr *srcs, uint32_t n, uint8_t *mode, struct hset *out)
{
	static const struct hset empty;
	struct mgm_addr one = n ? srcs[0] : (struct mgm_addr){0};
	struct hset s1 = single(&one);
	uint8_t cur_mode = cur ? cur->mode : MGM_INCLUDE;
	const struct hset *cur_src = cur ? &cur->src : &empty;

	switch (op) {
	case MGM_HOP_JOIN:
		/* RFC 3678 §4.1.1: an any-source join of a group joined source-specifically is
		 * an error; a repeated one changes nothing. */
		if (cur_mode == MGM_EXCLUDE)
			return 1;
		if (cur)
			return MGM_E_INVAL;
		*mode = MGM_EXCLUDE;
		return mgm_hset_copy(&h->mem, &empty, out);
	case MGM_HOP_LEAVE:
		if (!cur)
			return MGM_E_NOENT;
		*mode = MGM_INCLUDE;
		return mgm_hset_copy(&h->mem, &empty, out);
	case MGM_HOP_JOIN_SOURCE:
		/* §4.1.2: source joins only on a group not joined for any source. */
		if (cur_mode == MGM_EXCLUDE)
			return MGM_E_INVAL;
		if (mgm_hset_has(cur_src, &one))
			return 1;
		*mode = MGM_INCLUDE;
		return mgm_hset_union(&h->mem, cur_src, &s1, out);
	case MGM_HOP_LEAVE_SOURCE:
		if (cur_mode != MGM_INCLUDE || !mgm_hset_has(cur_src, &one))
			return MGM_E_NOENT;
		*mode = MGM_INCLUDE;
		return mgm_hset_minus(&h->mem, cur_src, &s1, out);
	case MGM_HOP_BLOCK:
		/* §4.1.1: blocking needs an any-source join. */
		if (!cur)
			return MGM_E_NOENT;
		if (cur_mode != MGM_EXCLUDE)
			return MGM_E_INVAL;
		if (mgm_hset_has(cur_src, &one))
			return 1;
		*mode = MGM_EXCLUDE;
		return mgm_hset_union(&h->mem, cur_src, &s1, out);
	case MGM_HOP_UNBLOCK:
		if (cur_mode != MGM_EXCLUDE || !mgm_hset_has(cur_src, &one))
			return MGM_E_NOENT;
		*mode = MGM_EXCLUDE;
		return mgm_hset_minus(&h->mem, cur_src, &s1, out);
	default: { /* MGM_HOP_SET: §4.2 setsourcefilter */
		struct hset acc = {0}, t;

		if (set_mode != MGM_INCLUDE && set_mode != MGM_EXCLUDE)
			return MGM_E_INVAL;
		if (set_mode == MGM_INCLUDE && !n && !cur)
			return 1;
		for (uint32_t i = 0; i < n; i++) {
			struct mgm_addr a = srcs[i];
			struct hset sa = single(&a);

			if (mgm_hset_has(&acc, &a) || acc.n >= h->cfg.max_sources_per_group) {
				int err = acc.n >= h->cfg.max_sources_per_group ? MGM_E_LIMIT
										: MGM_E_INVAL;

				mgm_hset_free(&h->mem, &acc);
				return err;
			}
			if (mgm_hset_union(&h->mem, &acc, &sa, &t)) {
				mgm_hset_free(&h->mem, &acc);
				return MGM_E_NOMEM;
			}
			mgm_hset_free(&h->mem, &acc);
			acc = t;
		}
		*mode = set_mode;
		*out = acc;
		return 0;
	}
	}
}

static bool state_equal(uint8_t ma, const struct hset *a, uint8_t mb, const struct hset *b)
{
	if (ma != mb || a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (!mgm_addr_eq(&a->v[i], &b->v[i]))
			return false;
	return true;
}

static bool valid_source(const struct mgm_host *h, const struct mgm_addr *a)
{
	return a->family == h->family && mgm_addr_is_unicast(a);
}

int mgm_hst_socket_op(struct mgm_host *h, int64_t now, uint32_t sock, int op,
		      const struct mgm_addr *group, uint8_t set_mode, const struct mgm_addr *srcs,
		      uint32_t n)
{
	struct hset nsrc = {0}, isrc = {0}, old_src;
	struct hsock *cur, *fresh = NULL, saved;
	uint8_t nmode, imode, old_mode;
	struct hgroup *g;
	uint32_t gi;
	bool created = false;
	int err;

	if (!group || group->family != h->family || !mgm_addr_is_multicast(group) ||
	    mgm_addr_is_unrouted_group(group) || (n && !srcs))
		return MGM_E_INVAL;
	for (uint32_t i = 0; i < n; i++)
		if (!valid_source(h, &srcs[i]))
			return MGM_E_INVAL;
	gi = mgm_hst_group_find(h, group);
	cur = gi == MGM_NIL ? NULL : sock_find(hgrp(h, gi), sock);
	err = new_filter(h, op, cur, set_mode, srcs, n, &nmode, &nsrc);
	if (err)
		return err > 0 ? 0 : err;
	if (nsrc.n > h->cfg.max_sources_per_group) {
		err = MGM_E_LIMIT;
		goto fail;
	}
	/* RFC 3678 §4.2: INCLUDE {} is no membership. */
	if (nmode == MGM_INCLUDE && !nsrc.n && !cur) {
		err = 0;
		goto fail;
	}
	if (!cur) {
		if (h->nsocks >= h->cfg.max_sockets) {
			err = MGM_E_LIMIT;
			goto fail;
		}
		fresh = mgm_mem_zalloc(&h->mem, sizeof(*fresh));
		if (!fresh) {
			err = MGM_E_NOMEM;
			goto fail;
		}
		if (gi == MGM_NIL) {
			err = group_new(h, group, &gi);
			if (err)
				goto fail;
			created = true;
		}
		fresh->id = sock;
		fresh->mode = MGM_INCLUDE;
		fresh->next = hgrp(h, gi)->socks;
		hgrp(h, gi)->socks = fresh;
		cur = fresh;
	}
	g = hgrp(h, gi);
	/* The merge with the socket's new filter in place; put back if it fails. No limit applies
	 * to the merge (each filter has its own): a leave must never be refused for the size of
	 * what the other sockets ask for. */
	saved = *cur;
	cur->mode = nmode;
	cur->src = nsrc;
	err = mgm_hst_merge(h, g->socks, &imode, &isrc);
	if (err) {
		cur->mode = saved.mode;
		cur->src = saved.src;
		if (fresh) {
			g->socks = fresh->next;
			mgm_mem_free(&h->mem, fresh, sizeof(*fresh));
			fresh = NULL;
			if (created)
				mgm_hst_group_free(h, gi);
		}
		goto fail;
	}
	/* Committed from here: nothing below can fail. */
	mgm_hset_free(&h->mem, &saved.src);
	if (fresh) {
		g->nsocks++;
		h->nsocks++;
	}
	if (nmode == MGM_INCLUDE && !cur->src.n) {
		struct hsock **pp = &g->socks;

		while (*pp != cur)
			pp = &(*pp)->next;
		*pp = cur->next;
		mgm_hset_free(&h->mem, &cur->src);
		mgm_mem_free(&h->mem, cur, sizeof(*cur));
		g->nsocks--;
		h->nsocks--;
	}
	old_mode = g->mode;
	old_src = g->src;
	g->mode = imode;
	g->src = isrc;
	if (!state_equal(old_mode, &old_src, imode, &isrc) && h->running)
		mgm_hst_state_changed(h, now, gi, old_mode, &old_src);
	mgm_hset_free(&h->mem, &old_src);
	mgm_hst_group_gc(h, gi);
	return 0;
fail:
	if (fresh)
		mgm_mem_free(&h->mem, fresh, sizeof(*fresh));
	mgm_hset_free(&h->mem, &nsrc);
	return err;
}

int mgm_hst_close_socket(struct mgm_host *h, int64_t now, uint32_t sock)
{
	bool again = true;

	/* A leave may free its group, which moves entries of the table: walk again after each. */
	while (again) {
		again = false;
		for (uint32_t pos = 0, gi; (gi = mgm_htab_next(&h->gtab, &pos)) != MGM_NIL;) {
			if (sock_find(hgrp(h, gi), sock)) {
				struct mgm_addr a = hgrp(h, gi)->addr;
				int err = mgm_hst_socket_op(h, now, sock, MGM_HOP_LEAVE, &a, 0,
							    NULL, 0);

				if (err)
					return err;
				again = true;
				break;
			}
		}
	}
	return 0;
}
