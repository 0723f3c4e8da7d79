/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/control.c on a real UNIX socket in a temporary directory, driven by the real event loop:
 * the test's clients are registered with the same loop, which stops when they have what they
 * waited for (or after a deadline, which fails the test). Requests, every error reply, pipelining,
 * partial reads and writes, the limits (line, clients, output, idleness), vanishing clients, and
 * the socket file's replacement rules and mode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "control.h"
#include "loop.h"
#include "test_rng.h"

#define WAIT_MS 5000 /* longest a test waits for anything; reaching it fails the test */

struct fixture {
	char dir[64];
	char path[96];
	struct mgmd_loop *loop;
	struct mgmd_control *c;
	int64_t deadline;
	bool timed_out;
	int calls;
	int wakeups;
};

/* A test client: what it has received so far. */
struct tclient {
	struct fixture *f;
	int fd;
	char *buf;
	size_t len, cap;
	size_t lines;	   /* newlines in buf */
	size_t want_lines; /* the loop stops when this many lines arrived (0: wait for EOF) */
	size_t read_max;   /* bytes per read (0: any) */
	bool eof;
	int err;
};

static struct json_object *cmd_echo(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	struct fixture *f = ctx;

	f->calls++;
	return json_object_get(req);
}

static struct json_object *cmd_fail(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	snprintf(err, errlen, "no interface eth9 in the configuration");
	return NULL;
}

static struct json_object *cmd_fail_silent(void *ctx, struct json_object *req, char *err,
					   size_t errlen)
{
	return NULL;
}

/* {"data": "xxx..."} of the request's "size" bytes. */
static struct json_object *cmd_big(void *ctx, struct json_object *req, char *err, size_t errlen)
{
	struct json_object *size, *o;
	size_t n;
	char *s;

	assert_true(json_object_object_get_ex(req, "size", &size));
	n = (size_t)json_object_get_int64(size);
	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, 'x', n);
	s[n] = '\0';
	o = json_object_new_object();
	json_object_object_add(o, "data", json_object_new_string_len(s, (int)n));
	free(s);
	return o;
}

static int64_t on_timer(void *ctx, int64_t now)
{
	struct fixture *f = ctx;
	int64_t next = mgmd_control_timer(f->c, now);

	f->wakeups++;
	if (now >= f->deadline) {
		f->timed_out = true;
		mgmd_loop_stop(f->loop);
		return INT64_MAX;
	}
	return next < f->deadline ? next : f->deadline;
}

