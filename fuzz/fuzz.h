/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libFuzzer entry points of our targets, declared once so the targets and the corpus
 * replayer (fuzz/replay.c, built without libFuzzer) agree on them.
 */
#ifndef MGM_FUZZ_H
#define MGM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Defined by targets built with 'expect_decoded' (fuzz/meson.build): 1 when the code under
 * test accepted the last input (a message decoded, a program ran) and every property held, 0
 * when it refused the input. The replayer uses it to prove that a seed corpus is made of valid
 * inputs, so the seeds reach past the first validity check.
 */
extern int fuzz_last_decoded;

/* A property the target checks: a violation aborts, which libFuzzer reports as a crash and
 * saves the input for (fuzz/run greps "property violated"). */
static inline _Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
	abort();
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)

/* ---- What the state-machine targets share ----------------------------------------------- */

/*
 * A counting allocator for the engines' mgm_allocator: every byte handed out is counted until
 * freed (a leak is outstanding != 0 at the end), the size given back on free is checked against
 * the one asked for, and with refuse_some every 7th request fails, so the refusal paths run.
 */
struct fuzz_alloc {
	size_t outstanding;
	uint64_t requests;
	bool refuse_some;
};

#define FUZZ_ALLOC_HDR 16

static inline void *fuzz_alloc(void *ctx, size_t size)
{
	struct fuzz_alloc *ca = ctx;
	uint8_t *p;

	if (ca->refuse_some && ++ca->requests % 7 == 3)
		return NULL;
	p = malloc(size + FUZZ_ALLOC_HDR);
	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	ca->outstanding += size;
	return p + FUZZ_ALLOC_HDR;
}

static inline void fuzz_free(void *ctx, void *ptr, size_t size)
{
	struct fuzz_alloc *ca = ctx;
	uint8_t *p;
	size_t was;

	if (!ptr)
		return;
	p = (uint8_t *)ptr - FUZZ_ALLOC_HDR;
	memcpy(&was, p, sizeof(was));
	CHECK(was == size); /* engine.h: free receives the size that was asked for */
	ca->outstanding -= was;
	free(p);
}

/* The input read as a program, one byte at a time; past its end every byte reads 0. */
struct fuzz_cursor {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_next(struct fuzz_cursor *c)
{
	if (!c->left)
		return 0;
	c->left--;
	return *c->p++;
}

/* splitmix64: the engines' random source, the same sequence for the same input. */
static inline uint64_t fuzz_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
