/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Socket filters and the interface state: RFC 3376 §3.2's merge as data rows (sockets in, the
 * interface state and the state-change report out), RFC 3678 §4's calls and the errors it
 * names, the limits, and that a refused allocation anywhere in a call leaves the host as it
 * was. IGMPv3 rows run for MLDv2 too (RFC 3810 §4.2).
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

static const uint8_t families[] = {MGM_INET, MGM_INET6};

/* ---- RFC 3376 §3.2 ------------------------------------------------------------------------ */

struct sock_filter {
	uint8_t mode; /* 0: the socket has no filter */
	unsigned src;
};

struct merge_row {
	const char *rfc;
	struct sock_filter s[3];
	uint8_t mode; /* 0: no record */
	unsigned src;
};

static const struct merge_row merge_rows[] = {
	{"§3.2 all INCLUDE: INCLUDE of the union", {{IN, A | B}, {IN, B | C}}, IN, A | B | C},
	{"§3.2 all EXCLUDE: EXCLUDE of the intersection", {{EX, A | B}, {EX, B | C}}, EX, B},
	{"§3.2 EXCLUDE minus the INCLUDE sources", {{EX, A | B | C}, {IN, B}}, EX, A | C},
	{"§3.2 intersection minus INCLUDE sources, three sockets",
	 {{EX, A | B}, {EX, B | C}, {IN, B | D}},
	 EX,
	 0},
	{"§3.2 an any-source join wins over a source join", {{EX, 0}, {IN, A}}, EX, 0},
	{"§3.2 INCLUDE and two EXCLUDE", {{IN, A}, {EX, A | B}, {EX, A | B | C}}, EX, B},
	{"§3.2 one socket: its own filter", {{EX, C | D}}, EX, C | D},
	{"§3.2 no socket: no state", {{0, 0}}, 0, 0},
};

static void test_host_socket_merge(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++)
		for (size_t i = 0; i < sizeof(merge_rows) / sizeof(merge_rows[0]); i++) {
			const struct merge_row *r = &merge_rows[i];
			struct hsim *s = hsim_new(families[f], NULL);
			unsigned mask;
			uint8_t mode;

			for (int k = 0; k < 3; k++)
				if (r->s[k].mode)
					assert_int_equal(hsim_set(s, (uint32_t)k + 1, 0,
								  r->s[k].mode, r->s[k].src),
							 0);
			hsim_run(s, 10000);
			mode = hsim_state(s, 0, &mask);
			if (mode != r->mode || mask != r->src)
				fail_msg("%s: mode %u sources %#x, want %u %#x", r->rfc, mode, mask,
					 r->mode, r->src);
			hsim_free(s);
		}
}

/* The report follows the merged state, not the socket's own: a socket's change that does not
 * change the interface state says nothing. */
static void test_host_report_follows_merged_state(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);

		assert_int_equal(hsim_set(s, 1, 0, EX, A | B), 0);
		hsim_run(s, 10000);
		assert_string_equal(hsim_take(s), "TO_EX G1{a,b} | TO_EX G1{a,b}");
		/* Socket 2 excludes b and c: the intersection stays {a,b} ∩ {b,c} = {b}. */
		assert_int_equal(hsim_set(s, 2, 0, EX, B | C), 0);
		assert_string_equal(hsim_take(s), "ALLOW G1{a}");
		/* Socket 3 includes b: EXCLUDE {} now. */
		assert_int_equal(hsim_set(s, 3, 0, IN, B), 0);
		assert_string_equal(hsim_take(s), "ALLOW G1{a,b}");
		/* Socket 3 adds d, which nobody excludes: no change of the interface state. */
		assert_int_equal(hsim_set(s, 3, 0, IN, B | D), 0);
		hsim_run(s, 20000);
		/* Only the retransmission: a's second report went with b's first. */
		assert_string_equal(hsim_take(s), "ALLOW G1{b}");
		/* The EXCLUDE sockets leave: EXCLUDE {c} ({b,c} minus b), then INCLUDE {b,d}. */
		assert_int_equal(hsim_leave(s, 1, 0), 0);
		assert_int_equal(hsim_leave(s, 2, 0), 0);
		hsim_run(s, 30000);
		assert_string_equal(hsim_take(s), "BLOCK G1{c} | TO_IN G1{b,d} | TO_IN G1{b,d}");
		assert_int_equal(mgm_host_close_socket(s->h, s->now, 3), 0);
		hsim_run(s, 40000);
		assert_string_equal(hsim_take(s), "BLOCK G1{b,d} | BLOCK G1{b,d}");
		hsim_free(s);
	}
}

