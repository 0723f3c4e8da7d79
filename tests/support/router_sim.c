/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test harness for the router engine (see router_sim.h): a simulated link with routers in
 * simulated time, host messages built with libmgm's own encoders, every effect captured.
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

/* ---- Effects -------------------------------------------------------------------------------- */

static void on_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct sim_router *rt = ctx;
	struct sim_sent *q;

	assert_true(rt->nsent < SIM_MAX_SENT);
	assert_true(len <= sizeof(q->buf));
	q = &rt->sent[rt->nsent++];
	q->at = rt->sim->now;
	q->dst = *dst;
	memcpy(q->buf, payload, len);
	q->len = len;
	/* Whatever a router sends must decode with the strict codec. */
	assert_int_equal(mgm_decode(rt->sim->family, q->buf, q->len, &rt->addr, dst, &q->m), 0);
}

static void on_forward(void *ctx, const struct mgm_fwd_change *c)
{
	struct sim_router *rt = ctx;

	assert_true(rt->nfwd < SIM_MAX_FWD);
	rt->fwd[rt->nfwd++] = *c;
}

static void on_log(void *ctx, int level, const char *text)
{
	struct sim_router *rt = ctx;
	char a[MGM_ADDRSTRLEN];

	if (level <= MGM_LOG_WARN)
		rt->nwarn++;
	if (!getenv("MGM_TEST_LOG"))
		return;
	fprintf(stderr, "[%s t=%lld L%d] %s\n", mgm_addr_str(&rt->addr, a), (long long)rt->sim->now,
		level, text);
}

/* ---- Set-up --------------------------------------------------------------------------------- */

struct mgm_addr sim_addr(const char *text)
{
	struct mgm_addr a;

	if (mgm_addr_parse(text, &a) != 0)
		fail_msg("bad address in test: %s", text);
	return a;
}

void sim_version_1(struct mgm_router_config *cfg)
{
	cfg->version = 1;
}

void sim_version_2(struct mgm_router_config *cfg)
{
	cfg->version = 2;
}

struct sim *sim_new(uint8_t family, int n, const char *const *addrs,
		    void (*tweak)(struct mgm_router_config *cfg))
{
	struct sim *s = calloc(1, sizeof(*s));
	char err[256];

	assert_non_null(s);
	assert_true(n <= SIM_MAX_ROUTERS);
	s->family = family;
	s->n = n;
	for (int i = 0; i < n; i++) {
		struct sim_router *rt = &s->rt[i];
		struct mgm_router_callbacks cb = {
			.ctx = rt,
			.send = on_send,
			.forward = on_forward,
			.log = on_log, /* counts warnings; prints with MGM_TEST_LOG set */
		};
		struct mgm_allocator al = test_alloc_hooks(&rt->alloc);

		rt->sim = s;
		rt->addr = sim_addr(addrs[i]);
		mgm_router_config_defaults(&rt->cfg, family);
		if (tweak)
			tweak(&rt->cfg);
		err[0] = '\0';
		if (mgm_router_create(&rt->cfg, &cb, &al, &rt->r, err, sizeof(err)) != 0)
			fail_msg("router_create: %s", err);
		assert_int_equal(
			mgm_router_set_address(rt->r, 0, &rt->addr, family == MGM_INET ? 24 : 64),
			0);
	}
	return s;
}

void sim_free(struct sim *s)
{
	for (int i = 0; i < s->n; i++) {
		mgm_router_stop(s->rt[i].r, s->now);
		mgm_router_destroy(s->rt[i].r);
		/* Every byte taken through the hooks came back. */
		assert_int_equal(s->rt[i].alloc.live, 0);
	}
	free(s);
}

/* Routers hear each other's queries (and whatever else they send). */
static void deliver(struct sim *s)
{
	bool more = true;

	while (more) {
		more = false;
		for (int i = 0; i < s->n; i++) {
			struct sim_router *from = &s->rt[i];

			while (from->delivered < from->nsent) {
				struct sim_sent *q = &from->sent[from->delivered++];
				struct mgm_ip_info ip;

				memset(&ip, 0, sizeof(ip));
				ip.family = s->family;
				ip.src = from->addr;
				ip.dst = q->dst;
				ip.hop_limit = 1;
				ip.router_alert = true;
				ip.payload = q->buf;
				ip.payload_len = q->len;
				for (int j = 0; j < s->n; j++)
					if (j != i)
						assert_true(mgm_router_input(s->rt[j].r, s->now,
									     &ip) >= 0);
				more = true;
			}
		}
	}
}

/* The routers start together: each hears the others' first queries. */
void sim_start(struct sim *s)
{
	for (int i = 0; i < s->n; i++)
		assert_int_equal(mgm_router_start(s->rt[i].r, s->now), 0);
	deliver(s);
}

