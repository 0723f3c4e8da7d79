/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's multicast routing API (<linux/mroute.h>, <linux/mroute6.h>), one instance per
 * family and table: the routing socket, VIFs (IPv6: MIFs) by interface index, (S,G) entries of
 * the multicast forwarding cache (MFC) with their counters, and the kernel's upcalls. Linux I/O
 * only: which entries to install is the caller's decision, made from the engines' state.
 */
#ifndef MGMD_MROUTE_H
#define MGMD_MROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"

struct msghdr;

/* The kernel's limit per table for either family: MAXVIFS, MAXMIFS. */
#define MGMD_MROUTE_MAX_VIFS 32
/* Messages read from the socket per mgmd_mroute_read() call, so a flood of upcalls or IGMP
 * packets cannot keep the event loop away from the other sockets. */
#define MGMD_MROUTE_READ_BUDGET 64

/* The kernel's upcall types; the values are IGMPMSG_* and MRT6MSG_*, the same in both. */
enum mgmd_upcall_kind {
	MGMD_UPCALL_NOCACHE = 1,    /* a packet for an (S,G) without an MFC entry */
	MGMD_UPCALL_WRONGVIF = 2,   /* arrived on an output VIF of its entry (MRT_ASSERT on) */
	MGMD_UPCALL_WHOLEPKT = 3,   /* a whole packet sent to the PIM register VIF */
	MGMD_UPCALL_WRVIFWHOLE = 4, /* WRONGVIF with the whole packet */
};

struct mgmd_upcall {
	uint8_t kind;	/* enum mgmd_upcall_kind */
	uint8_t family; /* MGM_INET, MGM_INET6 */
	uint16_t vif;	/* the VIF the packet arrived on */
	int ifindex;	/* that VIF's interface, 0 when the VIF is not one of this instance */
	struct mgm_addr source, group;
};

/*
 * Tells a kernel upcall from the other messages read on a multicast routing socket, which
 * receives real IGMP (IPv4: from its IP header) or ICMPv6 (IPv6: from its ICMPv6 header)
 * packets as well. An upcall has a zero where a packet has its IP protocol (IPv4, struct
 * igmpmsg's im_mbz over the IP header's protocol field) or its ICMPv6 type (IPv6, mrt6msg's
 * im6_mbz). Returns 1 and fills *up (ifindex 0) for an upcall; 0 for anything else, to be
 * handed to the IGMP / MLD input; MGM_E_SHORT when the buffer is too short to tell or to hold
 * the upcall, MGM_E_INVAL for an upcall of unknown type.
 */
int mgmd_mroute_parse_upcall(uint8_t family, const uint8_t *buf, size_t len,
			     struct mgmd_upcall *up);

struct mgmd_mroute_callbacks {
	void *ctx;
	/* A kernel upcall. */
	void (*upcall)(void *ctx, const struct mgmd_upcall *up);
	/* Anything else read on the socket: IPv4, an IGMP packet from its IP header; IPv6, an
	 * ICMPv6 message. msg holds the sender and the control messages the caller asked for on
	 * the socket (IP_PKTINFO, ...). NULL: such packets are dropped. */
	void (*packet)(void *ctx, const uint8_t *buf, size_t len, const struct msghdr *msg);
};

struct mgmd_mroute;

/*
 * Opens the multicast routing socket of family (MGM_INET: raw IGMP; MGM_INET6: raw ICMPv6)
 * and takes the kernel's multicast routing API for table (MRT_TABLE / MRT6_TABLE first when
 * table is not 0; 0 is the kernel's default table). Returns 0, or a negative errno with one
 * line in err that says what to do: another process holding the table (EADDRINUSE), a missing
 * capability (EPERM, EACCES), a kernel built without multicast routing or without multiple
 * tables (ENOPROTOOPT). err may be NULL.
 */
int mgmd_mroute_open(struct mgmd_mroute **out, uint8_t family, uint32_t table,
		     const struct mgmd_mroute_callbacks *cb, char *err, size_t errlen);
