/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the host engine (RFC 3376 §3.2, §5, §7.2; RFC 3810 §4.2, §6, §8.2): the
 * input is a program of socket calls, queries, other hosts' reports, raw messages, time steps
 * and control calls run against one host. Beyond crashes it checks, after every operation:
 * the engine's interface state against the fuzzer's own RFC 3376 §3.2 merge of the socket
 * filters it asked for; every call's result against RFC 3678's rules (and limits, refusals);
 * that every message sent decodes strictly, fits the MTU, goes to the right destination and
 * says what the interface state says (TO_IN / TO_EX / IS_EX carry it exactly, ALLOW / IS_IN
 * only forwarded sources, BLOCK only blocked ones, leaves only for groups left); the counters;
 * the memory count; the deadline contract; and at the end that nothing leaks.
 *
 * Input: two configuration octets, then operations until the input ends.
 *   octet 0: bit 0 family (IGMP, MLD); bits 1-2 version (0: newest); bit 3 small limits;
 *            bit 4 minimum MTU; bits 5-6 robustness - 1; bit 7 an allocator that refuses
 *            every seventh request.
 *   octet 1: bits 0-2 Unsolicited Report Interval (n + 1) x 250 ms; bits 3-4 General
 *            Query answer interval (0: none, else 250 << n ms); bits 3-7 random seed.
 *   operation octet: bits 0-2 the kind below, bits 3-7 its argument `a`.
 *   0 socket  x, y: x bits 0-2 join, leave, join_source, leave_source, block, unblock,
 *             set_filter, close; bits 3-4 socket; bits 5-7 group (6: SSM, 7: unrouted);
 *             y: the source (bits 0-2), or set_filter's source mask; a bit 0: set_filter's
 *             mode (INCLUDE, EXCLUDE).
 *   1 query   x, mask: x bits 0-1 version, bits 2-3 general / group / group-and-source /
 *             general, bits 4-6 group; a: Max Resp Time (a + 1) x 100 ms.
 *   2 report  x: another host's report; bits 0-2 group, bit 3 version 1 / 2.
 *   3 raw     len, len octets from the querier; a bit 0: fix the checksum.
 *   4 time    lo, hi: a bits 0-1 to the deadline / +t ms / +100 t ms / +1000 t ms; bit 2:
 *             the clock moves without timer().
 *   5 early   f: timer() before the deadline: nothing may change.
 *   6 reconf  c0, c1: a new configuration as octets 0 and 1.
 *   7 control a % 5: stop, start, new address, stop and start, close every socket.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgm/addr.h"
#include "mgm/engine.h"
#include "mgm/err.h"
#include "mgm/host.h"
#include "mgm/wire.h"

#include "fuzz.h"

#define NSOCK  4
#define NGROUP 8
#define NSRC   8
#define G_SSM  6
#define G_LINK 7
#define MAXOUT 512

int fuzz_last_decoded;

static bool trace;

/* ---- The world --------------------------------------------------------------------------- */

struct filter {
	uint8_t mode; /* 0: none (INCLUDE {}) */
	uint8_t src;  /* bit i: source i */
};

struct out {
	struct mgm_addr dst;
	uint8_t buf[1500];
	size_t len;
};

/* Reused by every input: zeroing this much per input would cost more than the run. */
static struct out outbuf[MAXOUT];

struct world {
	uint8_t family;
	struct mgm_host_config cfg;
	struct mgm_host *h;
	struct fuzz_alloc ca;
	uint64_t rng;
	int64_t now;
	bool late, running;
	struct mgm_addr self, querier, other;
	struct mgm_addr groups[NGROUP], sources[NSRC];
	struct filter f[NSOCK][NGROUP];
	struct out *out; /* what the current operation sent (outbuf) */
	unsigned nout;
	uint64_t records_seen[7], reports_seen[MGM_VERSIONS], leaves_seen;
};

static uint64_t on_random(void *ctx)
{
	return fuzz_splitmix(&((struct world *)ctx)->rng);
}

