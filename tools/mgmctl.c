/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmctl: asks mgmd over its control socket (daemon/control.h: one JSON request, one JSON reply,
 * each on one line) and prints the answer as aligned tables for people, the reply's result as
 * JSON for machines, or the counters in Prometheus' text exposition format. Usage in
 * doc/mgmctl.8. Exit 0 on success, 1 when mgmd cannot be reached or says no, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"  /* MGMD_SOCKET_PATH */
#include "control.h" /* MGMD_CONTROL_MAX_OUTPUT */

#ifndef MGMCTL_VERSION
#define MGMCTL_VERSION "unknown"
#endif

#define EXIT_USAGE	2
#define DEFAULT_TIMEOUT 10.0

struct opts {
	const char *socket;
	bool json, prometheus;
	double timeout;
};

static void usage(FILE *f)
{
	fputs("usage: mgmctl [--socket PATH] [--json] [--timeout SEC] COMMAND\n"
	      "Asks mgmd, the IGMP/MLD querier and multicast router, over its control socket.\n"
	      "Commands:\n"
	      "  show interfaces [IF]      roles, queriers, timers, group counts, problems\n"
	      "  show groups [IF]          memberships: filter mode, compatibility, timers, sources\n"
	      "  show sources [IF]         the sources of every group\n"
	      "  show upstream [IF]        proxying: the merged membership each upstream reports,\n"
	      "                            what it sent last, its querier and compatibility mode\n"
	      "  show routes               the kernel's multicast forwarding entries\n"
	      "  show stats                the counters (also: stats)\n"
	      "  stats [--prometheus]      the counters, or in Prometheus' text format\n"
	      "  join IF GROUP [SOURCE]    a static membership, as in mgmd.conf\n"
	      "  leave IF GROUP [SOURCE]   drops a static membership\n"
	      "  explain GROUP [SOURCE]    why GROUP's traffic is or is not forwarded, per interface\n"
	      "  reload                    re-reads mgmd's configuration file\n"
	      "Options:\n"
	      "  -s, --socket PATH         mgmd's control socket (default " MGMD_SOCKET_PATH ")\n"
	      "  -j, --json                the reply's result as JSON\n"
	      "  -t, --timeout SEC         how long to wait for mgmd (default 10)\n"
	      "      --prometheus          with stats: Prometheus text exposition format\n"
	      "  -h, --help                this text\n"
	      "  -V, --version             mgmctl's version\n",
	      f);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mgmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'mgmctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/* json-c returns NULL when it runs out of memory; mgmctl has nothing better to do then. */
static struct json_object *need(struct json_object *o)
{
	if (!o) {
		fputs("mgmctl: out of memory\n", stderr);
		exit(1);
	}
	return o;
}

static void need_ok(int r)
{
	if (r != 0) {
		fputs("mgmctl: out of memory\n", stderr);
		exit(1);
	}
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fputs("mgmctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fputs("mgmctl: out of memory\n", stderr);
		exit(1);
	}
	return d;
}

/* ---- talking to mgmd ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline, for poll(); 0 when it passed. */
static int left(int64_t deadline)
{
	int64_t l = deadline - now_ms();

	return l < 0 ? 0 : l > 1000000 ? 1000000 : (int)l;
}

static int connect_socket(const char *path, int64_t deadline)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "mgmctl: socket path longer than %zu bytes: %s\n",
			sizeof(sa.sun_path) - 1, path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "mgmctl: socket: %s\n", strerror(errno));
		return -1;
	}
	/* a UNIX socket connects at once or fails; EAGAIN means mgmd's backlog is full */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		if ((e == EAGAIN || e == EINTR) && left(deadline) > 0) {
			poll(NULL, 0, 10);
			continue;
		}
		close(fd);
		if (e == EACCES || e == EPERM)
			fprintf(stderr,
				"mgmctl: cannot connect to %s: %s (the socket is for root and mgmd's "
				"group)\n",
				path, strerror(e));
		else
			fprintf(stderr,
				"mgmctl: cannot connect to %s: %s (is mgmd running? see --socket)\n",
				path, strerror(e));
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (poll(&p, 1, left(deadline)) == 0)
			return false;
	}
	return true;
}

