/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libFuzzer entry points of our targets, declared once so the targets and the corpus
 * replayer (fuzz/replay.c, built without libFuzzer) agree on them.
 */
#ifndef MGM_FUZZ_H
#define MGM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Defined by targets built with 'expect_decoded' (fuzz/meson.build): 1 when the code under
 * test accepted the last input (a message decoded, a program ran) and every property held, 0
 * when it refused the input. The replayer uses it to prove that a seed corpus is made of valid
 * inputs, so the seeds reach past the first validity check.
 */
extern int fuzz_last_decoded;

#endif