static void on_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct world *w = ctx;
	struct out *o;

	CHECK(w->running);
	CHECK(len + mgm_ip_header_len(w->family) <= w->cfg.mtu);
	CHECK(w->nout < MAXOUT && len <= sizeof(o->buf));
	o = &w->out[w->nout++];
	o->dst = *dst;
	memcpy(o->buf, payload, len);
	o->len = len;
}

static void on_log(void *ctx, int level, const char *text)
{
	(void)ctx;
	if (trace)
		fprintf(stderr, "fuzz_host: log %d: %s\n", level, text);
}

static void parse(struct mgm_addr *a, const char *text)
{
	if (mgm_addr_parse(text, a))
		abort();
}

static void make_addresses(struct world *w)
{
	static const char *const g4[NGROUP] = {"239.1.1.1", "239.1.1.2", "239.1.1.3",
					       "239.2.0.1", "225.0.0.9", "238.255.0.1",
					       "232.1.1.1", "224.0.0.5"};
	static const char *const g6[NGROUP] = {"ff0e::1:1", "ff0e::1:2", "ff05::3", "ff15::4",
					       "ff08::5",   "ff0e::6",	 "ff3e::1", "ff02::5"};
	char text[48];

	for (int i = 0; i < NGROUP; i++)
		parse(&w->groups[i], w->family == MGM_INET ? g4[i] : g6[i]);
	for (int i = 0; i < NSRC; i++) {
		snprintf(text, sizeof(text),
			 w->family == MGM_INET ? "10.9.%d.%d" : "2001:db8::%x:%x", i, i + 1);
		parse(&w->sources[i], text);
	}
	parse(&w->self, w->family == MGM_INET ? "10.0.0.2" : "fe80::2");
	parse(&w->querier, w->family == MGM_INET ? "10.0.0.1" : "fe80::1");
	parse(&w->other, w->family == MGM_INET ? "10.0.0.3" : "fe80::3");
}

static void make_config(struct mgm_host_config *cfg, uint8_t family, uint8_t c0, uint8_t c1)
{
	uint8_t top = family == MGM_INET ? 3 : 2, v = (c0 >> 1) & 3;

	mgm_host_config_defaults(cfg, family);
	cfg->version = v == 0 || v > top ? top : v;
	if (c0 & 8) {
		cfg->max_groups = 3;
		cfg->max_sockets = 5;
		cfg->max_sources_per_group = 3;
	}
	if (c0 & 16)
		cfg->mtu = family == MGM_INET ? 576 : 1280;
	cfg->robustness = (uint8_t)(((c0 >> 5) & 3) + 1);
	cfg->unsolicited_report_interval_ms = ((c1 & 7) + 1) * 250u;
	/* General answers: as §5.2 alone, or at most one per 0.5 / 1 / 2 s. */
	cfg->general_answer_interval_ms = (c1 >> 3 & 3) ? 250u << (c1 >> 3 & 3) : 0;
}

/* ---- The oracle: RFC 3376 §3.2 on bitmasks ----------------------------------------------- */

static uint8_t merge(const struct world *w, int g, uint8_t *src)
{
	bool any_ex = false;
	uint8_t ex = 0xff, inc = 0;

	for (int k = 0; k < NSOCK; k++) {
		if (w->f[k][g].mode == MGM_EXCLUDE) {
			any_ex = true;
			ex &= w->f[k][g].src;
		} else if (w->f[k][g].mode == MGM_INCLUDE) {
			inc |= w->f[k][g].src;
		}
	}
	*src = any_ex ? (uint8_t)(ex & ~inc) : inc;
	return any_ex ? MGM_EXCLUDE : MGM_INCLUDE;
}

static int source_index(const struct world *w, const struct mgm_addr *a)
{
	for (int i = 0; i < NSRC; i++)
		if (mgm_addr_eq(&w->sources[i], a))
			return i;
	return -1;
}

