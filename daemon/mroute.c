/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel multicast routing over the MRT socket options (IPv4: net/ipv4/ipmr.c, IPv6:
 * net/ipv6/ip6mr.c): one routing socket per family and table, the VIF table kept here by
 * interface index, MFC entries, their counters, and the upcalls read back from the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
/* After <netinet/in.h>: the kernel headers then leave the libc's in6 definitions alone. */
#include <linux/filter.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>

#include "mgm/err.h"
#include "mroute.h"

#define ERR_MAX 256
/* Large enough for any IGMP packet or ICMPv6 message on a jumbo-frame link. */
#define BUF_MAX	    65536
#define CONTROL_MAX 256

/* Offsets in the kernel's upcall messages (struct igmpmsg, struct mrt6msg). */
#define IGMPMSG_LEN	 20 /* the size of an IPv4 header, where the kernel puts it */
#define IGMPMSG_TYPE_OFF 8  /* im_msgtype, over the IP header's TTL */
#define IGMPMSG_MBZ_OFF	 9  /* im_mbz, over the IP header's protocol */
#define IGMPMSG_VIF_OFF	 10 /* im_vif, then im_vif_hi */
#define IGMPMSG_SRC_OFF	 12 /* im_src, the packet's source */
#define IGMPMSG_DST_OFF	 16 /* im_dst, the packet's group */
#define MRT6MSG_LEN	 40
#define MRT6MSG_MBZ_OFF	 0 /* im6_mbz, over the ICMPv6 type */
#define MRT6MSG_TYPE_OFF 1 /* im6_msgtype */
#define MRT6MSG_MIF_OFF	 2 /* im6_mif, host byte order */
#define MRT6MSG_SRC_OFF	 8
#define MRT6MSG_DST_OFF	 24
#define UPCALL_KIND_MAX	 4

_Static_assert(MGMD_MROUTE_MAX_VIFS == MAXVIFS, "VIF limit differs from the kernel's");
_Static_assert(MGMD_MROUTE_MAX_VIFS == MAXMIFS, "MIF limit differs from the kernel's");
_Static_assert(IGMPMSG_NOCACHE == MGMD_UPCALL_NOCACHE && MRT6MSG_NOCACHE == MGMD_UPCALL_NOCACHE,
	       "upcall values");
_Static_assert(IGMPMSG_WRONGVIF == MGMD_UPCALL_WRONGVIF && MRT6MSG_WRONGMIF == MGMD_UPCALL_WRONGVIF,
	       "upcall values");
_Static_assert(IGMPMSG_WHOLEPKT == MGMD_UPCALL_WHOLEPKT && MRT6MSG_WHOLEPKT == MGMD_UPCALL_WHOLEPKT,
	       "upcall values");

struct mgmd_mroute {
	int fd;
	uint8_t family;
	uint32_t table;
	struct mgmd_mroute_callbacks cb;
	int vif_ifindex[MGMD_MROUTE_MAX_VIFS]; /* 0: free slot */
	unsigned n_vifs;
	uint64_t bad_upcalls;
	char err[ERR_MAX];
	uint8_t buf[BUF_MAX];
	uint8_t control[CONTROL_MAX];
};

/* ---- Upcalls ------------------------------------------------------------------------------- */

static int get_u8(const uint8_t *buf, size_t len, size_t off, uint8_t *v)
{
	if (off >= len)
		return MGM_E_SHORT;
	*v = buf[off];
	return 0;
}

static int get_addr(const uint8_t *buf, size_t len, size_t off, uint8_t family, struct mgm_addr *a)
{
	size_t n = mgm_addr_len(family);

	if (n == 0 || off > len || len - off < n)
		return MGM_E_SHORT;
	mgm_addr_from_wire(a, family, buf + off);
	return 0;
}