void sim_run(struct sim *s, int64_t t)
{
	for (;;) {
		int64_t d = MGM_TIME_NEVER;
		int who = -1;

		for (int i = 0; i < s->n; i++) {
			int64_t di = mgm_router_next_deadline(s->rt[i].r);

			if (di < d) {
				d = di;
				who = i;
			}
		}
		if (who < 0 || d > t)
			break;
		assert_true(d >= s->now);
		s->now = d;
		mgm_router_timer(s->rt[who].r, d);
		/* A timer call leaves nothing due behind. */
		assert_true(mgm_router_next_deadline(s->rt[who].r) > d);
		deliver(s);
	}
	s->now = t;
}

void sim_clear(struct sim *s)
{
	for (int i = 0; i < s->n; i++) {
		s->rt[i].nsent = s->rt[i].delivered = 0;
		s->rt[i].nfwd = 0;
	}
}

/* ---- Host messages -------------------------------------------------------------------------- */

void sim_ip(struct sim *s, struct mgm_ip_info *ip, const char *src, const char *dst)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = s->family;
	ip->src = sim_addr(src);
	ip->dst = sim_addr(dst);
	ip->hop_limit = 1;
	ip->router_alert = true;
	ip->tos = 0xc0;
}

int sim_input(struct sim *s, int i, const struct mgm_ip_info *ip, const uint8_t *buf, size_t len)
{
	struct mgm_ip_info with = *ip;
	int rc = 0;

	with.payload = buf;
	with.payload_len = len;
	for (int j = 0; j < s->n; j++) {
		if (i >= 0 && j != i)
			continue;
		rc = mgm_router_input(s->rt[j].r, s->now, &with);
	}
	deliver(s);
	return rc;
}

static void v1v2(struct sim *s, int i, const char *host, const char *group, uint8_t kind,
		 uint8_t version)
{
	struct mgm_addr g = sim_addr(group), h = sim_addr(host), d;
	struct mgm_ip_info ip;
	uint8_t buf[64];
	size_t len;

	if (kind == MGM_MSG_LEAVE)
		mgm_addr_all_routers(&d, s->family);
	else
		d = g;
	assert_int_equal(
		mgm_encode_v1v2(s->family, kind, version, &g, &h, &d, buf, sizeof(buf), &len), 0);
	memset(&ip, 0, sizeof(ip));
	ip.family = s->family;
	ip.src = h;
	ip.dst = d;
	ip.hop_limit = 1;
	/* IGMPv1 hosts (RFC 1112) send no Router Alert. */
	ip.router_alert = s->family == MGM_INET6 || version >= 2;
	assert_int_equal(sim_input(s, i, &ip, buf, len), 0);
}

void sim_report_v1(struct sim *s, int i, const char *host, const char *group)
{
	v1v2(s, i, host, group, MGM_MSG_REPORT, 1);
}

void sim_report_v2(struct sim *s, int i, const char *host, const char *group)
{
	v1v2(s, i, host, group, MGM_MSG_REPORT, s->family == MGM_INET ? 2 : 1);
}

void sim_leave(struct sim *s, int i, const char *host, const char *group)
{
	v1v2(s, i, host, group, MGM_MSG_LEAVE, s->family == MGM_INET ? 2 : 1);
}

void sim_record_list(struct sim *s, int i, const char *host, uint8_t type, const char *group,
		     const char *const *sources, int n)
{
	static struct mgm_addr srcs[20000];
	static uint8_t buf[65536];
	struct mgm_group_record rec;
	struct mgm_report_writer w;
	struct mgm_addr h = sim_addr(host), d;
	struct mgm_ip_info ip;
	size_t len;
	int rc;

	assert_true(n <= 20000);
	for (int k = 0; k < n; k++)
		srcs[k] = sim_addr(sources[k]);
	memset(&rec, 0, sizeof(rec));
	rec.type = type;
	rec.group = sim_addr(group);
	rec.num_sources = (uint16_t)n;
	rec.sources = srcs;
	mgm_addr_v3_report_dest(&d, s->family);
	mgm_report_writer_init(&w, s->family, &rec, 1, 65535);
	memset(&ip, 0, sizeof(ip));
	ip.family = s->family;
	ip.src = h;
	ip.dst = d;
	ip.hop_limit = 1;
	ip.router_alert = true;
	while ((rc = mgm_report_writer_next(&w, &h, &d, buf, sizeof(buf), &len)) == 1)
		assert_int_equal(sim_input(s, i, &ip, buf, len), 0);
	assert_int_equal(rc, 0);
}

