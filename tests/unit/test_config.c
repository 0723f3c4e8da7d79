/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd.conf(5) as daemon/config.c reads it: every option into the struct, every kind of error
 * with its exact file:line message, warnings, interface patterns, access lists, SSM ranges,
 * and the shipped examples (doc/mgmd.conf.example, the EXAMPLE of mgmd.conf(5)).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define CONF "mgmd.conf"

/* Each test runs in a directory of its own, so messages name plain "mgmd.conf". */
struct fixture {
	char dir[64];
	char cwd[4096];
	struct mgmd_config cfg;
	char err[4096], warn[4096];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(getcwd(f->cwd, sizeof(f->cwd)));
	snprintf(f->dir, sizeof(f->dir), "/tmp/mgmd-test-config-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(chdir(f->dir), 0);
	mgmd_config_init(&f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mgmd_config_free(&f->cfg);
	unlink(CONF);
	assert_int_equal(chdir(f->cwd), 0);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}

static void write_conf(const char *text)
{
	FILE *fp = fopen(CONF, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Loads text into f->cfg; returns what mgmd_config_load returned. */
static int load(struct fixture *f, const char *text)
{
	write_conf(text);
	f->err[0] = f->warn[0] = 'x';
	return mgmd_config_load(&f->cfg, CONF, f->err, sizeof(f->err), f->warn, sizeof(f->warn));
}

static void load_ok(struct fixture *f, const char *text)
{
	int rc = load(f, text);

	if (rc)
		fail_msg("unexpected errors:\n%s", f->err);
	assert_string_equal(f->err, "");
}

static struct mgm_addr addr(const char *text)
{
	struct mgm_addr a;

	assert_int_equal(mgm_addr_parse(text, &a), 0);
	return a;
}

static void assert_prefix(const struct mgmd_prefix *pf, const char *a, unsigned len)
{
	struct mgm_addr want = addr(a);

	assert_true(mgm_addr_eq(&pf->addr, &want));
	assert_int_equal(pf->len, len);
}

/* ---- A full file ----------------------------------------------------------------------------- */

static const char full[] = "# every option once\n"
			   "ssm-range 232.0.0.0/8 233.252.0.0/24\n"
			   "ssm-range ff3e::/32\n"
			   "table 7\n"
			   "max-routes 1000\n"
			   "route-idle 5m\n"
			   "socket \"/run/mgmd/ctl.sock\"\n"
			   "user mgmd\n"
			   "\n"
			   "interface eth1 {\n"
			   "\trole downstream\n"
			   "\tipv4 on\n"
			   "\tipv6 off\n"
			   "\tigmp-version 2\n"
			   "\tmld-version 1\n"
			   "\trobustness 3\n"
			   "\tquery-interval 60s\n"
			   "\tquery-response-interval 5s\n"
			   "\tstartup-query-interval 15s\n"
			   "\tstartup-query-count 4\n"
			   "\tlast-member-query-interval 500ms\n"
			   "\tlast-member-query-count 5\n"
			   "\tfast-leave yes\n"
			   "\tcheck-subnet off\n"
			   "\tip-policy strict\n"
			   "\tmtu 9000\n"
			   "\tmax-groups 100\n"
			   "\tmax-sources-per-group 20\n"
			   "\tmax-sources 2000\n"
			   "\tmax-tracked 300\n"
			   "\tjoin 239.1.1.1\n"
			   "\tjoin 232.1.1.1 source 192.0.2.1\n"
			   "\tdeny 239.1.2.0/24 source 10.0.0.0/8\n"
			   "\tallow 239.1.0.0/16\n"
			   "\tacl-default deny\n"
			   "}\n"
			   "interface \"ppp+\" { role upstream }\n";

static void test_config_full_file_sets_every_option(void **state)
{
	struct fixture *f = *state;
	const struct mgmd_iface_config *ic;
	const struct mgm_router_config *rc;
	struct mgm_addr a;

	load_ok(f, full);
	assert_string_equal(f->warn, "");
	assert_string_equal(f->cfg.path, CONF);
	assert_int_equal(f->cfg.table, 7);
	assert_int_equal(f->cfg.max_routes, 1000);
	assert_int_equal(f->cfg.route_idle_s, 300);
	assert_string_equal(f->cfg.socket_path, "/run/mgmd/ctl.sock");
	assert_string_equal(f->cfg.user, "mgmd");
	assert_int_equal(f->cfg.n_ssm, 3);
	assert_prefix(&f->cfg.ssm[0], "232.0.0.0", 8);
	assert_prefix(&f->cfg.ssm[1], "233.252.0.0", 24);
	assert_prefix(&f->cfg.ssm[2], "ff3e::", 32);

	assert_int_equal(f->cfg.n_ifaces, 2);
	ic = &f->cfg.ifaces[0];
	assert_string_equal(ic->name, "eth1");
	assert_false(ic->is_pattern);
	assert_int_equal(ic->line, 10);
	assert_int_equal(ic->role, MGMD_ROLE_DOWNSTREAM);
	assert_true(ic->ipv4);
	assert_false(ic->ipv6);
	assert_int_equal(ic->igmp.family, MGM_INET);
	assert_int_equal(ic->mld.family, MGM_INET6);
	assert_int_equal(ic->igmp.version, 2);
	assert_int_equal(ic->mld.version, 1);
	for (int i = 0; i < 2; i++) {
		rc = i ? &ic->mld : &ic->igmp;
		assert_int_equal(rc->robustness, 3);
		assert_int_equal(rc->query_interval_ms, 60000);
		assert_int_equal(rc->query_response_interval_ms, 5000);
		assert_int_equal(rc->startup_query_interval_ms, 15000);
		assert_int_equal(rc->startup_query_count, 4);
		assert_int_equal(rc->last_member_query_interval_ms, 500);
		assert_int_equal(rc->last_member_query_count, 5);
		assert_true(rc->fast_leave);
		assert_false(rc->check_subnet);
		assert_true(rc->querier);
		assert_int_equal(rc->ip_policy, MGM_IP_POLICY_STRICT);
		assert_int_equal(rc->mtu, 9000);
		assert_int_equal(rc->max_groups, 100);
		assert_int_equal(rc->max_sources_per_group, 20);
		assert_int_equal(rc->max_sources, 2000);
		assert_int_equal(rc->max_tracked, 300);
	}
	assert_true(ic->mtu_configured);

	assert_int_equal(ic->n_joins, 2);
	a = addr("239.1.1.1");
	assert_true(mgm_addr_eq(&ic->joins[0].group, &a));
	assert_false(ic->joins[0].has_source);
	assert_int_equal(ic->joins[0].line, 31);
	a = addr("232.1.1.1");
	assert_true(mgm_addr_eq(&ic->joins[1].group, &a));
	assert_true(ic->joins[1].has_source);
	a = addr("192.0.2.1");
	assert_true(mgm_addr_eq(&ic->joins[1].source, &a));

	assert_int_equal(ic->n_acl, 2);
	assert_int_equal(ic->acl[0].action, MGMD_ACL_DENY);
	assert_prefix(&ic->acl[0].group_range, "239.1.2.0", 24);
	assert_true(ic->acl[0].has_source);
	assert_prefix(&ic->acl[0].source_range, "10.0.0.0", 8);
	assert_int_equal(ic->acl[0].line, 33);
	assert_int_equal(ic->acl[1].action, MGMD_ACL_ALLOW);
	assert_prefix(&ic->acl[1].group_range, "239.1.0.0", 16);
	assert_false(ic->acl[1].has_source);
	assert_int_equal(ic->acl_default, MGMD_ACL_DENY);

	ic = &f->cfg.ifaces[1];
	assert_string_equal(ic->name, "ppp+");
	assert_true(ic->is_pattern);
	assert_int_equal(ic->role, MGMD_ROLE_UPSTREAM);
	assert_int_equal(ic->line, 37);
}

/* What a stanza does not set is the engine's default; globals are config.h's. */
static void test_config_unset_options_keep_defaults(void **state)
{
	struct fixture *f = *state;
	struct mgm_router_config d4, d6;
	const struct mgmd_iface_config *ic;

	assert_int_equal(f->cfg.table, 0);
	assert_int_equal(f->cfg.max_routes, 8192);
	assert_int_equal(f->cfg.route_idle_s, 210);
	assert_string_equal(f->cfg.socket_path, "/run/mgmd/mgmd.sock");
	assert_null(f->cfg.user);
	assert_null(f->cfg.path);
	assert_int_equal(f->cfg.n_ifaces, 0);

	load_ok(f, "interface eth0 {\n  role querier\n}\n");
	assert_string_equal(f->warn, "");
	ic = mgmd_config_match(&f->cfg, "eth0");
	assert_non_null(ic);
	mgm_router_config_defaults(&d4, MGM_INET);
	mgm_router_config_defaults(&d6, MGM_INET6);
	assert_memory_equal(&ic->igmp, &d4, sizeof(d4));
	assert_memory_equal(&ic->mld, &d6, sizeof(d6));
	assert_true(ic->ipv4);
	assert_true(ic->ipv6);
	assert_false(ic->mtu_configured);
	assert_int_equal(ic->acl_default, MGMD_ACL_ALLOW);
	assert_int_equal(ic->n_acl, 0);
	assert_int_equal(ic->n_joins, 0);
	assert_int_equal(f->cfg.table, 0);
	assert_int_equal(f->cfg.max_routes, 8192);
	assert_string_equal(f->cfg.socket_path, "/run/mgmd/mgmd.sock");
}

/* ---- Errors --------------------------------------------------------------------------------- */

static const struct {
	const char *text, *err;
} bad[] = {
	/* Values, each naming the option and what it expects. */
	{"interface eth0 {\n role downstream\n robustness 0\n}\n",
	 "mgmd.conf:3: robustness: expected 1..255, got 0\n"},
	{"interface eth0 {\n role downstream\n robustness\n}\n",
	 "mgmd.conf:3: robustness: expected 1..255, got end of line\n"},
	{"interface eth0 {\n role downstream\n query-interval 125\n}\n",
	 "mgmd.conf:3: query-interval: expected a time such as 125s or 500ms (units ms, s, m, h), "
	 "got 125\n"},
	{"interface eth0 {\n role downstream\n query-interval 1.5s\n}\n",
	 "mgmd.conf:3: query-interval: expected a time such as 125s or 500ms (units ms, s, m, h), "
	 "got 1.5s\n"},
	{"interface eth0 {\n role downstream\n query-interval 5000h\n}\n",
	 "mgmd.conf:3: query-interval: 5000h is too long: at most 4294967295ms\n"},
	{"interface eth0 {\n role downstream\n fast-leave maybe\n}\n",
	 "mgmd.conf:3: fast-leave: expected off, on, no or yes, got maybe\n"},
	{"interface eth0 {\n role up\n}\n",
	 "mgmd.conf:2: role: expected downstream, upstream, querier or disabled, got up\n"},
	{"interface eth0 {\n role downstream\n igmp-version 4\n}\n",
	 "mgmd.conf:3: igmp-version: expected 1..3, got 4\n"},
	{"interface eth0 {\n role downstream\n mld-version 3\n}\n",
	 "mgmd.conf:3: mld-version: expected 1..2, got 3\n"},
	{"interface eth0 {\n role downstream\n ip-policy paranoid\n}\n",
	 "mgmd.conf:3: ip-policy: expected default, strict or loose, got paranoid\n"},
	{"interface eth0 {\n role downstream\n max-groups -1\n}\n",
	 "mgmd.conf:3: max-groups: expected 0..4294967295, got -1\n"},
	{"interface eth0 {\n role downstream\n max-groups 0x10\n}\n",
	 "mgmd.conf:3: max-groups: expected 0..4294967295, got 0x10\n"},
	{"interface eth0 {\n role downstream\n robustness 2 3\n}\n",
	 "mgmd.conf:3: robustness: expected end of line, got 3\n"},
	/* Structure. */
	{"interface eth0 {\n role downstream\n robustnes 2\n}\n",
	 "mgmd.conf:3: unknown interface option 'robustnes'; did you mean 'robustness'?\n"},
	{"interface eth0 {\n role downstream\n fats-leave on\n}\n",
	 "mgmd.conf:3: unknown interface option 'fats-leave'; did you mean 'fast-leave'?\n"},
	{"interface eth0 {\n role downstream\n querier on\n}\n",
	 "mgmd.conf:3: unknown interface option 'querier'\n"},
	{"interfaec eth0 {\n role downstream\n}\n",
	 "mgmd.conf:1: unknown option 'interfaec'; did you mean 'interface'?\n"
	 "mgmd.conf:2: role: an interface option, only inside 'interface NAME { }'\n"
	 "mgmd.conf:3: expected an option or 'interface', got '}'\n"},
	{"robustness 2\n", "mgmd.conf:1: robustness: an interface option, only inside 'interface "
			   "NAME { }'\n"},
	{"tabel 3\n", "mgmd.conf:1: unknown option 'tabel'; did you mean 'table'?\n"},
	{"verbose 3\n", "mgmd.conf:1: unknown option 'verbose'\n"},
	{"interface eth0 {\n role downstream\n robustness 2\n robustness 3\n}\n",
	 "mgmd.conf:4: robustness: already set at line 3\n"},
	{"interface eth0 {\n}\n",
	 "mgmd.conf:1: interface eth0: role: missing; expected downstream, upstream, querier or "
	 "disabled\n"},
	{"interface eth0 {\n role downstream\n", "mgmd.conf:3: interface eth0: expected '}' to "
						 "close the stanza of line 1, got end of file\n"},
	{"interface eth0 {\n role upstream\ninterface eth1 {\n role downstream\n}\n",
	 "mgmd.conf:3: interface eth0: expected '}' to close the stanza of line 1, got "
	 "interface\n"},
	{"interface eth0 { role upstream } role\n",
	 "mgmd.conf:1: interface: expected end of line, got role\n"},
	{"interface eth0\n role downstream\n",
	 "mgmd.conf:2: interface eth0: expected '{', got role\n"},
	{"interface eth0 { role downstream }\ninterface eth0 { role querier }\n",
	 "mgmd.conf:2: interface eth0: already defined at line 1\n"},
	{"interface a/b { role downstream }\n",
	 "mgmd.conf:1: interface: expected an interface name or pattern of 1 to 15 characters "
	 "without '/', ':' or spaces, got a/b\n"},
	{"interface eth0 {\n role upstream\n keep-joined 500ms\n}\n",
	 "mgmd.conf:3: keep-joined: expected off, 0 or 1000ms..3600000ms, got 500ms\n"},
	{"interface eth0 {\n role upstream\n general-answer-interval 50ms\n}\n",
	 "mgmd.conf:3: general-answer-interval: expected off, 0 or 100ms..60000ms, got 50ms\n"},
	{"interface eth0 {\n role upstream\n leave-holddown 61s\n}\n",
	 "mgmd.conf:3: leave-holddown: expected off, 0 or 0ms..60000ms, got 61000ms\n"},
	{"interface eth0 {\n role upstream\n unsolicited-report-interval 0s\n}\n",
	 "mgmd.conf:3: unsolicited-report-interval: expected 1000ms..60000ms, got 0ms\n"},
	{"interface eth0 {\n role upstream\n groups 239.1.1.1/8\n}\n",
	 "mgmd.conf:3: groups: 239.1.1.1/8 has host bits set; the range is 239.0.0.0/8\n"},
	{"interface eth0 {\n role upstream\n groups 239.0.0.0/8 239.1.0.0/16 239.2.0.0/16 "
	 "239.3.0.0/16 239.4.0.0/16 239.5.0.0/16 239.6.0.0/16 239.7.0.0/16 239.8.0.0/16\n"
	 " groups 239.9.0.0/16 239.10.0.0/16 239.11.0.0/16 239.12.0.0/16 239.13.0.0/16 "
	 "239.14.0.0/16 239.15.0.0/16 239.16.0.0/16\n}\n",
	 "mgmd.conf:4: groups: at most 16 ranges per interface\n"},
	{"forwarding maybe\n", "mgmd.conf:1: forwarding: expected off, on, no or yes, got maybe\n"},
	{"user \"mgmd\n", "mgmd.conf:1: unterminated string: expected '\"' before the end of the "
			  "line\n"},
	{"}\n", "mgmd.conf:1: expected an option or 'interface', got '}'\n"},
	/* Addresses and ranges. */
	{"interface eth0 {\n role downstream\n allow 239.1.0.0/8\n}\n",
	 "mgmd.conf:3: allow: 239.1.0.0/8 has host bits set; the range is 239.0.0.0/8\n"},
	{"interface eth0 {\n role downstream\n deny 239.0.0.0/8 source 10.1.0.0/8\n}\n",
	 "mgmd.conf:3: deny: source: 10.1.0.0/8 has host bits set; the range is 10.0.0.0/8\n"},
	{"interface eth0 {\n role downstream\n allow 10.0.0.0/8\n}\n",
	 "mgmd.conf:3: allow: expected a multicast group range such as 239.0.0.0/8 or ff3e::/16, "
	 "got 10.0.0.0/8\n"},
	{"interface eth0 {\n role downstream\n allow 224.0.0.0/3\n}\n",
	 "mgmd.conf:3: allow: expected a multicast group range such as 239.0.0.0/8 or ff3e::/16, "
	 "got 224.0.0.0/3\n"},
	{"interface eth0 {\n role downstream\n allow 239.0.0.0/33\n}\n",
	 "mgmd.conf:3: allow: expected a multicast group range such as 239.0.0.0/8 or ff3e::/16, "
	 "got 239.0.0.0/33\n"},
	{"interface eth0 {\n role downstream\n deny ff3e::/16 source 239.0.0.0/8\n}\n",
	 "mgmd.conf:3: deny: source: expected a unicast source range such as 192.0.2.0/24 or "
	 "2001:db8::/32, got 239.0.0.0/8\n"},
	{"interface eth0 {\n role downstream\n deny ff3e::/16 source 10.0.0.0/8\n}\n",
	 "mgmd.conf:3: deny: source range is IPv4 but the group range is IPv6\n"},
	{"interface eth0 {\n role downstream\n deny ff3e::/16 from 10.0.0.0/8\n}\n",
	 "mgmd.conf:3: deny: expected 'source' or end of line, got from\n"},
	{"interface eth0 {\n role downstream\n join 10.1.1.1\n}\n",
	 "mgmd.conf:3: join: expected a multicast group address such as 239.1.1.1 or ff3e::8000:1, "
	 "got 10.1.1.1\n"},
	{"interface eth0 {\n role downstream\n join 239.1.1.1 source 239.2.2.2\n}\n",
	 "mgmd.conf:3: join: source: expected a unicast source address such as 192.0.2.1 or "
	 "2001:db8::1, got 239.2.2.2\n"},
	{"interface eth0 {\n role downstream\n join 224.0.0.251\n}\n",
	 "mgmd.conf:3: join: 224.0.0.251 never leaves its link (224.0.0.0/24, IPv6 scopes 0-2): "
	 "no router forwards it\n"},
	{"interface eth0 {\n role downstream\n join 232.1.1.1\n}\n",
	 "mgmd.conf:3: join 232.1.1.1: the group is in an SSM range: expected 'source ADDRESS' "
	 "after it\n"},
	{"interface eth0 {\n role downstream\n join ff3e::1\n}\n",
	 "mgmd.conf:3: join ff3e::1: the group is in an SSM range: expected 'source ADDRESS' after "
	 "it\n"},
	/* A configured SSM range counts although it comes later in the file. */
	{"interface eth0 {\n role downstream\n join 233.252.0.1\n}\nssm-range 233.252.0.0/24\n",
	 "mgmd.conf:3: join 233.252.0.1: the group is in an SSM range: expected 'source ADDRESS' "
	 "after it\n"},
	{"ssm-range 10.0.0.0/8\n", "mgmd.conf:1: ssm-range: expected a multicast group range such "
				   "as 239.0.0.0/8 or ff3e::/16, got 10.0.0.0/8\n"},
	/* Globals. */
	{"table 100000000\n", "mgmd.conf:1: table: expected 0..99999999, got 100000000\n"},
	{"max-routes 0\n", "mgmd.conf:1: max-routes: expected 1..16777216, got 0\n"},
	{"route-idle 1500ms\n",
	 "mgmd.conf:1: route-idle: expected whole seconds from 1s to 86400s, got 1500ms\n"},
	{"socket run/mgmd.sock\n", "mgmd.conf:1: socket: expected an absolute path of at most 107 "
				   "characters, got run/mgmd.sock\n"},
	{"table 1\ntable 2\n", "mgmd.conf:2: table: already set at line 1\n"},
	/* The engine's own checks, prefixed with the line of the option they name. */
	{"interface eth0 {\n role downstream\n query-interval 5s\n}\n",
	 "mgmd.conf:3: IGMP: query_response_interval_ms (10000) must be below query_interval_ms "
	 "(5000) (RFC 3376 8.3, RFC 3810 9.3)\n"},
	{"interface eth0 {\n role downstream\n igmp-version 2\n query-response-interval 30s\n}\n",
	 "mgmd.conf:4: IGMP: query_response_interval_ms (30000) must be 100..25500 for version 2\n"},
	{"interface eth0 {\n role downstream\n mtu 1000\n}\n",
	 "mgmd.conf:3: MLD: mtu (1000) must be 1280..65535\n"},
	{"interface eth0 {\n role downstream\n mtu 1000\n ipv6 off\n mtu 1280\n}\n",
	 "mgmd.conf:5: mtu: already set at line 3\n"},
};

static void test_config_errors_name_file_line_and_expectation(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load(f, bad[i].text) != -1)
			fail_msg("row %zu loaded:\n%s", i, bad[i].text);
		if (strcmp(f->err, bad[i].err))
			fail_msg("row %zu:\n%s\nwant: %sgot:  %s", i, bad[i].text, bad[i].err,
				 f->err);
	}
	assert_int_equal(f->cfg.n_ifaces, 0);
}

/* A family that is off is not run, so not checked either. */
static void test_config_family_off_is_not_checked(void **state)
{
	struct fixture *f = *state;

	load_ok(f, "interface eth0 {\n role downstream\n ipv6 off\n mtu 1000\n}\n");
	assert_int_equal(f->cfg.ifaces[0].igmp.mtu, 1000);
	assert_int_equal(load(f, "interface eth1 {\n role downstream\n ipv4 off\n mtu 1000\n}\n"),
			 -1);
	assert_string_equal(f->err, "mgmd.conf:4: MLD: mtu (1000) must be 1280..65535\n");
}

/* The QQIC exactness message is long and cites the engine's rule; its line and prefix are ours. */
static void test_config_engine_error_points_at_the_option_it_names(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "interface eth0 {\n role downstream\n igmp-version 3\n"
				 " query-interval 130s\n}\n"),
			 -1);
	assert_true(!strncmp(f->err,
			     "mgmd.conf:4: IGMP: query_interval_ms (130000) cannot be sent "
			     "exactly in QQIC",
			     strlen("mgmd.conf:4: IGMP: query_interval_ms (130000) cannot be sent "
				    "exactly in QQIC")));
	/* A default the option conflicts with: the line of the option that was set. */
	assert_int_equal(load(f, "\n\ninterface eth0 {\n role downstream\n"
				 " last-member-query-interval 50ms\n}\n"),
			 -1);
	assert_string_equal(f->err, "mgmd.conf:5: IGMP: last_member_query_interval_ms (50) must be "
				    "100..3174400 for version 3\n");
}

