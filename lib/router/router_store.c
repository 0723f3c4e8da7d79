/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Storage of the router's records: pools of group, source and tracking records, the hash
 * tables (core/htab.h) that find them by address (so a refresh costs one probe, never a list
 * walk), and their entries in the timer heap. No protocol rule lives here.
 */
#include <string.h>

#include "mgm/err.h"
#include "check.h"
#include "router_priv.h"

/* ---- Hashing ------------------------------------------------------------------------------ */

/* Keys are zero-padded to 16 octets, so one hash serves both families. Constant lengths, so
 * that the copies compile to a few moves. */
static inline void pad16(const struct mgm_router *r, uint8_t out[16], const uint8_t *addr)
{
	if (r->alen == 4) {
		memcpy(out, addr, 4);
		memset(out + 4, 0, 12);
	} else {
		memcpy(out, addr, 16);
	}
}

static uint32_t group_hash(const struct mgm_router *r, const uint8_t key[16])
{
	return mgm_htab_hash(&r->gtab, key, 0);
}

static uint32_t source_hash(const struct mgm_router *r, uint32_t gi, const uint8_t key[16])
{
	return mgm_htab_hash(&r->stab, key, (uint64_t)gi + 1);
}

static uint32_t track_hash(const struct mgm_router *r, uint8_t kind, uint32_t owner,
			   const uint8_t key[16])
{
	return mgm_htab_hash(&r->ttab, key, (uint64_t)kind << 32 | owner);
}

static uint32_t group_hash_of(const void *ctx, uint32_t idx)
{
	const struct mgm_router *r = ctx;

	return group_hash(r, grp(r, idx)->addr);
}

static uint32_t source_hash_of(const void *ctx, uint32_t idx)
{
	const struct mgm_router *r = ctx;
	const struct mgm_source *s = src(r, idx);

	return source_hash(r, s->group, s->addr);
}

static uint32_t track_hash_of(const void *ctx, uint32_t idx)
{
	const struct mgm_router *r = ctx;
	const struct mgm_track *t = trk(r, idx);

	return track_hash(r, t->kind, t->owner, t->host);
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
	/* The group table is on every report's path: it keeps hashes, so probing never reads
	 * a group record other than the one sought. */
	mgm_htab_init(&r->gtab, &r->mem, r->seed, true, group_hash_of, r);
	mgm_htab_init(&r->stab, &r->mem, r->seed ^ 0x5bd1e995u, false, source_hash_of, r);
	mgm_htab_init(&r->ttab, &r->mem, r->seed ^ 0xc2b2ae35u, false, track_hash_of, r);
	mgm_timer_init(&r->heap, &r->mem, heap_moved, r);
	r->src_key_max = INT64_MIN;
}

void mgm_rtr_store_fini(struct mgm_router *r)
{
	mgm_htab_fini(&r->gtab);
	mgm_htab_fini(&r->stab);
	mgm_htab_fini(&r->ttab);
	mgm_pool_fini(&r->groups);
	mgm_pool_fini(&r->sources);
	mgm_pool_fini(&r->tracks);
	mgm_timer_fini(&r->heap);
}

void mgm_rtr_store_trim(struct mgm_router *r)
{
	mgm_pool_trim(&r->groups);
	mgm_pool_trim(&r->sources);
	mgm_pool_trim(&r->tracks);
	mgm_htab_trim(&r->gtab);
	mgm_htab_trim(&r->stab);
	mgm_htab_trim(&r->ttab);
	mgm_timer_trim(&r->heap, r->groups.live + r->sources.live);
}

/* ---- Groups --------------------------------------------------------------------------------- */

uint32_t mgm_rtr_group_find(const struct mgm_router *r, const uint8_t *addr)
{
	struct mgm_htab_probe p;
	uint8_t key[16];
	uint32_t gi;

	pad16(r, key, addr);
	for (gi = mgm_htab_probe_first(&r->gtab, group_hash(r, key), &p); gi != MGM_NIL;
	     gi = mgm_htab_probe_next(&r->gtab, &p))
		if (!memcmp(grp(r, gi)->addr, key, 16))
			return gi;
	return MGM_NIL;
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
	if (mgm_pool_reserve(&r->groups, 1) || mgm_htab_reserve(&r->gtab, 1) ||
	    heap_reserve(r, 1)) {
		*why = MGM_DROP_NOMEM;
		return MGM_NIL;
	}
	pad16(r, key, addr);
	gi = mgm_pool_take(&r->groups);
	MGM_ASSERT(gi != MGM_NIL); /* reserved above */
	g = grp(r, gi);
	memcpy(g->addr, key, 16);
	mgm_rtr_group_timers_stop(g);
	g->heap = g->src_head = g->track_head = MGM_NIL;
	g->mode = MGM_INCLUDE;
	g->fwd = MGM_FWD_NONE;
	mgm_htab_insert(&r->gtab, group_hash(r, key), gi);
	return gi;
}