static void open_control(struct fixture *f)
{
	char err[256];

	assert_int_equal(mgmd_control_open(&f->c, f->loop, f->path, err, sizeof(err)), 0);
	assert_int_equal(mgmd_control_register(f->c, "echo", cmd_echo, f), 0);
	assert_int_equal(mgmd_control_register(f->c, "fail", cmd_fail, f), 0);
	assert_int_equal(mgmd_control_register(f->c, "fail-silent", cmd_fail_silent, f), 0);
	assert_int_equal(mgmd_control_register(f->c, "big", cmd_big, f), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mgmd-test-control-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/mgmd.sock", f->dir);
	assert_int_equal(mgmd_loop_create(&f->loop, err, sizeof(err)), 0);
	mgmd_loop_set_timer(f->loop, on_timer, f);
	*state = f;
	return 0;
}

static int setup_open(void **state)
{
	setup(state);
	open_control(*state);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mgmd_control_close(f->c);
	mgmd_loop_destroy(f->loop);
	unlink(f->path);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}

/* Runs the loop until a client handler stops it or ms pass; returns whether it timed out. */
static bool run(struct fixture *f, int64_t ms)
{
	f->timed_out = false;
	f->deadline = mgmd_loop_clock() + ms;
	assert_int_equal(mgmd_loop_run(f->loop), 0);
	return f->timed_out;
}

static void on_tclient(void *ctx, int fd, uint32_t events)
{
	struct tclient *t = ctx;
	size_t want = t->read_max ? t->read_max : 65536;
	ssize_t n;

	if (t->len + want > t->cap) {
		t->cap = (t->len + want) * 2;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	n = recv(fd, t->buf + t->len, want, MSG_DONTWAIT);
	if (n > 0) {
		for (ssize_t i = 0; i < n; i++)
			t->lines += t->buf[t->len + (size_t)i] == '\n';
		t->len += (size_t)n;
	} else if (n == 0)
		t->eof = true;
	else if (errno != EAGAIN)
		t->err = errno;
	if (t->eof || t->err || (t->want_lines && t->lines >= t->want_lines))
		mgmd_loop_stop(t->f->loop);
}

static struct tclient *tconnect(struct fixture *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tclient *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->f = f;
	t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(t->fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	assert_int_equal(connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return t;
}

static void tclose(struct tclient *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t->buf);
	free(t);
}

static void tsend(struct tclient *t, const char *s, size_t len)
{
	assert_int_equal(send(t->fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void tsends(struct tclient *t, const char *s)
{
	tsend(t, s, strlen(s));
}

/* Runs the loop until t holds n lines (n 0: until EOF); fails on timeout. */
static void twait(struct tclient *t, size_t n)
{
	t->want_lines = n;
	if (n && t->lines >= n)
		return;
	assert_int_equal(mgmd_loop_add(t->f->loop, t->fd, EPOLLIN, on_tclient, t), 0);
	assert_false(run(t->f, WAIT_MS));
	mgmd_loop_del(t->f->loop, t->fd);
}

/* Takes the first line t received, parsed; fails unless it is one JSON object. */
static struct json_object *tline(struct tclient *t)
{
	char *nl = memchr(t->buf, '\n', t->len);
	struct json_object *o;
	size_t n;

	assert_non_null(nl);
	n = (size_t)(nl - t->buf);
	*nl = '\0';
	assert_null(memchr(t->buf, '\n', n));
	o = json_tokener_parse(t->buf);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	memmove(t->buf, nl + 1, t->len - n - 1);
	t->len -= n + 1;
	t->lines--;
	return o;
}

/* Sends one request line and returns the reply. */
static struct json_object *request(struct tclient *t, const char *line)
{
	tsends(t, line);
	twait(t, 1);
	return tline(t);
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

/* Asserts an error reply with exactly this sentence, and frees it. */
static void assert_error(struct json_object *reply, const char *sentence)
{
	struct json_object *ok;

	assert_true(json_object_object_get_ex(reply, "ok", &ok));
	assert_true(json_object_is_type(ok, json_type_boolean));
	assert_false(json_object_get_boolean(ok));
	assert_string_equal(get_str(reply, "error"), sentence);
	assert_int_equal(json_object_object_length(reply), 2);
	json_object_put(reply);
}

/* Asserts an ok reply and returns its result (owned by reply). */
static struct json_object *assert_ok(struct json_object *reply)
{
	struct json_object *ok, *result;

	assert_true(json_object_object_get_ex(reply, "ok", &ok));
	assert_true(json_object_get_boolean(ok));
	assert_true(json_object_object_get_ex(reply, "result", &result));
	assert_int_equal(json_object_object_length(reply), 2);
	return result;
}

/* Takes the next line, which must be an ok reply. */
static void take_ok(struct tclient *t)
{
	struct json_object *reply = tline(t);

	assert_ok(reply);
	json_object_put(reply);
}

static void expect_ok(struct tclient *t, const char *line)
{
	tsends(t, line);
	twait(t, 1);
	take_ok(t);
}

static void test_control_dispatches_request_to_its_command(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	struct json_object *reply, *result, *v;

	reply = request(t, "{\"command\":\"echo\",\"interface\":\"eth1\",\"n\":3}\n");
	result = assert_ok(reply);
	assert_string_equal(get_str(result, "command"), "echo");
	assert_string_equal(get_str(result, "interface"), "eth1");
	assert_true(json_object_object_get_ex(result, "n", &v));
	assert_int_equal(json_object_get_int(v), 3);
	json_object_put(reply);
	assert_int_equal(f->calls, 1);
	tclose(t);
}

static void test_control_error_replies(void **state)
{
	static const struct {
		const char *line, *error;
	} cases[] = {
		{"{\"command\":\"nope\"}\n", "unknown command nope"},
		{"hello\n", "request is not JSON: unexpected character"},
		{"{\"command\":\"echo\"\n", "request is not JSON: unexpected end of data"},
		{"{\"command\":\"echo\"}}\n", "request is not JSON: text after the object"},
		{"{\"command\":\"echo\"} {}\n", "request is not JSON: text after the object"},
		{"{'command':'echo'}\n", "request is not JSON: unexpected character"},
		{"[1,2]\n", "request is not a JSON object"},
		{"5\n", "request is not a JSON object"},
		{"\"echo\"\n", "request is not a JSON object"},
		{"null\n", "request is not a JSON object"},
		{"{}\n", "request has no \"command\" string"},
		{"{\"command\":5}\n", "request has no \"command\" string"},
		{"{\"command\":null}\n", "request has no \"command\" string"},
		{"{\"Command\":\"echo\"}\n", "request has no \"command\" string"},
		{"{\"command\":\"fail\"}\n", "no interface eth9 in the configuration"},
		{"{\"command\":\"fail-silent\"}\n", "fail-silent failed"},
		{"{\"command\":\"ec\\u0000ho\"}\n", "unknown command ec"},
		{"{\"command\":\"\xff\xfe\"}\n", "request is not JSON: invalid utf-8 string"},
		{"{\"command\":\"echo\"}\0garbage\n",
		 "request is not JSON: it contains a NUL byte"},
	};
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *line = cases[i].line;
		size_t len = strlen(line);

		if (strstr(cases[i].error, "NUL"))
			len = strlen(line) + 1 + strlen("garbage\n");
		tsend(t, line, len);
		twait(t, 1);
		assert_error(tline(t), cases[i].error);
	}
	/* the connection survived every error */
	expect_ok(t, "{\"command\":\"echo\"}\n");
	assert_int_equal(f->calls, 1);
	tclose(t);
}

static void test_control_several_requests_on_one_connection(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	struct json_object *reply;
	char line[64];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "{\"command\":\"echo\",\"seq\":%d}\r\n", i);
		reply = request(t, line);
		assert_int_equal(
			json_object_get_int(json_object_object_get(assert_ok(reply), "seq")), i);
		json_object_put(reply);
	}
	assert_int_equal(f->calls, 5);
	tclose(t);
}

static void test_control_pipelined_requests_in_one_write(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	struct json_object *reply;
	char all[4096] = "";
	int i;

	/* more than one wakeup's worth of lines, with blank lines between */
	for (i = 0; i < 40; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all),
			 "{\"command\":\"echo\",\"seq\":%d}\n%s", i, i % 3 ? "" : " \t\n");
	snprintf(all + strlen(all), sizeof(all) - strlen(all), "{\"command\":\"nope\"}\n");
	tsends(t, all);
	twait(t, 41);
	for (i = 0; i < 40; i++) {
		reply = tline(t);
		assert_int_equal(
			json_object_get_int(json_object_object_get(assert_ok(reply), "seq")), i);
		json_object_put(reply);
	}
	assert_error(tline(t), "unknown command nope");
	assert_int_equal(t->len, 0);
	tclose(t);
}

static void test_control_request_in_pieces(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	const char *req = "{\"command\":\"echo\",\"interface\":\"eth1\"}\n";
	size_t i;
	char c;

	for (i = 0; req[i]; i++) {
		tsend(t, &req[i], 1);
		if (req[i] != '\n') {
			assert_true(run(f, 2)); /* the server reads the byte, answers nothing */
			assert_int_equal(recv(t->fd, &c, 1, MSG_DONTWAIT), -1);
			assert_int_equal(errno, EAGAIN);
		}
	}
	twait(t, 1);
	take_ok(t);
	assert_int_equal(f->calls, 1);
	tclose(t);
}

static void test_control_last_request_may_lack_its_newline(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	struct json_object *reply;

	tsends(t, "{\"command\":\"echo\",\"seq\":1}\n{\"command\":\"echo\",\"seq\":2}");
	assert_int_equal(shutdown(t->fd, SHUT_WR), 0);
	twait(t, 0);
	assert_true(t->eof);
	reply = tline(t);
	assert_int_equal(json_object_get_int(json_object_object_get(assert_ok(reply), "seq")), 1);
	json_object_put(reply);
	reply = tline(t);
	assert_int_equal(json_object_get_int(json_object_object_get(assert_ok(reply), "seq")), 2);
	json_object_put(reply);
	assert_int_equal(t->len, 0);
	tclose(t);
}

static void test_control_line_too_long_is_refused_and_closed(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	size_t n = MGMD_CONTROL_MAX_LINE + 10;
	char *s = malloc(n);

	assert_non_null(s);
	memset(s, 'x', n);
	tsend(t, s, n);
	twait(t, 0);
	assert_true(t->eof || t->err == ECONNRESET);
	assert_error(tline(t), "request longer than 65536 bytes");
	assert_int_equal(t->len, 0);
	assert_int_equal(f->calls, 0);
	tclose(t);
	free(s);
}

static void test_control_line_of_exactly_the_limit_is_served(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	const char *req = "{\"command\":\"echo\"}";
	size_t n = MGMD_CONTROL_MAX_LINE + 1;
	char *s = malloc(n);

	assert_non_null(s);
	memset(s, ' ', n);
	memcpy(s, req, strlen(req));
	s[n - 1] = '\n';
	tsend(t, s, n); /* 65536 bytes and the newline, twice */
	tsend(t, s, n);
	twait(t, 2);
	take_ok(t);
	take_ok(t);
	assert_int_equal(f->calls, 2);
	tclose(t);
	free(s);
}

/* A reply much bigger than the socket's buffer goes out in many writes while the client reads
 * slowly, and arrives whole. */
static void test_control_big_reply_written_in_pieces(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	struct json_object *reply, *data;
	int small = 4096;

	assert_int_equal(setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	t->read_max = 1000;
	tsends(t, "{\"command\":\"big\",\"size\":4000000}\n{\"command\":\"echo\"}\n");
	twait(t, 2);
	reply = tline(t);
	assert_true(json_object_object_get_ex(assert_ok(reply), "data", &data));
	assert_int_equal(json_object_get_string_len(data), 4000000);
	json_object_put(reply);
	take_ok(t);
	tclose(t);
}

static void test_control_reply_over_output_limit_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	char req[96], sentence[160];

	snprintf(req, sizeof(req), "{\"command\":\"big\",\"size\":%d}\n", MGMD_CONTROL_MAX_OUTPUT);
	snprintf(sentence, sizeof(sentence),
		 "reply of %d bytes is over the control socket's limit of %d bytes",
		 MGMD_CONTROL_MAX_OUTPUT + 32, MGMD_CONTROL_MAX_OUTPUT);
	assert_error(request(t, req), sentence);
	/* and the connection goes on */
	expect_ok(t, "{\"command\":\"echo\"}\n");
	tclose(t);
}

/* Clients that go away before (or while) their reply is written: no SIGPIPE, no leak, and their
 * slots are free again. */
static void test_control_clients_vanishing_mid_reply(void **state)
{
	struct fixture *f = *state;
	struct tclient *t[MGMD_CONTROL_MAX_CLIENTS];
	int i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++) {
			t[i] = tconnect(f);
			if (round == 2)
				continue;
			tsends(t[i], "{\"command\":\"big\",\"size\":1000000}\n");
			if (i % 2)
				tsends(t[i],
				       "{\"command\":\"big\",\"size\":10}\n{\"command\":\"ech");
		}
		if (round == 1)
			assert_true(run(f, 50)); /* the replies are partly written */
		for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS && round < 2; i++)
			tclose(t[i]);
		assert_true(run(f, 50));
	}
	/* round 2's clients hold every slot; each is served */
	for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++) {
		expect_ok(t[i], "{\"command\":\"echo\"}\n");
		tclose(t[i]);
	}
}

