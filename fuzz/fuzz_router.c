/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the router engine (RFC 3376 §6-§7, RFC 3810 §7-§8, RFC 4604): the input
 * is a program of messages, time steps and API calls run against one router. Beyond crashes it
 * checks, after every operation, the forwarding effects against mgm_router_forwarding(), the
 * counters, the memory accounting and the deadline contract, and at the end that nothing leaks.
 *
 * Input: two configuration octets, then operations until the input ends.
 *   octet 0: bit 0 family (IGMP, MLD); bits 1-2 version (0: newest); bit 3 fast leave;
 *            bit 4 small limits; bits 5-6 IP policy (3: default); bit 7 not querier.
 *   octet 1: bits 0-1 robustness - 1; bits 2-3 LMQC - 1; bits 4-6 QI = 2 s + 4 s * n;
 *            bit 7 an allocator that refuses every seventh request.
 *   operation octet: bits 0-2 the kind below, bits 3-7 its argument `a`.
 *   0 raw     len, len octets: an arbitrary message; a: bit 0 fix its checksum, bits 1-3 who
 *             sends it, bit 4 bad TTL / no Router Alert.
 *   1 v1v2    x: bits 0-1 v1 report, v2 report, leave, v2 report; 2-4 group; 5-7 sender.
 *   2 v3      x: bits 0-1 records - 1, bits 2-4 sender; per record y, mask: y bits 0-2 type
 *             (0 and 7 wrap), bits 3-5 group; mask the sources. Built with libmgm's encoder.
 *             For 1 and 2, a: bit 0 hand it over decoded (input_msg), bit 1 bad TTL / no RA.
 *   3 query   x, mask, y, qqic: x bits 0-1 version, 2-3 general/group/group-and-source,
 *             4-6 group; y bit 0 S, bits 1-3 QRV, bits 4-5 sender (lower router, higher
 *             router, host, stranger; with a bit 0 the stranger uses our own address);
 *             a: Max Resp Time (a + 1) * 100 ms, bit 1 also: hand it over decoded.
 *   4 time    lo, hi: a bits 0-1: to the deadline / +t ms / +100 t ms / +1000 t ms; bit 2:
 *             move the clock without calling timer() (the next input arrives late).
 *   5 early   f: timer() at a time before the deadline: nothing may change.
 *   6 reconf  c0, c1: a new configuration as octets 0 and 1 (the family stays).
 *   7 control a % 5: stop, start, stop and start, new address, our last query looped back.
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
#include "mgm/router.h"
#include "mgm/wire.h"

#include "fuzz.h"

#define NPOOL  8
#define NHOSTS 4

int fuzz_last_decoded;

/* FUZZ_ROUTER_TRACE=1 in the environment: one line per operation and a summary per input, to
 * read what a seed or a crash input does (replay_router FILE). */
static bool trace;

/* ---- The mirror of the forwarding effects ------------------------------------------------ */

struct entry {
	struct mgm_addr group, source;
	bool any;
	uint8_t state;
};

struct world {
	uint8_t family;
	struct mgm_router_config cfg;
	struct mgm_router *r;
	struct fuzz_alloc ca;
	int64_t now;
	bool late; /* the clock moved without a timer() call */
	bool running;

	struct mgm_addr self, hosts[NHOSTS], unspecified, stranger, router_low, router_high;
	struct mgm_addr groups[NPOOL], sources[NPOOL];
	struct mgm_addr all_systems, all_routers, v3_dest;
	uint8_t prefix;

	struct entry *mirror;
	size_t nmirror, capmirror;
	uint64_t fwd_seen;
	unsigned sends;

	uint8_t last_query[1500];
	size_t last_query_len;
	struct mgm_addr last_query_dst;
};

static struct entry *find(struct world *w, const struct mgm_addr *g, const struct mgm_addr *s,
			  bool any, bool create)
{
	for (size_t i = 0; i < w->nmirror; i++) {
		struct entry *e = &w->mirror[i];

		if (e->any == any && mgm_addr_eq(&e->group, g) &&
		    (any || mgm_addr_eq(&e->source, s)))
			return e;
	}
	if (!create)
		return NULL;
	if (w->nmirror == w->capmirror) {
		size_t cap = w->capmirror ? 2 * w->capmirror : 64;
		struct entry *grown = realloc(w->mirror, cap * sizeof(*grown));

		if (!grown)
			abort();
		w->mirror = grown;
		w->capmirror = cap;
	}
	w->mirror[w->nmirror] = (struct entry){*g, *s, any, MGM_FWD_NONE};
	return &w->mirror[w->nmirror++];
}

