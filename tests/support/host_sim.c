/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test harness for the host engine (see host_sim.h).
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

struct mgm_addr hsim_group(uint8_t family, int i)
{
	struct mgm_addr a;

	mgm_addr_any(&a, family);
	if (family == MGM_INET) {
		a.octets[0] = 239;
		a.octets[1] = 1;
		a.octets[2] = 1;
		a.octets[3] = (uint8_t)(i + 1);
	} else {
		a.octets[0] = 0xff;
		a.octets[1] = 0x0e;
		a.octets[13] = 1;
		a.octets[15] = (uint8_t)(i + 1);
	}
	return a;
}

struct mgm_addr hsim_source(uint8_t family, int i)
{
	struct mgm_addr a;

	mgm_addr_any(&a, family);
	if (family == MGM_INET) {
		a.octets[0] = 10;
		a.octets[1] = 9;
		a.octets[3] = (uint8_t)(i + 1);
	} else {
		a.octets[0] = 0x20;
		a.octets[1] = 0x01;
		a.octets[2] = 0x0d;
		a.octets[3] = 0xb8;
		a.octets[15] = (uint8_t)(i + 1);
	}
	return a;
}

static int group_index(uint8_t family, const struct mgm_addr *a)
{
	for (int i = 0; i < HSIM_GROUPS; i++) {
		struct mgm_addr g = hsim_group(family, i);

		if (mgm_addr_eq(&g, a))
			return i;
	}
	fail_msg("the host sent something for a group the test never named");
	return -1;
}

static int source_index(uint8_t family, const struct mgm_addr *a)
{
	for (int i = 0; i < HSIM_SOURCES; i++) {
		struct mgm_addr g = hsim_source(family, i);

		if (mgm_addr_eq(&g, a))
			return i;
	}
	fail_msg("the host sent a source the test never named");
	return -1;
}

/* ---- Callbacks ------------------------------------------------------------------------------ */

static void on_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct hsim *s = ctx;
	struct hsim_sent *q;
	struct mgm_addr want;

	assert_true(s->nsent < HSIM_MAX_SENT);
	assert_true(len <= sizeof(q->buf));
	/* Within the MTU with the IP header mgm_ip_encode() adds. */
	assert_true(len + mgm_ip_header_len(s->family) <= s->cfg.mtu);
	q = &s->sent[s->nsent++];
	q->at = s->now;
	q->dst = *dst;
	memcpy(q->buf, payload, len);
	q->len = len;
	/* Whatever a host sends must decode with the strict codec. */
	assert_int_equal(mgm_decode(s->family, q->buf, q->len, &s->addr, dst, &q->m), 0);
	assert_int_not_equal(q->m.kind, MGM_MSG_QUERY);
	/* RFC 3376 §4.2.14, RFC 2236 §3, RFC 3810 §5.2.14, RFC 2710 §3: destinations. */
	if (q->m.records)
		mgm_addr_v3_report_dest(&want, s->family);
	else if (q->m.kind == MGM_MSG_LEAVE)
		mgm_addr_all_routers(&want, s->family);
	else
		want = q->m.group;
	assert_true(mgm_addr_eq(&want, dst));
}

static uint64_t on_random(void *ctx)
{
	struct hsim *s = ctx;

	return s->fixed_random ? s->random_value : rnd(&s->rng);
}

static void on_log(void *ctx, int level, const char *text)
{
	struct hsim *s = ctx;

	if (getenv("MGM_TEST_LOG"))
		fprintf(stderr, "[host t=%lld L%d] %s\n", (long long)s->now, level, text);
}

/* ---- Set-up --------------------------------------------------------------------------------- */

struct hsim *hsim_new(uint8_t family, void (*tweak)(struct mgm_host_config *cfg))
{
	struct hsim *s = calloc(1, sizeof(*s));
	struct mgm_host_callbacks cb;
	struct mgm_allocator al;
	char err[160];

	assert_non_null(s);
	s->family = family;
	s->rng.s = env_u64("MGM_HOST_SEED", 12345);
	mgm_host_config_defaults(&s->cfg, family);
	if (tweak)
		tweak(&s->cfg);
	cb = (struct mgm_host_callbacks){
		.ctx = s, .send = on_send, .log = on_log, .random = on_random};
	al = test_alloc_hooks(&s->alloc);
	if (mgm_host_create(&s->cfg, &cb, &al, &s->h, err, sizeof(err)))
		fail_msg("mgm_host_create: %s", err);
	if (family == MGM_INET) {
		assert_int_equal(mgm_addr_parse("10.0.0.2", &s->addr), 0);
		assert_int_equal(mgm_addr_parse("10.0.0.1", &s->querier), 0);
	} else {
		assert_int_equal(mgm_addr_parse("fe80::2", &s->addr), 0);
		assert_int_equal(mgm_addr_parse("fe80::1", &s->querier), 0);
	}
	assert_int_equal(mgm_host_set_address(s->h, 0, &s->addr), 0);
	assert_int_equal(mgm_host_start(s->h, 0), 0);
	return s;
}

void hsim_free(struct hsim *s)
{
	mgm_host_destroy(s->h);
	assert_int_equal(s->alloc.live, 0);
	assert_int_equal(s->alloc.live_blocks, 0);
	free(s);
}

void hsim_run(struct hsim *s, int64_t t)
{
	int64_t d;
	int guard = 0;

	while ((d = mgm_host_next_deadline(s->h)) <= t) {
		assert_true(d >= s->now);
		s->now = d;
		mgm_host_timer(s->h, d);
		assert_true(++guard < 100000);
	}
	s->now = t;
}