static void test_config_all_errors_in_line_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "interface eth0 {\n"
				 " role downstream\n"
				 " join 232.1.1.1\n"
				 " robustness 0\n"
				 " fast-leave maybe\n"
				 "}\n"
				 "table x\n"),
			 -1);
	assert_string_equal(f->err,
			    "mgmd.conf:3: join 232.1.1.1: the group is in an SSM range: expected "
			    "'source ADDRESS' after it\n"
			    "mgmd.conf:4: robustness: expected 1..255, got 0\n"
			    "mgmd.conf:5: fast-leave: expected off, on, no or yes, got maybe\n"
			    "mgmd.conf:7: table: expected 0..99999999, got x\n");
}

static void test_config_missing_file_and_truncation(void **state)
{
	struct fixture *f = *state;
	char small[20];

	assert_int_equal(mgmd_config_load(&f->cfg, "nofile.conf", f->err, sizeof(f->err), NULL, 0),
			 -1);
	assert_string_equal(f->err, "nofile.conf: cannot open: No such file or directory\n");
	assert_int_equal(mgmd_config_load(&f->cfg, "nofile.conf", small, sizeof(small), NULL, 0),
			 -1);
	assert_string_equal(small, "nofile.conf: cannot");
	assert_int_equal(mgmd_config_load(&f->cfg, "nofile.conf", NULL, 0, NULL, 0), -1);
}