static int parse_upcall4(const uint8_t *buf, size_t len, struct mgmd_upcall *up)
{
	uint8_t mbz, type, lo, hi;

	if (get_u8(buf, len, IGMPMSG_MBZ_OFF, &mbz) < 0)
		return MGM_E_SHORT;
	if (mbz != 0)
		return 0; /* the IP protocol of a real packet: IGMP */
	if (len < IGMPMSG_LEN)
		return MGM_E_SHORT;
	if (get_u8(buf, len, IGMPMSG_TYPE_OFF, &type) < 0 ||
	    get_u8(buf, len, IGMPMSG_VIF_OFF, &lo) < 0 ||
	    get_u8(buf, len, IGMPMSG_VIF_OFF + 1, &hi) < 0 ||
	    get_addr(buf, len, IGMPMSG_SRC_OFF, MGM_INET, &up->source) < 0 ||
	    get_addr(buf, len, IGMPMSG_DST_OFF, MGM_INET, &up->group) < 0)
		return MGM_E_SHORT;
	if (type < MGMD_UPCALL_NOCACHE || type > UPCALL_KIND_MAX)
		return MGM_E_INVAL;
	up->kind = type;
	up->family = MGM_INET;
	up->vif = (uint16_t)(lo | hi << 8);
	up->ifindex = 0;
	return 1;
}

static int parse_upcall6(const uint8_t *buf, size_t len, struct mgmd_upcall *up)
{
	uint8_t mbz, type;
	uint16_t mif;

	if (get_u8(buf, len, MRT6MSG_MBZ_OFF, &mbz) < 0)
		return MGM_E_SHORT;
	if (mbz != 0)
		return 0; /* an ICMPv6 type: type 0 is reserved (RFC 4443 §2.1) */
	if (len < MRT6MSG_LEN)
		return MGM_E_SHORT;
	if (get_u8(buf, len, MRT6MSG_TYPE_OFF, &type) < 0 ||
	    get_addr(buf, len, MRT6MSG_SRC_OFF, MGM_INET6, &up->source) < 0 ||
	    get_addr(buf, len, MRT6MSG_DST_OFF, MGM_INET6, &up->group) < 0)
		return MGM_E_SHORT;
	if (type < MGMD_UPCALL_NOCACHE || type > UPCALL_KIND_MAX)
		return MGM_E_INVAL;
	/* im6_mif is the only field the kernel writes in its own byte order. */
	memcpy(&mif, buf + MRT6MSG_MIF_OFF, sizeof(mif));
	up->kind = type;
	up->family = MGM_INET6;
	up->vif = mif;
	up->ifindex = 0;
	return 1;
}

int mgmd_mroute_parse_upcall(uint8_t family, const uint8_t *buf, size_t len, struct mgmd_upcall *up)
{
	if (buf == NULL || up == NULL)
		return MGM_E_INVAL;
	switch (family) {
	case MGM_INET:
		return parse_upcall4(buf, len, up);
	case MGM_INET6:
		return parse_upcall6(buf, len, up);
	default:
		return MGM_E_INVAL;
	}
}

/* ---- Messages ------------------------------------------------------------------------------ */

static const char *fam_name(uint8_t family)
{
	return family == MGM_INET ? "IPv4" : "IPv6";
}

static void put_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The kernel lists its multicast routing VIFs in /proc only when built with it. */
static bool kernel_has_mroute(uint8_t family)
{
	return access(family == MGM_INET ? "/proc/net/ip_mr_vif" : "/proc/net/ip6_mr_vif", F_OK) ==
	       0;
}

static void table_name(uint32_t table, char *buf, size_t len)
{
	if (table == 0)
		snprintf(buf, len, "the default table");
	else
		snprintf(buf, len, "table %u", (unsigned)table);
}

