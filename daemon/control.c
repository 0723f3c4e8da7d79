/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's control socket server (control.h): accepts mgmctl's connections, cuts their bytes into
 * lines, hands each JSON request to the command registered under its name and queues the reply.
 * Everything a client sends is untrusted: every buffer is bounded, every call non-blocking, and
 * a client that misbehaves is closed without disturbing the others.
 */
#include "control.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "loop.h"

#define LISTEN_BACKLOG	   16
#define ACCEPTS_PER_WAKEUP 16
#define LINES_PER_WAKEUP   16 /* per client, so that one client cannot starve the others */
#define JSON_DEPTH	   32
#define ACCEPT_RETRY_MS	   1000 /* after EMFILE and the like: try again this much later */
#define ERR_MAX		   512

struct client {
	struct mgmd_control *c;
	int fd;
	uint32_t events;     /* what the loop watches for now */
	char *in;	     /* MGMD_CONTROL_MAX_LINE + 1 bytes: a line and its newline */
	size_t start;	     /* offset in in of the first byte not yet served */
	size_t inlen;	     /* offset in in after the last byte received */
	size_t scanned;	     /* in[start..scanned) holds no newline */
	char *out;	     /* replies not yet written */
	size_t outoff;	     /* bytes of out already written */
	size_t outlen;	     /* bytes in out */
	size_t outcap;	     /* bytes allocated to out */
	int64_t last_active; /* last byte read or written (loop clock) */
	bool eof;	     /* the client will send nothing more */
	bool closing;	     /* reply then close: nothing more is read */
};

struct command {
	char *name;
	mgmd_control_fn fn;
	void *ctx;
};

struct mgmd_control {
	struct mgmd_loop *loop;
	int fd;
	char *path;
	dev_t dev; /* the socket file we bound, unlinked at close only if it is still this one */
	ino_t ino;
	struct client *clients[MGMD_CONTROL_MAX_CLIENTS];
	struct command *commands;
	size_t ncommands;
	struct json_tokener *tok;
	int64_t accept_retry; /* INT64_MAX unless accepting is paused */
};

static void client_close(struct client *cl)
{
	struct mgmd_control *c = cl->c;
	int i;

	for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i] == cl)
			c->clients[i] = NULL;
	mgmd_loop_del(c->loop, cl->fd);
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	free(cl);
	if (c->accept_retry != INT64_MAX) {
		/* a descriptor was freed: accepting may work again */
		c->accept_retry = INT64_MAX;
		mgmd_loop_mod(c->loop, c->fd, EPOLLIN);
	}
}

/* Appends text and a newline to the client's output, within MGMD_CONTROL_MAX_OUTPUT. */
static int queue_line(struct client *cl, const char *text, size_t len)
{
	size_t need;
	char *p;

	if (cl->outoff == cl->outlen)
		cl->outoff = cl->outlen = 0;
	if (len + 1 > MGMD_CONTROL_MAX_OUTPUT - (cl->outlen - cl->outoff))
		return -ENOBUFS;
	if (cl->outoff > 0) {
		memmove(cl->out, cl->out + cl->outoff, cl->outlen - cl->outoff);
		cl->outlen -= cl->outoff;
		cl->outoff = 0;
	}
	need = cl->outlen + len + 1;
	if (need > cl->outcap) {
		size_t cap = cl->outcap ? cl->outcap : 4096;

		while (cap < need)
			cap *= 2;
		p = realloc(cl->out, cap);
		if (!p)
			return -ENOMEM;
		cl->out = p;
		cl->outcap = cap;
	}
	memcpy(cl->out + cl->outlen, text, len);
	cl->out[cl->outlen + len] = '\n';
	cl->outlen = need;
	return 0;
}

/* Serializes reply (one line: json-c's plain form escapes every control character) and queues
 * it; a reply over the output bound is replaced by an error reply saying so. Consumes reply. */
static int queue_reply(struct client *cl, struct json_object *reply)
{
	const char *text = NULL;
	size_t len = 0;
	int r = -ENOMEM;

	if (reply)
		text = json_object_to_json_string_length(
			reply, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (text)
		r = queue_line(cl, text, len);
	json_object_put(reply);
	if (r == -ENOBUFS) {
		char msg[160];
		int n = snprintf(msg, sizeof(msg),
				 "{\"ok\":false,\"error\":\"reply of %zu bytes is over the control "
				 "socket's limit of %d bytes\"}",
				 len, MGMD_CONTROL_MAX_OUTPUT);

		r = queue_line(cl, msg, (size_t)n);
	}
	return r;
}

/* Adds v to o under key; consumes v either way. 0 or -ENOMEM. */
static int add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int queue_error(struct client *cl, const char *sentence)
{
	struct json_object *reply = json_object_new_object();

	if (!reply || add(reply, "ok", json_object_new_boolean(0)) < 0 ||
	    add(reply, "error", json_object_new_string(sentence)) < 0) {
		json_object_put(reply);
		return -ENOMEM;
	}
	return queue_reply(cl, reply);
}

static const struct command *find_command(const struct mgmd_control *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncommands; i++)
		if (strcmp(c->commands[i].name, name) == 0)
			return &c->commands[i];
	return NULL;
}