/* A failed load, as a failed reload, leaves the configuration as it was. */
static void test_config_failed_load_leaves_cfg_unchanged(void **state)
{
	struct fixture *f = *state;

	load_ok(f, "table 5\nssm-range 233.252.0.0/24\ninterface eth0 { role downstream }\n");
	assert_int_equal(load(f, "table 6\nuser nobody\nssm-range ff3e::/32\n"
				 "interface eth1 { role downstream }\n"
				 "interface eth2 { robustness 0 }\n"),
			 -1);
	assert_int_equal(f->cfg.table, 5);
	assert_null(f->cfg.user);
	assert_int_equal(f->cfg.n_ssm, 1);
	assert_int_equal(f->cfg.n_ifaces, 1);
	assert_string_equal(f->cfg.ifaces[0].name, "eth0");
}

/* A successful load appends its stanzas and replaces only what the file sets. */
static void test_config_load_appends_stanzas_and_keeps_unset_globals(void **state)
{
	struct fixture *f = *state;

	f->cfg.foreground = true;
	f->cfg.verbosity = 2;
	load_ok(f, "table 5\ninterface eth0 { role downstream }\n");
	load_ok(f, "max-routes 10\ninterface eth1 { role querier }\n");
	assert_int_equal(f->cfg.table, 5);
	assert_int_equal(f->cfg.max_routes, 10);
	assert_true(f->cfg.foreground);
	assert_int_equal(f->cfg.verbosity, 2);
	assert_int_equal(f->cfg.n_ifaces, 2);
	assert_string_equal(f->cfg.ifaces[0].name, "eth0");
	assert_string_equal(f->cfg.ifaces[1].name, "eth1");
}

