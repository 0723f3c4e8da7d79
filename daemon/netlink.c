/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtnetlink through libmnl: one NETLINK_ROUTE socket on the link and address groups, a dump
 * of links then addresses on request (and again whenever the kernel dropped events), every
 * message bounds-checked before a field is read. IPv6 addresses are passed on only while
 * usable (DAD done, RFC 4862 §5.4), which takes a set of the addresses reported.
 */
#include <assert.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"

#define RECV_BUF     32768     /* the kernel builds dump replies of at most 32 KiB */
#define RECVS_MAX    4	       /* receive buffers handled per mgmd_netlink_read() */
#define SOCK_RCVBUF  (4 << 20) /* events queued while the loop is busy elsewhere */
#define V6_SET_START 64	       /* first size of the usable IPv6 address set */

/* An IPv6 address reported usable, in an open-addressing set; ifindex 0 marks a free slot. */
struct v6_entry {
	int ifindex;
	uint32_t gen; /* the dump that last saw it */
	uint8_t octets[16];
};

enum dump_stage { DUMP_IDLE, DUMP_LINKS, DUMP_ADDRS };

struct mgmd_netlink {
	struct mnl_socket *sock;
	struct mgmd_netlink_callbacks cb;
	uint32_t portid;
	uint32_t seq;	   /* of the last request */
	uint32_t dump_seq; /* of the dump request in flight, while stage != DUMP_IDLE */
	uint8_t stage;	   /* enum dump_stage */
	bool redump;	   /* start over when the dump in flight ends */
	uint32_t gen;	   /* dumps started */
	struct v6_entry *v6;
	size_t v6_cap, v6_count;
	struct mgmd_netlink_stats stats;
	char err[MGMD_NETLINK_ERRLEN];
	uint8_t buf[RECV_BUF] __attribute__((aligned(8)));
};

static void set_err(char *err, size_t errlen, const char *what, int e)
{
	if (errlen)
		snprintf(err, errlen, "netlink: %s: %s", what, strerror(e));
}

/* ---- The set of usable IPv6 addresses ------------------------------------------------------ */

static size_t v6_hash(int ifindex, const uint8_t *octets)
{
	uint32_t h = 2166136261u ^ (uint32_t)ifindex;

	for (int i = 0; i < 16; i++)
		h = (h ^ octets[i]) * 16777619u;
	return h;
}

static struct v6_entry *v6_find(struct mgmd_netlink *nl, int ifindex, const uint8_t *octets)
{
	if (!nl->v6_cap)
		return NULL;
	size_t mask = nl->v6_cap - 1;
	for (size_t i = v6_hash(ifindex, octets) & mask;; i = (i + 1) & mask) {
		struct v6_entry *e = &nl->v6[i];
		if (!e->ifindex)
			return NULL;
		if (e->ifindex == ifindex && !memcmp(e->octets, octets, 16))
			return e;
	}
}

static struct v6_entry *v6_slot(struct v6_entry *v, size_t cap, int ifindex, const uint8_t *octets)
{
	size_t i = v6_hash(ifindex, octets) & (cap - 1);

	while (v[i].ifindex)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static int v6_grow(struct mgmd_netlink *nl)
{
	size_t cap = nl->v6_cap ? nl->v6_cap * 2 : V6_SET_START;
	struct v6_entry *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < nl->v6_cap; i++)
		if (nl->v6[i].ifindex)
			*v6_slot(v, cap, nl->v6[i].ifindex, nl->v6[i].octets) = nl->v6[i];
	free(nl->v6);
	nl->v6 = v;
	nl->v6_cap = cap;
	return 0;
}

/* Inserts an address, or marks it seen by the current dump. 0 or -ENOMEM. */
static int v6_add(struct mgmd_netlink *nl, int ifindex, const uint8_t *octets)
{
	struct v6_entry *e = v6_find(nl, ifindex, octets);

	if (e) {
		e->gen = nl->gen;
		return 0;
	}
	/* At most half full, so that a probe ends soon. */
	if ((nl->v6_count + 1) * 2 > nl->v6_cap) {
		int rc = v6_grow(nl);
		if (rc)
			return rc;
	}
	e = v6_slot(nl->v6, nl->v6_cap, ifindex, octets);
	e->ifindex = ifindex;
	e->gen = nl->gen;
	memcpy(e->octets, octets, 16);
	nl->v6_count++;
	return 0;
}