/* Parses one request line (NUL-terminated in place, newline removed) and queues its reply. */
static int serve_line(struct client *cl, char *line, size_t len)
{
	struct mgmd_control *c = cl->c;
	struct json_object *req, *name, *result, *reply;
	const struct command *cmd;
	enum json_tokener_error jerr;
	char err[ERR_MAX];
	size_t end;

	if (memchr(line, '\0', len))
		return queue_error(cl, "request is not JSON: it contains a NUL byte");
	json_tokener_reset(c->tok);
	req = json_tokener_parse_ex(c->tok, line, (int)len + 1);
	jerr = json_tokener_get_error(c->tok);
	if (jerr != json_tokener_success) {
		json_object_put(req);
		if (jerr == json_tokener_continue)
			return queue_error(cl, "request is not JSON: it ends early");
		snprintf(err, sizeof(err), "request is not JSON: %s",
			 json_tokener_error_desc(jerr));
		return queue_error(cl, err);
	}
	end = json_tokener_get_parse_end(c->tok);
	while (end < len && strchr(" \t\r", line[end]))
		end++;
	if (end < len) {
		json_object_put(req);
		return queue_error(cl, "request is not JSON: text after the object");
	}
	if (!req || !json_object_is_type(req, json_type_object)) { /* NULL: the JSON null */
		json_object_put(req);
		return queue_error(cl, "request is not a JSON object");
	}
	if (!json_object_object_get_ex(req, "command", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		json_object_put(req);
		return queue_error(cl, "request has no \"command\" string");
	}
	cmd = find_command(c, json_object_get_string(name));
	if (!cmd) {
		snprintf(err, sizeof(err), "unknown command %.100s", json_object_get_string(name));
		json_object_put(req);
		return queue_error(cl, err);
	}
	err[0] = '\0';
	result = cmd->fn(cmd->ctx, req, err, sizeof(err));
	if (!result) {
		if (!err[0])
			snprintf(err, sizeof(err), "%.100s failed", cmd->name);
		json_object_put(req);
		return queue_error(cl, err);
	}
	json_object_put(req);
	reply = json_object_new_object();
	if (!reply || add(reply, "ok", json_object_new_boolean(1)) < 0) {
		json_object_put(result);
		json_object_put(reply);
		return queue_error(cl, "out of memory");
	}
	if (add(reply, "result", result) < 0) {
		json_object_put(reply);
		return queue_error(cl, "out of memory");
	}
	return queue_reply(cl, reply);
}

/* Writes what the client's output holds, as far as the socket takes it. 0 or a negative errno
 * (the client vanished: EPIPE, ECONNRESET). */
static int flush(struct client *cl)
{
	ssize_t n;

	while (cl->outoff < cl->outlen) {
		n = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		cl->outoff += (size_t)n;
		cl->last_active = mgmd_loop_now(cl->c->loop);
	}
	cl->outoff = cl->outlen = 0;
	if (cl->outcap > 65536) {
		/* a big reply is gone: do not keep its buffer for the client's lifetime */
		free(cl->out);
		cl->out = NULL;
		cl->outcap = 0;
	}
	return 0;
}

/* Moves the bytes not yet served to the start of the input buffer. */
static void compact(struct client *cl)
{
	if (cl->start == 0)
		return;
	memmove(cl->in, cl->in + cl->start, cl->inlen - cl->start);
	cl->inlen -= cl->start;
	cl->scanned = cl->scanned > cl->start ? cl->scanned - cl->start : 0;
	cl->start = 0;
}

/* Length of the first complete line held (newline included), 0 when there is none. */
static size_t next_line(struct client *cl)
{
	char *nl;

	if (cl->scanned < cl->start)
		cl->scanned = cl->start;
	nl = memchr(cl->in + cl->scanned, '\n', cl->inlen - cl->scanned);
	if (!nl) {
		cl->scanned = cl->inlen;
		return 0;
	}
	return (size_t)(nl - (cl->in + cl->start)) + 1;
}

static void consume(struct client *cl, size_t n)
{
	cl->start += n;
	if (cl->start == cl->inlen)
		cl->start = cl->scanned = cl->inlen = 0;
}

static bool blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r", s[i]))
			return false;
	return true;
}

/* Serves the complete lines held while nothing waits to be written (a client that does not read
 * its replies gets no more work done), a bounded number per wakeup. */
