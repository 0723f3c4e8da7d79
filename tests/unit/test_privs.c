/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/privs.c in forked children (a capability given up is gone for good): the check names
 * each missing capability, the drop refuses what it cannot do in a sentence, and, when this
 * test holds the capabilities (root), the drop leaves exactly CAP_NET_ADMIN and CAP_NET_RAW as
 * /proc/self/status shows them. tests/netns/test_privs.sh adds the user switch in use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "privs.h"

#define BIT(c) (UINT64_C(1) << (c))
#define TWO    (BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW))

/* One line of /proc/self/status ("CapEff:"), as a mask; the test process's own view. */
static uint64_t status_mask(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = UINT64_MAX;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoull(line + strlen(key), NULL, 16);
	fclose(f);
	assert_true(v != UINT64_MAX);
	return v;
}

static bool permitted(uint64_t mask)
{
	return (status_mask("CapPrm:") & mask) == mask;
}

/* Leaves the child with exactly keep (effective and permitted); 0 or -1. */
static int child_keep_only(uint64_t keep)
{
	capng_clear(CAPNG_SELECT_CAPS);
	for (unsigned int c = 0; c < 64; c++)
		if (keep & BIT(c))
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, c);
	return capng_apply(CAPNG_SELECT_CAPS) == 0 ? 0 : -1;
}

typedef int (*child_fn)(char *out, size_t len);