/* ---- Warnings -------------------------------------------------------------------------------- */

static void test_config_warnings_do_not_fail(void **state)
{
	struct fixture *f = *state;

	load_ok(f, "interface eth0 {\n role downstream\n robustness 1\n}\n");
	/* Said once although both families' checks say it. */
	assert_string_equal(f->warn, "mgmd.conf:3: warning: robustness 1 gives no protection "
				     "against a lost packet (RFC 3376 8.1, RFC 3810 9.1)\n");

	mgmd_config_free(&f->cfg);
	load_ok(f, "interface eth* { role downstream }\n"
		   "interface eth1 { role querier }\n"
		   "interface wg0 {\n role querier\n ipv4 off\n ipv6 off\n}\n"
		   "interface eth2x {\n role upstream\n join 239.1.1.1\n allow 239.0.0.0/8\n}\n"
		   "interface br0 {\n role downstream\n ipv6 off\n join ff3e::1 source "
		   "2001:db8::1\n}\n");
	assert_string_equal(
		f->warn,
		"mgmd.conf:2: warning: interface eth1 is never used: interface eth* at line 1 "
		"matches it first\n"
		"mgmd.conf:3: warning: interface wg0: ipv4 and ipv6 are both off: it is not used\n"
		"mgmd.conf:8: warning: interface eth2x is never used: interface eth* at line 1 "
		"matches it first\n"
		"mgmd.conf:10: warning: join: has no effect on an upstream interface: only "
		"downstream interfaces forward\n"
		"mgmd.conf:11: warning: access list: has no effect on an upstream interface: it "
		"filters the memberships that downstream and querier interfaces learn\n"
		"mgmd.conf:16: warning: join ff3e::1: has no effect: ipv6 is off on this "
		"interface\n");
}

