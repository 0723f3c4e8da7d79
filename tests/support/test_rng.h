/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The deterministic PRNG (splitmix64) and the seed-from-environment helper of the randomized
 * tests (test_router_property.c, test_router_hosts.c, the refusals of test_alloc.c): one
 * generator, so that a seed printed by any of them replays the same way.
 */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t below(struct rng *g, uint32_t n)
{
	return n ? (uint32_t)(rnd(g) % n) : 0;
}

static inline uint32_t between(struct rng *g, uint32_t lo, uint32_t hi)
{
	return lo + below(g, hi - lo + 1);
}

static inline bool chance(struct rng *g, unsigned percent)
{
	return below(g, 100) < percent;
}

/* A number from the environment (strtoull base 0), or dflt when unset or empty. */
static inline uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

#endif