static void test_control_client_limit(void **state)
{
	struct fixture *f = *state;
	struct tclient *t[MGMD_CONTROL_MAX_CLIENTS + 1], *extra;
	int i;

	for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++) {
		t[i] = tconnect(f);
		expect_ok(t[i], "{\"command\":\"echo\"}\n");
	}
	extra = tconnect(f);
	twait(extra, 0);
	assert_error(tline(extra), "too many control clients (at most 16)");
	tclose(extra);
	/* the others are still served; one leaving makes room for a new one */
	expect_ok(t[3], "{\"command\":\"echo\"}\n");
	tclose(t[3]);
	assert_true(run(f, 20));
	t[3] = tconnect(f);
	expect_ok(t[3], "{\"command\":\"echo\"}\n");
	for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++)
		tclose(t[i]);
}

static void test_control_idle_client_is_closed(void **state)
{
	struct fixture *f = *state;
	struct tclient *busy = tconnect(f), *idle = tconnect(f);
	int64_t now, next;

	expect_ok(idle, "{\"command\":\"echo\"}\n");
	now = mgmd_loop_now(f->loop);
	/* The busy client speaks 100 ms later, so the two deadlines cannot meet on a slow machine
	 * (the idle client's reply may go out a wakeup, a millisecond or so, after now). */
	usleep(100000);
	assert_true(run(f, 3));
	expect_ok(busy, "{\"command\":\"echo\"}\n");
	next = mgmd_control_timer(f->c, now);
	assert_true(next > now + MGMD_CONTROL_IDLE_MS - 1000);
	assert_true(next < now + MGMD_CONTROL_IDLE_MS + 50);
	/* at the idle client's deadline it alone is closed: the busy one spoke later */
	now = next;
	next = mgmd_control_timer(f->c, now);
	assert_true(next > now);
	assert_true(next <= mgmd_loop_now(f->loop) + MGMD_CONTROL_IDLE_MS);
	twait(idle, 0);
	assert_true(idle->eof);
	assert_int_equal(idle->len, 0);
	expect_ok(busy, "{\"command\":\"echo\"}\n");
	/* a client half way through a line is idle too */
	tsends(busy, "{\"command\":");
	assert_true(run(f, 5));
	assert_int_equal(mgmd_control_timer(f->c, mgmd_loop_now(f->loop) + MGMD_CONTROL_IDLE_MS),
			 INT64_MAX);
	twait(busy, 0);
	assert_true(busy->eof);
	tclose(busy);
	tclose(idle);
}