/* ---- RFC 3678 §4: the calls -------------------------------------------------------------- */

static void test_host_socket_calls(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], NULL);
		uint8_t fam = s->family;
		struct mgm_addr g = hsim_group(fam, 0), a = hsim_source(fam, 0),
				b = hsim_source(fam, 1), two[2] = {a, a};
		unsigned mask;

		/* Any-source: join, block, unblock, leave. */
		assert_int_equal(mgm_host_join(s->h, 0, 1, &g), 0);
		assert_int_equal(mgm_host_join(s->h, 0, 1, &g), 0); /* repeated: no change */
		assert_int_equal(mgm_host_join_source(s->h, 0, 1, &g, &a), MGM_E_INVAL);
		assert_int_equal(mgm_host_block_source(s->h, 0, 1, &g, &a), 0);
		assert_int_equal(mgm_host_block_source(s->h, 0, 1, &g, &b), 0);
		assert_int_equal(hsim_state(s, 0, &mask), EX);
		assert_int_equal(mask, A | B);
		assert_int_equal(mgm_host_unblock_source(s->h, 0, 1, &g, &a), 0);
		assert_int_equal(mgm_host_unblock_source(s->h, 0, 1, &g, &a), MGM_E_NOENT);
		assert_int_equal(mgm_host_leave_source(s->h, 0, 1, &g, &b), MGM_E_NOENT);
		assert_int_equal(mgm_host_leave(s->h, 0, 1, &g), 0);
		assert_int_equal(mgm_host_leave(s->h, 0, 1, &g), MGM_E_NOENT);
		/* Source-specific: join, leave; block refused. */
		assert_int_equal(mgm_host_block_source(s->h, 0, 2, &g, &a), MGM_E_NOENT);
		assert_int_equal(mgm_host_join_source(s->h, 0, 2, &g, &a), 0);
		assert_int_equal(mgm_host_join_source(s->h, 0, 2, &g, &a), 0);
		assert_int_equal(mgm_host_block_source(s->h, 0, 2, &g, &b), MGM_E_INVAL);
		assert_int_equal(mgm_host_join(s->h, 0, 2, &g), MGM_E_INVAL);
		assert_int_equal(hsim_state(s, 0, &mask), IN);
		assert_int_equal(mask, A);
		assert_int_equal(mgm_host_leave_source(s->h, 0, 2, &g, &a), 0);
		assert_int_equal(mgm_host_leave_source(s->h, 0, 2, &g, &a), MGM_E_NOENT);
		/* Filters: duplicates, bad mode, bad sources. */
		assert_int_equal(mgm_host_set_filter(s->h, 0, 3, &g, IN, two, 2), MGM_E_INVAL);
		assert_int_equal(mgm_host_set_filter(s->h, 0, 3, &g, 7, &a, 1), MGM_E_INVAL);
		assert_int_equal(mgm_host_set_filter(s->h, 0, 3, &g, IN, &g, 1), MGM_E_INVAL);
		assert_int_equal(mgm_host_set_filter(s->h, 0, 3, &g, IN, NULL, 0), 0);
		assert_int_equal(mgm_host_join_source(s->h, 0, 3, &g, &g), MGM_E_INVAL);
		/* Groups: not multicast, the other family. */
		assert_int_equal(mgm_host_join(s->h, 0, 3, &a), MGM_E_INVAL);
		g.family = fam == MGM_INET ? MGM_INET6 : MGM_INET;
		assert_int_equal(mgm_host_join(s->h, 0, 3, &g), MGM_E_INVAL);
		hsim_run(s, 10000);
		hsim_free(s);
	}
}

