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

/* The highest version of the family: 3 for IGMP, 2 for MLD. */
static uint8_t top_version(const struct mgm_router *r)
{
	return r->family == MGM_INET ? 3 : 2;
}

uint8_t mgm_rtr_group_compat(const struct mgm_router *r, const struct mgm_group *g)
{
	uint8_t v = top_version(r);

	/* §7.3.2: the lowest version whose Older Host Present timer runs. For MLD the MLDv1
	 * timer sits in slot 0. */
	if (g && g->older_host[0] != MGM_TIME_NEVER)
		v = 1;
	else if (g && r->family == MGM_INET && g->older_host[1] != MGM_TIME_NEVER)
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
		    mgm_addr_str(&a, gs), r->family == MGM_INET ? "IGMPv" : "MLDv", (unsigned)from,
		    r->family == MGM_INET ? "IGMPv" : "MLDv", (unsigned)to);
}

void mgm_rtr_compat_timers(struct mgm_router *r, int64_t now, uint32_t gi)
{
	struct mgm_group *g = grp(r, gi);
	uint8_t before = mgm_rtr_group_compat(r, g);

	for (int i = 0; i < 2; i++)
		if (g->older_host[i] <= now)
			g->older_host[i] = MGM_TIME_NEVER;
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
	int slot = version - 1; /* IGMPv1 0, IGMPv2 1, MLDv1 0 */

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
	g->older_host[slot] = now + mgm_rtr_ohpi(r);
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
	if (compat < top_version(r)) {
		/* §7.3.2 / RFC 3810 §8.3.2: in IGMPv2 / MLDv1 mode BLOCK is ignored and TO_EX
		 * loses its sources; in IGMPv1 mode TO_IN is ignored as well. */
		if (rec.type == MGM_BLOCK_OLD_SOURCES ||
		    (r->family == MGM_INET && compat == 1 && rec.type == MGM_CHANGE_TO_INCLUDE)) {
			mgm_rtr_drop(r, MGM_DROP_COMPAT_IGNORED);
			return;
		}
		if (rec.type == MGM_CHANGE_TO_EXCLUDE)
			rec.num_sources = 0;
	}
	apply(r, now, gi, &rec);
}

void mgm_rtr_compat_input(struct mgm_router *r, int64_t now, const struct mgm_ip_info *ip,
			  const struct mgm_msg *m)
{
	struct mgm_rtr_record rec;
	struct mgm_record_iter it;
	struct mgm_record wr;
	uint32_t gi;

	memset(&rec, 0, sizeof(rec));
	rec.reporter = ip->src.octets;
	rec.group = m->group.octets;

	switch (m->kind) {
	case MGM_MSG_REPORT_V1:
	case MGM_MSG_REPORT_V2:
		if (untracked_group(r, rec.group)) {
			mgm_rtr_drop(r, MGM_DROP_LINK_LOCAL_GROUP);
			return;
		}
		/* IGMPv1 -> slot 0, IGMPv2 -> slot 1, MLDv1 -> slot 0. */
		older_report(r, now, &rec,
			     m->kind == MGM_MSG_REPORT_V1 ? 1 : (r->family == MGM_INET ? 2 : 1));
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
		if (r->family == MGM_INET &&
		    mgm_rtr_group_compat(r, gi == MGM_NIL ? NULL : grp(r, gi)) == 1) {
			mgm_rtr_drop(r, MGM_DROP_COMPAT_IGNORED);
			return;
		}
		if (gi != MGM_NIL)
			mgm_rtr_track_untrust(r, gi);
		rec.type = MGM_CHANGE_TO_INCLUDE;
		apply(r, now, gi, &rec);
		return;
	case MGM_MSG_REPORT_V3:
		mgm_records_begin(m, &it);
		while (mgm_records_next(&it, &wr)) {
			r->ctr.rx_records[wr.type <= 6 ? wr.type : 0]++;
			rec.type = wr.type;
			rec.group = wr.group.octets;
			rec.sources = wr.sources;
			rec.num_sources = wr.num_sources;
			v3_record(r, now, &rec);
		}
		return;
	default:
		return;
	}
}
