/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/netlink.c on messages built here (mgmd_netlink_input): the fields of each callback,
 * every malformed message skipped and counted, IPv6 addresses only while usable (RFC 4862
 * §5.4), the set of reported addresses under many insertions and removals; then one real dump
 * of this namespace. tests/netns/test_netlink.sh has the kernel's side of the story.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink.h"

#define EVENTS_MAX 4096

struct event {
	char kind; /* 'l' link, 'd' link_del, 'a' addr, 's' dump_start, 'e' dump_done */
	struct mgmd_link link;
	int ifindex;
	struct mgm_addr addr;
	uint8_t prefix_len;
	bool added;
};

struct recorder {
	struct event ev[EVENTS_MAX];
	size_t n;
};

static struct event *next(void *ctx)
{
	struct recorder *r = ctx;

	assert_true(r->n < EVENTS_MAX);
	return &r->ev[r->n++];
}

static void on_link(void *ctx, const struct mgmd_link *l)
{
	struct event *e = next(ctx);
	e->kind = 'l';
	e->link = *l;
	e->ifindex = l->ifindex;
}

static void on_link_del(void *ctx, int ifindex)
{
	struct event *e = next(ctx);
	e->kind = 'd';
	e->ifindex = ifindex;
}

static void on_addr(void *ctx, int ifindex, const struct mgm_addr *a, uint8_t prefix_len,
		    bool added)
{
	struct event *e = next(ctx);
	e->kind = 'a';
	e->ifindex = ifindex;
	e->addr = *a;
	e->prefix_len = prefix_len;
	e->added = added;
}

static void on_dump_start(void *ctx)
{
	next(ctx)->kind = 's';
}

static void on_dump_done(void *ctx)
{
	next(ctx)->kind = 'e';
}

struct fixture {
	struct recorder rec;
	struct mgmd_netlink *nl;
	uint8_t buf[8192] __attribute__((aligned(8)));
};

static int setup(void **state)
{
	static struct fixture f;
	struct mgmd_netlink_callbacks cb = {
		.ctx = &f.rec,
		.link = on_link,
		.link_del = on_link_del,
		.addr = on_addr,
		.dump_start = on_dump_start,
		.dump_done = on_dump_done,
	};
	char err[MGMD_NETLINK_ERRLEN];

	memset(&f, 0, sizeof(f));
	if (mgmd_netlink_open(&f.nl, &cb, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mgmd_netlink_close(f->nl);
	return 0;
}

static struct mgmd_netlink_stats stats(struct fixture *f)
{
	struct mgmd_netlink_stats st;

	mgmd_netlink_stats(f->nl, &st);
	return st;
}

/* ---- Message builders: an event from the kernel (port id 0). ---- */

static struct nlmsghdr *link_msg(struct fixture *f, uint16_t type, uint8_t family, int ifindex,
				 unsigned flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = family;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	return nlh;
}

static struct nlmsghdr *addr_msg(struct fixture *f, uint16_t type, const char *text,
				 uint8_t prefix_len, int ifindex, uint32_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->buf);
	struct ifaddrmsg *ifa;
	uint8_t a[16];
	bool v6 = strchr(text, ':') != NULL;

	nlh->nlmsg_type = type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = v6 ? AF_INET6 : AF_INET;
	ifa->ifa_prefixlen = prefix_len;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_scope = v6 && !strncmp(text, "fe80", 4) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	assert_int_equal(inet_pton(ifa->ifa_family, text, a), 1);
	mnl_attr_put(nlh, IFA_ADDRESS, v6 ? 16 : 4, a);
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	return nlh;
}

static void input(struct fixture *f, const struct nlmsghdr *nlh)
{
	assert_int_equal(mgmd_netlink_input(f->nl, nlh, nlh->nlmsg_len), 0);
}

static void addr_event(struct fixture *f, uint16_t type, const char *text, int ifindex,
		       uint32_t flags)
{
	input(f, addr_msg(f, type, text, strchr(text, ':') ? 64 : 24, ifindex, flags));
}

static void assert_addr(const struct event *e, int ifindex, const char *text, bool added)
{
	char s[MGM_ADDRSTRLEN];

	assert_int_equal(e->kind, 'a');
	assert_int_equal(e->ifindex, ifindex);
	assert_string_equal(mgm_addr_str(&e->addr, s), text);
	assert_int_equal(e->added, added);
}

/* ---- Links ---- */

static void test_netlink_link_fields(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh =
		link_msg(f, RTM_NEWLINK, AF_UNSPEC, 7, IFF_UP | IFF_RUNNING | IFF_MULTICAST);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ppp0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1492);
	input(f, nlh);
	/* Up but no carrier: not up. */
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 7, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ppp0");
	input(f, nlh);
	input(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, 7, 0));

	assert_int_equal(f->rec.n, 3);
	const struct mgmd_link *l = &f->rec.ev[0].link;
	assert_int_equal(f->rec.ev[0].kind, 'l');
	assert_int_equal(l->ifindex, 7);
	assert_string_equal(l->name, "ppp0");
	assert_true(l->up);
	assert_true(l->multicast);
	assert_int_equal(l->mtu, 1492);
	l = &f->rec.ev[1].link;
	assert_false(l->up);
	assert_false(l->multicast);
	assert_int_equal(l->mtu, 0);
	assert_int_equal(f->rec.ev[2].kind, 'd');
	assert_int_equal(f->rec.ev[2].ifindex, 7);
	assert_int_equal(stats(f).malformed, 0);
}

