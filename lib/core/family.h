/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two families as data: what IGMP (RFC 1112, 2236, 3376) and MLD (RFC 2710, 3810) share in
 * shape and differ in name, numbering and section. One descriptor per family, read by every
 * engine, so that a rule is written once and says "the family's top version" or "a version with
 * a leave message" instead of "IGMP 3, MLD 2" (what FreeBSD's mld6.c, a copy of igmp.c, avoids
 * nothing of).
 */
#ifndef MGM_CORE_FAMILY_H
#define MGM_CORE_FAMILY_H

#include <stdbool.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/engine.h"

/* The rules an engine cites, each at its own section in each family's RFC. */
enum mgm_fam_rule {
	MGM_RULE_CURRENT_STATE,	   /* RFC 3376 §6.4.1 / RFC 3810 §7.4.1: current-state records */
	MGM_RULE_STATE_CHANGE,	   /* §6.4.2 / §7.4.2: filter-mode and source-list changes */
	MGM_RULE_FILTER_SWITCH,	   /* §6.5 / §7.5: EXCLUDE -> INCLUDE on the group timer */
	MGM_RULE_COMPAT_ROUTER,	   /* §7.3.1 / §8.3.1: older routers on the link */
	MGM_RULE_COMPAT_HOST,	   /* §7.3.2 / §8.3.2: older hosts, compatibility modes */
	MGM_RULE_ROBUSTNESS,	   /* §8.1 / §9.1: Robustness Variable */
	MGM_RULE_QUERY_RESPONSE,   /* §8.3 / §9.3: Query Response Interval */
	MGM_RULE_OTHER_QUERIER,	   /* §8.5 / §9.5: Other Querier Present Interval */
	MGM_RULE_QQIC,		   /* §4.1.7 / §5.1.9: Querier's Query Interval Code */
	MGM_RULE_QUERIER_ELECTION, /* §6.6.2 / §7.6.2: querier election */
	MGM_RULE__COUNT
};

/* What one protocol version can say. */
struct mgm_version_caps {
	bool exists;	   /* a version of this family */
	bool source_lists; /* group records with sources: IGMPv3, MLDv2 */
	bool leave;	   /* a leave (done) message, hence TO_IN: not IGMPv1 (RFC 2236 §3) */
	bool group_query;  /* group-specific queries: not IGMPv1 (RFC 1112 has only general) */
	bool source_query; /* group-and-source-specific queries Q(G,S) and the S flag */
	bool router_alert; /* sent with Router Alert: not IGMPv1 (RFC 1112 predates RFC 2113) */
	uint8_t query_len; /* octets of its query without sources (wire.h's constants) */
};

struct mgm_family_desc {
	uint8_t family;		    /* enum mgm_family */
	uint8_t addr_len;	    /* 4, 16 */
	uint8_t lowest_version;	    /* 1 */
	uint8_t top_version;	    /* IGMP 3, MLD 2 */
	const char *name;	    /* "IGMP", "MLD" */
	const char *version_prefix; /* "IGMPv", "MLDv": followed by the version number */
	const char *leave_name;	    /* "leave", "done" (RFC 2710 §3.7) */
	const char *rfc;	    /* the RFC of the top version: "RFC 3376", "RFC 3810" */
	const char *section[MGM_RULE__COUNT]; /* "6.4.1", ... in rfc */
	/* Timer and interval names as the family's RFC spells them. */
	const char *gmi_name;	      /* "GMI" / "MALI" */
	const char *group_timer_name; /* "group timer" / "filter timer" */
	const char *group_timer_abbr; /* "GT" / "FT", as in the tables of §6.4 / §7.4 */
	const char *lmqt_name;	      /* "LMQT" / "LLQT" */
	uint16_t min_mtu;	      /* RFC 791 §3.1 576, RFC 8200 §5 1280 */
	uint8_t report_len;	      /* top version report without records */
	struct mgm_addr all_systems;  /* 224.0.0.1, ff02::1: general queries */
	struct mgm_addr all_routers;  /* 224.0.0.2, ff02::2: leaves and dones */
	struct mgm_addr report_dst;   /* 224.0.0.22, ff02::16: v3 / MLDv2 reports */
	/* Version v at [v - 1] (engine.h's rule); versions the family lacks are all false. */
	struct mgm_version_caps version[MGM_VERSIONS];
};

/* The descriptor of MGM_INET or MGM_INET6; NULL for anything else. */
const struct mgm_family_desc *mgm_family_desc(uint8_t family);

/* What version v can say; every field false for a version the family does not have. */
const struct mgm_version_caps *mgm_family_caps(const struct mgm_family_desc *fd, uint8_t v);

#endif
