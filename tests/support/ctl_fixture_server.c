/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A stand-in for mgmd's control socket, for tests/unit/test_mgmctl.sh: daemon/control.c serving
 * answers the test wrote. Usage: ctl_fixture_server SOCKET DIR. For a request whose command is
 * NAME it answers DIR/NAME.json as the result, or DIR/NAME.error's first line as the error
 * sentence; DIR/NAME.sleep holds milliseconds to stall first (the loop blocks: a daemon that
 * hangs). Every request is appended to DIR/requests, one line each. SIGTERM or SIGINT stops it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "control.h"
#include "loop.h"

static const char *const commands[] = {
	"show-interfaces", "show-groups", "show-sources", "show-routes", "show-stats",
	"explain",	   "join",	  "leave",	  "reload",
};

struct server {
	const char *dir;
	struct mgmd_loop *loop;
	struct mgmd_control *control;
};

struct command {
	struct server *s;
	const char *name;
};

/* The file's first line without its newline, or NULL when there is no such file. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return strdup("");
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static struct json_object *answer(void *ctx, struct json_object *request, char *err, size_t errlen)
{
	const struct command *cmd = ctx;
	char path[4096], *text;
	struct json_object *result;
	FILE *log;

	snprintf(path, sizeof(path), "%s/requests", cmd->s->dir);
	log = fopen(path, "a");
	if (log) {
		fprintf(log, "%s\n",
			json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN));
		fclose(log);
	}
	snprintf(path, sizeof(path), "%s/%s.sleep", cmd->s->dir, cmd->name);
	text = first_line(path);
	if (text) {
		long ms = strtol(text, NULL, 10);
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

		nanosleep(&ts, NULL);
		free(text);
	}
	snprintf(path, sizeof(path), "%s/%s.error", cmd->s->dir, cmd->name);
	text = first_line(path);
	if (text) {
		snprintf(err, errlen, "%s", text);
		free(text);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.json", cmd->s->dir, cmd->name);
	result = json_object_from_file(path);
	if (!result)
		snprintf(err, errlen, "fixture %s: %s", path, json_util_get_last_err());
	return result;
}

static int64_t on_timer(void *ctx, int64_t now)
{
	struct server *s = ctx;

	return mgmd_control_timer(s->control, now);
}

static void on_signal(void *ctx, int signo)
{
	struct server *s = ctx;

	mgmd_loop_stop(s->loop);
}

int main(int argc, char **argv)
{
	struct command cmds[sizeof(commands) / sizeof(commands[0])];
	struct server s = {0};
	char err[512];
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: ctl_fixture_server SOCKET DIR\n");
		return 2;
	}
	s.dir = argv[2];
	if (mgmd_loop_create(&s.loop, err, sizeof(err)) < 0 ||
	    mgmd_loop_signal(s.loop, SIGTERM, on_signal, &s) < 0 ||
	    mgmd_loop_signal(s.loop, SIGINT, on_signal, &s) < 0 ||
	    mgmd_control_open(&s.control, s.loop, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "ctl_fixture_server: %s\n", err);
		return 1;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		cmds[i] = (struct command){&s, commands[i]};
		if (mgmd_control_register(s.control, commands[i], answer, &cmds[i]) < 0)
			return 1;
	}
	mgmd_loop_set_timer(s.loop, on_timer, &s);
	if (mgmd_loop_run(s.loop) < 0)
		return 1;
	mgmd_control_close(s.control);
	mgmd_loop_destroy(s.loop);
	return 0;
}
