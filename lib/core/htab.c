/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engines' hash table of record indices (htab.h): growth and shrinking, insertion, and
 * removal by backward shift, so probe chains stay as short as the load makes them however
 * long entries come and go. Lookups are inline in htab.h.
 */
#include <string.h>

#include "check.h"
#include "htab.h"
#include "mgm/err.h"

void mgm_htab_init(struct mgm_htab *t, struct mgm_mem *mem, uint64_t seed, bool keep_hash,
		   mgm_htab_hash_fn hash_of, const void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
	t->seed = seed;
	t->width = keep_hash ? 2 : 1;
	t->hash_of = hash_of;
	t->ctx = ctx;
}

size_t mgm_htab_bytes(const struct mgm_htab *t)
{
	return t->slot ? ((size_t)t->mask + 1) * t->width * sizeof(uint32_t) : 0;
}

void mgm_htab_fini(struct mgm_htab *t)
{
	mgm_mem_free(t->mem, t->slot, mgm_htab_bytes(t));
	t->slot = NULL;
	t->mask = t->count = 0;
}

void mgm_htab_trim(struct mgm_htab *t)
{
	if (t->count == 0)
		mgm_htab_fini(t);
}

void mgm_htab_hold(struct mgm_htab *t, bool held)
{
	t->held = held;
}

static uint32_t at(const struct mgm_htab *t, uint32_t i)
{
	return t->slot[(size_t)i * t->width];
}

static uint32_t hash_at(const struct mgm_htab *t, uint32_t i)
{
	return t->width == 2 ? t->slot[(size_t)i * 2 + 1] : t->hash_of(t->ctx, t->slot[i]);
}

void mgm_htab_insert(struct mgm_htab *t, uint32_t h, uint32_t idx)
{
	uint32_t i;

	/* Room is reserved (mgm_htab_reserve()): the load stays below 3/4, so a free slot
	 * exists and the loop ends. */
	MGM_ASSERT(t->slot && (uint64_t)(t->count + 1) * 4 <= ((uint64_t)t->mask + 1) * 3);
	MGM_ASSERT(idx != MGM_NIL);
	i = h & t->mask;
	while (at(t, i) != MGM_NIL)
		i = (i + 1) & t->mask;
	t->slot[(size_t)i * t->width] = idx;
	if (t->width == 2)
		t->slot[(size_t)i * 2 + 1] = h;
	t->count++;
}

static int resize(struct mgm_htab *t, uint32_t ncap)
{
	struct mgm_htab n = *t;
	size_t bytes = (size_t)ncap * t->width * sizeof(uint32_t);

	n.slot = mgm_mem_alloc(t->mem, bytes);
	if (!n.slot)
		return MGM_E_NOMEM;
	memset(n.slot, 0xff, bytes);
	n.mask = ncap - 1;
	n.count = 0;
	if (t->slot) {
		for (uint32_t i = 0; i <= t->mask; i++)
			if (at(t, i) != MGM_NIL)
				mgm_htab_insert(&n, hash_at(t, i), at(t, i));
		mgm_mem_free(t->mem, t->slot, mgm_htab_bytes(t));
	}
	*t = n;
	return 0;
}

int mgm_htab_reserve(struct mgm_htab *t, uint32_t n)
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
	return resize(t, (uint32_t)ncap);
}

void mgm_htab_remove(struct mgm_htab *t, uint32_t h, uint32_t idx)
{
	uint32_t i, j;

	MGM_ASSERT(t->count > 0);
	i = h & t->mask;
	while (at(t, i) != idx) {
		MGM_ASSERT(at(t, i) != MGM_NIL); /* idx is in the table under h */
		i = (i + 1) & t->mask;
	}
	j = i;
	for (;;) {
		uint32_t k;

		j = (j + 1) & t->mask;
		if (at(t, j) == MGM_NIL)
			break;
		k = hash_at(t, j) & t->mask;
		/* The entry at j may move to i unless its home k lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		for (uint32_t w = 0; w < t->width; w++)
			t->slot[(size_t)i * t->width + w] = t->slot[(size_t)j * t->width + w];
		i = j;
	}
	t->slot[(size_t)i * t->width] = MGM_NIL;
	t->count--;
	if (t->held)
		return;
	if (t->count == 0) {
		mgm_htab_fini(t);
	} else if (t->mask >= 63 && (uint64_t)t->count * 8 < (uint64_t)t->mask + 1) {
		/* A sparse table shrinks to a load of 3/8. Nothing relies on it: when memory is
		 * short the table stays as it is, correct and larger. */
		uint32_t ncap = 16;

		while ((uint64_t)ncap * 3 < (uint64_t)t->count * 8)
			ncap *= 2;
		(void)resize(t, ncap);
	}
}
