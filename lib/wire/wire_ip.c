/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IP layer around IGMP and MLD: the IPv4 header with its options and the Router Alert
 * option (RFC 791, RFC 2113), the IPv6 header and extension header chain with the Hop-by-Hop
 * Router Alert (RFC 8200 §4, RFC 2711), and the family-generic entry points of the codec with
 * the argument checks its IGMP and MLD halves share.
 */
#include "cursor.h"
#include "wire_priv.h"

enum {
	IPV4_HDR_MIN = 20,
	IPV4_OPT_RA = 148, /* RFC 2113 §2.1: copied flag, class 0, number 20 */
	IPV6_HDR_LEN = 40,
	IP6_NH_HOPOPTS = 0,
	IP6_NH_ROUTING = 43,
	IP6_NH_FRAGMENT = 44,
	IP6_NH_AH = 51,
	IP6_NH_ICMPV6 = 58,
	IP6_NH_DSTOPTS = 60,
	IP6_OPT_PAD1 = 0,
	IP6_OPT_PADN = 1,
	IP6_OPT_RA = 5, /* RFC 2711 §2.1 */
	/* Enough for any sane chain (RFC 8200 §4.1 lists at most six kinds, Destination
	 * Options twice); a longer one is an attack on whoever walks it. */
	IP6_MAX_EXT_HEADERS = 8,
	IPPROTO_IGMP_NUM = 2,
};

/* ---- shared checks ------------------------------------------------------------------------ */

int mgm_wire_check_query_args(uint8_t family, const struct mgm_query *q)
{
	const struct mgm_addr *g = &q->group;

	if (g->family != family)
		return MGM_E_INVAL;
	if (!wire_is_multicast(family, g->octets) && !wire_is_zero(g->octets, 16))
		return MGM_E_INVAL;
	if (q->num_sources && !q->sources)
		return MGM_E_INVAL;
	return mgm_wire_check_sources_arg(family, q->sources, q->num_sources);
}

/* What the decoder would reject is never encoded: a group must be multicast and not the
 * all-systems group. */
int mgm_wire_check_group_arg(uint8_t family, const struct mgm_addr *group)
{
	if (!group || group->family != family || wire_check_reported_group(family, group->octets))
		return MGM_E_INVAL;
	return 0;
}

int mgm_wire_check_sources_arg(uint8_t family, const struct mgm_addr *sources, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (sources[i].family != family || !wire_is_unicast(family, sources[i].octets))
			return MGM_E_INVAL;
	}
	return 0;
}

uint8_t *mgm_wire_put_addrs(uint8_t *p, uint8_t family, const struct mgm_addr *addrs, size_t n)
{
	size_t alen = wire_addr_len(family);

	for (size_t i = 0; i < n; i++)
		p = put_bytes(p, addrs[i].octets, alen);
	return p;
}

/* ---- family-generic entry points ---------------------------------------------------------- */

int mgm_decode(uint8_t family, const uint8_t *buf, size_t len, const struct mgm_addr *src,
	       const struct mgm_addr *dst, struct mgm_msg *m)
{
	if (family == MGM_INET)
		return mgm_igmp_decode(buf, len, m);
	if (family == MGM_INET6)
		return mgm_mld_decode(buf, len, src, dst, m);
	return MGM_E_INVAL;
}

int mgm_decode_lenient(uint8_t family, const uint8_t *buf, size_t len, const struct mgm_addr *src,
		       const struct mgm_addr *dst, struct mgm_msg *m)
{
	int err = mgm_decode(family, buf, len, src, dst, m);

	/* The decoders check a report's records last (mgm_wire_decode_report()) and set
	 * m->records only once the fixed part and the checksum passed: an error with records set
	 * is a record's, left to mgm_records_next_checked(). MGM_E_INVAL may leave *m unset. */
	if (err < 0 && err != MGM_E_INVAL && m->kind == MGM_MSG_REPORT && m->records) {
		m->records_len = (size_t)(buf + len - m->records);
		return 0;
	}
	return err;
}

int mgm_encode_query(uint8_t family, const struct mgm_query *q, const struct mgm_addr *src,
		     const struct mgm_addr *dst, uint8_t *buf, size_t cap, size_t *len)
{
	if (!q || !len)
		return MGM_E_INVAL;
	if (family == MGM_INET)
		return mgm_wire_igmp_encode_query(q, buf, cap, len);
	if (family == MGM_INET6)
		return mgm_wire_mld_encode_query(q, src, dst, buf, cap, len);
	return MGM_E_INVAL;
}