/* One line for a failure of open(): what happened and what to do. */
static void explain_open(char *err, size_t errlen, uint8_t family, uint32_t table, const char *step,
			 int e)
{
	const char *f = fam_name(family);
	const char *cfg = family == MGM_INET ? "CONFIG_IP_MROUTE" : "CONFIG_IPV6_MROUTE";
	char t[32];

	table_name(table, t, sizeof(t));
	switch (e) {
	case EADDRINUSE:
		put_err(err, errlen,
			"%s multicast routing: %s is already in use by another process; another "
			"multicast router is running (igmpproxy, smcroute, pimd, mrouted, FRR pimd "
			"or a second mgmd?): stop it, or give mgmd a table of its own with the "
			"'table' option of mgmd.conf(5)",
			f, t);
		return;
	case EPERM:
	case EACCES:
		put_err(err, errlen, "%s multicast routing: %s: %s: missing capability %s", f, step,
			strerror(e), strcmp(step, "socket") == 0 ? "CAP_NET_RAW" : "CAP_NET_ADMIN");
		return;
	case ENOPROTOOPT:
	case EOPNOTSUPP:
		if (!kernel_has_mroute(family))
			put_err(err, errlen,
				"%s multicast routing: %s: the kernel was built without multicast "
				"routing (%s)",
				f, step, cfg);
		else if (table != 0)
			put_err(err, errlen,
				"%s multicast routing: %s: the kernel was built without multiple "
				"multicast routing tables (%s_MULTIPLE_TABLES), needed for 'table "
				"%u'; remove the 'table' option to use the default table",
				f, step, cfg, (unsigned)table);
		else
			put_err(err, errlen, "%s multicast routing: %s: %s", f, step, strerror(e));
		return;
	case EINVAL:
		if (table != 0 && strcmp(step, "MRT_TABLE") == 0) {
			put_err(err, errlen,
				"%s multicast routing: the kernel refuses table %u (ids from 1 to "
				"99999999)",
				f, (unsigned)table);
			return;
		}
		break;
	default:
		break;
	}
	put_err(err, errlen, "%s multicast routing: %s: %s", f, step, strerror(e));
}

/* Records the failure of a call on m; returns -e. */
static int fail(struct mgmd_mroute *m, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct mgmd_mroute *m, int e, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(m->err))
		snprintf(m->err + n, sizeof(m->err) - (size_t)n, ": %s", strerror(e));
	return -e;
}

/* ---- Socket -------------------------------------------------------------------------------- */

