/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mcjoin: test helper that makes a real Linux kernel speak IGMP/MLD. It follows a script of
 * steps on one interface: joins and leaves through the RFC 3678 socket API (any-source, source
 * filters in INCLUDE/EXCLUDE mode, RFC 3376 §3.1 / RFC 3810 §4.1), sleeps, and queries built
 * with libmgm's encoder sent on a packet socket. Bounded in time by -t (default 60 s).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
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
#include "mgm/wire.h"

#define MAX_SOCKETS 16
#define MAX_SOURCES 64

struct mcjoin {
	int family; /* AF_INET or AF_INET6 */
	const char *ifname;
	unsigned int ifindex;
	bool quiet;
	int socks[MAX_SOCKETS];
	int cur; /* the socket the steps act on */
};

static void say(const struct mcjoin *mc, const char *what, const char *a, const char *b)
{
	if (mc->quiet)
		return;
	printf("mcjoin: %s: sock %d %s %s%s%s\n", mc->ifname, mc->cur, what, a, b ? " " : "",
	       b ? b : "");
	fflush(stdout);
}

/* A text address of the helper's family into a sockaddr_storage. */
static void to_sockaddr(const struct mcjoin *mc, const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (mc->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
			die("not an IPv4 address: %s", text);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
			die("not an IPv6 address: %s", text);
	}
}

static int level(const struct mcjoin *mc)
{
	return mc->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

static int sock(struct mcjoin *mc)
{
	int *s = &mc->socks[mc->cur];

	if (*s < 0) {
		*s = socket(mc->family, SOCK_DGRAM, 0);
		if (*s < 0)
			die("socket: %s", strerror(errno));
	}
	return *s;
}

static void group_op(struct mcjoin *mc, int op, const char *name, const char *group)
{
	struct group_req gr;

	memset(&gr, 0, sizeof(gr));
	gr.gr_interface = mc->ifindex;
	to_sockaddr(mc, group, &gr.gr_group);
	say(mc, name, group, NULL);
	if (setsockopt(sock(mc), level(mc), op, &gr, sizeof(gr)) < 0)
		die("%s %s: %s", name, group, strerror(errno));
}

static void source_op(struct mcjoin *mc, int op, const char *name, const char *group,
		      const char *source)
{
	struct group_source_req gsr;

	memset(&gsr, 0, sizeof(gsr));
	gsr.gsr_interface = mc->ifindex;
	to_sockaddr(mc, group, &gsr.gsr_group);
	to_sockaddr(mc, source, &gsr.gsr_source);
	say(mc, name, group, source);
	if (setsockopt(sock(mc), level(mc), op, &gsr, sizeof(gsr)) < 0)
		die("%s %s %s: %s", name, group, source, strerror(errno));
}

/* Splits "a,b,c" (or "-" for none) into sockaddrs; returns the count. */
static size_t parse_list(const struct mcjoin *mc, const char *list, struct sockaddr_storage *out)
{
	char buf[4096], *save = NULL, *tok;
	size_t n = 0;

	if (strcmp(list, "-") == 0 || !*list)
		return 0;
	if (strlen(list) >= sizeof(buf))
		die("source list too long: %s", list);
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_SOURCES)
			die("more than 64 sources: %s", list);
		to_sockaddr(mc, tok, &out[n++]);
	}
	return n;
}

/* setsourcefilter(3): the RFC 3678 full-state API; joins first when the socket has not. */
static void filter_op(struct mcjoin *mc, const char *group, const char *mode, const char *list)
{
	static struct sockaddr_storage srcs[MAX_SOURCES];
	struct sockaddr_storage g;
	struct group_req gr;
	socklen_t glen;
	uint32_t fmode;
	size_t n;

	if (strcmp(mode, "include") == 0)
		fmode = MCAST_INCLUDE;
	else if (strcmp(mode, "exclude") == 0)
		fmode = MCAST_EXCLUDE;
	else
		die("filter mode must be include or exclude, not %s", mode);
	to_sockaddr(mc, group, &g);
	n = parse_list(mc, list, srcs);
	say(mc, fmode == MCAST_INCLUDE ? "filter include" : "filter exclude", group, list);
	/* glibc picks the socket level from the exact sockaddr length. */
	glen = mc->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (setsourcefilter(sock(mc), mc->ifindex, (struct sockaddr *)&g, glen, fmode, (uint32_t)n,
			    srcs) == 0)
		return;
	if (errno != EINVAL && errno != EADDRNOTAVAIL)
		die("setsourcefilter: %s", strerror(errno));
	memset(&gr, 0, sizeof(gr));
	gr.gr_interface = mc->ifindex;
	gr.gr_group = g;
	if (setsockopt(sock(mc), level(mc), MCAST_JOIN_GROUP, &gr, sizeof(gr)) < 0)
		die("join before setsourcefilter: %s", strerror(errno));
	if (setsourcefilter(sock(mc), mc->ifindex, (struct sockaddr *)&g, glen, fmode, (uint32_t)n,
			    srcs) < 0)
		die("setsourcefilter: %s", strerror(errno));
}

