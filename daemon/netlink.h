/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interfaces and addresses as the kernel tells them (rtnetlink over libmnl): a dump at start,
 * then every change as it happens. The caller (iface.c) turns them into engine calls.
 */
#ifndef MGMD_NETLINK_H
#define MGMD_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "mgm/addr.h"

struct mgmd_link {
	int ifindex;
	char name[16];
	bool up;	/* IFF_UP and IFF_RUNNING (carrier) */
	bool multicast; /* IFF_MULTICAST */
	uint32_t mtu;
};

struct mgmd_netlink_callbacks {
	void *ctx;
	/* A link appeared or changed (name, flags, MTU). */
	void (*link)(void *ctx, const struct mgmd_link *l);
	/* A link was deleted. */
	void (*link_del)(void *ctx, int ifindex);
	/* An address was added (added true) or removed on ifindex. IPv6: only link-local and
	 * global addresses; tentative (DAD) addresses are reported when they become usable. */
	void (*addr)(void *ctx, int ifindex, const struct mgm_addr *a, uint8_t prefix_len,
		     bool added);
};

struct mgmd_netlink;

/* Opens the socket, subscribes to link and address groups of both families. */
int mgmd_netlink_open(struct mgmd_netlink **out, const struct mgmd_netlink_callbacks *cb);
/* The file descriptor to watch for reading. */
int mgmd_netlink_fd(const struct mgmd_netlink *nl);
/* Requests a full dump of links then addresses; the callbacks fire as the replies arrive. */
int mgmd_netlink_dump(struct mgmd_netlink *nl);
/* Reads what is pending (bounded work per call); on ENOBUFS it re-dumps. */
int mgmd_netlink_read(struct mgmd_netlink *nl);
void mgmd_netlink_close(struct mgmd_netlink *nl);

#endif
