/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mcbench: the traffic side of bench/run's daemon section, three jobs in one program:
 *   spray    multicast UDP to NGROUPS groups in turn at RATE packets a second (the sender);
 *   seen     on an interface's wire, the moment every group of a range has had a packet;
 *   latency  a kernel member joins and leaves a group ROUNDS times: join -> first packet on
 *            the wire, leave -> last packet on the wire; with -U NETNS:IF also the last packet
 *            on a proxy's upstream wire in another namespace (its withdrawal upstream);
 *   floor    a daemon's skeleton without the daemon: an epoll loop reading an interface's
 *            IPv4 packets until none is left, and nothing else (the CPU any router spends per
 *            packet woken for, whatever it does with it).
 * Times are CLOCK_REALTIME milliseconds (comparable between namespaces); every job is bounded
 * by -t seconds. Results are JSON lines on standard output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define PORT	   5001
#define MAX_ROUNDS 100

struct opts {
	const char *ifname, *upstream; /* upstream: NETNS:IF or NULL */
	unsigned int ifindex;
	uint32_t base; /* host order */
	unsigned long ngroups, rate, rounds, secs, hold_ms, quiet_ms, wait_ms, bound_ms;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	nanosleep(&ts, NULL);
}

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: mcbench spray   -i IF -g BASE [-n NGROUPS] [-r RATE] [-t SECONDS]\n"
	      "       mcbench seen    -i IF -g BASE [-n NGROUPS] [-t SECONDS]\n"
	      "       mcbench latency -i IF -g GROUP [-n ROUNDS] [-H HOLD_MS] [-Q QUIET_MS]\n"
	      "                       [-W WAIT_MS] [-U NETNS:IF [-B BOUND_MS]] [-t SECONDS]\n"
	      "       mcbench floor   -i IF [-t SECONDS]\n",
	      stderr);
	exit(2);
}

/* spray: the groups in turn, RATE packets a second in all, until -t ends it. */
static void spray(const struct opts *o)
{
	struct ip_mreqn mr = {.imr_ifindex = (int)o->ifindex};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	unsigned long i = 0, sent = 0;
	unsigned char ttl = 8;
	double start = now_ms(), end = start + (double)o->secs * 1e3 - 200;
	char payload[32];
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0)
		die("socket: %s", strerror(errno));
	/* A 1 ms tick: each sends the packets due by then, so the rate holds without one sleep
	 * per packet. */
	for (double t = start; t < end; t = now_ms()) {
		unsigned long due = (unsigned long)((t - start) * (double)o->rate / 1e3) + 1;

		for (; i < due; i++) {
			int n = snprintf(payload, sizeof(payload), "mcbench %lu", i);

			to.sin_addr.s_addr = htonl(o->base + (uint32_t)(i % o->ngroups));
			if (sendto(fd, payload, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) >=
			    0)
				sent++;
		}
		sleep_ms(1);
	}
	printf("{\"job\":\"spray\",\"sent\":%lu,\"groups\":%lu,\"seconds\":%.3f}\n", sent,
	       o->ngroups, (now_ms() - start) / 1e3);
}

/* A packet socket on the interface's wire: incoming IPv4 only. */
static int wire_open_on(const char *ifname, unsigned int ifindex)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = (int)ifindex};
	int fd, size = 8 << 20;

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("packet socket on %s: %s", ifname, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

static int wire_open(const struct opts *o)
{
	return wire_open_on(o->ifname, o->ifindex);
}

/* A packet socket on IF of network namespace NETNS (spec "NETNS:IF", the name under
 * /run/netns): a socket stays in the namespace it was made in, so one process watches both. */
static int wire_open_netns(const char *spec)
{
	char path[256], ifname[IF_NAMESIZE];
	const char *colon = strrchr(spec, ':');
	unsigned int ifindex;
	int self, other, fd;

	if (!colon || colon == spec || strlen(colon + 1) >= sizeof(ifname))
		die("-U %s: not NETNS:IF", spec);
	snprintf(path, sizeof(path), "/run/netns/%.*s", (int)(colon - spec), spec);
	strcpy(ifname, colon + 1);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	other = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || other < 0 || setns(other, CLONE_NEWNET) < 0)
		die("-U %s: cannot enter %s: %s", spec, path, strerror(errno));
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die("-U %s: no interface %s there", spec, ifname);
	fd = wire_open_on(ifname, ifindex);
	if (setns(self, CLONE_NEWNET) < 0)
		die("-U %s: cannot come back: %s", spec, strerror(errno));
	close(self);
	close(other);
	return fd;
}