static int group_index(const struct world *w, const struct mgm_addr *a)
{
	for (int i = 0; i < NGROUP; i++)
		if (mgm_addr_eq(&w->groups[i], a))
			return i;
	return -1;
}

/* ---- Checks -------------------------------------------------------------------------------- */

/* The sources of a wire list as a mask (every one of the pool, none twice). */
static uint8_t mask_of(const struct world *w, const uint8_t *list, uint16_t n)
{
	uint8_t m = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct mgm_addr a;
		int s;

		mgm_source_at(list, w->family, i, &a);
		s = source_index(w, &a);
		CHECK(s >= 0 && !(m & (1u << s)));
		m |= (uint8_t)(1u << s);
	}
	return m;
}

/* What the operation sent, against the interface state after it. */
static void check_sent(struct world *w)
{
	for (unsigned i = 0; i < w->nout; i++) {
		const struct out *o = &w->out[i];
		struct mgm_record_iter it;
		struct mgm_record rec;
		struct mgm_addr want;
		struct mgm_msg m;

		CHECK(mgm_decode(w->family, o->buf, o->len, &w->self, &o->dst, &m) == 0);
		CHECK(m.kind == MGM_MSG_REPORT || m.kind == MGM_MSG_LEAVE);
		CHECK(m.version <= w->cfg.version);
		if (m.records) {
			mgm_addr_v3_report_dest(&want, w->family);
			CHECK(mgm_addr_eq(&o->dst, &want));
			w->reports_seen[m.version - 1]++;
			mgm_records_begin(&m, &it);
			while (mgm_records_next(&it, &rec)) {
				int g = group_index(w, &rec.group);
				uint8_t st, mode, sm = mask_of(w, rec.sources, rec.num_sources);

				CHECK(g >= 0 && g != G_LINK);
				mode = merge(w, g, &st);
				w->records_seen[rec.type]++;
				switch (rec.type) {
				case MGM_CHANGE_TO_INCLUDE:
					CHECK(mode == MGM_INCLUDE && sm == st);
					break;
				case MGM_CHANGE_TO_EXCLUDE:
				case MGM_MODE_IS_EXCLUDE:
					CHECK(mode == MGM_EXCLUDE && sm == st);
					break;
				case MGM_MODE_IS_INCLUDE:
				case MGM_ALLOW_NEW_SOURCES:
					/* Only sources the state forwards. */
					CHECK(mode == MGM_INCLUDE ? !(sm & ~st) : !(sm & st));
					if (rec.type == MGM_MODE_IS_INCLUDE)
						CHECK(sm || mode == MGM_INCLUDE);
					break;
				default: /* BLOCK: only sources the state blocks */
					CHECK(mode == MGM_INCLUDE ? !(sm & st) : !(sm & ~st));
					break;
				}
			}
		} else {
			int g = group_index(w, &m.group);
			uint8_t st, mode;

			CHECK(g >= 0 && g != G_LINK);
			mode = merge(w, g, &st);
			if (m.kind == MGM_MSG_LEAVE) {
				mgm_addr_all_routers(&want, w->family);
				/* RFC 2236 §3: a leave for a group left. */
				CHECK(mode == MGM_INCLUDE && !st);
				w->leaves_seen++;
			} else {
				want = m.group;
				CHECK(mode == MGM_EXCLUDE || st);
				w->reports_seen[m.version - 1]++;
			}
			CHECK(mgm_addr_eq(&o->dst, &want));
		}
	}
	w->nout = 0;
}

