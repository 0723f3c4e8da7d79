/* SPDX-License-Identifier: BSD-2-Clause */
/* IGMP / MLD packets on packet sockets, one per interface and family (io.h). */
#include "io.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define ACCEPT 0x40000u /* snap length: the whole packet */

/* IPv4: IP protocol 2 (IGMP). Offsets from the IP header: a SOCK_DGRAM packet socket sees the
 * packet without its link-layer header. */
static struct sock_filter igmp_filter[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_IGMP, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, ACCEPT),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

/* IPv6: ICMPv6 of the MLD types (130 query, 131 v1 report, 132 done, 143 v2 report), right
 * after the IPv6 header or after one Hop-by-Hop header (where Router Alert travels). Other
 * chains are left to no one: RFC 3810 §5 messages carry exactly that. */
static struct sock_filter mld_filter[] = {
	/* 0 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6), /* next header */
	/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 2),
	/* 2 */ BPF_STMT(BPF_LDX | BPF_IMM, 0),
	/* 3 */ BPF_JUMP(BPF_JMP | BPF_JA, 7, 0, 0),
	/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_HOPOPTS, 0, 11),
	/* 5 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 40), /* Hop-by-Hop: its next header */
	/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 9),
	/* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 41), /* its length, 8 octets, minus one */
	/* 8 */ BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	/* 9 */ BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 3),
	/* 10 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
	/* 11 */ BPF_STMT(BPF_LD | BPF_B | BPF_IND, 40), /* ICMPv6 type */
	/* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 130, 4, 0),
	/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 131, 3, 0),
	/* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 132, 2, 0),
	/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 143, 1, 0),
	/* 16 */ BPF_STMT(BPF_RET | BPF_K, 0),
	/* 17 */ BPF_STMT(BPF_RET | BPF_K, ACCEPT),
};

static uint16_t ethertype(uint8_t family)
{
	return htons(family == MGM_INET ? ETH_P_IP : ETH_P_IPV6);
}

int mgmd_io_open(uint8_t family, int ifindex, char *err, size_t errlen)
{
	struct sock_fprog prog;
	struct packet_mreq mr;
	struct sockaddr_ll sll;
	const char *what;
	int fd, one = 1, rcvbuf = 1 << 20, e;

	if (family == MGM_INET) {
		prog.len = sizeof(igmp_filter) / sizeof(igmp_filter[0]);
		prog.filter = igmp_filter;
	} else {
		prog.len = sizeof(mld_filter) / sizeof(mld_filter[0]);
		prog.filter = mld_filter;
	}
	what = "packet socket";
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail_nofd;
	/* The filter goes on before the socket is bound, so nothing unfiltered queues up. */
	what = "SO_ATTACH_FILTER";
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		goto fail;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = ethertype(family);
	sll.sll_ifindex = ifindex;
	what = "bind";
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	/* Reports go to the groups themselves (v1/v2, MLDv1), which nobody here joins:
	 * all-multicast mode makes the interface pass every group's frames. */
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_ALLMULTI;
	what = "PACKET_MR_ALLMULTI";
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		goto fail;
	/* Best effort: older kernels lack it, and mgmd_io_recv() skips outgoing packets anyway. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
fail_nofd:
	e = errno;
	snprintf(err, errlen, "%s (%s, interface index %d): %s%s", what,
		 family == MGM_INET ? "IGMP" : "MLD", ifindex, strerror(e),
		 e == EPERM || e == EACCES ? " (mgmd needs CAP_NET_RAW)" : "");
	return -e;
}

int mgmd_io_recv(int fd, uint8_t *buf, size_t cap, struct mgm_ip_info *ip, struct mgmd_io_stats *st)
{
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(fd, buf, cap, MSG_TRUNC, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue; /* our own, or the host's own IGMP / MLD */
		if ((size_t)n > cap || mgm_ip_decode(buf, (size_t)n, ip) < 0) {
			st->rx_bad_ip++;
			continue;
		}
		st->rx++;
		return 1;
	}
}

int mgmd_io_send(int fd, int ifindex, const struct mgm_addr *src, const struct mgm_addr *dst,
		 const uint8_t *payload, size_t len, struct mgmd_io_stats *st)
{
	uint8_t pkt[MGMD_IO_PACKET_MAX];
	struct sockaddr_ll sll;
	size_t hl = mgm_ip_header_len(dst->family);
	ssize_t n;

	if (len > sizeof(pkt) - hl ||
	    mgm_ip_encode(dst->family, src, dst, len, pkt, sizeof(pkt)) < 0) {
		st->tx_errors++;
		return -EMSGSIZE;
	}
	memcpy(pkt + hl, payload, len);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = ethertype(dst->family);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	mgm_addr_multicast_mac(dst, sll.sll_addr);
	n = sendto(fd, pkt, hl + len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (n < 0) {
		st->tx_errors++;
		return -errno;
	}
	st->tx++;
	return 0;
}

void mgmd_io_poll_drops(int fd, struct mgmd_io_stats *st)
{
	struct tpacket_stats ps;
	socklen_t l = sizeof(ps);

	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &ps, &l) == 0)
		st->rx_kernel_drops += ps.tp_drops;
}
