/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Internet checksum (RFC 1071) for IGMP (RFC 2236 §2.3, RFC 3376 §4.1.2), the IPv4 header
 * and ICMPv6 with its pseudo-header (RFC 4443 §2.3, RFC 8200 §8.1).
 */
#include "mgm/wire.h"
#include "wire_priv.h"

/* The result is the number whose big-endian octets go into the checksum field; over a message
 * that already carries a correct checksum it is 0. `sum` is a partial sum of big-endian 16-bit
 * words, as mgm_icmp6_pseudo_sum() returns. The arithmetic is wire_checksum() (wire_priv.h),
 * inline there so that the decoders' hot paths pay no call for an 8-octet message. */
uint16_t mgm_inet_checksum(const uint8_t *buf, size_t len, uint32_t sum)
{
	return wire_checksum(buf, len, sum);
}

/* RFC 2236 §2.3, RFC 3376 §4.1.2: IGMP sums the message; RFC 4443 §2.3: ICMPv6 adds the
 * pseudo-header. */
void mgm_wire_put_checksum(uint8_t family, uint8_t *msg, size_t len, const struct mgm_addr *src,
			   const struct mgm_addr *dst)
{
	uint32_t pseudo = 0;

	if (family == MGM_INET6)
		pseudo = mgm_icmp6_pseudo_sum(src, dst, (uint32_t)len);
	put_be16(msg + 2, wire_checksum(msg, len, pseudo));
}

/* RFC 8200 §8.1: source, destination, 32-bit upper-layer length, three zero octets and the
 * next header value 58 (RFC 4443 §2.3). Each address is summed by wire_checksum(), whose result
 * is the complement of the folded sum. */
uint32_t mgm_icmp6_pseudo_sum(const struct mgm_addr *src, const struct mgm_addr *dst,
			      uint32_t upper_len)
{
	uint32_t sum = (uint16_t)~wire_checksum(src->octets, 16, 0);

	sum += (uint16_t)~wire_checksum(dst->octets, 16, 0);
	sum += (upper_len >> 16) + (upper_len & 0xffff);
	sum += 58;
	return sum;
}