/* The next UDP packet to a group in [base, base + n) within timeout_ms: its group index, or -1
 * when none came. Reads in bytes so no packet layout is assumed of the buffer. */
static long wire_next(int fd, uint32_t base, unsigned long n, double timeout_ms)
{
	double until = now_ms() + timeout_ms;
	uint8_t buf[2048];

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t len;
		uint32_t dst;

		/* Read first, wait only when nothing is queued: with a timeout of 0 this drains
		 * what is already there. */
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (len < 0) {
			double left = until - now_ms();

			if (left <= 0)
				return -1;
			(void)poll(&pfd, 1, (int)left + 1);
			continue;
		}
		if (len < 20 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((buf[0] >> 4) != 4 || buf[9] != IPPROTO_UDP)
			continue;
		dst = (uint32_t)buf[16] << 24 | (uint32_t)buf[17] << 16 | (uint32_t)buf[18] << 8 |
		      buf[19];
		if (dst - base < n)
			return (long)(dst - base);
	}
}

/* seen: says "ready", then waits until every group of the range had a packet. */
static void seen(const struct opts *o)
{
	double start, all = -1, last_new = -1;
	unsigned long count = 0;
	uint8_t *have = calloc(o->ngroups, 1);
	int fd = wire_open(o);

	if (!have)
		die("out of memory");
	printf("{\"job\":\"seen\",\"ready\":true}\n");
	fflush(stdout);
	start = now_ms();
	while (count < o->ngroups) {
		double left = start + (double)o->secs * 1e3 - 300 - now_ms();
		long k;

		if (left <= 0)
			break;
		k = wire_next(fd, o->base, o->ngroups, left);
		if (k >= 0 && !have[k]) {
			have[k] = 1;
			count++;
			last_new = now_ms();
		}
	}
	if (count == o->ngroups)
		all = last_new;
	printf("{\"job\":\"seen\",\"groups\":%lu,\"seen\":%lu,\"all_ms\":%.3f,\"last_new_ms\":%.3f}"
	       "\n",
	       o->ngroups, count, all, last_new);
	free(have);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned long n)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* latency: per round, join (the kernel reports at once), the first packet of the group on the
 * wire, HOLD_MS of traffic, leave, then the last packet before QUIET_MS of silence. With -U, the
 * same on the upstream wire: the last packet there after the leave before QUIET_MS of silence,
 * or none (-1) when it still flows BOUND_MS after the leave. */
static void latency(const struct opts *o)
{
	struct ip_mreqn mr = {.imr_ifindex = (int)o->ifindex,
			      .imr_multiaddr.s_addr = htonl(o->base)};
	double joins[MAX_ROUNDS], leaves[MAX_ROUNDS], ups[MAX_ROUNDS];
	unsigned long nj = 0, nl = 0, nu = 0;
	int wire = wire_open(o), up = o->upstream ? wire_open_netns(o->upstream) : -1;

	for (unsigned long r = 0; r < o->rounds; r++) {
		double t_join, t_first = -1, t_leave, t_last, up_last;
		bool host_quiet = false, up_quiet = up < 0, up_none = false;
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		/* Whatever is still in flight from the round before is not this round's. */
		while (wire_next(wire, o->base, 1, 0) >= 0)
			;
		t_join = now_ms();
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			die("join: %s", strerror(errno));
		if (wire_next(wire, o->base, 1, (double)o->wait_ms) >= 0)
			t_first = now_ms();
		sleep_ms((double)o->hold_ms);
		while (wire_next(wire, o->base, 1, 0) >= 0)
			;
		while (up >= 0 && wire_next(up, o->base, 1, 0) >= 0)
			;
		t_leave = now_ms();
		t_last = up_last = t_leave;
		close(fd); /* the leave */
		/* Both wires at once, read as the packets come (their times are read times). */
		while (!host_quiet || !up_quiet) {
			struct pollfd pfd[2] = {{.fd = wire, .events = POLLIN},
						{.fd = up, .events = POLLIN}};
			double t = now_ms();

			if (!host_quiet && wire_next(wire, o->base, 1, 0) >= 0) {
				t_last = now_ms();
				continue;
			}
			if (!up_quiet && wire_next(up, o->base, 1, 0) >= 0) {
				up_last = now_ms();
				continue;
			}
			if (t - t_last >= (double)o->quiet_ms || t - t_leave > (double)o->wait_ms)
				host_quiet = true;
			if (!up_quiet && t - up_last >= (double)o->quiet_ms)
				up_quiet = true;
			if (!up_quiet && t - t_leave > (double)o->bound_ms)
				up_quiet = up_none = true;
			(void)poll(pfd, up >= 0 ? 2 : 1, 5);
		}
		printf("{\"job\":\"latency\",\"round\":%lu,\"join_ms\":%.3f,\"leave_ms\":%.3f", r,
		       t_first < 0 ? -1 : t_first - t_join, t_last - t_leave);
		if (up >= 0)
			printf(",\"upstream_stop_ms\":%.3f", up_none ? -1 : up_last - t_leave);
		printf("}\n");
		fflush(stdout);
		if (t_first >= 0)
			joins[nj++] = t_first - t_join;
		leaves[nl++] = t_last - t_leave;
		if (up >= 0 && !up_none)
			ups[nu++] = up_last - t_leave;
		sleep_ms((double)o->quiet_ms);
	}
	printf("{\"job\":\"latency\",\"rounds\":%lu,\"joined\":%lu,\"join_median_ms\":%.3f,"
	       "\"leave_median_ms\":%.3f",
	       o->rounds, nj, median(joins, nj), median(leaves, nl));
	if (up >= 0)
		printf(",\"upstream_stopped\":%lu,\"upstream_stop_median_ms\":%.3f", nu,
		       median(ups, nu));
	printf("}\n");
}

