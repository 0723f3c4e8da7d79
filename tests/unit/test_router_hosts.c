/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The router engine against what its hosts want: one querier (IGMPv3, then MLDv2) and several
 * simulated RFC 3376 §5 / RFC 3810 §6 hosts whose per-group filter state changes at random; the
 * forwarding state must give every host what it asks for (§3.2 merge) and stop what nobody asks
 * for within the time §6.4-§6.6 (RFC 3810 §7.4-§7.6) allow. No other router and no old versions.
 *
 * The base seed is printed; MGM_HOSTS_SEED=N reruns with another one, MGM_HOSTS_SEQUENCES=N
 * runs more sequences, MGM_HOSTS_ONLY=SEED replays one sequence (its seed is printed on failure
 * with the last events), MGM_HOSTS_FAST_LEAVE=0|1 fixes cfg.fast_leave (default: drawn
 * per sequence).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgm/addr.h"
#include "mgm/engine.h"
#include "mgm/err.h"
#include "mgm/router.h"
#include "mgm/wire.h"

#include "host_model.h"
#include "test_rng.h"

#define NHOSTS	4
#define NG	3 /* groups: two ASM, then one SSM */
#define G_SSM	2
#define NS	5 /* sources: the last is never listed by any host: "any other source" */
#define NS_POOL 4
#define URI_MS	500 /* hosts' Unsolicited Report Interval (RFC 3376 §8.11 uses 1 s) */
#define MAXQ	64
#define HIST	64

/* What the oracle knows per (group, source): derived from the hosts only, never the router. */
struct want {
	bool wanted;
	int64_t since;	  /* start of the current wanted / unwanted period */
	int64_t deadline; /* unwanted: forwarding must have stopped by then */
	bool is_ex_seen;  /* unwanted: an IS_EX listing the source arrived in this period */
};

struct queued {
	struct mgm_addr dst;
	uint8_t buf[1500];
	size_t len;
};

struct world {
	uint8_t family;
	struct rng rng;
	uint64_t seed;
	int64_t now;
	struct mgm_router *r;
	struct mgm_router_config cfg;
	struct mgm_addr router_addr;
	struct mgm_addr groups[NG], sources[NS], report_dst;
	struct host_model hm; /* the hosts: RFC 3376 §5 / RFC 3810 §6 */
	struct want want[NG][NS];
	struct queued q[MAXQ];
	int nq;
	int64_t lmqt, gmi;
	bool ssm_star_forwarded;
	char hist[HIST][160];
	unsigned nhist;
	uint64_t checks, reports, queries_seen, leaves_timed;
};

static void note(struct world *w, const char *fmt, ...)
{
	va_list ap;
	char *line = w->hist[w->nhist++ % HIST];
	int n = snprintf(line, sizeof(w->hist[0]), "%8" PRId64 " ", w->now);

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(w->hist[0]) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void host_note(void *ctx, const char *text)
{
	note(ctx, "%s", text);
}

/* Prints the trace and frees the router: a failure longjmps out of the sequence. */
static void dump(struct world *w)
{
	unsigned from = w->nhist > HIST ? w->nhist - HIST : 0;

	fprintf(stderr, "last events of sequence seed %" PRIu64 " (%s):\n", w->seed,
		w->family == MGM_INET ? "IGMPv3" : "MLDv2");
	for (unsigned i = from; i < w->nhist; i++)
		fprintf(stderr, "  %s\n", w->hist[i % HIST]);
	fprintf(stderr, "replay: MGM_HOSTS_ONLY=%" PRIu64 "\n", w->seed);
	if (w->r)
		mgm_router_destroy(w->r);
	w->r = NULL;
}

#define CHECK(w, cond, ...)                                                                        \
	do {                                                                                       \
		(w)->checks++;                                                                     \
		if (!(cond)) {                                                                     \
			dump(w);                                                                   \
			fail_msg(__VA_ARGS__);                                                     \
		}                                                                                  \
	} while (0)

static const char *src_name(const struct world *w, int s, char *buf)
{
	return mgm_addr_str(&w->sources[s], buf);
}

/* ---- Router side --------------------------------------------------------------------------- */

static void cb_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct world *w = ctx;

	if (w->nq >= MAXQ || len > sizeof(w->q[0].buf)) {
		dump(w);
		fail_msg("router sent more than the harness queues at once");
	}
	w->q[w->nq].dst = *dst;
	memcpy(w->q[w->nq].buf, payload, len);
	w->q[w->nq].len = len;
	w->nq++;
}

