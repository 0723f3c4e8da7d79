/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd: IGMP / MLD querier and multicast router. Options and configuration, startup in the
 * order privileges allow (sockets first, then capabilities dropped), the event loop, reload on
 * SIGHUP or mgmctl, and a clean kernel on the way out.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "loop.h"
#include "mgmd.h"
#include "netlink.h"
#include "notify.h"
#include "privs.h"

#ifndef MGMD_VERSION
#define MGMD_VERSION "unknown"
#endif

#define MSGLEN 8192

/* What the command line asks for besides the file; applied again on every reload. */
struct cli {
	const char *file;
	const char **up, **down, **querier;
	size_t n_up, n_down, n_querier;
	int igmp_version, mld_version; /* 0: default */
	bool no_ipv4, no_ipv6, fast_leave, no_forwarding;
	const char *socket_path, *user;
	long table; /* -1: from the file */
	bool check, foreground;
	int verbosity;
};

static void usage(FILE *f)
{
	fputs("usage: mgmd [-f FILE] [--upstream IF]... [--downstream IF]... [--querier IF]...\n"
	      "            [--igmp-version 1|2|3] [--mld-version 1|2] [--no-ipv4] [--no-ipv6]\n"
	      "            [--fast-leave] [--no-forwarding] [--socket PATH] [--table N]\n"
	      "            [-u USER] [-n] [-F] [-v]...\n"
	      "IGMP/MLD querier, multicast router and proxy (RFC 4605).\n"
	      "  -f, --config FILE      read the configuration file (mgmd.conf(5))\n"
	      "      --upstream IF      towards the sources: reports the downstream membership\n"
	      "                         there (proxy; repeatable, first gets every group)\n"
	      "      --downstream IF    an interface with receivers (router mode; repeatable)\n"
	      "      --querier IF       querier only, no forwarding (repeatable)\n"
	      "                         IF may be a pattern: ppp+, wg*, eth[0-3]\n"
	      "      --igmp-version N   IGMP version on the command line's interfaces (3)\n"
	      "      --mld-version N    MLD version on the command line's interfaces (2)\n"
	      "      --no-ipv4          no IGMP on the command line's interfaces\n"
	      "      --no-ipv6          no MLD on the command line's interfaces\n"
	      "      --fast-leave       stop a stream the moment its last reporter leaves\n"
	      "      --no-forwarding    no kernel multicast routing: membership and upstream\n"
	      "                         reports only (forwarding off in mgmd.conf)\n"
	      "      --socket PATH      control socket (" MGMD_SOCKET_PATH ")\n"
	      "      --table N          kernel multicast routing table (0: the default)\n"
	      "  -u, --user USER        run as USER after setup, keeping two capabilities\n"
	      "  -n, --check            validate the configuration and exit (0 good, 1 not)\n"
	      "  -F, --foreground       log to standard error (systemd runs it so)\n"
	      "  -v, --verbose          more log (-vv: every packet-level event)\n"
	      "  -h, --help             this text;  -V, --version  the version\n",
	      f);
}

static int parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "mgmd: %s: expected %ld..%ld, got '%s'\n", opt, lo, hi, s);
		exit(2);
	}
	return (int)v;
}

static void push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv) {
		fputs("mgmd: out of memory\n", stderr);
		exit(1);
	}
	nv[(*n)++] = s;
	*v = nv;
}