static void check(struct world *w)
{
	struct mgm_host_counters k;
	struct mgm_host_status st;
	uint32_t sockets = 0;

	check_sent(w);
	for (int g = 0; g < NGROUP; g++) {
		struct mgm_host_group_info gi;
		struct mgm_addr list[NSRC + 1];
		uint8_t want_src, want_mode = merge(w, g, &want_src), got = 0;
		uint32_t nsock = 0;
		int n;

		for (int k2 = 0; k2 < NSOCK; k2++)
			nsock += w->f[k2][g].mode != 0;
		sockets += nsock;
		if (mgm_host_group(w->h, w->now, &w->groups[g], &gi) == MGM_E_NOENT) {
			CHECK(want_mode == MGM_INCLUDE && !want_src && !nsock);
			continue;
		}
		n = mgm_host_group_sources(w->h, &w->groups[g], list, NSRC + 1);
		CHECK(n >= 0 && n <= NSRC && (uint32_t)n == gi.num_sources);
		for (int i = 0; i < n; i++) {
			int s = source_index(w, &list[i]);

			CHECK(s >= 0);
			got |= (uint8_t)(1u << s);
		}
		CHECK(gi.filter_mode == want_mode && got == want_src);
		CHECK(gi.num_sockets == nsock);
		CHECK(gi.mode_retransmissions <=
		      7); /* a robustness set before a reconfigure may remain */
		if (!w->running)
			CHECK(gi.retransmit_ms < 0 && gi.response_ms < 0);
	}
	mgm_host_status(w->h, w->now, &st);
	CHECK(st.sockets == sockets);
	CHECK(st.running == w->running);
	CHECK(st.memory == w->ca.outstanding);
	CHECK(st.operating_version >= 1 && st.operating_version <= w->cfg.version);
	mgm_host_counters(w->h, &k);
	for (int t = 1; t <= 6; t++)
		CHECK(k.tx_records[t] == w->records_seen[t]);
	for (int v = 0; v < MGM_VERSIONS; v++)
		CHECK(k.tx_reports[v] == w->reports_seen[v]);
	CHECK(k.tx_leaves == w->leaves_seen);
	if (!w->late)
		CHECK(mgm_host_next_deadline(w->h) >= w->now || !w->running);
}

/* ---- Operations ---------------------------------------------------------------------------- */

static uint32_t count_sockets(const struct world *w)
{
	uint32_t n = 0;

	for (int k = 0; k < NSOCK; k++)
		for (int g = 0; g < NGROUP; g++)
			n += w->f[k][g].mode != 0;
	return n;
}

/* RFC 3678's rules for the call (host.h): the filter after it, or the error it must give. */
static int expected(const struct filter *cur, unsigned op, uint8_t s, uint8_t y, uint8_t mode,
		    struct filter *nf)
{
	uint8_t bit = (uint8_t)(1u << s);

	*nf = *cur;
	switch (op) {
	case 0: /* join */
		if (cur->mode == MGM_INCLUDE)
			return MGM_E_INVAL;
		*nf = (struct filter){MGM_EXCLUDE, cur->mode ? cur->src : 0};
		return 0;
	case 1: /* leave */
		if (!cur->mode)
			return MGM_E_NOENT;
		*nf = (struct filter){0, 0};
		return 0;
	case 2: /* join_source */
		if (cur->mode == MGM_EXCLUDE)
			return MGM_E_INVAL;
		*nf = (struct filter){MGM_INCLUDE, (uint8_t)(cur->src | bit)};
		return 0;
	case 3: /* leave_source */
		if (cur->mode != MGM_INCLUDE || !(cur->src & bit))
			return MGM_E_NOENT;
		nf->src &= (uint8_t)~bit;
		if (!nf->src)
			nf->mode = 0;
		return 0;
	case 4: /* block */
		if (!cur->mode)
			return MGM_E_NOENT;
		if (cur->mode == MGM_INCLUDE)
			return MGM_E_INVAL;
		nf->src |= bit;
		return 0;
	case 5: /* unblock */
		if (cur->mode != MGM_EXCLUDE || !(cur->src & bit))
			return MGM_E_NOENT;
		nf->src &= (uint8_t)~bit;
		return 0;
	default: /* set_filter */
		*nf = (struct filter){mode, y};
		if (nf->mode == MGM_INCLUDE && !nf->src)
			nf->mode = 0;
		return 0;
	}
}

