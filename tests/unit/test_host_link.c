/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host engines and the router engine on one simulated link, in memory: NHOSTS mgm_host
 * instances (IGMPv3, then MLDv2) make random joins, leaves and filter changes through their
 * socket calls over simulated hours, while one mgm_router queries them. Every message either
 * engine sends is delivered to the others (reports to the router and, for v1/v2 suppression,
 * to the other hosts; queries to every host).
 *
 * The oracle is the test's own: the socket filters it asked for, merged per host by its own
 * bitmask version of RFC 3376 §3.2, and across hosts into "some host wants traffic from S to
 * G". It reads neither engine to decide what is right. Checked:
 *   - each host engine's interface state equals the oracle's merge for that host, always;
 *   - after every quiet period (no call for QUIET ms) the router forwards exactly what the
 *     hosts want, for every source of the pool and for a source nobody names (§3.2 with
 *     §6.4's tables: exact in IGMPv3 / MLDv2), but for a source an IS_EX keeps for its GMI
 *     (below) until that runs out;
 *   - traffic nobody wants any more stops within LMQT (+ TICK) of the call that made it so
 *     (§6.4.2's queries, §6.6.3), at every step, quiet or not; with the two allowances the
 *     router's own RFC rows impose (oracle_record(), as test_router_hosts.c has them): a
 *     retransmitted TO_EX / BLOCK restarts the LMQT, and an IS_EX naming the source (another
 *     host answering a query) makes the router keep it for a GMI.
 *
 * The same with an IGMPv2 / MLDv1 router: the hosts fall back to the older version (§7.2.1,
 * RFC 3810 §8.2.1) and the router forwards every source of a group some host is a member of.
 *
 * MGM_LINK_SEED=N changes the base seed, MGM_LINK_HOURS=N the simulated hours per family.
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

#include "mgm/host.h"
#include "mgm/router.h"
#include "mgm/wire.h"

#include "test_alloc.h"
#include "test_rng.h"

#define NHOSTS 5
#define NSOCKS 2
#define NG     3 /* two ASM groups, then one SSM group (INCLUDE only, RFC 4604 §2.2.1) */
#define G_SSM  2
#define NS     4 /* the source pool; source NS stands for any source nobody names */
#define TICK   10
#define QUIET  15000
#define MAXQ   4096

struct msg {
	int from; /* host index, or -1 for the router */
	struct mgm_addr dst;
	uint8_t buf[1500];
	size_t len;
};

struct filter {
	uint8_t mode; /* 0: the socket holds no filter (INCLUDE {}) */
	uint8_t src;
};

struct link {
	uint8_t family;
	bool older; /* the router speaks IGMPv2 / MLDv1: the hosts fall back (§7.2.1) */
	struct rng rng;
	int64_t now;
	struct mgm_router *r;
	struct mgm_router_config rcfg;
	struct mgm_host *h[NHOSTS];
	struct test_alloc halloc[NHOSTS];
	struct mgm_addr haddr[NHOSTS], raddr;
	struct mgm_addr groups[NG], sources[NS + 1];
	struct filter f[NHOSTS][NG][NSOCKS];
	/* Per (group, source): when it became unwanted (MGM_TIME_NEVER: wanted), when forwarding
	 * must have stopped, and whether an IS_EX named it since. */
	int64_t unwanted_since[NG][NS + 1];
	int64_t deadline[NG][NS + 1];
	bool is_ex_seen[NG][NS + 1];
	struct msg *q;
	int nq, qhead;
	int64_t lmqt, gmi;
	uint64_t extended_by_retransmission, extended_by_is_ex, quiet_allowed;
	uint64_t calls, quiet_checks, step_checks, messages, queries;
	int64_t worst_leave;
};

/* ---- The oracle: RFC 3376 §3.2 on bitmasks ------------------------------------------------ */

/* One host's interface state for group g from its sockets (the test's own merge). */
static uint8_t oracle_merge(const struct link *l, int h, int g, uint8_t *src)
{
	bool any_ex = false;
	uint8_t ex = 0xff, inc = 0;

	for (int k = 0; k < NSOCKS; k++) {
		const struct filter *f = &l->f[h][g][k];

		if (f->mode == MGM_EXCLUDE) {
			any_ex = true;
			ex &= f->src;
		} else if (f->mode == MGM_INCLUDE) {
			inc |= f->src;
		}
	}
	if (any_ex) {
		*src = ex & (uint8_t)~inc;
		return MGM_EXCLUDE;
	}
	*src = inc;
	return MGM_INCLUDE;
}

/* Does some host want traffic from source s (NS: an unnamed one) to group g? */
static bool oracle_wanted(const struct link *l, int g, int s)
{
	/* With an IGMPv2 / MLDv1 router the hosts report membership alone (RFC 3376 §7.2.1,
	 * RFC 3810 §8.2.1), so a group some host has any state for is forwarded from every
	 * source: the RFC's approximation. SSM groups are never joined that way (RFC 4604
	 * §2.2.1: the router ignores v1 / v2 reports for them). */
	if (l->older) {
		if (g == G_SSM)
			return false;
		for (int h = 0; h < NHOSTS; h++) {
			uint8_t src;

			if (oracle_merge(l, h, g, &src) == MGM_EXCLUDE || src)
				return true;
		}
		return false;
	}
	for (int h = 0; h < NHOSTS; h++) {
		uint8_t src, mode = oracle_merge(l, h, g, &src);
		bool listed = s < NS && (src & (1u << s));

		if (mode == MGM_INCLUDE ? listed : !listed)
			return true;
	}
	return false;
}

/*
 * A host's record reaching the router, seen by the oracle before the router applies it: the
 * router rows that make "LMQT after the call" too strict (test_router_hosts.c's oracle_record()).
 */
static void oracle_record(struct link *l, const struct mgm_record *rec)
{
	int g;

	for (g = 0; g < NG; g++)
		if (mgm_addr_eq(&l->groups[g], &rec->group))
			break;
	assert_true(g < NG);
	for (uint16_t i = 0; i < rec->num_sources; i++) {
		struct mgm_addr a;
		int s;

		mgm_source_at(rec->sources, l->family, i, &a);
		for (s = 0; s < NS; s++)
			if (mgm_addr_eq(&l->sources[s], &a))
				break;
		assert_true(s < NS);
		if (l->unwanted_since[g][s] == MGM_TIME_NEVER || l->now >= l->deadline[g][s])
			continue;
		/* RFC 3376 §6.4.2: TO_EX / BLOCK in EXCLUDE mode give the source the group timer
		 * and Q(G,S) lowers it to LMQT from this record's arrival: a retransmission,
		 * up to the Unsolicited Report Interval after the call, restarts it. */
		if ((rec->type == MGM_CHANGE_TO_EXCLUDE || rec->type == MGM_BLOCK_OLD_SOURCES) &&
		    l->now + l->lmqt > l->deadline[g][s]) {
			l->deadline[g][s] = l->now + l->lmqt;
			l->extended_by_retransmission++;
		}
		/* §6.4.1: EXCLUDE (X,Y) + IS_EX (A) gives (A-X-Y) = GMI and no query: a host that
		 * excludes S answering another's Q(G) keeps S forwarded for a GMI (the router
		 * cannot tell that nobody else wants it). Only the first one counts. */
		if (rec->type == MGM_MODE_IS_EXCLUDE && !l->is_ex_seen[g][s]) {
			l->is_ex_seen[g][s] = true;
			if (l->now + l->gmi > l->deadline[g][s]) {
				l->deadline[g][s] = l->now + l->gmi;
				l->extended_by_is_ex++;
			}
		}
	}
}

/* ---- The link -------------------------------------------------------------------------- */

static void enqueue(struct link *l, int from, const struct mgm_addr *dst, const uint8_t *p,
		    size_t len)
{
	struct msg *m;

	assert_true(l->nq < MAXQ);
	assert_true(len <= sizeof(m->buf));
	m = &l->q[l->nq++];
	m->from = from;
	m->dst = *dst;
	memcpy(m->buf, p, len);
	m->len = len;
}

struct host_ctx {
	struct link *l;
	int i;
};
static struct host_ctx hctx[NHOSTS];

static void host_send(void *ctx, const struct mgm_addr *dst, const uint8_t *p, size_t len)
{
	struct host_ctx *c = ctx;
	struct mgm_msg m;

	/* Whatever a host engine sends decodes with the strict codec. */
	assert_int_equal(mgm_decode(c->l->family, p, len, &c->l->haddr[c->i], dst, &m), 0);
	enqueue(c->l, c->i, dst, p, len);
}

static uint64_t host_random(void *ctx)
{
	struct host_ctx *c = ctx;

	return rnd(&c->l->rng);
}

static void router_send(void *ctx, const struct mgm_addr *dst, const uint8_t *p, size_t len)
{
	struct link *l = ctx;

	l->queries++;
	enqueue(l, -1, dst, p, len);
}

/* MGM_LINK_TRACE=1: every message and call on stderr, to read a failing sequence. */
static bool trace;

static void trace_msg(const struct link *l, const struct msg *m)
{
	struct mgm_record_iter it;
	struct mgm_record rec;
	struct mgm_msg d;
	char a[MGM_ADDRSTRLEN], b[MGM_ADDRSTRLEN];

	if (mgm_decode(l->family, m->buf, m->len, m->from < 0 ? &l->raddr : &l->haddr[m->from],
		       &m->dst, &d))
		return;
	fprintf(stderr, "%8" PRId64 " %s%d %s v%u %s", l->now, m->from < 0 ? "R" : "H",
		m->from < 0 ? 0 : m->from, mgm_msg_kind_name(l->family, d.kind), d.version,
		mgm_addr_str(&d.group, a));
	for (uint16_t i = 0; i < d.num_sources; i++) {
		mgm_source_at(d.sources, l->family, i, &d.group);
		fprintf(stderr, " %s", mgm_addr_str(&d.group, a));
	}
	mgm_records_begin(&d, &it);
	while (mgm_records_next(&it, &rec)) {
		fprintf(stderr, " [%s %s", mgm_record_type_name(rec.type),
			mgm_addr_str(&rec.group, a));
		for (uint16_t i = 0; i < rec.num_sources; i++) {
			struct mgm_addr x;

			mgm_source_at(rec.sources, l->family, i, &x);
			fprintf(stderr, " %s", mgm_addr_str(&x, b));
		}
		fprintf(stderr, "]");
	}
	fprintf(stderr, "\n");
}

static void deliver_all(struct link *l)
{
	/* Delivering may make the router query at once: the queue grows while it drains. */
	for (l->qhead = 0; l->qhead < l->nq; l->qhead++) {
		const struct msg *m = &l->q[l->qhead];
		struct mgm_ip_info ip = {
			.family = l->family,
			.src = m->from < 0 ? l->raddr : l->haddr[m->from],
			.dst = m->dst,
			.hop_limit = 1,
			.router_alert = true,
			.payload = m->buf,
			.payload_len = m->len,
		};

		l->messages++;
		if (trace)
			trace_msg(l, m);
		if (m->from >= 0) {
			struct mgm_record_iter it;
			struct mgm_record rec;
			struct mgm_msg d;

			assert_int_equal(
				mgm_decode(l->family, m->buf, m->len, &ip.src, &ip.dst, &d), 0);
			mgm_records_begin(&d, &it);
			while (mgm_records_next(&it, &rec))
				oracle_record(l, &rec);
		}
		if (m->from >= 0)
			assert_int_equal(mgm_router_input(l->r, l->now, &ip), 0);
		for (int h = 0; h < NHOSTS; h++)
			if (h != m->from)
				assert_int_equal(mgm_host_input(l->h[h], l->now, &ip), 0);
	}
	l->nq = 0;
}

static int64_t next_deadline(const struct link *l)
{
	int64_t d = mgm_router_next_deadline(l->r);

	for (int h = 0; h < NHOSTS; h++) {
		int64_t e = mgm_host_next_deadline(l->h[h]);

		if (e < d)
			d = e;
	}
	return d;
}

/* ---- Checks ----------------------------------------------------------------------------- */

static void check_hosts(struct link *l)
{
	for (int h = 0; h < NHOSTS; h++)
		for (int g = 0; g < NG; g++) {
			struct mgm_addr out[NS + 1];
			struct mgm_host_group_info gi;
			uint8_t want_src, want_mode = oracle_merge(l, h, g, &want_src), got = 0;
			int n;

			if (mgm_host_group(l->h[h], l->now, &l->groups[g], &gi)) {
				assert_true(want_mode == MGM_INCLUDE && !want_src);
				continue;
			}
			n = mgm_host_group_sources(l->h[h], &l->groups[g], out, NS + 1);
			for (int i = 0; i < n; i++)
				for (int s = 0; s < NS; s++)
					if (mgm_addr_eq(&out[i], &l->sources[s]))
						got |= (uint8_t)(1u << s);
			if (gi.filter_mode != want_mode || got != want_src ||
			    n != __builtin_popcount(got))
				fail_msg("t=%" PRId64
					 " host %d group %d: engine mode %u sources %#x, "
					 "sockets ask for mode %u sources %#x",
					 l->now, h, g, gi.filter_mode, got, want_mode, want_src);
		}
}

/* Leave latency, at every step: what nobody wants is not forwarded past LMQT + TICK. */
static void check_latency(struct link *l)
{
	for (int g = 0; g < NG; g++)
		for (int s = 0; s <= NS; s++) {
			int64_t since = l->unwanted_since[g][s];
			bool fwd = mgm_router_forwarding(l->r, &l->groups[g], &l->sources[s]);

			l->step_checks++;
			if (since == MGM_TIME_NEVER || !fwd)
				continue;
			/* The worst case the plain rule covers: LMQT from the call. */
			if (l->deadline[g][s] == since + l->lmqt && l->now - since > l->worst_leave)
				l->worst_leave = l->now - since;
			if (l->now > l->deadline[g][s] + TICK)
				fail_msg("t=%" PRId64
					 " group %d source %d: still forwarded %" PRId64
					 " ms after nobody wants it (LMQT %" PRId64
					 ", allowed %" PRId64 ")",
					 l->now, g, s, l->now - since, l->lmqt,
					 l->deadline[g][s] - since);
		}
}

static void check_quiet(struct link *l)
{
	for (int g = 0; g < NG; g++)
		for (int s = 0; s <= NS; s++) {
			bool want = oracle_wanted(l, g, s);
			bool fwd = mgm_router_forwarding(l->r, &l->groups[g], &l->sources[s]);

			l->quiet_checks++;
			/* Unwanted but within its allowance (an IS_EX's GMI): check_latency()'s. */
			if (!want && fwd && l->now <= l->deadline[g][s] + TICK) {
				l->quiet_allowed++;
				continue;
			}
			if (want != fwd)
				fail_msg("t=%" PRId64 " after a quiet period, group %d source %d: "
					 "router forwards %d, hosts want %d",
					 l->now, g, s, fwd, want);
		}
}

static void note_wants(struct link *l)
{
	for (int g = 0; g < NG; g++)
		for (int s = 0; s <= NS; s++) {
			bool want = oracle_wanted(l, g, s);

			if (want) {
				l->unwanted_since[g][s] = MGM_TIME_NEVER;
			} else if (l->unwanted_since[g][s] == MGM_TIME_NEVER) {
				l->unwanted_since[g][s] = l->now;
				l->deadline[g][s] = l->now + l->lmqt;
				l->is_ex_seen[g][s] = false;
			}
		}
}

/* Runs every engine up to t, delivering as it goes, checking latency at every step. */
static void run_until(struct link *l, int64_t t)
{
	int64_t d;

	while ((d = next_deadline(l)) <= t) {
		assert_true(d >= l->now);
		l->now = d;
		mgm_router_timer(l->r, d);
		deliver_all(l);
		for (int h = 0; h < NHOSTS; h++) {
			mgm_host_timer(l->h[h], d);
			deliver_all(l);
		}
		check_latency(l);
	}
	l->now = t;
	check_latency(l);
}

/* ---- Random socket calls --------------------------------------------------------------- */

static void call(struct link *l)
{
	int h = (int)below(&l->rng, NHOSTS), g = (int)below(&l->rng, NG);
	int k = (int)below(&l->rng, NSOCKS), s = (int)below(&l->rng, NS);
	struct filter *f = &l->f[h][g][k], nf = *f;
	uint32_t sock = (uint32_t)k + 1;
	unsigned pick = below(&l->rng, 100);
	int rc;

	/* With the older router only groups left by every host test leaves: leave more. */
	unsigned leave = l->older ? 55 : 25;

	if (pick < leave) {
		nf = (struct filter){0};
		rc = f->mode ? mgm_host_leave(l->h[h], l->now, sock, &l->groups[g]) : 0;
	} else if (pick < leave + 20 && g != G_SSM) {
		nf = (struct filter){MGM_EXCLUDE, (uint8_t)below(&l->rng, 1u << NS)};
		nf.src &= (uint8_t)below(&l->rng, 1u << NS); /* sparse exclusion lists */
		goto set;
	} else if (pick < leave + 40) {
		nf = (struct filter){MGM_INCLUDE, (uint8_t)(1 + below(&l->rng, (1u << NS) - 1))};
		goto set;
	} else if (f->mode == MGM_INCLUDE || !f->mode) {
		/* RFC 3678's source calls: join or leave one source. */
		if (f->mode && (f->src & (1u << s))) {
			nf.src &= (uint8_t) ~(1u << s);
			if (!nf.src)
				nf.mode = 0;
			rc = mgm_host_leave_source(l->h[h], l->now, sock, &l->groups[g],
						   &l->sources[s]);
		} else {
			nf = (struct filter){MGM_INCLUDE, (uint8_t)(f->src | (1u << s))};
			rc = mgm_host_join_source(l->h[h], l->now, sock, &l->groups[g],
						  &l->sources[s]);
		}
	} else {
		/* Block or unblock one source of an any-source join. */
		if (f->src & (1u << s)) {
			nf.src &= (uint8_t) ~(1u << s);
			rc = mgm_host_unblock_source(l->h[h], l->now, sock, &l->groups[g],
						     &l->sources[s]);
		} else {
			nf.src |= (uint8_t)(1u << s);
			rc = mgm_host_block_source(l->h[h], l->now, sock, &l->groups[g],
						   &l->sources[s]);
		}
	}
	goto done;
set : {
	struct mgm_addr list[NS];
	uint32_t n = 0;

	for (int i = 0; i < NS; i++)
		if (nf.src & (1u << i))
			list[n++] = l->sources[i];
	rc = mgm_host_set_filter(l->h[h], l->now, sock, &l->groups[g], nf.mode, list, n);
}
done:
	assert_int_equal(rc, 0);
	if (trace)
		fprintf(stderr,
			"%8" PRId64 " call host %d group %d socket %u: mode %u sources %#x\n",
			l->now, h, g, sock, nf.mode, nf.src);
	*f = nf;
	l->calls++;
	deliver_all(l);
	note_wants(l);
	check_hosts(l);
	check_latency(l);
}

/* ---- Set-up ----------------------------------------------------------------------------- */

static struct mgm_addr addr(const char *text)
{
	struct mgm_addr a;

	assert_int_equal(mgm_addr_parse(text, &a), 0);
	return a;
}

static void link_run(uint8_t family, bool older, uint64_t seed, int64_t hours)
{
	static const char *const v4[] = {"239.1.1.1", "239.1.1.2", "232.1.1.1", "10.9.0.1",
					 "10.9.0.2",  "10.9.0.3",  "10.9.0.4",	"10.9.0.99"};
	static const char *const v6[] = {"ff0e::1:1",	"ff0e::1:2",   "ff3e::1:1",
					 "2001:db8::1", "2001:db8::2", "2001:db8::3",
					 "2001:db8::4", "2001:db8::99"};
	const char *const *names = family == MGM_INET ? v4 : v6;
	struct link *l = calloc(1, sizeof(*l));
	struct mgm_router_callbacks rcb;
	struct mgm_host_config hcfg;
	char err[160];

	assert_non_null(l);
	trace = getenv("MGM_LINK_TRACE") != NULL;
	l->q = calloc(MAXQ, sizeof(*l->q));
	assert_non_null(l->q);
	l->family = family;
	l->older = older;
	l->rng.s = seed;
	for (int g = 0; g < NG; g++)
		l->groups[g] = addr(names[g]);
	for (int s = 0; s <= NS; s++)
		l->sources[s] = addr(names[NG + s]);
	l->raddr = addr(family == MGM_INET ? "10.0.0.1" : "fe80::1");
	for (int g = 0; g < NG; g++)
		for (int s = 0; s <= NS; s++) {
			l->unwanted_since[g][s] = 0;
			l->deadline[g][s] = 0;
		}

	mgm_router_config_defaults(&l->rcfg, family);
	if (older)
		l->rcfg.version = family == MGM_INET ? 2 : 1;
	l->rcfg.robustness = (uint8_t)between(&l->rng, 2, 3);
	l->rcfg.query_interval_ms = between(&l->rng, 10, 60) * 1000;
	l->rcfg.query_response_interval_ms = between(&l->rng, 10, 50) * 100;
	l->rcfg.last_member_query_interval_ms = between(&l->rng, 1, 10) * 100;
	l->rcfg.last_member_query_count = (uint8_t)between(&l->rng, 2, 3);
	l->lmqt = (int64_t)l->rcfg.last_member_query_interval_ms * l->rcfg.last_member_query_count;
	l->gmi = (int64_t)l->rcfg.robustness * l->rcfg.query_interval_ms +
		 l->rcfg.query_response_interval_ms;
	rcb = (struct mgm_router_callbacks){.ctx = l, .send = router_send};
	if (mgm_router_create(&l->rcfg, &rcb, NULL, &l->r, err, sizeof(err)))
		fail_msg("mgm_router_create: %s", err);
	assert_int_equal(mgm_router_set_address(l->r, 0, &l->raddr, family == MGM_INET ? 24 : 64),
			 0);
	assert_int_equal(mgm_router_start(l->r, 0), 0);

	mgm_host_config_defaults(&hcfg, family);
	hcfg.robustness = l->rcfg.robustness;
	for (int h = 0; h < NHOSTS; h++) {
		struct mgm_host_callbacks cb;
		struct mgm_allocator al = test_alloc_hooks(&l->halloc[h]);
		char text[48];

		hctx[h] = (struct host_ctx){l, h};
		cb = (struct mgm_host_callbacks){
			.ctx = &hctx[h], .send = host_send, .random = host_random};
		if (mgm_host_create(&hcfg, &cb, &al, &l->h[h], err, sizeof(err)))
			fail_msg("mgm_host_create: %s", err);
		snprintf(text, sizeof(text), family == MGM_INET ? "10.0.0.%d" : "fe80::%x", 10 + h);
		l->haddr[h] = addr(text);
		assert_int_equal(mgm_host_set_address(l->h[h], 0, &l->haddr[h]), 0);
		assert_int_equal(mgm_host_start(l->h[h], 0), 0);
	}
	deliver_all(l); /* the router's first query, sent by start */
	run_until(l, 1000);

	while (l->now < hours * 3600000) {
		/* A burst of calls at random times, then a quiet period. */
		int n = (int)between(&l->rng, 1, 12);

		for (int i = 0; i < n; i++) {
			run_until(l, l->now + between(&l->rng, 0, 3000));
			call(l);
		}
		run_until(l, l->now + QUIET);
		check_quiet(l);
		check_hosts(l);
		run_until(l, l->now + between(&l->rng, 0, 120000));
		check_quiet(l);
	}
	printf("# %s%s seed %" PRIu64 ": %" PRId64 " simulated s, %" PRIu64 " calls, %" PRIu64
	       " messages (%" PRIu64 " from the router), %" PRIu64 " quiet checks (%" PRIu64
	       " within an IS_EX's GMI), %" PRIu64 " step checks; worst leave latency %" PRId64
	       " ms (LMQT %" PRId64 "); deadline moved by a retransmitted TO_EX/BLOCK %" PRIu64
	       " times, by IS_EX %" PRIu64 " times\n",
	       family == MGM_INET ? "IGMPv3" : "MLDv2", older ? " hosts, older router" : "", seed,
	       l->now / 1000, l->calls, l->messages, l->queries, l->quiet_checks, l->quiet_allowed,
	       l->step_checks, l->worst_leave, l->lmqt, l->extended_by_retransmission,
	       l->extended_by_is_ex);
	mgm_router_destroy(l->r);
	for (int h = 0; h < NHOSTS; h++) {
		mgm_host_destroy(l->h[h]);
		assert_int_equal(l->halloc[h].live, 0);
	}
	free(l->q);
	free(l);
}

static void test_host_link_igmpv3(void **state)
{
	uint64_t seed = env_u64("MGM_LINK_SEED", 20261204);

	(void)state;
	for (int i = 0; i < 3; i++)
		link_run(MGM_INET, false, seed + (uint64_t)i,
			 (int64_t)env_u64("MGM_LINK_HOURS", 6));
}

static void test_host_link_mldv2(void **state)
{
	uint64_t seed = env_u64("MGM_LINK_SEED", 20261204);

	(void)state;
	for (int i = 0; i < 3; i++)
		link_run(MGM_INET6, false, seed + 100 + (uint64_t)i,
			 (int64_t)env_u64("MGM_LINK_HOURS", 6));
}

/* IGMPv3 / MLDv2 hosts under an IGMPv2 / MLDv1 querier: in compatibility mode at once,
 * membership per group, leaves by the last reporter within LMQT. */
static void test_host_link_older_router(void **state)
{
	uint64_t seed = env_u64("MGM_LINK_SEED", 20261204);

	(void)state;
	for (int i = 0; i < 2; i++) {
		link_run(MGM_INET, true, seed + 200 + (uint64_t)i,
			 (int64_t)env_u64("MGM_LINK_HOURS", 6));
		link_run(MGM_INET6, true, seed + 300 + (uint64_t)i,
			 (int64_t)env_u64("MGM_LINK_HOURS", 6));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_link_igmpv3),
		cmocka_unit_test(test_host_link_mldv2),
		cmocka_unit_test(test_host_link_older_router),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
