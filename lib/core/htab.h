/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libmgm: a seeded open-addressing hash table of record indices, for every engine's
 * lookups by address. The keys stay in the records (in a mgm_pool); the table holds only their
 * indices, so the caller hashes a key with mgm_htab_hash() and compares candidates itself.
 */
#ifndef MGM_CORE_HTAB_H
#define MGM_CORE_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

/* The hash of an entry already in the table, from the key in its record (growing, shrinking
 * and removing move entries without their keys at hand). */
typedef uint32_t (*mgm_htab_hash_fn)(const void *ctx, uint32_t idx);

/*
 * Linear probing with deletion by backward shift (no tombstones), at a load of at most 3/4;
 * capacity a power of two, 0 (no slots) when empty. A table that keeps hashes stores each
 * entry's hash beside its index (8 octets a slot instead of 4), so probing and removing never
 * touch a record other than the one sought: worth it for a table on every packet's path.
 */
struct mgm_htab {
	struct mgm_mem *mem;
	uint32_t *slot;
	uint32_t mask; /* capacity - 1 */
	uint32_t count;
	uint64_t seed;
	mgm_htab_hash_fn hash_of;
	const void *ctx;
	uint8_t width; /* uint32_t per slot: 1 (index) or 2 (index, hash) */
	bool held;     /* no shrinking while a walk removes entries (mgm_htab_first()) */
};

/* Seeded so that a peer choosing addresses cannot aim them at one probe chain. */
void mgm_htab_init(struct mgm_htab *t, struct mgm_mem *mem, uint64_t seed, bool keep_hash,
		   mgm_htab_hash_fn hash_of, const void *ctx);
/* Gives the slots back; the table stays usable and empty. */
void mgm_htab_fini(struct mgm_htab *t);
/* Room for n more entries, so that the next n inserts cannot fail. 0 or MGM_E_NOMEM. */
int mgm_htab_reserve(struct mgm_htab *t, uint32_t n);
/* Adds idx with hash h (after a reserve; idx must not be in the table). */
void mgm_htab_insert(struct mgm_htab *t, uint32_t h, uint32_t idx);
/* Removes idx, which is in the table with hash h. A sparse table shrinks unless held. */
void mgm_htab_remove(struct mgm_htab *t, uint32_t h, uint32_t idx);
/* Gives the slots back if the table is empty (after a reservation that went unused). */
void mgm_htab_trim(struct mgm_htab *t);
/* While held the table never shrinks, so slots keep their entries' places (see
 * mgm_htab_first()). */
void mgm_htab_hold(struct mgm_htab *t, bool held);
size_t mgm_htab_bytes(const struct mgm_htab *t);

static inline uint64_t mgm_htab_mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ull;
	h ^= h >> 27;
	h *= 0x81dadef4bc2dd44dull;
	h ^= h >> 33;
	return h;
}

/* The hash of a 16-octet key (an address, zero-padded) and up to 64 bits of context that the
 * key is only unique within (its group, its owner). */
static inline uint32_t mgm_htab_hash(const struct mgm_htab *t, const uint8_t key[16],
				     uint64_t extra)
{
	uint64_t a, b;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	return (uint32_t)mgm_htab_mix((a ^ t->seed) * 0x9e3779b97f4a7c15ull +
				      mgm_htab_mix(b ^ extra ^ (t->seed >> 7)));
}

/* ---- Lookup: the candidates for a hash, which the caller compares with its key ------------ */

struct mgm_htab_probe {
	uint32_t i; /* next slot to look at */
	uint32_t h;
};

static inline uint32_t mgm_htab_probe_scan(const struct mgm_htab *t, struct mgm_htab_probe *p)
{
	for (;;) {
		const uint32_t *s = &t->slot[(size_t)p->i * t->width];

		p->i = (p->i + 1) & t->mask;
		if (s[0] == MGM_NIL)
			return MGM_NIL;
		if (t->width == 1 || s[1] == p->h)
			return s[0];
	}
}

/*
 * The first entry that may have hash h (one that has it, when the table keeps hashes), or
 * MGM_NIL; mgm_htab_probe_next() gives the next one, until MGM_NIL:
 *	for (i = mgm_htab_probe_first(t, h, &p); i != MGM_NIL; i = mgm_htab_probe_next(t, &p))
 *		if (key of record i equals the key sought) return i;
 */
static inline uint32_t mgm_htab_probe_first(const struct mgm_htab *t, uint32_t h,
					    struct mgm_htab_probe *p)
{
	if (!t->count)
		return MGM_NIL;
	p->h = h;
	p->i = h & t->mask;
	return mgm_htab_probe_scan(t, p);
}

static inline uint32_t mgm_htab_probe_next(const struct mgm_htab *t, struct mgm_htab_probe *p)
{
	return mgm_htab_probe_scan(t, p);
}

/* Starts loading the slot where a lookup of h begins, so that a batch of lookups waits for
 * memory once instead of once each. */
static inline void mgm_htab_prefetch(const struct mgm_htab *t, uint32_t h)
{
	if (t->count)
		__builtin_prefetch(&t->slot[(size_t)(h & t->mask) * t->width]);
}

/* The entry in the slot where a lookup of h begins (MGM_NIL if none): the likeliest match,
 * for a caller that prefetches records before comparing them. */
static inline uint32_t mgm_htab_home(const struct mgm_htab *t, uint32_t h)
{
	return t->count ? t->slot[(size_t)(h & t->mask) * t->width] : MGM_NIL;
}

/* ---- Walks ---------------------------------------------------------------------------------- */

/*
 * Every entry once, in slot order, while the table does not change:
 *	for (pos = 0; (i = mgm_htab_next(t, &pos)) != MGM_NIL;) ...
 */
static inline uint32_t mgm_htab_next(const struct mgm_htab *t, uint32_t *pos)
{
	while (t->count && *pos <= t->mask) {
		uint32_t idx = t->slot[(size_t)(*pos)++ * t->width];

		if (idx != MGM_NIL)
			return idx;
	}
	return MGM_NIL;
}

/*
 * Emptying a held table entry by entry: the entry in the first occupied slot at or after *pos
 * (*pos moved to that slot), or MGM_NIL when none is left. The caller removes it and calls
 * again with the same *pos: every slot before it is empty, so removal shifts entries only
 * from later slots back into it, and nothing is skipped.
 *	for (pos = 0; (i = mgm_htab_first(t, &pos)) != MGM_NIL;) remove i;
 */
static inline uint32_t mgm_htab_first(const struct mgm_htab *t, uint32_t *pos)
{
	while (t->count && *pos <= t->mask) {
		uint32_t idx = t->slot[(size_t)*pos * t->width];

		if (idx != MGM_NIL)
			return idx;
		(*pos)++;
	}
	return MGM_NIL;
}

#endif