static int level(const struct mgmd_mroute *m)
{
	return m->family == MGM_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

int mgmd_mroute_open(struct mgmd_mroute **out, uint8_t family, uint32_t table,
		     const struct mgmd_mroute_callbacks *cb, char *err, size_t errlen)
{
	struct mgmd_mroute *m;
	int one = 1, e;
	const char *step;

	put_err(err, errlen, "%s", "");
	if (out == NULL || (family != MGM_INET && family != MGM_INET6)) {
		put_err(err, errlen, "multicast routing: invalid arguments");
		return -EINVAL;
	}
	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		put_err(err, errlen, "%s multicast routing: out of memory", fam_name(family));
		return -ENOMEM;
	}
	m->family = family;
	m->table = table;
	if (cb != NULL)
		m->cb = *cb;
	step = "socket";
	m->fd = socket(family == MGM_INET ? AF_INET : AF_INET6,
		       SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       family == MGM_INET ? IPPROTO_IGMP : IPPROTO_ICMPV6);
	if (m->fd < 0)
		goto fail;
	/* Without a packet callback, the kernel keeps the packets off the socket: only upcalls
	 * (a zero where a packet has its IP protocol or ICMPv6 type) are queued, so a flood of
	 * IGMP or ICMPv6 on any interface cannot fill the queue the upcalls need. */
	if (m->cb.packet == NULL) {
		struct sock_filter only_upcalls[] = {
			BPF_STMT(BPF_LD | BPF_B | BPF_ABS, family == MGM_INET ? 9 : 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, 0x40000),
			BPF_STMT(BPF_RET | BPF_K, 0),
		};
		struct sock_fprog prog = {.len = 4, .filter = only_upcalls};

		step = "SO_ATTACH_FILTER";
		if (setsockopt(m->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
			goto fail;
	}
	/* The table is chosen on the socket before it becomes the table's routing socket. */
	if (table != 0) {
		step = family == MGM_INET ? "MRT_TABLE" : "MRT6_TABLE";
		if (setsockopt(m->fd, level(m), family == MGM_INET ? MRT_TABLE : MRT6_TABLE, &table,
			       sizeof(table)) < 0)
			goto fail;
	}
	step = family == MGM_INET ? "MRT_INIT" : "MRT6_INIT";
	if (setsockopt(m->fd, level(m), family == MGM_INET ? MRT_INIT : MRT6_INIT, &one,
		       sizeof(one)) < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	e = errno;
	explain_open(err, errlen, family, table, step, e);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
	return -e;
}

void mgmd_mroute_close(struct mgmd_mroute *m)
{
	if (m == NULL)
		return;
	/* Closing the socket would do the same; saying it keeps the intent visible. */
	if (setsockopt(m->fd, level(m), m->family == MGM_INET ? MRT_DONE : MRT6_DONE, NULL, 0) < 0)
		fail(m, errno, "%s", m->family == MGM_INET ? "MRT_DONE" : "MRT6_DONE");
	close(m->fd);
	free(m);
}

int mgmd_mroute_fd(const struct mgmd_mroute *m)
{
	return m->fd;
}

uint8_t mgmd_mroute_family(const struct mgmd_mroute *m)
{
	return m->family;
}

uint32_t mgmd_mroute_table(const struct mgmd_mroute *m)
{
	return m->table;
}

const char *mgmd_mroute_error(const struct mgmd_mroute *m)
{
	return m->err;
}

uint64_t mgmd_mroute_bad_upcalls(const struct mgmd_mroute *m)
{
	return m->bad_upcalls;
}

int mgmd_mroute_set_assert(struct mgmd_mroute *m, bool on)
{
	int v = on;

	if (setsockopt(m->fd, level(m), m->family == MGM_INET ? MRT_ASSERT : MRT6_ASSERT, &v,
		       sizeof(v)) < 0)
		return fail(m, errno, "%s", m->family == MGM_INET ? "MRT_ASSERT" : "MRT6_ASSERT");
	return 0;
}

/* ---- VIFs ---------------------------------------------------------------------------------- */

int mgmd_mroute_vif_of(const struct mgmd_mroute *m, int ifindex)
{
	unsigned i;

	if (ifindex <= 0)
		return -1;
	for (i = 0; i < MGMD_MROUTE_MAX_VIFS; i++)
		if (m->vif_ifindex[i] == ifindex)
			return (int)i;
	return -1;
}

int mgmd_mroute_vif_ifindex(const struct mgmd_mroute *m, unsigned vif)
{
	return vif < MGMD_MROUTE_MAX_VIFS ? m->vif_ifindex[vif] : 0;
}

unsigned mgmd_mroute_vif_count(const struct mgmd_mroute *m)
{
	return m->n_vifs;
}

bool mgmd_mroute_vif_full(const struct mgmd_mroute *m)
{
	return m->n_vifs >= MGMD_MROUTE_MAX_VIFS;
}

static int vif_add4(struct mgmd_mroute *m, unsigned vif, int ifindex)
{
	struct vifctl vc;

	memset(&vc, 0, sizeof(vc));
	vc.vifc_vifi = (vifi_t)vif;
	vc.vifc_flags = VIFF_USE_IFINDEX;
	vc.vifc_threshold = 1;
	vc.vifc_lcl_ifindex = ifindex;
	return setsockopt(m->fd, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc));
}

static int vif_add6(struct mgmd_mroute *m, unsigned vif, int ifindex)
{
	struct mif6ctl mc;

	memset(&mc, 0, sizeof(mc));
	mc.mif6c_mifi = (mifi_t)vif;
	mc.vifc_threshold = 1;
	mc.mif6c_pifi = (uint16_t)ifindex;
	return setsockopt(m->fd, IPPROTO_IPV6, MRT6_ADD_MIF, &mc, sizeof(mc));
}

int mgmd_mroute_vif_add(struct mgmd_mroute *m, int ifindex)
{
	unsigned vif;
	int have = mgmd_mroute_vif_of(m, ifindex);

	if (have >= 0)
		return have;
	if (ifindex <= 0)
		return fail(m, EINVAL, "VIF for interface index %d", ifindex);
	/* struct mif6ctl carries the interface index in 16 bits. */
	if (m->family == MGM_INET6 && ifindex > UINT16_MAX)
		return fail(m, ERANGE, "MIF for interface index %d (above 65535)", ifindex);
	if (mgmd_mroute_vif_full(m)) {
		snprintf(m->err, sizeof(m->err),
			 "%s multicast routing: all %d %s of the kernel's table are in use; "
			 "interface index %d cannot be used for forwarding",
			 fam_name(m->family), MGMD_MROUTE_MAX_VIFS,
			 m->family == MGM_INET ? "VIFs" : "MIFs", ifindex);
		return -ENOSPC;
	}
	for (vif = 0; vif < MGMD_MROUTE_MAX_VIFS; vif++)
		if (m->vif_ifindex[vif] == 0)
			break;
	if ((m->family == MGM_INET ? vif_add4(m, vif, ifindex) : vif_add6(m, vif, ifindex)) < 0)
		return fail(m, errno, "%s %u for interface index %d",
			    m->family == MGM_INET ? "MRT_ADD_VIF" : "MRT6_ADD_MIF", vif, ifindex);
	m->vif_ifindex[vif] = ifindex;
	m->n_vifs++;
	return (int)vif;
}

int mgmd_mroute_vif_del(struct mgmd_mroute *m, int ifindex)
{
	int vif = mgmd_mroute_vif_of(m, ifindex);
	int r;

	if (vif < 0)
		return fail(m, ENOENT, "no VIF for interface index %d", ifindex);
	if (m->family == MGM_INET) {
		struct vifctl vc;

		memset(&vc, 0, sizeof(vc));
		vc.vifc_vifi = (vifi_t)vif;
		r = setsockopt(m->fd, IPPROTO_IP, MRT_DEL_VIF, &vc, sizeof(vc));
	} else {
		mifi_t mifi = (mifi_t)vif;

		r = setsockopt(m->fd, IPPROTO_IPV6, MRT6_DEL_MIF, &mifi, sizeof(mifi));
	}
	/* EADDRNOTAVAIL: the kernel dropped it already, with its interface. The slot is free
	 * either way. */
	if (r < 0 && errno != EADDRNOTAVAIL)
		return fail(m, errno, "%s %d",
			    m->family == MGM_INET ? "MRT_DEL_VIF" : "MRT6_DEL_MIF", vif);
	m->vif_ifindex[vif] = 0;
	m->n_vifs--;
	return 0;
}

/* ---- MFC ----------------------------------------------------------------------------------- */

static bool sg_ok(const struct mgmd_mroute *m, const struct mgm_addr *s, const struct mgm_addr *g)
{
	return s != NULL && g != NULL && s->family == m->family && g->family == m->family;
}

static void to_in(struct in_addr *a, const struct mgm_addr *x)
{
	memcpy(&a->s_addr, x->octets, 4);
}

static void to_sin6(struct sockaddr_in6 *a, const struct mgm_addr *x)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	memcpy(a->sin6_addr.s6_addr, x->octets, 16);
}

static void str2(const struct mgm_addr *s, const struct mgm_addr *g, char *sb, char *gb)
{
	mgm_addr_str(s, sb);
	mgm_addr_str(g, gb);
}

int mgmd_mroute_mfc_add(struct mgmd_mroute *m, const struct mgmd_mfc *e)
{
	char sb[MGM_ADDRSTRLEN], gb[MGM_ADDRSTRLEN];
	unsigned i;
	int r;

	if (e == NULL || !sg_ok(m, &e->source, &e->group) || e->input_vif >= MGMD_MROUTE_MAX_VIFS)
		return fail(m, EINVAL, "MFC entry");
	if (m->family == MGM_INET) {
		struct mfcctl mc;

		memset(&mc, 0, sizeof(mc));
		to_in(&mc.mfcc_origin, &e->source);
		to_in(&mc.mfcc_mcastgrp, &e->group);
		mc.mfcc_parent = e->input_vif;
		for (i = 0; i < MGMD_MROUTE_MAX_VIFS; i++)
			mc.mfcc_ttls[i] = e->ttl[i];
		r = setsockopt(m->fd, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc));
	} else {
		struct mf6cctl mc;

		memset(&mc, 0, sizeof(mc));
		to_sin6(&mc.mf6cc_origin, &e->source);
		to_sin6(&mc.mf6cc_mcastgrp, &e->group);
		mc.mf6cc_parent = e->input_vif;
		for (i = 0; i < MGMD_MROUTE_MAX_VIFS; i++)
			if (e->ttl[i] != 0)
				IF_SET(i, &mc.mf6cc_ifset);
		r = setsockopt(m->fd, IPPROTO_IPV6, MRT6_ADD_MFC, &mc, sizeof(mc));
	}
	if (r < 0) {
		str2(&e->source, &e->group, sb, gb);
		return fail(m, errno, "%s (%s, %s)",
			    m->family == MGM_INET ? "MRT_ADD_MFC" : "MRT6_ADD_MFC", sb, gb);
	}
	return 0;
}