static void cb_forward(void *ctx, const struct mgm_fwd_change *c)
{
	struct world *w = ctx;

	/* RFC 4604 §2.2.1: no (*,G) state in the SSM range. */
	if (c->any_source && c->to == MGM_FWD_FORWARD && mgm_addr_is_ssm(&c->group))
		w->ssm_star_forwarded = true;
}

/* The oracle's view of one record arriving at the router at w->now, before it is applied. */
static void oracle_record(struct world *w, int g, uint8_t type, uint8_t mask)
{
	for (int s = 0; s < NS_POOL; s++) {
		struct want *x = &w->want[g][s];

		if (!(mask >> s & 1) || x->wanted || w->now >= x->deadline)
			continue;
		/*
		 * RFC 3376 §6.4.2: TO_EX and BLOCK in EXCLUDE mode give an unknown source the group
		 * timer, then Q(G,S) lowers it to LMQT (§6.6.3.2): a retransmission of the leave
		 * record, up to [Unsolicited Report Interval] later, restarts that from its
		 * arrival.
		 */
		if (type == MGM_CHANGE_TO_EXCLUDE || type == MGM_BLOCK_OLD_SOURCES) {
			if (w->now + w->lmqt > x->deadline)
				x->deadline = w->now + w->lmqt;
		}
		/*
		 * RFC 3376 §6.4.1: EXCLUDE(X,Y) + IS_EX(A) gives (A-X-Y) = GMI and no query. A host
		 * that excludes S answering the Q(G) of another host's TO_IN thus makes the router
		 * forward S (which the leaving host might still have wanted) for a full GMI. Once S
		 * is in X or Y no later IS_EX(S) raises it again, so only the first one counts.
		 */
		if (type == MGM_MODE_IS_EXCLUDE && !x->is_ex_seen) {
			x->is_ex_seen = true;
			if (w->now + w->gmi > x->deadline)
				x->deadline = w->now + w->gmi;
		}
	}
}

static void deliver_queries(struct world *w);

/* The host model's send(): the oracle sees each record, then the router gets the reports. */
static void host_send(void *ctx, int h, const struct mgm_group_record *recs, int n)
{
	struct world *w = ctx;
	struct mgm_report_writer wr;
	uint8_t buf[1500];
	size_t len;
	struct mgm_ip_info ip;
	int rc;

	for (int i = 0; i < n; i++) {
		uint8_t mask = 0;
		char ga[MGM_ADDRSTRLEN];
		int g;

		for (g = 0; g < NG; g++)
			if (mgm_addr_eq(&recs[i].group, &w->groups[g]))
				break;
		for (int k = 0; k < recs[i].num_sources; k++)
			for (int s = 0; s < NS_POOL; s++)
				if (mgm_addr_eq(&recs[i].sources[k], &w->sources[s]))
					mask |= 1u << s;
		note(w, "host %d -> %s %s mask %#x", h, mgm_record_type_name(recs[i].type),
		     mgm_addr_str(&recs[i].group, ga), mask);
		oracle_record(w, g, recs[i].type, mask);
	}
	memset(&ip, 0, sizeof(ip));
	ip.family = w->family;
	ip.src = w->hm.hosts[h].addr;
	ip.dst = w->report_dst;
	ip.hop_limit = 1;
	ip.router_alert = true;
	ip.tos = 0xc0;
	mgm_report_writer_init(&wr, w->family, recs, (size_t)n, 1500);
	while ((rc = mgm_report_writer_next(&wr, &ip.src, &ip.dst, buf, sizeof(buf), &len)) == 1) {
		ip.payload = buf;
		ip.payload_len = len;
		rc = mgm_router_input(w->r, w->now, &ip);
		CHECK(w, rc == 0, "router refused a valid report: %s", mgm_strerror(rc));
		w->reports++;
	}
	CHECK(w, rc == 0, "report writer: %s", mgm_strerror(rc));
	deliver_queries(w);
}

