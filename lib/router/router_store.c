/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Storage of the router's records: pools of group, source and tracking records, the seeded
 * open-addressing hash tables that find them by address (so a refresh costs one probe, never
 * a list walk), and their entries in the timer heap. No protocol rule lives here.
 */
#include <string.h>

#include "mgm/err.h"
#include "check.h"
#include "router_priv.h"

/* ---- Hashing ------------------------------------------------------------------------------ */

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ull;
	h ^= h >> 27;
	h *= 0x81dadef4bc2dd44dull;
	h ^= h >> 33;
	return h;
}

/* Seeded so that a peer choosing addresses cannot aim them at one probe chain. */
static inline uint32_t hash16(uint64_t seed, const uint8_t key[16], uint64_t extra)
{
	uint64_t a, b;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	return (uint32_t)mix((a ^ seed) * 0x9e3779b97f4a7c15ull + mix(b ^ extra ^ (seed >> 7)));
}

static inline void pad16(const struct mgm_router *r, uint8_t out[16], const uint8_t *addr)
{
	memset(out, 0, 16);
	memcpy(out, addr, r->alen);
}

static uint32_t group_hash(const struct mgm_router *r, const uint8_t key[16])
{
	return hash16(r->seed, key, 0);
}

static uint32_t source_hash(const struct mgm_router *r, uint32_t gi, const uint8_t key[16])
{
	return hash16(r->seed ^ 0x5bd1e995u, key, (uint64_t)gi + 1);
}

static uint32_t track_hash(const struct mgm_router *r, uint8_t kind, uint32_t owner,
			   const uint8_t key[16])
{
	return hash16(r->seed ^ 0xc2b2ae35u, key, (uint64_t)kind << 32 | owner);
}

static uint32_t group_hash_of(const struct mgm_router *r, uint32_t idx)
{
	return group_hash(r, grp(r, idx)->addr);
}

static uint32_t source_hash_of(const struct mgm_router *r, uint32_t idx)
{
	const struct mgm_source *s = src(r, idx);

	return source_hash(r, s->group, s->addr);
}

static uint32_t track_hash_of(const struct mgm_router *r, uint32_t idx)
{
	const struct mgm_track *t = trk(r, idx);

	return track_hash(r, t->kind, t->owner, t->host);
}

/* ---- Open addressing ------------------------------------------------------------------------ */

typedef uint32_t (*hash_of_fn)(const struct mgm_router *r, uint32_t idx);

static size_t htab_bytes(const struct mgm_htab *t)
{
	return t->slot ? ((size_t)t->mask + 1) * t->width * sizeof(uint32_t) : 0;
}

/* Gives the slots back; the table keeps its width and grows again on the next reserve. */
static void htab_release(struct mgm_router *r, struct mgm_htab *t)
{
	mgm_mem_free(&r->mem, t->slot, htab_bytes(t));
	t->slot = NULL;
	t->mask = t->count = 0;
}

static void htab_insert(struct mgm_htab *t, uint32_t h, uint32_t idx)
{
	uint32_t i = h & t->mask;

	while (htab_at(t, i) != MGM_NIL)
		i = (i + 1) & t->mask;
	t->slot[(size_t)i * t->width] = idx;
	if (t->width == 2)
		t->slot[(size_t)i * 2 + 1] = h;
	t->count++;
}

static uint32_t slot_hash(const struct mgm_router *r, const struct mgm_htab *t, uint32_t i,
			  hash_of_fn hof)
{
	return t->width == 2 ? t->slot[(size_t)i * 2 + 1] : hof(r, t->slot[i]);
}

static int htab_resize(struct mgm_router *r, struct mgm_htab *t, uint32_t ncap, hash_of_fn hof)
{
	struct mgm_htab n = {.mask = ncap - 1, .count = 0, .width = t->width};
	size_t bytes = (size_t)ncap * t->width * sizeof(uint32_t);

	n.slot = mgm_mem_alloc(&r->mem, bytes);
	if (!n.slot)
		return MGM_E_NOMEM;
	memset(n.slot, 0xff, bytes);
	if (t->slot) {
		for (uint32_t i = 0; i <= t->mask; i++)
			if (htab_at(t, i) != MGM_NIL)
				htab_insert(&n, slot_hash(r, t, i, hof), htab_at(t, i));
		mgm_mem_free(&r->mem, t->slot, htab_bytes(t));
	}
	*t = n;
	return 0;
}

/* Room for n more entries at a load of at most 3/4. */
static int htab_reserve(struct mgm_router *r, struct mgm_htab *t, uint32_t n, hash_of_fn hof)
{
	uint64_t need = (uint64_t)t->count + n;
	uint64_t cap = t->slot ? (uint64_t)t->mask + 1 : 0;
	uint64_t ncap = cap ? cap : 16;

	if (need * 4 <= cap * 3)
		return 0;
	while (need * 4 > ncap * 3)
		ncap *= 2;
	if (ncap > (1ull << 30))
		return MGM_E_NOMEM;
	return htab_resize(r, t, (uint32_t)ncap, hof);
}

