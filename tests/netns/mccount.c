/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mccount: test helper that counts the multicast UDP packets arriving on an interface's wire,
 * per (source, group), for a given time: a packet socket, so what the kernel host would do with
 * them (its own membership, source filters) does not hide any. Prints one line per flow, or one
 * JSON line: packets, first and last arrival (ms since the epoch, comparable between namespaces),
 * the TTL / hop limit seen, and the first and last mcsend sequence numbers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define MAX_FLOWS 256

struct flow {
	int family;
	uint8_t source[16], group[16];
	unsigned long packets;
	int64_t first_ms, last_ms;
	long first_seq, last_seq; /* -1: not an mcsend payload */
	unsigned int ttl;
};

struct filter {
	int family; /* 0: none */
	uint8_t addr[16];
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: mccount -i IFACE [-t MS] [-p PORT] [-g GROUP] [-c COUNT] [-j] [-q]\n"
	      "Counts multicast UDP arriving on IFACE for MS milliseconds (default 1000), or until\n"
	      "COUNT packets (to GROUP when given) or SIGTERM. One line per flow:\n"
	      "  SOURCE GROUP PACKETS FIRST_MS LAST_MS TTL FIRST_SEQ LAST_SEQ\n"
	      "or with -j one JSON line. Says 'mccount: listening on IFACE' on stderr unless -q.\n",
	      stderr);
	exit(2);
}

static void parse_filter(const char *text, struct filter *f)
{
	if (inet_pton(AF_INET, text, f->addr) == 1)
		f->family = AF_INET;
	else if (inet_pton(AF_INET6, text, f->addr) == 1)
		f->family = AF_INET6;
	else
		die("not an address: %s", text);
}

/* The mcsend sequence number in a payload ("mcsend SEQ ..."), or -1. */
static long payload_seq(const uint8_t *p, size_t len)
{
	char buf[32];
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	char *end;
	long v;

	memcpy(buf, p, n);
	buf[n] = '\0';
	if (strncmp(buf, "mcsend ", 7) != 0)
		return -1;
	v = strtol(buf + 7, &end, 10);
	return end == buf + 7 ? -1 : v;
}

static struct flow *find_flow(struct flow *flows, size_t *n, int family, const uint8_t *src,
			      const uint8_t *grp, size_t alen)
{
	for (size_t i = 0; i < *n; i++)
		if (flows[i].family == family && !memcmp(flows[i].source, src, alen) &&
		    !memcmp(flows[i].group, grp, alen))
			return &flows[i];
	if (*n == MAX_FLOWS)
		return NULL;
	memset(&flows[*n], 0, sizeof(flows[*n]));
	flows[*n].family = family;
	memcpy(flows[*n].source, src, alen);
	memcpy(flows[*n].group, grp, alen);
	flows[*n].first_seq = -1;
	return &flows[(*n)++];
}

/* One packet from the network layer on: a multicast UDP datagram (port when non-zero) counted
 * in its flow; returns whether it matched the group filter. */
