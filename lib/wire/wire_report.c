/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IGMPv3 and MLDv2 reports, whose group records differ only in address length: validation of
 * every record before a decode succeeds (RFC 3376 §4.2, RFC 3810 §5.2), zero-copy iteration,
 * and the writer that spreads records over as many reports as the MTU needs (RFC 3376 §4.2.16,
 * RFC 3810 §5.2.15).
 */
#include "cursor.h"
#include "wire_priv.h"

static bool is_exclude_record(uint8_t type)
{
	return type == MGM_MODE_IS_EXCLUDE || type == MGM_CHANGE_TO_EXCLUDE;
}

/*
 * RFC 3376 §4.2.4-§4.2.11 / RFC 3810 §5.2.4-§5.2.11: Record Type, Aux Data Len (32-bit words),
 * Number of Sources, the group, the sources, then the aux data. Lengths are checked before
 * contents, each against what is left of the message, so every count is proven to fit before
 * anything it counts is read.
 */
static int check_records(struct cursor *c, uint8_t family, uint16_t n)
{
	size_t alen = wire_addr_len(family);

	for (uint16_t i = 0; i < n; i++) {
		uint8_t type, aux_words;
		uint16_t num_sources;
		const uint8_t *group, *sources;
		int err;

		if (!get_u8(c, &type) || !get_u8(c, &aux_words) || !get_be16(c, &num_sources))
			return MGM_E_RECORD_OVERRUN;
		group = get_bytes(c, alen);
		if (!group)
			return MGM_E_RECORD_OVERRUN;
		sources = get_bytes(c, (size_t)num_sources * alen);
		if (!sources)
			return MGM_E_SOURCE_OVERRUN;
		if (!skip(c, (size_t)aux_words * 4))
			return MGM_E_AUX_OVERRUN;
		/* The RFCs define types 1 to 6 only; anything else means the record, and so the
		 * length of what follows it, cannot be trusted to mean what we think. */
		if (type < MGM_MODE_IS_INCLUDE || type > MGM_BLOCK_OLD_SOURCES)
			return MGM_E_RECORD_TYPE;
		err = wire_check_reported_group(family, group);
		if (!err)
			err = wire_check_sources(family, sources, num_sources);
		if (err)
			return err;
	}
	return 0;
}

/* The records are checked last, after every check of the message around them:
 * mgm_decode_lenient() relies on that order. */
int mgm_wire_decode_report(const struct cursor *c, uint8_t family, struct mgm_msg *m)
{
	struct cursor recs = *c; /* a local copy the compiler keeps in registers */
	int err;

	skip(&recs, 2); /* RFC 3376 §4.2.1, RFC 3810 §5.2.1: reserved, ignored */
	get_be16(&recs, &m->num_records);
	m->records = recs.pos;
	err = check_records(&recs, family, m->num_records);
	if (err)
		return err;
	/* Octets after the last record are additional data, ignored (RFC 3376 §4.2.11, RFC 3810
	 * §5.2.11). */
	m->records_len = (size_t)(recs.pos - m->records);
	return 0;
}

/* ---- iteration ---------------------------------------------------------------------------- */

void mgm_records_begin(const struct mgm_msg *m, struct mgm_record_iter *it)
{
	it->pos = m->records;
	it->end = m->records ? m->records + m->records_len : NULL;
	it->left = m->kind == MGM_MSG_REPORT && m->records ? m->num_records : 0;
	it->family = m->family;
}

/* The decoder proved every record lies inside the buffer, so iteration only reads. */
bool mgm_records_next(struct mgm_record_iter *it, struct mgm_record *rec)
{
	size_t alen;
	const uint8_t *p = it->pos;

	if (!it->left)
		return false;
	alen = wire_addr_len(it->family);
	rec->type = p[0];
	rec->aux_words = p[1];
	rec->num_sources = peek_be16(p + 2);
	wire_addr_get(&rec->group, it->family, p + 4);
	rec->sources = p + 4 + alen;
	rec->aux = rec->sources + (size_t)rec->num_sources * alen;
	it->pos = rec->aux + (size_t)rec->aux_words * 4;
	it->left--;
	return true;
}