/* Runs fn in a child; its text comes back in out, its exit status is returned. */
static int in_child(child_fn fn, char *out, size_t len)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[512] = "";
		int rc = fn(buf, sizeof(buf));
		ssize_t w = write(p[1], buf, strlen(buf));

		_exit(w < 0 ? 99 : rc);
	}
	close(p[1]);
	n = read(p[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int check_with_nothing(char *out, size_t len)
{
	if (child_keep_only(0) != 0)
		return 10;
	if (mgmd_privs_check(true, out, len) != -1)
		return 11;
	return 0;
}

static void test_privs_check_names_both_missing_capabilities(void **state)
{
	char out[512];

	assert_int_equal(in_child(check_with_nothing, out, sizeof(out)), 0);
	assert_string_equal(out, "mgmd needs CAP_NET_RAW (raw sockets) and CAP_NET_ADMIN "
				 "(multicast routing): run it as root or grant them, e.g. "
				 "AmbientCapabilities= in the unit");
}

static int check_with_net_raw(char *out, size_t len)
{
	char ignored[256];

	if (child_keep_only(BIT(CAP_NET_RAW)) != 0)
		return 10;
	/* A querier needs no multicast routing. */
	if (mgmd_privs_check(false, ignored, sizeof(ignored)) != 0)
		return 11;
	if (mgmd_privs_check(true, out, len) != -1)
		return 12;
	return 0;
}

static void test_privs_check_names_only_net_admin_when_net_raw_is_held(void **state)
{
	char out[512];

	if (!permitted(BIT(CAP_NET_RAW)))
		skip(); /* an unprivileged run cannot hold CAP_NET_RAW */
	assert_int_equal(in_child(check_with_net_raw, out, sizeof(out)), 0);
	assert_string_equal(out, "mgmd needs CAP_NET_ADMIN (multicast routing): run it as root "
				 "or grant it, e.g. AmbientCapabilities= in the unit");
}

static int check_with_both(char *out, size_t len)
{
	if (child_keep_only(TWO) != 0)
		return 10;
	return mgmd_privs_check(true, out, len) == 0 ? 0 : 11;
}

static void test_privs_check_passes_with_both(void **state)
{
	char out[512];

	if (!permitted(TWO))
		skip();
	assert_int_equal(in_child(check_with_both, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static int drop_to_unknown_user(char *out, size_t len)
{
	return mgmd_privs_drop("mgmd-test-no-such-user", out, len) == -1 ? 0 : 10;
}

static void test_privs_drop_refuses_an_unknown_user(void **state)
{
	char out[512];

	assert_int_equal(in_child(drop_to_unknown_user, out, sizeof(out)), 0);
	assert_string_equal(out, "cannot switch to user mgmd-test-no-such-user: no such user");
}

static int drop_without_caps(char *out, size_t len)
{
	if (child_keep_only(BIT(CAP_NET_ADMIN) & status_mask("CapPrm:")) != 0)
		return 10;
	return mgmd_privs_drop(NULL, out, len) == -1 ? 0 : 11;
}

/* Unprivileged, or started with CAP_NET_RAW withheld: the drop says what it cannot keep. */
static void test_privs_drop_without_net_raw_says_so(void **state)
{
	char out[512];

	assert_int_equal(in_child(drop_without_caps, out, sizeof(out)), 0);
	if (permitted(BIT(CAP_NET_ADMIN)))
		assert_string_equal(out, "cannot keep CAP_NET_RAW (raw sockets): mgmd does not "
					 "hold it");
	else
		assert_string_equal(out, "cannot keep CAP_NET_RAW (raw sockets) and CAP_NET_ADMIN "
					 "(multicast routing): mgmd does not hold them");
}

static int drop_user_without_setuid(char *out, size_t len)
{
	if (child_keep_only(TWO) != 0)
		return 10;
	return mgmd_privs_drop("nobody", out, len) == -1 ? 0 : 11;
}

static void test_privs_drop_to_user_without_setuid_says_so(void **state)
{
	char out[512];

	if (!permitted(TWO))
		skip();
	assert_int_equal(in_child(drop_user_without_setuid, out, sizeof(out)), 0);
	assert_string_equal(out, "cannot switch to user nobody: mgmd lacks CAP_SETUID and "
				 "CAP_SETGID (under systemd: add them to CapabilityBoundingSet=)");
}

static int drop_as_root(char *out, size_t len)
{
	if (mgmd_privs_drop(NULL, out, len) != 0)
		return 10;
	snprintf(out, len,
		 "eff %016" PRIx64 " prm %016" PRIx64 " bnd %016" PRIx64 " inh %016" PRIx64
		 " amb %016" PRIx64,
		 status_mask("CapEff:"), status_mask("CapPrm:"), status_mask("CapBnd:"),
		 status_mask("CapInh:"), status_mask("CapAmb:"));
	return 0;
}

static void test_privs_drop_keeps_exactly_net_admin_and_net_raw(void **state)
{
	char out[512];

	if (!permitted(TWO | BIT(CAP_SETPCAP)))
		skip(); /* root only: tests/netns/test_privs.sh runs it too */
	/* The child's error sentence, if any, shows in the comparison. */
	in_child(drop_as_root, out, sizeof(out));
	assert_string_equal(out, "eff 0000000000003000 prm 0000000000003000 bnd 0000000000003000 "
				 "inh 0000000000000000 amb 0000000000000000");
}

static int drop_to_nobody(char *out, size_t len)
{
	if (mgmd_privs_drop("nobody", out, len) != 0)
		return 10;
	snprintf(out, len,
		 "uid %ld gid %ld eff %016" PRIx64 " prm %016" PRIx64 " bnd %016" PRIx64
		 " inh %016" PRIx64 " amb %016" PRIx64,
		 (long)getuid(), (long)getgid(), status_mask("CapEff:"), status_mask("CapPrm:"),
		 status_mask("CapBnd:"), status_mask("CapInh:"), status_mask("CapAmb:"));
	return 0;
}

static void test_privs_drop_to_nobody_keeps_the_two_across_the_switch(void **state)
{
	char out[512], want[256];
	struct passwd *pw = getpwnam("nobody");

	if (!permitted(TWO | BIT(CAP_SETPCAP) | BIT(CAP_SETUID) | BIT(CAP_SETGID)) || !pw)
		skip(); /* root only, and a user nobody */
	snprintf(want, sizeof(want),
		 "uid %ld gid %ld eff 0000000000003000 prm 0000000000003000 "
		 "bnd 0000000000003000 inh 0000000000000000 amb 0000000000000000",
		 (long)pw->pw_uid, (long)pw->pw_gid);
	in_child(drop_to_nobody, out, sizeof(out));
	assert_string_equal(out, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privs_check_names_both_missing_capabilities),
		cmocka_unit_test(test_privs_check_names_only_net_admin_when_net_raw_is_held),
		cmocka_unit_test(test_privs_check_passes_with_both),
		cmocka_unit_test(test_privs_drop_refuses_an_unknown_user),
		cmocka_unit_test(test_privs_drop_without_net_raw_says_so),
		cmocka_unit_test(test_privs_drop_to_user_without_setuid_says_so),
		cmocka_unit_test(test_privs_drop_keeps_exactly_net_admin_and_net_raw),
		cmocka_unit_test(test_privs_drop_to_nobody_keeps_the_two_across_the_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