int mgm_encode_v1v2(uint8_t family, uint8_t kind, uint8_t version, const struct mgm_addr *group,
		    const struct mgm_addr *src, const struct mgm_addr *dst, uint8_t *buf,
		    size_t cap, size_t *len)
{
	if (!len)
		return MGM_E_INVAL;
	if (family == MGM_INET)
		return mgm_wire_igmp_encode_v1v2(kind, version, group, buf, cap, len);
	if (family == MGM_INET6)
		return mgm_wire_mld_encode_v1v2(kind, version, group, src, dst, buf, cap, len);
	return MGM_E_INVAL;
}

/* The one table of message names. RFC 2710 §3.1 and §4 call the MLDv1 leave "Done". */
const char *mgm_msg_kind_name(uint8_t family, uint8_t kind)
{
	static const char *const names[2][MGM_MSG__COUNT] = {
		{[MGM_MSG_UNKNOWN] = "unknown",
		 [MGM_MSG_QUERY] = "query",
		 [MGM_MSG_REPORT] = "report",
		 [MGM_MSG_LEAVE] = "leave"},
		{[MGM_MSG_UNKNOWN] = "unknown",
		 [MGM_MSG_QUERY] = "query",
		 [MGM_MSG_REPORT] = "report",
		 [MGM_MSG_LEAVE] = "done"},
	};

	if (kind >= MGM_MSG__COUNT)
		kind = MGM_MSG_UNKNOWN;
	return names[family == MGM_INET6][kind];
}

/* ---- IPv4 --------------------------------------------------------------------------------- */

/* RFC 791 §3.1 options: End of Option List ends the walk, No Operation is one octet, every other
 * option is type, length (counting both), data, and must lie inside the header. */
static int walk_ipv4_options(const uint8_t *opt, size_t len, bool *router_alert)
{
	struct cursor c;

	cursor_init(&c, opt, len);
	while (cursor_left(&c)) {
		uint8_t type, olen;
		const uint8_t *data;

		get_u8(&c, &type);
		if (type == 0)
			break;
		if (type == 1)
			continue;
		if (!get_u8(&c, &olen) || olen < 2)
			return MGM_E_IP_OPTION;
		data = get_bytes(&c, olen - 2u);
		if (!data)
			return MGM_E_IP_OPTION;
		if (type == IPV4_OPT_RA) {
			/* RFC 2113 §2.1: length 4; value 0 asks routers to examine the packet,
			 * other values are reserved and not what IGMP sends. */
			if (olen != 4)
				return MGM_E_IP_OPTION;
			if (peek_be16(data) == 0)
				*router_alert = true;
		}
	}
	return 0;
}

static int decode_ipv4(const uint8_t *pkt, size_t len, struct mgm_ip_info *ip)
{
	size_t ihl, total;
	uint16_t frag;
	int err;

	if (len < IPV4_HDR_MIN)
		return MGM_E_IP_HEADER;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = peek_be16(pkt + 2);
	if (ihl < IPV4_HDR_MIN || ihl > len || total < ihl || total > len)
		return MGM_E_IP_HEADER;
	if (wire_checksum(pkt, ihl, 0) != 0)
		return MGM_E_IP_CHECKSUM;
	/* RFC 791 §3.1: More Fragments or a fragment offset. RFC 3376 §4 messages are small
	 * enough never to be fragmented; reassembly is not ours to do. */
	frag = peek_be16(pkt + 6);
	if (frag & 0x3fff)
		return MGM_E_IP_FRAGMENT;
	err = walk_ipv4_options(pkt + IPV4_HDR_MIN, ihl - IPV4_HDR_MIN, &ip->router_alert);
	if (err)
		return err;
	if (pkt[9] != IPPROTO_IGMP_NUM)
		return MGM_E_IP_PROTOCOL;
	ip->family = MGM_INET;
	ip->tos = pkt[1];
	ip->hop_limit = pkt[8];
	wire_addr_get(&ip->src, MGM_INET, pkt + 12);
	wire_addr_get(&ip->dst, MGM_INET, pkt + 16);
	ip->payload = pkt + ihl;
	ip->payload_len = total - ihl; /* octets past the total length are link padding */
	return 0;
}

/* ---- IPv6 --------------------------------------------------------------------------------- */

/*
 * RFC 8200 §4.2 options (Hop-by-Hop and Destination Options): Pad1 is one octet, every other
 * option is type, data length, data. An unrecognised option whose two high bits are not 00
 * orders the packet discarded, so such a packet is refused as malformed here too.
 */