/* Frees slot e, moving back the entries of its probe run that would otherwise be cut off. */
static void v6_remove(struct mgmd_netlink *nl, struct v6_entry *e)
{
	size_t mask = nl->v6_cap - 1;
	size_t hole = (size_t)(e - nl->v6);

	nl->v6[hole].ifindex = 0;
	nl->v6_count--;
	for (size_t i = (hole + 1) & mask; nl->v6[i].ifindex; i = (i + 1) & mask) {
		size_t home = v6_hash(nl->v6[i].ifindex, nl->v6[i].octets) & mask;
		/* The entry may stay when its home lies cyclically in (hole, i]. */
		if (((i - home) & mask) < ((i - hole) & mask))
			continue;
		nl->v6[hole] = nl->v6[i];
		nl->v6[i].ifindex = 0;
		hole = i;
	}
}

/* Forgets every entry that matches: one link's (ifindex > 0) or those older than the dump
 * that just ended (ifindex 0). Removing may move a later entry into slot i: look again. */
static void v6_sweep(struct mgmd_netlink *nl, int ifindex)
{
	for (size_t i = 0; i < nl->v6_cap;) {
		struct v6_entry *e = &nl->v6[i];
		if (e->ifindex && (ifindex ? e->ifindex == ifindex : e->gen != nl->gen))
			v6_remove(nl, e);
		else
			i++;
	}
}

/* ---- Messages -------------------------------------------------------------------------------- */

struct attrs {
	const struct nlattr *tb[IFLA_MAX > IFA_MAX ? IFLA_MAX + 1 : IFA_MAX + 1];
	uint16_t addr_len; /* of IFA_ADDRESS and IFA_LOCAL: 4 or 16 */
	bool bad;
};

/* Keeps the last attribute of each known type after checking its size; an attribute of a
 * type this code reads with the wrong size makes the message malformed. */
static int link_attr(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	uint16_t type = mnl_attr_get_type(a);
	int rc = 0;

	if (type > IFLA_MAX)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		rc = mnl_attr_validate(a, MNL_TYPE_NUL_STRING);
		if (!rc && mnl_attr_get_payload_len(a) > IFNAMSIZ)
			rc = -1;
		break;
	case IFLA_MTU:
		rc = mnl_attr_validate(a, MNL_TYPE_U32);
		break;
	default:
		break;
	}
	if (rc < 0) {
		at->bad = true;
		return MNL_CB_ERROR;
	}
	at->tb[type] = a;
	return MNL_CB_OK;
}

static int addr_attr(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	uint16_t type = mnl_attr_get_type(a);
	int rc = 0;

	if (type > IFA_MAX)
		return MNL_CB_OK;
	switch (type) {
	case IFA_ADDRESS:
	case IFA_LOCAL:
		rc = mnl_attr_validate2(a, MNL_TYPE_BINARY, at->addr_len);
		break;
	case IFA_FLAGS:
		rc = mnl_attr_validate(a, MNL_TYPE_U32);
		break;
	default:
		break;
	}
	if (rc < 0) {
		at->bad = true;
		return MNL_CB_ERROR;
	}
	at->tb[type] = a;
	return MNL_CB_OK;
}