static void htab_move(struct mgm_htab *t, uint32_t to, uint32_t from)
{
	for (uint32_t w = 0; w < t->width; w++)
		t->slot[(size_t)to * t->width + w] = t->slot[(size_t)from * t->width + w];
}

/* Deletion by backward shift: no tombstones, so probe chains never rot. */
static void htab_remove(struct mgm_router *r, struct mgm_htab *t, uint32_t h, uint32_t idx,
			hash_of_fn hof)
{
	uint32_t i = h & t->mask, j;

	while (htab_at(t, i) != idx)
		i = (i + 1) & t->mask;
	j = i;
	for (;;) {
		uint32_t k;

		j = (j + 1) & t->mask;
		if (htab_at(t, j) == MGM_NIL)
			break;
		k = slot_hash(r, t, j, hof) & t->mask;
		/* The entry at j may move to i unless its home k lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		htab_move(t, i, j);
		i = j;
	}
	t->slot[(size_t)i * t->width] = MGM_NIL;
	t->count--;
	if (r->bulk)
		return;
	if (t->count == 0) {
		htab_release(r, t);
	} else if (t->mask >= 63 && (uint64_t)t->count * 8 < (uint64_t)t->mask + 1) {
		/* A sparse table shrinks to a load of 3/8; if memory is short it stays. */
		uint32_t ncap = 16;

		while ((uint64_t)ncap * 3 < (uint64_t)t->count * 8)
			ncap *= 2;
		(void)htab_resize(r, t, ncap, hof);
	}
}

/* ---- Heap owners ---------------------------------------------------------------------------- */

static void heap_moved(void *ctx, uint32_t ref, uint32_t pos)
{
	struct mgm_router *r = ctx;

	if (ref & REF_SOURCE)
		src(r, ref & ~REF_SOURCE)->heap = pos;
	else
		grp(r, ref)->heap = pos;
}

/* Every group and source has at most one heap entry: room for all of them means no push can
 * fail half-way through a table row. */
static int heap_reserve(struct mgm_router *r, uint32_t more)
{
	return mgm_timer_reserve(&r->heap, r->groups.live + r->sources.live + more);
}

void mgm_rtr_store_init(struct mgm_router *r)
{
	mgm_pool_init(&r->groups, &r->mem, sizeof(struct mgm_group));
	mgm_pool_init(&r->sources, &r->mem, sizeof(struct mgm_source));
	mgm_pool_init(&r->tracks, &r->mem, sizeof(struct mgm_track));
	memset(&r->gtab, 0, sizeof(r->gtab));
	memset(&r->stab, 0, sizeof(r->stab));
	memset(&r->ttab, 0, sizeof(r->ttab));
	r->gtab.width = 2;
	r->stab.width = r->ttab.width = 1;
	mgm_timer_init(&r->heap, &r->mem, heap_moved, r);
}

void mgm_rtr_store_fini(struct mgm_router *r)
{
	htab_release(r, &r->gtab);
	htab_release(r, &r->stab);
	htab_release(r, &r->ttab);
	mgm_pool_fini(&r->groups);
	mgm_pool_fini(&r->sources);
	mgm_pool_fini(&r->tracks);
	mgm_timer_fini(&r->heap);
}

void mgm_rtr_store_trim(struct mgm_router *r)
{
	struct mgm_htab *tabs[3] = {&r->gtab, &r->stab, &r->ttab};

	mgm_pool_trim(&r->groups);
	mgm_pool_trim(&r->sources);
	mgm_pool_trim(&r->tracks);
	for (int i = 0; i < 3; i++)
		if (tabs[i]->count == 0)
			htab_release(r, tabs[i]);
	mgm_timer_trim(&r->heap, r->groups.live + r->sources.live);
}

size_t mgm_rtr_store_bytes(const struct mgm_router *r)
{
	return mgm_pool_bytes(&r->groups) + mgm_pool_bytes(&r->sources) +
	       mgm_pool_bytes(&r->tracks) + htab_bytes(&r->gtab) + htab_bytes(&r->stab) +
	       htab_bytes(&r->ttab) + mgm_timer_bytes(&r->heap);
}

/* ---- Groups --------------------------------------------------------------------------------- */

uint32_t mgm_rtr_group_find(const struct mgm_router *r, const uint8_t *addr)
{
	uint8_t key[16];
	uint32_t i, h;

	if (!r->gtab.count)
		return MGM_NIL;
	pad16(r, key, addr);
	h = group_hash(r, key);
	i = h & r->gtab.mask;
	for (;;) {
		const uint32_t *slot = &r->gtab.slot[(size_t)i * 2];

		if (slot[0] == MGM_NIL)
			return MGM_NIL;
		if (slot[1] == h && !memcmp(grp(r, slot[0])->addr, key, 16))
			return slot[0];
		i = (i + 1) & r->gtab.mask;
	}
}

