/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IGMP and MLD descriptors: versions, names, sections and well-known groups of RFC 1112,
 * 2236 and 3376 beside those of RFC 2710 and 3810. MLDv1 plays IGMPv2's part and MLDv2
 * IGMPv3's (RFC 3810 §8); MLD has nothing like IGMPv1.
 */
#include "family.h"

#include <stddef.h>

#include "mgm/wire.h"

#define V4(a, b, c, d)                                                                             \
	{                                                                                          \
		.family = MGM_INET, .octets = { a, b, c, d }                                       \
	}
#define V6_LINK(last)                                                                              \
	{                                                                                          \
		.family = MGM_INET6, .octets = { 0xff, 0x02, [15] = last }                         \
	}

static const struct mgm_family_desc igmp = {
	.family = MGM_INET,
	.addr_len = 4,
	.lowest_version = 1,
	.top_version = 3,
	.name = "IGMP",
	.version_prefix = "IGMPv",
	.leave_name = "leave",
	.rfc = "RFC 3376",
	.section =
		{
			[MGM_RULE_CURRENT_STATE] = "6.4.1",
			[MGM_RULE_STATE_CHANGE] = "6.4.2",
			[MGM_RULE_FILTER_SWITCH] = "6.5",
			[MGM_RULE_COMPAT_ROUTER] = "7.3.1",
			[MGM_RULE_COMPAT_HOST] = "7.3.2",
			[MGM_RULE_ROBUSTNESS] = "8.1",
			[MGM_RULE_QUERY_RESPONSE] = "8.3",
			[MGM_RULE_OTHER_QUERIER] = "8.5",
			[MGM_RULE_QQIC] = "4.1.7",
			[MGM_RULE_QUERIER_ELECTION] = "6.6.2",
		},
	.gmi_name = "GMI",
	.group_timer_name = "group timer",
	.group_timer_abbr = "GT",
	.lmqt_name = "LMQT",
	.min_mtu = 576,
	.report_len = MGM_IGMP_V3_REPORT_LEN,
	.all_systems = V4(224, 0, 0, 1),
	.all_routers = V4(224, 0, 0, 2),
	.report_dst = V4(224, 0, 0, 22),
	.version =
		{
			/* RFC 1112: report and general query only, no Router Alert. */
			[0] = {.exists = true, .query_len = MGM_IGMP_V1V2_LEN},
			/* RFC 2236: leave, group-specific query. */
			[1] = {.exists = true,
			       .leave = true,
			       .group_query = true,
			       .router_alert = true,
			       .query_len = MGM_IGMP_V1V2_LEN},
			/* RFC 3376. */
			[2] = {.exists = true,
			       .source_lists = true,
			       .leave = true,
			       .group_query = true,
			       .source_query = true,
			       .router_alert = true,
			       .query_len = MGM_IGMP_V3_QUERY_LEN},
		},
};

static const struct mgm_family_desc mld = {
	.family = MGM_INET6,
	.addr_len = 16,
	.lowest_version = 1,
	.top_version = 2,
	.name = "MLD",
	.version_prefix = "MLDv",
	.leave_name = "done",
	.rfc = "RFC 3810",
	.section =
		{
			[MGM_RULE_CURRENT_STATE] = "7.4.1",
			[MGM_RULE_STATE_CHANGE] = "7.4.2",
			[MGM_RULE_FILTER_SWITCH] = "7.5",
			[MGM_RULE_COMPAT_ROUTER] = "8.3.1",
			[MGM_RULE_COMPAT_HOST] = "8.3.2",
			[MGM_RULE_ROBUSTNESS] = "9.1",
			[MGM_RULE_QUERY_RESPONSE] = "9.3",
			[MGM_RULE_OTHER_QUERIER] = "9.5",
			[MGM_RULE_QQIC] = "5.1.9",
			[MGM_RULE_QUERIER_ELECTION] = "7.6.2",
		},
	.gmi_name = "MALI",
	.group_timer_name = "filter timer",
	.group_timer_abbr = "FT",
	.lmqt_name = "LLQT",
	.min_mtu = 1280,
	.report_len = MGM_MLD_V2_REPORT_LEN,
	.all_systems = V6_LINK(0x01),
	.all_routers = V6_LINK(0x02),
	.report_dst = V6_LINK(0x16),
	.version =
		{
			/* RFC 2710: IGMPv2's counterpart, Router Alert from the start. */
			[0] = {.exists = true,
			       .leave = true,
			       .group_query = true,
			       .router_alert = true,
			       .query_len = MGM_MLD_V1_LEN},
			/* RFC 3810. */
			[1] = {.exists = true,
			       .source_lists = true,
			       .leave = true,
			       .group_query = true,
			       .source_query = true,
			       .router_alert = true,
			       .query_len = MGM_MLD_V2_QUERY_LEN},
		},
};

const struct mgm_family_desc *mgm_family_desc(uint8_t family)
{
	if (family == MGM_INET)
		return &igmp;
	if (family == MGM_INET6)
		return &mld;
	return NULL;
}

const struct mgm_version_caps *mgm_family_caps(const struct mgm_family_desc *fd, uint8_t v)
{
	static const struct mgm_version_caps none;

	return v >= 1 && v <= fd->top_version ? &fd->version[v - 1] : &none;
}