int mgm_records_next_checked(struct mgm_record_iter *it, struct mgm_record *rec)
{
	size_t alen = wire_addr_len(it->family);
	const uint8_t *group;
	struct cursor c;
	int err;

	if (!it->left)
		return 0;
	it->left--;
	cursor_init(&c, it->pos, (size_t)(it->end - it->pos));
	/* The same order as check_records(): lengths first, so a truncated record ends the walk
	 * before anything it counts is read. */
	if (!get_u8(&c, &rec->type) || !get_u8(&c, &rec->aux_words) ||
	    !get_be16(&c, &rec->num_sources) || !(group = get_bytes(&c, alen))) {
		it->left = 0;
		return MGM_E_RECORD_OVERRUN;
	}
	wire_addr_get(&rec->group, it->family, group);
	rec->sources = get_bytes(&c, (size_t)rec->num_sources * alen);
	if (!rec->sources) {
		it->left = 0;
		return MGM_E_SOURCE_OVERRUN;
	}
	rec->aux = get_bytes(&c, (size_t)rec->aux_words * 4);
	if (!rec->aux) {
		it->left = 0;
		return MGM_E_AUX_OVERRUN;
	}
	it->pos = c.pos;
	if (rec->type < MGM_MODE_IS_INCLUDE || rec->type > MGM_BLOCK_OLD_SOURCES)
		return MGM_E_RECORD_TYPE;
	err = wire_check_reported_group(it->family, group);
	if (!err)
		err = wire_check_sources(it->family, rec->sources, rec->num_sources);
	return err ? err : 1;
}

void mgm_source_at(const uint8_t *sources, uint8_t family, size_t i, struct mgm_addr *out)
{
	wire_addr_get(out, family, sources + i * wire_addr_len(family));
}

const char *mgm_record_type_name(uint8_t type)
{
	static const char *const names[] = {
		[MGM_MODE_IS_INCLUDE] = "IS_IN",   [MGM_MODE_IS_EXCLUDE] = "IS_EX",
		[MGM_CHANGE_TO_INCLUDE] = "TO_IN", [MGM_CHANGE_TO_EXCLUDE] = "TO_EX",
		[MGM_ALLOW_NEW_SOURCES] = "ALLOW", [MGM_BLOCK_OLD_SOURCES] = "BLOCK",
	};

	if (type < MGM_MODE_IS_INCLUDE || type > MGM_BLOCK_OLD_SOURCES)
		return "unknown";
	return names[type];
}

/* ---- the writer --------------------------------------------------------------------------- */

void mgm_report_writer_init(struct mgm_report_writer *w, uint8_t family,
			    const struct mgm_group_record *records, size_t num_records, size_t mtu)
{
	*w = (struct mgm_report_writer){
		.family = family,
		.records = records,
		.num_records = num_records,
		.mtu = mtu,
	};
}

static int check_record(uint8_t family, const struct mgm_group_record *r)
{
	if (r->type < MGM_MODE_IS_INCLUDE || r->type > MGM_BLOCK_OLD_SOURCES)
		return MGM_E_INVAL;
	if ((r->num_sources && !r->sources) || (r->aux_words && !r->aux))
		return MGM_E_INVAL;
	return mgm_wire_check_group_arg(family, &r->group);
}

/* Where one report ends: the record and source the next one starts at. */
struct report_plan {
	size_t len;
	size_t next_record;
	size_t next_source;
	uint16_t num_records;
};

/*
 * Lays out one report of at most `budget` octets starting at the writer's progress, and writes
 * it when buf is not NULL (the first call, without buf, validates and measures; the second,
 * after the capacity check, writes exactly the same layout). RFC 3376 §4.2.16 / RFC 3810
 * §5.2.15: records go in order; a record that does not fit what is left starts the next report;
 * one that does not fit an empty report is split into records of the same type carrying
 * disjoint parts of its sources, except IS_EX and TO_EX, which are sent once with as many
 * sources as fit, the rest unreported.
 */