static bool mirror_wanted(struct world *w, const struct mgm_addr *g, const struct mgm_addr *s)
{
	struct entry *sg = find(w, g, s, false, false);
	struct entry *star = find(w, g, s, true, false);
	uint8_t sgs = sg ? sg->state : MGM_FWD_NONE;

	return sgs == MGM_FWD_FORWARD ||
	       (sgs == MGM_FWD_NONE && star && star->state == MGM_FWD_FORWARD);
}

static void on_forward(void *ctx, const struct mgm_fwd_change *c)
{
	struct world *w = ctx;
	struct entry *e;

	w->fwd_seen++;
	CHECK(c->group.family == w->family);
	CHECK(!mgm_addr_is_unrouted_group(&c->group));
	CHECK(c->to <= MGM_FWD_BLOCK && c->from != c->to);
	if (c->any_source) {
		CHECK(c->to != MGM_FWD_BLOCK);
		/* RFC 4604 §2.2.1: no any-source state in the SSM range. */
		CHECK(!(c->to == MGM_FWD_FORWARD && mgm_addr_is_ssm(&c->group)));
	} else {
		CHECK(mgm_addr_is_unicast(&c->source));
	}
	e = find(w, &c->group, &c->source, c->any_source, true);
	/* Every change starts from where the previous one left the entry. */
	CHECK(c->from == e->state);
	e->state = c->to;
}

static void on_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct world *w = ctx;
	struct mgm_msg m;

	w->sends++;
	CHECK(mgm_decode(w->family, payload, len, &w->self, dst, &m) == 0);
	CHECK(m.kind == MGM_MSG_QUERY);
	CHECK(m.version >= 1 && m.version <= w->cfg.version);
	if (mgm_addr_is_any(&m.group))
		CHECK(mgm_addr_eq(dst, &w->all_systems));
	else
		CHECK(mgm_addr_eq(dst, &m.group) && !mgm_addr_is_unrouted_group(&m.group));
	if (len <= sizeof(w->last_query)) {
		memcpy(w->last_query, payload, len);
		w->last_query_len = len;
		w->last_query_dst = *dst;
	}
}

/* Always set, so that formatting every event runs under the sanitizers. */
static void on_log(void *ctx, int level, const char *text)
{
	size_t n = strnlen(text, 1024);

	(void)ctx;
	CHECK(level == MGM_LOG_ERR || level == MGM_LOG_WARN || level == MGM_LOG_INFO ||
	      level == MGM_LOG_DEBUG);
	CHECK(n > 0 && n < 1024 && !strchr(text, '\n'));
	if (trace)
		fprintf(stderr, "fuzz_router:   log %d: %s\n", level, text);
}

/* ---- Set-up ------------------------------------------------------------------------------ */

static void parse(struct mgm_addr *a, const char *text)
{
	if (mgm_addr_parse(text, a) != 0)
		abort();
}

static void make_addresses(struct world *w)
{
	static const char *const v4_groups[NPOOL] = {"239.1.1.1", "239.1.1.2", "239.255.0.1",
						     "225.1.2.3", "232.1.1.1", "232.2.2.2",
						     "224.0.0.5", "224.0.0.1"};
	static const char *const v6_groups[NPOOL] = {"ff0e::1", "ff0e::2",	"ff05::3",
						     "ff15::4", "ff3e::8000:1", "ff35::2",
						     "ff02::5", "ff02::1"};
	char text[48];
	bool v4 = w->family == MGM_INET;

	for (int i = 0; i < NPOOL; i++) {
		parse(&w->groups[i], v4 ? v4_groups[i] : v6_groups[i]);
		snprintf(text, sizeof(text), v4 ? "10.9.0.%d" : "2001:db8::%d", i + 1);
		parse(&w->sources[i], text);
	}
	for (int i = 0; i < NHOSTS; i++) {
		snprintf(text, sizeof(text), v4 ? "10.0.0.%d" : "fe80::1:%d", 21 + i);
		parse(&w->hosts[i], text);
	}
	parse(&w->self, v4 ? "10.0.0.10" : "fe80::10");
	parse(&w->stranger, v4 ? "192.168.7.7" : "2001:db8:ffff::1");
	parse(&w->router_low, v4 ? "10.0.0.2" : "fe80::2");
	parse(&w->router_high, v4 ? "10.0.0.200" : "fe80::ff00");
	w->prefix = v4 ? 24 : 64;
	mgm_addr_any(&w->unspecified, w->family);
	mgm_addr_all_systems(&w->all_systems, w->family);
	mgm_addr_all_routers(&w->all_routers, w->family);
	mgm_addr_v3_report_dest(&w->v3_dest, w->family);
}

