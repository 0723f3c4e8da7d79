/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engines' hash table (lib/core/htab.c): lookups agree with a plain list under random
 * insertions and removals, with and without stored hashes, with hashes that pile up in one
 * chain and wrap around the end of the table; growth, shrinking and giving memory back; walks
 * that see every entry once; refusal by the allocator; the seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../lib/core/htab.h"
#include "mgm/err.h"
#include "test_alloc.h"
#include "test_rng.h"

#define N 4000

/* The records the table names: their keys live here, as in an engine's pool. */
struct store {
	struct mgm_htab t;
	uint8_t key[N][16];
	bool in[N];
	uint32_t count;
	uint32_t buckets; /* 0: real hashes; else hashes fall into this few values (collisions) */
};

static uint32_t hash_key(const struct store *s, const uint8_t key[16])
{
	uint32_t h = mgm_htab_hash(&s->t, key, 7);

	/* Few distinct hashes near the top of the range: long chains that wrap around. */
	return s->buckets ? UINT32_MAX - h % s->buckets : h;
}

static uint32_t hash_of(const void *ctx, uint32_t idx)
{
	const struct store *s = ctx;

	return hash_key(s, s->key[idx]);
}

static uint32_t find(const struct store *s, const uint8_t key[16])
{
	struct mgm_htab_probe p;
	uint32_t i;

	for (i = mgm_htab_probe_first(&s->t, hash_key(s, key), &p); i != MGM_NIL;
	     i = mgm_htab_probe_next(&s->t, &p))
		if (!memcmp(s->key[i], key, 16))
			return i;
	return MGM_NIL;
}

static void store_init(struct store *s, struct mgm_mem *mem, bool keep_hash, uint32_t buckets)
{
	memset(s, 0, sizeof(*s));
	s->buckets = buckets;
	mgm_htab_init(&s->t, mem, 0x1234567890abcdefull, keep_hash, hash_of, s);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t v = 0x0a000000u + i * 7919u;

		/* IPv4-like keys, zero-padded, and a few IPv6-like ones. */
		memcpy(s->key[i], &v, 4);
		if (i % 5 == 0)
			memcpy(s->key[i] + 8, &v, 4);
	}
}

static void add(struct store *s, uint32_t i)
{
	assert_int_equal(mgm_htab_reserve(&s->t, 1), 0);
	mgm_htab_insert(&s->t, hash_key(s, s->key[i]), i);
	s->in[i] = true;
	s->count++;
}

static void del(struct store *s, uint32_t i)
{
	mgm_htab_remove(&s->t, hash_key(s, s->key[i]), i);
	s->in[i] = false;
	s->count--;
}

/* Every present key is found under its own index, every absent one is not found, and a walk
 * sees each entry exactly once. */
static void check(const struct store *s)
{
	static uint8_t seen[N];
	uint32_t pos = 0, i, walked = 0;

	assert_int_equal(s->t.count, s->count);
	for (i = 0; i < N; i++)
		assert_int_equal(find(s, s->key[i]), s->in[i] ? i : MGM_NIL);
	memset(seen, 0, sizeof(seen));
	while ((i = mgm_htab_next(&s->t, &pos)) != MGM_NIL) {
		assert_true(i < N && s->in[i] && !seen[i]);
		seen[i] = 1;
		walked++;
	}
	assert_int_equal(walked, s->count);
	if (s->t.slot)
		assert_true((uint64_t)s->t.count * 4 <= ((uint64_t)s->t.mask + 1) * 3);
}

/* The engines' memory through the tests' allocator, which checks the size of every free. */
static void mem_init(struct mgm_mem *mem, struct test_alloc *a)
{
	struct mgm_allocator hooks = test_alloc_hooks(a);

	memset(a, 0, sizeof(*a));
	assert_int_equal(mgm_mem_init(mem, &hooks), 0);
}

static void random_ops(bool keep_hash, uint32_t buckets, uint32_t ops)
{
	struct rng g = {88172645463325252ull + buckets};
	struct test_alloc a;
	struct mgm_mem mem;
	struct store *s = malloc(sizeof(*s));

	assert_non_null(s);
	mem_init(&mem, &a);
	store_init(s, &mem, keep_hash, buckets);
	for (uint32_t k = 0; k < ops; k++) {
		/* Phases that grow and phases that drain, so the table also shrinks. */
		bool grow = (k / (ops / 8)) % 2 == 0;
		uint32_t i = below(&g, N);

		if (!s->in[i] && (grow || chance(&g, 25)))
			add(s, i);
		else if (s->in[i] && (!grow || chance(&g, 25)))
			del(s, i);
		if (k % (ops / 16) == 0)
			check(s);
	}
	check(s);
	for (uint32_t i = 0; i < N; i++)
		if (s->in[i])
			del(s, i);
	check(s);
	/* Empty: every slot was given back. */
	assert_null(s->t.slot);
	assert_int_equal(mem.in_use, 0);
	assert_int_equal(a.live, 0);
	free(s);
}

static void test_htab_agrees_with_a_list_under_random_changes(void **state)
{
	(void)state;
	random_ops(false, 0, 60000);
}

static void test_htab_keeping_hashes_agrees_with_a_list(void **state)
{
	(void)state;
	random_ops(true, 0, 60000);
}

