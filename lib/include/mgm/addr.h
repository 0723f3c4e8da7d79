/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One address type for both families, so the same engines serve IGMP (IPv4) and MLD (IPv6).
 * Classification helpers follow RFC 5771 (IPv4 multicast) and RFC 4291 (IPv6 addressing).
 */
#ifndef MGM_ADDR_H
#define MGM_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum mgm_family {
	MGM_INET = 4,  /* IPv4: IGMP */
	MGM_INET6 = 6, /* IPv6: MLD */
};

/* An IPv4 address uses octets[0..3], network order, and the rest is zero. */
struct mgm_addr {
	uint8_t family; /* enum mgm_family */
	uint8_t octets[16];
};

/* Large enough for any address in text, with its terminating NUL. */
#define MGM_ADDRSTRLEN 46

/* Octets of an address of this family on the wire: 4 or 16 (0 for an unknown family). */
size_t mgm_addr_len(uint8_t family);

/* Builds an address from its wire octets (4 or 16 by family). */
void mgm_addr_from_wire(struct mgm_addr *a, uint8_t family, const uint8_t *wire);

/* The unspecified address of the family: 0.0.0.0 or ::. */
void mgm_addr_any(struct mgm_addr *a, uint8_t family);

/* Parses dotted-quad or RFC 4291 text; the family follows from the text. 0 or MGM_E_INVAL. */
int mgm_addr_parse(const char *text, struct mgm_addr *a);

/* Writes the text form into buf (MGM_ADDRSTRLEN octets) and returns buf. */
const char *mgm_addr_str(const struct mgm_addr *a, char *buf);
/*
 * The same text for an address as it lies on the wire (4 or 16 octets by family), written at
 * out without a terminating NUL; returns its length (at most 39). out must have room for
 * MGM_ADDRSTRLEN octets: whole words are stored, so octets past the text may change. For
 * printers that build lines in their own buffer (mgmdump).
 */
size_t mgm_addr_format(uint8_t family, const uint8_t *octets, char *out);

/* Total order: family first, then octets. Returns <0, 0, >0. */
int mgm_addr_cmp(const struct mgm_addr *a, const struct mgm_addr *b);
bool mgm_addr_eq(const struct mgm_addr *a, const struct mgm_addr *b);

bool mgm_addr_is_any(const struct mgm_addr *a);
/* 224.0.0.0/4 or ff00::/8. */
bool mgm_addr_is_multicast(const struct mgm_addr *a);
/* A valid source of multicast traffic: not multicast, not unspecified, not 255.255.255.255,
 * not loopback. */
bool mgm_addr_is_unicast(const struct mgm_addr *a);
/*
 * A group no router keeps membership for and no host reports: 224.0.0.0/24 (RFC 5771 §4, the
 * Local Network Control Block; RFC 3376 §5: no reports for 224.0.0.X) and IPv6 groups of
 * scope 0 (reserved), 1 (interface-local) or 2 (link-local), whatever the flags (ffF0::/16,
 * ffF1::/16, ffF2::/16; RFC 4291 §2.7): they never leave the link, so no router forwards them
 * onto it. The router engine counts records for them as MGM_DROP_LINK_LOCAL_GROUP; the daemon
 * and the host engine use the same rule.
 */
bool mgm_addr_is_unrouted_group(const struct mgm_addr *a);
/* The all-systems / all-nodes group: 224.0.0.1, ff02::1. */
bool mgm_addr_is_all_systems(const struct mgm_addr *a);
/* Source-specific multicast ranges, RFC 4607: 232.0.0.0/8 and ff3x::/32. */
bool mgm_addr_is_ssm(const struct mgm_addr *a);
/* fe80::/10. */
bool mgm_addr_is_ipv6_link_local(const struct mgm_addr *a);

/* Well-known destinations, RFC 3376 §4.2.14, RFC 2236 §2.5, RFC 3810 §5.2.14. */
/* RFC 1112 §6.4 / RFC 2464 §7: the Ethernet address a multicast destination is sent to
 * (01:00:5e + the low 23 bits of an IPv4 group; 33:33 + the low 32 bits of an IPv6 one). */
void mgm_addr_multicast_mac(const struct mgm_addr *dst, uint8_t mac[6]);
void mgm_addr_all_systems(struct mgm_addr *a, uint8_t family);	  /* 224.0.0.1, ff02::1 */
void mgm_addr_all_routers(struct mgm_addr *a, uint8_t family);	  /* 224.0.0.2, ff02::2 */
void mgm_addr_v3_report_dest(struct mgm_addr *a, uint8_t family); /* 224.0.0.22, ff02::16 */

#ifdef __cplusplus
}
#endif
#endif
