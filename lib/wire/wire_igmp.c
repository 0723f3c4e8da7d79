/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IGMP messages, the IPv4 payload: decoding with validation and encoding of queries (v1 RFC 1112
 * App. I, v2 RFC 2236 §2, v3 RFC 3376 §4.1), v1/v2 reports and v2 leaves, and the decoding of
 * v3 reports (RFC 3376 §4.2; their records are shared with MLD in wire_report.c). The query
 * version follows from length and Max Resp Code, RFC 3376 §7.1.
 */
#include "cursor.h"
#include "wire_priv.h"

/*
 * RFC 3376 §7.1: an 8-octet query is v1 when its Max Resp Code is 0 and v2 otherwise; 12 or
 * more octets make a v3 query; 9 to 11 octets are not a valid query and are ignored, which we
 * report as MGM_E_LENGTH so the caller can count them.
 */
static int decode_query(struct cursor *c, size_t len, uint8_t code, struct mgm_msg *m)
{
	m->kind = MGM_MSG_QUERY;
	m->max_resp_code = code;
	if (len != IGMP_V1V2_LEN && len < IGMP_V3_QUERY_LEN)
		return MGM_E_LENGTH;
	get_addr(c, MGM_INET, &m->group);
	/* A query's group is zero (general query) or the multicast group queried. */
	if (!wire_is_multicast(MGM_INET, m->group.octets) && !wire_is_zero(m->group.octets, 4))
		return MGM_E_GROUP_NOT_MULTICAST;
	if (len == IGMP_V1V2_LEN) {
		m->version = code ? 2 : 1;
		/* RFC 2236 §4: code 0 from a v1 querier means 100 tenths. */
		m->max_resp_ms = code ? (uint32_t)code * 100 : 10000;
		return 0;
	}

	m->version = 3;
	m->max_resp_ms = mgm_code8_decode(code) * 100; /* RFC 3376 §4.1.1: tenths */
	return wire_decode_query_tail(c, MGM_INET, m);
}

/*
 * v1/v2 reports and v2 leaves name one group. A group that is not multicast cannot be joined
 * or left (RFC 1112 §4, RFC 2236 §2.4), so such a message is MGM_E_GROUP_NOT_MULTICAST rather
 * than silently accepted: the router ignores it either way, and tools can name why. Hosts never
 * report or leave the all-systems group (RFC 2236 §6).
 */
static int decode_group_message(struct cursor *c, struct mgm_msg *m)
{
	get_addr(c, MGM_INET, &m->group);
	return wire_check_reported_group(MGM_INET, m->group.octets);
}

int mgm_igmp_decode(const uint8_t *buf, size_t len, struct mgm_msg *m)
{
	struct cursor c;
	uint8_t type, code = 0;

	if (!buf || !m)
		return MGM_E_INVAL;
	wire_msg_reset(m, MGM_INET, len);
	if (len < IGMP_HDR_LEN)
		return MGM_E_SHORT;
	type = buf[0];
	m->type = type;
	/* Every IGMP message starts with type, code and checksum; the ones we decode have 8 octets
	 * at least. Others may be shorter (RFC 4286 solicitations have 4) and are only ignored. */
	switch (type) {
	case MGM_IGMP_QUERY:
	case MGM_IGMP_V1_REPORT:
	case MGM_IGMP_V2_REPORT:
	case MGM_IGMP_V2_LEAVE:
	case MGM_IGMP_V3_REPORT:
		if (len < IGMP_V1V2_LEN)
			return MGM_E_SHORT;
		break;
	default:
		break;
	}
	/* RFC 2236 §2.3, RFC 3376 §4.1.2: the checksum covers the whole IGMP message. */
	if (wire_checksum(buf, len, 0) != 0)
		return MGM_E_CHECKSUM;

	cursor_init(&c, buf, len);
	skip(&c, 1);
	get_u8(&c, &code);
	skip(&c, 2);
	switch (type) {
	case MGM_IGMP_QUERY:
		return decode_query(&c, len, code, m);
	case MGM_IGMP_V1_REPORT:
		m->kind = MGM_MSG_REPORT;
		m->version = 1;
		return decode_group_message(&c, m);
	case MGM_IGMP_V2_REPORT:
		m->kind = MGM_MSG_REPORT;
		m->version = 2;
		return decode_group_message(&c, m);
	case MGM_IGMP_V2_LEAVE:
		m->kind = MGM_MSG_LEAVE;
		m->version = 2;
		return decode_group_message(&c, m);
	case MGM_IGMP_V3_REPORT:
		m->kind = MGM_MSG_REPORT;
		m->version = 3;
		return mgm_wire_decode_report(&c, MGM_INET, m);
	default:
		/* RFC 3376 §4: unrecognised types are silently ignored, not errors. */
		m->kind = MGM_MSG_UNKNOWN;
		return 0;
	}
}

