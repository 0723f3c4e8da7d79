/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * igmpflood: test helper that floods one link with IGMP or MLD reports from a packet socket:
 * COUNT messages at RATE a second, for groups BASE, BASE+1, ... (NGROUPS of them, cycling),
 * a mix of valid reports (IGMPv2 / MLDv1, and v3 / MLDv2 with SOURCES sources each) and
 * malformed ones (bad checksum, truncated, unknown type, garbage records) as MODE says; or
 * general queries (-m query: IGMPv3 / MLDv2, or the version -Q names, Max Resp Time -M ms),
 * the flood a host (mgmd's upstream) must not answer in proportion.
 * For the hostile-link and report-storm tests; bounded in count and by -t seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "mgm/wire.h"

enum mode { M_VALID, M_MALFORMED, M_MIXED, M_QUERY };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void add_to(struct mgm_addr *a, const struct mgm_addr *base, unsigned long k)
{
	size_t n = mgm_addr_len(base->family);

	*a = *base;
	/* Adds k to the low 16 bits (IPv4: the last two octets; IPv6: the last two). */
	unsigned v = ((unsigned)a->octets[n - 2] << 8 | a->octets[n - 1]) + (unsigned)(k & 0xffff);

	a->octets[n - 2] = (uint8_t)(v >> 8);
	a->octets[n - 1] = (uint8_t)v;
	if (k >> 16)
		a->octets[n - 3] = (uint8_t)(a->octets[n - 3] + (k >> 16));
}

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: igmpflood [-4|-6] -i IFACE -s SRC -g BASE [-n NGROUPS] [-c COUNT] [-r RATE]\n"
	      "                 [-m valid|malformed|mixed|query] [-S SOURCES] [-t SECONDS]\n"
	      "                 [-Q VERSION] [-M MAX_RESP_MS]\n"
	      "Sends COUNT (default 1000) IGMP/MLD reports at RATE a second (default 1000) from\n"
	      "SRC for groups BASE..BASE+NGROUPS-1 (default 100, cycling); prints what it sent.\n"
	      "-m query: general queries instead (version -Q, default 3 / 2; Max Resp Time -M ms,\n"
	      "default 0; BASE unused but required).\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *srctext = NULL, *basetext = NULL;
	unsigned long ngroups = 100, count = 1000, rate = 1000, nsrc = 0, secs = 60, qver = 0;
	unsigned long max_resp_ms = 0;
	enum mode mode = M_VALID;
	uint8_t family = MGM_INET;
	struct mgm_addr src, base, group, dst, sources[64];
	struct sockaddr_ll sll;
	uint8_t pkt[2048], *payload;
	unsigned long i, sent = 0, bad = 0;
	size_t hl, len;
	int64_t start, next;
	int fd, o, rc;

	while ((o = getopt(argc, argv, "46i:s:g:n:c:r:m:S:t:Q:M:")) != -1) {
		switch (o) {
		case '4':
			family = MGM_INET;
			break;
		case '6':
			family = MGM_INET6;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 's':
			srctext = optarg;
			break;
		case 'g':
			basetext = optarg;
			break;
		case 'n':
			ngroups = lab_parse_num(optarg, 1, 1000000);
			break;
		case 'c':
			count = lab_parse_num(optarg, 1, 100000000);
			break;
		case 'r':
			rate = lab_parse_num(optarg, 1, 1000000);
			break;
		case 'S':
			nsrc = lab_parse_num(optarg, 0, 64);
			break;
		case 't':
			secs = lab_parse_num(optarg, 1, 3600);
			break;
		case 'Q':
			qver = lab_parse_num(optarg, 1, 3);
			break;
		case 'M':
			max_resp_ms = lab_parse_num(optarg, 0, 3174400);
			break;
		case 'm':
			if (!strcmp(optarg, "valid"))
				mode = M_VALID;
			else if (!strcmp(optarg, "malformed"))
				mode = M_MALFORMED;
			else if (!strcmp(optarg, "mixed"))
				mode = M_MIXED;
			else if (!strcmp(optarg, "query"))
				mode = M_QUERY;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (!ifname || !srctext || !basetext || optind != argc)
		usage();
	lab_time_limit((unsigned)secs);
	if (mgm_addr_parse(srctext, &src) < 0 || src.family != family)
		die("-s %s: not an address of the family", srctext);
	if (mgm_addr_parse(basetext, &base) < 0 || base.family != family ||
	    !mgm_addr_is_multicast(&base))
		die("-g %s: not a multicast group of the family", basetext);
	for (i = 0; i < nsrc; i++) {
		struct mgm_addr b = src;

		b.octets[mgm_addr_len(family) - 4] ^= 0x40; /* another prefix than the sender's */
		add_to(&sources[i], &b, i + 1);
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(family == MGM_INET ? ETH_P_IP : ETH_P_IPV6));
	if (fd < 0)
		die("packet socket: %s", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(family == MGM_INET ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die("%s: no such interface", ifname);
	sll.sll_halen = 6;
	hl = mgm_ip_header_len(family);
	payload = pkt + hl;
	start = now_ns();
	for (i = 0; i < count; i++) {
		bool malformed = mode == M_MALFORMED || (mode == M_MIXED && i % 2 == 1);
		unsigned variant = (unsigned)(i / 2 % 4);

		add_to(&group, &base, i % ngroups);
		if (mode == M_QUERY) {
			struct mgm_query q = {.version = (uint8_t)qver, .qrv = 2, .qqic = 125};

			if (!q.version)
				q.version = family == MGM_INET ? 3 : 2;
			mgm_addr_any(&q.group, family);
			q.max_resp_code =
				mgm_max_resp_code(family, q.version, (uint32_t)max_resp_ms);
			mgm_addr_all_systems(&dst, family);
			rc = mgm_encode_query(family, &q, &src, &dst, payload, sizeof(pkt) - hl,
					      &len);
			if (rc < 0)
				die("encode: %s", mgm_strerror(rc));
			malformed = false;
		} else if (nsrc && !malformed) {
			struct mgm_group_record rec = {.type = MGM_MODE_IS_INCLUDE,
						       .group = group,
						       .num_sources = (uint16_t)nsrc,
						       .sources = sources};
			struct mgm_report_writer w;

			mgm_addr_v3_report_dest(&dst, family);
			mgm_report_writer_init(&w, family, &rec, 1, 1500);
			rc = mgm_report_writer_next(&w, &src, &dst, payload, sizeof(pkt) - hl,
						    &len);
			if (rc != 1)
				die("report writer: %s", mgm_strerror(rc));
		} else {
			dst = group;
			rc = mgm_encode_v1v2(family, MGM_MSG_REPORT, family == MGM_INET ? 2 : 1,
					     &group, &src, &dst, payload, sizeof(pkt) - hl, &len);
			if (rc < 0)
				die("encode: %s", mgm_strerror(rc));
		}
		if (malformed) {
			bad++;
			switch (variant) {
			case 0: /* checksum */
				payload[2] ^= 0x5a;
				break;
			case 1: /* truncated below the minimum */
				len = 5;
				break;
			case 2: /* a type nobody defined (IGMP 0x7f; ICMPv6 143 with garbage) */
				if (family == MGM_INET) {
					payload[0] = 0x7f;
				} else {
					payload[0] = 143;
					memset(payload + 4, 0xff, len - 4);
				}
				break;
			default: /* a length that lies */
				memset(payload + len, 0xee, 64);
				len += 3;
				break;
			}
		}
		if (mgm_ip_encode(family, &src, &dst, len, pkt, sizeof(pkt)) < 0)
			die("ip encode");
		mgm_addr_multicast_mac(&dst, sll.sll_addr);
		if (sendto(fd, pkt, hl + len, 0, (struct sockaddr *)&sll, sizeof(sll)) >= 0)
			sent++;
		/* Sleeps until the next message is due (no busy wait: the flood must not steal the
		 * CPU the router under test needs). */
		next = start + (int64_t)((double)(i + 1) * (1000000000.0 / (double)rate));
		for (int64_t t = now_ns(); t < next; t = now_ns()) {
			struct timespec ts = {(time_t)((next - t) / 1000000000),
					      (long)((next - t) % 1000000000)};

			nanosleep(&ts, NULL);
		}
	}
	printf("igmpflood: sent %lu of %lu messages (%lu malformed) in %.3f s\n", sent, count, bad,
	       (double)(now_ns() - start) / 1e9);
	return 0;
}