/* A bridge's port events share the link group: RTM_DELLINK of AF_BRIDGE is a port leaving
 * its bridge. Wireless events are RTM_NEWLINK with IFLA_WIRELESS and nothing changed. */
static void test_netlink_bridge_and_wireless_events_ignored(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = link_msg(f, RTM_DELLINK, AF_BRIDGE, 4, 0);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth1");
	input(f, nlh);
	nlh = link_msg(f, RTM_NEWLINK, AF_BRIDGE, 4, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth1");
	input(f, nlh);
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 5, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wlan0");
	mnl_attr_put(nlh, IFLA_WIRELESS, 4, "\0\0\0\0");
	input(f, nlh);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(stats(f).malformed, 0);
}

static void test_netlink_malformed_links_skipped(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh;
	uint64_t malformed = 0;

	/* No name. */
	input(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP));
	assert_int_equal(stats(f).malformed, ++malformed);
	/* A name without its NUL. */
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth0");
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* A name longer than IFNAMSIZ. */
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "abcdefghijklmnopq");
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* An MTU of two octets. */
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u16(nlh, IFLA_MTU, 1500);
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* An index of 0. */
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 0, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* A header too short for struct ifinfomsg. */
	nlh = mnl_nlmsg_put_header(f->buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, 4);
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* The name attribute claims more than the message holds: the walk stops, no name. */
	nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	((struct nlattr *)((uint8_t *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg))))
		->nla_len = 200;
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	assert_int_equal(f->rec.n, 0);
}

/* A message longer than the buffer, or a buffer ending inside a header: nothing is read
 * past the end (ASan watches), the rest of the buffer is dropped and counted. */
