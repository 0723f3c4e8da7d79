/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interfaces and addresses as the kernel tells them (rtnetlink over libmnl): a dump at start,
 * then every change as it happens. The caller (iface.c) turns them into engine calls. Linux
 * I/O only: which interface or address matters is the caller's business.
 */
#ifndef MGMD_NETLINK_H
#define MGMD_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"

#define MGMD_NETLINK_ERRLEN 192 /* room for any message of mgmd_netlink_error() */

struct mgmd_link {
	int ifindex;
	char name[16];
	bool up;	/* IFF_UP and IFF_RUNNING (carrier) */
	bool multicast; /* IFF_MULTICAST */
	uint32_t mtu;
};

/*
 * Every callback may be NULL. They run inside mgmd_netlink_read() and must not close the
 * module. Events may repeat (a link changes often, an address's lifetime is refreshed): the
 * caller compares with what it knows.
 */
struct mgmd_netlink_callbacks {
	void *ctx;
	/* A link appeared or changed (name, flags, MTU). */
	void (*link)(void *ctx, const struct mgmd_link *l);
	/* A link was deleted (or moved to another namespace). */
	void (*link_del)(void *ctx, int ifindex);
	/* An address was added (added true) or removed on ifindex. IPv4: every address, the local
	 * one on a point-to-point link. IPv6: only link-local and global addresses; a tentative
	 * (DAD) address is reported when it becomes usable, and reported removed when it stops
	 * being usable (DAD again after a link flap); a removal is only reported for an address
	 * reported added before. */
	void (*addr)(void *ctx, int ifindex, const struct mgm_addr *a, uint8_t prefix_len,
		     bool added);
	/* A full dump (links, then addresses) begins: every link and usable address that exists
	 * is reported between this and dump_done. It may begin again before it is done (the
	 * kernel dropped events meanwhile). Mark what you know on dump_start; on dump_done,
	 * whatever was not reported since the last dump_start is gone. */
	void (*dump_start)(void *ctx);
	void (*dump_done)(void *ctx);
};

/* Counters, for logs and mgmctl stats. */
struct mgmd_netlink_stats {
	uint64_t messages;  /* netlink messages read */
	uint64_t malformed; /* skipped: did not parse, or not from the kernel */
	uint64_t overruns;  /* the kernel dropped events (ENOBUFS) or a message was truncated */
	uint64_t dumps;	    /* full dumps completed */
};

struct mgmd_netlink;

/*
 * Opens the socket (non-blocking, with a large receive buffer), subscribes to link and
 * address groups of both families. Returns 0, or a negative errno with a message in err.
 */
int mgmd_netlink_open(struct mgmd_netlink **out, const struct mgmd_netlink_callbacks *cb, char *err,
		      size_t errlen);
/* The file descriptor to watch for reading (level-triggered). */
int mgmd_netlink_fd(const struct mgmd_netlink *nl);
/* Requests a full dump of links then addresses; the callbacks fire as the replies arrive,
 * from mgmd_netlink_read(). Asked for during a dump, it starts that one over (dump_start
 * again) once the kernel has finished the part under way. 0 or a negative errno. */
int mgmd_netlink_dump(struct mgmd_netlink *nl);
/* Reads what is pending, at most a few receive buffers (bounded work per call: call again
 * while the descriptor is readable). When the kernel dropped events it starts a new dump.
 * 0, or a negative errno with mgmd_netlink_error() saying what failed. */
int mgmd_netlink_read(struct mgmd_netlink *nl);
/* Is a dump under way (requested and not done)? */
bool mgmd_netlink_dumping(const struct mgmd_netlink *nl);
/* The last error in words: "netlink: recvmsg: ...". */
const char *mgmd_netlink_error(const struct mgmd_netlink *nl);
void mgmd_netlink_stats(const struct mgmd_netlink *nl, struct mgmd_netlink_stats *st);
void mgmd_netlink_close(struct mgmd_netlink *nl);

/* For tests and fuzzing: handles one buffer as if read from the socket (0 or a negative
 * errno when it ended a dump in error). */
int mgmd_netlink_input(struct mgmd_netlink *nl, const void *buf, size_t len);

#endif