static int walk_ipv6_options(const uint8_t *opt, size_t len, bool hop_by_hop, bool *router_alert)
{
	struct cursor c;

	cursor_init(&c, opt, len);
	while (cursor_left(&c)) {
		uint8_t type, olen;
		const uint8_t *data;

		get_u8(&c, &type);
		if (type == IP6_OPT_PAD1)
			continue;
		if (!get_u8(&c, &olen))
			return MGM_E_IP_OPTION;
		data = get_bytes(&c, olen);
		if (!data)
			return MGM_E_IP_OPTION;
		if (type == IP6_OPT_PADN)
			continue;
		if (hop_by_hop && type == IP6_OPT_RA) {
			/* RFC 2711 §2.1: two octets of value; 0 means an MLD message. */
			if (olen != 2)
				return MGM_E_IP_OPTION;
			if (peek_be16(data) == 0)
				*router_alert = true;
			continue;
		}
		if (type >> 6)
			return MGM_E_IP_OPTION;
	}
	return 0;
}

static int decode_ipv6(const uint8_t *pkt, size_t len, struct mgm_ip_info *ip)
{
	struct cursor c;
	size_t plen;
	uint8_t nh;

	if (len < IPV6_HDR_LEN)
		return MGM_E_IP_HEADER;
	plen = peek_be16(pkt + 4);
	/* Payload length 0 announces a jumbogram (RFC 2675), which MLD never is. */
	if (plen == 0 || IPV6_HDR_LEN + plen > len)
		return MGM_E_IP_HEADER;
	nh = pkt[6];
	cursor_init(&c, pkt + IPV6_HDR_LEN, plen);

	for (int n = 0; nh != IP6_NH_ICMPV6; n++) {
		uint8_t next = 0, hlen = 0, segments_left = 0;
		const uint8_t *body;
		int err;

		if (n == IP6_MAX_EXT_HEADERS)
			return MGM_E_IP_OPTION;
		switch (nh) {
		case IP6_NH_HOPOPTS:
			/* RFC 8200 §4.1: only ever right after the IPv6 header. */
			if (n != 0)
				return MGM_E_IP_OPTION;
			/* fall through */
		case IP6_NH_DSTOPTS:
			/* RFC 8200 §4.3, §4.6: length in 8-octet units, not counting the first. */
			if (!get_u8(&c, &next) || !get_u8(&c, &hlen))
				return MGM_E_IP_OPTION;
			body = get_bytes(&c, (size_t)hlen * 8 + 6);
			if (!body)
				return MGM_E_IP_OPTION;
			err = walk_ipv6_options(body, (size_t)hlen * 8 + 6, nh == IP6_NH_HOPOPTS,
						&ip->router_alert);
			if (err)
				return err;
			break;
		case IP6_NH_ROUTING:
			/* RFC 8200 §4.4: with Segments Left above 0 the packet is still on its way
			 * to another node, and its payload not ours to read; with 0 the header is
			 * done with and skipped whatever its type. */
			if (!get_u8(&c, &next) || !get_u8(&c, &hlen) || !skip(&c, 1) ||
			    !get_u8(&c, &segments_left) || !skip(&c, (size_t)hlen * 8 + 4))
				return MGM_E_IP_OPTION;
			if (segments_left != 0)
				return MGM_E_IP_OPTION;
			break;
		case IP6_NH_AH:
			/* RFC 4302 §2.2: length in 4-octet units, minus 2. A message may come
			 * authenticated; verifying that is IPsec's job, not the codec's. */
			if (!get_u8(&c, &next) || !get_u8(&c, &hlen) ||
			    !skip(&c, ((size_t)hlen + 2) * 4 - 2))
				return MGM_E_IP_OPTION;
			break;
		case IP6_NH_FRAGMENT:
			return MGM_E_IP_FRAGMENT;
		default:
			/* No Next Header, ESP, an upper layer other than ICMPv6, ... */
			return MGM_E_IP_PROTOCOL;
		}
		nh = next;
	}
	ip->family = MGM_INET6;
	ip->tos = (uint8_t)((pkt[0] & 0x0f) << 4 | pkt[1] >> 4);
	ip->hop_limit = pkt[7];
	wire_addr_get(&ip->src, MGM_INET6, pkt + 8);
	wire_addr_get(&ip->dst, MGM_INET6, pkt + 24);
	ip->payload = c.pos;
	ip->payload_len = cursor_left(&c);
	return 0;
}