/* ---- Rendering ------------------------------------------------------------------------------ */

static void put(char *out, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + n, cap - n, fmt, ap);
	va_end(ap);
}

static void render(const struct hsim *s, const struct hsim_sent *q, char *out, size_t cap)
{
	struct mgm_record_iter it;
	struct mgm_record rec;
	bool first = true;

	if (!q->m.records) {
		put(out, cap, "%s G%d",
		    q->m.kind == MGM_MSG_LEAVE ? "L"
		    : q->m.version == 1	       ? "R1"
					       : "R2",
		    group_index(s->family, &q->m.group) + 1);
		return;
	}
	mgm_records_begin(&q->m, &it);
	while (mgm_records_next(&it, &rec)) {
		unsigned mask = 0;
		bool one = true;

		put(out, cap, "%s%s G%d{", first ? "" : " ", mgm_record_type_name(rec.type),
		    group_index(s->family, &rec.group) + 1);
		first = false;
		for (uint16_t i = 0; i < rec.num_sources; i++) {
			struct mgm_addr a;
			int k;

			mgm_source_at(rec.sources, s->family, i, &a);
			k = source_index(s->family, &a);
			assert_false(mask & (1u << k)); /* no source twice in a record */
			mask |= 1u << k;
		}
		for (int k = 0; k < HSIM_SOURCES; k++)
			if (mask & (1u << k)) {
				put(out, cap, "%s%c", one ? "" : ",", 'a' + k);
				one = false;
			}
		put(out, cap, "}");
	}
}

const char *hsim_take(struct hsim *s)
{
	static char out[8192];

	out[0] = 0;
	for (; s->taken < s->nsent; s->taken++) {
		if (out[0])
			put(out, sizeof(out), " | ");
		render(s, &s->sent[s->taken], out, sizeof(out));
	}
	return out;
}

/* ---- Calls ---------------------------------------------------------------------------------- */

int hsim_set(struct hsim *s, uint32_t sock, int gi, uint8_t mode, unsigned mask)
{
	struct mgm_addr g = hsim_group(s->family, gi), src[HSIM_SOURCES];
	uint32_t n = 0;

	for (int k = 0; k < HSIM_SOURCES; k++)
		if (mask & (1u << k))
			src[n++] = hsim_source(s->family, k);
	return mgm_host_set_filter(s->h, s->now, sock, &g, mode, src, n);
}

int hsim_join(struct hsim *s, uint32_t sock, int gi)
{
	struct mgm_addr g = hsim_group(s->family, gi);

	return mgm_host_join(s->h, s->now, sock, &g);
}

int hsim_leave(struct hsim *s, uint32_t sock, int gi)
{
	struct mgm_addr g = hsim_group(s->family, gi);

	return mgm_host_leave(s->h, s->now, sock, &g);
}

uint8_t hsim_state(struct hsim *s, int gi, unsigned *mask)
{
	struct mgm_addr g = hsim_group(s->family, gi), src[64];
	struct mgm_host_group_info info;
	int n;

	*mask = 0;
	if (mgm_host_group(s->h, s->now, &g, &info))
		return 0;
	n = mgm_host_group_sources(s->h, &g, src, 64);
	assert_true(n >= 0 && n <= 64);
	assert_int_equal((uint32_t)n, info.num_sources);
	for (int i = 0; i < n; i++) {
		assert_true(i == 0 || mgm_addr_cmp(&src[i - 1], &src[i]) < 0);
		*mask |= 1u << source_index(s->family, &src[i]);
	}
	return info.filter_mode;
}

static void deliver(struct hsim *s, const struct mgm_addr *src, const struct mgm_addr *dst,
		    const uint8_t *buf, size_t len)
{
	struct mgm_ip_info ip = {
		.family = s->family,
		.src = *src,
		.dst = *dst,
		.hop_limit = 1,
		.router_alert = true,
		.payload = buf,
		.payload_len = len,
	};

	assert_int_equal(mgm_host_input(s->h, s->now, &ip), 0);
}

void hsim_query(struct hsim *s, uint8_t version, int gi, uint32_t max_resp_ms, unsigned mask)
{
	struct mgm_addr src[HSIM_SOURCES], dst;
	struct mgm_query q = {.version = version, .qrv = 2, .qqic = 125};
	uint8_t buf[1500];
	size_t len;

	if (gi < 0) {
		mgm_addr_any(&q.group, s->family);
		mgm_addr_all_systems(&dst, s->family);
	} else {
		q.group = dst = hsim_group(s->family, gi);
	}
	for (int k = 0; k < HSIM_SOURCES; k++)
		if (mask & (1u << k))
			src[q.num_sources++] = hsim_source(s->family, k);
	q.sources = src;
	q.max_resp_code = mgm_max_resp_code(s->family, version, max_resp_ms);
	assert_int_equal(mgm_encode_query(s->family, &q, &s->querier, &dst, buf, sizeof(buf), &len),
			 0);
	deliver(s, &s->querier, &dst, buf, len);
}

void hsim_other_report(struct hsim *s, uint8_t version, int gi)
{
	struct mgm_addr g = hsim_group(s->family, gi), other;
	uint8_t buf[64];
	size_t len;

	assert_int_equal(mgm_addr_parse(s->family == MGM_INET ? "10.0.0.9" : "fe80::9", &other), 0);
	assert_int_equal(mgm_encode_v1v2(s->family, MGM_MSG_REPORT, version, &g, &other, &g, buf,
					 sizeof(buf), &len),
			 0);
	deliver(s, &other, &g, buf, len);
}