static int plan_report(const struct mgm_report_writer *w, size_t budget, uint8_t *buf,
		       struct report_plan *plan)
{
	size_t alen = wire_addr_len(w->family);
	size_t pos = MLD_V2_REPORT_LEN; /* same 8-octet header for IGMPv3 */
	size_t i = w->next_record, s = w->next_source;
	uint16_t nrec = 0;

	while (i < w->num_records && nrec < UINT16_MAX) {
		const struct mgm_group_record *r = &w->records[i];
		size_t fixed = 4 + alen + (size_t)r->aux_words * 4;
		size_t left = r->num_sources > s ? r->num_sources - s : 0;
		size_t room = budget - pos;
		size_t take = left;
		size_t next_i = i + 1, next_s = 0;
		const struct mgm_addr *srcs;
		int err;

		if (!buf) {
			err = check_record(w->family, r);
			if (err)
				return err;
		}
		if (fixed + left * alen > room) {
			if (nrec > 0)
				break;
			if (room < fixed + (left ? alen : 0))
				return MGM_E_MTU;
			take = (room - fixed) / alen;
			if (!is_exclude_record(r->type)) {
				next_i = i;
				next_s = s + take;
			}
		}
		srcs = take ? r->sources + s : NULL;
		if (!buf) {
			err = mgm_wire_check_sources_arg(w->family, srcs, take);
			if (err)
				return err;
		} else {
			uint8_t *p = buf + pos;

			p = put_u8(p, r->type);
			p = put_u8(p, r->aux_words);
			p = put_be16(p, (uint16_t)take);
			p = put_bytes(p, r->group.octets, alen);
			p = mgm_wire_put_addrs(p, w->family, srcs, take);
			put_bytes(p, r->aux, (size_t)r->aux_words * 4);
		}
		pos += fixed + take * alen;
		nrec++;
		i = next_i;
		s = next_s;
	}
	plan->len = pos;
	plan->next_record = i;
	plan->next_source = s;
	plan->num_records = nrec;
	return 0;
}

int mgm_report_writer_next(struct mgm_report_writer *w, const struct mgm_addr *src,
			   const struct mgm_addr *dst, uint8_t *buf, size_t cap, size_t *len)
{
	struct report_plan plan;
	size_t hdr, budget;
	int err;

	if (!w || !len || (w->family != MGM_INET && w->family != MGM_INET6) ||
	    (w->num_records && !w->records))
		return MGM_E_INVAL;
	if (w->next_record >= w->num_records)
		return 0;
	if (w->family == MGM_INET6 && !wire_icmp6_endpoints_ok(src, dst))
		return MGM_E_INVAL;

	/* The MTU counts the IP header; the IP length field bounds what follows it. */
	hdr = mgm_ip_header_len(w->family);
	if (w->mtu < hdr + MLD_V2_REPORT_LEN)
		return MGM_E_MTU;
	budget = w->mtu - hdr;
	if (budget > wire_max_payload(w->family))
		budget = wire_max_payload(w->family);

	err = plan_report(w, budget, NULL, &plan);
	if (err)
		return err;
	if (!buf || cap < plan.len)
		return MGM_E_NOBUFS;
	plan_report(w, budget, buf, &plan);

	buf[0] = w->family == MGM_INET ? MGM_IGMP_V3_REPORT : MGM_MLD_V2_REPORT;
	buf[1] = 0;
	put_be16(buf + 2, 0);
	put_be16(buf + 4, 0); /* reserved */
	put_be16(buf + 6, plan.num_records);
	mgm_wire_put_checksum(w->family, buf, plan.len, src, dst);
	w->next_record = plan.next_record;
	w->next_source = plan.next_source;
	*len = plan.len;
	return 1;
}