static uint8_t newest(uint8_t family)
{
	return family == MGM_INET ? 3 : 2;
}

static void make_config(struct mgm_router_config *c, uint8_t family, uint8_t c0, uint8_t c1)
{
	uint8_t v = (c0 >> 1) & 3;

	mgm_router_config_defaults(c, family);
	c->version = v == 0 || v > newest(family) ? newest(family) : v;
	c->fast_leave = c0 & 0x08;
	if (c0 & 0x10) {
		c->max_groups = 4;
		c->max_sources_per_group = 4;
		c->max_sources = 8;
		c->max_tracked = 4;
	}
	c->ip_policy = ((c0 >> 5) & 3) == 3 ? MGM_IP_POLICY_DEFAULT : (c0 >> 5) & 3;
	c->querier = !(c0 & 0x80);
	c->robustness = (uint8_t)(1 + (c1 & 3));
	c->last_member_query_count = (uint8_t)(1 + ((c1 >> 2) & 3));
	c->query_interval_ms = 2000 + 4000 * ((c1 >> 4) & 7);
	c->query_response_interval_ms = 1000;
	c->startup_query_interval_ms = c->query_interval_ms / 4;
	c->startup_query_count = c->robustness;
	c->last_member_query_interval_ms = 500;
	if (mgm_router_config_check(c, NULL, 0) != 0)
		fuzz_fail(__FILE__, __LINE__, "the harness built an invalid configuration");
}

/* ---- Checks ------------------------------------------------------------------------------ */

struct walk {
	struct world *w;
	uint32_t groups, sources;
	uint8_t mode;
};

static int walk_source(void *ctx, const struct mgm_router_source_info *si)
{
	struct walk *k = ctx;

	k->sources++;
	/* RFC 3376 §6.2.1: INCLUDE-mode sources all have running timers. */
	if (k->mode == MGM_INCLUDE && !k->w->late)
		CHECK(si->timer_ms >= 0);
	return 0;
}

static int walk_group(void *ctx, const struct mgm_router_group_info *gi)
{
	struct walk *k = ctx;
	struct world *w = k->w;
	struct entry *star = find(w, &gi->group, &gi->group, true, false);

	k->groups++;
	CHECK(!mgm_addr_is_unrouted_group(&gi->group));
	CHECK(gi->filter_mode == MGM_INCLUDE || gi->filter_mode == MGM_EXCLUDE);
	if (mgm_addr_is_ssm(&gi->group))
		CHECK(gi->filter_mode == MGM_INCLUDE);
	/* §6.2.2: the group timer runs in EXCLUDE mode; §6.2.1: INCLUDE needs a source. */
	if (gi->filter_mode == MGM_EXCLUDE && !w->late)
		CHECK(gi->group_timer_ms >= 0);
	if (gi->filter_mode == MGM_INCLUDE)
		CHECK(gi->num_sources > 0);
	CHECK(gi->any_source_fwd == (star ? star->state : MGM_FWD_NONE));
	k->mode = gi->filter_mode;
	mgm_router_foreach_source(w->r, w->now, &gi->group, walk_source, k);
	return 0;
}

static void check(struct world *w)
{
	struct mgm_router_status st;
	struct mgm_router_counters k;
	struct walk wk = {w, 0, 0, 0};

	mgm_router_status(w->r, w->now, &st);
	mgm_router_counters(w->r, &k);
	CHECK(k.groups_added - k.groups_removed == st.groups);
	CHECK(k.sources_added - k.sources_removed == st.sources);
	CHECK(k.fwd_changes == w->fwd_seen);
	CHECK(st.memory == w->ca.outstanding);
	CHECK(st.running == w->running);
	if (!w->running)
		CHECK(st.groups == 0 && st.sources == 0);
	mgm_router_foreach_group(w->r, w->now, walk_group, &wk);
	CHECK(wk.groups == st.groups && wk.sources == st.sources);

	for (int g = 0; g < NPOOL; g++)
		for (int s = 0; s < NPOOL; s++)
			CHECK(mgm_router_forwarding(w->r, &w->groups[g], &w->sources[s]) ==
			      mirror_wanted(w, &w->groups[g], &w->sources[s]));
	for (size_t i = 0; i < w->nmirror; i++) {
		struct entry e = w->mirror[i];

		if (!e.any && e.state != MGM_FWD_NONE)
			CHECK(mgm_router_forwarding(w->r, &e.group, &e.source) ==
			      mirror_wanted(w, &e.group, &e.source));
	}
}