static void deliver_queries(struct world *w)
{
	/* Queries are handled by the hosts only through timers, so nothing re-enters. */
	for (int i = 0; i < w->nq; i++) {
		struct mgm_msg m;
		int rc = mgm_decode(w->family, w->q[i].buf, w->q[i].len, &w->router_addr,
				    &w->q[i].dst, &m);

		CHECK(w, rc == 0, "router sent an undecodable message: %s", mgm_strerror(rc));
		CHECK(w, m.kind == MGM_MSG_QUERY, "router sent a %s",
		      mgm_msg_kind_name(w->family, m.kind));
		CHECK(w, m.version == (w->family == MGM_INET ? 3 : 2), "router sent a v%u query",
		      m.version);
		w->queries_seen++;
		{
			char ga[MGM_ADDRSTRLEN];

			note(w, "router query %s srcs %u S=%d maxresp %u",
			     mgm_addr_str(&m.group, ga), m.num_sources, m.suppress, m.max_resp_ms);
		}
		hm_hear_query(&w->hm, w->now, &m);
	}
	w->nq = 0;
}

/* ---- Oracle ------------------------------------------------------------------------------- */

/*
 * Updates the wanted / unwanted periods after hosts changed state. A leave is always signalled
 * at once by a BLOCK, TO_IN or TO_EX record (the §5.1 table has no silent way to stop wanting
 * a source), and the router answers each with Q(G) or Q(G,S), which lowers the group or source
 * timer to LMQT = LMQI * LMQC (§6.6.3.1, §6.6.3.2); hosts that still want the traffic answer
 * within the query's Max Resp Time = LMQI < LMQT. So without an answer forwarding ends at
 * t0 + LMQT; oracle_record() pushes that for the two cases the RFC tables make later.
 */
static void oracle_update(struct world *w)
{
	for (int g = 0; g < NG; g++)
		for (int s = 0; s < NS; s++) {
			struct want *x = &w->want[g][s];
			bool now_wanted = hm_wanted(&w->hm, g, s);

			if (now_wanted == x->wanted)
				continue;
			x->wanted = now_wanted;
			x->since = w->now;
			x->is_ex_seen = false;
			x->deadline = now_wanted ? MGM_TIME_NEVER : w->now + w->lmqt;
		}
}

static void oracle_check(struct world *w)
{
	char sa[MGM_ADDRSTRLEN];

	CHECK(w, !w->ssm_star_forwarded, "(*,G) forwarding emitted for an SSM group");
	for (int g = 0; g < NG; g++)
		for (int s = 0; s < NS; s++) {
			const struct want *x = &w->want[g][s];
			bool fwd = mgm_router_forwarding(w->r, &w->groups[g], &w->sources[s]);

			/*
			 * SAFETY: hosts report a change at once and delivery is loss-free, so every
			 * wanting host has reported since it began to want: no gap allowed.
			 */
			CHECK(w, !x->wanted || fwd,
			      "group %d source %s wanted since %" PRId64 " but not forwarded", g,
			      src_name(w, s, sa), x->since);
			/* LIVENESS: unwanted since t0, forwarding must stop by the deadline. */
			CHECK(w, x->wanted || !fwd || w->now < x->deadline,
			      "group %d source %s unwanted since %" PRId64
			      " still forwarded after deadline %" PRId64 " (LMQT %" PRId64
			      ", GMI %" PRId64 ")",
			      g, src_name(w, s, sa), x->since, x->deadline, w->lmqt, w->gmi);
			if (!x->wanted && w->now == x->deadline && !fwd)
				w->leaves_timed++;
			/* RFC 4604: an SSM channel nobody listed is never forwarded. */
			if (g == G_SSM && s == NS - 1)
				CHECK(w, !fwd, "SSM group forwards an unrequested source");
		}
}

/* ---- Simulation loop ---------------------------------------------------------------------- */

static int64_t next_event(const struct world *w, int64_t limit)
{
	int64_t t = mgm_router_next_deadline(w->r), h = hm_next_event(&w->hm);

	if (h < t)
		t = h;
	/* Wake at each liveness deadline so it is checked at the very millisecond. */
	for (int g = 0; g < NG; g++)
		for (int s = 0; s < NS; s++)
			if (!w->want[g][s].wanted && w->want[g][s].deadline > w->now &&
			    w->want[g][s].deadline < t)
				t = w->want[g][s].deadline;
	if (t < w->now)
		t = w->now;
	return t < limit ? t : limit;
}

/* Runs everything due up to and including t, checking after every event. */
static void run_until(struct world *w, int64_t t)
{
	for (;;) {
		int64_t e = next_event(w, t);
		bool did = false;

		w->now = e;
		if (mgm_router_next_deadline(w->r) <= e) {
			mgm_router_timer(w->r, e);
			deliver_queries(w);
			did = true;
		}
		if (hm_run(&w->hm, e))
			did = true;
		oracle_check(w);
		if (!did && e >= t)
			return;
	}
}

