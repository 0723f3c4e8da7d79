/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The router's configuration: the protocol variables with their RFC defaults (RFC 3376 §8,
 * RFC 2236 §8, RFC 3810 §9) and the checks that keep them meaningful, each refusal a sentence
 * that names the field and the values.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config_error.h"
#include "mgm/err.h"
#include "router_priv.h"

#define SEC 1000u

void mgm_router_config_defaults(struct mgm_router_config *cfg, uint8_t family)
{
	const struct mgm_family_desc *fd = mgm_family_desc(family);

	memset(cfg, 0, sizeof(*cfg));
	cfg->family = family;
	/* An unknown family fails mgm_router_config_check() anyway. */
	cfg->version = fd ? fd->top_version : 3;
	cfg->robustness = 2;			      /* §8.1 */
	cfg->query_interval_ms = 125 * SEC;	      /* §8.2 */
	cfg->query_response_interval_ms = 10 * SEC;   /* §8.3 */
	cfg->startup_query_interval_ms = 0;	      /* §8.6: QI / 4, derived */
	cfg->startup_query_count = 0;		      /* §8.7: RV, derived */
	cfg->last_member_query_interval_ms = 1 * SEC; /* §8.8 */
	cfg->last_member_query_count = 0;	      /* §8.9: RV, derived */
	cfg->querier = true;
	cfg->fast_leave = false;
	cfg->check_subnet = true;
	cfg->ip_policy = MGM_IP_POLICY_DEFAULT;
	cfg->mtu = 1500;
	cfg->max_groups = 4096;
	cfg->max_sources_per_group = 512;
	cfg->max_sources = 65536;
	cfg->max_tracked = 8192;
}

/* The largest response time the version's Max Resp Code can carry, in milliseconds. */
static uint32_t max_resp_limit(uint8_t family, uint8_t version)
{
	if (family == MGM_INET)
		/* RFC 2236 §2.2: 255 tenths; RFC 3376 §4.1.1: code 0xff = 31744 tenths. IGMPv1
		 * queries carry no time (RFC 2236 §4: hosts use 10 s). */
		return version == 2 ? 25500 : version == 3 ? 3174400 : UINT32_MAX;
	/* RFC 2710 §3.4: 16-bit milliseconds; RFC 3810 §5.1.3: code 0xffff = 8387584 ms. */
	return version == 1 ? 65535 : 8387584;
}

/*
 * Exactness of the time codes. A value sent in a lossy code reaches the other routers and the
 * hosts rounded down: from QQIC the non-queriers derive their Other Querier Present Interval
 * (RFC 3376 §4.1.7, §8.2, §8.5; RFC 3810 §5.1.9, §9.5), so theirs would run out before this
 * router's next query; a rounded Max Resp Code shortens every host's report window (§8.3). So
 * such values are refused, naming the representable neighbours.
 */
enum coding { CODE_LINEAR, CODE_8, CODE_16 };

/* The largest representable value not above v (v in the code's units). */
static uint32_t rep_floor(enum coding k, uint32_t v)
{
	if (k == CODE_8)
		return mgm_code8_decode(mgm_code8_encode(v));
	if (k == CODE_16)
		return mgm_code16_decode(mgm_code16_encode(v));
	return v;
}

/* The smallest representable value not below v, 0 when there is none. */
static uint32_t rep_ceil(enum coding k, uint32_t v)
{
	uint32_t f = rep_floor(k, v);

	if (f == v)
		return v;
	if (k == CODE_8)
		return mgm_code8_encode(v) < 0xff ? mgm_code8_decode(mgm_code8_encode(v) + 1) : 0;
	if (k == CODE_16)
		return mgm_code16_encode(v) < 0xffff ? mgm_code16_decode(mgm_code16_encode(v) + 1)
						     : 0;
	return v;
}

/*
 * True when ms is sent exactly as a multiple of unit ms in coding k; else *lo / *hi get the
 * nearest exact values below and above in ms (*hi 0 when there is none above).
 */
