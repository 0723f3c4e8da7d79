/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulated hosts of tests/support/host_model.c themselves: the §3.2 merge agrees with
 * "some host wants it", state changes send the RFC 3376 §5.1 records [RV] times, and queries
 * are answered as §5.2 says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "host_model.h"

struct sent {
	int n;
	int host[16];
	uint8_t type[16], mask[16];
};

static struct mgm_addr addr(const char *text)
{
	struct mgm_addr a;

	assert_int_equal(mgm_addr_parse(text, &a), 0);
	return a;
}

static void on_send(void *ctx, int h, const struct mgm_group_record *recs, int n)
{
	struct sent *s = ctx;

	for (int i = 0; i < n; i++) {
		uint8_t mask = 0;

		assert_true(s->n < 16);
		for (int k = 0; k < recs[i].num_sources; k++) {
			char t[MGM_ADDRSTRLEN];

			/* Sources are 10.1.0.1 .. 10.1.0.4: bit (last octet - 1). */
			mgm_addr_str(&recs[i].sources[k], t);
			mask |= (uint8_t)(1u << (t[strlen(t) - 1] - '1'));
		}
		s->host[s->n] = h;
		s->type[s->n] = recs[i].type;
		s->mask[s->n] = mask;
		s->n++;
	}
}

static void setup_model(struct host_model *m, struct sent *s, struct rng *r)
{
	struct mgm_addr hosts[3] = {addr("10.0.0.11"), addr("10.0.0.12"), addr("10.0.0.13")};
	struct mgm_addr groups[1] = {addr("239.1.1.1")};
	struct mgm_addr sources[4] = {addr("10.1.0.1"), addr("10.1.0.2"), addr("10.1.0.3"),
				      addr("10.1.0.4")};

	hm_init(m, MGM_INET, hosts, 3, groups, 1, sources, 4);
	m->robustness = 2;
	m->unsolicited_report_ms = 1000;
	m->rng = r;
	m->ctx = s;
	m->send = on_send;
	memset(s, 0, sizeof(*s));
}

static void test_host_model_merge_agrees_with_what_some_host_wants(void **state)
{
	struct host_model m;
	struct sent s;
	struct rng r = {1};
	uint8_t mode, srcs;

	(void)state;
	setup_model(&m, &s, &r);
	assert_false(hm_merged(&m, 0, &mode, &srcs));
	/* RFC 3376 §3.2: EXCLUDE {0,1} and EXCLUDE {1,2} and INCLUDE {1} merge to EXCLUDE {}. */
	hm_set_state(&m, 0, 0, 0, MGM_EXCLUDE, 0x3);
	hm_set_state(&m, 0, 1, 0, MGM_EXCLUDE, 0x6);
	hm_set_state(&m, 0, 2, 0, MGM_INCLUDE, 0x2);
	assert_true(hm_merged(&m, 0, &mode, &srcs));
	assert_int_equal(mode, MGM_EXCLUDE);
	assert_int_equal(srcs, 0);
	/* Any state at random: the merge forwards exactly what some host wants. */
	for (int i = 0; i < 2000; i++) {
		s.n = 0;
		hm_set_state(&m, i, (int)below(&r, 3), 0,
			     chance(&r, 50) ? MGM_INCLUDE : MGM_EXCLUDE, (uint8_t)below(&r, 16));
		if (!hm_merged(&m, 0, &mode, &srcs)) {
			for (int k = 0; k <= 4; k++)
				assert_false(hm_wanted(&m, 0, k));
			continue;
		}
		for (int k = 0; k <= 4; k++) {
			bool listed = k < 4 && (srcs >> k & 1);

			assert_int_equal(hm_wanted(&m, 0, k),
					 mode == MGM_INCLUDE ? listed : !listed);
		}
	}
}

