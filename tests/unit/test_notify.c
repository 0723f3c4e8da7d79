/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/notify.c against real AF_UNIX datagram sockets standing in for systemd's: a path in a
 * temporary directory and an abstract name; nothing sent without $NOTIFY_SOCKET or with a kind
 * of address mgmd does not speak; the error when nobody listens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

struct listener {
	char dir[64];
	char path[128];
	int fd;
};

/* A datagram socket bound to a path in a fresh temporary directory. */
static int setup_path(void **state)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	assert_non_null(l);
	snprintf(l->dir, sizeof(l->dir), "/tmp/mgmd-test-notify.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->path, sizeof(l->path), "%s/notify", l->dir);
	assert_true(strlen(l->path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, l->path, strlen(l->path) + 1);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	*state = l;
	return 0;
}

static int teardown(void **state)
{
	struct listener *l = *state;

	unsetenv("NOTIFY_SOCKET");
	close(l->fd);
	if (l->dir[0]) {
		unlink(l->path);
		rmdir(l->dir);
	}
	free(l);
	return 0;
}

/* The next datagram on l, or "" when none is queued. */
static const char *received(struct listener *l)
{
	static char buf[512];
	ssize_t n = recv(l->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void test_notify_path_socket_receives_ready(void **state)
{
	struct listener *l = *state;

	assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_string_equal(received(l), "READY=1");
	assert_string_equal(received(l), "");
}

/* One datagram per call, newlines and all. */
static void test_notify_multiline_state_is_one_datagram(void **state)
{
	struct listener *l = *state;

	assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
	assert_int_equal(mgmd_notify("RELOADING=1\nMONOTONIC_USEC=123456"), 0);
	assert_int_equal(mgmd_notify("STATUS=3 interfaces, 12 groups"), 0);
	assert_string_equal(received(l), "RELOADING=1\nMONOTONIC_USEC=123456");
	assert_string_equal(received(l), "STATUS=3 interfaces, 12 groups");
}

static void test_notify_abstract_socket_receives_ready(void **state)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char name[64];
	size_t len;

	assert_non_null(l);
	*state = l;
	len = (size_t)snprintf(name, sizeof(name), "@mgmd-test-notify-%ld", (long)getpid());
	memcpy(sun.sun_path + 1, name + 1, len - 1); /* sun_path[0] stays NUL */
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
			 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", name, 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_string_equal(received(l), "READY=1");
}

static void test_notify_without_notify_socket_sends_nothing(void **state)
{
	struct listener *l = *state;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_string_equal(received(l), "");
}

/* A relative path or another transport (systemd's vsock:) is not guessed at. */
static void test_notify_other_address_kinds_are_ignored(void **state)
{
	struct listener *l = *state;

	assert_int_equal(setenv("NOTIFY_SOCKET", "notify", 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "vsock:2:1234", 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "@", 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), 0);
	assert_string_equal(received(l), "");
}

static void test_notify_reports_why_it_could_not_send(void **state)
{
	struct listener *l = *state;
	char path[256], longpath[200];

	snprintf(path, sizeof(path), "%s/nobody-listens", l->dir);
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), -ENOENT);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", longpath, 1), 0);
	assert_int_equal(mgmd_notify("READY=1"), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_path_socket_receives_ready, setup_path,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify_multiline_state_is_one_datagram,
						setup_path, teardown),
		cmocka_unit_test_teardown(test_notify_abstract_socket_receives_ready, teardown),
		cmocka_unit_test_setup_teardown(test_notify_without_notify_socket_sends_nothing,
						setup_path, teardown),
		cmocka_unit_test_setup_teardown(test_notify_other_address_kinds_are_ignored,
						setup_path, teardown),
		cmocka_unit_test_setup_teardown(test_notify_reports_why_it_could_not_send,
						setup_path, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