void mgm_rtr_group_free(struct mgm_router *r, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);

	mgm_htab_remove(&r->gtab, group_hash(r, g->addr), gi);
	if (g->heap != MGM_NIL)
		mgm_timer_remove(&r->heap, g->heap);
	mgm_pool_put(&r->groups, gi);
	/* Keep room for every record's timer (heap_reserve()), give back the rest. */
	mgm_timer_trim(&r->heap, r->groups.live + r->sources.live);
}

void mgm_rtr_group_rearm(struct mgm_router *r, uint32_t gi, bool exact)
{
	struct mgm_group *g = grp(r, gi);
	int64_t key = MGM_TIME_NEVER;

	/* §6.2.2: only an EXCLUDE-mode group has a group timer. */
	MGM_ASSERT(g->mode == MGM_EXCLUDE || g->deadline[MGM_GT_GROUP] == MGM_TIME_NEVER);
	for (int k = 0; k < MGM_GT__COUNT; k++)
		if (g->deadline[k] < key)
			key = g->deadline[k];
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
	uint32_t pos = 0, gi;

	while ((gi = mgm_htab_next(&r->gtab, &pos)) != MGM_NIL)
		fn(ctx, gi);
}

void mgm_rtr_group_delete_all(struct mgm_router *r)
{
	struct mgm_htab *tabs[3] = {&r->gtab, &r->stab, &r->ttab};
	uint32_t pos = 0, gi;

	/* Held: the group table must not shrink under the walk (mgm_htab_first()); the others
	 * need not shrink step by step when all of them go. */
	for (int i = 0; i < 3; i++)
		mgm_htab_hold(tabs[i], true);
	while ((gi = mgm_htab_first(&r->gtab, &pos)) != MGM_NIL) {
		uint32_t before = r->gtab.count;

		mgm_rtr_group_delete(r, gi);
		MGM_ASSERT(r->gtab.count < before); /* or the walk would not end */
		(void)before;
	}
	for (int i = 0; i < 3; i++)
		mgm_htab_hold(tabs[i], false);
}

/* ---- Sources -------------------------------------------------------------------------------- */

/* Whether s is the source of group gi with wire address a (the record's padding is zero). */
static inline bool source_is(const struct mgm_router *r, const struct mgm_source *s, uint32_t gi,
			     const uint8_t *a)
{
	if (s->group != gi)
		return false;
	return r->alen == 4 ? !memcmp(s->addr, a, 4) : !memcmp(s->addr, a, 16);
}

uint32_t mgm_rtr_source_find(const struct mgm_router *r, uint32_t gi, const uint8_t *addr)
{
	struct mgm_htab_probe p;
	uint8_t key[16];
	uint32_t si;

	pad16(r, key, addr);
	for (si = mgm_htab_probe_first(&r->stab, source_hash(r, gi, key), &p); si != MGM_NIL;
	     si = mgm_htab_probe_next(&r->stab, &p))
		if (source_is(r, src(r, si), gi, addr))
			return si;
	return MGM_NIL;
}

/*
 * With 100 000 groups the tables are far larger than the caches, and a lookup is two waits for
 * memory: its slot, then the record the slot names. One after the other for each source of a
 * record, they were most of the time of a v3 report. In three passes, each source's slot and
 * then its record are asked for before any is needed, so the batch waits about twice in all.
 * out[] holds the hashes meanwhile.
 */