/* Proxying: several upstreams, their ranges, keep-joined, hold-down, report interval, and
 * forwarding off; the host engine's settings derived from the stanza. */
static void test_config_upstream_options(void **state)
{
	struct fixture *f = *state;
	const struct mgmd_iface_config *ic;
	struct mgm_host_config hc;

	load_ok(f, "forwarding off\n"
		   "interface u0 {\n role upstream\n groups 239.1.0.0/16 ff3e::/32\n"
		   " groups 232.0.0.0/8\n keep-joined 30s\n leave-holddown 2s\n"
		   " unsolicited-report-interval 2s\n igmp-version 2\n robustness 3\n"
		   " general-answer-interval 500ms\n}\n"
		   "interface u1 { role upstream }\n"
		   "interface d0 { role downstream }\n");
	assert_string_equal(f->warn, "");
	assert_false(f->cfg.forwarding);
	assert_int_equal(f->cfg.n_ifaces, 3);
	ic = &f->cfg.ifaces[0];
	assert_int_equal(ic->n_up_groups, 3);
	assert_prefix(&ic->up_groups[0], "239.1.0.0", 16);
	assert_prefix(&ic->up_groups[1], "ff3e::", 32);
	assert_prefix(&ic->up_groups[2], "232.0.0.0", 8);
	assert_int_equal(ic->keep_joined_ms, 30000);
	assert_int_equal(ic->leave_holddown_ms, 2000);
	assert_int_equal(ic->unsolicited_report_ms, 2000);
	mgmd_config_host(ic, MGM_INET, &hc);
	assert_int_equal(hc.family, MGM_INET);
	assert_int_equal(hc.version, 2);
	assert_int_equal(hc.robustness, 3);
	assert_int_equal(hc.unsolicited_report_interval_ms, 2000);
	assert_int_equal(hc.v1v2_unsolicited_report_interval_ms, 2000);
	assert_int_equal(hc.general_answer_interval_ms, 500);
	assert_int_equal(mgm_host_config_check(&hc, NULL, 0), 0);
	mgmd_config_host(ic, MGM_INET6, &hc);
	assert_int_equal(hc.version, 2); /* MLDv2, the default */
	ic = &f->cfg.ifaces[1];
	assert_int_equal(ic->n_up_groups, 0);
	assert_int_equal(ic->keep_joined_ms, 0);
	mgmd_config_host(ic, MGM_INET, &hc);
	assert_int_equal(hc.version, 3);
	assert_int_equal(hc.unsolicited_report_interval_ms, 1000);
	assert_int_equal(hc.v1v2_unsolicited_report_interval_ms, 10000);
	assert_int_equal(hc.general_answer_interval_ms, 1000); /* the default */

	/* Forwarding is on unless a file says otherwise. */
	mgmd_config_free(&f->cfg);
	load_ok(f, "interface u0 {\n role upstream\n keep-joined off\n"
		   " general-answer-interval off\n}\n");
	assert_true(f->cfg.forwarding);
	assert_int_equal(f->cfg.ifaces[0].keep_joined_ms, 0);
	mgmd_config_host(&f->cfg.ifaces[0], MGM_INET6, &hc);
	assert_int_equal(hc.general_answer_interval_ms, 0);

	/* An upstream serving every group ahead of another: the second never reports. Upstream
	 * options elsewhere do nothing. */
	mgmd_config_free(&f->cfg);
	load_ok(f, "interface u0 { role upstream }\n"
		   "interface u1 { role upstream }\n"
		   "interface d0 {\n role downstream\n keep-joined 10s\n}\n");
	assert_string_equal(
		f->warn, "mgmd.conf:2: warning: interface u1: never reports a group: upstream u0 "
			 "at line 1 has no 'groups' and so serves every group first\n"
			 "mgmd.conf:5: warning: keep-joined: has no effect on a downstream "
			 "interface: only upstream interfaces report\n");
}

