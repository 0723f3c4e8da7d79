/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reports into table events: IGMPv1/v2 reports and leaves and MLDv1 reports and dones are
 * translated to their v3 equivalents, and every record is read in its group's compatibility
 * mode (RFC 3376 §7.3.2, RFC 3810 §8.3.2, with the Older Host Present timers); the per-record
 * checks before the tables: link-local groups (RFC 3376 §6, RFC 3810 §6) and SSM (RFC 4604).
 */
#include <string.h>

#include "mgm/err.h"
#include "router_priv.h"

uint8_t mgm_rtr_group_compat(const struct mgm_router *r, const struct mgm_group *g)
{
	uint8_t v = r->fam->top_version;

	/* §7.3.2: the lowest version whose Older Host Present timer runs. Each version below the
	 * top has one: MLD has only MLDv1's, the version 1 timer. */
	if (g && g->deadline[MGM_GT_OLDER_HOST_V1] != MGM_TIME_NEVER)
		v = 1;
	else if (g && r->fam->top_version > 2 &&
		 g->deadline[MGM_GT_OLDER_HOST_V2] != MGM_TIME_NEVER)
		v = 2;
	/* A router configured for an older version (RFC 3376 §7.3.1) reads every record in
	 * that version's rules. */
	return v < r->cfg.version ? v : r->cfg.version;
}

static void log_compat(struct mgm_router *r, const struct mgm_group *g, uint8_t from, uint8_t to)
{
	char gs[MGM_ADDRSTRLEN];
	struct mgm_addr a;

	if (from == to || !mgm_rtr_logging(r))
		return;
	addr_make(r, &a, g->addr);
	mgm_rtr_log(r, MGM_LOG_INFO, "group %s: compatibility mode %s%u -> %s%u",
		    mgm_addr_str(&a, gs), r->fam->version_prefix, (unsigned)from,
		    r->fam->version_prefix, (unsigned)to);
}

void mgm_rtr_compat_timers(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);
	uint8_t before = mgm_rtr_group_compat(r, g);

	for (int k = MGM_GT_OLDER_HOST_V1; k <= MGM_GT_OLDER_HOST_V2; k++)
		if (g->deadline[k] <= now)
			g->deadline[k] = MGM_TIME_NEVER;
	log_compat(r, g, before, mgm_rtr_group_compat(r, g));
}

/* Groups a router never keeps state for: the one public rule, mgm_addr_is_unrouted_group()
 * (224.0.0.0/24; IPv6 scopes 0-2), so the daemon and the host engine decide alike. The
 * decoder has already refused non-multicast groups. */
static bool untracked_group(const struct mgm_router *r, const uint8_t *group)
{
	struct mgm_addr a;

	addr_make(r, &a, group);
	return mgm_addr_is_unrouted_group(&a);
}

static bool ssm_group(const struct mgm_router *r, const uint8_t *group)
{
	struct mgm_addr a;

	addr_make(r, &a, group);
	return mgm_addr_is_ssm(&a);
}

/* gi: the record's group as found, or MGM_NIL. Returns the group after the record, if any
 * (a refusal is counted by mgm_rtr_group_apply()). */
static uint32_t apply(struct mgm_router *r, int64_t now, uint32_t gi,
		      const struct mgm_rtr_record *rec)
{
	mgm_rtr_group_apply(r, now, &gi, rec);
	return gi;
}

/* A v1 / v2 report (IGMP) or MLDv1 report: IS_EX({}) and the Older Host Present timer. */
static void older_report(struct mgm_router *r, int64_t now, const struct mgm_rtr_record *base,
			 uint8_t version)
{
	struct mgm_rtr_record rec = *base;
	struct mgm_group *g;
	uint32_t gi;
	uint8_t before;
	int slot = version - 1; /* IGMPv1 0, IGMPv2 1, MLDv1 0: below the top version */

	/* RFC 4604 §2.2.1: no EXCLUDE state, thus no v1/v2 membership, in the SSM range. */
	if (ssm_group(r, rec.group)) {
		mgm_rtr_drop(r, MGM_DROP_SSM_EXCLUDE);
		return;
	}
	rec.type = MGM_MODE_IS_EXCLUDE;
	rec.num_sources = 0;
	gi = apply(r, now, mgm_rtr_group_find(r, rec.group), &rec);
	if (gi == MGM_NIL)
		return; /* refused by a limit */
	g = grp(r, gi);
	/* Older hosts suppress each other's reports (RFC 2236 §3): tracking cannot see them. */
	mgm_rtr_track_untrust(r, gi);
	/* The router's own older version needs no timer to read records in its rules. */
	if (version >= r->cfg.version)
		return;
	before = mgm_rtr_group_compat(r, g);
	g->deadline[MGM_GT_OLDER_HOST_V1 + slot] = now + mgm_rtr_ohpi(r);
	mgm_rtr_group_rearm(r, gi, false);
	log_compat(r, g, before, mgm_rtr_group_compat(r, g));
}