/* Reads one reply line into *out (NUL-terminated, newline removed). 0, or -1 after saying why. */
static int read_reply(int fd, const char *path, double timeout, int64_t deadline, char **out)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t len = 0, cap = 65536, max = (size_t)MGMD_CONTROL_MAX_OUTPUT + 65536;
	char *buf = xrealloc(NULL, cap), *nl;
	ssize_t n;
	int r;

	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= max) {
				fprintf(stderr, "mgmctl: reply from %s longer than %zu bytes\n",
					path, max);
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n > 0) {
			nl = memchr(buf + len, '\n', (size_t)n);
			len += (size_t)n;
			if (nl) {
				*nl = '\0';
				*out = buf;
				return 0;
			}
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			fprintf(stderr,
				"mgmctl: mgmd closed the connection on %s without a reply%s%s\n",
				path, n ? ": " : "", n ? strerror(errno) : "");
			break;
		}
		r = poll(&p, 1, left(deadline));
		if (r == 0) {
			fprintf(stderr,
				"mgmctl: no reply from mgmd on %s within %g s (see --timeout)\n",
				path, timeout);
			break;
		}
	}
	free(buf);
	return -1;
}

/* Sends request and returns the reply's result (to be put), or NULL after saying why. */
static struct json_object *ask(const struct opts *o, struct json_object *request)
{
	int64_t deadline = now_ms() + (int64_t)(o->timeout * 1000);
	struct json_object *reply = NULL, *ok, *v, *result = NULL;
	const char *text;
	char *line;
	size_t len;
	int fd;

	fd = connect_socket(o->socket, deadline);
	if (fd < 0)
		return NULL;
	text = json_object_to_json_string_length(
		request, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!text) {
		fputs("mgmctl: out of memory\n", stderr);
		close(fd);
		return NULL;
	}
	/* one write for the whole line; a failed send still leaves mgmd's reply, if any (too many
	 * clients), to be read */
	line = xrealloc(NULL, len + 1);
	memcpy(line, text, len);
	line[len] = '\n';
	send_all(fd, line, len + 1, deadline);
	free(line);
	if (read_reply(fd, o->socket, o->timeout, deadline, &line) < 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	reply = json_tokener_parse(line);
	if (!reply || !json_object_is_type(reply, json_type_object) ||
	    !json_object_object_get_ex(reply, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		fprintf(stderr, "mgmctl: malformed reply from %s\n", o->socket);
	} else if (!json_object_get_boolean(ok)) {
		if (json_object_object_get_ex(reply, "error", &v) &&
		    json_object_is_type(v, json_type_string))
			fprintf(stderr, "mgmctl: %s\n", json_object_get_string(v));
		else
			fprintf(stderr, "mgmctl: mgmd refused the request without saying why\n");
	} else if (!json_object_object_get_ex(reply, "result", &v) ||
		   !json_object_is_type(v, json_type_object)) {
		fprintf(stderr, "mgmctl: malformed reply from %s: no result object\n", o->socket);
	} else {
		result = json_object_get(v);
	}
	json_object_put(reply);
	free(line);
	return result;
}

/* ---- reading a result ---- */

static struct json_object *field(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* The string at key, NULL when absent or not a string. */
static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static struct json_object *array(struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key);

	return json_object_is_type(v, json_type_array) ? v : NULL;
}

static size_t count(struct json_object *arr)
{
	return arr ? json_object_array_length(arr) : 0;
}

/* Cell texts live in one static buffer per call site: callers copy them into the table. */
static const char *cell_str(struct json_object *o, const char *key)
{
	const char *s = str(o, key);

	return s && s[0] ? s : "-";
}

static const char *cell_int(char *buf, size_t n, struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key);

	if (!is_number(v))
		return "-";
	snprintf(buf, n, "%" PRId64, json_object_get_int64(v));
	return buf;
}

/* A timer as people read it: "12.3s", "1m23s", "2h05m", "3d04h"; "-" when it does not run. */
static const char *format_time(char *buf, size_t n, struct json_object *v)
{
	double s;
	long t;

	if (!is_number(v))
		return "-";
	s = json_object_get_double(v);
	if (!(s >= 0))
		s = 0;
	t = (long)s;
	if (s < 60)
		snprintf(buf, n, "%.1fs", floor(s * 10) / 10); /* 59.96 is not yet 60.0 */
	else if (s < 3600)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else if (s < 86400)
		snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, n, "%ldd%02ldh", t / 86400, t / 3600 % 24);
	return buf;
}