static void op_socket(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t x = fuzz_next(c), y = fuzz_next(c), mode = a & 1 ? MGM_EXCLUDE : MGM_INCLUDE;
	unsigned op = x & 7, k = (x >> 3) & 3, g = x >> 5, s = y & 7;
	struct filter *cur = &w->f[k][g], nf;
	const struct mgm_addr *grp = &w->groups[g], *src = &w->sources[s];
	struct mgm_host_group_info gi;
	struct mgm_host_status st;
	bool existed;
	int want, rc;

	if (op == 7) {
		/* close: retried without refusals until done (it may have left some groups). */
		bool refuse = w->ca.refuse_some;

		rc = mgm_host_close_socket(w->h, w->now, k);
		CHECK(rc == 0 || (rc == MGM_E_NOMEM && w->ca.refuse_some));
		w->ca.refuse_some = false;
		CHECK(mgm_host_close_socket(w->h, w->now, k) == 0);
		w->ca.refuse_some = refuse;
		for (int i = 0; i < NGROUP; i++)
			w->f[k][i] = (struct filter){0, 0};
		return;
	}
	existed = mgm_host_group(w->h, w->now, grp, &gi) == 0;
	mgm_host_status(w->h, w->now, &st);
	want = expected(cur, op, (uint8_t)s, y, mode, &nf);
	switch (op) {
	case 0:
		rc = mgm_host_join(w->h, w->now, k, grp);
		break;
	case 1:
		rc = mgm_host_leave(w->h, w->now, k, grp);
		break;
	case 2:
		rc = mgm_host_join_source(w->h, w->now, k, grp, src);
		break;
	case 3:
		rc = mgm_host_leave_source(w->h, w->now, k, grp, src);
		break;
	case 4:
		rc = mgm_host_block_source(w->h, w->now, k, grp, src);
		break;
	case 5:
		rc = mgm_host_unblock_source(w->h, w->now, k, grp, src);
		break;
	default: {
		struct mgm_addr list[NSRC];
		uint32_t n = 0;

		for (int i = 0; i < NSRC; i++)
			if (y & (1u << i))
				list[n++] = w->sources[i];
		rc = mgm_host_set_filter(w->h, w->now, k, grp, mode, list, n);
		break;
	}
	}
	if (g == G_LINK) {
		CHECK(rc == MGM_E_INVAL); /* RFC 3376 §5: never reported, refused */
		return;
	}
	if (want) {
		CHECK(rc == want);
		return;
	}
	if (rc == MGM_E_LIMIT) {
		/* Only growth is refused: a filter over the limit, a new membership, a new
		 * group. */
		CHECK(__builtin_popcount(nf.src) > (int)w->cfg.max_sources_per_group ||
		      (!cur->mode && nf.mode && count_sockets(w) >= w->cfg.max_sockets) ||
		      (!existed && st.groups >= w->cfg.max_groups));
		return;
	}
	if (rc == MGM_E_NOMEM) {
		CHECK(w->ca.refuse_some);
		return;
	}
	CHECK(rc == 0);
	*cur = nf;
}

static void deliver(struct world *w, const struct mgm_addr *src, const struct mgm_addr *dst,
		    const uint8_t *buf, size_t len)
{
	struct mgm_ip_info ip;
	struct mgm_msg m;

	memset(&ip, 0, sizeof(ip));
	ip.family = w->family;
	ip.src = *src;
	ip.dst = *dst;
	ip.hop_limit = 1;
	ip.router_alert = true;
	ip.payload = buf;
	ip.payload_len = len;
	if (mgm_decode(w->family, buf, len, src, dst, &m) == 0)
		fuzz_last_decoded = 1;
	CHECK(mgm_host_input(w->h, w->now, &ip) <= 0);
}

