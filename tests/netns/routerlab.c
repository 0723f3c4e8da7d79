/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * routerlab: test program that runs one libmgm router engine per family (IGMP, MLD) as querier
 * on one interface, so real Linux kernel hosts can be checked against it. Packets move on
 * AF_PACKET sockets; it prints every forwarding change and query sent, and the membership
 * table on SIGUSR1 and at exit, in words or (--json) as one JSON object per line for scripts.
 * Not the daemon: no config file, no kernel multicast routing.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "mgm/router.h"
#include "mgm/wire.h"

#define PKT_MAX 65536

/* One router engine with its interface, address and packet socket. */
struct lab_router {
	uint8_t family;	  /* MGM_INET or MGM_INET6 */
	const char *name; /* "igmp" or "mld" */
	struct mgm_router *router;
	struct mgm_addr address;
	uint8_t prefix_len;
	int fd;
	unsigned int ifindex;
	int64_t start_ms;
	bool verbose;
};

/* --json: every event and table row is one JSON object on a line of its own. */
static bool json;
/* Numbers the tables printed, so that a script can tell the rows of the last one apart. */
static unsigned table_serial;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seconds since start with milliseconds: the prefix of every event line. */
static void stamp(const struct lab_router *lr, int64_t now)
{
	int64_t t = now - lr->start_ms;

	printf("%3lld.%03lld ", (long long)(t / 1000), (long long)(t % 1000));
}

/* ---- JSON lines ---------------------------------------------------------------------------
 * {"t_ms": milliseconds since start, "event": what, "proto": "igmp" | "mld", ...members}
 */

static void event_begin(const struct lab_router *lr, int64_t now, const char *event)
{
	printf("{\"t_ms\":%lld,\"event\":\"%s\",\"proto\":\"%s\"", (long long)(now - lr->start_ms),
	       event, lr->name);
}

static void event_end(void)
{
	printf("}\n");
}

static void put_string(const char *v)
{
	const unsigned char *c;

	if (!v) {
		printf("null");
		return;
	}
	putchar('"');
	for (c = (const unsigned char *)v; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

static void member_string(const char *key, const char *v)
{
	printf(",\"%s\":", key);
	put_string(v);
}

static void member_addr(const char *key, const struct mgm_addr *a)
{
	char text[MGM_ADDRSTRLEN];

	member_string(key, mgm_addr_str(a, text));
}

static void member_int(const char *key, long long v)
{
	printf(",\"%s\":%lld", key, v);
}

static void member_bool(const char *key, bool v)
{
	printf(",\"%s\":%s", key, v ? "true" : "false");
}

static uint8_t prefix_of(const uint8_t *mask, size_t len)
{
	uint8_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += (uint8_t)__builtin_popcount(mask[i]);
	return n;
}

/*
 * The interface's IPv4 address, or its IPv6 link-local one: RFC 3810 §5.1.14 sources queries
 * from the link-local address. False while the interface has none yet.
 */
static bool find_address(struct lab_router *lr, const char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		die("getifaddrs: %s", strerror(errno));
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_netmask || strcmp(i->ifa_name, ifname) != 0)
			continue;
		if (lr->family == MGM_INET && i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *a = (const struct sockaddr_in *)i->ifa_addr;
			const struct sockaddr_in *m = (const struct sockaddr_in *)i->ifa_netmask;

			mgm_addr_from_wire(&lr->address, MGM_INET, (const uint8_t *)&a->sin_addr);
			lr->prefix_len = prefix_of((const uint8_t *)&m->sin_addr, 4);
			found = true;
		} else if (lr->family == MGM_INET6 && i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)i->ifa_addr;
			const struct sockaddr_in6 *m = (const struct sockaddr_in6 *)i->ifa_netmask;

			mgm_addr_from_wire(&lr->address, MGM_INET6, a->sin6_addr.s6_addr);
			lr->prefix_len = prefix_of(m->sin6_addr.s6_addr, 16);
			found = mgm_addr_is_ipv6_link_local(&lr->address);
		}
	}
	freeifaddrs(ifa);
	return found;
}

