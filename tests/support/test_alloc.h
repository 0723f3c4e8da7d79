/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unit tests' allocator for the engines' hooks (struct mgm_allocator): counts live octets
 * and blocks, checks that every free() names the size its block was allocated with (and that
 * the block is a live one of ours), and refuses requests after a budget, at one chosen
 * attempt, or at random, to walk the MGM_E_NOMEM paths.
 */
#ifndef TEST_ALLOC_H
#define TEST_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/engine.h"

struct test_alloc {
	/* What to refuse; a zeroed struct refuses nothing. Set at any time. */
	bool limited;		 /* refuse once `budget` more allocations were granted */
	uint64_t budget;	 /* allocations still granted while limited */
	uint64_t refuse_attempt; /* refuse exactly this attempt (1-based); 0: none */
	unsigned fail_percent;	 /* refuse this share of the attempts, drawn from `seed` */
	uint64_t seed;		 /* test_rng.h state for fail_percent */
	/* A misuse is recorded in err; unless deferred, the test also fails at once. Deferred, the
	 * caller reports err itself (with its own context) and must check it. */
	bool defer_errors;

	/* Counts. */
	size_t live;	      /* octets allocated and not yet freed */
	uint64_t live_blocks; /* blocks allocated and not yet freed */
	uint64_t attempts;    /* alloc() calls, refused ones included */
	uint64_t allocs, frees, refused;
	char err[160]; /* the first misuse, or "" */
};

/* Hooks for the engines: ctx is a struct test_alloc. */
void *test_alloc_alloc(void *ctx, size_t size);
void test_alloc_free(void *ctx, void *ptr, size_t size);
struct mgm_allocator test_alloc_hooks(struct test_alloc *a);

/* Grants n more allocations, then refuses; n < 0: grants every one again. */
void test_alloc_budget(struct test_alloc *a, long n);

#endif
