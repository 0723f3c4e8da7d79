/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host's state-change reports: one data row per row of RFC 3376 §5.1's table (and the joins
 * and leaves that are its edge cases), the [Robustness Variable] transmissions at random
 * intervals within the Unsolicited Report Interval, the merging of a new change into pending
 * retransmissions, and the joins and leaves of IGMPv2 / IGMPv1 / MLDv1 hosts (RFC 2236 §3,
 * RFC 1112, RFC 2710 §4). Every row runs for IGMPv3 and for its MLDv2 twin (RFC 3810 §6.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_sim.h"

#define A (1u << 0)
#define B (1u << 1)
#define C (1u << 2)
#define D (1u << 3)

#define IN MGM_INCLUDE
#define EX MGM_EXCLUDE

#define URI 1000 /* RFC 3376 §8.11 / RFC 3810 §9.11 default */

static const uint8_t families[] = {MGM_INET, MGM_INET6};

/* Runs to quiet and returns every report sent, checking the gaps: each retransmission within
 * (0, URI] of the one before (§5.1). */
static const char *run_quiet(struct hsim *s)
{
	/* The older versions repeat within their own interval (RFC 2236 §8.10). */
	int64_t uri = s->cfg.version == (s->family == MGM_INET ? 3 : 2)
			      ? URI
			      : s->cfg.v1v2_unsolicited_report_interval_ms;
	int first = s->nsent;

	hsim_run(s, s->now + 60000);
	for (int i = first; i < s->nsent; i++) {
		int64_t prev = i == first ? -1 : s->sent[i - 1].at;

		if (prev >= 0 && s->sent[i].at != prev) {
			assert_true(s->sent[i].at - prev > 0);
			assert_true(s->sent[i].at - prev <= uri);
		}
	}
	return hsim_take(s);
}

/* ---- RFC 3376 §5.1: the table ------------------------------------------------------------ */

struct change_row {
	const char *rfc;
	uint8_t old_mode; /* 0: no membership */
	unsigned old_src;
	uint8_t new_mode;
	unsigned new_src;
	const char *report; /* each of the [RV] transmissions */
};

static const struct change_row change_rows[] = {
	{"§5.1 INCLUDE (A) -> INCLUDE (B): ALLOW (B-A), BLOCK (A-B)", IN, A | B, IN, B | C,
	 "ALLOW G1{c} BLOCK G1{a}"},
	{"§5.1 EXCLUDE (A) -> EXCLUDE (B): ALLOW (A-B), BLOCK (B-A)", EX, A | B, EX, B | C,
	 "ALLOW G1{a} BLOCK G1{c}"},
	{"§5.1 INCLUDE (A) -> EXCLUDE (B): TO_EX (B)", IN, A | B, EX, B | C, "TO_EX G1{b,c}"},
	{"§5.1 EXCLUDE (A) -> INCLUDE (B): TO_IN (B)", EX, A | B, IN, B | C, "TO_IN G1{b,c}"},
	/* The table's edge cases: the empty record of an unchanged side is omitted. */
	{"§5.1 INCLUDE (A) -> INCLUDE (A+B): ALLOW only", IN, A, IN, A | B, "ALLOW G1{b}"},
	{"§5.1 INCLUDE (A) -> INCLUDE (A-B): BLOCK only", IN, A | B, IN, A, "BLOCK G1{b}"},
	{"§5.1 EXCLUDE (A) -> EXCLUDE (A+B): BLOCK only", EX, A, EX, A | B, "BLOCK G1{b}"},
	{"§5.1 EXCLUDE (A) -> EXCLUDE (A-B): ALLOW only", EX, A | B, EX, A, "ALLOW G1{b}"},
	/* Joins and leaves are changes from and to INCLUDE {}. */
	{"§5.1 any-source join: INCLUDE {} -> EXCLUDE {}: TO_EX {}", 0, 0, EX, 0, "TO_EX G1{}"},
	{"§5.1 source join: INCLUDE {} -> INCLUDE (A): ALLOW (A)", 0, 0, IN, A | B,
	 "ALLOW G1{a,b}"},
	{"§5.1 any-source leave: EXCLUDE {} -> INCLUDE {}: TO_IN {}", EX, 0, IN, 0, "TO_IN G1{}"},
	{"§5.1 source leave: INCLUDE (A) -> INCLUDE {}: BLOCK (A)", IN, A | B, IN, 0,
	 "BLOCK G1{a,b}"},
	{"§5.1 EXCLUDE (A) -> INCLUDE {}: TO_IN {}", EX, A, IN, 0, "TO_IN G1{}"},
};

static void test_host_state_change_rows(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++)
		for (size_t i = 0; i < sizeof(change_rows) / sizeof(change_rows[0]); i++) {
			const struct change_row *r = &change_rows[i];
			struct hsim *s = hsim_new(families[f], NULL);
			char want[256];
			const char *got;

			if (r->old_mode)
				assert_int_equal(hsim_set(s, 1, 0, r->old_mode, r->old_src), 0);
			run_quiet(s);
			s->now += 5000;
			assert_int_equal(hsim_set(s, 1, 0, r->new_mode, r->new_src), 0);
			/* The first report goes at once. */
			assert_int_equal(s->nsent > 0 ? s->sent[s->nsent - 1].at : -1, s->now);
			snprintf(want, sizeof(want), "%s | %s", r->report, r->report);
			got = run_quiet(s);
			if (strcmp(got, want))
				fail_msg("%s (%s): sent \"%s\", want \"%s\" ([RV] = 2 times)",
					 r->rfc, families[f] == MGM_INET ? "IGMPv3" : "MLDv2", got,
					 want);
			hsim_free(s);
		}
}