static void print_query_json(struct lab_router *lr, const struct mgm_addr *dst, size_t len, int rc,
			     const struct mgm_msg *m)
{
	struct mgm_addr src;
	char s[MGM_ADDRSTRLEN];
	uint16_t i;

	if (rc < 0 || m->kind != MGM_MSG_QUERY) {
		event_begin(lr, now_ms(), "send_undecodable");
		member_int("octets", (long long)len);
		member_string("error",
			      rc < 0 ? mgm_strerror(rc) : mgm_msg_kind_name(m->family, m->kind));
		event_end();
		return;
	}
	event_begin(lr, now_ms(), "query");
	member_int("version", m->version);
	member_bool("general", mgm_addr_is_any(&m->group));
	if (mgm_addr_is_any(&m->group))
		member_string("group", NULL);
	else
		member_addr("group", &m->group);
	printf(",\"sources\":[");
	for (i = 0; i < m->num_sources; i++) {
		mgm_source_at(m->sources, lr->family, i, &src);
		printf("%s", i ? "," : "");
		put_string(mgm_addr_str(&src, s));
	}
	printf("]");
	member_int("max_resp_ms", m->max_resp_ms);
	if (m->version == 3 || (lr->family == MGM_INET6 && m->version == 2)) {
		member_bool("suppress", m->suppress);
		member_int("qrv", m->qrv);
		member_int("qqi_s", m->qqi);
	}
	member_addr("dst", dst);
	event_end();
}

/* Our own query in words, decoded back from the payload we are about to send. */
static void print_query(struct lab_router *lr, const struct mgm_addr *dst, const uint8_t *payload,
			size_t len)
{
	char g[MGM_ADDRSTRLEN], s[MGM_ADDRSTRLEN];
	struct mgm_msg m;
	struct mgm_addr src;
	uint16_t i;
	int rc;

	rc = mgm_decode(lr->family, payload, len, &lr->address, dst, &m);
	if (json) {
		print_query_json(lr, dst, len, rc, &m);
		return;
	}
	stamp(lr, now_ms());
	if (rc < 0 || m.kind != MGM_MSG_QUERY) {
		printf("send %s %zu octets that do not decode as a query: %s\n", lr->name, len,
		       rc < 0 ? mgm_strerror(rc) : mgm_msg_kind_name(m.family, m.kind));
		return;
	}
	printf("query %sv%u %s", lr->name, m.version,
	       mgm_addr_is_any(&m.group) ? "general" : mgm_addr_str(&m.group, g));
	if (m.num_sources) {
		printf(" {");
		for (i = 0; i < m.num_sources; i++) {
			mgm_source_at(m.sources, lr->family, i, &src);
			printf("%s%s", i ? " " : "", mgm_addr_str(&src, s));
		}
		printf("}");
	}
	printf(" mrt %ums", m.max_resp_ms);
	if (m.version == 3 || (lr->family == MGM_INET6 && m.version == 2))
		printf(" s=%d qrv %u qqi %us", m.suppress ? 1 : 0, m.qrv, m.qqi);
	printf(" to %s\n", mgm_addr_str(dst, g));
}