void mgm_rtr_source_find_batch(const struct mgm_router *r, uint32_t gi, const uint8_t *addrs,
			       uint32_t n, uint32_t *out)
{
	uint8_t key[16];

	for (uint32_t i = 0; i < n; i++) {
		pad16(r, key, addrs + (size_t)i * r->alen);
		out[i] = source_hash(r, gi, key);
		mgm_htab_prefetch(&r->stab, out[i]);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t si = mgm_htab_home(&r->stab, out[i]);

		if (si != MGM_NIL) {
			/* A record may straddle two cache lines. */
			__builtin_prefetch(src(r, si));
			__builtin_prefetch((const uint8_t *)src(r, si) + sizeof(struct mgm_source) -
					   1);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *a = addrs + (size_t)i * r->alen;
		struct mgm_htab_probe p;
		uint32_t si;

		for (si = mgm_htab_probe_first(&r->stab, out[i], &p); si != MGM_NIL;
		     si = mgm_htab_probe_next(&r->stab, &p))
			if (source_is(r, src(r, si), gi, a))
				break;
		out[i] = si;
	}
}

int mgm_rtr_source_reserve(struct mgm_router *r, uint32_t n)
{
	if (mgm_pool_reserve(&r->sources, n) || mgm_htab_reserve(&r->stab, n) || heap_reserve(r, n))
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
	mgm_htab_insert(&r->stab, source_hash(r, gi, s->addr), si);
	r->ctr.sources_added++;
	return si;
}

void mgm_rtr_source_free(struct mgm_router *r, uint32_t si)
{
	struct mgm_source *s = src(r, si);
	struct mgm_group *g = grp(r, s->group);

	mgm_htab_remove(&r->stab, source_hash(r, s->group, s->addr), si);
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

/* The deadline of a running source timer from its entry's key (struct mgm_source). */
static int64_t source_deadline_from(const struct mgm_source *s, int64_t key)
{
	return key + (uint32_t)(s->timer_lo - (uint32_t)key);
}

int64_t mgm_rtr_source_deadline(const struct mgm_router *r, const struct mgm_source *s)
{
	if (s->heap == MGM_NIL)
		return MGM_TIME_NEVER;
	return source_deadline_from(s, mgm_timer_when(&r->heap, s->heap));
}

/* Keys the source's entry exactly at its deadline `when`. */
static void source_key(struct mgm_router *r, struct mgm_source *s, uint32_t si, int64_t when)
{
	if (s->heap == MGM_NIL)
		MGM_MUST(mgm_timer_push(&r->heap, when, si | REF_SOURCE)); /* room reserved */
	else
		mgm_timer_update(&r->heap, s->heap, when);
	s->timer_lo = (uint32_t)when;
	if (when > r->src_key_max)
		r->src_key_max = when;
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
		s->timer_lo = 0;
		return;
	}
	if (s->heap == MGM_NIL) {
		source_key(r, s, si, when);
		return;
	}
	/* A refresh (to GMI, later than every entry keyed so far while GMI stays as it is):
	 * the entry is at or before `when`, and not 2^32 ms before it since the earliest entry
	 * is not, so the entry stays where it is and the heap is not read. */
	if (when >= r->src_key_max && when - mgm_timer_first(&r->heap) <= (int64_t)UINT32_MAX) {
		s->timer_lo = (uint32_t)when;
		return;
	}
	key = mgm_timer_when(&r->heap, s->heap);
	if (when >= key && when - key <= (int64_t)UINT32_MAX) {
		/* Later: the entry stays, it fires early and moves on. */
		s->timer_lo = (uint32_t)when;
		return;
	}
	source_key(r, s, si, when);
}

bool mgm_rtr_source_rekey(struct mgm_router *r, uint32_t si, int64_t now)
{
	struct mgm_source *s = src(r, si);
	int64_t when = mgm_rtr_source_deadline(r, s);

	if (when <= now)
		return false;
	source_key(r, s, si, when);
	return true;
}

/* ---- Tracking records ------------------------------------------------------------------------ */

uint32_t mgm_rtr_track_find(const struct mgm_router *r, uint8_t kind, uint32_t owner,
			    const uint8_t *host)
{
	struct mgm_htab_probe p;
	uint8_t key[16];
	uint32_t ti;

	pad16(r, key, host);
	for (ti = mgm_htab_probe_first(&r->ttab, track_hash(r, kind, owner, key), &p);
	     ti != MGM_NIL; ti = mgm_htab_probe_next(&r->ttab, &p)) {
		const struct mgm_track *t = trk(r, ti);

		if (t->kind == kind && t->owner == owner && !memcmp(t->host, key, 16))
			return ti;
	}
	return MGM_NIL;
}

uint32_t mgm_rtr_track_new(struct mgm_router *r, uint8_t kind, uint32_t owner, const uint8_t *host)
{
	struct mgm_track *t;
	uint32_t ti;

	if (r->tracks.live >= r->cfg.max_tracked || mgm_pool_reserve(&r->tracks, 1) ||
	    mgm_htab_reserve(&r->ttab, 1))
		return MGM_NIL;
	ti = mgm_pool_take(&r->tracks);
	MGM_ASSERT(ti != MGM_NIL); /* reserved above */
	t = trk(r, ti);
	pad16(r, t->host, host);
	t->kind = kind;
	t->owner = owner;
	t->next = t->prev = t->aux = MGM_NIL;
	mgm_htab_insert(&r->ttab, track_hash(r, kind, owner, t->host), ti);
	return ti;
}

void mgm_rtr_track_free(struct mgm_router *r, uint32_t ti)
{
	struct mgm_track *t = trk(r, ti);

	mgm_htab_remove(&r->ttab, track_hash(r, t->kind, t->owner, t->host), ti);
	mgm_pool_put(&r->tracks, ti);
}
