/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mcsend: test helper that sends multicast UDP from given source addresses to given groups out
 * of one interface, COUNT rounds at RATE rounds per second (one packet per source and group in
 * each round), TTL / hop limit 8 by default so a router may forward it. Bounded in time by -t.
 * Each payload carries the sequence number, the source and the group as text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define MAX_ADDRS 16

struct target {
	struct sockaddr_storage addr;
	socklen_t len;
	const char *text;
};

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: mcsend [-4|-6] -i IFACE [-s SOURCE]... -g GROUP... [-p PORT] [-c COUNT]\n"
	      "              [-r RATE] [-T TTL] [-t SECONDS] [-q]\n"
	      "Sends COUNT rounds (default 100), RATE a second (default 100), of one UDP packet\n"
	      "from each SOURCE (an address of IFACE; default: the kernel's choice) to each GROUP\n"
	      "(port 5000), TTL / hop limit 8 unless -T. Prints the packets sent per flow.\n",
	      stderr);
	exit(2);
}

static void parse_addr(int family, const char *text, uint16_t port, struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->text = text;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
			die("not an IPv4 address: %s", text);
		t->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
			die("not an IPv6 address: %s", text);
		t->len = sizeof(*sin6);
	}
}

/* A UDP socket sending out of ifindex with the given TTL, bound to source (NULL: any). */
static int open_sender(int family, unsigned int ifindex, int ttl, const struct target *source)
{
	int fd = socket(family, SOCK_DGRAM, 0), off = 0;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (family == AF_INET) {
		struct ip_mreqn mreq;

		memset(&mreq, 0, sizeof(mreq));
		mreq.imr_ifindex = (int)ifindex;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) < 0)
			die("IPv4 multicast options: %s", strerror(errno));
	} else {
		int idx = (int)ifindex;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0)
			die("IPv6 multicast options: %s", strerror(errno));
	}
	if (source && bind(fd, (const struct sockaddr *)&source->addr, source->len) < 0)
		die("bind to %s: %s", source->text, strerror(errno));
	return fd;
}

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

int main(int argc, char **argv)
{
	struct target sources[MAX_ADDRS], groups[MAX_ADDRS];
	const char *source_text[MAX_ADDRS], *group_text[MAX_ADDRS];
	unsigned long count = 100, rate = 100, ttl = 8, port = 5000, limit = 60;
	unsigned long sent[MAX_ADDRS][MAX_ADDRS] = {{0}}, errors = 0;
	size_t n_sources = 0, n_groups = 0, s, g;
	int family = AF_INET, fds[MAX_ADDRS], opt;
	const char *ifname = NULL;
	unsigned int ifindex;
	struct timespec next;
	bool quiet = false;
	char payload[256];
	long period;

	while ((opt = getopt(argc, argv, "46i:s:g:p:c:r:T:t:q")) != -1) {
		switch (opt) {
		case '4':
			family = AF_INET;
			break;
		case '6':
			family = AF_INET6;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 's':
			if (n_sources == MAX_ADDRS)
				die("at most %d sources", MAX_ADDRS);
			source_text[n_sources++] = optarg;
			break;
		case 'g':
			if (n_groups == MAX_ADDRS)
				die("at most %d groups", MAX_ADDRS);
			group_text[n_groups++] = optarg;
			break;
		case 'p':
			port = lab_parse_num(optarg, 1, 65535);
			break;
		case 'c':
			count = lab_parse_num(optarg, 1, 10000000);
			break;
		case 'r':
			rate = lab_parse_num(optarg, 1, 1000000);
			break;
		case 'T':
			ttl = lab_parse_num(optarg, 1, 255);
			break;
		case 't':
			limit = lab_parse_num(optarg, 1, 3600); /* alarm(0) would be no limit */
			break;
		case 'q':
			quiet = true;
			break;
		default:
			usage();
		}
	}
	if (!ifname || n_groups == 0 || optind != argc)
		usage();
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		die("no interface %s", ifname);
	lab_time_limit((unsigned int)limit);
	for (g = 0; g < n_groups; g++)
		parse_addr(family, group_text[g], (uint16_t)port, &groups[g]);
	if (n_sources == 0) {
		fds[0] = open_sender(family, ifindex, (int)ttl, NULL);
		source_text[0] = "-";
		n_sources = 1;
	} else {
		for (s = 0; s < n_sources; s++) {
			parse_addr(family, source_text[s], 0, &sources[s]);
			fds[s] = open_sender(family, ifindex, (int)ttl, &sources[s]);
		}
	}

	period = (long)(1000000000UL / rate);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long seq = 0; seq < count; seq++) {
		for (s = 0; s < n_sources; s++)
			for (g = 0; g < n_groups; g++) {
				int len = snprintf(payload, sizeof(payload), "mcsend %lu %s %s",
						   seq, source_text[s], group_text[g]);

				if (sendto(fds[s], payload, (size_t)len, 0,
					   (const struct sockaddr *)&groups[g].addr,
					   groups[g].len) < 0)
					errors++;
				else
					sent[s][g]++;
			}
		add_ns(&next, period);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	if (!quiet)
		for (s = 0; s < n_sources; s++)
			for (g = 0; g < n_groups; g++)
				printf("mcsend: %s %s %lu\n", source_text[s], group_text[g],
				       sent[s][g]);
	if (errors)
		fprintf(stderr, "mcsend: %lu sends failed\n", errors);
	return errors ? 1 : 0;
}