static void test_host_model_state_changes_send_the_records_rv_times(void **state)
{
	struct host_model m;
	struct sent s;
	struct rng r = {2};
	int64_t t;

	(void)state;
	setup_model(&m, &s, &r);
	/* §5.1: INCLUDE {} -> EXCLUDE {0}: TO_EX {0}, once more within the report interval. */
	hm_set_state(&m, 0, 0, 0, MGM_EXCLUDE, 0x1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.type[0], MGM_CHANGE_TO_EXCLUDE);
	assert_int_equal(s.mask[0], 0x1);
	t = hm_next_event(&m);
	assert_in_range(t, 1, 1000);
	assert_true(hm_run(&m, t));
	assert_int_equal(s.n, 2);
	assert_int_equal(s.type[1], MGM_CHANGE_TO_EXCLUDE);
	assert_int_equal(hm_next_event(&m), MGM_TIME_NEVER);
	/* EXCLUDE {0} -> EXCLUDE {1}: ALLOW {0} and BLOCK {1}, each [RV] times. */
	hm_set_state(&m, t, 0, 0, MGM_EXCLUDE, 0x2);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.type[2], MGM_ALLOW_NEW_SOURCES);
	assert_int_equal(s.mask[2], 0x1);
	assert_int_equal(s.type[3], MGM_BLOCK_OLD_SOURCES);
	assert_int_equal(s.mask[3], 0x2);
	assert_true(hm_run(&m, hm_next_event(&m)));
	assert_int_equal(s.n, 6);
	assert_int_equal(hm_next_event(&m), MGM_TIME_NEVER);
}

/* An IGMPv3 query from 10.0.0.1 as the hosts would decode it (group NULL: general). */
static void query(struct mgm_msg *out, uint8_t *buf, const char *group, const struct mgm_addr *srcs,
		  int n)
{
	struct mgm_addr from = addr("10.0.0.1"), dst;
	struct mgm_query q;
	size_t len;

	memset(&q, 0, sizeof(q));
	q.version = 3;
	if (group) {
		q.group = addr(group);
		dst = q.group;
	} else {
		mgm_addr_any(&q.group, MGM_INET);
		mgm_addr_all_systems(&dst, MGM_INET);
	}
	q.max_resp_code = mgm_max_resp_code(MGM_INET, 3, 1000);
	q.num_sources = (uint16_t)n;
	q.sources = srcs;
	assert_int_equal(mgm_encode_query(MGM_INET, &q, &from, &dst, buf, 64, &len), 0);
	assert_int_equal(mgm_decode(MGM_INET, buf, len, &from, &dst, out), 0);
}

static void test_host_model_answers_queries_as_5_2_says(void **state)
{
	struct host_model m;
	struct sent s;
	struct rng r = {3};
	struct mgm_addr srcs[2] = {addr("10.1.0.1"), addr("10.1.0.3")};
	struct mgm_msg q;
	uint8_t buf[64];
	int64_t t;

	(void)state;
	setup_model(&m, &s, &r);
	m.robustness = 1;
	hm_set_state(&m, 0, 0, 0, MGM_INCLUDE, 0x3);
	hm_set_state(&m, 0, 1, 0, MGM_EXCLUDE, 0x1);
	s.n = 0;
	/* A group-and-source query for {0,2}: INCLUDE {0,1} answers IS_IN {0}, EXCLUDE {0}
	 * IS_IN {2}, the host without state nothing. */
	query(&q, buf, "239.1.1.1", srcs, 2);
	hm_hear_query(&m, 0, &q);
	while ((t = hm_next_event(&m)) != MGM_TIME_NEVER)
		hm_run(&m, t);
	assert_int_equal(s.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(s.type[i], MGM_MODE_IS_INCLUDE);
		assert_int_equal(s.mask[i], s.host[i] == 0 ? 0x1 : 0x4);
	}
	/* A general query: every host with state reports its current state. */
	s.n = 0;
	query(&q, buf, NULL, NULL, 0);
	hm_hear_query(&m, 0, &q);
	while ((t = hm_next_event(&m)) != MGM_TIME_NEVER)
		hm_run(&m, t);
	assert_int_equal(s.n, 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(s.type[i],
				 s.host[i] == 0 ? MGM_MODE_IS_INCLUDE : MGM_MODE_IS_EXCLUDE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_model_merge_agrees_with_what_some_host_wants),
		cmocka_unit_test(test_host_model_state_changes_send_the_records_rv_times),
		cmocka_unit_test(test_host_model_answers_queries_as_5_2_says),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