static void check_withdrawn(struct world *w)
{
	for (size_t i = 0; i < w->nmirror; i++)
		CHECK(w->mirror[i].state == MGM_FWD_NONE);
}

/* ---- Input cursor ------------------------------------------------------------------------ */

static const struct mgm_addr *sender(struct world *w, unsigned sel)
{
	switch (sel & 7) {
	case 4:
		return &w->unspecified;
	case 5:
		return &w->stranger;
	case 6:
		return &w->router_low;
	case 7:
		return &w->router_high;
	default:
		return &w->hosts[sel & 3];
	}
}

static void fix_checksum(struct world *w, uint8_t *buf, size_t len, const struct mgm_addr *src,
			 const struct mgm_addr *dst)
{
	uint32_t sum = 0;
	uint16_t c;

	if (len < 4)
		return;
	buf[2] = buf[3] = 0;
	if (w->family == MGM_INET6)
		sum = mgm_icmp6_pseudo_sum(src, dst, (uint32_t)len);
	c = mgm_inet_checksum(buf, len, sum);
	buf[2] = (uint8_t)(c >> 8);
	buf[3] = (uint8_t)c;
}

static void deliver(struct world *w, const struct mgm_addr *src, const struct mgm_addr *dst,
		    const uint8_t *buf, size_t len, bool bad_ip, bool predecoded)
{
	struct mgm_ip_info ip;
	struct mgm_msg m;
	int ret;

	memset(&ip, 0, sizeof(ip));
	ip.family = w->family;
	ip.src = *src;
	ip.dst = *dst;
	ip.hop_limit = bad_ip ? 64 : 1;
	ip.router_alert = !bad_ip;
	ip.payload = buf;
	ip.payload_len = len;
	if (mgm_decode(w->family, buf, len, src, dst, &m) == 0)
		fuzz_last_decoded = 1;
	else
		predecoded = false;
	if (predecoded)
		ret = mgm_router_input_msg(w->r, w->now, &ip, &m);
	else
		ret = mgm_router_input(w->r, w->now, &ip);
	CHECK(ret <= 0);
}

/* ---- Operations -------------------------------------------------------------------------- */

static void op_raw(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t buf[256];
	size_t len = fuzz_next(c);
	const struct mgm_addr *src = sender(w, a >> 1);

	if (len > c->left)
		len = c->left;
	memcpy(buf, c->p, len);
	c->p += len;
	c->left -= len;
	if (a & 1)
		fix_checksum(w, buf, len, src, &w->v3_dest);
	deliver(w, src, &w->v3_dest, len ? buf : (const uint8_t *)"", len, a & 0x10, false);
}

static void op_v1v2(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	/* (kind, IGMP version): IGMPv1 report, IGMPv2 report, leave, IGMPv2 report; MLD has
	 * version 1 of each. */
	static const uint8_t kinds[4][2] = {
		{MGM_MSG_REPORT, 1}, {MGM_MSG_REPORT, 2}, {MGM_MSG_LEAVE, 2}, {MGM_MSG_REPORT, 2}};
	uint8_t x = fuzz_next(c), kind = kinds[x & 3][0], version = kinds[x & 3][1], buf[64];
	const struct mgm_addr *g = &w->groups[(x >> 2) & 7], *src = sender(w, x >> 5);
	const struct mgm_addr *dst = kind == MGM_MSG_LEAVE ? &w->all_routers : g;
	size_t len;

	if (w->family == MGM_INET6)
		version = 1;
	if (mgm_encode_v1v2(w->family, kind, version, g, src, dst, buf, sizeof(buf), &len) == 0)
		deliver(w, src, dst, buf, len, a & 2, a & 1);
}