/* MRT_DONE / MRT6_DONE (the kernel withdraws every VIF and MFC entry of the table), then
 * closes the socket. NULL is allowed. */
void mgmd_mroute_close(struct mgmd_mroute *m);

int mgmd_mroute_fd(const struct mgmd_mroute *m);
uint8_t mgmd_mroute_family(const struct mgmd_mroute *m);
uint32_t mgmd_mroute_table(const struct mgmd_mroute *m);
/* The line describing the last failure of a call on m ("" before any). */
const char *mgmd_mroute_error(const struct mgmd_mroute *m);

/*
 * Makes ifindex a VIF (IPv4 by VIFF_USE_IFINDEX, IPv6 as a MIF) in the lowest free slot.
 * Returns the VIF number (the existing one when ifindex has a VIF already), -ENOSPC when all
 * MGMD_MROUTE_MAX_VIFS slots are taken (mgmd_mroute_vif_full() then says so too), or another
 * negative errno from the kernel (-ENODEV, -EADDRNOTAVAIL: no such interface, or no IPv4 on
 * it).
 */
int mgmd_mroute_vif_add(struct mgmd_mroute *m, int ifindex);
/* Removes ifindex's VIF; the kernel drops it from every MFC entry. 0, -ENOENT (none), or a
 * negative errno. */
int mgmd_mroute_vif_del(struct mgmd_mroute *m, int ifindex);
/* The VIF of ifindex, or -1. */
int mgmd_mroute_vif_of(const struct mgmd_mroute *m, int ifindex);
/* The interface of a VIF, or 0. */
int mgmd_mroute_vif_ifindex(const struct mgmd_mroute *m, unsigned vif);
unsigned mgmd_mroute_vif_count(const struct mgmd_mroute *m);
/* Every VIF slot is taken: a new interface cannot be used for forwarding. */
bool mgmd_mroute_vif_full(const struct mgmd_mroute *m);

/* One (S,G) entry of the kernel's forwarding cache. */
struct mgmd_mfc {
	struct mgm_addr source, group;
	uint16_t input_vif;
	/* Per output VIF: 0, not forwarded there; n, forwarded when the packet's TTL (IPv6:
	 * hop limit) is above n. IPv6 has no thresholds: any non-zero value means forwarded. */
	uint8_t ttl[MGMD_MROUTE_MAX_VIFS];
};

/* Installs the entry or replaces the one for its (S,G): output set and input VIF at once. */
int mgmd_mroute_mfc_add(struct mgmd_mroute *m, const struct mgmd_mfc *e);
/* Removes the (S,G) entry: 0, -ENOENT when the kernel has none, or a negative errno. */
int mgmd_mroute_mfc_del(struct mgmd_mroute *m, const struct mgm_addr *source,
			const struct mgm_addr *group);

struct mgmd_sg_counters {
	uint64_t packets, bytes;
	uint64_t wrong_if; /* packets of (S,G) that arrived on another VIF than the input */
};
/* The kernel's counters of an (S,G) entry (SIOCGETSGCNT / SIOCGETSGCNT_IN6): 0, -ENOENT when
 * there is no such entry, or a negative errno. */
int mgmd_mroute_mfc_counters(struct mgmd_mroute *m, const struct mgm_addr *source,
			     const struct mgm_addr *group, struct mgmd_sg_counters *c);

/* MRT_ASSERT / MRT6_ASSERT: with it on, a packet arriving on one of its entry's output VIFs
 * gives a MGMD_UPCALL_WRONGVIF (the kernel sends at most one per entry every 3 s). */
int mgmd_mroute_set_assert(struct mgmd_mroute *m, bool on);

/*
 * Reads what is pending, at most MGMD_MROUTE_READ_BUDGET messages, and hands each to the
 * callbacks. Returns the number of messages read (0: nothing was pending), or a negative
 * errno. A truncated packet is dropped; a malformed upcall is counted
 * (mgmd_mroute_bad_upcalls) and dropped.
 */
int mgmd_mroute_read(struct mgmd_mroute *m);
uint64_t mgmd_mroute_bad_upcalls(const struct mgmd_mroute *m);

#endif