/* RTM_NEWLINK / RTM_DELLINK. 0, or -EBADMSG for a message that does not parse. */
static int on_link(struct mgmd_netlink *nl, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi;
	struct attrs at = {0};

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	/* The bridge sends its port events to the same group with AF_BRIDGE: a port leaving a
	 * bridge is an RTM_DELLINK of that family, not the link going away. */
	if (ifi->ifi_family != AF_UNSPEC)
		return 0;
	if (ifi->ifi_index <= 0)
		return -EBADMSG;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		v6_sweep(nl, ifi->ifi_index);
		if (nl->cb.link_del)
			nl->cb.link_del(nl->cb.ctx, ifi->ifi_index);
		return 0;
	}
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &at) < 0 || at.bad)
		return -EBADMSG;
	if (!at.tb[IFLA_IFNAME])
		return -EBADMSG;
	/* Wireless extensions events come as RTM_NEWLINK with nothing changed on the link. */
	if (at.tb[IFLA_WIRELESS])
		return 0;

	struct mgmd_link l = {
		.ifindex = ifi->ifi_index,
		.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING),
		.multicast = ifi->ifi_flags & IFF_MULTICAST,
		.mtu = at.tb[IFLA_MTU] ? mnl_attr_get_u32(at.tb[IFLA_MTU]) : 0,
	};
	static_assert(sizeof(l.name) >= IFNAMSIZ, "a kernel name fits");
	memcpy(l.name, mnl_attr_get_str(at.tb[IFLA_IFNAME]),
	       mnl_attr_get_payload_len(at.tb[IFLA_IFNAME]));
	if (nl->cb.link)
		nl->cb.link(nl->cb.ctx, &l);
	return 0;
}

static void report_addr(struct mgmd_netlink *nl, int ifindex, const struct mgm_addr *a,
			uint8_t prefix_len, bool added)
{
	if (nl->cb.addr)
		nl->cb.addr(nl->cb.ctx, ifindex, a, prefix_len, added);
}

/* RTM_NEWADDR / RTM_DELADDR. 0, -EBADMSG, or -ENOMEM when the IPv6 set cannot grow. */
static int on_addr(struct mgmd_netlink *nl, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa;
	const struct nlattr *local;
	struct attrs at = {0};
	struct mgm_addr a;
	uint32_t flags;
	int ifindex;
	bool add = nlh->nlmsg_type == RTM_NEWADDR;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family == AF_INET)
		at.addr_len = 4;
	else if (ifa->ifa_family == AF_INET6)
		at.addr_len = 16;
	else
		return 0;
	if (ifa->ifa_index == 0 || ifa->ifa_index > INT32_MAX ||
	    ifa->ifa_prefixlen > at.addr_len * 8)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, &at) < 0 || at.bad)
		return -EBADMSG;
	/* IFA_LOCAL is ours where a point-to-point link has IFA_ADDRESS for the peer. */
	local = at.tb[IFA_LOCAL] ? at.tb[IFA_LOCAL] : at.tb[IFA_ADDRESS];
	if (!local)
		return -EBADMSG;
	ifindex = (int)ifa->ifa_index;
	flags = at.tb[IFA_FLAGS] ? mnl_attr_get_u32(at.tb[IFA_FLAGS]) : ifa->ifa_flags;
	mgm_addr_from_wire(&a, ifa->ifa_family == AF_INET ? MGM_INET : MGM_INET6,
			   mnl_attr_get_payload(local));

	if (ifa->ifa_family == AF_INET) {
		report_addr(nl, ifindex, &a, ifa->ifa_prefixlen, add);
		return 0;
	}
	if (ifa->ifa_scope != RT_SCOPE_LINK && ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;
	/* RFC 4862 §5.4: a tentative address is not an address yet (nor after DAD failed); an
	 * optimistic one (RFC 4429) is tentative too, and the kernel's own MLD waits for it. */
	bool usable = add && !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
	struct v6_entry *e = v6_find(nl, ifindex, a.octets);
	if (usable) {
		int rc = v6_add(nl, ifindex, a.octets);
		if (rc)
			return rc;
		report_addr(nl, ifindex, &a, ifa->ifa_prefixlen, true);
	} else if (e) {
		v6_remove(nl, e);
		report_addr(nl, ifindex, &a, ifa->ifa_prefixlen, false);
	}
	return 0;
}

