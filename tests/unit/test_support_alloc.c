/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tests' counting allocator (tests/support/test_alloc.c) itself: what it counts, what it
 * refuses and when, and that a free() naming the wrong size is caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "test_alloc.h"

static void test_alloc_counts_live_octets_and_blocks(void **state)
{
	struct test_alloc a = {0};
	struct mgm_allocator al = test_alloc_hooks(&a);
	void *p, *q;

	(void)state;
	p = al.alloc(al.ctx, 100);
	q = al.alloc(al.ctx, 28);
	assert_non_null(p);
	assert_non_null(q);
	assert_true((uintptr_t)p % _Alignof(max_align_t) == 0);
	memset(p, 0xa5, 100);
	assert_int_equal(a.live, 128);
	assert_int_equal(a.live_blocks, 2);
	al.free(al.ctx, p, 100);
	assert_int_equal(a.live, 28);
	al.free(al.ctx, NULL, 0);
	al.free(al.ctx, q, 28);
	assert_int_equal(a.live, 0);
	assert_int_equal(a.live_blocks, 0);
	assert_int_equal(a.allocs, 2);
	assert_int_equal(a.frees, 2);
	assert_int_equal(a.refused, 0);
	assert_string_equal(a.err, "");
}

static void test_alloc_refuses_after_the_budget_and_at_one_attempt(void **state)
{
	struct test_alloc a = {0};
	void *p[4];

	(void)state;
	test_alloc_budget(&a, 2);
	p[0] = test_alloc_alloc(&a, 8);
	p[1] = test_alloc_alloc(&a, 8);
	assert_null(test_alloc_alloc(&a, 8));
	assert_int_equal(a.refused, 1);
	test_alloc_budget(&a, -1);
	a.refuse_attempt = 5;
	p[2] = test_alloc_alloc(&a, 8); /* attempt 4 */
	assert_null(test_alloc_alloc(&a, 8));
	p[3] = test_alloc_alloc(&a, 8);
	for (int i = 0; i < 4; i++) {
		assert_non_null(p[i]);
		test_alloc_free(&a, p[i], 8);
	}
	assert_int_equal(a.attempts, 6);
	assert_int_equal(a.refused, 2);
	assert_int_equal(a.live, 0);
}

static void test_alloc_refuses_a_share_at_random_from_its_seed(void **state)
{
	struct test_alloc a = {.fail_percent = 30, .seed = 7}, b = a;
	unsigned refused = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		void *p = test_alloc_alloc(&a, 1), *q = test_alloc_alloc(&b, 1);

		/* The same seed refuses the same attempts. */
		assert_true((p == NULL) == (q == NULL));
		refused += p == NULL;
		test_alloc_free(&a, p, 1);
		test_alloc_free(&b, q, 1);
	}
	assert_in_range(refused, 200, 400);
	assert_int_equal(a.refused, refused);
}

static void test_alloc_catches_a_free_with_the_wrong_size(void **state)
{
	struct test_alloc a = {.defer_errors = true};
	void *p;

	(void)state;
	p = test_alloc_alloc(&a, 40);
	test_alloc_free(&a, p, 41);
	assert_string_equal(a.err, "free() told 41 octets for a block of 40");
	/* The block's own size comes back off the count. */
	assert_int_equal(a.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_counts_live_octets_and_blocks),
		cmocka_unit_test(test_alloc_refuses_after_the_budget_and_at_one_attempt),
		cmocka_unit_test(test_alloc_refuses_a_share_at_random_from_its_seed),
		cmocka_unit_test(test_alloc_catches_a_free_with_the_wrong_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