static void test_netlink_truncated_buffer(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = link_msg(f, RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	size_t len = nlh->nlmsg_len;
	assert_int_equal(mgmd_netlink_input(f->nl, f->buf, len - 1), 0);
	assert_int_equal(mgmd_netlink_input(f->nl, f->buf, 10), 0);
	assert_int_equal(stats(f).malformed, 2);
	assert_int_equal(f->rec.n, 0);
	/* Two messages in one buffer, both read. */
	memcpy(f->buf + len, f->buf, len);
	assert_int_equal(mgmd_netlink_input(f->nl, f->buf, 2 * len), 0);
	assert_int_equal(f->rec.n, 2);
}

/* ---- Addresses ---- */

/* On a point-to-point link IFA_ADDRESS is the peer and IFA_LOCAL ours. */
static void test_netlink_ipv4_local_address_of_point_to_point_link(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = addr_msg(f, RTM_NEWADDR, "198.18.0.2", 32, 9, 0);
	uint8_t local[4] = {198, 18, 0, 1};

	mnl_attr_put(nlh, IFA_LOCAL, 4, local);
	input(f, nlh);
	addr_event(f, RTM_DELADDR, "198.18.5.1", 9, 0);
	assert_int_equal(f->rec.n, 2);
	assert_addr(&f->rec.ev[0], 9, "198.18.0.1", true);
	assert_int_equal(f->rec.ev[0].prefix_len, 32);
	/* IPv4 keeps no set: every removal is passed on. */
	assert_addr(&f->rec.ev[1], 9, "198.18.5.1", false);
}

/* RFC 4862 §5.4: tentative is not yet an address; reported when DAD is done, removed when it
 * becomes tentative again, never when DAD failed. */
static void test_netlink_ipv6_reported_only_while_usable(void **state)
{
	struct fixture *f = *state;

	addr_event(f, RTM_NEWADDR, "fe80::1", 2, IFA_F_TENTATIVE | IFA_F_PERMANENT);
	assert_int_equal(f->rec.n, 0);
	addr_event(f, RTM_NEWADDR, "fe80::1", 2, IFA_F_PERMANENT);
	assert_int_equal(f->rec.n, 1);
	assert_addr(&f->rec.ev[0], 2, "fe80::1", true);
	assert_int_equal(f->rec.ev[0].prefix_len, 64);
	/* A refresh is reported again (the caller compares). */
	addr_event(f, RTM_NEWADDR, "fe80::1", 2, IFA_F_PERMANENT);
	assert_int_equal(f->rec.n, 2);
	/* DAD again (the link came back): not usable now. */
	addr_event(f, RTM_NEWADDR, "fe80::1", 2, IFA_F_TENTATIVE);
	assert_int_equal(f->rec.n, 3);
	assert_addr(&f->rec.ev[2], 2, "fe80::1", false);
	addr_event(f, RTM_DELADDR, "fe80::1", 2, IFA_F_TENTATIVE);
	assert_int_equal(f->rec.n, 3);

	/* DAD failed: neither the address nor its removal. */
	addr_event(f, RTM_NEWADDR, "2001:db8::7", 2, IFA_F_TENTATIVE);
	addr_event(f, RTM_NEWADDR, "2001:db8::7", 2, IFA_F_TENTATIVE | IFA_F_DADFAILED);
	addr_event(f, RTM_DELADDR, "2001:db8::7", 2, IFA_F_TENTATIVE | IFA_F_DADFAILED);
	assert_int_equal(f->rec.n, 3);

	/* The flags beyond eight bits come in IFA_FLAGS only, which wins over ifa_flags. */
	struct nlmsghdr *nlh = addr_msg(f, RTM_NEWADDR, "2001:db8::8", 64, 2, IFA_F_TENTATIVE);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags = 0;
	input(f, nlh);
	assert_int_equal(f->rec.n, 3);

	/* A usable address deleted: reported removed. */
	addr_event(f, RTM_NEWADDR, "2001:db8::9", 2, 0);
	addr_event(f, RTM_DELADDR, "2001:db8::9", 2, 0);
	assert_int_equal(f->rec.n, 5);
	assert_addr(&f->rec.ev[4], 2, "2001:db8::9", false);
	assert_int_equal(stats(f).malformed, 0);
}

static void test_netlink_ipv6_host_scope_ignored(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = addr_msg(f, RTM_NEWADDR, "::1", 128, 1, IFA_F_PERMANENT);

	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_scope = RT_SCOPE_HOST;
	input(f, nlh);
	assert_int_equal(f->rec.n, 0);
}

/* A link deleted takes its addresses along: a late RTM_DELADDR reports nothing more. */
static void test_netlink_link_deletion_forgets_its_ipv6_addresses(void **state)
{
	struct fixture *f = *state;

	addr_event(f, RTM_NEWADDR, "fe80::2", 6, 0);
	input(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, 6, 0));
	addr_event(f, RTM_DELADDR, "fe80::2", 6, 0);
	assert_int_equal(f->rec.n, 2);
	assert_int_equal(f->rec.ev[1].kind, 'd');
}

