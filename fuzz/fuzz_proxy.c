/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the RFC 4605 proxy (lib/proxy): the input is a program of upstreams
 * added, downstream filters set, static joins, downstream interfaces removed, queries and raw
 * messages into the upstream host engines, and time steps. After every operation it checks:
 * each upstream host engine's interface state equals the RFC 3376 §3.2 merge of the proxy's
 * records of the groups it serves (a record in leave hold-down still counts with its filter);
 * every record sits on mgm_proxy_upstream_of() of its group, the first upstream whose ranges
 * match; groups no upstream serves are not stored; the limits; that a refused call changed
 * nothing; that a successful one left the record it asked for; that every message sent
 * decodes; the deadline contract; and at the end that nothing leaks.
 *
 * Input: one configuration octet, then operations until the input ends.
 *   octet 0: bit 0 family (IGMP, MLD); bit 1 small proxy limits; bit 2 an allocator that
 *            refuses every seventh request; bits 3-7 random seed.
 *   operation octet: bits 0-2 the kind below, bits 3-7 its argument `a`.
 *   0 upstream r, k, h: add one (a bit 0: small host limits; a bit 1: a bad range);
 *             r: ranges, bits 0-1 how many, then 2 bits per range picking one of four;
 *             k: keep_joined k x 100 ms; h: leave hold-down h x 300 ms (bad values refused).
 *   1 filter  x, y: x bits 0-1 downstream, bits 2-4 group (5..7 not valid), bit 5 mode
 *             INCLUDE / EXCLUDE, bit 6 a duplicate source, bit 7 a bad mode; y: source mask.
 *   2 static  x: bits 0-2 group, bit 3 join / leave, bit 4 of one source, bits 5-7 source;
 *             a bit 0: static id 100 or 101.
 *   3 remove  downstream a % 6 (4, 5: the static ids).
 *   4 time    lo, hi: a bits 0-1 to the deadline / +t ms / +100 t ms / +1000 t ms.
 *   5 query   x: into upstream a % 4; bits 0-1 version, bit 2 general / group-specific,
 *             bits 3-5 group.
 *   6 raw     len, len octets into upstream a % 4 from the querier.
 *   7 control a % 4 upstream: stop / start its host engine (a bit 2).
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
#include "mgm/proxy.h"
#include "mgm/wire.h"

#include "fuzz.h"

#define NGROUP	 8 /* 0..4 valid (3: SSM), 5 unrouted, 6 unicast, 7 the other family */
#define NVALID	 5
#define NSRC	 8 /* 0..5 unicast, 6 multicast, 7 the other family */
#define NDS	 6 /* downstream ids 0..3, static ids 100, 101 */
#define MAXUP	 4
#define MAXSRC	 16
#define HOLDBITS 300

int fuzz_last_decoded;

/* ---- The world --------------------------------------------------------------------------- */

struct world {
	uint8_t family;
	struct mgm_proxy_config cfg;
	struct mgm_proxy *p;
	struct fuzz_alloc ca;
	uint64_t rng;
	int64_t now;
	uint32_t nup;
	struct mgm_host_config hcfg[MAXUP];
	uint32_t holddown[MAXUP];
	struct mgm_addr self, querier;
	struct mgm_addr groups[NGROUP], sources[NSRC];
	struct mgm_proxy_range range_pool[4];
	uint32_t ds[NDS];
};

static uint64_t on_random(void *ctx)
{
	return fuzz_splitmix(&((struct world *)ctx)->rng);
}

static void on_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct world *w = ctx;
	struct mgm_msg m;

	CHECK(mgm_decode(w->family, payload, len, &w->self, dst, &m) == 0);
	fuzz_last_decoded = 1;
}

static void parse(struct mgm_addr *a, const char *text)
{
	CHECK(mgm_addr_parse(text, a) == 0);
}

/* ---- Snapshots --------------------------------------------------------------------------- */

struct rec_snap {
	int present;
	struct mgm_proxy_record_info ri;
	struct mgm_addr src[MAXSRC];
};

struct snap {
	uint32_t nrec;
	struct rec_snap r[NDS][NGROUP];
	struct mgm_host_status st[MAXUP];
};