int mgm_ip_upper_protocol(const uint8_t *pkt, size_t len, size_t *offset)
{
	size_t off, ihl;
	uint8_t nh;

	if (!pkt || len < 1)
		return -1;
	if (pkt[0] >> 4 == 4) {
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (len < IPV4_HDR_MIN || ihl < IPV4_HDR_MIN || ihl > len)
			return -1;
		if (offset)
			*offset = ihl;
		return pkt[9];
	}
	if (pkt[0] >> 4 != 6 || len < IPV6_HDR_LEN)
		return -1;
	nh = pkt[6];
	off = IPV6_HDR_LEN;
	for (int n = 0; n < IP6_MAX_EXT_HEADERS; n++) {
		switch (nh) {
		case IP6_NH_HOPOPTS:
		case IP6_NH_DSTOPTS:
		case IP6_NH_ROUTING:
			if (len - off < 2)
				return -1;
			nh = pkt[off];
			off += ((size_t)pkt[off + 1] + 1) * 8;
			break;
		case IP6_NH_AH:
			if (len - off < 2)
				return -1;
			nh = pkt[off];
			off += ((size_t)pkt[off + 1] + 2) * 4;
			break;
		case IP6_NH_FRAGMENT:
			/* Only the first fragment (offset 0) shows the upper-layer header. */
			if (len - off < 8 || (peek_be16(pkt + off + 2) & 0xfff8) != 0)
				return -1;
			nh = pkt[off];
			off += 8;
			break;
		default:
			if (offset)
				*offset = off;
			return nh;
		}
		if (off > len)
			return -1;
	}
	return -1;
}

int mgm_ip_decode(const uint8_t *pkt, size_t len, struct mgm_ip_info *ip)
{
	if (!pkt || !ip)
		return MGM_E_INVAL;
	ip->router_alert = false;
	if (len < 1)
		return MGM_E_IP_HEADER;
	switch (pkt[0] >> 4) {
	case 4:
		return decode_ipv4(pkt, len, ip);
	case 6:
		return decode_ipv6(pkt, len, ip);
	default:
		return MGM_E_IP_HEADER;
	}
}

int mgm_packet_decode(const uint8_t *pkt, size_t len, struct mgm_ip_info *ip, struct mgm_msg *m)
{
	int err = mgm_ip_decode(pkt, len, ip);

	if (err)
		return err;
	return mgm_decode(ip->family, ip->payload, ip->payload_len, &ip->src, &ip->dst, m);
}

/* ---- encoding ----------------------------------------------------------------------------- */

size_t mgm_ip_header_len(uint8_t family)
{
	switch (family) {
	case MGM_INET:
		return 24;
	case MGM_INET6:
		return 48;
	default:
		return 0;
	}
}

/*
 * IPv4: RFC 3376 §4 (TTL 1, Router Alert, RFC 2236 §2 likewise) and TOS 0xc0 (Internetwork
 * Control), as kernels send IGMP. IPv6: RFC 3810 §5 (hop limit 1, Hop-by-Hop Router Alert value 0
 * per RFC 2711), padded to 8 octets with a two-octet PadN.
 */
int mgm_ip_encode(uint8_t family, const struct mgm_addr *src, const struct mgm_addr *dst,
		  size_t payload_len, uint8_t *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!src || !dst || src->family != family || dst->family != family)
		return MGM_E_INVAL;
	if (family == MGM_INET) {
		if (payload_len > wire_max_payload(MGM_INET))
			return MGM_E_INVAL;
		if (!buf || cap < 24)
			return MGM_E_NOBUFS;
		p = put_u8(p, 0x46); /* version 4, IHL 6 words */
		p = put_u8(p, 0xc0);
		p = put_be16(p, (uint16_t)(24 + payload_len));
		p = put_be32(p, 0); /* identification, flags, fragment offset */
		p = put_u8(p, 1);   /* TTL */
		p = put_u8(p, IPPROTO_IGMP_NUM);
		p = put_be16(p, 0);
		p = put_bytes(p, src->octets, 4);
		p = put_bytes(p, dst->octets, 4);
		p = put_u8(p, IPV4_OPT_RA);
		p = put_u8(p, 4);
		put_be16(p, 0);
		put_be16(buf + 10, wire_checksum(buf, 24, 0));
		return 0;
	}
	if (family == MGM_INET6) {
		if (payload_len > wire_max_payload(MGM_INET6))
			return MGM_E_INVAL;
		if (!buf || cap < 48)
			return MGM_E_NOBUFS;
		/* version 6, traffic class 0xc0 (DSCP CS6, as the IPv4 TOS), no flow label */
		p = put_be32(p, 0x6c000000u);
		p = put_be16(p, (uint16_t)(8 + payload_len));
		p = put_u8(p, IP6_NH_HOPOPTS);
		p = put_u8(p, 1); /* hop limit */
		p = put_bytes(p, src->octets, 16);
		p = put_bytes(p, dst->octets, 16);
		p = put_u8(p, IP6_NH_ICMPV6);
		p = put_u8(p, 0); /* 8 octets in all */
		p = put_u8(p, IP6_OPT_RA);
		p = put_u8(p, 2);
		p = put_be16(p, 0);
		p = put_u8(p, IP6_OPT_PADN);
		put_u8(p, 0);
		return 0;
	}
	return MGM_E_INVAL;
}