/* Out of descriptors (EMFILE): the listener, still readable, is not watched for a while, so the
 * loop does not spin on it; accepting resumes by the timer. */
static void test_control_accept_pauses_when_out_of_descriptors(void **state)
{
	struct fixture *f = *state;
	struct tclient *a = tconnect(f), *b = tconnect(f);
	struct rlimit old, low;
	int fd = dup(0);

	/* the lowest free descriptor becomes the limit: accept4() fails with EMFILE */
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	tsends(a, "{\"command\":\"echo\"}\n");
	tsends(b, "{\"command\":\"echo\"}\n");
	f->wakeups = 0;
	assert_true(run(f, 100));
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_true(f->wakeups < 10);
	assert_int_equal(f->calls, 0);
	/* about a second later both are accepted and served */
	twait(a, 1);
	take_ok(a);
	twait(b, 1);
	take_ok(b);
	assert_int_equal(f->calls, 2);
	tclose(a);
	tclose(b);
}

static void test_control_survives_garbage(void **state)
{
	struct fixture *f = *state;
	struct tclient *t = tconnect(f);
	struct rng g = {0x5eed};
	const char *valid = "{\"command\":\"echo\",\"a\":[1,2.5,\"x\",{\"b\":null}]}";
	char line[600];
	size_t i, k, n, sent = 0;
	struct json_object *reply, *ok;
	int served = 0;

	for (i = 0; i < 400; i++) {
		if (i % 2) {
			/* random bytes, never a newline, never blank */
			n = 1 + below(&g, sizeof(line) - 2);
			for (k = 0; k < n; k++) {
				line[k] = (char)below(&g, 256);
				if (line[k] == '\n')
					line[k] = '{';
			}
			line[0] = '#';
		} else {
			/* the valid request cut short or with one byte changed */
			n = strlen(valid);
			memcpy(line, valid, n);
			if (i % 4 == 0)
				n = 1 + below(&g, (uint32_t)n - 1);
			else
				line[below(&g, (uint32_t)n)] = (char)(1 + below(&g, 255));
			for (k = 0; k < n; k++)
				if (line[k] == '\n' || line[k] == ' ' || line[k] == '\r')
					line[k] = '[';
		}
		line[n] = '\n';
		tsend(t, line, n + 1);
		sent++;
		twait(t, 1);
		reply = tline(t);
		assert_true(json_object_object_get_ex(reply, "ok", &ok));
		served += json_object_get_boolean(ok);
		json_object_put(reply);
	}
	/* deep nesting is refused, not recursed into */
	n = 20000;
	{
		char *deep = malloc(n + 1);

		assert_non_null(deep);
		memset(deep, '[', n);
		deep[n] = '\n';
		tsend(t, deep, n + 1);
		free(deep);
	}
	twait(t, 1);
	assert_error(tline(t), "request is not JSON: nesting too deep");
	assert_int_equal(served, f->calls);
	assert_true(sent > 0);
	tclose(t);
}