static bool exact_in_code(enum coding k, uint32_t unit, uint32_t ms, uint32_t *lo, uint32_t *hi)
{
	uint32_t fl = ms / unit, ce = ms / unit + (ms % unit ? 1 : 0);

	if (ms % unit == 0 && rep_floor(k, fl) == fl)
		return true;
	*lo = rep_floor(k, fl) * unit;
	*hi = rep_ceil(k, ce) * unit;
	return false;
}

static int fail_inexact(char *errbuf, size_t errlen, const char *field, uint32_t ms,
			const char *code, uint32_t lo, uint32_t hi)
{
	if (hi)
		return mgm_config_error(
			errbuf, errlen,
			"%s (%u) cannot be sent exactly in %s; nearest valid values: %u or %u",
			field, (unsigned)ms, code, (unsigned)lo, (unsigned)hi);
	return mgm_config_error(errbuf, errlen,
				"%s (%u) cannot be sent exactly in %s; nearest valid value: %u",
				field, (unsigned)ms, code, (unsigned)lo);
}

/* An interval sent as the Max Resp Code of the configured version (RFC 2236 §2.2, RFC 3376
 * §4.1.1, RFC 2710 §3.4, RFC 3810 §5.1.3) must fit it and be carried exactly: the query
 * response interval in general queries, the last member query interval in group-specific ones
 * (RFC 3376 §6.6.3). IGMPv1 sends no time (RFC 2236 §4): only the range applies. */
static int check_resp_code(const struct mgm_router_config *c, uint32_t ms, const char *f,
			   char *errbuf, size_t errlen)
{
	uint32_t lo, hi, min = c->family == MGM_INET ? 100u : 1u;
	uint32_t max = max_resp_limit(c->family, c->version);

	if (ms < min || ms > max)
		return mgm_config_error(errbuf, errlen, "%s (%u) must be %u..%u for version %u", f,
					(unsigned)ms, (unsigned)min, (unsigned)max,
					(unsigned)c->version);
	if (c->family == MGM_INET && c->version == 2 &&
	    !exact_in_code(CODE_LINEAR, 100, ms, &lo, &hi))
		return fail_inexact(errbuf, errlen, f, ms,
				    "the IGMPv2 Max Resp Time (tenths, RFC 2236 2.2)", lo, hi);
	if (c->family == MGM_INET && c->version == 3 && !exact_in_code(CODE_8, 100, ms, &lo, &hi))
		return fail_inexact(errbuf, errlen, f, ms,
				    "the IGMPv3 Max Resp Code (RFC 3376 4.1.1)", lo, hi);
	if (c->family == MGM_INET6 && c->version == 2 && !exact_in_code(CODE_16, 1, ms, &lo, &hi))
		return fail_inexact(errbuf, errlen, f, ms,
				    "the MLDv2 Maximum Response Code (RFC 3810 5.1.3)", lo, hi);
	return 0;
}

/* Limits feed 32-bit indices whose top bit tags heap entries. */
#define LIMIT_MAX (1u << 28)

/* A rule both families share is cited in both RFCs, in one text: a daemon checking an IGMP and
 * an MLD configuration from one stanza says it once. */