static void random_event(struct world *w)
{
	int h = (int)below(&w->rng, NHOSTS);
	int g = (int)below(&w->rng, NG);
	const struct hm_group *hg = &w->hm.hosts[h].g[g];
	uint8_t mode = hg->mode, srcs = hg->srcs;
	uint32_t kind = below(&w->rng, 10);

	if (kind < 2) { /* leave */
		mode = MGM_INCLUDE;
		srcs = 0;
	} else if (kind < 6) { /* toggle one source */
		srcs ^= (uint8_t)(1u << below(&w->rng, NS_POOL));
	} else if (kind < 8) {
		mode = MGM_INCLUDE;
		srcs = (uint8_t)below(&w->rng, 1u << NS_POOL);
	} else {
		mode = MGM_EXCLUDE;
		srcs = (uint8_t)below(&w->rng, 1u << NS_POOL);
	}
	/* RFC 4604 §2.2.1: EXCLUDE-mode hosts are not modelled in the SSM range. */
	if (g == G_SSM)
		mode = MGM_INCLUDE;
	hm_set_state(&w->hm, w->now, h, g, mode, srcs);
	oracle_update(w);
	oracle_check(w);
}

static void addr(struct mgm_addr *a, const char *text)
{
	assert_int_equal(mgm_addr_parse(text, a), 0);
}

static void world_init(struct world *w, uint8_t family, uint64_t seed)
{
	static const char *const v4[] = {"239.1.1.1", "239.1.1.2", "232.1.1.1", "10.1.0.1",
					 "10.1.0.2",  "10.1.0.3",  "10.1.0.4",	"10.9.9.9"};
	static const char *const v6[] = {"ff1e::101",	"ff1e::102",   "ff3e::8000:1",
					 "2001:db8::1", "2001:db8::2", "2001:db8::3",
					 "2001:db8::4", "2001:db8::99"};
	const char *const *names = family == MGM_INET ? v4 : v6;
	struct mgm_router_callbacks cb = {.ctx = w, .send = cb_send, .forward = cb_forward};
	struct mgm_addr hosts[NHOSTS];
	char err[200];

	memset(w, 0, sizeof(*w));
	w->family = family;
	w->seed = seed;
	w->rng.s = seed;
	for (int g = 0; g < NG; g++)
		addr(&w->groups[g], names[g]);
	for (int s = 0; s < NS; s++)
		addr(&w->sources[s], names[NG + s]);
	assert_true(mgm_addr_is_ssm(&w->groups[G_SSM]) && !mgm_addr_is_ssm(&w->groups[0]));
	mgm_addr_v3_report_dest(&w->report_dst, family);
	addr(&w->router_addr, family == MGM_INET ? "10.0.0.1" : "fe80::1");
	for (int h = 0; h < NHOSTS; h++) {
		char text[32];

		snprintf(text, sizeof(text), family == MGM_INET ? "10.0.0.%d" : "fe80::%x", 11 + h);
		addr(&hosts[h], text);
	}
	hm_init(&w->hm, family, hosts, NHOSTS, w->groups, NG, w->sources, NS_POOL);
	for (int g = 0; g < NG; g++)
		for (int s = 0; s < NS; s++)
			w->want[g][s].deadline = MGM_TIME_NEVER;

	/* Short timers keep simulated time small; Max Resp codes encode them exactly. LMQC >= 2
	 * keeps LMQT above the answer delay (a Q(G,S) answer at LMQI would race the timer). */
	mgm_router_config_defaults(&w->cfg, family);
	w->cfg.version = family == MGM_INET ? 3 : 2;
	w->cfg.robustness = (uint8_t)between(&w->rng, 2, 3);
	w->cfg.query_interval_ms = 4000;
	w->cfg.query_response_interval_ms = between(&w->rng, 5, 20) * 100;
	w->cfg.startup_query_interval_ms = 1000;
	w->cfg.startup_query_count = w->cfg.robustness;
	w->cfg.last_member_query_interval_ms = between(&w->rng, 1, 5) * 100;
	w->cfg.last_member_query_count = (uint8_t)between(&w->rng, 2, 3);
	w->cfg.fast_leave = below(&w->rng, 2);
	if (getenv("MGM_HOSTS_FAST_LEAVE"))
		w->cfg.fast_leave = atoi(getenv("MGM_HOSTS_FAST_LEAVE")) != 0;
	w->lmqt = (int64_t)w->cfg.last_member_query_interval_ms * w->cfg.last_member_query_count;
	w->gmi = (int64_t)w->cfg.robustness * w->cfg.query_interval_ms +
		 w->cfg.query_response_interval_ms;
	w->hm.robustness = w->cfg.robustness;
	w->hm.unsolicited_report_ms = URI_MS;
	w->hm.rng = &w->rng;
	w->hm.ctx = w;
	w->hm.send = host_send;
	w->hm.note = host_note;

	if (mgm_router_create(&w->cfg, &cb, NULL, &w->r, err, sizeof(err)) != 0)
		fail_msg("mgm_router_create: %s", err);
	assert_int_equal(
		mgm_router_set_address(w->r, 0, &w->router_addr, family == MGM_INET ? 24 : 64), 0);
	assert_int_equal(mgm_router_start(w->r, 0), 0);
	deliver_queries(w);
}