static int send_dump(struct mgmd_netlink *nl, uint16_t type)
{
	char req[NLMSG_SPACE(sizeof(struct ifinfomsg))] __attribute__((aligned(4))) = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq ? nl->seq : ++nl->seq;
	/* Zeroed family (AF_UNSPEC): every link, every address of every family. */
	if (type == RTM_GETLINK)
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	else
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg));
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		int e = errno;
		set_err(nl->err, sizeof(nl->err),
			type == RTM_GETLINK ? "link dump request" : "address dump request", e);
		nl->stage = DUMP_IDLE;
		return -e;
	}
	nl->dump_seq = nlh->nlmsg_seq;
	nl->stage = type == RTM_GETLINK ? DUMP_LINKS : DUMP_ADDRS;
	return 0;
}

static int dump_start(struct mgmd_netlink *nl)
{
	nl->redump = false;
	nl->gen++;
	if (nl->cb.dump_start)
		nl->cb.dump_start(nl->cb.ctx);
	return send_dump(nl, RTM_GETLINK);
}

int mgmd_netlink_dump(struct mgmd_netlink *nl)
{
	if (nl->stage != DUMP_IDLE) {
		nl->redump = true;
		return 0;
	}
	return dump_start(nl);
}

/* The dump in flight ended well: on to addresses, or done, or over again. */
static int dump_next(struct mgmd_netlink *nl)
{
	if (nl->redump)
		return dump_start(nl);
	if (nl->stage == DUMP_LINKS)
		return send_dump(nl, RTM_GETADDR);
	nl->stage = DUMP_IDLE;
	nl->stats.dumps++;
	v6_sweep(nl, 0);
	if (nl->cb.dump_done)
		nl->cb.dump_done(nl->cb.ctx);
	return 0;
}

/* The kernel's words on an error (extended ACK, NLMSGERR_ATTR_MSG), when it sent some. */
static const char *ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !(nlh->nlmsg_flags & NLM_F_CAPPED))
		return NULL;
	mnl_attr_for_each(a, nlh, sizeof(struct nlmsgerr))
	{
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(a);
	}
	return NULL;
}

/* A reply to the dump in flight: data, its end, or its failure. */
static int on_dump_reply(struct mgmd_netlink *nl, const struct nlmsghdr *nlh)
{
	const char *what = nl->stage == DUMP_LINKS ? "link dump" : "address dump";
	int e;

	/* The kernel saw the tables change while it dumped them: the dump may miss some. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		nl->redump = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
			memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
			if (e < 0) {
				nl->stage = DUMP_IDLE;
				set_err(nl->err, sizeof(nl->err), what, -e);
				return e;
			}
		}
		return dump_next(nl);
	case NLMSG_ERROR: {
		const struct nlmsgerr *err;
		const char *msg;
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
			/* The dump is over, whatever it says: do not wait for it. */
			nl->stage = DUMP_IDLE;
			snprintf(nl->err, sizeof(nl->err), "netlink: %s: a truncated error reply",
				 what);
			return -EPROTO;
		}
		err = mnl_nlmsg_get_payload(nlh);
		if (err->error == 0) /* an acknowledgement: not asked for, harmless */
			return 0;
		nl->stage = DUMP_IDLE;
		e = err->error < 0 ? -err->error : EPROTO;
		msg = ext_ack_msg(nlh);
		if (msg)
			snprintf(nl->err, sizeof(nl->err), "netlink: %s: %s (%s)", what,
				 strerror(e), msg);
		else
			set_err(nl->err, sizeof(nl->err), what, e);
		return -e;
	}
	default:
		return 0; /* the data itself is handled like an event, by the caller */
	}
}

static int on_message(struct mgmd_netlink *nl, const struct nlmsghdr *nlh, int *dump_rc)
{
	/* A reply to us carries our port id; an event carries the port id of whoever made the
	 * change (0 for the kernel). We make none, so ours are replies: the current dump's, or
	 * stale ones of a dump given up on, which are dropped. */
	if (nlh->nlmsg_pid == nl->portid && nl->portid) {
		if (nl->stage == DUMP_IDLE || nlh->nlmsg_seq != nl->dump_seq)
			return 0;
		int rc = on_dump_reply(nl, nlh);
		if (rc < 0) {
			*dump_rc = rc; /* the dump failed: the caller hears of it */
			return 0;
		}
	}
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return on_link(nl, nlh);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return on_addr(nl, nlh);
	default:
		return 0;
	}
}