int mgmd_mroute_mfc_del(struct mgmd_mroute *m, const struct mgm_addr *source,
			const struct mgm_addr *group)
{
	char sb[MGM_ADDRSTRLEN], gb[MGM_ADDRSTRLEN];
	int r;

	if (!sg_ok(m, source, group))
		return fail(m, EINVAL, "MFC entry");
	if (m->family == MGM_INET) {
		struct mfcctl mc;

		memset(&mc, 0, sizeof(mc));
		to_in(&mc.mfcc_origin, source);
		to_in(&mc.mfcc_mcastgrp, group);
		r = setsockopt(m->fd, IPPROTO_IP, MRT_DEL_MFC, &mc, sizeof(mc));
	} else {
		struct mf6cctl mc;

		memset(&mc, 0, sizeof(mc));
		to_sin6(&mc.mf6cc_origin, source);
		to_sin6(&mc.mf6cc_mcastgrp, group);
		r = setsockopt(m->fd, IPPROTO_IPV6, MRT6_DEL_MFC, &mc, sizeof(mc));
	}
	if (r < 0) {
		str2(source, group, sb, gb);
		return fail(m, errno, "%s (%s, %s)",
			    m->family == MGM_INET ? "MRT_DEL_MFC" : "MRT6_DEL_MFC", sb, gb);
	}
	return 0;
}

