/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libFuzzer entry points of our targets, declared once so the targets and the corpus
 * replayer (fuzz/replay.c, built without libFuzzer) agree on them.
 */
#ifndef MGM_FUZZ_H
#define MGM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