int mgmd_netlink_input(struct mgmd_netlink *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len > INT32_MAX ? INT32_MAX : (int)len;
	int dump_rc = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		nl->stats.messages++;
		int rc = on_message(nl, nlh, &dump_rc);
		if (rc == -ENOMEM) {
			/* An IPv6 address we could not remember is not reported: a dump later
			 * (once memory is back) will bring it. */
			set_err(nl->err, sizeof(nl->err), "IPv6 address set", ENOMEM);
			nl->stats.overruns++;
		} else if (rc < 0) {
			nl->stats.malformed++;
		}
	}
	if (left > 0)
		nl->stats.malformed++; /* a truncated header or a length past the end */
	return dump_rc;
}

/* The kernel lost events meant for us: whatever we know may be stale, so dump again. */
static int overrun(struct mgmd_netlink *nl)
{
	nl->stats.overruns++;
	return mgmd_netlink_dump(nl);
}

int mgmd_netlink_read(struct mgmd_netlink *nl)
{
	for (int n = 0; n < RECVS_MAX; n++) {
		struct sockaddr_nl from;
		struct iovec iov = {.iov_base = nl->buf, .iov_len = sizeof(nl->buf)};
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		ssize_t got = recvmsg(mnl_socket_get_fd(nl->sock), &msg, MSG_DONTWAIT);
		if (got < 0) {
			int e = errno;
			if (e == EAGAIN || e == EWOULDBLOCK)
				return 0;
			if (e == EINTR)
				continue;
			if (e == ENOBUFS) {
				int rc = overrun(nl);
				if (rc)
					return rc;
				continue;
			}
			set_err(nl->err, sizeof(nl->err), "recvmsg", e);
			return -e;
		}
		/* Only the kernel speaks on this socket (port id 0). */
		if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0) {
			nl->stats.malformed++;
			continue;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			int rc = overrun(nl);
			if (rc)
				return rc;
			continue;
		}
		int rc = mgmd_netlink_input(nl, nl->buf, (size_t)got);
		if (rc)
			return rc;
	}
	return 0;
}

int mgmd_netlink_open(struct mgmd_netlink **out, const struct mgmd_netlink_callbacks *cb, char *err,
		      size_t errlen)
{
	struct mgmd_netlink *nl = calloc(1, sizeof(*nl));
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	int size = SOCK_RCVBUF, on = 1, e;
	const char *what;

	*out = NULL;
	if (!nl) {
		set_err(err, errlen, "allocation", ENOMEM);
		return -ENOMEM;
	}
	nl->cb = *cb;
	what = "socket";
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl->sock)
		goto fail;
	int fd = mnl_socket_get_fd(nl->sock);
	/* Beyond net.core.rmem_max needs CAP_NET_ADMIN; without it, what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0) {
		what = "SO_RCVBUF";
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
			goto fail;
	}
	/* Error messages in words from the kernel, without our request echoed. Older kernels
	 * lack them; nothing depends on them. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
	what = "bind";
	if (mnl_socket_bind(nl->sock, groups, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	*out = nl;
	return 0;
fail:
	e = errno ? errno : EIO;
	set_err(err, errlen, what, e);
	mgmd_netlink_close(nl);
	return -e;
}

int mgmd_netlink_fd(const struct mgmd_netlink *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

bool mgmd_netlink_dumping(const struct mgmd_netlink *nl)
{
	return nl->stage != DUMP_IDLE;
}

const char *mgmd_netlink_error(const struct mgmd_netlink *nl)
{
	return nl->err;
}

void mgmd_netlink_stats(const struct mgmd_netlink *nl, struct mgmd_netlink_stats *st)
{
	*st = nl->stats;
}

void mgmd_netlink_close(struct mgmd_netlink *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->v6);
	free(nl);
}
