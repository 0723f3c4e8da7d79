/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unit tests' counting allocator (see test_alloc.h). Each block carries a header in front
 * with its size and a mark, so a free() with the wrong size or of a pointer that is not a live
 * block of ours is caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_alloc.h"
#include "test_rng.h"

struct header {
	size_t size;
	uint64_t mark;
};

#define LIVE 0x4c495645424c4b31ull /* a block handed out and not yet given back */

/* The header rounded up so that the caller's part keeps malloc()'s alignment. */
#define HDR                                                                                        \
	((sizeof(struct header) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) *             \
	 _Alignof(max_align_t))

static void misuse(struct test_alloc *a, const char *fmt, ...)
{
	va_list ap;
	char text[sizeof(a->err)];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!a->err[0])
		memcpy(a->err, text, sizeof(text));
	fprintf(stderr, "test_alloc: %s\n", text);
	if (!a->defer_errors)
		fail_msg("test_alloc: %s", text);
}

void *test_alloc_alloc(void *ctx, size_t size)
{
	struct test_alloc *a = ctx;
	struct header h = {size, LIVE};
	struct rng r = {a->seed};
	uint8_t *p;

	a->attempts++;
	if (a->fail_percent) {
		bool refuse = chance(&r, a->fail_percent);

		a->seed = r.s;
		if (refuse) {
			a->refused++;
			return NULL;
		}
	}
	if (a->attempts == a->refuse_attempt || (a->limited && a->budget == 0)) {
		a->refused++;
		return NULL;
	}
	if (a->limited)
		a->budget--;
	p = malloc(HDR + size);
	if (!p)
		return NULL;
	memcpy(p, &h, sizeof(h));
	a->live += size;
	a->live_blocks++;
	a->allocs++;
	return p + HDR;
}

void test_alloc_free(void *ctx, void *ptr, size_t size)
{
	struct test_alloc *a = ctx;
	struct header h;
	uint8_t *p;

	if (!ptr)
		return;
	p = (uint8_t *)ptr - HDR;
	memcpy(&h, p, sizeof(h));
	if (h.mark != LIVE) {
		misuse(a, "free() of %p: not a live block of this allocator", ptr);
		return;
	}
	if (h.size != size)
		misuse(a, "free() told %zu octets for a block of %zu", size, h.size);
	/* A second free() finds no mark (ASan reports it first where it runs). */
	h.mark = 0;
	memcpy(p, &h, sizeof(h));
	a->live -= h.size;
	a->live_blocks--;
	a->frees++;
	free(p);
}

struct mgm_allocator test_alloc_hooks(struct test_alloc *a)
{
	struct mgm_allocator al = {.alloc = test_alloc_alloc, .free = test_alloc_free, .ctx = a};

	return al;
}

void test_alloc_budget(struct test_alloc *a, long n)
{
	a->limited = n >= 0;
	a->budget = n >= 0 ? (uint64_t)n : 0;
}