/* The interface's own address: IPv4, or link-local IPv6 (RFC 3810 §5.1.14 wants one). */
static void own_address(const struct mcjoin *mc, struct mgm_addr *a)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		die("getifaddrs: %s", strerror(errno));
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, mc->ifname) != 0 ||
		    i->ifa_addr->sa_family != mc->family)
			continue;
		if (mc->family == AF_INET) {
			mgm_addr_from_wire(
				a, MGM_INET,
				(const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr);
			found = true;
		} else {
			mgm_addr_from_wire(a, MGM_INET6,
					   ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr.s6_addr);
			found = mgm_addr_is_ipv6_link_local(a);
		}
	}
	freeifaddrs(ifa);
	if (!found)
		die("no usable address on %s", mc->ifname);
}

static void parse_mgm_addr(const char *text, struct mgm_addr *a)
{
	if (mgm_addr_parse(text, a) != 0)
		die("bad address: %s", text);
}

/* query v=3 group=G mrt=MS s=1 qrv=2 qqi=125 src=S,S from=A to=A; returns tokens used. */
static int query_op(struct mcjoin *mc, int argc, char **argv)
{
	static struct mgm_addr srcs[MAX_SOURCES];
	uint8_t fam = mc->family == AF_INET ? MGM_INET : MGM_INET6;
	struct mgm_addr from, to, *sp;
	struct mgm_query q = {0};
	struct sockaddr_ll sll;
	uint8_t pkt[1500];
	char text[64];
	uint32_t mrt = 10000, qqi = 125;
	bool have_from = false, have_to = false;
	size_t hl = mgm_ip_header_len(fam), len;
	int used = 0, fd, rc;

	q.version = fam == MGM_INET ? 3 : 2;
	q.qrv = 2;
	mgm_addr_any(&q.group, fam);
	for (; used < argc && strchr(argv[used], '='); used++) {
		const char *k = argv[used], *v = strchr(k, '=') + 1;
		size_t kl = (size_t)(v - 1 - k);

		if (kl == 1 && k[0] == 'v') {
			q.version = (uint8_t)lab_parse_num(v, 0, 3);
		} else if (kl == 5 && strncmp(k, "group", 5) == 0) {
			parse_mgm_addr(v, &q.group);
		} else if (kl == 3 && strncmp(k, "mrt", 3) == 0) {
			mrt = (uint32_t)lab_parse_num(v, 0, 10000000);
		} else if (kl == 1 && k[0] == 's') {
			q.suppress = lab_parse_num(v, 0, 1) != 0;
		} else if (kl == 3 && strncmp(k, "qrv", 3) == 0) {
			q.qrv = (uint8_t)lab_parse_num(v, 0, 7);
		} else if (kl == 3 && strncmp(k, "qqi", 3) == 0) {
			qqi = (uint32_t)lab_parse_num(v, 0, 100000);
		} else if (kl == 3 && strncmp(k, "src", 3) == 0) {
			char buf[4096], *save = NULL, *tok;

			if (strlen(v) >= sizeof(buf))
				die("source list too long: %s", v);
			strcpy(buf, v);
			for (tok = strtok_r(buf, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (q.num_sources == MAX_SOURCES)
					die("more than 64 sources: %s", v);
				parse_mgm_addr(tok, &srcs[q.num_sources++]);
			}
		} else if (kl == 4 && strncmp(k, "from", 4) == 0) {
			parse_mgm_addr(v, &from);
			have_from = true;
		} else if (kl == 2 && strncmp(k, "to", 2) == 0) {
			parse_mgm_addr(v, &to);
			have_to = true;
		} else {
			die("unknown query setting: %s", k);
		}
	}
	q.sources = srcs;
	q.max_resp_code = mgm_max_resp_code(fam, q.version, mrt);
	q.qqic = mgm_code8_encode(qqi);
	if (!have_from)
		own_address(mc, &from);
	if (!have_to) {
		if (mgm_addr_is_any(&q.group))
			mgm_addr_all_systems(&to, fam);
		else
			to = q.group;
	}
	rc = mgm_encode_query(fam, &q, &from, &to, pkt + hl, sizeof(pkt) - hl, &len);
	if (rc == 0)
		rc = mgm_ip_encode(fam, &from, &to, len, pkt, sizeof(pkt));
	if (rc < 0)
		die("cannot encode the query: %s", mgm_strerror(rc));

	/* A packet socket sends our IP header as built: Router Alert, TTL 1 (RFC 3376 §4). */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)mc->ifindex;
	sll.sll_halen = 6;
	sll.sll_protocol = htons(fam == MGM_INET ? ETH_P_IP : ETH_P_IPV6);
	mgm_addr_multicast_mac(&to, sll.sll_addr);
	fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("packet socket: %s", strerror(errno));
	snprintf(text, sizeof(text), "v%u mrt %ums", q.version, mrt);
	sp = mgm_addr_is_any(&q.group) ? NULL : &q.group;
	if (!mc->quiet) {
		char g[MGM_ADDRSTRLEN];

		printf("mcjoin: %s: query %s %s%s%s\n", mc->ifname,
		       sp ? mgm_addr_str(sp, g) : "general", text, q.num_sources ? " with " : "",
		       q.num_sources ? "sources" : "");
		fflush(stdout);
	}
	if (sendto(fd, pkt, hl + len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("sendto: %s", strerror(errno));
	close(fd);
	return used;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: mcjoin [-4|-6] [-q] [-t SECONDS] -i IFACE STEP...|-\n"
	      "('-' reads the steps from standard input, a line at a time)\n"
	      "steps: sock N | join G | leave G | join-source G S | leave-source G S |\n"
	      "       block G S | unblock G S | filter G include|exclude S,S,...|- |\n"
	      "       close | sleep MS | query [v=N] [group=G] [mrt=MS] [s=0|1] [qrv=N]\n"
	      "       [qqi=S] [src=S,S,...] [from=A] [to=A]\n",
	      stderr);
	exit(2);
}

static const char *arg(int argc, char **argv, int i)
{
	if (i >= argc)
		usage();
	return argv[i];
}

/* Runs the steps in argv; each step takes the arguments that follow it. */
static void run_steps(struct mcjoin *mc, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *step = argv[i];

		if (strcmp(step, "sock") == 0) {
			mc->cur = (int)lab_parse_num(arg(argc, argv, ++i), 0, MAX_SOCKETS - 1);
		} else if (strcmp(step, "join") == 0) {
			group_op(mc, MCAST_JOIN_GROUP, step, arg(argc, argv, ++i));
		} else if (strcmp(step, "leave") == 0) {
			group_op(mc, MCAST_LEAVE_GROUP, step, arg(argc, argv, ++i));
		} else if (strcmp(step, "join-source") == 0 || strcmp(step, "leave-source") == 0 ||
			   strcmp(step, "block") == 0 || strcmp(step, "unblock") == 0) {
			int op = step[0] == 'j'	  ? MCAST_JOIN_SOURCE_GROUP
				 : step[0] == 'l' ? MCAST_LEAVE_SOURCE_GROUP
				 : step[0] == 'b' ? MCAST_BLOCK_SOURCE
						  : MCAST_UNBLOCK_SOURCE;
			const char *g = arg(argc, argv, ++i);

			source_op(mc, op, step, g, arg(argc, argv, ++i));
		} else if (strcmp(step, "filter") == 0) {
			const char *g = arg(argc, argv, ++i);
			const char *m = arg(argc, argv, ++i);

			filter_op(mc, g, m, arg(argc, argv, ++i));
		} else if (strcmp(step, "close") == 0) {
			say(mc, "close", "", NULL);
			if (mc->socks[mc->cur] >= 0)
				close(mc->socks[mc->cur]);
			mc->socks[mc->cur] = -1;
		} else if (strcmp(step, "sleep") == 0) {
			sleep_ms(lab_parse_num(arg(argc, argv, ++i), 0, 600000));
		} else if (strcmp(step, "query") == 0) {
			i += query_op(mc, argc - i - 1, argv + i + 1);
		} else {
			fprintf(stderr, "mcjoin: unknown step: %s\n", step);
			usage();
		}
	}
}