static int serve(struct client *cl)
{
	int lines = 0, r;
	char *line;
	size_t n;

	while (!cl->closing && cl->outoff == cl->outlen && lines < LINES_PER_WAKEUP) {
		n = next_line(cl);
		if (n == 0) {
			if (cl->inlen - cl->start > MGMD_CONTROL_MAX_LINE) {
				char msg[96];

				snprintf(msg, sizeof(msg), "request longer than %d bytes",
					 MGMD_CONTROL_MAX_LINE);
				cl->closing = true;
				return queue_error(cl, msg);
			}
			if (!cl->eof || cl->inlen == cl->start)
				break;
			/* the last request may come without its newline; there is room for one:
			 * start is 0 or the held bytes fit after compaction */
			if (cl->inlen == MGMD_CONTROL_MAX_LINE + 1)
				compact(cl);
			cl->in[cl->inlen++] = '\n';
			n = cl->inlen - cl->start;
		}
		line = cl->in + cl->start;
		line[n - 1] = '\0';
		lines++;
		if (!blank(line, n - 1)) {
			r = serve_line(cl, line, n - 1);
			if (r < 0)
				return r;
		}
		consume(cl, n);
		r = flush(cl);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Whether a complete line waits in the input. */
static bool line_pending(struct client *cl)
{
	return next_line(cl) > 0 || (cl->eof && cl->inlen > cl->start);
}

/* Watches what the client's state calls for; closes it when it has nothing more to do. */
static void client_update(struct client *cl)
{
	uint32_t ev = 0;
	bool idle_out = cl->outoff == cl->outlen;

	if (!idle_out || (!cl->closing && line_pending(cl)))
		ev |= EPOLLOUT; /* writable at once: serves the next requests next wakeup */
	if (!cl->eof && !cl->closing && cl->inlen - cl->start <= MGMD_CONTROL_MAX_LINE && idle_out)
		ev |= EPOLLIN;
	if (ev == 0) {
		client_close(cl);
		return;
	}
	if (ev != cl->events) {
		if (mgmd_loop_mod(cl->c->loop, cl->fd, ev) < 0) {
			client_close(cl);
			return;
		}
		cl->events = ev;
	}
}

static void on_client(void *ctx, int fd, uint32_t events)
{
	struct client *cl = ctx;
	ssize_t n;

	if (events & EPOLLERR) {
		client_close(cl);
		return;
	}
	if ((events & EPOLLOUT) && flush(cl) < 0) {
		client_close(cl);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP)) && !cl->eof && !cl->closing &&
	    cl->inlen - cl->start <= MGMD_CONTROL_MAX_LINE) {
		compact(cl);
		n = recv(fd, cl->in + cl->inlen, MGMD_CONTROL_MAX_LINE + 1 - cl->inlen,
			 MSG_DONTWAIT);
		if (n > 0) {
			cl->inlen += (size_t)n;
			cl->last_active = mgmd_loop_now(cl->c->loop);
		} else if (n == 0) {
			cl->eof = true;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			client_close(cl);
			return;
		}
	} else if ((events & EPOLLHUP) && !(events & EPOLLOUT)) {
		/* gone while we were not reading: nobody will take the rest */
		client_close(cl);
		return;
	}
	if (serve(cl) < 0 || flush(cl) < 0) {
		client_close(cl);
		return;
	}
	client_update(cl);
}

/* Tells a client over the limit why it is turned away; best effort, never waits. */
static void refuse(int fd)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg),
			 "{\"ok\":false,\"error\":\"too many control clients (at most %d)\"}\n",
			 MGMD_CONTROL_MAX_CLIENTS);

	if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* nothing to do: the client is turned away either way */
	}
	close(fd);
}

static void on_listen(void *ctx, int fd, uint32_t events)
{
	struct mgmd_control *c = ctx;
	struct client *cl;
	int i, k, cfd;

	for (k = 0; k < ACCEPTS_PER_WAKEUP; k++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* EMFILE, ENFILE, ENOBUFS, ENOMEM: the listener stays readable;
				 * stop watching it for a while instead of spinning */
				c->accept_retry = mgmd_loop_now(c->loop) + ACCEPT_RETRY_MS;
				mgmd_loop_mod(c->loop, c->fd, 0);
			}
			return;
		}
		for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS && c->clients[i]; i++)
			;
		if (i == MGMD_CONTROL_MAX_CLIENTS) {
			refuse(cfd);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (cl)
			cl->in = malloc(MGMD_CONTROL_MAX_LINE + 1);
		if (!cl || !cl->in) {
			if (cl)
				free(cl);
			close(cfd);
			continue;
		}
		cl->c = c;
		cl->fd = cfd;
		cl->events = EPOLLIN;
		cl->last_active = mgmd_loop_now(c->loop);
		if (mgmd_loop_add(c->loop, cfd, EPOLLIN, on_client, cl) < 0) {
			free(cl->in);
			free(cl);
			close(cfd);
			continue;
		}
		c->clients[i] = cl;
	}
}

