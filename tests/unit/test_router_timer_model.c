/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Review of issue 10's source timer (router_store.c: the low 32 bits of the deadline beside a
 * heap entry at or before it, and the refresh that skips the heap above src_key_max): random
 * refreshes, Query Interval and robustness changes, gaps without a timer call longer than
 * 2^32 ms, on clocks starting at 0, near INT64_MAX, near INT64_MIN and across 2^32, each
 * source's reported timer checked against a model after every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "router_sim.h"
#include "test_rng.h"

#define NG     3
#define NS     4
#define ABSENT INT64_MIN

static const char *const v4[] = {"10.0.0.1"};
static const char *const groups[NG] = {"239.1.1.1", "239.1.1.2", "239.1.1.3"};
static const char *const srcs[NS] = {"10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4"};
/* Query Intervals that QQIC carries exactly (RFC 3376 §4.1.7). */
static const uint32_t qis[] = {1000, 2000, 10000, 125000, 608000, 31744000};

static int64_t gmi_of(const struct mgm_router_config *c)
{
	return (int64_t)c->robustness * c->query_interval_ms + c->query_response_interval_ms;
}

static void reconfigure(struct sim *s, struct mgm_router_config *c)
{
	char err[256];

	if (mgm_router_reconfigure(s->rt[0].r, s->now, c, err, sizeof(err))) {
		printf("%s\n", err);
		fail();
	}
}

static void run_one(uint64_t seed, int64_t base)
{
	struct rng g = {seed};
	struct sim *s = sim_new(MGM_INET, 1, v4, NULL);
	struct mgm_router_config c = s->rt[0].cfg;
	int64_t dl[NG][NS];

	c.query_response_interval_ms = 500;
	reconfigure(s, &c);
	for (int a = 0; a < NG; a++)
		for (int b = 0; b < NS; b++)
			dl[a][b] = ABSENT;
	s->now = base;
	sim_start(s);
	for (int step = 0; step < 200; step++) {
		uint32_t op = below(&g, 10);
		int a = below(&g, NG), b = below(&g, NS);

		if (op < 5) {
			/* §6.4.2 INCLUDE + ALLOW(B): (B)=GMI */
			sim_record(s, 0, "10.0.0.11", MGM_ALLOW_NEW_SOURCES, groups[a], srcs[b],
				   NULL);
			dl[a][b] = s->now + gmi_of(&c);
		} else if (op < 7) {
			c.query_interval_ms = qis[below(&g, sizeof(qis) / sizeof(qis[0]))];
			c.robustness = (uint8_t)(1 + below(&g, 7));
			reconfigure(s, &c);
		} else if (op < 8) {
			/* A gap without a timer call, up to about 70 days. */
			s->now += (int64_t)(rnd(&g) % 6000000000ull);
			continue;
		} else {
			int64_t t = s->now + (int64_t)(rnd(&g) % (uint64_t)(2 * gmi_of(&c) + 1));

			if (mgm_router_next_deadline(s->rt[0].r) < s->now)
				mgm_router_timer(s->rt[0].r,
						 s->now); /* the late call after a gap */
			sim_run(s, t);
			for (int x = 0; x < NG; x++)
				for (int y = 0; y < NS; y++)
					if (dl[x][y] != ABSENT && dl[x][y] <= t)
						dl[x][y] = ABSENT;
		}
		for (int x = 0; x < NG; x++)
			for (int y = 0; y < NS; y++) {
				int64_t want = dl[x][y] == ABSENT      ? -2
					       : dl[x][y] - s->now < 0 ? 0
								       : dl[x][y] - s->now;
				int64_t got = sim_has_source(s, 0, groups[x], srcs[y])
						      ? sim_source_timer(s, 0, groups[x], srcs[y])
						      : -2;

				if (got != want) {
					printf("seed %llu base %lld step %d: %s/%s timer %lld, want %lld\n",
					       (unsigned long long)seed, (long long)base, step,
					       groups[x], srcs[y], (long long)got, (long long)want);
					fail();
				}
			}
	}
	sim_free(s);
}

static void
test_source_timers_agree_with_a_model_under_refreshes_gaps_and_reconfiguration(void **state)
{
	const int64_t bases[] = {0, INT64_MAX - (1ll << 42), INT64_MIN + 1000, -5000000000ll,
				 (int64_t)UINT32_MAX - 100000};

	(void)state;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		for (uint64_t seed = 1; seed <= 60; seed++)
			run_one(seed, bases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(
		test_source_timers_agree_with_a_model_under_refreshes_gaps_and_reconfiguration)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