void sim_record(struct sim *s, int i, const char *host, uint8_t type, const char *group, ...)
{
	const char *list[64];
	int n = 0;
	va_list ap;

	va_start(ap, group);
	while (n < 64 && (list[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	sim_record_list(s, i, host, type, group, list, n);
}

void sim_query(struct sim *s, int i, const char *from, uint8_t version, const char *group,
	       bool suppress, uint8_t qrv, uint8_t qqic, uint32_t max_resp_ms,
	       const char *const *sources, int nsrc)
{
	struct mgm_addr srcs[64], f = sim_addr(from), d;
	struct mgm_query q;
	struct mgm_ip_info ip;
	uint8_t buf[1500];
	size_t len;

	memset(&q, 0, sizeof(q));
	q.version = version;
	if (group) {
		q.group = sim_addr(group);
		d = q.group;
	} else {
		mgm_addr_any(&q.group, s->family);
		mgm_addr_all_systems(&d, s->family);
	}
	q.max_resp_code = mgm_max_resp_code(s->family, version, max_resp_ms);
	q.suppress = suppress;
	q.qrv = qrv;
	q.qqic = qqic;
	for (int k = 0; k < nsrc; k++)
		srcs[k] = sim_addr(sources[k]);
	q.num_sources = (uint16_t)nsrc;
	q.sources = srcs;
	assert_int_equal(mgm_encode_query(s->family, &q, &f, &d, buf, sizeof(buf), &len), 0);
	memset(&ip, 0, sizeof(ip));
	ip.family = s->family;
	ip.src = f;
	ip.dst = d;
	ip.hop_limit = 1;
	ip.router_alert = version > 1 || s->family == MGM_INET6;
	assert_int_equal(sim_input(s, i, &ip, buf, len), 0);
}

/* ---- Inspection ----------------------------------------------------------------------------- */

int sim_queries(const struct sim_router *rt)
{
	int n = 0;

	for (int k = 0; k < rt->nsent; k++)
		if (rt->sent[k].m.kind == MGM_MSG_QUERY)
			n++;
	return n;
}

int sim_query_mask(const struct sim *s, const struct sim_sent *q, const char *const *names, int n)
{
	int mask = 0;

	for (uint16_t k = 0; k < q->m.num_sources; k++) {
		struct mgm_addr a;
		int j;

		mgm_source_at(q->m.sources, s->family, k, &a);
		for (j = 0; j < n; j++) {
			struct mgm_addr b = sim_addr(names[j]);

			if (mgm_addr_eq(&a, &b))
				break;
		}
		if (j == n || mask & 1 << j)
			return -1;
		mask |= 1 << j;
	}
	return mask;
}

bool sim_is_general(const struct sim_sent *q)
{
	return q->m.kind == MGM_MSG_QUERY && mgm_addr_is_any(&q->m.group);
}

bool sim_query_for(const struct sim *s, const struct sim_sent *q, const char *group)
{
	struct mgm_addr g = sim_addr(group);

	(void)s;
	return q->m.kind == MGM_MSG_QUERY && mgm_addr_eq(&q->m.group, &g) &&
	       mgm_addr_eq(&q->dst, &g);
}

struct find_src {
	struct mgm_addr want;
	int64_t timer;
	bool found;
};

static int find_src_cb(void *ctx, const struct mgm_router_source_info *si)
{
	struct find_src *f = ctx;

	if (mgm_addr_eq(&si->source, &f->want)) {
		f->found = true;
		f->timer = si->timer_ms;
		return 1;
	}
	return 0;
}

int64_t sim_source_timer(const struct sim *s, int i, const char *group, const char *source)
{
	struct find_src f = {.want = sim_addr(source), .timer = -2};
	struct mgm_addr g = sim_addr(group);

	mgm_router_foreach_source(s->rt[i].r, s->now, &g, find_src_cb, &f);
	return f.found ? f.timer : -2;
}

bool sim_has_source(const struct sim *s, int i, const char *group, const char *source)
{
	return sim_source_timer(s, i, group, source) != -2;
}

int sim_group(const struct sim *s, int i, const char *group, struct mgm_router_group_info *gi)
{
	struct mgm_addr g = sim_addr(group);

	return mgm_router_group(s->rt[i].r, s->now, &g, gi);
}

bool sim_fwd(const struct sim *s, int i, const char *group, const char *source)
{
	struct mgm_addr g = sim_addr(group), a = sim_addr(source);

	return mgm_router_forwarding(s->rt[i].r, &g, &a);
}

uint64_t sim_drops(const struct sim *s, int i, int reason)
{
	struct mgm_router_counters c;

	mgm_router_counters(s->rt[i].r, &c);
	return c.drops[reason];
}