static void test_netlink_malformed_addresses_skipped(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh;
	uint64_t malformed = 0;
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};

	/* An IPv6 address of four octets. */
	nlh = addr_msg(f, RTM_NEWADDR, "198.18.0.1", 24, 2, 0);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_INET6;
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* An IPv4 address of sixteen. */
	nlh = addr_msg(f, RTM_NEWADDR, "2001:db8::1", 64, 2, 0);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_INET;
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* A prefix longer than the address. */
	input(f, addr_msg(f, RTM_NEWADDR, "2001:db8::1", 129, 2, 0));
	assert_int_equal(stats(f).malformed, ++malformed);
	input(f, addr_msg(f, RTM_NEWADDR, "198.18.0.1", 33, 2, 0));
	assert_int_equal(stats(f).malformed, ++malformed);
	/* No address at all. */
	nlh = mnl_nlmsg_put_header(f->buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_index = 2;
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* IFA_FLAGS of one octet. */
	nlh = mnl_nlmsg_put_header(f->buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_index = 2;
	mnl_attr_put(nlh, IFA_ADDRESS, 16, a);
	mnl_attr_put_u8(nlh, IFA_FLAGS, 0);
	input(f, nlh);
	assert_int_equal(stats(f).malformed, ++malformed);
	/* Index 0. */
	input(f, addr_msg(f, RTM_NEWADDR, "2001:db8::1", 64, 0, 0));
	assert_int_equal(stats(f).malformed, ++malformed);
	/* Another family: not ours, not malformed. */
	nlh = addr_msg(f, RTM_NEWADDR, "198.18.0.1", 24, 2, 0);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_PACKET;
	input(f, nlh);
	assert_int_equal(stats(f).malformed, malformed);
	assert_int_equal(f->rec.n, 0);
}

/* The set of reported IPv6 addresses through growth and removals in every order: each
 * removal is reported exactly for the addresses still there. */
static void test_netlink_ipv6_set_many_addresses(void **state)
{
	struct fixture *f = *state;
	enum { LINKS = 40, PER_LINK = 50 };
	char text[64];
	size_t want = 0;

	for (int l = 1; l <= LINKS; l++) {
		for (int i = 0; i < PER_LINK; i++) {
			snprintf(text, sizeof(text), "2001:db8:%x::%x", l, i + 1);
			addr_event(f, RTM_NEWADDR, text, l, 0);
			f->rec.n = 0;
		}
	}
	/* Remove every third (by link and address), then all, twice over. */
	for (int pass = 0; pass < 2; pass++) {
		for (int l = 1; l <= LINKS; l++) {
			for (int i = 0; i < PER_LINK; i++) {
				bool first = (l + i) % 3 == 0;
				if (pass == 0 && !first)
					continue;
				snprintf(text, sizeof(text), "2001:db8:%x::%x", l, i + 1);
				f->rec.n = 0;
				addr_event(f, RTM_DELADDR, text, l, 0);
				/* Reported removed once: on the pass that first removes it. */
				bool expect = pass == 0 || !first;
				assert_int_equal(f->rec.n, expect ? 1 : 0);
				want += expect;
			}
		}
	}
	assert_int_equal(want, (size_t)LINKS * PER_LINK);
}

/* ---- A real dump of this namespace's links and addresses ---- */

static void test_netlink_dump_of_this_namespace(void **state)
{
	struct fixture *f = *state;
	bool lo = false;

	assert_int_equal(mgmd_netlink_dump(f->nl), 0);
	assert_true(mgmd_netlink_dumping(f->nl));
	/* A dump asked for during one starts it over: dump_start twice, dump_done once. */
	assert_int_equal(mgmd_netlink_dump(f->nl), 0);
	for (int i = 0; i < 100 && mgmd_netlink_dumping(f->nl); i++) {
		struct pollfd p = {.fd = mgmd_netlink_fd(f->nl), .events = POLLIN};
		assert_true(poll(&p, 1, 1000) >= 0);
		if (mgmd_netlink_read(f->nl) < 0)
			fail_msg("%s", mgmd_netlink_error(f->nl));
	}
	assert_int_equal(stats(f).dumps, 1);
	assert_false(mgmd_netlink_dumping(f->nl));
	size_t starts = 0, dones = 0;
	for (size_t i = 0; i < f->rec.n; i++) {
		const struct event *e = &f->rec.ev[i];
		starts += e->kind == 's';
		dones += e->kind == 'e';
		if (e->kind == 'l' && !strcmp(e->link.name, "lo"))
			lo = true;
	}
	assert_int_equal(f->rec.ev[0].kind, 's');
	assert_int_equal(f->rec.ev[f->rec.n - 1].kind, 'e');
	assert_int_equal(starts, 2);
	assert_int_equal(dones, 1);
	assert_true(lo);
	assert_int_equal(stats(f).malformed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_netlink_link_fields),
		T(test_netlink_bridge_and_wireless_events_ignored),
		T(test_netlink_malformed_links_skipped),
		T(test_netlink_truncated_buffer),
		T(test_netlink_ipv4_local_address_of_point_to_point_link),
		T(test_netlink_ipv6_reported_only_while_usable),
		T(test_netlink_ipv6_host_scope_ignored),
		T(test_netlink_link_deletion_forgets_its_ipv6_addresses),
		T(test_netlink_malformed_addresses_skipped),
		T(test_netlink_ipv6_set_many_addresses),
		T(test_netlink_dump_of_this_namespace),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