static void rv3(struct mgm_host_config *cfg)
{
	cfg->robustness = 3;
}

/* §5.1: "retransmitted [Robustness Variable] - 1 more times". */
static void test_host_state_change_robustness(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], rv3);
		struct mgm_host_counters c;

		assert_int_equal(hsim_join(s, 1, 0), 0);
		assert_string_equal(run_quiet(s), "TO_EX G1{} | TO_EX G1{} | TO_EX G1{}");
		mgm_host_counters(s->h, &c);
		assert_int_equal(c.tx_records[MGM_CHANGE_TO_EXCLUDE], 3);
		assert_int_equal(c.tx_reports[families[f] == MGM_INET ? 2 : 1], 3);
		hsim_free(s);
	}
}

/* ---- §5.1: merging with pending retransmissions ------------------------------------------ */

struct merge_row {
	const char *rfc;
	uint8_t m0; /* the state before, quiet */
	unsigned s0;
	uint8_t m1; /* first change, then the second before any retransmission */
	unsigned s1;
	uint8_t m2;
	unsigned s2;
	const char *reports; /* everything from the first change to quiet */
};

static const struct merge_row merge_rows[] = {
	{"§5.1 per-source retransmission state: each changed source [RV] times", IN, A, IN, A | B,
	 IN, A | B | C, "ALLOW G1{b} | ALLOW G1{b,c} | ALLOW G1{c}"},
	{"§5.1 a source allowed then blocked again: BLOCK, with its count restarted", IN, A, IN,
	 A | B, IN, A, "ALLOW G1{b} | BLOCK G1{b} | BLOCK G1{b}"},
	{"§5.1 ALLOW and BLOCK from changes at different times", IN, A | B, IN, A | B | C, IN,
	 B | C, "ALLOW G1{c} | ALLOW G1{c} BLOCK G1{a} | BLOCK G1{a}"},
	{"§5.1 filter-mode change pending: the next [RV] reports are TO_EX, then the sources", 0, 0,
	 EX, 0, EX, A, "TO_EX G1{} | TO_EX G1{a} | BLOCK G1{a} | BLOCK G1{a}"},
	{"§5.1 source change pending, then a filter-mode change: TO_EX [RV] times", IN, A, IN,
	 A | B, EX, C, "ALLOW G1{b} | TO_EX G1{c} | TO_EX G1{c}"},
	{"§5.1 filter-mode change back: TO_IN then TO_EX [RV] times", EX, 0, IN, 0, EX, 0,
	 "TO_IN G1{} | TO_EX G1{} | TO_EX G1{}"},
	{"§5.1 join and leave before the retransmission: TO_IN {} [RV] times", 0, 0, EX, 0, IN, 0,
	 "TO_EX G1{} | TO_IN G1{} | TO_IN G1{}"},
};

static void test_host_state_change_merging(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++)
		for (size_t i = 0; i < sizeof(merge_rows) / sizeof(merge_rows[0]); i++) {
			const struct merge_row *r = &merge_rows[i];
			struct hsim *s = hsim_new(families[f], NULL);
			struct mgm_host_group_info gi;
			struct mgm_addr g = hsim_group(s->family, 0);
			const char *got;

			if (r->m0)
				assert_int_equal(hsim_set(s, 1, 0, r->m0, r->s0), 0);
			run_quiet(s);
			s->now += 5000;
			assert_int_equal(hsim_set(s, 1, 0, r->m1, r->s1), 0);
			assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
			assert_true(gi.retransmit_ms > 0 && gi.retransmit_ms <= URI);
			/* Before the retransmission is due. */
			s->now += gi.retransmit_ms - 1;
			assert_int_equal(hsim_set(s, 1, 0, r->m2, r->s2), 0);
			got = run_quiet(s);
			if (strcmp(got, r->reports))
				fail_msg("%s (%s): sent \"%s\", want \"%s\"", r->rfc,
					 families[f] == MGM_INET ? "IGMPv3" : "MLDv2", got,
					 r->reports);
			hsim_free(s);
		}
}