/* ---- Matching -------------------------------------------------------------------------------- */

static void test_config_match_names_and_patterns_first_match_wins(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *ifname, *stanza;
	} rows[] = {
		{"eth0", "eth0"},  {"eth00", NULL},	{"eth", NULL},	      {"ppp", "ppp+"},
		{"ppp0", "ppp+"},  {"ppp17", "ppp+"},	{"pp", NULL},	      {"wg", "wg*"},
		{"wg0", "wg*"},	   {"wg-home", "wg*"},	{"vlan10", "vlan1?"}, {"vlan1", NULL},
		{"vlan100", NULL}, {"tapa", "tap[ab]"}, {"tapc", NULL},	      {"wgx", "wg*"},
	};

	load_ok(f, "interface eth0 { role upstream }\n"
		   "interface ppp+ { role downstream }\n"
		   "interface \"wg*\" { role disabled }\n"
		   "interface vlan1? { role querier }\n"
		   "interface tap[ab] { role downstream }\n"
		   "interface wgx { role querier }\n");
	assert_true(f->cfg.ifaces[1].is_pattern);
	assert_true(f->cfg.ifaces[2].is_pattern);
	assert_true(f->cfg.ifaces[3].is_pattern);
	assert_true(f->cfg.ifaces[4].is_pattern);
	assert_false(f->cfg.ifaces[0].is_pattern);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct mgmd_iface_config *ic = mgmd_config_match(&f->cfg, rows[i].ifname);

		if (!rows[i].stanza) {
			if (ic)
				fail_msg("%s matched %s", rows[i].ifname, ic->name);
			continue;
		}
		if (!ic)
			fail_msg("%s matched nothing", rows[i].ifname);
		assert_string_equal(ic->name, rows[i].stanza);
	}
	/* The exact stanza after the pattern that covers it never wins (and is warned about). */
	assert_string_equal(f->warn, "mgmd.conf:6: warning: interface wgx is never used: interface "
				     "wg* at line 3 matches it first\n");
}

