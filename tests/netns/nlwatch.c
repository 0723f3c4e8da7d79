/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nlwatch: test program over mgmd's netlink module. It dumps links and addresses, then prints
 * every callback as one JSON object per line until its time is up or a signal ends it, and
 * the module's counters last. --stall makes it stop reading for a while after the first dump,
 * so that a test can overflow its receive buffer (--rcvbuf) and see the module recover.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink.h"

#define NAMES_MAX 4096 /* interface names remembered, by index, for the address lines */

static volatile sig_atomic_t stop;
static int64_t start_ms;
static char names[NAMES_MAX][16];
static unsigned dumps_done;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void begin(const char *event)
{
	printf("{\"t_ms\":%lld,\"event\":\"%s\"", (long long)(now_ms() - start_ms), event);
}

/* A JSON string: interface names are the kernel's bytes, anything but '/' and blanks. */
static void str(const char *key, const char *s)
{
	printf(",\"%s\":", key);
	if (!s) {
		printf("null");
		return;
	}
	putchar('"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

static const char *name_of(int ifindex)
{
	return ifindex > 0 && ifindex < NAMES_MAX && names[ifindex][0] ? names[ifindex] : NULL;
}

static void on_link(void *ctx, const struct mgmd_link *l)
{
	if (l->ifindex > 0 && l->ifindex < NAMES_MAX)
		snprintf(names[l->ifindex], sizeof(names[0]), "%s", l->name);
	begin("link");
	printf(",\"ifindex\":%d", l->ifindex);
	str("name", l->name);
	printf(",\"up\":%s,\"multicast\":%s,\"mtu\":%u}\n", l->up ? "true" : "false",
	       l->multicast ? "true" : "false", l->mtu);
}

static void on_link_del(void *ctx, int ifindex)
{
	begin("link_del");
	printf(",\"ifindex\":%d", ifindex);
	str("name", name_of(ifindex));
	printf("}\n");
	if (ifindex > 0 && ifindex < NAMES_MAX)
		names[ifindex][0] = '\0';
}

static void on_addr(void *ctx, int ifindex, const struct mgm_addr *a, uint8_t prefix_len,
		    bool added)
{
	char text[MGM_ADDRSTRLEN];

	begin("addr");
	printf(",\"ifindex\":%d", ifindex);
	str("name", name_of(ifindex));
	printf(",\"family\":%u", a->family);
	str("address", mgm_addr_str(a, text));
	printf(",\"prefix\":%u,\"link_local\":%s,\"added\":%s}\n", prefix_len,
	       mgm_addr_is_ipv6_link_local(a) ? "true" : "false", added ? "true" : "false");
}

static void on_dump_start(void *ctx)
{
	begin("dump_start");
	printf("}\n");
}

static void on_dump_done(void *ctx)
{
	dumps_done++;
	begin("dump_done");
	printf(",\"dumps\":%u}\n", dumps_done);
}

static void print_stats(const struct mgmd_netlink *nl)
{
	struct mgmd_netlink_stats st;
	int rcvbuf = 0;
	socklen_t len = sizeof(rcvbuf);

	mgmd_netlink_stats(nl, &st);
	/* The kernel's figure: twice what was asked, for its bookkeeping. */
	if (getsockopt(mgmd_netlink_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) < 0)
		rcvbuf = -1;
	begin("stats");
	printf(",\"messages\":%llu,\"malformed\":%llu,\"overruns\":%llu,\"dumps\":%llu"
	       ",\"rcvbuf\":%d}\n",
	       (unsigned long long)st.messages, (unsigned long long)st.malformed,
	       (unsigned long long)st.overruns, (unsigned long long)st.dumps, rcvbuf);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nlwatch [--seconds N] [--rcvbuf BYTES] [--stall MS]\n"
		   "  prints mgmd's netlink callbacks as JSON lines until N seconds (default 30)\n"
		   "  --rcvbuf  a receive buffer of this size instead of the module's\n"
		   "  --stall   after the first dump, read nothing for MS milliseconds\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"rcvbuf", required_argument, NULL, 'r'},
		{"stall", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long seconds = 30, rcvbuf = 0, stall_ms = 0;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rcvbuf = strtol(optarg, NULL, 10);
			break;
		case 'S':
			stall_ms = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || seconds <= 0 || rcvbuf < 0 || stall_ms < 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	start_ms = now_ms();

	const struct mgmd_netlink_callbacks cb = {
		.link = on_link,
		.link_del = on_link_del,
		.addr = on_addr,
		.dump_start = on_dump_start,
		.dump_done = on_dump_done,
	};
	struct mgmd_netlink *nl;
	char err[MGMD_NETLINK_ERRLEN];
	if (mgmd_netlink_open(&nl, &cb, err, sizeof(err)) < 0) {
		fprintf(stderr, "nlwatch: %s\n", err);
		return 1;
	}
	if (rcvbuf) {
		int size = (int)rcvbuf;
		if (setsockopt(mgmd_netlink_fd(nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size))) {
			fprintf(stderr, "nlwatch: SO_RCVBUF: %s\n", strerror(errno));
			return 1;
		}
	}
	if (mgmd_netlink_dump(nl) < 0) {
		fprintf(stderr, "nlwatch: %s\n", mgmd_netlink_error(nl));
		return 1;
	}
	int rc = 0;
	bool stalled = false;
	int64_t end = start_ms + seconds * 1000;
	while (!stop) {
		int64_t left = end - now_ms();
		if (left <= 0)
			break;
		if (!stalled && stall_ms && dumps_done) {
			stalled = true;
			begin("stall");
			printf(",\"ms\":%ld}\n", stall_ms);
			struct timespec ts = {stall_ms / 1000, (stall_ms % 1000) * 1000000};
			while (nanosleep(&ts, &ts) && errno == EINTR && !stop)
				;
			begin("stall_end");
			printf("}\n");
			continue;
		}
		struct pollfd p = {.fd = mgmd_netlink_fd(nl), .events = POLLIN};
		int n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "nlwatch: poll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (n > 0 && mgmd_netlink_read(nl) < 0) {
			fprintf(stderr, "nlwatch: %s\n", mgmd_netlink_error(nl));
			rc = 1;
			break;
		}
	}
	print_stats(nl);
	mgmd_netlink_close(nl);
	return rc;
}