/* RFC 3376 §5 / RFC 4291 §2.7: 224.0.0.X and link-scope IPv6 groups are never reported: the
 * engine refuses them (mgm_addr_is_unrouted_group(), the router's rule). */
static void test_host_unrouted_groups_refused(void **state)
{
	static const char *const groups[] = {"224.0.0.1", "224.0.0.5", "224.0.0.22", "224.0.0.255",
					     "ff02::1",	  "ff02::5",   "ff12::1",    "ff01::1"};

	(void)state;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct mgm_addr g;
		struct hsim *s;

		assert_int_equal(mgm_addr_parse(groups[i], &g), 0);
		s = hsim_new(g.family, NULL);
		assert_int_equal(mgm_host_join(s->h, 0, 1, &g), MGM_E_INVAL);
		hsim_run(s, 10000);
		assert_int_equal(s->nsent, 0);
		hsim_free(s);
	}
}

/* ---- Limits ------------------------------------------------------------------------------- */

static void small(struct mgm_host_config *cfg)
{
	cfg->max_groups = 2;
	cfg->max_sockets = 3;
	cfg->max_sources_per_group = 2;
}

static void test_host_limits(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		struct hsim *s = hsim_new(families[f], small);
		unsigned mask;

		assert_int_equal(hsim_join(s, 1, 0), 0);
		assert_int_equal(hsim_join(s, 1, 1), 0);
		assert_int_equal(hsim_join(s, 1, 2), MGM_E_LIMIT); /* max_groups */
		assert_int_equal(hsim_join(s, 2, 0), 0);
		assert_int_equal(hsim_join(s, 3, 0), MGM_E_LIMIT); /* max_sockets */
		assert_int_equal(hsim_set(s, 1, 1, EX, A | B | C), MGM_E_LIMIT);
		/* The limit is per filter: two INCLUDE sockets may ask for more together, and
		 * the EXCLUDE socket's leave that makes their union the state is not refused. */
		assert_int_equal(hsim_leave(s, 1, 1), 0);
		assert_int_equal(hsim_set(s, 1, 1, IN, A | B), 0);
		assert_int_equal(hsim_leave(s, 2, 0), 0);
		assert_int_equal(hsim_set(s, 2, 1, IN, C), 0);
		assert_int_equal(hsim_join(s, 3, 1), MGM_E_LIMIT); /* max_sockets */
		assert_int_equal(hsim_leave(s, 1, 0), 0);
		assert_int_equal(hsim_join(s, 3, 1), 0);
		assert_int_equal(hsim_state(s, 1, &mask), EX);
		assert_int_equal(hsim_leave(s, 3, 1), 0);
		assert_int_equal(hsim_state(s, 1, &mask), IN);
		assert_int_equal(mask, A | B | C);
		hsim_run(s, 10000);
		hsim_take(s);
		hsim_free(s);
	}
}

/* ---- Refused allocations: a call is done whole or not at all ----------------------------- */

static uint8_t snapshot(struct hsim *s, unsigned masks[3], uint32_t *sockets)
{
	struct mgm_host_status st;
	uint8_t modes = 0;

	for (int g = 0; g < 3; g++)
		modes = (uint8_t)(modes * 3 + hsim_state(s, g, &masks[g]));
	mgm_host_status(s->h, s->now, &st);
	*sockets = st.sockets;
	return modes;
}