uint32_t mgm_rtr_group_new(struct mgm_router *r, const uint8_t *addr, enum mgm_router_drop *why)
{
	struct mgm_group *g;
	uint32_t gi;
	uint8_t key[16];

	if (r->groups.live >= r->cfg.max_groups) {
		*why = MGM_DROP_GROUP_LIMIT;
		return MGM_NIL;
	}
	if (mgm_pool_reserve(&r->groups, 1) || htab_reserve(r, &r->gtab, 1, group_hash_of) ||
	    heap_reserve(r, 1)) {
		*why = MGM_DROP_NOMEM;
		return MGM_NIL;
	}
	pad16(r, key, addr);
	gi = mgm_pool_take(&r->groups);
	MGM_ASSERT(gi != MGM_NIL); /* reserved above */
	g = grp(r, gi);
	memcpy(g->addr, key, 16);
	g->group_timer = MGM_TIME_NEVER;
	g->older_host[0] = g->older_host[1] = MGM_TIME_NEVER;
	g->rtx_at = MGM_TIME_NEVER;
	g->heap = g->src_head = g->track_head = MGM_NIL;
	g->mode = MGM_INCLUDE;
	g->fwd = MGM_FWD_NONE;
	htab_insert(&r->gtab, group_hash(r, key), gi);
	return gi;
}

void mgm_rtr_group_free(struct mgm_router *r, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);

	htab_remove(r, &r->gtab, group_hash(r, g->addr), gi, group_hash_of);
	if (g->heap != MGM_NIL)
		mgm_timer_remove(&r->heap, g->heap);
	mgm_pool_put(&r->groups, gi);
	/* Keep room for every record's timer (heap_reserve()), give back the rest. */
	mgm_timer_trim(&r->heap, r->groups.live + r->sources.live);
}

void mgm_rtr_group_rearm(struct mgm_router *r, uint32_t gi, bool exact)
{
	struct mgm_group *g = grp(r, gi);
	int64_t key = g->rtx_at;

	if (g->mode == MGM_EXCLUDE && g->group_timer < key)
		key = g->group_timer;
	if (g->older_host[0] < key)
		key = g->older_host[0];
	if (g->older_host[1] < key)
		key = g->older_host[1];
	if (key == MGM_TIME_NEVER) {
		if (g->heap != MGM_NIL) {
			mgm_timer_remove(&r->heap, g->heap);
			g->heap = MGM_NIL;
		}
		return;
	}
	if (g->heap == MGM_NIL)
		MGM_MUST(mgm_timer_push(&r->heap, key, gi)); /* room reserved with the group */
	else if (exact || key < mgm_timer_when(&r->heap, g->heap))
		mgm_timer_update(&r->heap, g->heap, key);
}

void mgm_rtr_group_walk(const struct mgm_router *r, void (*fn)(void *ctx, uint32_t gi), void *ctx)
{
	if (!r->gtab.slot)
		return;
	for (uint32_t i = 0; i <= r->gtab.mask; i++)
		if (htab_at(&r->gtab, i) != MGM_NIL)
			fn(ctx, htab_at(&r->gtab, i));
}

/* ---- Sources -------------------------------------------------------------------------------- */

uint32_t mgm_rtr_source_find(const struct mgm_router *r, uint32_t gi, const uint8_t *addr)
{
	uint8_t key[16];
	uint32_t i;

	if (!r->stab.count)
		return MGM_NIL;
	pad16(r, key, addr);
	i = source_hash(r, gi, key) & r->stab.mask;
	for (;;) {
		uint32_t idx = htab_at(&r->stab, i);
		const struct mgm_source *s;

		if (idx == MGM_NIL)
			return MGM_NIL;
		s = src(r, idx);
		if (s->group == gi && !memcmp(s->addr, key, 16))
			return idx;
		i = (i + 1) & r->stab.mask;
	}
}

int mgm_rtr_source_reserve(struct mgm_router *r, uint32_t n)
{
	if (mgm_pool_reserve(&r->sources, n) || htab_reserve(r, &r->stab, n, source_hash_of) ||
	    heap_reserve(r, n))
		return MGM_E_NOMEM;
	return 0;
}