/* floor: the receive path of a one-packet-per-wakeup daemon, until -t ends it. */
static void floor_loop(const struct opts *o)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = (int)o->ifindex};
	struct epoll_event ev = {.events = EPOLLIN};
	double end = now_ms() + (double)o->secs * 1e3 - 200;
	unsigned long packets = 0, wakeups = 0;
	uint8_t buf[2048];
	int fd, ep;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IP));
	ep = epoll_create1(0);
	if (fd < 0 || ep < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("packet socket on %s: %s", o->ifname, strerror(errno));
	printf("{\"job\":\"floor\",\"ready\":true}\n");
	fflush(stdout);
	while (now_ms() < end) {
		if (epoll_wait(ep, &ev, 1, 100) <= 0)
			continue;
		wakeups++;
		while (recv(fd, buf, sizeof(buf), 0) >= 0)
			packets++;
	}
	printf("{\"job\":\"floor\",\"packets\":%lu,\"wakeups\":%lu}\n", packets, wakeups);
}

int main(int argc, char **argv)
{
	struct opts o = {.ngroups = 1,
			 .rate = 1000,
			 .rounds = 5,
			 .secs = 60,
			 .hold_ms = 300,
			 .quiet_ms = 600,
			 .wait_ms = 5000,
			 .bound_ms = 6000};
	const char *job, *group = NULL;
	struct in_addr a;
	int c;

	if (argc < 2)
		usage();
	job = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "i:g:n:r:t:H:Q:W:U:B:")) != -1) {
		switch (c) {
		case 'i':
			o.ifname = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'n':
			o.ngroups = o.rounds = lab_parse_num(optarg, 1, 1000000);
			break;
		case 'r':
			o.rate = lab_parse_num(optarg, 1, 10000000);
			break;
		case 't':
			o.secs = lab_parse_num(optarg, 1, 3600);
			break;
		case 'H':
			o.hold_ms = lab_parse_num(optarg, 0, 60000);
			break;
		case 'Q':
			o.quiet_ms = lab_parse_num(optarg, 10, 60000);
			break;
		case 'W':
			o.wait_ms = lab_parse_num(optarg, 10, 600000);
			break;
		case 'U':
			o.upstream = optarg;
			break;
		case 'B':
			o.bound_ms = lab_parse_num(optarg, 10, 600000);
			break;
		default:
			usage();
		}
	}
	if (!strcmp(job, "floor"))
		group = "224.0.0.1"; /* not used */
	if (!o.ifname || !group || optind != argc)
		usage();
	if (inet_pton(AF_INET, group, &a) != 1 || !IN_MULTICAST(ntohl(a.s_addr)))
		die("-g %s: not an IPv4 multicast group", group);
	o.base = ntohl(a.s_addr);
	o.ifindex = if_nametoindex(o.ifname);
	if (!o.ifindex)
		die("%s: no such interface", o.ifname);
	lab_time_limit((unsigned int)o.secs);
	if (!strcmp(job, "spray")) {
		spray(&o);
	} else if (!strcmp(job, "seen")) {
		seen(&o);
	} else if (!strcmp(job, "floor")) {
		floor_loop(&o);
	} else if (!strcmp(job, "latency")) {
		if (o.rounds > MAX_ROUNDS)
			die("-n: at most %d rounds", MAX_ROUNDS);
		latency(&o);
	} else {
		usage();
	}
	return 0;
}
