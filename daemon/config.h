/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's configuration as one value: what the command line (mgmd.c) and the configuration file
 * (config.c, mgmd.conf(5)) both produce, what the runtime (iface.c, mroute.c) applies, and what
 * a reload compares with the running one. No Linux and no protocol rule here: the engines'
 * own checks (mgm_router_config_check) validate the RFC variables.
 */
#ifndef MGMD_CONFIG_H
#define MGMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/host.h"
#include "mgm/router.h"

#define MGMD_IFNAMSIZ	     16	 /* IFNAMSIZ, NUL included */
#define MGMD_SOCKET_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path), NUL included */
#define MGMD_SOCKET_PATH     "/run/mgmd/mgmd.sock"

enum mgmd_role {
	MGMD_ROLE_DOWNSTREAM = 1, /* router engine (querier + membership), traffic copied here */
	MGMD_ROLE_UPSTREAM = 2,	  /* towards the sources: a host engine reports the merged
				   * downstream membership there (RFC 4605 proxying) */
	MGMD_ROLE_QUERIER = 3,	  /* router engine for election and queries only, no forwarding */
	MGMD_ROLE_DISABLED = 4,	  /* matched, but explicitly not used */
};

/* A prefix of either family: 239.1.0.0/16, ff3e::/32, 198.18.0.7/32. */
struct mgmd_prefix {
	struct mgm_addr addr;
	uint8_t len;
};

#define MGMD_MAX_UP_GROUPS 16 /* `groups` ranges of one upstream stanza (MGM_PROXY_MAX_RANGES) */

enum mgmd_acl_action {
	MGMD_ACL_ALLOW = 1,
	MGMD_ACL_DENY = 2,
};

/*
 * One access-list rule: first match wins, in file order. A rule matches a (group, source)
 * when the group is inside group_range and, if has_source, the source is inside source_range.
 * A record for a group with no source (any-source, EXCLUDE) is matched only by rules without a
 * source. No rule matching: the interface's acl_default.
 */
struct mgmd_acl_rule {
	uint8_t action; /* enum mgmd_acl_action */
	struct mgmd_prefix group_range;
	bool has_source;
	struct mgmd_prefix source_range;
	unsigned line; /* in the configuration file, 0 from the command line */
};

/* A static membership: forwarded as if a host on the interface had joined. */
struct mgmd_static_join {
	struct mgm_addr group;
	bool has_source;
	struct mgm_addr source;
	unsigned line;
};

/*
 * One interface stanza. name is an exact interface name or a pattern: a trailing '+' (ppp+,
 * as iptables writes it) or shell wildcards * ? [..] (wg*). An interface matching several
 * stanzas takes the first one in file order.
 */
struct mgmd_iface_config {
	char name[MGMD_IFNAMSIZ];
	bool is_pattern;
	uint8_t role;	 /* enum mgmd_role */
	bool ipv4, ipv6; /* IGMP / MLD on this interface (default both on) */
	/* The engines' configuration per family, filled from mgm_router_config_defaults() and
	 * then the stanza's settings (version, robustness, every RFC variable, limits, fast leave,
	 * ip policy). */
	struct mgm_router_config igmp, mld;
	/* The stanza set mtu; otherwise the runtime puts the link's MTU into igmp.mtu / mld.mtu. */
	bool mtu_configured;
	uint8_t acl_default; /* enum mgmd_acl_action: default MGMD_ACL_ALLOW */
	struct mgmd_acl_rule *acl;
	size_t n_acl;
	struct mgmd_static_join *joins;
	size_t n_joins;
	/* Upstream (proxy) settings: the groups it serves, first matching upstream stanza wins
	 * (none: every group); keep-joined and leave hold-down in ms (0: off); the host engine's
	 * unsolicited report interval in ms (0: its defaults, 1 s / 10 s in v1, v2, MLDv1). */
	struct mgmd_prefix up_groups[MGMD_MAX_UP_GROUPS];
	size_t n_up_groups;
	uint32_t keep_joined_ms, leave_holddown_ms, unsolicited_report_ms;
	/* At most one answer to General Queries per this many ms (0: every query, as RFC 3376
	 * §5.2 alone); MGMD_GENERAL_ANSWER_MS unless set. */
	uint32_t general_answer_ms;
	unsigned line;
};