static int count_group(void *ctx, const struct mgm_router_group_info *gi)
{
	(void)gi;
	(*(int *)ctx)++;
	return 0;
}

static void run_sequence(struct world *w, uint8_t family, uint64_t seed, int steps)
{
	world_init(w, family, seed);
	note(w, "start: RV %u QRI %u LMQI %u LMQC %u fast_leave %d", w->cfg.robustness,
	     w->cfg.query_response_interval_ms, w->cfg.last_member_query_interval_ms,
	     w->cfg.last_member_query_count, w->cfg.fast_leave);
	for (int i = 0; i < steps; i++) {
		uint32_t k = below(&w->rng, 10);
		int64_t gap = k < 6   ? below(&w->rng, (uint32_t)w->lmqt * 2)
			      : k < 9 ? below(&w->rng, w->cfg.query_interval_ms)
				      : below(&w->rng, (uint32_t)w->gmi * 2);

		run_until(w, w->now + gap);
		random_event(w);
	}
	/* Everyone leaves: every group is gone within GMI and nothing is forwarded. */
	for (int h = 0; h < NHOSTS; h++)
		for (int g = 0; g < NG; g++) {
			hm_set_state(&w->hm, w->now, h, g, MGM_INCLUDE, 0);
			oracle_update(w);
			oracle_check(w);
		}
	run_until(w, w->now + w->gmi + w->lmqt);
	{
		int groups = 0;

		mgm_router_foreach_group(w->r, w->now, count_group, &groups);
		CHECK(w, groups == 0, "%d group records left %" PRId64 " ms after the last leave",
		      groups, w->gmi + w->lmqt);
	}
	mgm_router_destroy(w->r);
	w->r = NULL;
}

static void run_family(uint8_t family)
{
	static struct world w;
	uint64_t base = env_u64("MGM_HOSTS_SEED", 20250611);
	uint64_t only = env_u64("MGM_HOSTS_ONLY", 0);
	uint64_t nseq = env_u64("MGM_HOSTS_SEQUENCES", 120);
	uint64_t checks = 0, reports = 0, queries = 0, timed = 0;
	struct rng seeds = {base ^ family};

	if (only) {
		run_sequence(&w, family, only, 400);
		return;
	}
	print_message("%s: base seed %" PRIu64 " (MGM_HOSTS_SEED), %" PRIu64 " sequences\n",
		      family == MGM_INET ? "IGMPv3" : "MLDv2", base, nseq);
	for (uint64_t i = 0; i < nseq; i++) {
		run_sequence(&w, family, rnd(&seeds) | 1, 400);
		checks += w.checks;
		reports += w.reports;
		queries += w.queries_seen;
		timed += w.leaves_timed;
	}
	print_message("%" PRIu64 " checks, %" PRIu64 " reports, %" PRIu64 " queries, %" PRIu64
		      " liveness deadlines checked at the millisecond\n",
		      checks, reports, queries, timed);
}

static void test_router_igmpv3_gives_hosts_what_they_want(void **state)
{
	(void)state;
	run_family(MGM_INET);
}

static void test_router_mldv2_gives_hosts_what_they_want(void **state)
{
	(void)state;
	run_family(MGM_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_igmpv3_gives_hosts_what_they_want),
		cmocka_unit_test(test_router_mldv2_gives_hosts_what_they_want),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