static void take(struct world *w, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->nrec = mgm_proxy_num_records(w->p);
	for (int d = 0; d < NDS; d++)
		for (int g = 0; g < NGROUP; g++) {
			struct rec_snap *r = &s->r[d][g];

			r->present = mgm_proxy_record(w->p, w->now, w->ds[d], &w->groups[g], &r->ri,
						      r->src, MAXSRC) == 0;
		}
	for (uint32_t i = 0; i < w->nup; i++) {
		mgm_host_status(mgm_proxy_upstream_host(w->p, i), w->now, &s->st[i]);
		s->st[i].memory = 0;
	}
}

static bool same_snap(const struct snap *a, const struct snap *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* ---- The invariants ---------------------------------------------------------------------- */

static int src_index(const struct world *w, const struct mgm_addr *a)
{
	for (int i = 0; i < NSRC; i++)
		if (mgm_addr_eq(a, &w->sources[i]))
			return i;
	return -1;
}

static uint8_t mask_of(const struct world *w, const struct mgm_addr *src, uint32_t n)
{
	uint8_t m = 0;

	for (uint32_t i = 0; i < n; i++) {
		int k = src_index(w, &src[i]);

		CHECK(k >= 0 && k < 6);
		CHECK(!(m & (1u << k)));
		m |= (uint8_t)(1u << k);
	}
	return m;
}

struct count_ctx {
	uint32_t n;
};

static int count_rec(void *ctx, const struct mgm_proxy_record_info *ri)
{
	(void)ri;
	((struct count_ctx *)ctx)->n++;
	return 0;
}

static void check_all(struct world *w)
{
	struct snap s;
	struct count_ctx all = {0};
	uint32_t groups_on[MAXUP] = {0};

	take(w, &s);
	CHECK(s.nrec <= w->cfg.max_records);
	CHECK(mgm_proxy_foreach_record(w->p, w->now, NULL, count_rec, &all) == 0);
	/* Only the pool's ids and groups are ever set. */
	CHECK(all.n == s.nrec);
	for (int g = 0; g < NGROUP; g++) {
		int up = mgm_proxy_upstream_of(w->p, &w->groups[g]);
		bool any = false, exclude = false;
		uint8_t inc = 0, exc = 0x3f;
		struct count_ctx one = {0};
		uint32_t nrec = 0;

		CHECK(mgm_proxy_foreach_record(w->p, w->now, &w->groups[g], count_rec, &one) == 0);
		for (int d = 0; d < NDS; d++) {
			const struct rec_snap *r = &s.r[d][g];
			uint8_t m;

			if (!r->present)
				continue;
			one.n--;
			nrec++;
			CHECK(g < NVALID);
			CHECK(up >= 0 && r->ri.upstream == (uint32_t)up);
			CHECK(mgm_addr_eq(&r->ri.group, &w->groups[g]));
			CHECK(r->ri.downstream == w->ds[d]);
			CHECK(r->ri.num_sources <= w->cfg.max_sources &&
			      r->ri.num_sources <= MAXSRC);
			CHECK(r->ri.filter_mode == MGM_INCLUDE || r->ri.filter_mode == MGM_EXCLUDE);
			/* A stored record is never INCLUDE {} (that is a leave). */
			CHECK(r->ri.filter_mode == MGM_EXCLUDE || r->ri.num_sources);
			/* A hold-down past its end would have run in the last timer() call. */
			CHECK(r->ri.holddown_ms == -1 ||
			      (r->ri.holddown_ms > 0 &&
			       r->ri.holddown_ms <= (int64_t)w->holddown[r->ri.upstream]));
			m = mask_of(w, r->src, r->ri.num_sources);
			any = true;
			if (r->ri.filter_mode == MGM_EXCLUDE) {
				exclude = true;
				exc &= m;
			} else {
				inc |= m;
			}
		}
		CHECK(one.n == 0);
		for (uint32_t i = 0; i < w->nup; i++) {
			const struct mgm_host *h = mgm_proxy_upstream_host(w->p, i);
			struct mgm_host_group_info gi;
			struct mgm_addr out[MAXSRC];
			int rc = mgm_host_group(h, w->now, &w->groups[g], &gi), n;

			if (!any || up != (int)i) {
				/* The host engine may keep a group it left while the state-change
				 * report's retransmissions run (§5.1): INCLUDE {}, no socket. */
				CHECK(rc == MGM_E_NOENT || (g == 7 && rc == MGM_E_INVAL) ||
				      (rc == 0 && gi.filter_mode == MGM_INCLUDE &&
				       !gi.num_sources && !gi.num_sockets));
				continue;
			}
			CHECK(rc == 0);
			CHECK(gi.num_sockets == nrec);
			groups_on[i]++;
			n = mgm_host_group_sources(h, &w->groups[g], out, MAXSRC);
			CHECK(n >= 0 && n <= MAXSRC && (uint32_t)n == gi.num_sources);
			/* RFC 3376 §3.2: EXCLUDE if any is, with the intersection of the exclude
			 * lists minus every include list; else INCLUDE with the union. */
			if (exclude) {
				CHECK(gi.filter_mode == MGM_EXCLUDE);
				CHECK(mask_of(w, out, (uint32_t)n) == (exc & (uint8_t)~inc));
			} else {
				CHECK(gi.filter_mode == MGM_INCLUDE);
				CHECK(mask_of(w, out, (uint32_t)n) == inc);
			}
		}
	}
	for (uint32_t i = 0; i < w->nup; i++) {
		CHECK(s.st[i].groups >= groups_on[i]);
		CHECK(s.st[i].groups <= w->hcfg[i].max_groups);
		CHECK(s.st[i].sockets <= w->hcfg[i].max_sockets);
	}
	CHECK(mgm_proxy_next_deadline(w->p) > w->now);
}

/* ---- Operations -------------------------------------------------------------------------- */

static void op_upstream(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t r = fuzz_next(c), k = fuzz_next(c), h = fuzz_next(c);
	struct mgm_proxy_upstream_config uc;
	struct mgm_host_callbacks cb = {.ctx = w, .send = on_send, .random = on_random};
	uint32_t index = 99;
	bool bad = false;
	char err[128];
	struct snap before, after;
	int rc;

	memset(&uc, 0, sizeof(uc));
	mgm_host_config_defaults(&uc.host, w->family);
	if (a & 1) {
		uc.host.max_groups = 3;
		uc.host.max_sockets = 5;
		uc.host.max_sources_per_group = 3;
	}
	uc.num_ranges = r & 3;
	for (uint32_t i = 0; i < uc.num_ranges; i++)
		uc.ranges[i] = w->range_pool[(r >> (2 + 2 * i)) & 3];
	if ((a & 2) && uc.num_ranges) {
		uc.ranges[0].prefix_len = (uint8_t)(mgm_addr_len(w->family) * 8 + 1);
		bad = true;
	}
	uc.keep_joined_ms = k * 100u;
	uc.leave_holddown_ms = h * (uint32_t)HOLDBITS;
	bad = bad || (uc.keep_joined_ms && uc.keep_joined_ms < 1000) ||
	      uc.leave_holddown_ms > 60000;
	take(w, &before);
	rc = mgm_proxy_add_upstream(w->p, &uc, &cb, &index, err, sizeof(err));
	if (w->nup >= MAXUP) {
		CHECK(rc == MGM_E_LIMIT);
	} else if (bad) {
		CHECK(rc == MGM_E_CONFIG);
	} else if (rc == 0) {
		struct mgm_host *hh;

		CHECK(index == w->nup);
		w->hcfg[w->nup] = uc.host;
		w->holddown[w->nup] = uc.leave_holddown_ms;
		w->nup++;
		hh = mgm_proxy_upstream_host(w->p, index);
		CHECK(hh);
		CHECK(mgm_host_set_address(hh, w->now, &w->self) == 0);
		if (mgm_host_start(hh, w->now))
			CHECK(w->ca.refuse_some);
		return;
	} else {
		CHECK(rc == MGM_E_NOMEM && w->ca.refuse_some);
	}
	CHECK(mgm_proxy_num_upstreams(w->p) == w->nup);
	take(w, &after);
	CHECK(same_snap(&before, &after));
}

static void expect_record(struct world *w, uint32_t ds, const struct mgm_addr *g, uint8_t mode,
			  uint8_t mask)
{
	struct mgm_proxy_record_info ri;
	struct mgm_addr out[MAXSRC];

	CHECK(mgm_proxy_record(w->p, w->now, ds, g, &ri, out, MAXSRC) == 0);
	CHECK(ri.filter_mode == mode && ri.holddown_ms == -1);
	CHECK(mask_of(w, out, ri.num_sources) == mask);
}

static int set_filter(struct world *w, uint32_t ds, int g, uint8_t mode, uint8_t mask, bool dup,
		      bool expect_ok)
{
	struct mgm_addr src[NSRC + 1];
	uint32_t n = 0;
	bool valid = expect_ok, held = false, had;
	struct snap before, after;
	struct mgm_proxy_record_info old;
	int rc, up = mgm_proxy_upstream_of(w->p, &w->groups[g]);

	for (int i = 0; i < NSRC; i++)
		if (mask & (1u << i))
			src[n++] = w->sources[i];
	if (dup && n)
		src[n++] = src[0];
	valid = valid && g < NVALID && (mode == MGM_INCLUDE || mode == MGM_EXCLUDE) &&
		!(mask & 0xc0) && !(dup && n);
	had = mgm_proxy_record(w->p, w->now, ds, &w->groups[g], &old, NULL, 0) == 0;
	if (had)
		held = old.holddown_ms >= 0;
	take(w, &before);
	rc = mgm_proxy_set_filter(w->p, w->now, ds, &w->groups[g], mode, src, n);
	if (!valid) {
		CHECK(rc == MGM_E_INVAL);
		take(w, &after);
		CHECK(same_snap(&before, &after));
		return rc;
	}
	if (rc == 0) {
		if (had)
			up = (int)old.upstream;
		if (up < 0) {
			CHECK(!had);
			take(w, &after);
			CHECK(same_snap(&before, &after));
		} else if (mode == MGM_INCLUDE && !n) {
			struct mgm_proxy_record_info ri;
			int now_has = mgm_proxy_record(w->p, w->now, ds, &w->groups[g], &ri, NULL,
						       0) == 0;

			if (!had) {
				CHECK(!now_has);
			} else if (held) {
				CHECK(now_has && ri.holddown_ms == old.holddown_ms);
			} else if (w->holddown[up]) {
				CHECK(now_has && ri.holddown_ms == (int64_t)w->holddown[up]);
				CHECK(ri.filter_mode == old.filter_mode &&
				      ri.num_sources == old.num_sources);
			} else {
				CHECK(!now_has);
			}
		} else {
			expect_record(w, ds, &w->groups[g], mode, mask);
		}
		return 0;
	}
	if (rc == MGM_E_LIMIT || rc == MGM_E_NOMEM || rc == MGM_E_BUSY) {
		/* A join within the hold-down cancels the hold even when the new filter is then
		 * refused: the record keeps its filter, not held any more. Everything else stays.
		 */
		take(w, &after);
		if (held) {
			int d;

			for (d = 0; d < NDS && w->ds[d] != ds; d++)
				;
			CHECK(d < NDS && after.r[d][g].present &&
			      after.r[d][g].ri.holddown_ms == -1);
			after.r[d][g].ri.holddown_ms = before.r[d][g].ri.holddown_ms;
		}
		CHECK(same_snap(&before, &after));
	} else {
		CHECK(rc == 0);
	}
	return rc;
}

static void op_filter(struct world *w, struct fuzz_cursor *c)
{
	uint8_t x = fuzz_next(c), y = fuzz_next(c);
	uint8_t mode = x & 0x80 ? 3 : (x & 0x20 ? MGM_EXCLUDE : MGM_INCLUDE);

	set_filter(w, w->ds[x & 3], (x >> 2) & 7, mode, y, x & 0x40, true);
}

static void op_static(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t x = fuzz_next(c);
	int g = x & 7, s = (x >> 5) & 7;
	bool join = !(x & 8), one = x & 16;
	uint32_t id = 100 + (a & 1);
	struct snap before, after;
	int rc;

	take(w, &before);
	rc = mgm_proxy_set_static(w->p, w->now, id, &w->groups[g], one ? &w->sources[s] : NULL,
				  join);
	if (rc) {
		CHECK(rc == MGM_E_INVAL || rc == MGM_E_NOENT || rc == MGM_E_LIMIT ||
		      rc == MGM_E_NOMEM || rc == MGM_E_BUSY);
		take(w, &after);
		if (rc == MGM_E_INVAL || rc == MGM_E_NOENT) {
			/* Refused before anything was done. */
			CHECK(same_snap(&before, &after));
		} else {
			/* A held leave may have been canceled; nothing else changes. */
			for (int d = 0; d < NDS; d++)
				for (int k = 0; k < NGROUP; k++)
					if (before.r[d][k].present && after.r[d][k].present)
						after.r[d][k].ri.holddown_ms =
							before.r[d][k].ri.holddown_ms;
			CHECK(same_snap(&before, &after));
		}
		return;
	}
	if (g >= NVALID)
		CHECK(0);
	if (mgm_proxy_upstream_of(w->p, &w->groups[g]) < 0)
		return;
	if (join && !one)
		expect_record(w, id, &w->groups[g], MGM_EXCLUDE, 0);
	if (join && one) {
		struct mgm_proxy_record_info ri;
		struct mgm_addr out[MAXSRC];

		CHECK(mgm_proxy_record(w->p, w->now, id, &w->groups[g], &ri, out, MAXSRC) == 0);
		CHECK(ri.filter_mode == MGM_INCLUDE && ri.holddown_ms == -1);
		CHECK(mask_of(w, out, ri.num_sources) & (1u << s));
	}
}

static void op_remove(struct world *w, uint8_t a)
{
	uint32_t ds = w->ds[a % NDS];
	struct mgm_proxy_record_info ri;

	int rc = mgm_proxy_remove_downstream(w->p, w->now, ds);

	/* The host engine may refuse a leave for memory: that record stays. */
	CHECK(rc == 0 || (rc == MGM_E_NOMEM && w->ca.refuse_some));
	for (int g = 0; g < NGROUP && rc == 0; g++)
		CHECK(mgm_proxy_record(w->p, w->now, ds, &w->groups[g], &ri, NULL, 0) ==
		      MGM_E_NOENT);
}

static void advance(struct world *w, int64_t to)
{
	if (to <= w->now)
		to = w->now;
	w->now = to;
	mgm_proxy_timer(w->p, w->now);
}

static void op_time(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint16_t t = (uint16_t)(fuzz_next(c) | fuzz_next(c) << 8);
	int64_t d;

	switch (a & 3) {
	case 0:
		d = mgm_proxy_next_deadline(w->p);
		advance(w, d == MGM_TIME_NEVER ? w->now + 1000 : d);
		break;
	case 1:
		advance(w, w->now + t);
		break;
	case 2:
		advance(w, w->now + 100 * (int64_t)t);
		break;
	default:
		advance(w, w->now + 1000 * (int64_t)(t & 0xfff));
		break;
	}
}

static void deliver(struct world *w, uint32_t up, const struct mgm_addr *dst, const uint8_t *buf,
		    size_t len)
{
	struct mgm_host *h = mgm_proxy_upstream_host(w->p, up);
	struct mgm_ip_info ip;

	if (!h)
		return;
	memset(&ip, 0, sizeof(ip));
	ip.family = w->family;
	ip.src = w->querier;
	ip.dst = *dst;
	ip.hop_limit = 1;
	ip.router_alert = true;
	ip.payload = buf;
	ip.payload_len = len;
	CHECK(mgm_host_input(h, w->now, &ip) <= 0);
}

static void op_query(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t x = fuzz_next(c);
	uint8_t top = w->family == MGM_INET ? 3 : 2, v = (uint8_t)((x & 3) % top + 1);
	struct mgm_query q = {.version = v, .qrv = 2, .qqic = 125};
	struct mgm_addr dst;
	uint8_t buf[512];
	size_t len;

	if (!(x & 4)) {
		mgm_addr_any(&q.group, w->family);
		mgm_addr_all_systems(&dst, w->family);
	} else {
		q.group = dst = w->groups[((x >> 3) & 7) % NVALID];
	}
	q.max_resp_code = mgm_max_resp_code(w->family, v, 1000);
	if (mgm_encode_query(w->family, &q, &w->querier, &dst, buf, sizeof(buf), &len))
		return;
	deliver(w, a % MAXUP, &dst, buf, len);
}

static void op_raw(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t buf[256], len = fuzz_next(c);
	struct mgm_addr dst;

	for (unsigned i = 0; i < len; i++)
		buf[i] = fuzz_next(c);
	mgm_addr_all_systems(&dst, w->family);
	deliver(w, a % MAXUP, &dst, buf, len);
}

static void op_control(struct world *w, uint8_t a)
{
	struct mgm_host *h = mgm_proxy_upstream_host(w->p, a % MAXUP);

	if (!h)
		return;
	if (a & 4) {
		int rc = mgm_host_start(h, w->now);

		CHECK(rc == 0 || (rc == MGM_E_NOMEM && w->ca.refuse_some));
	} else {
		mgm_host_stop(h, w->now);
	}
}

static void setup_addresses(struct world *w)
{
	static const char *g4[NGROUP] = {"239.1.0.1", "239.1.0.2", "239.2.0.1", "232.1.1.1",
					 "239.1.0.3", "224.0.0.5", "10.0.0.9",	"ff0e::1:1"};
	static const char *g6[NGROUP] = {"ff0e::1:1", "ff0e::1:2", "ff0e::2:1",	  "ff3e::1",
					 "ff0e::1:3", "ff02::5",   "2001:db8::9", "239.1.0.1"};
	static const char *s4[NSRC] = {"198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4",
				       "198.18.0.5", "198.18.0.6", "239.9.9.9",	 "2001:db8::1"};
	static const char *s6[NSRC] = {"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4",
				       "2001:db8::5", "2001:db8::6", "ff0e::9",	    "198.18.0.1"};
	static const char *r4[4] = {"239.1.0.0", "239.2.0.1", "232.0.0.0", "0.0.0.0"};
	static const char *r6[4] = {"ff0e::1:0", "ff0e::2:1", "ff3e::", "::"};
	static const uint8_t l4[4] = {16, 32, 8, 0}, l6[4] = {112, 128, 16, 0};
	bool v4 = w->family == MGM_INET;

	for (int i = 0; i < NGROUP; i++)
		parse(&w->groups[i], v4 ? g4[i] : g6[i]);
	for (int i = 0; i < NSRC; i++)
		parse(&w->sources[i], v4 ? s4[i] : s6[i]);
	for (int i = 0; i < 4; i++) {
		parse(&w->range_pool[i].group, v4 ? r4[i] : r6[i]);
		w->range_pool[i].prefix_len = v4 ? l4[i] : l6[i];
	}
	parse(&w->self, v4 ? "10.0.0.2" : "fe80::2");
	parse(&w->querier, v4 ? "10.0.0.1" : "fe80::1");
	for (int i = 0; i < 4; i++)
		w->ds[i] = (uint32_t)i;
	w->ds[4] = 100;
	w->ds[5] = 101;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct fuzz_cursor c = {data, size};
	struct mgm_allocator alloc;
	char err[128];
	uint8_t c0;
	int rc;

	fuzz_last_decoded = 0;
	if (size < 1)
		return 0;
	memset(&w, 0, sizeof(w));
	c0 = fuzz_next(&c);
	w.family = c0 & 1 ? MGM_INET6 : MGM_INET;
	w.ca.refuse_some = c0 & 4;
	w.rng = c0 >> 3;
	w.now = 1000;
	setup_addresses(&w);
	mgm_proxy_config_defaults(&w.cfg, w.family);
	if (c0 & 2) {
		w.cfg.max_records = 6;
		w.cfg.max_sources = 3;
	}
	w.cfg.max_upstreams = MAXUP;
	alloc = (struct mgm_allocator){.ctx = &w.ca, .alloc = fuzz_alloc, .free = fuzz_free};
	rc = mgm_proxy_create(&w.cfg, &alloc, &w.p, err, sizeof(err));
	if (rc) {
		CHECK(rc == MGM_E_NOMEM && w.ca.refuse_some);
		CHECK(w.ca.outstanding == 0);
		return 0;
	}
	fuzz_last_decoded = 1;
	while (c.left) {
		uint8_t o = fuzz_next(&c), a = o >> 3;

		switch (o & 7) {
		case 0:
			op_upstream(&w, &c, a);
			break;
		case 1:
			op_filter(&w, &c);
			break;
		case 2:
			op_static(&w, &c, a);
			break;
		case 3:
			op_remove(&w, a);
			break;
		case 4:
			op_time(&w, &c, a);
			break;
		case 5:
			op_query(&w, &c, a);
			break;
		case 6:
			op_raw(&w, &c, a);
			break;
		default:
			op_control(&w, a);
			break;
		}
		check_all(&w);
	}
	mgm_proxy_destroy(w.p);
	CHECK(w.ca.outstanding == 0);
	return 0;
}