/* ---- Access lists ---------------------------------------------------------------------------- */

static void test_config_acl_first_match_wins_then_default(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *ifname, *group, *source; /* source NULL: the any-source record */
		int rule;
		bool allow;
	} rows[] = {
		/* Rule 0 denies one source range in 239.1/16; rule 1 allows the rest of it. */
		{"eth0", "239.1.2.3", "10.1.2.3", 0, false},
		{"eth0", "239.1.2.3", "192.0.2.1", 1, true},
		/* A rule with a source never matches the any-source (EXCLUDE) record. */
		{"eth0", "239.1.2.3", NULL, 1, true},
		{"eth0", "239.1.2.3", "0.0.0.0", 1, true},
		/* Rule 2 denies 239/8 beyond it; rule 3 is shadowed for 239.1/16 by rule 1. */
		{"eth0", "239.200.0.1", NULL, 2, false},
		{"eth0", "239.1.0.1", NULL, 1, true},
		/* No rule: the default of the stanza (allow unless acl-default deny). */
		{"eth0", "225.1.1.1", NULL, -1, true},
		{"eth0", "ff3e::1", "2001:db8::1", 4, true},
		{"eth0", "ff3e::1", "2001:db9::1", -1, true},
		{"eth1", "239.1.1.1", NULL, 0, true},
		{"eth1", "239.2.1.1", NULL, -1, false},
		{"eth1", "ff05::1", NULL, -1, false},
	};

	load_ok(f,
		"interface eth0 {\n role downstream\n"
		" deny 239.1.0.0/16 source 10.0.0.0/8\n"
		" allow 239.1.0.0/16\n"
		" deny 239.0.0.0/8\n"
		" allow 239.1.2.0/24\n"
		" allow ff3e::/16 source 2001:db8::/32\n"
		"}\n"
		"interface eth1 {\n role downstream\n acl-default deny\n allow 239.1.0.0/16\n}\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct mgmd_iface_config *ic = mgmd_config_match(&f->cfg, rows[i].ifname);
		struct mgm_addr g = addr(rows[i].group), s;
		bool allow = !rows[i].allow;
		int rule;

		if (rows[i].source)
			s = addr(rows[i].source);
		rule = mgmd_acl_match(ic, &g, rows[i].source ? &s : NULL, &allow);
		if (rule != rows[i].rule || allow != rows[i].allow)
			fail_msg("row %zu: rule %d allow %d, want rule %d allow %d", i, rule, allow,
				 rows[i].rule, rows[i].allow);
	}
}

/* ---- SSM ranges ------------------------------------------------------------------------------ */