/* Steps from standard input, one or more to a line, until end of file: lets a script drive
 * a host step by step (scripts/demo) while its memberships stay up. */
static void run_stdin(struct mcjoin *mc)
{
	char line[4096], *save, *tok, *av[256];
	int ac;

	while (fgets(line, sizeof(line), stdin)) {
		ac = 0;
		save = NULL;
		for (tok = strtok_r(line, " \t\r\n", &save); tok && ac < 256;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			av[ac++] = tok;
		if (ac > 0 && av[0][0] != '#')
			run_steps(mc, ac, av);
	}
}

int main(int argc, char **argv)
{
	struct mcjoin mc = {.family = AF_INET, .cur = 0};
	unsigned long limit = 60;
	int i, opt;

	for (i = 0; i < MAX_SOCKETS; i++)
		mc.socks[i] = -1;
	while ((opt = getopt(argc, argv, "46qt:i:")) != -1) {
		switch (opt) {
		case '4':
			mc.family = AF_INET;
			break;
		case '6':
			mc.family = AF_INET6;
			break;
		case 'q':
			mc.quiet = true;
			break;
		case 't':
			limit = lab_parse_num(optarg, 1, 3600); /* alarm(0) would be no limit */
			break;
		case 'i':
			mc.ifname = optarg;
			break;
		default:
			usage();
		}
	}
	if (!mc.ifname)
		usage();
	mc.ifindex = if_nametoindex(mc.ifname);
	if (!mc.ifindex)
		die("no interface %s", mc.ifname);
	lab_time_limit((unsigned int)limit);

	if (argc - optind == 1 && strcmp(argv[optind], "-") == 0)
		run_stdin(&mc);
	else
		run_steps(&mc, argc - optind, argv + optind);
	return 0;
}