#define MGMD_GENERAL_ANSWER_MS 1000

struct mgmd_config {
	char *path; /* the file it came from, NULL for the command line only */
	struct mgmd_iface_config *ifaces;
	size_t n_ifaces;
	/* Source-specific multicast ranges (RFC 4607) as configured. A family with no range here
	 * keeps its default, the engine's own (mgm_addr_is_ssm): 232.0.0.0/8, ff3x::/32. */
	struct mgmd_prefix *ssm;
	size_t n_ssm;
	uint32_t table;	       /* kernel multicast routing table (MRT_TABLE); 0 = default */
	uint32_t max_routes;   /* (S,G) kernel cache entries per family (default 8192) */
	uint32_t route_idle_s; /* an (S,G) entry without packets for this long is removed (210) */
	char socket_path[MGMD_SOCKET_PATH_MAX]; /* control socket, default MGMD_SOCKET_PATH */
	char *user; /* switch to this user after setup, NULL: stay root (with caps) */
	/* Kernel multicast routing (default on). Off: membership downstream and reporting
	 * upstream only; something else forwards, or nothing does. */
	bool forwarding;
	bool foreground;
	int verbosity;
};

/* Defaults for everything global, no interfaces. Allocates nothing, cannot fail. */
void mgmd_config_init(struct mgmd_config *cfg);
/* Frees what cfg owns (not cfg itself). */
void mgmd_config_free(struct mgmd_config *cfg);

/*
 * Reads a configuration file (mgmd.conf(5)) into cfg (initialised by mgmd_config_init() first).
 * Returns 0, or -1 with one line per error in err ("mgmd.conf:12: robustness: expected 1..255,
 * got 0"), in line order. Warnings (legal but unwise, e.g. robustness 1) go into warn the same
 * way and do not fail. err / warn may be NULL; otherwise they are NUL-terminated, truncated to
 * errlen / warnlen. On success the file's global settings replace cfg's (its SSM ranges per
 * family) and its interfaces are appended after any cfg held; on failure cfg is unchanged, so a
 * reload that fails leaves the running configuration as it was.
 */
int mgmd_config_load(struct mgmd_config *cfg, const char *path, char *err, size_t errlen,
		     char *warn, size_t warnlen);

/*
 * Appends an interface stanza with every default (the command line's --upstream, --downstream,
 * --querier). Returns it, or NULL with a sentence in err (bad name, given twice, a second
 * upstream). Pointers to earlier stanzas may move.
 */
struct mgmd_iface_config *mgmd_config_add_iface(struct mgmd_config *cfg, const char *name,
						uint8_t role, char *err, size_t errlen);

/* The stanza an interface name falls under (first match), or NULL. */
const struct mgmd_iface_config *mgmd_config_match(const struct mgmd_config *cfg,
						  const char *ifname);

/* The host engine configuration of an upstream stanza for one family (its version,
 * robustness, query interval, MTU and limits from the stanza's router settings). */
void mgmd_config_host(const struct mgmd_iface_config *ic, uint8_t family,
		      struct mgm_host_config *hc);

/* Is a inside the prefix? */
bool mgmd_prefix_contains(const struct mgmd_prefix *pf, const struct mgm_addr *a);
/* "239.0.0.0/8" into buf. */
const char *mgmd_prefix_str(const struct mgmd_prefix *pf, char *buf, size_t len);

/* Is the group inside one of the SSM ranges? */
bool mgmd_config_is_ssm(const struct mgmd_config *cfg, const struct mgm_addr *group);

/*
 * The access list of an interface: the index of the first matching rule in ic->acl, or -1 when
 * none matches (then ic->acl_default applies). *allow says the outcome either way.
 */
int mgmd_acl_match(const struct mgmd_iface_config *ic, const struct mgm_addr *group,
		   const struct mgm_addr *source, bool *allow);

#endif
