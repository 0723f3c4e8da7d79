/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IGMP / MLD packets on one interface and family: one AF_PACKET socket per (interface,
 * family), for reading and for sending.
 *
 * Why a packet socket and not the raw IGMP / ICMPv6 sockets: Linux hands a raw socket only the
 * multicast packets of groups the host itself has joined, unless multicast routing is on for
 * the interface (ipmr, ip6mr). Reports of IGMPv1/v2 and MLDv1 go to the group they report, so
 * in querier mode (no multicast routing, or a kernel built without it) a raw socket would
 * never see them. A packet socket in all-multicast mode sees every one, with the same code in
 * both modes; a kernel filter (classic BPF) passes only IGMP, or ICMPv6 MLD messages, so data
 * traffic never reaches user space. Sending writes the whole IP packet (mgm_ip_encode(): TTL /
 * hop limit 1, Router Alert, DSCP CS6) to the group's link-layer address, so the source is
 * exactly the engine's address.
 */
#ifndef MGMD_IO_H
#define MGMD_IO_H

#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/wire.h"

#define MGMD_IO_PACKET_MAX 65536
/* Packets read per descriptor and wakeup: a flood on one link cannot starve the others. */
#define MGMD_IO_READ_BUDGET 32

struct mgmd_io_stats {
	uint64_t rx;		  /* packets read and handed on */
	uint64_t rx_bad_ip;	  /* the IP header did not decode (mgm_ip_decode) */
	uint64_t rx_kernel_drops; /* dropped by the kernel: the socket's queue was full */
	uint64_t tx, tx_errors;
};

/* Opens the socket of family (MGM_INET, MGM_INET6) on ifindex. Returns the descriptor, or a
 * negative errno with a sentence in err. */
int mgmd_io_open(uint8_t family, int ifindex, char *err, size_t errlen);

/*
 * Reads one packet. Returns 1 with *ip filled (its payload points into buf), 0 when nothing
 * is pending, or a negative errno. Packets this host sent, and packets whose IP header does
 * not decode (counted), are skipped.
 */
int mgmd_io_recv(int fd, uint8_t *buf, size_t cap, struct mgm_ip_info *ip,
		 struct mgmd_io_stats *st);

/* Sends payload (an IGMP or ICMPv6 message) from src to dst on ifindex inside an IP header
 * written by mgm_ip_encode(). 0 or a negative errno (counted). */
int mgmd_io_send(int fd, int ifindex, const struct mgm_addr *src, const struct mgm_addr *dst,
		 const uint8_t *payload, size_t len, struct mgmd_io_stats *st);

/* Adds the kernel's drop count since the last call (PACKET_STATISTICS) to st. */
void mgmd_io_poll_drops(int fd, struct mgmd_io_stats *st);

#endif