int mgmd_mroute_mfc_counters(struct mgmd_mroute *m, const struct mgm_addr *source,
			     const struct mgm_addr *group, struct mgmd_sg_counters *c)
{
	char sb[MGM_ADDRSTRLEN], gb[MGM_ADDRSTRLEN];
	int r, e;

	if (c == NULL || !sg_ok(m, source, group))
		return fail(m, EINVAL, "MFC counters");
	if (m->family == MGM_INET) {
		struct sioc_sg_req req;

		memset(&req, 0, sizeof(req));
		to_in(&req.src, source);
		to_in(&req.grp, group);
		r = ioctl(m->fd, SIOCGETSGCNT, &req);
		if (r == 0) {
			c->packets = req.pktcnt;
			c->bytes = req.bytecnt;
			c->wrong_if = req.wrong_if;
		}
	} else {
		struct sioc_sg_req6 req;

		memset(&req, 0, sizeof(req));
		to_sin6(&req.src, source);
		to_sin6(&req.grp, group);
		r = ioctl(m->fd, SIOCGETSGCNT_IN6, &req);
		if (r == 0) {
			c->packets = req.pktcnt;
			c->bytes = req.bytecnt;
			c->wrong_if = req.wrong_if;
		}
	}
	if (r == 0)
		return 0;
	/* The kernel says EADDRNOTAVAIL for an (S,G) it has no entry for. */
	e = errno == EADDRNOTAVAIL ? ENOENT : errno;
	str2(source, group, sb, gb);
	return fail(m, e, "%s (%s, %s)",
		    m->family == MGM_INET ? "SIOCGETSGCNT" : "SIOCGETSGCNT_IN6", sb, gb);
}

/* ---- Reading ------------------------------------------------------------------------------- */

static void deliver(struct mgmd_mroute *m, size_t len, const struct msghdr *msg)
{
	struct mgmd_upcall up;
	int r = mgmd_mroute_parse_upcall(m->family, m->buf, len, &up);

	if (r == 0) {
		/* A truncated packet is of no use to a decoder. */
		if (m->cb.packet != NULL && !(msg->msg_flags & MSG_TRUNC))
			m->cb.packet(m->cb.ctx, m->buf, len, msg);
		return;
	}
	if (r < 0) {
		m->bad_upcalls++;
		return;
	}
	up.ifindex = mgmd_mroute_vif_ifindex(m, up.vif);
	if (m->cb.upcall != NULL)
		m->cb.upcall(m->cb.ctx, &up);
}

int mgmd_mroute_read(struct mgmd_mroute *m)
{
	struct sockaddr_storage from;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;
	int count;

	for (count = 0; count < MGMD_MROUTE_READ_BUDGET; count++) {
		iov.iov_base = m->buf;
		iov.iov_len = sizeof(m->buf);
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = m->control;
		msg.msg_controllen = sizeof(m->control);
		n = recvmsg(m->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return fail(m, errno, "reading the %s multicast routing socket",
				    fam_name(m->family));
		}
		deliver(m, (size_t)n, &msg);
	}
	return count;
}