static void v3_record(struct mgm_router *r, int64_t now, const struct mgm_rtr_record *base)
{
	struct mgm_rtr_record rec = *base;
	uint32_t gi;
	uint8_t compat;

	if (untracked_group(r, rec.group)) {
		mgm_rtr_drop(r, MGM_DROP_LINK_LOCAL_GROUP);
		return;
	}
	/* RFC 4604 §2.2.1: a router SHOULD ignore IS_EX and TO_EX records for SSM groups. */
	if ((rec.type == MGM_MODE_IS_EXCLUDE || rec.type == MGM_CHANGE_TO_EXCLUDE) &&
	    ssm_group(r, rec.group)) {
		mgm_rtr_drop(r, MGM_DROP_SSM_EXCLUDE);
		return;
	}
	gi = mgm_rtr_group_find(r, rec.group);
	compat = mgm_rtr_group_compat(r, gi == MGM_NIL ? NULL : grp(r, gi));
	if (!mgm_family_caps(r->fam, compat)->source_lists) {
		/* §7.3.2 / RFC 3810 §8.3.2: in IGMPv2 / MLDv1 mode BLOCK is ignored and TO_EX
		 * loses its sources; IGMPv1 mode, with no leave, ignores TO_IN as well. */
		if (rec.type == MGM_BLOCK_OLD_SOURCES ||
		    (rec.type == MGM_CHANGE_TO_INCLUDE &&
		     !mgm_family_caps(r->fam, compat)->leave)) {
			mgm_rtr_drop(r, MGM_DROP_COMPAT_IGNORED);
			return;
		}
		if (rec.type == MGM_CHANGE_TO_EXCLUDE)
			rec.num_sources = 0;
	}
	apply(r, now, gi, &rec);
}

/* Why a record mgm_records_next_checked() refused is skipped (got < 0), or MGM_DROP_NONE. */
static enum mgm_router_drop bad_record_reason(int got)
{
	switch (got) {
	case MGM_E_RECORD_TYPE:
		return MGM_DROP_RECORD_TYPE;
	case MGM_E_GROUP_NOT_MULTICAST:
	case MGM_E_REPORT_ALL_SYSTEMS:
		return MGM_DROP_RECORD_GROUP;
	case MGM_E_SOURCE_NOT_UNICAST:
		return MGM_DROP_RECORD_SOURCE;
	case MGM_E_RECORD_OVERRUN:
	case MGM_E_SOURCE_OVERRUN:
	case MGM_E_AUX_OVERRUN:
		return MGM_DROP_RECORD_TRUNCATED;
	default:
		return MGM_DROP_NONE;
	}
}

/*
 * The records of a v3 / MLDv2 report, each checked as it is read (the message may come from
 * mgm_decode_lenient()). RFC 3376 §4.2.12, RFC 3810 §5.2.12: "Unrecognized Record Type values
 * MUST be silently ignored"; a record that breaks another rule of its format (a group that is
 * not multicast, a source that is not unicast) is skipped the same way, as the Linux bridge
 * does, so that one bad record does not cost the good ones beside it. A truncated record ends
 * the walk: nothing after it can be located. Each skipped record is counted by its reason.
 */
static void v3_report(struct mgm_router *r, int64_t now, const struct mgm_msg *m,
		      struct mgm_rtr_record *rec)
{
	struct mgm_record_iter it;
	struct mgm_record wr;
	int got;

	mgm_records_begin(m, &it);
	while ((got = mgm_records_next_checked(&it, &wr)) != 0) {
		enum mgm_router_drop why = bad_record_reason(got);

		if (why == MGM_DROP_RECORD_TRUNCATED) {
			mgm_rtr_drop(r, why);
			return; /* the iterator has ended */
		}
		r->ctr.rx_records[wr.type <= 6 ? wr.type : 0]++;
		if (why != MGM_DROP_NONE) {
			mgm_rtr_drop(r, why);
			continue;
		}
		rec->type = wr.type;
		rec->group = wr.group.octets;
		rec->sources = wr.sources;
		rec->num_sources = wr.num_sources;
		v3_record(r, now, rec);
	}
}

void mgm_rtr_compat_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			  const struct mgm_msg *m)
{
	struct mgm_rtr_record rec;
	uint32_t gi;

	memset(&rec, 0, sizeof(rec));
	rec.reporter = ip->src.octets;
	rec.group = m->group.octets;

	switch (m->kind) {
	case MGM_MSG_REPORT:
		if (mgm_family_caps(r->fam, m->version)->source_lists) {
			v3_report(r, now, m, &rec);
			return;
		}
		if (untracked_group(r, rec.group)) {
			mgm_rtr_drop(r, MGM_DROP_LINK_LOCAL_GROUP);
			return;
		}
		older_report(r, now, &rec, m->version);
		return;
	case MGM_MSG_LEAVE:
		if (untracked_group(r, rec.group)) {
			mgm_rtr_drop(r, MGM_DROP_LINK_LOCAL_GROUP);
			return;
		}
		if (ssm_group(r, rec.group)) {
			/* A leave is TO_IN({}): in the SSM range it would query every source. */
			mgm_rtr_drop(r, MGM_DROP_SSM_EXCLUDE);
			return;
		}
		gi = mgm_rtr_group_find(r, rec.group);
		/* §7.3.2: IGMPv1 mode ignores leaves (so does an IGMPv1 router, §7.3.1). */
		if (!mgm_family_caps(r->fam,
				     mgm_rtr_group_compat(r, gi == MGM_NIL ? NULL : grp(r, gi)))
			     ->leave) {
			mgm_rtr_drop(r, MGM_DROP_COMPAT_IGNORED);
			return;
		}
		if (gi != MGM_NIL)
			mgm_rtr_track_untrust(r, gi);
		rec.type = MGM_CHANGE_TO_INCLUDE;
		apply(r, now, gi, &rec);
		return;
	default:
		return;
	}
}