int64_t mgmd_control_timer(struct mgmd_control *c, int64_t now)
{
	int64_t next = c->accept_retry, at;
	int i;

	if (c->accept_retry != INT64_MAX && now >= c->accept_retry) {
		c->accept_retry = INT64_MAX;
		mgmd_loop_mod(c->loop, c->fd, EPOLLIN);
		next = INT64_MAX;
	}
	for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++) {
		if (!c->clients[i])
			continue;
		at = c->clients[i]->last_active + MGMD_CONTROL_IDLE_MS;
		if (now >= at) {
			client_close(c->clients[i]);
			continue;
		}
		if (at < next)
			next = at;
	}
	return next;
}

/* Whether a server answers on path: connect() fails with ECONNREFUSED on a socket file whose
 * server is gone (the file is then stale). 1 live, 0 stale, or a negative errno. */
static int probe(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int r = 1;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		if (errno == ECONNREFUSED)
			r = 0;
		else if (errno != EAGAIN) /* EAGAIN: backlog full, so somebody listens */
			r = -errno;
	}
	close(fd);
	return r;
}

/* Binds fd to sa with mode 0660 (the umask decides a socket file's mode). */
static int bind_0660(int fd, const struct sockaddr_un *sa)
{
	mode_t old = umask(0117);
	int r = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;

	umask(old);
	errno = e;
	return r;
}

static int bind_path(int fd, const char *path, const struct sockaddr_un *sa, char *err,
		     size_t errlen)
{
	struct stat st;
	int r;

	if (bind_0660(fd, sa) == 0)
		return 0;
	if (errno != EADDRINUSE)
		goto fail;
	if (lstat(path, &st) < 0)
		goto fail;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control socket %s: the path exists and is not a socket",
			 path);
		return -EEXIST;
	}
	r = probe(sa);
	if (r > 0) {
		snprintf(err, errlen, "another mgmd is running on %s", path);
		return -EADDRINUSE;
	}
	if (r < 0) {
		snprintf(err, errlen, "control socket %s: cannot tell whether it is in use: %s",
			 path, strerror(-r));
		return r;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		goto fail;
	if (bind_0660(fd, sa) == 0)
		return 0;
fail:
	r = -errno;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	return r;
}

int mgmd_control_open(struct mgmd_control **out, struct mgmd_loop *loop, const char *path,
		      char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct mgmd_control *c;
	struct stat st;
	int r;

	*out = NULL;
	if (!path || !path[0] || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path is empty or longer than %zu bytes: %s",
			 sizeof(sa.sun_path) - 1, path ? path : "");
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path)) || !(c->tok = json_tokener_new_ex(JSON_DEPTH))) {
		snprintf(err, errlen, "control socket: out of memory");
		r = -ENOMEM;
		goto fail;
	}
	json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
					       JSON_TOKENER_VALIDATE_UTF8);
	c->loop = loop;
	c->accept_retry = INT64_MAX;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	r = bind_path(c->fd, path, &sa, err, errlen);
	if (r < 0)
		goto fail_fd;
	if (lstat(path, &st) == 0) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	if (listen(c->fd, LISTEN_BACKLOG) < 0) {
		r = -errno;
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		goto fail_bound;
	}
	r = mgmd_loop_add(loop, c->fd, EPOLLIN, on_listen, c);
	if (r < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(-r));
		goto fail_bound;
	}
	*out = c;
	return 0;
fail_bound:
	unlink(path);
fail_fd:
	close(c->fd);
fail:
	if (c) {
		if (c->tok)
			json_tokener_free(c->tok);
		free(c->path);
		free(c);
	}
	return r;
}

int mgmd_control_register(struct mgmd_control *c, const char *command, mgmd_control_fn fn,
			  void *ctx)
{
	struct command *cmds;
	char *name;

	if (find_command(c, command))
		return -EEXIST;
	name = strdup(command);
	if (!name)
		return -ENOMEM;
	cmds = realloc(c->commands, (c->ncommands + 1) * sizeof(*cmds));
	if (!cmds) {
		free(name);
		return -ENOMEM;
	}
	c->commands = cmds;
	c->commands[c->ncommands++] = (struct command){name, fn, ctx};
	return 0;
}

void mgmd_control_close(struct mgmd_control *c)
{
	struct stat st;
	size_t k;
	int i;

	if (!c)
		return;
	for (i = 0; i < MGMD_CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i])
			client_close(c->clients[i]);
	mgmd_loop_del(c->loop, c->fd);
	close(c->fd);
	if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	for (k = 0; k < c->ncommands; k++)
		free(c->commands[k].name);
	free(c->commands);
	json_tokener_free(c->tok);
	free(c->path);
	free(c);
}