int mgm_router_config_check(const struct mgm_router_config *c, char *errbuf, size_t errlen)
{
	const struct mgm_family_desc *fd = mgm_family_desc(c->family);

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!fd)
		return mgm_config_error(errbuf, errlen, "family (%u) must be 4 (IGMP) or 6 (MLD)",
					(unsigned)c->family);
	if (c->version < fd->lowest_version || c->version > fd->top_version)
		return mgm_config_error(errbuf, errlen, "version (%u) must be %u..%u for %s",
					(unsigned)c->version, (unsigned)fd->lowest_version,
					(unsigned)fd->top_version, fd->name);
	if (c->robustness == 0)
		return mgm_config_error(
			errbuf, errlen,
			"robustness (0) must not be 0 (RFC 3376 8.1, RFC 3810 9.1)");
	if (c->query_interval_ms < SEC || c->query_interval_ms > 31744u * SEC)
		return mgm_config_error(
			errbuf, errlen,
			"query_interval_ms (%u) must be 1000..31744000 (QQIC, RFC 3376 4.1.7, "
			"RFC 3810 5.1.9)",
			(unsigned)c->query_interval_ms);
	/* QQIC (RFC 3376 §4.1.7, RFC 3810 §5.1.9): whole seconds in the 8-bit code. */
	{
		uint32_t lo, hi;

		if (!exact_in_code(CODE_8, SEC, c->query_interval_ms, &lo, &hi))
			return fail_inexact(
				errbuf, errlen, "query_interval_ms", c->query_interval_ms,
				"QQIC (RFC 3376 4.1.7, RFC 3810 5.1.9: other routers would "
				"compute a shorter Other Querier Present Interval, 8.5, 9.5)",
				lo, hi);
	}
	if (c->query_response_interval_ms >= c->query_interval_ms)
		return mgm_config_error(
			errbuf, errlen,
			"query_response_interval_ms (%u) must be below query_interval_ms (%u) (RFC 3376 8.3, RFC 3810 9.3)",
			(unsigned)c->query_response_interval_ms, (unsigned)c->query_interval_ms);
	if (check_resp_code(c, c->query_response_interval_ms, "query_response_interval_ms", errbuf,
			    errlen))
		return MGM_E_CONFIG;
	if ((uint64_t)c->robustness * c->query_interval_ms + c->query_response_interval_ms >=
	    (1ull << 31))
		return mgm_config_error(
			errbuf, errlen,
			"robustness (%u) x query_interval_ms (%u) + query_response_interval_ms (%u) must stay below 2147483648 ms (about 24 days)",
			(unsigned)c->robustness, (unsigned)c->query_interval_ms,
			(unsigned)c->query_response_interval_ms);
	/* 0 derives it (QI / 4). */
	if (c->startup_query_interval_ms > c->query_interval_ms)
		return mgm_config_error(
			errbuf, errlen,
			"startup_query_interval_ms (%u) must be 0 (QI / 4) or 1..query_interval_ms (%u)",
			(unsigned)c->startup_query_interval_ms, (unsigned)c->query_interval_ms);
	if (check_resp_code(c, c->last_member_query_interval_ms, "last_member_query_interval_ms",
			    errbuf, errlen))
		return MGM_E_CONFIG;
	if (c->ip_policy > MGM_IP_POLICY_LOOSE)
		return mgm_config_error(
			errbuf, errlen,
			"ip_policy (%u) must be 0 (default), 1 (strict) or 2 (loose)",
			(unsigned)c->ip_policy);
	if (c->mtu < fd->min_mtu || c->mtu > 65535)
		return mgm_config_error(errbuf, errlen, "mtu (%u) must be %u..65535",
					(unsigned)c->mtu, (unsigned)fd->min_mtu);
	if (c->max_groups == 0 || c->max_groups > LIMIT_MAX)
		return mgm_config_error(errbuf, errlen, "max_groups (%u) must be 1..%u",
					(unsigned)c->max_groups, LIMIT_MAX);
	if (c->max_sources_per_group == 0 || c->max_sources_per_group > 65535)
		return mgm_config_error(errbuf, errlen,
					"max_sources_per_group (%u) must be 1..65535",
					(unsigned)c->max_sources_per_group);
	if (c->max_sources == 0 || c->max_sources > LIMIT_MAX)
		return mgm_config_error(errbuf, errlen, "max_sources (%u) must be 1..%u",
					(unsigned)c->max_sources, LIMIT_MAX);
	if (c->max_tracked == 0 || c->max_tracked > LIMIT_MAX)
		return mgm_config_error(errbuf, errlen, "max_tracked (%u) must be 1..%u",
					(unsigned)c->max_tracked, LIMIT_MAX);
	if (c->robustness == 1 && errbuf && errlen)
		/* RFC 3376 §8.1, RFC 3810 §9.1: SHOULD NOT be one. Legal, so only said. */
		snprintf(
			errbuf, errlen,
			"warning: robustness 1 gives no protection against a lost packet (RFC 3376 "
			"8.1, RFC 3810 9.1)");
	return 0;
}