static bool account(struct flow *flows, size_t *n, const uint8_t *p, size_t len, uint16_t proto,
		    unsigned int port, const struct filter *gf, bool *overflow)
{
	const uint8_t *src, *dst, *udp;
	size_t alen, hl;
	unsigned int ttl;
	int family;
	struct flow *f;
	long seq;

	if (proto == ETH_P_IP) {
		if (len < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_UDP)
			return false;
		hl = (size_t)(p[0] & 0x0f) * 4;
		/* Only first fragments carry the UDP header. */
		if (hl < 20 || len < hl + 8 || ((p[6] & 0x1f) | p[7]))
			return false;
		family = AF_INET;
		alen = 4;
		ttl = p[8];
		src = p + 12;
		dst = p + 16;
		if ((dst[0] & 0xf0) != 0xe0)
			return false;
	} else if (proto == ETH_P_IPV6) {
		/* Forwarded multicast UDP carries no extension header. */
		if (len < 48 || (p[0] >> 4) != 6 || p[6] != IPPROTO_UDP)
			return false;
		hl = 40;
		family = AF_INET6;
		alen = 16;
		ttl = p[7];
		src = p + 8;
		dst = p + 24;
		if (dst[0] != 0xff)
			return false;
	} else {
		return false;
	}
	udp = p + hl;
	if (port && (unsigned int)(udp[2] << 8 | udp[3]) != port)
		return false;
	f = find_flow(flows, n, family, src, dst, alen);
	if (!f) {
		*overflow = true;
		return false;
	}
	seq = payload_seq(udp + 8, len - hl - 8);
	f->last_ms = realtime_ms();
	if (f->packets++ == 0) {
		f->first_ms = f->last_ms;
		f->first_seq = seq;
	}
	f->last_seq = seq;
	f->ttl = ttl;
	return !gf->family || (gf->family == family && !memcmp(gf->addr, dst, alen));
}

static void print_flows(const char *ifname, const struct flow *flows, size_t n, bool json,
			int64_t ms)
{
	char s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

	if (json)
		printf("{\"interface\":\"%s\",\"ms\":%" PRId64 ",\"flows\":[", ifname, ms);
	for (size_t i = 0; i < n; i++) {
		const struct flow *f = &flows[i];

		inet_ntop(f->family, f->source, s, sizeof(s));
		inet_ntop(f->family, f->group, g, sizeof(g));
		if (json)
			printf("%s{\"source\":\"%s\",\"group\":\"%s\",\"packets\":%lu,"
			       "\"first\":%" PRId64 ",\"last\":%" PRId64 ",\"ttl\":%u,"
			       "\"first_seq\":%ld,\"last_seq\":%ld}",
			       i ? "," : "", s, g, f->packets, f->first_ms, f->last_ms, f->ttl,
			       f->first_seq, f->last_seq);
		else
			printf("%s %s %lu %" PRId64 " %" PRId64 " %u %ld %ld\n", s, g, f->packets,
			       f->first_ms, f->last_ms, f->ttl, f->first_seq, f->last_seq);
	}
	if (json)
		printf("]}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct flow flows[MAX_FLOWS];
	unsigned long ms = 1000, port = 0, want = 0, matched = 0;
	struct filter gf = {0};
	bool json = false, quiet = false, overflow = false;
	const char *ifname = NULL;
	struct sockaddr_ll sll;
	struct sigaction sa;
	size_t n = 0;
	int64_t start, end;
	uint8_t buf[65536];
	int fd, opt;

	while ((opt = getopt(argc, argv, "i:t:p:g:c:jq")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 't':
			ms = lab_parse_num(optarg, 1, 3600000);
			break;
		case 'p':
			port = lab_parse_num(optarg, 1, 65535);
			break;
		case 'g':
			parse_filter(optarg, &gf);
			break;
		case 'c':
			want = lab_parse_num(optarg, 1, 100000000);
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			usage();
		}
	}
	if (!ifname || optind != argc)
		usage();
	lab_time_limit((unsigned int)(ms / 1000 + 10));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd < 0)
		die("packet socket: %s", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die("no interface %s", ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind to %s: %s", ifname, strerror(errno));
	if (!quiet) {
		fprintf(stderr, "mccount: listening on %s\n", ifname);
		fflush(stderr);
	}

	start = monotonic_ms();
	end = start + (int64_t)ms;
	while (!stop && (!want || matched < want)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = end - monotonic_ms();
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t len;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (len < 0 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (account(flows, &n, buf, (size_t)len, ntohs(from.sll_protocol),
			    (unsigned int)port, &gf, &overflow))
			matched++;
	}
	print_flows(ifname, flows, n, json, monotonic_ms() - start);
	if (overflow)
		fprintf(stderr, "mccount: more than %d flows; the rest were not counted\n",
			MAX_FLOWS);
	return 0;
}