static void test_control_socket_mode_0660_and_unlinked_at_close(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	mode_t old = umask(0);

	umask(old);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	/* the process's umask is left as it was */
	assert_int_equal(umask(old), old);
	mgmd_control_close(f->c);
	f->c = NULL;
	assert_int_equal(lstat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_control_stale_socket_file_is_replaced(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct tclient *t;
	struct stat st;

	/* a socket file whose server is gone (a crashed mgmd leaves this) */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(lstat(f->path, &st), 0);
	open_control(f);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	t = tconnect(f);
	expect_ok(t, "{\"command\":\"echo\"}\n");
	tclose(t);
}

static void test_control_live_socket_is_refused(void **state)
{
	struct fixture *f = *state;
	struct mgmd_control *second;
	char err[256], want[256];
	struct tclient *t;

	assert_int_equal(mgmd_control_open(&second, f->loop, f->path, err, sizeof(err)),
			 -EADDRINUSE);
	assert_null(second);
	snprintf(want, sizeof(want), "another mgmd is running on %s", f->path);
	assert_string_equal(err, want);
	/* the running one keeps its socket */
	t = tconnect(f);
	expect_ok(t, "{\"command\":\"echo\"}\n");
	tclose(t);
}

static void test_control_other_file_is_not_replaced(void **state)
{
	struct fixture *f = *state;
	struct mgmd_control *c;
	char err[256], want[256];
	struct stat st;
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(mgmd_control_open(&c, f->loop, f->path, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want), "control socket %s: the path exists and is not a socket",
		 f->path);
	assert_string_equal(err, want);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_control_bad_paths(void **state)
{
	struct fixture *f = *state;
	struct mgmd_control *c;
	char err[256], path[300];

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(mgmd_control_open(&c, f->loop, path, err, sizeof(err)), -ENAMETOOLONG);
	assert_non_null(strstr(err, "control socket path is empty or longer than 107 bytes"));
	snprintf(path, sizeof(path), "%s/no/such/dir.sock", f->dir);
	assert_int_equal(mgmd_control_open(&c, f->loop, path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_non_null(strstr(err, path));
}

static void test_control_register_twice(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mgmd_control_register(f->c, "echo", cmd_fail, f), -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control_dispatches_request_to_its_command,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_error_replies, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_several_requests_on_one_connection,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_pipelined_requests_in_one_write,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_request_in_pieces, setup_open,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_last_request_may_lack_its_newline,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_line_too_long_is_refused_and_closed,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_line_of_exactly_the_limit_is_served,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_big_reply_written_in_pieces,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_reply_over_output_limit_is_an_error,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_clients_vanishing_mid_reply,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_client_limit, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_idle_client_is_closed, setup_open,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_accept_pauses_when_out_of_descriptors,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_survives_garbage, setup_open,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_socket_mode_0660_and_unlinked_at_close,
						setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_stale_socket_file_is_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_live_socket_is_refused, setup_open,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_other_file_is_not_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_bad_paths, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_control_register_twice, setup_open, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