static void op_v3(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	struct mgm_group_record recs[4];
	struct mgm_addr srcs[4][NPOOL];
	struct mgm_report_writer wr;
	uint8_t x = fuzz_next(c), buf[1500];
	unsigned n = 1 + (x & 3);
	const struct mgm_addr *src = sender(w, x >> 2);
	size_t len;

	memset(recs, 0, sizeof(recs));
	for (unsigned i = 0; i < n; i++) {
		uint8_t y = fuzz_next(c), mask = fuzz_next(c);

		recs[i].type = (uint8_t)(1 + (y & 7) % 6);
		recs[i].group = w->groups[(y >> 3) & 7];
		for (int s = 0; s < NPOOL; s++)
			if (mask & (1u << s))
				srcs[i][recs[i].num_sources++] = w->sources[s];
		recs[i].sources = srcs[i];
	}
	mgm_report_writer_init(&wr, w->family, recs, n, 1500);
	if (mgm_report_writer_next(&wr, src, &w->v3_dest, buf, sizeof(buf), &len) == 1)
		deliver(w, src, &w->v3_dest, buf, len, a & 2, a & 1);
}

static void op_query(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	static const uint8_t qsrc[4] = {6, 7, 0, 5};
	uint8_t x = fuzz_next(c), mask = fuzz_next(c), y = fuzz_next(c), qqic = fuzz_next(c),
		buf[1500];
	struct mgm_addr srcs[NPOOL];
	struct mgm_query q;
	const struct mgm_addr *src = sender(w, qsrc[(y >> 4) & 3]), *dst = &w->all_systems;
	unsigned kind = (x >> 2) & 3;
	size_t len;

	if (((y >> 4) & 3) == 3 && (a & 1))
		src = &w->self; /* our own address from another box: a misconfigured peer */
	memset(&q, 0, sizeof(q));
	q.version = (uint8_t)(1 + (x & 3) % newest(w->family));
	mgm_addr_any(&q.group, w->family);
	if (kind && !(w->family == MGM_INET && q.version == 1)) {
		q.group = w->groups[(x >> 4) & 7];
		dst = &q.group;
	}
	if (kind >= 2 && q.version == newest(w->family)) {
		for (int s = 0; s < NPOOL; s++)
			if (mask & (1u << s))
				srcs[q.num_sources++] = w->sources[s];
		q.sources = srcs;
	}
	q.max_resp_code = mgm_max_resp_code(w->family, q.version, 100u * (a + 1u));
	if (q.version == newest(w->family)) {
		q.suppress = y & 1;
		q.qrv = (y >> 1) & 7;
		q.qqic = qqic;
	}
	if (mgm_encode_query(w->family, &q, src, dst, buf, sizeof(buf), &len) == 0)
		deliver(w, src, dst, buf, len, false, a & 2);
}

static void run_timer(struct world *w, int64_t when)
{
	w->now = when;
	w->late = false;
	mgm_router_timer(w->r, w->now);
	CHECK(mgm_router_next_deadline(w->r) > w->now);
}

static void op_time(struct world *w, struct fuzz_cursor *c, uint8_t a)
{
	uint8_t lo = fuzz_next(c), hi = fuzz_next(c);
	int64_t t = lo | hi << 8, d = mgm_router_next_deadline(w->r), when;

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
	struct mgm_router_counters before, after;
	int64_t d = mgm_router_next_deadline(w->r), t;
	uint64_t seen = w->fwd_seen;
	unsigned sends = w->sends;

	if (w->late || d == MGM_TIME_NEVER || d <= w->now)
		return;
	t = w->now + (d - w->now) * fuzz_next(c) / 256;
	w->now = t;
	mgm_router_counters(w->r, &before);
	mgm_router_timer(w->r, t);
	mgm_router_counters(w->r, &after);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	CHECK(w->fwd_seen == seen && w->sends == sends);
	CHECK(mgm_router_next_deadline(w->r) == d);
}

static void op_reconfigure(struct world *w, struct fuzz_cursor *c)
{
	uint8_t c0 = fuzz_next(c), c1 = fuzz_next(c);
	struct mgm_router_config cfg, old = w->cfg;
	char err[200];
	int rc;

	make_config(&cfg, w->family, c0, c1);
	/* Queries sent from inside reconfigure already follow the new version. */
	w->cfg = cfg;
	err[0] = 0;
	rc = mgm_router_reconfigure(w->r, w->now, &cfg, err, sizeof(err));
	if (rc == MGM_E_NOMEM && w->ca.refuse_some) {
		w->cfg = old; /* engine.h: refused, and consistent */
	} else if (rc != 0) {
		fprintf(stderr, "fuzz_router: reconfigure: %s: %s\n", mgm_strerror(rc), err);
		fuzz_fail(__FILE__, __LINE__, "a valid configuration was refused");
	}
}