static bool is_ssm(const struct mgmd_config *cfg, const char *group)
{
	struct mgm_addr g = addr(group);

	return mgmd_config_is_ssm(cfg, &g);
}

static void test_config_ssm_default_ranges(void **state)
{
	struct fixture *f = *state;
	char a[MGM_ADDRSTRLEN];

	assert_true(is_ssm(&f->cfg, "232.0.0.1"));
	assert_true(is_ssm(&f->cfg, "232.255.255.255"));
	assert_false(is_ssm(&f->cfg, "231.255.255.255"));
	assert_false(is_ssm(&f->cfg, "233.0.0.0"));
	assert_false(is_ssm(&f->cfg, "239.1.1.1"));
	/* ff3x::/32 for every scope x. */
	for (unsigned x = 0; x < 16; x++) {
		snprintf(a, sizeof(a), "ff3%x::1234", x);
		assert_true(is_ssm(&f->cfg, a));
		snprintf(a, sizeof(a), "ff3%x:1::1234", x);
		assert_false(is_ssm(&f->cfg, a));
	}
	assert_false(is_ssm(&f->cfg, "ff1e::1"));
	assert_false(is_ssm(&f->cfg, "ff0e::1"));
}

static void test_config_ssm_configured_ranges_replace_per_family(void **state)
{
	struct fixture *f = *state;

	load_ok(f, "ssm-range 233.252.0.0/24 239.232.0.0/16\n");
	assert_true(is_ssm(&f->cfg, "233.252.0.9"));
	assert_true(is_ssm(&f->cfg, "239.232.1.1"));
	assert_false(is_ssm(&f->cfg, "232.1.1.1"));
	/* IPv6 not named: its default stays. */
	assert_true(is_ssm(&f->cfg, "ff3e::1"));

	load_ok(f, "ssm-range ff3e::/32\n");
	assert_true(is_ssm(&f->cfg, "ff3e::1"));
	assert_false(is_ssm(&f->cfg, "ff35::1"));
	/* IPv4 keeps what the earlier load configured. */
	assert_true(is_ssm(&f->cfg, "233.252.0.9"));
	assert_false(is_ssm(&f->cfg, "232.1.1.1"));
	assert_int_equal(f->cfg.n_ssm, 3);
}

/* ---- The shipped example ------------------------------------------------------------------- */

static void test_config_example_file_is_valid(void **state)
{
	struct fixture *f = *state;
	const struct mgmd_iface_config *ic;

	if (mgmd_config_load(&f->cfg, MGMD_EXAMPLE_CONF, f->err, sizeof(f->err), f->warn,
			     sizeof(f->warn)))
		fail_msg("%s", f->err);
	assert_string_equal(f->warn, "");
	assert_int_equal(f->cfg.n_ifaces, 5);
	ic = mgmd_config_match(&f->cfg, "ppp0");
	assert_non_null(ic);
	assert_string_equal(ic->name, "ppp+");
	assert_int_equal(ic->igmp.version, 2);
	assert_int_equal(ic->acl_default, MGMD_ACL_DENY);
	ic = mgmd_config_match(&f->cfg, "wg0");
	assert_non_null(ic);
	assert_int_equal(ic->role, MGMD_ROLE_DISABLED);
	ic = mgmd_config_match(&f->cfg, "br-lan");
	assert_non_null(ic);
	assert_int_equal(ic->n_joins, 2);
	assert_int_equal(ic->n_acl, 4);
	assert_true(ic->igmp.fast_leave);
	assert_null(mgmd_config_match(&f->cfg, "eth1"));
}

/* The EXAMPLE section of mgmd.conf(5), between its .nf and .fi, is a valid file too. */
static void test_config_man_page_example_is_valid(void **state)
{
	static const char start[] = "\n.SH EXAMPLE\n.nf\n", end[] = "\n.fi\n";
	struct fixture *f = *state;
	static char page[65536];
	char *a, *b;
	FILE *fp = fopen(MGMD_CONF_MAN, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(page, 1, sizeof(page) - 1, fp);
	fclose(fp);
	page[n] = '\0';
	a = strstr(page, start);
	assert_non_null(a);
	a += strlen(start);
	b = strstr(a, end);
	assert_non_null(b);
	b[1] = '\0';
	assert_null(strchr(a, '\\')); /* no roff escapes: the text is the file */
	load_ok(f, a);
	assert_string_equal(f->warn, "");
	assert_int_equal(f->cfg.n_ifaces, 6);
	assert_int_equal(f->cfg.ifaces[0].n_up_groups, 2);
	assert_int_equal(f->cfg.ifaces[0].leave_holddown_ms, 2000);
	assert_int_equal(f->cfg.ifaces[1].keep_joined_ms, 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_full_file_sets_every_option, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_unset_options_keep_defaults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_errors_name_file_line_and_expectation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_engine_error_points_at_the_option_it_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_family_off_is_not_checked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_all_errors_in_line_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_missing_file_and_truncation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_failed_load_leaves_cfg_unchanged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_config_load_appends_stanzas_and_keeps_unset_globals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_warnings_do_not_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_upstream_options, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_match_names_and_patterns_first_match_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_acl_first_match_wins_then_default,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_ssm_default_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_ssm_configured_ranges_replace_per_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_example_file_is_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_man_page_example_is_valid, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
