/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/log.c: the foreground line format on a redirected stderr, filtering by verbosity, and
 * the rate limiter in simulated time (burst, window, the suppressed count reported with the
 * next message let through).
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

#include "log.h"

static FILE *capture_file;
static int saved_stderr = -1;
static char captured[8192];

/* From here on, stderr goes to a temporary file (never a terminal: no timestamps). */
static void capture_start(void)
{
	capture_file = tmpfile();
	assert_non_null(capture_file);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(fileno(capture_file), STDERR_FILENO), STDERR_FILENO);
}

/* Restores stderr and returns what was written to it. */
static const char *capture_end(void)
{
	size_t n;

	assert_int_equal(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(capture_file);
	n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return captured;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int teardown(void **state)
{
	mgmd_log_close();
	return 0;
}

static void test_log_stderr_line_is_name_level_text(void **state)
{
	mgmd_log_open(true, 0);
	capture_start();
	mgmd_log(LOG_ERR, "cannot open %s", "eth1");
	mgmd_log(LOG_WARNING, "eth%d: %u reports dropped", 1, 3u);
	mgmd_log(LOG_NOTICE, "ready");
	assert_string_equal(capture_end(), "mgmd: error: cannot open eth1\n"
					   "mgmd: warning: eth1: 3 reports dropped\n"
					   "mgmd: notice: ready\n");
}

static void test_log_verbosity_0_stops_at_notice(void **state)
{
	mgmd_log_open(true, 0);
	assert_true(mgmd_log_enabled(LOG_ERR));
	assert_true(mgmd_log_enabled(LOG_WARNING));
	assert_true(mgmd_log_enabled(LOG_NOTICE));
	assert_false(mgmd_log_enabled(LOG_INFO));
	assert_false(mgmd_log_enabled(LOG_DEBUG));
	capture_start();
	mgmd_log(LOG_INFO, "info");
	mgmd_log(LOG_DEBUG, "debug");
	mgmd_log(LOG_NOTICE, "notice");
	assert_string_equal(capture_end(), "mgmd: notice: notice\n");
}

static void test_log_verbosity_1_adds_info_2_adds_debug(void **state)
{
	mgmd_log_open(true, 1);
	assert_true(mgmd_log_enabled(LOG_INFO));
	assert_false(mgmd_log_enabled(LOG_DEBUG));
	capture_start();
	mgmd_log(LOG_INFO, "i");
	mgmd_log(LOG_DEBUG, "d");
	assert_string_equal(capture_end(), "mgmd: info: i\n");

	mgmd_log_open(true, 2);
	assert_true(mgmd_log_enabled(LOG_DEBUG));
	capture_start();
	mgmd_log(LOG_DEBUG, "d");
	assert_string_equal(capture_end(), "mgmd: debug: d\n");

	mgmd_log_open(true, 5);
	assert_true(mgmd_log_enabled(LOG_DEBUG));
}

/* A peer's bytes in a message cannot start a line of their own. */
static void test_log_control_characters_cannot_forge_a_line(void **state)
{
	mgmd_log_open(true, 0);
	capture_start();
	mgmd_log(LOG_WARNING, "name %s", "ab\ncd\r\x1b[31m\x7f");
	mgmd_log(LOG_WARNING, "trailing newline\n");
	assert_string_equal(capture_end(), "mgmd: warning: name ab?cd??[31m?\n"
					   "mgmd: warning: trailing newline\n");
}

static void test_log_long_message_is_cut_on_one_line(void **state)
{
	char big[4000];
	const char *out;
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mgmd_log_open(true, 0);
	capture_start();
	mgmd_log(LOG_WARNING, "%s", big);
	out = capture_end();
	len = strlen(out);
	assert_int_equal(count_lines(out), 1);
	assert_true(len > 1000 && len < 1100);
	assert_memory_equal(out + len - 5, "x...\n", 5);
}

static void test_log_ratelimit_burst_then_suppressed_then_reported(void **state)
{
	struct mgmd_ratelimit rl = MGMD_RATELIMIT_INIT(3, 1000);
	const char *out;

	mgmd_log_open(true, 0);
	capture_start();
	/* Ten messages in the first 100 ms: three pass. */
	for (int i = 0; i < 10; i++)
		mgmd_log_rl(&rl, 5000 + i * 10, LOG_WARNING, "bad report %d", i);
	assert_int_equal(rl.count, 3);
	assert_int_equal(rl.suppressed, 7);
	/* Still the same window at 999 ms after its start. */
	mgmd_log_rl(&rl, 5999, LOG_WARNING, "bad report %d", 10);
	assert_int_equal(rl.suppressed, 8);
	/* A new window: the count first, then the message. */
	mgmd_log_rl(&rl, 6000, LOG_WARNING, "bad report %d", 11);
	assert_int_equal(rl.suppressed, 0);
	assert_int_equal(rl.count, 1);
	out = capture_end();
	assert_string_equal(out, "mgmd: warning: bad report 0\n"
				 "mgmd: warning: bad report 1\n"
				 "mgmd: warning: bad report 2\n"
				 "mgmd: warning: 8 similar messages suppressed\n"
				 "mgmd: warning: bad report 11\n");
}

static void test_log_ratelimit_window_starts_at_first_message_after_quiet(void **state)
{
	struct mgmd_ratelimit rl = MGMD_RATELIMIT_INIT(2, 1000);

	mgmd_log_open(true, 0);
	capture_start();
	mgmd_log_rl(&rl, 100, LOG_WARNING, "a");
	mgmd_log_rl(&rl, 200, LOG_WARNING, "b");
	mgmd_log_rl(&rl, 300, LOG_WARNING, "c"); /* suppressed */
	/* Long quiet: the next window opens at 50000, not on a 1 s grid. */
	mgmd_log_rl(&rl, 50000, LOG_WARNING, "d");
	mgmd_log_rl(&rl, 50500, LOG_WARNING, "e");
	mgmd_log_rl(&rl, 50999, LOG_WARNING, "f"); /* suppressed */
	mgmd_log_rl(&rl, 51000, LOG_WARNING, "g");
	/* A window without suppression adds no count line. */
	mgmd_log_rl(&rl, 60000, LOG_WARNING, "h");
	assert_string_equal(capture_end(), "mgmd: warning: a\n"
					   "mgmd: warning: b\n"
					   "mgmd: warning: 1 similar message suppressed\n"
					   "mgmd: warning: d\n"
					   "mgmd: warning: e\n"
					   "mgmd: warning: 1 similar message suppressed\n"
					   "mgmd: warning: g\n"
					   "mgmd: warning: h\n");
}

/* A message the verbosity filters out neither uses the burst nor counts as suppressed. */
static void test_log_ratelimit_ignores_filtered_levels(void **state)
{
	struct mgmd_ratelimit rl = MGMD_RATELIMIT_INIT(1, 1000);

	mgmd_log_open(true, 0);
	capture_start();
	for (int i = 0; i < 5; i++)
		mgmd_log_rl(&rl, i, LOG_DEBUG, "debug %d", i);
	assert_int_equal(rl.count, 0);
	assert_int_equal(rl.suppressed, 0);
	mgmd_log_rl(&rl, 10, LOG_WARNING, "w");
	assert_string_equal(capture_end(), "mgmd: warning: w\n");
}

static void site(int64_t now, int i)
{
	MGMD_LOG_RL(2, 100, now, LOG_WARNING, "site %d", i);
}

/* The macro's limiter is one per call site and lives across calls. */
static void test_log_ratelimit_per_call_site(void **state)
{
	mgmd_log_open(true, 0);
	capture_start();
	for (int i = 0; i < 6; i++)
		site(i, i);
	site(100, 6);
	assert_string_equal(capture_end(), "mgmd: warning: site 0\n"
					   "mgmd: warning: site 1\n"
					   "mgmd: warning: 4 similar messages suppressed\n"
					   "mgmd: warning: site 6\n");
}

static void test_log_syslog_mode_writes_nothing_on_stderr(void **state)
{
	mgmd_log_open(false, 0);
	capture_start();
	mgmd_log(LOG_NOTICE, "test_log: a line for syslog, not stderr");
	assert_string_equal(capture_end(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_log_stderr_line_is_name_level_text, teardown),
		cmocka_unit_test_teardown(test_log_verbosity_0_stops_at_notice, teardown),
		cmocka_unit_test_teardown(test_log_verbosity_1_adds_info_2_adds_debug, teardown),
		cmocka_unit_test_teardown(test_log_control_characters_cannot_forge_a_line,
					  teardown),
		cmocka_unit_test_teardown(test_log_long_message_is_cut_on_one_line, teardown),
		cmocka_unit_test_teardown(test_log_ratelimit_burst_then_suppressed_then_reported,
					  teardown),
		cmocka_unit_test_teardown(
			test_log_ratelimit_window_starts_at_first_message_after_quiet, teardown),
		cmocka_unit_test_teardown(test_log_ratelimit_ignores_filtered_levels, teardown),
		cmocka_unit_test_teardown(test_log_ratelimit_per_call_site, teardown),
		cmocka_unit_test_teardown(test_log_syslog_mode_writes_nothing_on_stderr, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