static const char *cell_time(char *buf, size_t n, struct json_object *o, const char *key)
{
	return format_time(buf, n, field(o, key));
}

static bool flag(struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key);

	return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* Whether the row's interface is the one asked for (all when none was). */
static bool wanted(struct json_object *row, const char *key, const char *ifname)
{
	const char *s;

	if (!ifname)
		return true;
	s = str(row, key);
	return s && strcmp(s, ifname) == 0;
}

/* ---- tables ---- */

struct table {
	int ncols;
	const char *const *head;
	const char *right; /* 'r' for each right-aligned column */
	char **cells;	   /* nrows * ncols */
	size_t nrows;
};

static void row(struct table *t, ...)
{
	va_list ap;
	int i;

	t->cells = xrealloc(t->cells, (t->nrows + 1) * (size_t)t->ncols * sizeof(char *));
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] =
			xstrdup(va_arg(ap, const char *));
	va_end(ap);
	t->nrows++;
}

/* Prints the header and rows, columns two spaces apart, no trailing blanks; frees the rows. */
static void print_table(struct table *t)
{
	size_t w[16] = {0}, r, len;
	int i, last;

	for (i = 0; i < t->ncols; i++)
		w[i] = strlen(t->head[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols; i++) {
			len = strlen(t->cells[r * (size_t)t->ncols + (size_t)i]);
			if (len > w[i])
				w[i] = len;
		}
	for (r = 0; r <= t->nrows; r++) {
		char **cells = r ? &t->cells[(r - 1) * (size_t)t->ncols] : NULL;

		/* the last column with text: nothing is printed after it */
		for (last = t->ncols - 1; last > 0; last--)
			if ((cells ? cells[last] : t->head[last])[0])
				break;
		for (i = 0; i <= last; i++) {
			const char *s = cells ? cells[i] : t->head[i];
			int pad = (int)(w[i] - strlen(s));

			if (i)
				fputs("  ", stdout);
			if (t->right[i] == 'r')
				printf("%*s%s", pad, "", s);
			else if (i < last)
				printf("%s%*s", s, pad, "");
			else
				fputs(s, stdout);
		}
		putchar('\n');
	}
	for (r = 0; r < t->nrows * (size_t)t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

/* ---- the commands' human forms ---- */

static const char *protocol(char *buf, size_t n, struct json_object *fam)
{
	const char *p = str(fam, "protocol");
	struct json_object *v = field(fam, "version");

	if (!p || !is_number(v))
		return "-";
	snprintf(buf, n, "%s%s%" PRId64, strcmp(p, "igmp") == 0 ? "IGMP" : "MLD",
		 strcmp(p, "igmp") && strcmp(p, "mld") ? "?" : "v", json_object_get_int64(v));
	return buf;
}

static void interface_row(struct table *t, struct json_object *i, struct json_object *fam)
{
	char proto[32], timer[32], groups[32], sources[32], vif[32];
	const char *querier;
	struct json_object *tv;

	if (!fam) {
		row(t, cell_str(i, "name"), cell_str(i, "role"), cell_str(i, "oper-status"), "-",
		    "-", "-", "-", "-", "-");
		return;
	}
	if (!flag(fam, "enabled"))
		querier = "disabled";
	else if (!flag(fam, "running"))
		querier = "waiting"; /* for a link, an address, a VIF: see the problems */
	else if (!strcmp(cell_str(i, "role"), "upstream"))
		querier = str(fam, "querier-address") ? str(fam, "querier-address") : "none heard";
	else if (flag(fam, "querier"))
		querier = "self";
	else
		querier = cell_str(fam, "querier-address");
	/* ours: the next General Query; another's: its Other Querier Present timer */
	tv = flag(fam, "querier") ? field(fam, "next-query")
				  : field(fam, "other-querier-present-timer");
	row(t, cell_str(i, "name"), cell_str(i, "role"), cell_str(i, "oper-status"),
	    protocol(proto, sizeof(proto), fam), querier, format_time(timer, sizeof(timer), tv),
	    cell_int(groups, sizeof(groups), fam, "group-count"),
	    cell_int(sources, sizeof(sources), fam, "source-count"),
	    cell_int(vif, sizeof(vif), fam, "vif"));
}

static void show_interfaces(struct json_object *res, const char *ifname)
{
	static const char *const head[] = {"INTERFACE", "ROLE",	  "STATE",   "PROTOCOL", "QUERIER",
					   "TIMER",	"GROUPS", "SOURCES", "VIF"};
	struct table t = {9, head, "     rrrr", NULL, 0};
	struct json_object *ifs = array(res, "interfaces"), *i, *v4, *v6, *probs;
	size_t k, p;
	bool any = false;

	for (k = 0; k < count(ifs); k++) {
		i = json_object_array_get_idx(ifs, k);
		if (!wanted(i, "name", ifname))
			continue;
		v4 = field(i, "ipv4");
		v6 = field(i, "ipv6");
		v4 = json_object_is_type(v4, json_type_object) ? v4 : NULL;
		v6 = json_object_is_type(v6, json_type_object) ? v6 : NULL;
		if (v4 || !v6)
			interface_row(&t, i, v4);
		if (v6)
			interface_row(&t, i, v6);
	}
	print_table(&t);
	for (k = 0; k < count(ifs); k++) {
		i = json_object_array_get_idx(ifs, k);
		probs = array(i, "problems");
		if (!wanted(i, "name", ifname))
			continue;
		for (p = 0; p < count(probs); p++) {
			struct json_object *s = json_object_array_get_idx(probs, p);

			if (!json_object_is_type(s, json_type_string))
				continue;
			if (!any)
				putchar('\n');
			any = true;
			printf("%s: %s\n", cell_str(i, "name"), json_object_get_string(s));
		}
	}
}

static const char *compat(char *buf, size_t n, struct json_object *g)
{
	const char *fam = str(g, "family");
	struct json_object *v = field(g, "version");

	if (!fam || !is_number(v))
		return "-";
	snprintf(buf, n, "%s%" PRId64, strcmp(fam, "ipv6") == 0 ? "MLDv" : "IGMPv",
		 json_object_get_int64(v));
	return buf;
}

static void show_groups(struct json_object *res, const char *ifname)
{
	static const char *const head[] = {"INTERFACE", "GROUP",   "MODE",
					   "COMPAT",	"EXPIRES", "LAST REPORTER"};
	struct table t = {6, head, "      ", NULL, 0};
	struct json_object *groups = array(res, "groups"), *g, *srcs, *s;
	char ver[32], exp[32], src[128];
	size_t k, j;

	for (k = 0; k < count(groups); k++) {
		g = json_object_array_get_idx(groups, k);
		if (!wanted(g, "interface", ifname))
			continue;
		row(&t, cell_str(g, "interface"), cell_str(g, "group-address"),
		    cell_str(g, "filter-mode"), compat(ver, sizeof(ver), g),
		    cell_time(exp, sizeof(exp), g, "expire"),
		    flag(g, "static") ? "static" : cell_str(g, "last-reporter"));
		srcs = array(g, "source");
		for (j = 0; j < count(srcs); j++) {
			s = json_object_array_get_idx(srcs, j);
			snprintf(src, sizeof(src), "  %s", cell_str(s, "source-address"));
			row(&t, "", src, flag(s, "forwarding") ? "forward" : "block", "",
			    cell_time(exp, sizeof(exp), s, "expire"), "");
		}
	}
	print_table(&t);
}

static void show_sources(struct json_object *res, const char *ifname)
{
	static const char *const head[] = {"INTERFACE", "GROUP", "SOURCE", "EXPIRES", "FORWARDING"};
	struct table t = {5, head, "     ", NULL, 0};
	struct json_object *srcs = array(res, "sources"), *s;
	char exp[32];
	size_t k;

	for (k = 0; k < count(srcs); k++) {
		s = json_object_array_get_idx(srcs, k);
		if (!wanted(s, "interface", ifname))
			continue;
		row(&t, cell_str(s, "interface"), cell_str(s, "group-address"),
		    cell_str(s, "source-address"), cell_time(exp, sizeof(exp), s, "expire"),
		    flag(s, "forwarding") ? "yes" : "no");
	}
	print_table(&t);
}

/* "a, b, c" of a JSON array of strings, "-" when empty. */
static char *join_strings(struct json_object *arr)
{
	char *out = xstrdup("");
	size_t len = 0;

	for (size_t i = 0; i < count(arr); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
		size_t n = strlen(s);

		out = xrealloc(out, len + n + 3);
		if (len) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, s, n + 1);
		len += n;
	}
	if (!len) {
		free(out);
		out = xstrdup("-");
	}
	return out;
}

static const char *ms_text(char *buf, size_t n, struct json_object *o, const char *key)
{
	struct json_object *v = field(o, key);

	if (!is_number(v) || json_object_get_int64(v) < 0)
		return "-";
	snprintf(buf, n, "%.1fs", (double)json_object_get_int64(v) / 1000.0);
	return buf;
}

static void show_upstream(struct json_object *res)
{
	static const char *const head[] = {"GROUP", "MODE", "SOURCES", "FROM"};
	struct json_object *ups = array(res, "upstreams");
	char a[32], b[32], c[32];

	if (!count(ups))
		puts("no upstream interface (proxying needs role upstream: --upstream IF)");
	for (size_t k = 0; k < count(ups); k++) {
		struct json_object *u = json_object_array_get_idx(ups, k), *q, *lr, *oq;
		struct json_object *groups = array(u, "groups");
		struct table t = {4, head, "    ", NULL, 0};
		char *served = join_strings(array(u, "groups-served"));
		bool v6 = str(u, "family") && !strcmp(str(u, "family"), "ipv6");

		printf("%s%s %s upstream %s: %s, %s%s operating (v%s configured), address %s\n",
		       k ? "\n" : "", cell_str(u, "interface"), v6 ? "MLD" : "IGMP",
		       cell_int(a, sizeof(a), u, "index"), cell_str(u, "state"),
		       v6 ? "MLDv" : "IGMPv", cell_int(b, sizeof(b), u, "operating-version"),
		       cell_int(c, sizeof(c), u, "configured-version"), cell_str(u, "address"));
		if (str(u, "problem") && str(u, "problem")[0])
			printf("  problem: %s\n", str(u, "problem"));
		printf("  serves: %s\n", strcmp(served, "-") ? served : "every group");
		free(served);
		q = field(u, "querier");
		if (q && json_object_is_type(q, json_type_object))
			printf("  querier: %s (%sv%s), last query %s ago\n", cell_str(q, "address"),
			       v6 ? "MLD" : "IGMP", cell_int(a, sizeof(a), q, "version"),
			       ms_text(b, sizeof(b), q, "ago-ms"));
		else
			puts("  querier: none heard");
		oq = field(u, "older-version-querier-present");
		oq = oq ? oq : field(u, "older-version-querier-present-ms");
		if (is_number(field(oq, "v1")) && json_object_get_int64(field(oq, "v1")) >= 0)
			printf("  older version querier present: v1 for %s\n",
			       ms_text(a, sizeof(a), oq, "v1"));
		if (is_number(field(oq, "v2")) && json_object_get_int64(field(oq, "v2")) >= 0)
			printf("  older version querier present: v2 for %s\n",
			       ms_text(a, sizeof(a), oq, "v2"));
		lr = field(u, "last-report");
		if (lr && json_object_is_type(lr, json_type_object))
			printf("  last sent %s ago: %s\n", ms_text(a, sizeof(a), lr, "ago-ms"),
			       cell_str(lr, "message"));
		else
			puts("  last sent: nothing yet");
		printf("  keep-joined %s, leave-holddown %s\n",
		       ms_text(a, sizeof(a), u, "keep-joined-ms")[0] == '0'
			       ? "off"
			       : ms_text(a, sizeof(a), u, "keep-joined-ms"),
		       ms_text(b, sizeof(b), u, "leave-holddown-ms")[0] == '0'
			       ? "off"
			       : ms_text(b, sizeof(b), u, "leave-holddown-ms"));
		for (size_t g = 0; g < count(groups); g++) {
			struct json_object *gr = json_object_array_get_idx(groups, g);
			struct json_object *downs = array(gr, "downstream");
			char *srcs = join_strings(array(gr, "sources"));

			row(&t, cell_str(gr, "group"), cell_str(gr, "filter-mode"), srcs,
			    count(downs) ? "" : "-");
			free(srcs);
			for (size_t i = 0; i < count(downs); i++) {
				struct json_object *dn = json_object_array_get_idx(downs, i);
				char *ds = join_strings(array(dn, "sources"));
				char from[96];

				snprintf(from, sizeof(from), "%s%s%s", cell_str(dn, "interface"),
					 is_number(field(dn, "holddown-ms")) &&
							 json_object_get_int64(
								 field(dn, "holddown-ms")) >= 0
						 ? ", leaving in "
						 : "",
					 is_number(field(dn, "holddown-ms")) &&
							 json_object_get_int64(
								 field(dn, "holddown-ms")) >= 0
						 ? ms_text(a, sizeof(a), dn, "holddown-ms")
						 : "");
				row(&t, "", cell_str(dn, "filter-mode"), ds, from);
				free(ds);
			}
		}
		if (t.nrows)
			print_table(&t);
		else
			puts("  no group reported");
	}
}

static void show_routes(struct json_object *res)
{
	static const char *const head[] = {"SOURCE",  "GROUP", "INPUT",	   "OUTPUTS",
					   "PACKETS", "BYTES", "WRONG IF", "AGE"};
	struct table t = {8, head, "    rrrr", NULL, 0};
	struct json_object *routes = array(res, "routes"), *r, *outs, *o;
	char pk[32], by[32], wr[32], age[32], *list;
	size_t k, j, len;

	for (k = 0; k < count(routes); k++) {
		r = json_object_array_get_idx(routes, k);
		outs = array(r, "outputs");
		list = xstrdup("");
		len = 0;
		for (j = 0; j < count(outs); j++) {
			o = json_object_array_get_idx(outs, j);
			if (!json_object_is_type(o, json_type_string))
				continue;
			list = xrealloc(list, len + (size_t)json_object_get_string_len(o) + 2);
			len += (size_t)sprintf(list + len, "%s%s", len ? "," : "",
					       json_object_get_string(o));
		}
		row(&t, cell_str(r, "source-address"), cell_str(r, "group-address"),
		    cell_str(r, "input"), len ? list : "-", cell_int(pk, sizeof(pk), r, "packets"),
		    cell_int(by, sizeof(by), r, "bytes"), cell_int(wr, sizeof(wr), r, "wrong-if"),
		    cell_time(age, sizeof(age), r, "age"));
		free(list);
	}
	print_table(&t);
}

static void show_explain(struct json_object *res)
{
	struct json_object *ifs = array(res, "interfaces"), *i;
	size_t k;

	for (k = 0; k < count(ifs); k++) {
		i = json_object_array_get_idx(ifs, k);
		printf("%s %s: %s: %s\n", cell_str(i, "interface"), cell_str(i, "family"),
		       flag(i, "forwarded") ? "forwarded" : "not forwarded", cell_str(i, "reason"));
	}
}

static void show_reload(struct json_object *res)
{
	struct json_object *w = array(res, "warnings"), *s;
	size_t k;

	for (k = 0; k < count(w); k++) {
		s = json_object_array_get_idx(w, k);
		if (json_object_is_type(s, json_type_string))
			fprintf(stderr, "mgmctl: warning: %s\n", json_object_get_string(s));
	}
}

/* ---- counters ---- */

/* Appends s to a growing string. */
struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = xrealloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void puts_text(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* A metric or label name as Prometheus allows it ([a-zA-Z_:][a-zA-Z0-9_:]*, no ':' in labels):
 * every other byte becomes '_'. */
static void put_name(struct text *t, const char *s, bool label)
{
	size_t i;

	if (!s[0])
		puts_text(t, "_");
	for (i = 0; s[i]; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (c == ':' && !label) || (i > 0 && c >= '0' && c <= '9');

		put(t, ok ? &c : "_", 1);
	}
}

/* Escapes backslash and newline (and the double quote in label values) as the text exposition
 * format requires. */
static void put_escaped(struct text *t, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_text(t, "\\\\");
		else if (*s == '\n')
			puts_text(t, "\\n");
		else if (*s == '"' && quote)
			puts_text(t, "\\\"");
		else
			put(t, s, 1);
	}
}

/* The shortest text that reads back as the same double. */
static void put_number(struct text *t, struct json_object *v)
{
	char buf[64];
	double d;
	int p;

	if (json_object_is_type(v, json_type_int)) {
		snprintf(buf, sizeof(buf), "%" PRId64, json_object_get_int64(v));
	} else if (json_object_is_type(v, json_type_boolean)) {
		snprintf(buf, sizeof(buf), "%d", json_object_get_boolean(v) ? 1 : 0);
	} else {
		d = json_object_get_double(v);
		if (isnan(d))
			snprintf(buf, sizeof(buf), "NaN");
		else if (isinf(d))
			snprintf(buf, sizeof(buf), d > 0 ? "+Inf" : "-Inf");
		else
			for (p = 1; p <= 17; p++) {
				snprintf(buf, sizeof(buf), "%.*g", p, d);
				if (strtod(buf, NULL) == d)
					break;
			}
	}
	puts_text(t, buf);
}

/* "NAME{k="v",...}" of a sample. */
static void put_series(struct text *t, struct json_object *sample)
{
	struct json_object *labels = field(sample, "labels");
	bool first = true;

	put_name(t, str(sample, "name"), false);
	if (!json_object_is_type(labels, json_type_object) ||
	    json_object_object_length(labels) == 0)
		return;
	puts_text(t, "{");
	json_object_object_foreach(labels, key, val)
	{
		if (!first)
			puts_text(t, ",");
		first = false;
		put_name(t, key, true);
		puts_text(t, "=\"");
		put_escaped(t,
			    json_object_is_type(val, json_type_string)
				    ? json_object_get_string(val)
				    : json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN),
			    true);
		puts_text(t, "\"");
	}
	puts_text(t, "}");
}

struct sample {
	struct json_object *o;
	const char *name;
	char *line; /* "NAME{labels} VALUE" */
	size_t index;
};

static int by_line(const void *a, const void *b)
{
	return strcmp(((const struct sample *)a)->line, ((const struct sample *)b)->line);
}

/* Same name together (the exposition format wants a family's samples in one group), in the
 * order mgmd gave them otherwise. */
static int by_name(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void show_stats(struct json_object *res, bool prometheus)
{
	struct json_object *counters = array(res, "counters"), *c, *v;
	size_t k, n = 0, total = count(counters);
	struct sample *s = xrealloc(NULL, (total ? total : 1) * sizeof(*s));
	struct text t = {0};

	for (k = 0; k < total; k++) {
		c = json_object_array_get_idx(counters, k);
		v = field(c, "value");
		if (!str(c, "name") || !(is_number(v) || json_object_is_type(v, json_type_boolean)))
			continue;
		t.len = 0;
		put_series(&t, c);
		puts_text(&t, " ");
		put_number(&t, v);
		s[n] = (struct sample){c, str(c, "name"), xstrdup(t.s), k};
		n++;
	}
	qsort(s, n, sizeof(*s), prometheus ? by_name : by_line);
	for (k = 0; k < n; k++) {
		if (prometheus && (k == 0 || strcmp(s[k].name, s[k - 1].name) != 0)) {
			const char *help = str(s[k].o, "help");
			size_t nl = strlen(s[k].name);
			bool total_ = nl >= 6 && strcmp(s[k].name + nl - 6, "_total") == 0;

			t.len = 0;
			if (help) {
				puts_text(&t, "# HELP ");
				put_name(&t, s[k].name, false);
				puts_text(&t, " ");
				put_escaped(&t, help, false);
				puts_text(&t, "\n");
			}
			puts_text(&t, "# TYPE ");
			put_name(&t, s[k].name, false);
			puts_text(&t, total_ ? " counter\n" : " gauge\n");
			fputs(t.s, stdout);
		}
		puts(s[k].line);
		free(s[k].line);
	}
	free(t.s);
	free(s);
}

/* ---- command line ---- */

/* Builds the request for argv (the words after the options); NULL after a usage error. */
static struct json_object *build_request(int argc, char **argv, const struct opts *o,
					 const char **what)
{
	static const char *const shows[] = {"interfaces", "groups", "sources",
					    "upstream",	  "routes", "stats"};
	struct json_object *req = need(json_object_new_object());
	const char *cmd = argv[0];
	char name[32];
	size_t i;
	int max = 1;

	if (strcmp(cmd, "show") == 0) {
		if (argc < 2) {
			usage_error("show what? interfaces, groups, sources, upstream, routes or "
				    "stats");
			goto fail;
		}
		for (i = 0; i < sizeof(shows) / sizeof(shows[0]); i++)
			if (strcmp(argv[1], shows[i]) == 0)
				break;
		if (i == sizeof(shows) / sizeof(shows[0])) {
			usage_error(
				"cannot show '%s': interfaces, groups, sources, upstream, routes or "
				"stats",
				argv[1]);
			goto fail;
		}
		*what = shows[i];
		max = i < 4 ? 3 : 2;
		if (argc > max)
			goto extra;
		snprintf(name, sizeof(name), "show-%s", shows[i]);
		need_ok(json_object_object_add(req, "command", need(json_object_new_string(name))));
		if (argc == 3)
			need_ok(json_object_object_add(req, "interface",
						       need(json_object_new_string(argv[2]))));
	} else if (strcmp(cmd, "stats") == 0) {
		*what = "stats";
		if (argc > 1)
			goto extra;
		need_ok(json_object_object_add(req, "command",
					       need(json_object_new_string("show-stats"))));
	} else if (strcmp(cmd, "join") == 0 || strcmp(cmd, "leave") == 0) {
		*what = cmd;
		if (argc < 3) {
			usage_error("%s needs an interface and a group", cmd);
			goto fail;
		}
		if (argc > 4)
			goto extra;
		need_ok(json_object_object_add(req, "command", need(json_object_new_string(cmd))));
		need_ok(json_object_object_add(req, "interface",
					       need(json_object_new_string(argv[1]))));
		need_ok(json_object_object_add(req, "group",
					       need(json_object_new_string(argv[2]))));
		if (argc == 4)
			need_ok(json_object_object_add(req, "source",
						       need(json_object_new_string(argv[3]))));
	} else if (strcmp(cmd, "explain") == 0) {
		*what = cmd;
		if (argc < 2) {
			usage_error("explain needs a group");
			goto fail;
		}
		if (argc > 3)
			goto extra;
		need_ok(json_object_object_add(req, "command", need(json_object_new_string(cmd))));
		need_ok(json_object_object_add(req, "group",
					       need(json_object_new_string(argv[1]))));
		if (argc == 3)
			need_ok(json_object_object_add(req, "source",
						       need(json_object_new_string(argv[2]))));
	} else if (strcmp(cmd, "reload") == 0) {
		*what = cmd;
		if (argc > 1)
			goto extra;
		need_ok(json_object_object_add(req, "command", need(json_object_new_string(cmd))));
	} else {
		usage_error("unknown command '%s'", cmd);
		goto fail;
	}
	if (o->prometheus && strcmp(*what, "stats") != 0) {
		usage_error("--prometheus goes with stats only");
		goto fail;
	}
	return req;
extra:
	usage_error("too many arguments for %s", cmd);
fail:
	json_object_put(req);
	return NULL;
}

int main(int argc, char **argv)
{
	enum { OPT_PROMETHEUS = 256 };
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"prometheus", no_argument, NULL, OPT_PROMETHEUS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.socket = MGMD_SOCKET_PATH, .timeout = DEFAULT_TIMEOUT};
	struct json_object *req, *res;
	const char *what = NULL;
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:jt:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 't':
			errno = 0;
			o.timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.timeout > 0) || o.timeout > 86400)
				return usage_error("--timeout wants seconds (0 < SEC <= 86400): %s",
						   optarg);
			break;
		case OPT_PROMETHEUS:
			o.prometheus = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mgmctl %s\n", MGMCTL_VERSION);
			return 0;
		case ':':
			return usage_error("%s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option -%c", optopt);
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o.json && o.prometheus)
		return usage_error("--json and --prometheus exclude each other");
	req = build_request(argc - optind, argv + optind, &o, &what);
	if (!req)
		return EXIT_USAGE;
	res = ask(&o, req);
	json_object_put(req);
	if (!res)
		return 1;
	if (o.json)
		puts(json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (strcmp(what, "interfaces") == 0)
		show_interfaces(res, argc - optind == 3 ? argv[optind + 2] : NULL);
	else if (strcmp(what, "groups") == 0)
		show_groups(res, argc - optind == 3 ? argv[optind + 2] : NULL);
	else if (strcmp(what, "sources") == 0)
		show_sources(res, argc - optind == 3 ? argv[optind + 2] : NULL);
	else if (strcmp(what, "upstream") == 0)
		show_upstream(res);
	else if (strcmp(what, "routes") == 0)
		show_routes(res);
	else if (strcmp(what, "stats") == 0)
		show_stats(res, o.prometheus);
	else if (strcmp(what, "explain") == 0)
		show_explain(res);
	else if (strcmp(what, "reload") == 0)
		show_reload(res);
	json_object_put(res);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mgmctl: cannot write the output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
