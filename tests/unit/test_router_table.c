/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One data row per row of RFC 3376 §6.4.1 / §6.4.2, run for IGMPv3, their MLDv2 twins (RFC 3810
 * §7.4.1, §7.4.2: MALI for GMI), and both as non-querier. Each checks mode, X and Y with timers,
 * group timer, queries sent (decoded: group, sources, S flag) and resent, forwarding changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router_sim.h"

#define NSRC	6
#define GMI	260000 /* RV 2 x QI 125 s + QRI 10 s: GMI, and MALI for MLD */
#define OLD	250000 /* set at t = 0, looked at t = 10 s */
#define LMQT	2000   /* LMQI 1 s x LMQC 2 */
#define ABSENT	(-2)   /* no source record */
#define Y	(-1)   /* in EXCLUDE mode's list Y: timer not running */
#define T_APPLY 10000  /* when the row's record arrives */

static const char *const v4_src[NSRC] = {"10.1.0.1", "10.1.0.2", "10.1.0.3",
					 "10.1.0.4", "10.1.0.5", "10.1.0.6"};
static const char *const v6_src[NSRC] = {"2001:db8::1", "2001:db8::2", "2001:db8::3",
					 "2001:db8::4", "2001:db8::5", "2001:db8::6"};

#define S1 (1 << 0)
#define S2 (1 << 1)
#define S3 (1 << 2)
#define S4 (1 << 3)
#define S5 (1 << 4)

struct exp_query {
	bool group_only; /* Q(G); else Q(G,S) with `sources` */
	int sources;
	bool s_flag;
};

struct exp_fwd {
	int source; /* 0: (*,G); else 1-based source number */
	uint8_t from, to;
};

struct row {
	const char *name;
	const char *rfc; /* RFC 3376 section and row */
	uint8_t start;	 /* INCLUDE(A = {S1,S2}) or EXCLUDE(X = {S1,S2}, Y = {S3,S4}) */
	uint8_t type;
	int record; /* INCLUDE rows: B = {S2,S3}; EXCLUDE rows: A = {S2,S4,S5} */
	uint8_t mode;
	int64_t timer[NSRC];
	int64_t group_timer; /* -1: not running (INCLUDE) */
	struct exp_query q[3];
	int nq;
	struct exp_fwd fwd[5];
	int nfwd;
	/* The same row on a router that is not the querier: no query, so no lowering (the
	 * querier's query would lower, §6.6.1), which shows what the row itself set. */
	int64_t nq_timer[NSRC];
	int64_t nq_group_timer;
};

#define F  MGM_FWD_FORWARD
#define N  MGM_FWD_NONE
#define B  MGM_FWD_BLOCK
#define IN MGM_INCLUDE
#define EX MGM_EXCLUDE