uint32_t mgm_rtr_source_new(struct mgm_router *r, uint32_t gi, const uint8_t *addr)
{
	struct mgm_group *g = grp(r, gi);
	struct mgm_source *s;
	uint32_t si = mgm_pool_take(&r->sources);

	MGM_ASSERT(si != MGM_NIL); /* the caller reserved room for the record's sources */
	s = src(r, si);
	pad16(r, s->addr, addr);
	s->group = gi;
	s->heap = MGM_NIL;
	s->prev = MGM_NIL;
	s->next = g->src_head;
	if (g->src_head != MGM_NIL)
		src(r, g->src_head)->prev = si;
	g->src_head = si;
	g->num_src++;
	g->flags |= GF_DIRTY;
	htab_insert(&r->stab, source_hash(r, gi, s->addr), si);
	r->ctr.sources_added++;
	return si;
}

void mgm_rtr_source_free(struct mgm_router *r, uint32_t si)
{
	struct mgm_source *s = src(r, si);
	struct mgm_group *g = grp(r, s->group);

	htab_remove(r, &r->stab, source_hash(r, s->group, s->addr), si, source_hash_of);
	if (s->heap != MGM_NIL)
		mgm_timer_remove(&r->heap, s->heap);
	if (s->prev != MGM_NIL)
		src(r, s->prev)->next = s->next;
	else
		g->src_head = s->next;
	if (s->next != MGM_NIL)
		src(r, s->next)->prev = s->prev;
	g->num_src--;
	mgm_pool_put(&r->sources, si);
	r->ctr.sources_removed++;
	mgm_timer_trim(&r->heap, r->groups.live + r->sources.live);
}

int64_t mgm_rtr_source_deadline(const struct mgm_router *r, const struct mgm_source *s)
{
	return s->heap == MGM_NIL ? MGM_TIME_NEVER : mgm_timer_when(&r->heap, s->heap) + s->delta;
}

void mgm_rtr_source_set_timer(struct mgm_router *r, uint32_t si, int64_t when)
{
	struct mgm_source *s = src(r, si);
	int64_t key;

	if (when == MGM_TIME_NEVER) {
		if (s->heap != MGM_NIL) {
			mgm_timer_remove(&r->heap, s->heap);
			s->heap = MGM_NIL;
		}
		s->delta = 0;
		return;
	}
	if (s->heap == MGM_NIL) {
		s->delta = 0;
		MGM_MUST(mgm_timer_push(&r->heap, when, si | REF_SOURCE)); /* room reserved */
		return;
	}
	key = mgm_timer_when(&r->heap, s->heap);
	if (when >= key && when - key <= (int64_t)UINT32_MAX) {
		/* Later: the entry stays, it fires early and moves on. */
		s->delta = (uint32_t)(when - key);
		return;
	}
	s->delta = 0;
	mgm_timer_update(&r->heap, s->heap, when);
}

bool mgm_rtr_source_rekey(struct mgm_router *r, uint32_t si, int64_t now)
{
	struct mgm_source *s = src(r, si);
	int64_t when = mgm_timer_when(&r->heap, s->heap) + s->delta;

	if (when <= now)
		return false;
	s->delta = 0;
	mgm_timer_update(&r->heap, s->heap, when);
	return true;
}

/* ---- Tracking records ------------------------------------------------------------------------ */

uint32_t mgm_rtr_track_find(const struct mgm_router *r, uint8_t kind, uint32_t owner,
			    const uint8_t *host)
{
	uint8_t key[16];
	uint32_t i;

	if (!r->ttab.count)
		return MGM_NIL;
	pad16(r, key, host);
	i = track_hash(r, kind, owner, key) & r->ttab.mask;
	for (;;) {
		uint32_t idx = htab_at(&r->ttab, i);
		const struct mgm_track *t;

		if (idx == MGM_NIL)
			return MGM_NIL;
		t = trk(r, idx);
		if (t->kind == kind && t->owner == owner && !memcmp(t->host, key, 16))
			return idx;
		i = (i + 1) & r->ttab.mask;
	}
}

uint32_t mgm_rtr_track_new(struct mgm_router *r, uint8_t kind, uint32_t owner, const uint8_t *host)
{
	struct mgm_track *t;
	uint32_t ti;

	if (r->tracks.live >= r->cfg.max_tracked || mgm_pool_reserve(&r->tracks, 1) ||
	    htab_reserve(r, &r->ttab, 1, track_hash_of))
		return MGM_NIL;
	ti = mgm_pool_take(&r->tracks);
	MGM_ASSERT(ti != MGM_NIL); /* reserved above */
	t = trk(r, ti);
	pad16(r, t->host, host);
	t->kind = kind;
	t->owner = owner;
	t->next = t->prev = t->aux = MGM_NIL;
	htab_insert(&r->ttab, track_hash(r, kind, owner, t->host), ti);
	return ti;
}

void mgm_rtr_track_free(struct mgm_router *r, uint32_t ti)
{
	struct mgm_track *t = trk(r, ti);

	htab_remove(r, &r->ttab, track_hash(r, t->kind, t->owner, t->host), ti, track_hash_of);
	mgm_pool_put(&r->tracks, ti);
}