/* Removal by backward shift in long chains that wrap from the last slot to the first. */
static void test_htab_removal_keeps_colliding_chains_intact(void **state)
{
	(void)state;
	random_ops(false, 3, 6000);
	random_ops(true, 5, 6000);
}

static void test_htab_grows_and_shrinks_and_counts_its_memory(void **state)
{
	struct test_alloc a;
	struct mgm_mem mem;
	struct store *s = malloc(sizeof(*s));
	uint32_t big;

	(void)state;
	assert_non_null(s);
	mem_init(&mem, &a);
	store_init(s, &mem, true, 0);
	assert_int_equal(mgm_htab_bytes(&s->t), 0);
	assert_int_equal(mgm_htab_reserve(&s->t, 3), 0);
	assert_int_equal(mgm_htab_bytes(&s->t), 16 * 2 * sizeof(uint32_t));
	/* A reservation that went unused is given back by trim. */
	mgm_htab_trim(&s->t);
	assert_int_equal(mem.in_use, 0);
	for (uint32_t i = 0; i < N; i++)
		add(s, i);
	big = s->t.mask + 1;
	assert_true(big >= N * 4 / 3);
	assert_int_equal(mgm_htab_bytes(&s->t), mem.in_use);
	for (uint32_t i = 0; i < N - 10; i++)
		del(s, i);
	assert_true(s->t.mask + 1 < big / 8);
	assert_int_equal(mgm_htab_bytes(&s->t), mem.in_use);
	check(s);
	mgm_htab_fini(&s->t);
	assert_int_equal(mem.in_use, 0);
	free(s);
}

/* Emptying a held table by mgm_htab_first() removes everything, in one pass, without shrinking. */
static void test_htab_held_table_can_be_emptied_while_walked(void **state)
{
	struct test_alloc a;
	struct mgm_mem mem;
	struct store *s = malloc(sizeof(*s));
	uint32_t pos = 0, i, cap, removed = 0, last_pos = 0;

	(void)state;
	assert_non_null(s);
	mem_init(&mem, &a);
	store_init(s, &mem, false, 7);
	for (i = 0; i < N; i += 3)
		add(s, i);
	cap = s->t.mask + 1;
	mgm_htab_hold(&s->t, true);
	while ((i = mgm_htab_first(&s->t, &pos)) != MGM_NIL) {
		assert_true(pos >= last_pos);
		last_pos = pos;
		del(s, i);
		removed++;
		assert_int_equal(s->t.mask + 1, cap);
	}
	mgm_htab_hold(&s->t, false);
	assert_int_equal(removed, (N + 2) / 3);
	check(s);
	mgm_htab_fini(&s->t);
	assert_int_equal(mem.in_use, 0);
	free(s);
}

/* A refused growth leaves the table as it was, every entry still found. */
static void test_htab_refused_growth_changes_nothing(void **state)
{
	struct test_alloc a;
	struct mgm_mem mem;
	struct store *s = malloc(sizeof(*s));
	uint32_t i;

	(void)state;
	assert_non_null(s);
	mem_init(&mem, &a);
	store_init(s, &mem, false, 0);
	for (i = 0; i < 12; i++)
		add(s, i); /* 16 slots hold 12 */
	test_alloc_budget(&a, 0);
	assert_int_equal(mgm_htab_reserve(&s->t, 1), MGM_E_NOMEM);
	assert_int_equal(a.refused, 1);
	assert_int_equal(s->t.mask + 1, 16);
	check(s);
	test_alloc_budget(&a, -1);
	for (i = 0; i < 12; i++)
		del(s, i);
	assert_int_equal(mem.in_use, 0);
	assert_int_equal(a.live, 0);
	free(s);
}

/* The seed decides where keys go: another seed, other hashes. */
static void test_htab_hash_depends_on_seed_and_context(void **state)
{
	struct mgm_htab a, b;
	uint8_t key[16] = {239, 1, 2, 3};
	int same_seed = 0, same_extra = 0;

	(void)state;
	mgm_htab_init(&a, NULL, 1, false, hash_of, NULL);
	mgm_htab_init(&b, NULL, 2, false, hash_of, NULL);
	for (int i = 0; i < 256; i++) {
		key[3] = (uint8_t)i;
		same_seed += mgm_htab_hash(&a, key, 0) == mgm_htab_hash(&b, key, 0);
		same_extra += mgm_htab_hash(&a, key, 0) == mgm_htab_hash(&a, key, 1);
		assert_int_equal(mgm_htab_hash(&a, key, 5), mgm_htab_hash(&a, key, 5));
	}
	assert_true(same_seed < 2);
	assert_true(same_extra < 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htab_agrees_with_a_list_under_random_changes),
		cmocka_unit_test(test_htab_keeping_hashes_agrees_with_a_list),
		cmocka_unit_test(test_htab_removal_keeps_colliding_chains_intact),
		cmocka_unit_test(test_htab_grows_and_shrinks_and_counts_its_memory),
		cmocka_unit_test(test_htab_held_table_can_be_emptied_while_walked),
		cmocka_unit_test(test_htab_refused_growth_changes_nothing),
		cmocka_unit_test(test_htab_hash_depends_on_seed_and_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