static const struct row rows[] = {
	{"include_is_in",
	 "6.4.1 row 1: INCLUDE(A) + IS_IN(B) -> INCLUDE(A+B); (B)=GMI",
	 IN,
	 MGM_MODE_IS_INCLUDE,
	 S2 | S3,
	 IN,
	 {OLD, GMI, GMI, ABSENT, ABSENT, ABSENT},
	 -1,
	 .nq = 0,
	 .fwd = {{3, N, F}},
	 .nfwd = 1,
	 .nq_timer = {OLD, GMI, GMI, ABSENT, ABSENT, ABSENT},
	 .nq_group_timer = -1},
	{"include_is_ex",
	 "6.4.1 row 2: INCLUDE(A) + IS_EX(B) -> EXCLUDE(A*B,B-A); (B-A)=0; Delete (A-B); GT=GMI",
	 IN,
	 MGM_MODE_IS_EXCLUDE,
	 S2 | S3,
	 EX,
	 {ABSENT, OLD, Y, ABSENT, ABSENT, ABSENT},
	 GMI,
	 .nq = 0,
	 .fwd = {{3, N, B}, {0, N, F}, {1, F, N}, {2, F, N}},
	 .nfwd = 4,
	 .nq_timer = {ABSENT, OLD, Y, ABSENT, ABSENT, ABSENT},
	 .nq_group_timer = GMI},
	{"exclude_is_in",
	 "6.4.1 row 3: EXCLUDE(X,Y) + IS_IN(A) -> EXCLUDE(X+A,Y-A); (A)=GMI",
	 EX,
	 MGM_MODE_IS_INCLUDE,
	 S2 | S4 | S5,
	 EX,
	 {OLD, GMI, Y, GMI, GMI, ABSENT},
	 OLD,
	 .nq = 0,
	 .fwd = {{4, B, N}},
	 .nfwd = 1,
	 .nq_timer = {OLD, GMI, Y, GMI, GMI, ABSENT},
	 .nq_group_timer = OLD},
	{"exclude_is_ex",
	 "6.4.1 row 4: EXCLUDE(X,Y) + IS_EX(A) -> EXCLUDE(A-Y,Y*A); (A-X-Y)=GMI; Delete (X-A),(Y-A); GT=GMI",
	 EX,
	 MGM_MODE_IS_EXCLUDE,
	 S2 | S4 | S5,
	 EX,
	 {ABSENT, OLD, ABSENT, Y, GMI, ABSENT},
	 GMI,
	 .nq = 0,
	 .fwd = {{3, B, N}},
	 .nfwd = 1,
	 .nq_timer = {ABSENT, OLD, ABSENT, Y, GMI, ABSENT},
	 .nq_group_timer = GMI},
	{"include_allow",
	 "6.4.2 row 1: INCLUDE(A) + ALLOW(B) -> INCLUDE(A+B); (B)=GMI",
	 IN,
	 MGM_ALLOW_NEW_SOURCES,
	 S2 | S3,
	 IN,
	 {OLD, GMI, GMI, ABSENT, ABSENT, ABSENT},
	 -1,
	 .nq = 0,
	 .fwd = {{3, N, F}},
	 .nfwd = 1,
	 .nq_timer = {OLD, GMI, GMI, ABSENT, ABSENT, ABSENT},
	 .nq_group_timer = -1},
	{"include_block",
	 "6.4.2 row 2: INCLUDE(A) + BLOCK(B) -> INCLUDE(A); Send Q(G,A*B)",
	 IN,
	 MGM_BLOCK_OLD_SOURCES,
	 S2 | S3,
	 IN,
	 {OLD, LMQT, ABSENT, ABSENT, ABSENT, ABSENT},
	 -1,
	 .q = {{false, S2, false}},
	 .nq = 1,
	 .nfwd = 0,
	 .nq_timer = {OLD, OLD, ABSENT, ABSENT, ABSENT, ABSENT},
	 .nq_group_timer = -1},
	{"include_to_ex",
	 "6.4.2 row 3: INCLUDE(A) + TO_EX(B) -> EXCLUDE(A*B,B-A); (B-A)=0; Delete (A-B); Send Q(G,A*B); GT=GMI",
	 IN,
	 MGM_CHANGE_TO_EXCLUDE,
	 S2 | S3,
	 EX,
	 {ABSENT, LMQT, Y, ABSENT, ABSENT, ABSENT},
	 GMI,
	 .q = {{false, S2, false}},
	 .nq = 1,
	 .fwd = {{3, N, B}, {0, N, F}, {1, F, N}, {2, F, N}},
	 .nfwd = 4,
	 .nq_timer = {ABSENT, OLD, Y, ABSENT, ABSENT, ABSENT},
	 .nq_group_timer = GMI},
	{"include_to_in",
	 "6.4.2 row 4: INCLUDE(A) + TO_IN(B) -> INCLUDE(A+B); (B)=GMI; Send Q(G,A-B)",
	 IN,
	 MGM_CHANGE_TO_INCLUDE,
	 S2 | S3,
	 IN,
	 {LMQT, GMI, GMI, ABSENT, ABSENT, ABSENT},
	 -1,
	 .q = {{false, S1, false}},
	 .nq = 1,
	 .fwd = {{3, N, F}},
	 .nfwd = 1,
	 .nq_timer = {OLD, GMI, GMI, ABSENT, ABSENT, ABSENT},
	 .nq_group_timer = -1},
	{"exclude_allow",
	 "6.4.2 row 5: EXCLUDE(X,Y) + ALLOW(A) -> EXCLUDE(X+A,Y-A); (A)=GMI",
	 EX,
	 MGM_ALLOW_NEW_SOURCES,
	 S2 | S4 | S5,
	 EX,
	 {OLD, GMI, Y, GMI, GMI, ABSENT},
	 OLD,
	 .nq = 0,
	 .fwd = {{4, B, N}},
	 .nfwd = 1,
	 .nq_timer = {OLD, GMI, Y, GMI, GMI, ABSENT},
	 .nq_group_timer = OLD},
	{"exclude_block",
	 "6.4.2 row 6: EXCLUDE(X,Y) + BLOCK(A) -> EXCLUDE(X+(A-Y),Y); (A-X-Y)=GT; Send Q(G,A-Y)",
	 EX,
	 MGM_BLOCK_OLD_SOURCES,
	 S2 | S4 | S5,
	 EX,
	 {OLD, LMQT, Y, Y, LMQT, ABSENT},
	 OLD,
	 .q = {{false, S2 | S5, false}},
	 .nq = 1,
	 .nfwd = 0,
	 .nq_timer = {OLD, OLD, Y, Y, OLD, ABSENT},
	 .nq_group_timer = OLD},
	{"exclude_to_ex",
	 "6.4.2 row 7: EXCLUDE(X,Y) + TO_EX(A) -> EXCLUDE(A-Y,Y*A); (A-X-Y)=GT; Delete (X-A),(Y-A); Send Q(G,A-Y); GT=GMI",
	 EX,
	 MGM_CHANGE_TO_EXCLUDE,
	 S2 | S4 | S5,
	 EX,
	 {ABSENT, LMQT, ABSENT, Y, LMQT, ABSENT},
	 GMI,
	 .q = {{false, S2 | S5, false}},
	 .nq = 1,
	 .fwd = {{3, B, N}},
	 .nfwd = 1,
	 .nq_timer = {ABSENT, OLD, ABSENT, Y, OLD, ABSENT},
	 .nq_group_timer = GMI},
	{"exclude_to_in",
	 "6.4.2 row 8: EXCLUDE(X,Y) + TO_IN(A) -> EXCLUDE(X+A,Y-A); (A)=GMI; Send Q(G,X-A); Send Q(G)",
	 EX,
	 MGM_CHANGE_TO_INCLUDE,
	 S2 | S4 | S5,
	 EX,
	 {LMQT, GMI, Y, GMI, GMI, ABSENT},
	 LMQT,
	 .q = {{true, 0, false}, {false, S1, false}},
	 .nq = 2,
	 .fwd = {{4, B, N}},
	 .nfwd = 1,
	 .nq_timer = {OLD, GMI, Y, GMI, GMI, ABSENT},
	 .nq_group_timer = OLD},
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

struct variant {
	uint8_t family;
	bool querier;
	const char *router, *host, *group;
	const char *const *src;
};

static const struct variant igmp = {MGM_INET, true, "10.0.0.1", "10.0.0.5", "239.1.1.1", v4_src};
static const struct variant igmp_nq = {MGM_INET,   false,	"10.0.0.1",
				       "10.0.0.5", "239.1.1.1", v4_src};
static const struct variant mld_nq = {MGM_INET6, false, "fe80::1", "fe80::5", "ff0e::1:1", v6_src};
static const struct variant mld = {MGM_INET6, true, "fe80::1", "fe80::5", "ff0e::1:1", v6_src};

struct row_case {
	const struct variant *v;
	const struct row *row;
	char name[96];
};

static void mask_list(const struct variant *v, int mask, const char **out, int *n)
{
	*n = 0;
	for (int j = 0; j < NSRC; j++)
		if (mask & (1 << j))
			out[(*n)++] = v->src[j];
}

/* Rank of a change in the order router.h promises: new BLOCKs, new FORWARDs, withdrawn
 * FORWARDs, withdrawn BLOCKs. */
static int rank(uint8_t from, uint8_t to)
{
	if (to == B && from == N)
		return 1;
	if (to == F)
		return 2;
	if (from == F)
		return 3;
	return 4;
}

static int source_number(const struct variant *v, const struct mgm_fwd_change *c)
{
	if (c->any_source)
		return 0;
	for (int j = 0; j < NSRC; j++) {
		struct mgm_addr a = sim_addr(v->src[j]);

		if (mgm_addr_eq(&a, &c->source))
			return j + 1;
	}
	return -1;
}

static void check_queries(struct sim *s, const struct row_case *c, const char *when)
{
	const struct row *row = c->row;
	struct sim_router *rt = &s->rt[0];
	int nq = c->v->querier ? row->nq : 0;

	if (rt->nsent != nq)
		fail_msg("%s (%s): %d queries sent, expected %d", row->rfc, when, rt->nsent, nq);
	for (int k = 0; k < nq; k++) {
		const struct exp_query *e = &row->q[k];
		bool found = false;

		for (int j = 0; j < rt->nsent && !found; j++) {
			struct sim_sent *q = &rt->sent[j];

			if (!sim_query_for(s, q, c->v->group) || q->m.suppress != e->s_flag)
				continue;
			if (e->group_only ? q->m.num_sources == 0
					  : sim_query_mask(s, q, c->v->src, NSRC) == e->sources)
				found = true;
		}
		if (!found)
			fail_msg("%s (%s): query %d (%s, sources 0x%x, S=%d) not sent", row->rfc,
				 when, k, e->group_only ? "Q(G)" : "Q(G,S)", e->sources, e->s_flag);
	}
}

static void not_querier(struct mgm_router_config *cfg)
{
	cfg->querier = false;
}

static void run_row(void **state)
{
	const struct row_case *c = *state;
	const struct row *row = c->row;
	const struct variant *v = c->v;
	const char *rec[NSRC];
	struct mgm_router_group_info gi;
	struct sim *s = sim_new(v->family, 1, &v->router, v->querier ? NULL : not_querier);
	struct sim_router *rt = &s->rt[0];
	const int64_t *timer = v->querier ? row->timer : row->nq_timer;
	int64_t group_timer = v->querier ? row->group_timer : row->nq_group_timer;
	/* Which expected changes were seen: each may match one change only. */
	bool used[sizeof(rows[0].fwd) / sizeof(rows[0].fwd[0])] = {false};
	int n, last_rank = 0;

	sim_start(s);
	if (row->start == IN) {
		sim_record(s, 0, v->host, MGM_MODE_IS_INCLUDE, v->group, v->src[0], v->src[1],
			   NULL);
	} else {
		/* INCLUDE({}) + IS_EX({S3,S4}) -> EXCLUDE({}, {S3,S4}); + ALLOW({S1,S2}). */
		sim_record(s, 0, v->host, MGM_MODE_IS_EXCLUDE, v->group, v->src[2], v->src[3],
			   NULL);
		sim_record(s, 0, v->host, MGM_ALLOW_NEW_SOURCES, v->group, v->src[0], v->src[1],
			   NULL);
	}
	sim_run(s, T_APPLY);
	sim_clear(s);

	mask_list(v, row->record, rec, &n);
	sim_record_list(s, 0, v->host, row->type, v->group, rec, n);

	assert_int_equal(sim_group(s, 0, v->group, &gi), 0);
	if (gi.filter_mode != row->mode)
		fail_msg("%s: mode %d, expected %d", row->rfc, gi.filter_mode, row->mode);
	if (gi.group_timer_ms != group_timer)
		fail_msg("%s: group timer %lld, expected %lld", row->rfc,
			 (long long)gi.group_timer_ms, (long long)group_timer);
	for (int j = 0; j < NSRC; j++) {
		int64_t t = sim_source_timer(s, 0, v->group, v->src[j]);
		bool fwd = sim_fwd(s, 0, v->group, v->src[j]);
		bool want = row->mode == IN ? timer[j] != ABSENT : timer[j] != Y;

		if (t != timer[j])
			fail_msg("%s: S%d timer %lld, expected %lld", row->rfc, j + 1, (long long)t,
				 (long long)timer[j]);
		if (fwd != want)
			fail_msg("%s: S%d forwarded %d, expected %d", row->rfc, j + 1, fwd, want);
	}
	check_queries(s, c, "at once");

	/* The forwarding changes: the expected ones, each once, in the promised order. */
	if (rt->nfwd != row->nfwd)
		fail_msg("%s: %d forwarding changes, expected %d", row->rfc, rt->nfwd, row->nfwd);
	for (int k = 0; k < rt->nfwd; k++) {
		const struct mgm_fwd_change *fc = &rt->fwd[k];
		int sn = source_number(v, fc), r = rank(fc->from, fc->to);
		bool found = false;

		for (int e = 0; e < row->nfwd && !found; e++)
			if (!used[e] && row->fwd[e].source == sn && row->fwd[e].from == fc->from &&
			    row->fwd[e].to == fc->to)
				found = used[e] = true;
		if (!found)
			fail_msg("%s: unexpected or repeated change S%d %d -> %d", row->rfc, sn,
				 fc->from, fc->to);
		if (r < last_rank)
			fail_msg("%s: change S%d %d -> %d out of order", row->rfc, sn, fc->from,
				 fc->to);
		last_rank = r;
	}

	/* §6.6.3: LMQC - 1 = 1 retransmission after LMQI, with the same content and S clear
	 * (the timers are now at or below LMQT); then nothing more. */
	sim_clear(s);
	sim_run(s, T_APPLY + 1000);
	check_queries(s, c, "retransmission");
	sim_clear(s);
	sim_run(s, T_APPLY + 1999);
	assert_int_equal(rt->nsent, 0);
	sim_free(s);
}

int main(void)
{
	static const struct {
		const struct variant *v;
		const char *name;
	} variants[] = {
		{&igmp, "igmpv3"},
		{&mld, "mldv2"},
		{&igmp_nq, "igmpv3_non_querier"},
		{&mld_nq, "mldv2_non_querier"},
	};
	static struct row_case cases[4 * NROWS];
	static struct CMUnitTest tests[4 * NROWS];
	size_t n = 0;

	for (int f = 0; f < 4; f++) {
		for (size_t i = 0; i < NROWS; i++) {
			struct row_case *c = &cases[n];

			c->v = variants[f].v;
			c->row = &rows[i];
			snprintf(c->name, sizeof(c->name), "test_table_%s_%s", variants[f].name,
				 rows[i].name);
			tests[n].name = c->name;
			tests[n].test_func = run_row;
			tests[n].initial_state = c;
			n++;
		}
	}
	return _cmocka_run_group_tests("router_table", tests, n, NULL, NULL);
}