static void op_control(struct world *w, uint8_t a)
{
	switch (a % 5) {
	case 0:
		mgm_router_stop(w->r, w->now);
		w->running = false;
		check_withdrawn(w);
		break;
	case 1:
		if (mgm_router_start(w->r, w->now) == 0)
			w->running = true;
		break;
	case 2:
		mgm_router_stop(w->r, w->now);
		check_withdrawn(w);
		w->running = mgm_router_start(w->r, w->now) == 0;
		break;
	case 3:
		/* Another address; the old one would win the election again. */
		parse(&w->self, w->family == MGM_INET ? (a & 0x10 ? "10.0.0.250" : "10.0.0.10")
						      : (a & 0x10 ? "fe80::fffe" : "fe80::10"));
		CHECK(mgm_router_set_address(w->r, w->now, &w->self, w->prefix) == 0);
		break;
	default:
		if (w->last_query_len)
			deliver(w, &w->self, &w->last_query_dst, w->last_query, w->last_query_len,
				false, false);
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *t = getenv("FUZZ_ROUTER_TRACE");

	(void)argc;
	(void)argv;
	trace = t && *t && *t != '0';
	return 0;
}

static void trace_summary(struct world *w)
{
	struct mgm_router_counters k;
	struct mgm_router_status st;
	uint64_t q = 0;

	mgm_router_counters(w->r, &k);
	mgm_router_status(w->r, w->now, &st);
	for (int v = 1; v <= 3; v++)
		q += k.tx_general_queries[v - 1] + k.tx_group_queries[v - 1] +
		     k.tx_group_source_queries[v - 1];
	fprintf(stderr,
		"fuzz_router: t=%lld: %u groups, %u sources, %llu groups added, %llu forwarding "
		"changes, %llu queries sent, querier %d, version %u\n",
		(long long)w->now, st.groups, st.sources, (unsigned long long)k.groups_added,
		(unsigned long long)k.fwd_changes, (unsigned long long)q, st.querier,
		st.operating_version);
	for (int d = 0; d < MGM_DROP__COUNT; d++)
		if (k.drops[d])
			fprintf(stderr, "fuzz_router:   dropped %llu %s\n",
				(unsigned long long)k.drops[d], mgm_router_drop_name(d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w;
	struct fuzz_cursor c = {data, size};
	struct mgm_router_callbacks cb;
	struct mgm_allocator al;
	uint8_t c0, c1;

	fuzz_last_decoded = 0;
	if (size < 2)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	c0 = fuzz_next(&c);
	c1 = fuzz_next(&c);
	w->family = c0 & 1 ? MGM_INET6 : MGM_INET;
	make_addresses(w);
	make_config(&w->cfg, w->family, c0, c1);
	w->now = 1000;

	memset(&cb, 0, sizeof(cb));
	cb.ctx = w;
	cb.send = on_send;
	cb.forward = on_forward;
	cb.log = on_log;
	al.alloc = fuzz_alloc;
	al.free = fuzz_free;
	al.ctx = &w->ca;
	CHECK(mgm_router_create(&w->cfg, &cb, &al, &w->r, NULL, 0) == 0);
	CHECK(mgm_router_set_address(w->r, w->now, &w->self, w->prefix) == 0);
	CHECK(mgm_router_start(w->r, w->now) == 0);
	w->running = true;
	w->ca.refuse_some = c1 & 0x80;
	check(w);

	while (c.left) {
		uint8_t op = fuzz_next(&c), a = op >> 3;

		if (trace)
			fprintf(stderr, "fuzz_router: t=%lld op %u a %u\n", (long long)w->now,
				op & 7, a);

		switch (op & 7) {
		case 0:
			op_raw(w, &c, a);
			break;
		case 1:
			op_v1v2(w, &c, a);
			break;
		case 2:
			op_v3(w, &c, a);
			break;
		case 3:
			op_query(w, &c, a);
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

	if (trace)
		trace_summary(w);
	mgm_router_stop(w->r, w->now);
	check_withdrawn(w);
	mgm_router_destroy(w->r);
	CHECK(w->ca.outstanding == 0);
	free(w->mirror);
	free(w);
	return 0;
}