/* ---- encoding ----------------------------------------------------------------------------- */

int mgm_wire_igmp_encode_query(const struct mgm_query *q, uint8_t *buf, size_t cap, size_t *len)
{
	size_t need = IGMP_V1V2_LEN;
	uint8_t code = 0;
	uint8_t *p = buf;
	int err = mgm_wire_check_query_args(MGM_INET, q);

	if (err)
		return err;
	switch (q->version) {
	case 1:
		/* RFC 1112 App. I: the v1 query has no Max Resp field (0 on the wire). */
		if (q->num_sources)
			return MGM_E_INVAL;
		break;
	case 2:
		/* Code 0 would make an 8-octet query a v1 query (RFC 3376 §7.1). */
		if (q->num_sources || q->max_resp_code == 0 || q->max_resp_code > 0xff)
			return MGM_E_INVAL;
		code = (uint8_t)q->max_resp_code;
		break;
	case 3:
		if (q->max_resp_code > 0xff || q->qrv > 7)
			return MGM_E_INVAL;
		code = (uint8_t)q->max_resp_code;
		need = IGMP_V3_QUERY_LEN + (size_t)q->num_sources * 4;
		if (need > wire_max_payload(MGM_INET))
			return MGM_E_INVAL;
		break;
	default:
		return MGM_E_INVAL;
	}
	if (!buf || cap < need)
		return MGM_E_NOBUFS;

	p = put_u8(p, MGM_IGMP_QUERY);
	p = put_u8(p, code);
	p = put_be16(p, 0);
	p = put_bytes(p, q->group.octets, 4);
	if (q->version == 3)
		wire_put_query_tail(p, MGM_INET, q);
	mgm_wire_put_checksum(MGM_INET, buf, need, NULL, NULL);
	*len = need;
	return 0;
}

int mgm_wire_igmp_encode_v1v2(uint8_t kind, uint8_t version, const struct mgm_addr *group,
			      uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t type;
	uint8_t *p = buf;
	int err;

	if (kind == MGM_MSG_REPORT && version == 1)
		type = MGM_IGMP_V1_REPORT;
	else if (kind == MGM_MSG_REPORT && version == 2)
		type = MGM_IGMP_V2_REPORT;
	else if (kind == MGM_MSG_LEAVE && version == 2)
		type = MGM_IGMP_V2_LEAVE; /* IGMPv1 has no leave (RFC 2236 §3) */
	else
		return MGM_E_INVAL;
	err = mgm_wire_check_group_arg(MGM_INET, group);
	if (err)
		return err;
	if (!buf || cap < IGMP_V1V2_LEN)
		return MGM_E_NOBUFS;
	p = put_u8(p, type);
	p = put_u8(p, 0); /* RFC 2236 §2.2: Max Resp Time is 0 in all but queries */
	p = put_be16(p, 0);
	put_bytes(p, group->octets, 4);
	mgm_wire_put_checksum(MGM_INET, buf, IGMP_V1V2_LEN, NULL, NULL);
	*len = IGMP_V1V2_LEN;
	return 0;
}
