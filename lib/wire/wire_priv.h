/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libmgm's codec: address classification on raw wire octets (shared by addr.c and
 * the decoders, so both apply the same RFC 5771 / RFC 4291 rules) and the helpers that the IGMP
 * and MLD halves of the codec share (group records, source lists, the common message checks).
 */
#ifndef MGM_WIRE_PRIV_H
#define MGM_WIRE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mgm/addr.h"
#include "mgm/wire.h"

#include "cursor.h"

/* 4 or 16 for the two families; callers have already rejected any other family. */
static inline size_t wire_addr_len(uint8_t family)
{
	return family == MGM_INET ? 4 : 16;
}

static inline bool wire_is_zero(const uint8_t *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* RFC 5771: 224.0.0.0/4. RFC 4291 §2.7: ff00::/8. */
static inline bool wire_is_multicast(uint8_t family, const uint8_t *p)
{
	return family == MGM_INET ? (p[0] & 0xf0) == 0xe0 : p[0] == 0xff;
}

/* 224.0.0.1 (RFC 1112 §4) or ff02::1 (RFC 4291 §2.7.1). */
static inline bool wire_is_all_systems(uint8_t family, const uint8_t *p)
{
	if (family == MGM_INET)
		return p[0] == 224 && p[1] == 0 && p[2] == 0 && p[3] == 1;
	return p[0] == 0xff && p[1] == 0x02 && wire_is_zero(p + 2, 13) && p[15] == 1;
}

/*
 * A source of multicast traffic must be a unicast address (RFC 3376 §4.1.11, §4.2.13; RFC 3810
 * §5.1.13, §5.2.13): not multicast, not unspecified, not the IPv4 limited broadcast and not
 * loopback (127.0.0.0/8, ::1), which never appear on a link.
 */
static inline bool wire_is_unicast(uint8_t family, const uint8_t *p)
{
	if (family == MGM_INET) {
		uint32_t a = peek_be32(p);

		return (a >> 28) != 0xe && (a >> 24) != 127 && a != 0 && a != 0xffffffffu;
	}
	if (p[0] == 0xff)
		return false;
	if (p[0] != 0)
		return true; /* what real sources look like: decided on the first octet */
	if (wire_is_zero(p, 15))
		return p[15] > 1; /* :: and ::1 */
	return true;
}

/*
 * The Internet checksum (RFC 1071) of buf plus a partial sum of big-endian 16-bit words. The
 * one's complement sum does not depend on byte order (RFC 1071 §2(B)), so the buffer is summed
 * in native 32-bit words into a 64-bit accumulator (no carry handling in the loop) and the folded
 * result swapped to network order once. Returns the value whose big-endian octets belong in the
 * checksum field: 0 over a message whose checksum verifies.
 */
static inline uint16_t wire_checksum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t acc = 0;
	uint32_t w32, s;
	uint16_t w16;

	while (len >= 16) {
		uint32_t a, b, c, d;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		acc += (uint64_t)a + b + c + d;
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* RFC 1071 §4.1: an odd last octet is padded with a zero octet after it. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		acc += (uint32_t)p[0] << 8;
#else
		acc += p[0];
#endif
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	s = (uint32_t)acc;
#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
	s = ((s & 0xff) << 8) | (s >> 8);
#endif
	acc = (uint64_t)s + sum;
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Builds an address from wire octets; the same as mgm_addr_from_wire() for a known family,
 * inline for the decoders and the record iterator. */
static inline void wire_addr_get(struct mgm_addr *a, uint8_t family, const uint8_t *p)
{
	a->family = family;
	if (family == MGM_INET) {
		memset(a->octets + 4, 0, 12);
		memcpy(a->octets, p, 4);
	} else {
		memcpy(a->octets, p, 16);
	}
}

/*
 * Resets a message before decoding: every field zero (wire.h promises that fields the kind does
 * not use are zero) with the family set. Field by field rather than memset: for this struct
 * compilers emit `rep stos`, which costs more than the whole decode of an 8-octet report. A
 * field added to struct mgm_msg must be added here (test_wire has a trip-wire on its size).
 */
static inline void wire_msg_reset(struct mgm_msg *m, uint8_t family, size_t len)
{
	m->family = family;
	m->kind = MGM_MSG_UNKNOWN;
	m->version = 0;
	m->type = 0;
	m->len = len;
	m->group.family = family;
	memset(m->group.octets, 0, sizeof(m->group.octets));
	m->max_resp_code = 0;
	m->max_resp_ms = 0;
	m->suppress = false;
	m->qrv = 0;
	m->qqic = 0;
	m->qqi = 0;
	m->num_sources = 0;
	m->sources = NULL;
	m->num_records = 0;
	m->records = NULL;
	m->records_len = 0;
}

/*
 * A group a host reports or leaves (v1/v2 report, leave, done, v3 / MLDv2 group record): one
 * that is not multicast cannot be joined or left (RFC 1112 §4, RFC 2236 §2.4, RFC 2710 §3.6),
 * and the all-systems / all-nodes group is never reported (RFC 2236 §6, RFC 2710 §5, RFC 3810
 * §6). 0 or the error naming which rule the group breaks.
 */
static inline int wire_check_reported_group(uint8_t family, const uint8_t *p)
{
	if (!wire_is_multicast(family, p))
		return MGM_E_GROUP_NOT_MULTICAST;
	if (wire_is_all_systems(family, p))
		return MGM_E_REPORT_ALL_SYSTEMS;
	return 0;
}

/* MLD's checksum covers the IPv6 source and destination (RFC 4443 §2.3): both are required. */
static inline bool wire_icmp6_endpoints_ok(const struct mgm_addr *src, const struct mgm_addr *dst)
{
	return src && dst && src->family == MGM_INET6 && dst->family == MGM_INET6;
}

/*
 * The longest IGMP / ICMPv6 message behind the header mgm_ip_encode() writes: the IPv4 Total
 * Length (RFC 791) counts the 24-octet header, the IPv6 Payload Length (RFC 8200 §3) the 8-octet
 * Hop-by-Hop header, and both are 16-bit fields.
 */
static inline size_t wire_max_payload(uint8_t family)
{
	return family == MGM_INET ? 0xffff - 24 : 0xffff - 8;
}

/* MGM_E_SOURCE_NOT_UNICAST if any of the n wire addresses is not a unicast address. */
static inline int wire_check_sources(uint8_t family, const uint8_t *sources, size_t n)
{
	size_t alen = wire_addr_len(family);

	for (size_t i = 0; i < n; i++) {
		if (!wire_is_unicast(family, sources + i * alen))
			return MGM_E_SOURCE_NOT_UNICAST;
	}
	return 0;
}

/*
 * The part an IGMPv3 query (RFC 3376 §4.1.5-§4.1.10) and an MLDv2 query (RFC 3810 §5.1.7-§5.1.12)
 * share after the group: Resv(4) S(1) QRV(3), QQIC, Number of Sources and the sources. The
 * reserved bits and any octets after the source list are ignored.
 */
static inline int wire_decode_query_tail(struct cursor *c, uint8_t family, struct mgm_msg *m)
{
	uint8_t flags = 0;

	get_u8(c, &flags);
	m->suppress = (flags & 0x08) != 0;
	m->qrv = flags & 0x07;
	get_u8(c, &m->qqic);
	m->qqi = mgm_code8_decode(m->qqic); /* seconds, both families */
	get_be16(c, &m->num_sources);
	m->sources = get_bytes(c, (size_t)m->num_sources * wire_addr_len(family));
	if (!m->sources)
		return MGM_E_SOURCE_OVERRUN;
	return wire_check_sources(family, m->sources, m->num_sources);
}

/*
 * Decodes a v3 / MLDv2 report after type, code and checksum: Reserved, Number of Group Records
 * and the records, every one validated (RFC 3376 §4.2, RFC 3810 §5.2: the two differ only in
 * the address length). Sets num_records, records and records_len.
 */
int mgm_wire_decode_report(const struct cursor *c, uint8_t family, struct mgm_msg *m);

/* Encoder argument checks; 0 or MGM_E_INVAL. A group must be multicast (or, for a query, the
 * unspecified address of a general query); sources must be unicast; everything of `family`. */
int mgm_wire_check_query_args(uint8_t family, const struct mgm_query *q);
int mgm_wire_check_group_arg(uint8_t family, const struct mgm_addr *group);
int mgm_wire_check_sources_arg(uint8_t family, const struct mgm_addr *sources, size_t n);

/* Fills the checksum field (octets 2-3, zero on entry) of an encoded message of len octets:
 * IGMP over the message alone, MLD with the ICMPv6 pseudo-header of src and dst as well. */
void mgm_wire_put_checksum(uint8_t family, uint8_t *msg, size_t len, const struct mgm_addr *src,
			   const struct mgm_addr *dst);

/* Writes n addresses of the family's wire length; returns the position after them. */
uint8_t *mgm_wire_put_addrs(uint8_t *p, uint8_t family, const struct mgm_addr *addrs, size_t n);

/* The encoder's side of wire_decode_query_tail(): S and QRV, QQIC, Number of Sources and the
 * sources of a v3 / MLDv2 query. */
static inline void wire_put_query_tail(uint8_t *p, uint8_t family, const struct mgm_query *q)
{
	p = put_u8(p, (uint8_t)((q->suppress ? 0x08 : 0) | q->qrv));
	p = put_u8(p, q->qqic);
	p = put_be16(p, q->num_sources);
	mgm_wire_put_addrs(p, family, q->sources, q->num_sources);
}

/* The two families' halves of the family-generic entry points in wire.h. */
int mgm_wire_igmp_encode_query(const struct mgm_query *q, uint8_t *buf, size_t cap, size_t *len);
int mgm_wire_igmp_encode_v1v2(uint8_t kind, uint8_t version, const struct mgm_addr *group,
			      uint8_t *buf, size_t cap, size_t *len);
int mgm_wire_mld_encode_query(const struct mgm_query *q, const struct mgm_addr *src,
			      const struct mgm_addr *dst, uint8_t *buf, size_t cap, size_t *len);
int mgm_wire_mld_encode_v1v2(uint8_t kind, uint8_t version, const struct mgm_addr *group,
			     const struct mgm_addr *src, const struct mgm_addr *dst, uint8_t *buf,
			     size_t cap, size_t *len);

/* Octets of the fixed part of each message: the public constants of wire.h, and the common
 * header the two families' halves read first. */
enum {
	IGMP_HDR_LEN = 4, /* type, code, checksum: what every IGMP message has */
	IGMP_V1V2_LEN = MGM_IGMP_V1V2_LEN,
	IGMP_V3_QUERY_LEN = MGM_IGMP_V3_QUERY_LEN,
	IGMP_V3_REPORT_LEN = MGM_IGMP_V3_REPORT_LEN,
	MLD_HDR_LEN = 4, /* ICMPv6 type, code, checksum (RFC 4443 §2.1) */
	MLD_V1_LEN = MGM_MLD_V1_LEN,
	MLD_V2_QUERY_LEN = MGM_MLD_V2_QUERY_LEN,
	MLD_V2_REPORT_LEN = MGM_MLD_V2_REPORT_LEN,
};

#endif