static void test_host_refused_allocation_changes_nothing(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(families); f++) {
		/* A sequence of calls, each retried with the k-th allocation refused until it
		 * goes through. */
		static const struct {
			uint32_t sock;
			int g;
			uint8_t mode;
			unsigned src;
		} calls[] = {
			{1, 0, EX, A}, {2, 0, EX, A | B}, {3, 0, IN, A | C}, {1, 1, IN, B | C},
			{2, 1, IN, A}, {1, 0, IN, 0},	  {3, 0, EX, D},     {2, 2, EX, 0},
			{2, 1, IN, 0}, {1, 1, EX, A},	  {3, 0, IN, 0},     {2, 0, IN, 0},
		};
		struct hsim *s = hsim_new(families[f], NULL);

		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			for (uint64_t k = 1;; k++) {
				unsigned before[3], after[3];
				uint32_t sb, sa;
				uint8_t mb = snapshot(s, before, &sb), ma;
				int sent = s->nsent, rc;

				s->alloc.refuse_attempt = s->alloc.attempts + k;
				rc = hsim_set(s, calls[i].sock, calls[i].g, calls[i].mode,
					      calls[i].src);
				s->alloc.refuse_attempt = 0;
				if (rc == 0)
					break;
				assert_int_equal(rc, MGM_E_NOMEM);
				ma = snapshot(s, after, &sa);
				assert_int_equal(ma, mb);
				assert_memory_equal(after, before, sizeof(before));
				assert_int_equal(sa, sb);
				assert_int_equal(s->nsent, sent);
				assert_true(k < 100);
			}
			hsim_run(s, s->now + 3000);
		}
		hsim_take(s);
		hsim_free(s);
	}
}

/* A callback calling into its own instance is refused. */
static struct mgm_host *reentered;
static int reentry_rc = 1;

static void reenter_send(void *ctx, const struct mgm_addr *dst, const uint8_t *p, size_t len)
{
	struct mgm_addr g = hsim_group(MGM_INET, 1);

	(void)ctx, (void)dst, (void)p, (void)len;
	reentry_rc = mgm_host_join(reentered, 0, 9, &g);
}

static uint64_t four(void *ctx)
{
	(void)ctx;
	return 4;
}

static void test_host_callback_reentry_refused(void **state)
{
	struct mgm_host_callbacks cb = {.send = reenter_send, .random = four};
	struct mgm_host_config cfg;
	struct mgm_addr g = hsim_group(MGM_INET, 0);

	(void)state;
	mgm_host_config_defaults(&cfg, MGM_INET);
	assert_int_equal(mgm_host_create(&cfg, NULL, NULL, &reentered, NULL, 0), MGM_E_INVAL);
	assert_int_equal(mgm_host_create(&cfg, &cb, NULL, &reentered, NULL, 0), 0);
	assert_int_equal(mgm_host_start(reentered, 0), 0);
	assert_int_equal(mgm_host_join(reentered, 0, 1, &g), 0);
	assert_int_equal(reentry_rc, MGM_E_BUSY);
	mgm_host_destroy(reentered);
}

static void test_host_config_check(void **state)
{
	struct mgm_host_config cfg;
	char err[128];

	(void)state;
	mgm_host_config_defaults(&cfg, MGM_INET6);
	assert_int_equal(mgm_host_config_check(&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.version, 2);
	assert_int_equal(cfg.unsolicited_report_interval_ms, 1000);
	cfg.version = 3;
	assert_int_equal(mgm_host_config_check(&cfg, err, sizeof(err)), MGM_E_CONFIG);
	assert_non_null(strstr(err, "version"));
	mgm_host_config_defaults(&cfg, MGM_INET);
	cfg.mtu = 500;
	assert_int_equal(mgm_host_config_check(&cfg, err, sizeof(err)), MGM_E_CONFIG);
	assert_non_null(strstr(err, "mtu"));
	mgm_host_config_defaults(&cfg, MGM_INET);
	cfg.robustness = 0;
	assert_int_equal(mgm_host_config_check(&cfg, err, sizeof(err)), MGM_E_CONFIG);
	assert_non_null(strstr(err, "robustness"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_socket_merge),
		cmocka_unit_test(test_host_report_follows_merged_state),
		cmocka_unit_test(test_host_socket_calls),
		cmocka_unit_test(test_host_unrouted_groups_refused),
		cmocka_unit_test(test_host_limits),
		cmocka_unit_test(test_host_refused_allocation_changes_nothing),
		cmocka_unit_test(test_host_callback_reentry_refused),
		cmocka_unit_test(test_host_config_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
