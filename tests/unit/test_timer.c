/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engines' timer heap (lib/core/timer.c): deadline order under push, update and remove, the
 * positions reported to the owners, growth over chunks and giving memory back, and refusal by
 * the allocator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../lib/core/timer.h"
#include "mgm/err.h"
#include "test_alloc.h"

#define N 5000

/* What each owner knows of its entry: where it is and the deadline it gave it. */
struct owners {
	uint32_t pos[N];
	int64_t when[N];
	bool in[N];
};

static void moved(void *ctx, uint32_t ref, uint32_t pos)
{
	struct owners *o = ctx;

	assert_true(ref < N);
	o->pos[ref] = pos;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Every entry is not earlier than its parent, and every owner knows where its entry is and
 * finds there the deadline it set last. */
static void check_heap(const struct mgm_timer_heap *h, const struct owners *o)
{
	uint32_t count = 0;

	for (uint32_t i = 1; i < h->len; i++)
		assert_true(mgm_timer_when(h, (i - 1) / 4) <= mgm_timer_when(h, i));
	for (uint32_t r = 0; r < N; r++) {
		if (!o->in[r])
			continue;
		count++;
		assert_true(o->pos[r] < h->len);
		assert_int_equal(h->chunks[o->pos[r] >> MGM_TIMER_SHIFT]
					 ->ref[o->pos[r] & (MGM_TIMER_CHUNK - 1)],
				 r);
		assert_int_equal(mgm_timer_when(h, o->pos[r]), o->when[r]);
	}
	assert_int_equal(count, h->len);
}

/* Pushes entries 0..n-1 with random deadlines below `range`. */
static void push_random(struct mgm_timer_heap *h, struct owners *o, uint32_t n, uint64_t range)
{
	for (uint32_t r = 0; r < n; r++) {
		o->when[r] = (int64_t)(rnd() % range);
		assert_int_equal(mgm_timer_push(h, o->when[r], r), 0);
		o->in[r] = true;
	}
}

static void test_timer_pops_entries_in_deadline_order(void **state)
{
	struct owners *o = calloc(1, sizeof(*o));
	struct mgm_timer_heap h;
	struct mgm_mem mem;
	int64_t last = INT64_MIN, when;
	uint32_t ref;

	(void)state;
	mgm_mem_init(&mem, NULL);
	mgm_timer_init(&h, &mem, moved, o);
	push_random(&h, o, N, 100000);
	check_heap(&h, o);
	while (mgm_timer_peek(&h, &when, &ref)) {
		assert_true(when >= last);
		assert_int_equal(o->pos[ref], 0);
		assert_int_equal(when, o->when[ref]);
		last = when;
		mgm_timer_remove(&h, 0);
		o->in[ref] = false;
	}
	assert_int_equal(h.len, 0);
	mgm_timer_fini(&h);
	assert_int_equal(mem.in_use, 0);
	free(o);
}

static void test_timer_update_and_remove_keep_order_and_positions(void **state)
{
	struct owners *o = calloc(1, sizeof(*o));
	struct mgm_timer_heap h;
	struct mgm_mem mem;

	(void)state;
	mgm_mem_init(&mem, NULL);
	mgm_timer_init(&h, &mem, moved, o);
	push_random(&h, o, N, 1000000);
	for (int step = 0; step < 20000; step++) {
		uint32_t r = (uint32_t)(rnd() % N);

		switch (rnd() % 3) {
		case 0: /* earlier or later */
			if (o->in[r]) {
				o->when[r] = (int64_t)(rnd() % 1000000);
				mgm_timer_update(&h, o->pos[r], o->when[r]);
			}
			break;
		case 1:
			if (o->in[r]) {
				mgm_timer_remove(&h, o->pos[r]);
				o->in[r] = false;
			}
			break;
		default:
			if (!o->in[r]) {
				o->when[r] = (int64_t)(rnd() % 1000000);
				assert_int_equal(mgm_timer_push(&h, o->when[r], r), 0);
				o->in[r] = true;
			}
			break;
		}
		if (step % 997 == 0)
			check_heap(&h, o);
	}
	check_heap(&h, o);
	mgm_timer_fini(&h);
	free(o);
}

static void test_timer_update_moves_one_entry_to_the_top(void **state)
{
	struct owners *o = calloc(1, sizeof(*o));
	struct mgm_timer_heap h;
	struct mgm_mem mem;
	int64_t when;
	uint32_t ref;

	(void)state;
	mgm_mem_init(&mem, NULL);
	mgm_timer_init(&h, &mem, moved, o);
	for (uint32_t r = 0; r < 100; r++) {
		o->when[r] = 1000 + r;
		assert_int_equal(mgm_timer_push(&h, o->when[r], r), 0);
		o->in[r] = true;
	}
	o->when[77] = 5;
	mgm_timer_update(&h, o->pos[77], 5);
	assert_true(mgm_timer_peek(&h, &when, &ref));
	assert_int_equal(when, 5);
	assert_int_equal(ref, 77);
	/* And back down: the next earliest is on top again. */
	o->when[77] = 999999;
	mgm_timer_update(&h, o->pos[77], 999999);
	assert_true(mgm_timer_peek(&h, &when, &ref));
	assert_int_equal(ref, 0);
	check_heap(&h, o);
	mgm_timer_fini(&h);
	free(o);
}

static void test_timer_grows_over_chunks_and_trims_back(void **state)
{
	struct owners *o = calloc(1, sizeof(*o));
	struct mgm_timer_heap h;
	struct mgm_mem mem;

	(void)state;
	mgm_mem_init(&mem, NULL);
	mgm_timer_init(&h, &mem, moved, o);
	push_random(&h, o, 3 * MGM_TIMER_CHUNK, 1000);
	assert_int_equal(h.nchunks, 3);
	assert_int_equal(mgm_timer_bytes(&h), mem.in_use);
	while (h.len > 10) {
		uint32_t ref = h.chunks[0]->ref[0];

		mgm_timer_remove(&h, 0);
		o->in[ref] = false;
	}
	check_heap(&h, o);
	mgm_timer_trim(&h, 10);
	assert_int_equal(h.nchunks, 1);
	/* Trimming never drops entries that are there. */
	mgm_timer_trim(&h, 0);
	assert_int_equal(h.nchunks, 1);
	check_heap(&h, o);
	while (h.len) {
		o->in[h.chunks[0]->ref[0]] = false;
		mgm_timer_remove(&h, 0);
	}
	mgm_timer_trim(&h, 0);
	assert_int_equal(mem.in_use, 0);
	mgm_timer_fini(&h);
	free(o);
}

static void test_timer_push_reports_nomem_and_keeps_the_heap(void **state)
{
	struct owners *o = calloc(1, sizeof(*o));
	struct test_alloc a = {0};
	struct mgm_allocator hooks = test_alloc_hooks(&a);
	struct mgm_timer_heap h;
	struct mgm_mem mem;
	uint32_t r = 0;
	int rc;

	(void)state;
	test_alloc_budget(&a, 2); /* the directory and one chunk */
	mgm_mem_init(&mem, &hooks);
	mgm_timer_init(&h, &mem, moved, o);
	while ((rc = mgm_timer_push(&h, o->when[r] = (int64_t)(rnd() % 1000), r)) == 0) {
		o->in[r] = true;
		r++;
	}
	assert_int_equal(rc, MGM_E_NOMEM);
	assert_int_equal(r, MGM_TIMER_CHUNK);
	assert_int_equal(mgm_timer_reserve(&h, MGM_TIMER_CHUNK + 1), MGM_E_NOMEM);
	check_heap(&h, o);
	mgm_timer_fini(&h);
	assert_int_equal(mem.in_use, 0);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_pops_entries_in_deadline_order),
		cmocka_unit_test(test_timer_update_and_remove_keep_order_and_positions),
		cmocka_unit_test(test_timer_update_moves_one_entry_to_the_top),
		cmocka_unit_test(test_timer_grows_over_chunks_and_trims_back),
		cmocka_unit_test(test_timer_push_reports_nomem_and_keeps_the_heap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