/* send(): wraps the engine's payload in the IP header and sends it to the group's MAC. */
static void on_send(void *ctx, const struct mgm_addr *dst, const uint8_t *payload, size_t len)
{
	struct lab_router *lr = ctx;
	static uint8_t pkt[PKT_MAX];
	size_t hl = mgm_ip_header_len(lr->family);
	struct sockaddr_ll sll;
	int rc;

	print_query(lr, dst, payload, len);
	rc = mgm_ip_encode(lr->family, &lr->address, dst, len, pkt, sizeof(pkt));
	if (rc < 0 || len > sizeof(pkt) - hl) {
		fprintf(stderr, "routerlab: %s: cannot encode the IP header: %s\n", lr->name,
			rc < 0 ? mgm_strerror(rc) : "too long");
		return;
	}
	memcpy(pkt + hl, payload, len);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)lr->ifindex;
	sll.sll_protocol = htons(lr->family == MGM_INET ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_halen = 6;
	mgm_addr_multicast_mac(dst, sll.sll_addr);
	if (sendto(lr->fd, pkt, hl + len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		fprintf(stderr, "routerlab: %s: sendto: %s\n", lr->name, strerror(errno));
}

static const char *fwd_name(uint8_t f)
{
	return f == MGM_FWD_FORWARD ? "forward" : f == MGM_FWD_BLOCK ? "block" : "none";
}

/* forward(): one line per change of the (*,G) / (S,G) forwarding state. */
static void on_forward(void *ctx, const struct mgm_fwd_change *c)
{
	struct lab_router *lr = ctx;
	char g[MGM_ADDRSTRLEN], s[MGM_ADDRSTRLEN];
	const char *what;

	if (c->to == MGM_FWD_FORWARD)
		what = "+";
	else if (c->to == MGM_FWD_BLOCK)
		what = "block";
	else if (c->from == MGM_FWD_BLOCK)
		what = "unblock";
	else
		what = "-";
	if (json) {
		event_begin(lr, now_ms(), "fwd");
		member_string("change", what);
		member_addr("group", &c->group);
		member_bool("any_source", c->any_source);
		if (c->any_source)
			member_string("source", NULL);
		else
			member_addr("source", &c->source);
		member_string("from", fwd_name(c->from));
		member_string("to", fwd_name(c->to));
		event_end();
		return;
	}
	stamp(lr, now_ms());
	printf("fwd %s %s %s\n", what, mgm_addr_str(&c->group, g),
	       c->any_source ? "*" : mgm_addr_str(&c->source, s));
}

static void on_log(void *ctx, int level, const char *text)
{
	struct lab_router *lr = ctx;

	if (!lr->verbose && level > MGM_LOG_WARN)
		return;
	if (json) {
		event_begin(lr, now_ms(), "log");
		member_int("level", level);
		member_string("text", text);
		event_end();
		return;
	}
	stamp(lr, now_ms());
	printf("log %s %s\n", lr->name, text);
}

/* ---- Membership table -------------------------------------------------------------------- */

struct table_ctx {
	const struct lab_router *lr;
	int64_t now;
	const struct mgm_addr *group; /* the group whose sources are walked */
};

static int table_source(void *ctx, const struct mgm_router_source_info *si)
{
	const struct table_ctx *tc = ctx;
	char s[MGM_ADDRSTRLEN];

	if (json) {
		event_begin(tc->lr, tc->now, "source");
		member_int("table", table_serial);
		member_addr("group", tc->group);
		member_addr("source", &si->source);
		member_int("timer_ms", si->timer_ms);
		member_string("fwd", fwd_name(si->fwd));
		member_bool("wanted", si->forwarded);
		event_end();
		return 0;
	}
	printf("    source %s timer %lld fwd %s%s\n", mgm_addr_str(&si->source, s),
	       (long long)si->timer_ms, fwd_name(si->fwd), si->forwarded ? " wanted" : "");
	return 0;
}

static int table_group(void *ctx, const struct mgm_router_group_info *gi)
{
	const struct table_ctx *tc = ctx;
	struct table_ctx sc = {tc->lr, tc->now, &gi->group};
	char g[MGM_ADDRSTRLEN], rep[MGM_ADDRSTRLEN];

	if (json) {
		event_begin(tc->lr, tc->now, "group");
		member_int("table", table_serial);
		member_addr("group", &gi->group);
		member_string("mode", gi->filter_mode == MGM_EXCLUDE ? "exclude" : "include");
		member_int("compat", gi->compat_version);
		member_int("timer_ms", gi->group_timer_ms);
		member_int("older_v1_ms", gi->older_host_present_ms[1 - 1]);
		member_int("older_v2_ms", gi->older_host_present_ms[2 - 1]);
		member_int("num_sources", gi->num_sources);
		member_string("fwd_any", fwd_name(gi->any_source_fwd));
		member_addr("reporter", &gi->last_reporter);
		event_end();
		mgm_router_foreach_source(tc->lr->router, tc->now, &gi->group, table_source, &sc);
		return 0;
	}
	printf("  group %s mode %s compat v%u timer %lld older-v1 %lld older-v2 %lld sources %u "
	       "fwd(*) %s reporter %s\n",
	       mgm_addr_str(&gi->group, g), gi->filter_mode == MGM_EXCLUDE ? "exclude" : "include",
	       gi->compat_version, (long long)gi->group_timer_ms,
	       (long long)gi->older_host_present_ms[0], (long long)gi->older_host_present_ms[1],
	       gi->num_sources, fwd_name(gi->any_source_fwd),
	       mgm_addr_str(&gi->last_reporter, rep));
	mgm_router_foreach_source(tc->lr->router, tc->now, &gi->group, table_source, &sc);
	return 0;
}

/* The table as rows: "table" (the instance), then "group" and "source", "drop" per reason
 * counted, and "table_end"; every row carries the table's serial number. */
static void print_table_json(const struct lab_router *lr, int64_t now,
			     const struct mgm_router_status *st,
			     const struct mgm_router_counters *c, uint64_t drops)
{
	struct table_ctx tc = {lr, now, NULL};
	int i;

	event_begin(lr, now, "table");
	member_int("table", table_serial);
	member_addr("address", &st->address);
	member_bool("querier", st->querier);
	member_addr("querier_address", &st->querier_address);
	member_int("operating_version", st->operating_version);
	member_int("configured_version", st->configured_version);
	member_int("groups", st->groups);
	member_int("sources", st->sources);
	member_int("next_query_ms", st->next_general_query_ms);
	member_int("drops", (long long)drops);
	event_end();
	mgm_router_foreach_group(lr->router, now, table_group, &tc);
	for (i = 0; i < MGM_DROP__COUNT; i++) {
		if (!c->drops[i])
			continue;
		event_begin(lr, now, "drop");
		member_int("table", table_serial);
		member_string("reason", mgm_router_drop_name(i));
		member_int("count", (long long)c->drops[i]);
		event_end();
	}
	event_begin(lr, now, "table_end");
	member_int("table", table_serial);
	event_end();
}

static void print_table(const struct lab_router *lr, int64_t now)
{
	struct table_ctx tc = {lr, now, NULL};
	struct mgm_router_status st;
	struct mgm_router_counters c;
	char a[MGM_ADDRSTRLEN], q[MGM_ADDRSTRLEN];
	uint64_t drops = 0;
	int i;

	mgm_router_status(lr->router, now, &st);
	mgm_router_counters(lr->router, &c);
	for (i = 0; i < MGM_DROP__COUNT; i++)
		drops += c.drops[i];
	table_serial++;
	if (json) {
		print_table_json(lr, now, &st, &c, drops);
		return;
	}
	stamp(lr, now);
	printf("table %s address %s querier %s (%s) version %u/%u groups %u sources %u "
	       "next-query %lld drops %llu\n",
	       lr->name, mgm_addr_str(&st.address, a), st.querier ? "yes" : "no",
	       mgm_addr_str(&st.querier_address, q), st.operating_version, st.configured_version,
	       st.groups, st.sources, (long long)st.next_general_query_ms,
	       (unsigned long long)drops);
	mgm_router_foreach_group(lr->router, now, table_group, &tc);
	for (i = 0; i < MGM_DROP__COUNT; i++)
		if (c.drops[i])
			printf("  drop %s %llu\n", mgm_router_drop_name(i),
			       (unsigned long long)c.drops[i]);
	printf("end table %s\n", lr->name);
}

/* ---- Packet I/O ---------------------------------------------------------------------------- */

static int open_socket(struct lab_router *lr)
{
	uint16_t proto = htons(lr->family == MGM_INET ? ETH_P_IP : ETH_P_IPV6);
	struct packet_mreq mr;
	struct sockaddr_ll sll;
	int fd;

	/* SOCK_DGRAM: the kernel strips and builds the Ethernet header; we see the IP packet. */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		die("packet socket: %s", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = proto;
	sll.sll_ifindex = (int)lr->ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind packet socket: %s", strerror(errno));
	/* Reports go to the groups themselves (v1/v2, MLDv1), which we never join: all-multicast
	 * mode makes the interface pass every group's frames up to us. */
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = (int)lr->ifindex;
	mr.mr_type = PACKET_MR_ALLMULTI;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		die("PACKET_MR_ALLMULTI: %s", strerror(errno));
	return fd;
}

/* Drains the socket: every IGMP / MLD message others sent goes to the engine. */
static void receive(struct lab_router *lr)
{
	static uint8_t pkt[PKT_MAX];
	struct sockaddr_ll from;
	struct mgm_ip_info ip;
	struct mgm_msg m;
	socklen_t fl;
	ssize_t n;
	int rc;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(lr->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				fprintf(stderr, "routerlab: %s: recvfrom: %s\n", lr->name,
					strerror(errno));
			return;
		}
		/* Our own queries come back as outgoing copies; the engine need not see them. */
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		/* Not IGMP / ICMPv6, or a broken IP header: nothing the engine could use. */
		if (mgm_ip_decode(pkt, (size_t)n, &ip) < 0)
			continue;
		rc = mgm_decode(ip.family, ip.payload, ip.payload_len, &ip.src, &ip.dst, &m);
		if (rc == 0 && m.kind == MGM_MSG_UNKNOWN)
			continue; /* neighbour discovery and other ICMPv6 */
		if (rc < 0) {
			if (lr->verbose && json) {
				event_begin(lr, now_ms(), "malformed");
				member_string("error", mgm_strerror(rc));
				event_end();
			} else if (lr->verbose) {
				stamp(lr, now_ms());
				printf("malformed %s: %s\n", lr->name, mgm_strerror(rc));
			}
			/* The engine decodes it again, leniently: it applies the good records of a
			 * report and counts the rest. */
			mgm_router_input(lr->router, now_ms(), &ip);
			continue;
		}
		mgm_router_input_msg(lr->router, now_ms(), &ip, &m);
	}
}

/* ---- Main ---------------------------------------------------------------------------------- */

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: routerlab [-4] [-6] -i IFACE [--seconds N] [--qi MS] [--qri MS] [--lmqi MS]\n"
	      "                 [--rv N] [--igmp-version 1..3] [--mld-version 1..2] [-v] [--json]\n"
	      "Runs a libmgm router engine (querier) per family on IFACE for at most N seconds\n"
	      "(default 30): prints forwarding changes and queries, the table on SIGUSR1 and exit;\n"
	      "--json prints them as one JSON object per line.\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"qi", required_argument, NULL, 'Q'},
		{"qri", required_argument, NULL, 'R'},
		{"lmqi", required_argument, NULL, 'L'},
		{"rv", required_argument, NULL, 'r'},
		{"igmp-version", required_argument, NULL, 'I'},
		{"mld-version", required_argument, NULL, 'M'},
		{"verbose", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct lab_router labs[2];
	struct mgm_router_callbacks cb;
	struct mgm_router_config cfg;
	unsigned long seconds = 30, qi = 0, qri = 0, lmqi = 0, rv = 0, vers[2] = {0, 0};
	bool want[2] = {false, false}, verbose = false;
	const char *ifname = NULL;
	struct pollfd pfd[3];
	char err[256];
	int64_t start, end, now, next;
	sigset_t sigs;
	int nlab = 0, i, opt, sfd, waited;
	bool done = false;

	while ((opt = getopt_long(argc, argv, "46i:v", opts, NULL)) != -1) {
		switch (opt) {
		case '4':
			want[0] = true;
			break;
		case '6':
			want[1] = true;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			seconds = lab_parse_num(optarg, 1, 3600);
			break;
		case 'Q':
			qi = lab_parse_num(optarg, 100, 3600000);
			break;
		case 'R':
			qri = lab_parse_num(optarg, 100, 3600000);
			break;
		case 'L':
			lmqi = lab_parse_num(optarg, 100, 3600000);
			break;
		case 'r':
			rv = lab_parse_num(optarg, 1, 7);
			break;
		case 'I':
			vers[0] = lab_parse_num(optarg, 1, 3);
			break;
		case 'M':
			vers[1] = lab_parse_num(optarg, 1, 2);
			break;
		default:
			usage();
		}
	}
	if (!ifname || optind != argc || (!want[0] && !want[1]))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A hard cap even if the loop below were to stall. */
	lab_time_limit((unsigned int)seconds + 5);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));

	start = now_ms();
	end = start + (int64_t)seconds * 1000;
	for (i = 0; i < 2; i++) {
		struct lab_router *lr = &labs[nlab];
		uint8_t fam = i == 0 ? MGM_INET : MGM_INET6;

		if (!want[i])
			continue;
		memset(lr, 0, sizeof(*lr));
		lr->family = fam;
		lr->name = fam == MGM_INET ? "igmp" : "mld";
		lr->start_ms = start;
		lr->verbose = verbose;
		lr->ifindex = if_nametoindex(ifname);
		if (!lr->ifindex)
			die("no interface %s", ifname);
		/* A fresh interface may still be getting its link-local address. */
		for (waited = 0; !find_address(lr, ifname); waited++) {
			if (waited == 50)
				die("no %s address on %s",
				    fam == MGM_INET ? "IPv4" : "link-local IPv6", ifname);
			usleep(100000);
		}
		lr->fd = open_socket(lr);

		mgm_router_config_defaults(&cfg, fam);
		if (vers[i])
			cfg.version = (uint8_t)vers[i];
		if (rv) {
			cfg.robustness = (uint8_t)rv;
			cfg.startup_query_count = (uint8_t)rv;
			cfg.last_member_query_count = (uint8_t)rv;
		}
		if (qi) {
			cfg.query_interval_ms = (uint32_t)qi;
			cfg.startup_query_interval_ms = (uint32_t)qi / 4;
		}
		if (qri)
			cfg.query_response_interval_ms = (uint32_t)qri;
		if (lmqi)
			cfg.last_member_query_interval_ms = (uint32_t)lmqi;
		memset(&cb, 0, sizeof(cb));
		cb.ctx = lr;
		cb.send = on_send;
		cb.forward = on_forward;
		cb.log = on_log;
		err[0] = '\0';
		if (mgm_router_create(&cfg, &cb, NULL, &lr->router, err, sizeof(err)) < 0)
			die("%s: %s", lr->name, err);
		if (err[0])
			fprintf(stderr, "routerlab: %s: %s\n", lr->name, err);
		now = now_ms();
		if (mgm_router_set_address(lr->router, now, &lr->address, lr->prefix_len) < 0)
			die("%s: cannot set the address", lr->name);
		if (json) {
			event_begin(lr, now, "start");
			member_int("version", cfg.version);
			member_string("interface", ifname);
			member_addr("address", &lr->address);
			member_int("prefix_len", lr->prefix_len);
			member_int("qi_ms", cfg.query_interval_ms);
			member_int("qri_ms", cfg.query_response_interval_ms);
			member_int("lmqi_ms", cfg.last_member_query_interval_ms);
			member_int("lmqc", cfg.last_member_query_count);
			member_int("rv", cfg.robustness);
			event_end();
		} else {
			char a[MGM_ADDRSTRLEN];

			stamp(lr, now);
			printf("start %s v%u on %s address %s/%u qi %u qri %u lmqi %u lmqc %u rv %u\n",
			       lr->name, cfg.version, ifname, mgm_addr_str(&lr->address, a),
			       lr->prefix_len, cfg.query_interval_ms,
			       cfg.query_response_interval_ms, cfg.last_member_query_interval_ms,
			       cfg.last_member_query_count, cfg.robustness);
		}
		if (mgm_router_start(lr->router, now) < 0)
			die("%s: cannot start", lr->name);
		nlab++;
	}

	while (!done) {
		int timeout, n;

		now = now_ms();
		next = end;
		for (i = 0; i < nlab; i++) {
			int64_t d = mgm_router_next_deadline(labs[i].router);

			if (d <= now) {
				mgm_router_timer(labs[i].router, now);
				d = mgm_router_next_deadline(labs[i].router);
			}
			if (d < next)
				next = d;
		}
		if (now >= end)
			break;
		timeout = next <= now ? 0 : (int)(next - now);
		for (i = 0; i < nlab; i++) {
			pfd[i].fd = labs[i].fd;
			pfd[i].events = POLLIN;
		}
		pfd[nlab].fd = sfd;
		pfd[nlab].events = POLLIN;
		n = poll(pfd, (nfds_t)nlab + 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < nlab; i++)
			if (pfd[i].revents & POLLIN)
				receive(&labs[i]);
		if (pfd[nlab].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGUSR1) {
					for (i = 0; i < nlab; i++)
						print_table(&labs[i], now_ms());
				} else {
					done = true;
				}
			}
		}
	}

	/* The final table; no stop(), so the output ends without a burst of withdrawals. */
	now = now_ms();
	for (i = 0; i < nlab; i++) {
		print_table(&labs[i], now);
		mgm_router_destroy(labs[i].router);
		close(labs[i].fd);
	}
	close(sfd);
	return 0;
}