static void parse_args(int argc, char **argv, struct cli *c)
{
	enum {
		O_UP = 256,
		O_DOWN,
		O_QUERIER,
		O_IGMPV,
		O_MLDV,
		O_NO4,
		O_NO6,
		O_FAST,
		O_SOCK,
		O_TABLE,
		O_NOFWD
	};
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'f'},
		{"upstream", required_argument, NULL, O_UP},
		{"downstream", required_argument, NULL, O_DOWN},
		{"querier", required_argument, NULL, O_QUERIER},
		{"igmp-version", required_argument, NULL, O_IGMPV},
		{"mld-version", required_argument, NULL, O_MLDV},
		{"no-ipv4", no_argument, NULL, O_NO4},
		{"no-ipv6", no_argument, NULL, O_NO6},
		{"fast-leave", no_argument, NULL, O_FAST},
		{"no-forwarding", no_argument, NULL, O_NOFWD},
		{"socket", required_argument, NULL, O_SOCK},
		{"table", required_argument, NULL, O_TABLE},
		{"user", required_argument, NULL, 'u'},
		{"check", no_argument, NULL, 'n'},
		{"foreground", no_argument, NULL, 'F'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int o;

	memset(c, 0, sizeof(*c));
	c->table = -1;
	while ((o = getopt_long(argc, argv, "f:u:nFvhV", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			c->file = optarg;
			break;
		case O_UP:
			push(&c->up, &c->n_up, optarg);
			break;
		case O_DOWN:
			push(&c->down, &c->n_down, optarg);
			break;
		case O_QUERIER:
			push(&c->querier, &c->n_querier, optarg);
			break;
		case O_IGMPV:
			c->igmp_version = parse_num("--igmp-version", optarg, 1, 3);
			break;
		case O_MLDV:
			c->mld_version = parse_num("--mld-version", optarg, 1, 2);
			break;
		case O_NO4:
			c->no_ipv4 = true;
			break;
		case O_NO6:
			c->no_ipv6 = true;
			break;
		case O_FAST:
			c->fast_leave = true;
			break;
		case O_NOFWD:
			c->no_forwarding = true;
			break;
		case O_SOCK:
			if (strlen(optarg) >= MGMD_SOCKET_PATH_MAX) {
				fprintf(stderr, "mgmd: --socket: at most %d characters\n",
					MGMD_SOCKET_PATH_MAX - 1);
				exit(2);
			}
			c->socket_path = optarg;
			break;
		case O_TABLE:
			c->table = parse_num("--table", optarg, 0, 99999999);
			break;
		case 'u':
			c->user = optarg;
			break;
		case 'n':
			c->check = true;
			break;
		case 'F':
			c->foreground = true;
			break;
		case 'v':
			c->verbosity++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("mgmd %s\n", MGMD_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mgmd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (c->no_ipv4 && c->no_ipv6) {
		fputs("mgmd: --no-ipv4 and --no-ipv6 leave nothing to do\n", stderr);
		exit(2);
	}
}

static int add_cli_ifaces(struct mgmd_config *cfg, const struct cli *c, const char **names,
			  size_t n, uint8_t role, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct mgmd_iface_config *ic =
			mgmd_config_add_iface(cfg, names[i], role, err, errlen);
		char msg[256];

		if (!ic)
			return -1;
		ic->ipv4 = !c->no_ipv4;
		ic->ipv6 = !c->no_ipv6;
		if (c->igmp_version)
			ic->igmp.version = (uint8_t)c->igmp_version;
		if (c->mld_version)
			ic->mld.version = (uint8_t)c->mld_version;
		ic->igmp.fast_leave = ic->mld.fast_leave = c->fast_leave;
		if (mgm_router_config_check(&ic->igmp, msg, sizeof(msg)) < 0 ||
		    mgm_router_config_check(&ic->mld, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "interface %s: %s", names[i], msg);
			return -1;
		}
	}
	return 0;
}

/* The whole configuration: the file (if any), then the command line. 0 or -1 with err. */
static int build_config(struct mgmd_config *cfg, const struct cli *c, char *err, size_t errlen,
			char *warn, size_t warnlen)
{
	mgmd_config_init(cfg);
	err[0] = warn[0] = '\0';
	if (c->file && mgmd_config_load(cfg, c->file, err, errlen, warn, warnlen) < 0)
		return -1;
	if (add_cli_ifaces(cfg, c, c->up, c->n_up, MGMD_ROLE_UPSTREAM, err, errlen) < 0 ||
	    add_cli_ifaces(cfg, c, c->down, c->n_down, MGMD_ROLE_DOWNSTREAM, err, errlen) < 0 ||
	    add_cli_ifaces(cfg, c, c->querier, c->n_querier, MGMD_ROLE_QUERIER, err, errlen) < 0) {
		mgmd_config_free(cfg);
		return -1;
	}
	if (c->socket_path)
		snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", c->socket_path);
	if (c->table >= 0)
		cfg->table = (uint32_t)c->table;
	if (c->no_forwarding)
		cfg->forwarding = false;
	if (c->user) {
		free(cfg->user);
		cfg->user = strdup(c->user);
	}
	if (cfg->n_ifaces == 0) {
		snprintf(
			err, errlen,
			"mgmd: no interface to serve: give --downstream/--upstream, --querier, or a "
			"configuration file with interface stanzas (-f)");
		mgmd_config_free(cfg);
		return -1;
	}
	return 0;
}

/* Does some stanza route (upstream / downstream) with this family on? */
static bool routes_family(const struct mgmd_config *cfg, uint8_t family)
{
	for (size_t i = 0; i < cfg->n_ifaces; i++) {
		const struct mgmd_iface_config *ic = &cfg->ifaces[i];

		if ((ic->role == MGMD_ROLE_UPSTREAM || ic->role == MGMD_ROLE_DOWNSTREAM) &&
		    (family == MGM_INET ? ic->ipv4 : ic->ipv6))
			return true;
	}
	return false;
}

static struct mgmd the;
static struct cli opts;

static void fwd_log(void *ctx, int level, const char *text)
{
	(void)ctx;
	mgmd_log(level, "%s", text);
}

/* The default socket lives in /run/mgmd, which only systemd creates (RuntimeDirectory=):
 * started by hand, mgmd makes the directory itself (one level, root's, 0755). */
static void make_socket_dir(const char *path)
{
	char dir[MGMD_SOCKET_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%.107s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		mgmd_log(LOG_WARNING, "control socket directory %s: %s", dir, strerror(errno));
}

static int open_forwarding(struct mgmd *d, char *err, size_t errlen)
{
	struct mgmd_fwd_ops ops = {.ctx = d, .outputs = mgmd_iface_outputs, .log = fwd_log};

	for (int fi = 0; fi < 2; fi++) {
		uint8_t family = fi == 0 ? MGM_INET : MGM_INET6;
		int rc;

		if (d->fwd[fi] || !routes_family(&d->cfg, family) || !d->cfg.forwarding)
			continue;
		rc = mgmd_fwd_open(&d->fwd[fi], family, d->cfg.table, d->cfg.max_routes,
				   d->cfg.route_idle_s, &ops, d->loop, err, errlen);
		if (rc < 0)
			return rc;
		d->router_mode = true;
		if (d->cfg.table != 0)
			mgmd_log(
				LOG_NOTICE,
				"%s multicast routing table %u: the kernel uses it only for traffic "
				"that rules send there, e.g. 'ip %smrule add iif UPSTREAM lookup %u' "
				"(and one per downstream interface)",
				family == MGM_INET ? "IPv4" : "IPv6", d->cfg.table,
				family == MGM_INET ? "" : "-6 ", d->cfg.table);
	}
	return 0;
}

int mgmd_reload(struct mgmd *d, char *err, size_t errlen, char *warn, size_t warnlen)
{
	struct mgmd_config nc, old;
	int64_t now = mgmd_loop_now(d->loop);

	d->reloads++;
	if (build_config(&nc, &opts, err, errlen, warn, warnlen) < 0) {
		d->reload_failures++;
		snprintf(d->last_reload_error, sizeof(d->last_reload_error), "%s", err);
		mgmd_log(LOG_ERR, "reload refused, the running configuration stays: %s", err);
		return -1;
	}
	if (nc.table != d->cfg.table)
		mgmd_log(LOG_WARNING, "reload: table %u -> %u takes effect at the next start",
			 d->cfg.table, nc.table);
	if (strcmp(nc.socket_path, d->cfg.socket_path))
		mgmd_log(LOG_WARNING, "reload: socket %s takes effect at the next start",
			 nc.socket_path);
	nc.table = d->cfg.table;
	snprintf(nc.socket_path, sizeof(nc.socket_path), "%s", d->cfg.socket_path);
	old = d->cfg;
	d->cfg = nc;
	if (open_forwarding(d, err, errlen) < 0)
		mgmd_log(LOG_ERR, "reload: %s", err);
	mgmd_iface_apply_config(d, now);
	mgmd_config_free(&old);
	d->last_reload_error[0] = '\0';
	mgmd_log(LOG_NOTICE, "configuration reloaded%s%s", warn[0] ? "; warnings: " : "", warn);
	return 0;
}

static void on_signal(void *ctx, int signo)
{
	struct mgmd *d = ctx;
	char err[MSGLEN], warn[MSGLEN];

	if (signo == SIGHUP) {
		mgmd_notify("RELOADING=1");
		(void)mgmd_reload(d, err, sizeof(err), warn, sizeof(warn));
		mgmd_notify("READY=1");
		return;
	}
	mgmd_log(LOG_NOTICE, "signal %d: stopping", signo);
	mgmd_loop_stop(d->loop);
}

static void on_netlink(void *ctx, int fd, uint32_t events)
{
	struct mgmd *d = ctx;

	(void)fd;
	(void)events;
	if (mgmd_netlink_read(d->nl) < 0)
		MGMD_LOG_RL(5, 60000, mgmd_loop_now(d->loop), LOG_WARNING, "%s",
			    mgmd_netlink_error(d->nl));
	mgmd_iface_flush(d);
}

static int64_t on_timer(void *ctx, int64_t now)
{
	struct mgmd *d = ctx;
	int64_t next = mgmd_iface_timers(d, now), t;

	for (int fi = 0; fi < 2; fi++)
		if (d->fwd[fi]) {
			t = mgmd_fwd_timer(d->fwd[fi], now);
			if (t < next)
				next = t;
		}
	if (d->ctl) {
		t = mgmd_control_timer(d->ctl, now);
		if (t < next)
			next = t;
	}
	return next;
}

static void shutdown_all(struct mgmd *d)
{
	int64_t now = mgmd_loop_now(d->loop);

	mgmd_iface_shutdown(d, now);
	for (int fi = 0; fi < 2; fi++) {
		mgmd_fwd_close(d->fwd[fi]); /* MRT_DONE: the kernel's table is clean again */
		d->fwd[fi] = NULL;
	}
	if (d->ctl)
		mgmd_control_close(d->ctl);
	d->ctl = NULL;
	if (d->nl) {
		mgmd_loop_del(d->loop, mgmd_netlink_fd(d->nl));
		mgmd_netlink_close(d->nl);
	}
	d->nl = NULL;
	mgmd_config_free(&d->cfg);
	mgmd_loop_destroy(d->loop);
	d->loop = NULL;
}

int main(int argc, char **argv)
{
	struct mgmd *d = &the;
	struct mgmd_netlink_callbacks nlcb;
	char err[MSGLEN], warn[MSGLEN];
	int rc;

	parse_args(argc, argv, &opts);
	if (build_config(&d->cfg, &opts, err, sizeof(err), warn, sizeof(warn)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (warn[0])
		fprintf(stderr, "%s\n", warn);
	if (opts.check) {
		printf("mgmd: configuration OK: %zu interface stanza%s\n", d->cfg.n_ifaces,
		       d->cfg.n_ifaces == 1 ? "" : "s");
		mgmd_config_free(&d->cfg);
		return 0;
	}
	d->cfg.foreground = opts.foreground;
	d->cfg.verbosity = opts.verbosity;
	mgmd_log_open(opts.foreground, opts.verbosity);
	if (mgmd_privs_check(routes_family(&d->cfg, MGM_INET) || routes_family(&d->cfg, MGM_INET6),
			     err, sizeof(err)) < 0) {
		mgmd_log(LOG_ERR, "%s", err);
		return 1;
	}
	if (getrandom(&d->rng, sizeof(d->rng), 0) != (ssize_t)sizeof(d->rng) || d->rng == 0)
		d->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	signal(SIGPIPE, SIG_IGN);
	if (mgmd_loop_create(&d->loop, err, sizeof(err)) < 0) {
		mgmd_log(LOG_ERR, "%s", err);
		return 1;
	}
	d->started = mgmd_loop_clock();
	mgmd_loop_signal(d->loop, SIGTERM, on_signal, d);
	mgmd_loop_signal(d->loop, SIGINT, on_signal, d);
	mgmd_loop_signal(d->loop, SIGHUP, on_signal, d);
	mgmd_loop_set_timer(d->loop, on_timer, d);

	rc = open_forwarding(d, err, sizeof(err));
	if (rc < 0) {
		mgmd_log(
			LOG_ERR, "%s%s", err,
			rc == -ENOPROTOOPT || rc == -EOPNOTSUPP || strstr(err, "without multicast")
				? "; to report upstream without forwarding, run with --no-forwarding "
				  "(forwarding off)"
				: "");
		goto fail;
	}
	make_socket_dir(d->cfg.socket_path);
	rc = mgmd_control_open(&d->ctl, d->loop, d->cfg.socket_path, err, sizeof(err));
	if (rc < 0) {
		mgmd_log(LOG_ERR, "%s", err);
		goto fail;
	}
	if (mgmd_show_register(d) < 0) {
		mgmd_log(LOG_ERR, "control commands: out of memory");
		goto fail;
	}
	mgmd_iface_netlink_callbacks(d, &nlcb);
	rc = mgmd_netlink_open(&d->nl, &nlcb, err, sizeof(err));
	if (rc < 0) {
		mgmd_log(LOG_ERR, "%s", err);
		goto fail;
	}
	rc = mgmd_loop_add(d->loop, mgmd_netlink_fd(d->nl), EPOLLIN, on_netlink, d);
	if (rc < 0 || mgmd_netlink_dump(d->nl) < 0) {
		mgmd_log(LOG_ERR, "netlink: cannot start the interface dump");
		goto fail;
	}
	if (mgmd_privs_drop(d->cfg.user, err, sizeof(err)) < 0) {
		mgmd_log(LOG_ERR, "%s", err);
		goto fail;
	}
	mgmd_log(LOG_NOTICE, "mgmd %s started: %s mode, %zu interface stanza%s, control socket %s",
		 MGMD_VERSION,
		 d->router_mode ? "router"
		 : routes_family(&d->cfg, MGM_INET) || routes_family(&d->cfg, MGM_INET6)
			 ? "router without forwarding"
			 : "querier",
		 d->cfg.n_ifaces, d->cfg.n_ifaces == 1 ? "" : "s", d->cfg.socket_path);
	mgmd_notify("READY=1");
	rc = mgmd_loop_run(d->loop);
	mgmd_notify("STOPPING=1");
	if (rc < 0)
		mgmd_log(LOG_ERR, "event loop: %s", strerror(-rc));
	shutdown_all(d);
	mgmd_log(LOG_NOTICE, "stopped");
	mgmd_log_close();
	free(opts.up);
	free(opts.down);
	free(opts.querier);
	return rc < 0 ? 1 : 0;
fail:
	shutdown_all(d);
	mgmd_log_close();
	return 1;
}