static void op_query(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t x = fuzz_next(c), mask = fuzz_next(c);
	uint8_t top = w->family == MGM_INET ? 3 : 2, v = (uint8_t)((x & 3) % top + 1);
	unsigned kind = (x >> 2) & 3, g = (x >> 4) & 7;
	struct mgm_query q = {.version = v, .qrv = 2, .qqic = 125};
	struct mgm_addr list[NSRC], dst;
	uint8_t buf[512];
	size_t len;

	if (kind == 0 || kind == 3) {
		mgm_addr_any(&q.group, w->family);
		mgm_addr_all_systems(&dst, w->family);
	} else {
		q.group = dst = w->groups[g];
	}
	if (kind == 2 && v == top)
		for (int i = 0; i < NSRC; i++)
			if (mask & (1u << i))
				list[q.num_sources++] = w->sources[i];
	q.sources = list;
	q.max_resp_code = mgm_max_resp_code(w->family, v, (a + 1u) * 100u);
	if (mgm_encode_query(w->family, &q, &w->querier, &dst, buf, sizeof(buf), &len))
		return;
	deliver(w, &w->querier, &dst, buf, len);
}

static void op_report(struct world *w, struct fuzz_cursor *c)
{
	uint8_t x = fuzz_next(c);
	uint8_t v = w->family == MGM_INET6 ? 1 : (x & 8 ? 2 : 1);
	const struct mgm_addr *g = &w->groups[x & 7];
	uint8_t buf[64];
	size_t len;

	if (mgm_encode_v1v2(w->family, MGM_MSG_REPORT, v, g, &w->other, g, buf, sizeof(buf), &len))
		return;
	deliver(w, &w->other, g, buf, len);
}

static void op_raw(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t buf[256], len = fuzz_next(c);
	struct mgm_addr dst;

	for (unsigned i = 0; i < len; i++)
		buf[i] = fuzz_next(c);
	mgm_addr_all_systems(&dst, w->family);
	if ((a & 1) && len >= 4) {
		uint32_t sum =
			w->family == MGM_INET6 ? mgm_icmp6_pseudo_sum(&w->querier, &dst, len) : 0;
		uint16_t ck;

		buf[2] = buf[3] = 0;
		ck = mgm_inet_checksum(buf, len, sum);
		buf[2] = (uint8_t)(ck >> 8);
		buf[3] = (uint8_t)ck;
	}
	deliver(w, &w->querier, &dst, buf, len);
}

static void run_timer(struct world *w, int64_t when)
{
	w->now = when;
	w->late = false;
	mgm_host_timer(w->h, w->now);
	CHECK(mgm_host_next_deadline(w->h) > w->now);
}

static void op_time(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t lo = fuzz_next(c), hi = fuzz_next(c);
	int64_t t = lo | hi << 8, d = mgm_host_next_deadline(w->h), when;

	switch (a & 3) {
	case 0:
		when = d == MGM_TIME_NEVER ? w->now + t : d;
		break;
	case 1:
		when = w->now + t;
		break;
	case 2:
		when = w->now + t * 100;
		break;
	default:
		when = w->now + t * 1000;
		break;
	}
	if (when < w->now)
		when = w->now;
	if (a & 4) {
		w->now = when;
		w->late = true;
	} else {
		run_timer(w, when);
	}
}

static void op_early(struct world *w, struct fuzz_cursor *c)
{
	struct mgm_host_counters before, after;
	int64_t d = mgm_host_next_deadline(w->h), t;

	if (w->late || d == MGM_TIME_NEVER || d <= w->now)
		return;
	t = w->now + (d - w->now) * fuzz_next(c) / 256;
	w->now = t;
	mgm_host_counters(w->h, &before);
	mgm_host_timer(w->h, t);
	mgm_host_counters(w->h, &after);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	CHECK(w->nout == 0);
	CHECK(mgm_host_next_deadline(w->h) == d);
}

