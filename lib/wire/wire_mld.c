/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MLD messages, the ICMPv6 payload: decoding with validation and encoding of MLDv1 queries,
 * reports and dones (RFC 2710 §3) and MLDv2 queries (RFC 3810 §5.1), and the decoding of MLDv2
 * reports (RFC 3810 §5.2; records in wire_report.c). The checksum covers the IPv6 pseudo-header
 * (RFC 4443 §2.3); the query version follows from the length, RFC 3810 §8.1.
 */
#include "cursor.h"
#include "wire_priv.h"

/*
 * RFC 3810 §8.1: a 24-octet query is MLDv1, 28 or more octets MLDv2; 25 to 27 octets are no
 * valid query and are ignored (MGM_E_LENGTH here).
 */
static int decode_query(struct cursor *c, size_t len, struct mgm_msg *m)
{
	m->kind = MGM_MSG_QUERY;
	if (len != MLD_V1_LEN && len < MLD_V2_QUERY_LEN)
		return MGM_E_LENGTH;
	get_be16(c, &m->max_resp_code);
	skip(c, 2); /* reserved */
	get_addr(c, MGM_INET6, &m->group);
	/* RFC 3810 §5.1.5: the unspecified address (general query) or the multicast address
	 * queried. */
	if (!wire_is_multicast(MGM_INET6, m->group.octets) && !wire_is_zero(m->group.octets, 16))
		return MGM_E_GROUP_NOT_MULTICAST;
	if (len == MLD_V1_LEN) {
		m->version = 1;
		m->max_resp_ms = m->max_resp_code; /* RFC 2710 §3.4: milliseconds */
		return 0;
	}

	m->version = 2;
	m->max_resp_ms = mgm_code16_decode(m->max_resp_code); /* RFC 3810 §5.1.3 */
	return wire_decode_query_tail(c, MGM_INET6, m);
}

/*
 * MLDv1 reports and dones name one multicast address (RFC 2710 §3.6). As for IGMP, one that is
 * not multicast is MGM_E_GROUP_NOT_MULTICAST; the all-nodes address is never reported
 * (RFC 2710 §5, RFC 3810 §6).
 */
static int decode_v1_message(struct cursor *c, struct mgm_msg *m)
{
	skip(c, 4); /* Maximum Response Delay (0 in reports and dones) and reserved */
	get_addr(c, MGM_INET6, &m->group);
	return wire_check_reported_group(MGM_INET6, m->group.octets);
}

int mgm_mld_decode(const uint8_t *buf, size_t len, const struct mgm_addr *src,
		   const struct mgm_addr *dst, struct mgm_msg *m)
{
	struct cursor c;
	uint8_t type;

	if (!buf || !m || !wire_icmp6_endpoints_ok(src, dst))
		return MGM_E_INVAL;
	wire_msg_reset(m, MGM_INET6, len);
	if (len < MLD_HDR_LEN)
		return MGM_E_SHORT;
	type = buf[0];
	m->type = type;
	switch (type) {
	case MGM_MLD_QUERY:
	case MGM_MLD_V1_REPORT:
	case MGM_MLD_V1_DONE:
		if (len < MLD_V1_LEN)
			return MGM_E_SHORT;
		break;
	case MGM_MLD_V2_REPORT:
		if (len < MLD_V2_REPORT_LEN)
			return MGM_E_SHORT;
		break;
	default:
		break;
	}
	/* RFC 4443 §2.3: the checksum covers the pseudo-header and the whole message. An IPv6
	 * payload is at most 65535 octets, larger lengths cannot be a real message. */
	if (len > 0xffff || wire_checksum(buf, len, mgm_icmp6_pseudo_sum(src, dst, (uint32_t)len)))
		return MGM_E_CHECKSUM;

	cursor_init(&c, buf, len);
	skip(&c, 4); /* type, code, checksum */
	switch (type) {
	case MGM_MLD_QUERY:
		return decode_query(&c, len, m);
	case MGM_MLD_V1_REPORT:
		m->kind = MGM_MSG_REPORT;
		m->version = 1;
		return decode_v1_message(&c, m);
	case MGM_MLD_V1_DONE:
		m->kind = MGM_MSG_LEAVE;
		m->version = 1;
		return decode_v1_message(&c, m);
	case MGM_MLD_V2_REPORT:
		m->kind = MGM_MSG_REPORT;
		m->version = 2;
		return mgm_wire_decode_report(&c, MGM_INET6, m);
	default:
		/* Other ICMPv6 messages are not ours: the caller ignores them. */
		m->kind = MGM_MSG_UNKNOWN;
		return 0;
	}
}

/* ---- encoding ----------------------------------------------------------------------------- */

int mgm_wire_mld_encode_query(const struct mgm_query *q, const struct mgm_addr *src,
			      const struct mgm_addr *dst, uint8_t *buf, size_t cap, size_t *len)
{
	size_t need = MLD_V1_LEN;
	uint8_t *p = buf;
	int err = mgm_wire_check_query_args(MGM_INET6, q);

	if (err)
		return err;
	if (!wire_icmp6_endpoints_ok(src, dst))
		return MGM_E_INVAL;
	switch (q->version) {
	case 1:
		if (q->num_sources)
			return MGM_E_INVAL;
		break;
	case 2:
		if (q->qrv > 7)
			return MGM_E_INVAL;
		need = MLD_V2_QUERY_LEN + (size_t)q->num_sources * 16;
		if (need > wire_max_payload(MGM_INET6))
			return MGM_E_INVAL;
		break;
	default:
		return MGM_E_INVAL;
	}
	if (!buf || cap < need)
		return MGM_E_NOBUFS;

	p = put_u8(p, MGM_MLD_QUERY);
	p = put_u8(p, 0); /* code */
	p = put_be16(p, 0);
	p = put_be16(p, q->max_resp_code);
	p = put_be16(p, 0); /* reserved */
	p = put_bytes(p, q->group.octets, 16);
	if (q->version == 2)
		wire_put_query_tail(p, MGM_INET6, q);
	mgm_wire_put_checksum(MGM_INET6, buf, need, src, dst);
	*len = need;
	return 0;
}

int mgm_wire_mld_encode_v1v2(uint8_t kind, uint8_t version, const struct mgm_addr *group,
			     const struct mgm_addr *src, const struct mgm_addr *dst, uint8_t *buf,
			     size_t cap, size_t *len)
{
	uint8_t type;
	uint8_t *p = buf;
	int err;

	if (version != 1)
		return MGM_E_INVAL;
	if (kind == MGM_MSG_REPORT)
		type = MGM_MLD_V1_REPORT;
	else if (kind == MGM_MSG_LEAVE)
		type = MGM_MLD_V1_DONE;
	else
		return MGM_E_INVAL;
	err = mgm_wire_check_group_arg(MGM_INET6, group);
	if (err)
		return err;
	if (!wire_icmp6_endpoints_ok(src, dst))
		return MGM_E_INVAL;
	if (!buf || cap < MLD_V1_LEN)
		return MGM_E_NOBUFS;
	p = put_u8(p, type);
	p = put_u8(p, 0);
	p = put_be16(p, 0);
	p = put_be16(p, 0); /* RFC 2710 §3.4: Maximum Response Delay is 0 in reports and dones */
	p = put_be16(p, 0);
	put_bytes(p, group->octets, 16);
	mgm_wire_put_checksum(MGM_INET6, buf, MLD_V1_LEN, src, dst);
	*len = MLD_V1_LEN;
	return 0;
}