/* The group record stays while its TO_IN {} is retransmitted, then goes. */
static void test_host_group_record_outlives_leave_until_reported(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, NULL);
	struct mgm_host_group_info gi;
	struct mgm_addr g = hsim_group(MGM_INET, 0);
	struct mgm_host_status st;

	(void)state;
	assert_int_equal(hsim_join(s, 1, 0), 0);
	run_quiet(s);
	assert_int_equal(hsim_leave(s, 1, 0), 0);
	assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), 0);
	assert_int_equal(gi.num_sockets, 0);
	assert_int_equal(gi.mode_retransmissions, 1);
	assert_string_equal(run_quiet(s), "TO_IN G1{} | TO_IN G1{}");
	assert_int_equal(mgm_host_group(s->h, s->now, &g, &gi), MGM_E_NOENT);
	mgm_host_status(s->h, s->now, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(st.sockets, 0);
	hsim_free(s);
}

/* ---- RFC 2236 §3, RFC 1112, RFC 2710 §4: the older hosts --------------------------------- */

static void v2(struct mgm_host_config *cfg)
{
	cfg->version = 2;
}

static void v1(struct mgm_host_config *cfg)
{
	cfg->version = 1;
}

struct old_row {
	const char *rfc;
	uint8_t family;
	void (*tweak)(struct mgm_host_config *cfg);
	const char *join, *leave;
};

static const struct old_row old_rows[] = {
	{"RFC 2236 §3: report and repeat; leave by the last reporter", MGM_INET, v2,
	 "R2 G1 | R2 G1", "L G1"},
	{"RFC 1112: report and repeat; no leave", MGM_INET, v1, "R1 G1 | R1 G1", ""},
	{"RFC 2710 §4: report and repeat; done by the last reporter", MGM_INET6, v1,
	 "R1 G1 | R1 G1", "L G1"},
};

static void test_host_old_version_join_leave(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(old_rows) / sizeof(old_rows[0]); i++) {
		const struct old_row *r = &old_rows[i];
		struct hsim *s = hsim_new(r->family, r->tweak);

		assert_int_equal(hsim_join(s, 1, 0), 0);
		assert_string_equal(run_quiet(s), r->join);
		/* A source-specific filter is still a membership in these versions; changes
		 * within it say nothing. */
		assert_int_equal(hsim_set(s, 2, 0, IN, A), 0);
		assert_int_equal(hsim_set(s, 1, 0, EX, B), 0);
		assert_string_equal(run_quiet(s), "");
		assert_int_equal(hsim_leave(s, 1, 0), 0);
		assert_int_equal(hsim_set(s, 2, 0, IN, 0), 0);
		assert_string_equal(run_quiet(s), r->leave);
		hsim_free(s);
	}
}

/* RFC 2236 §3: a leave from a host whose report was suppressed is not sent (it "MAY"). */
static void test_host_v2_no_leave_after_suppression(void **state)
{
	struct hsim *s = hsim_new(MGM_INET, v2);

	(void)state;
	assert_int_equal(hsim_join(s, 1, 0), 0);
	assert_string_equal(run_quiet(s), "R2 G1 | R2 G1");
	hsim_query(s, 2, -1, 10000, 0);
	hsim_other_report(s, 2, 0);
	assert_string_equal(run_quiet(s), "");
	assert_int_equal(hsim_leave(s, 1, 0), 0);
	assert_string_equal(run_quiet(s), "");
	hsim_free(s);
}

/* Not running: changes are kept silently; start reports them as joins (§5.1 from INCLUDE {}). */
static void test_host_start_announces_state(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);

		mgm_host_stop(s->h, s->now);
		assert_int_equal(hsim_join(s, 1, 0), 0);
		assert_int_equal(hsim_set(s, 1, 1, IN, A | B), 0);
		hsim_run(s, 10000);
		assert_string_equal(hsim_take(s), "");
		assert_int_equal(mgm_host_start(s->h, s->now), 0);
		hsim_run(s, 20000);
		/* Two groups, each [RV] times; the order of groups is the engine's. */
		assert_int_equal(s->nsent, 4);
		hsim_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_state_change_rows),
		cmocka_unit_test(test_host_state_change_robustness),
		cmocka_unit_test(test_host_state_change_merging),
		cmocka_unit_test(test_host_group_record_outlives_leave_until_reported),
		cmocka_unit_test(test_host_old_version_join_leave),
		cmocka_unit_test(test_host_v2_no_leave_after_suppression),
		cmocka_unit_test(test_host_start_announces_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