static void op_reconfigure(struct world *w, struct fuzz_cursor *c)
{
	uint8_t c0 = fuzz_next(c), c1 = fuzz_next(c);
	struct mgm_host_config cfg;
	int rc;

	make_config(&cfg, w->family, c0, c1);
	rc = mgm_host_reconfigure(w->h, w->now, &cfg, NULL, 0);
	CHECK(rc == 0 || (rc == MGM_E_NOMEM && w->ca.refuse_some));
	if (rc == 0)
		w->cfg = cfg;
}

static void op_control(struct world *w, uint8_t a)
{
	switch (a % 5) {
	case 0:
		mgm_host_stop(w->h, w->now);
		w->running = false;
		break;
	case 1:
		w->running = true; /* start reports at once */
		CHECK(mgm_host_start(w->h, w->now) == 0);
		break;
	case 2:
		parse(&w->self, w->family == MGM_INET ? (a & 8 ? "10.0.0.4" : "0.0.0.0")
						      : (a & 8 ? "fe80::4" : "::"));
		CHECK(mgm_host_set_address(w->h, w->now, &w->self) == 0);
		break;
	case 3:
		mgm_host_stop(w->h, w->now);
		w->running = false;
		check(w);
		w->running = true;
		CHECK(mgm_host_start(w->h, w->now) == 0);
		break;
	default:
		for (uint32_t k = 0; k < NSOCK; k++) {
			bool refuse = w->ca.refuse_some;

			w->ca.refuse_some = false;
			CHECK(mgm_host_close_socket(w->h, w->now, k) == 0);
			w->ca.refuse_some = refuse;
			for (int g = 0; g < NGROUP; g++)
				w->f[k][g] = (struct filter){0, 0};
			/* Its reports said the state with this socket gone, the later ones not. */
			check_sent(w);
		}
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("FUZZ_HOST_TRACE");

	(void)argc;
	(void)argv;
	trace = t && *t && *t != '0';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w;
	struct fuzz_cursor c = {data, size};
	struct mgm_host_callbacks cb;
	struct mgm_allocator al;
	uint8_t c0, c1;

	fuzz_last_decoded = 0;
	if (size < 2)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	w->out = outbuf;
	c0 = fuzz_next(&c);
	c1 = fuzz_next(&c);
	w->family = c0 & 1 ? MGM_INET6 : MGM_INET;
	w->rng = c1 >> 3;
	make_addresses(w);
	make_config(&w->cfg, w->family, c0, c1);
	w->now = 1000;

	memset(&cb, 0, sizeof(cb));
	cb.ctx = w;
	cb.send = on_send;
	cb.log = on_log;
	cb.random = on_random;
	al.alloc = fuzz_alloc;
	al.free = fuzz_free;
	al.ctx = &w->ca;
	CHECK(mgm_host_create(&w->cfg, &cb, &al, &w->h, NULL, 0) == 0);
	CHECK(mgm_host_set_address(w->h, w->now, &w->self) == 0);
	w->running = true;
	CHECK(mgm_host_start(w->h, w->now) == 0);
	w->ca.refuse_some = c0 & 0x80;
	/* A program of at least one operation is an input the target accepts. */
	fuzz_last_decoded = 1;
	check(w);

	while (c.left) {
		uint8_t op = fuzz_next(&c), a = op >> 3;

		if (trace)
			fprintf(stderr, "fuzz_host: t=%lld op %u a %u\n", (long long)w->now, op & 7,
				a);
		switch (op & 7) {
		case 0:
			op_socket(w, &c, a);
			break;
		case 1:
			op_query(w, &c, a);
			break;
		case 2:
			op_report(w, &c);
			break;
		case 3:
			op_raw(w, &c, a);
			break;
		case 4:
			op_time(w, &c, a);
			break;
		case 5:
			op_early(w, &c);
			break;
		case 6:
			op_reconfigure(w, &c);
			break;
		default:
			op_control(w, a);
			break;
		}
		check(w);
	}

	mgm_host_destroy(w->h);
	CHECK(w->ca.outstanding == 0);
	free(w);
	return 0;
}
