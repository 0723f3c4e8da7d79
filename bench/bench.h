/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the benchmark programs share: the clock, the -t / -r options, and the measuring loop
 * that grows a run until it lasts long enough and keeps the best of several.
 */
#ifndef MGM_BENCH_H
#define MGM_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Parses [-t MIN_SECONDS_PER_RUN] [-r REPETITIONS] into *min_s and *reps (left as they are
 * when not given); anything else prints the usage of prog and exits 2. */
static inline void bench_args(int argc, char **argv, const char *prog, double *min_s, int *reps)
{
	bool ok = true;

	for (int i = 1; ok && i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			*min_s = atof(argv[++i]);
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			*reps = atoi(argv[++i]);
		else
			ok = false;
	}
	if (!ok || *min_s <= 0 || *reps < 1) {
		fprintf(stderr, "usage: %s [-t MIN_SECONDS_PER_RUN] [-r REPETITIONS]\n", prog);
		exit(2);
	}
}

/*
 * Seconds per unit of work: work(ctx, n) does n units; n starts at `first` and grows until one
 * run lasts min_s, then the best of reps runs of that n counts. Only work() is timed: the
 * caller builds its input and warms the caches before.
 */
static inline double bench_best_s(void (*work)(void *ctx, uint64_t n), void *ctx, uint64_t first,
				  double min_s, int reps)
{
	uint64_t n = first;
	double t, best;

	for (;;) {
		t = bench_now_s();
		work(ctx, n);
		t = bench_now_s() - t;
		if (t >= min_s)
			break;
		n = t > min_s / 64 ? (uint64_t)((double)n * min_s * 1.2 / t) + 1 : n * 8;
	}
	best = t / (double)n;
	for (int r = 1; r < reps; r++) {
		t = bench_now_s();
		work(ctx, n);
		t = (bench_now_s() - t) / (double)n;
		if (t < best)
			best = t;
	}
	return best;
}

#endif
