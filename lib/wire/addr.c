/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The family-generic address: construction, text in (dotted quad, RFC 4291 §2.2; the text out is
 * addr_text.c's), ordering, and classification (RFC 5771 for IPv4 multicast, RFC 4291 §2.7 for IPv6
 * multicast scopes, RFC 4607 for the SSM ranges).
 */
#include "mgm/addr.h"
#include "mgm/err.h"
#include "wire_priv.h"

#include <string.h>

size_t mgm_addr_len(uint8_t family)
{
	switch (family) {
	case MGM_INET:
		return 4;
	case MGM_INET6:
		return 16;
	default:
		return 0;
	}
}

void mgm_addr_from_wire(struct mgm_addr *a, uint8_t family, const uint8_t *wire)
{
	size_t n = mgm_addr_len(family);

	a->family = family;
	memset(a->octets, 0, sizeof(a->octets));
	if (n)
		memcpy(a->octets, wire, n);
}

void mgm_addr_any(struct mgm_addr *a, uint8_t family)
{
	a->family = family;
	memset(a->octets, 0, sizeof(a->octets));
}

/* ---- text in ------------------------------------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly four decimal octets 0..255, no leading zeros (they read as octal elsewhere). */
static int parse_v4(const char *s, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned int v = 0;
		int digits = 0;

		if (i > 0 && *s++ != '.')
			return MGM_E_INVAL;
		while (*s >= '0' && *s <= '9') {
			if (digits > 0 && v == 0)
				return MGM_E_INVAL;
			v = v * 10 + (unsigned int)(*s++ - '0');
			if (v > 255)
				return MGM_E_INVAL;
			digits++;
		}
		if (digits == 0)
			return MGM_E_INVAL;
		out[i] = (uint8_t)v;
	}
	return *s == '\0' ? 0 : MGM_E_INVAL;
}

/* RFC 4291 §2.2: eight groups of 1-4 hex digits, at most one "::" for a run of zero groups, and
 * an optional dotted quad in place of the last two groups. */
static int parse_v6(const char *s, uint8_t out[16])
{
	uint16_t words[8];
	int n = 0, gap = -1;

	if (s[0] == ':') {
		if (s[1] != ':')
			return MGM_E_INVAL;
		gap = 0;
		s += 2;
	}
	while (*s) {
		const char *start = s;
		unsigned int v = 0;
		int digits = 0, h;

		while ((h = hexval(*s)) >= 0) {
			if (++digits > 4)
				return MGM_E_INVAL;
			v = v << 4 | (unsigned int)h;
			s++;
		}
		if (*s == '.') {
			uint8_t v4[4];

			if (n > 6 || parse_v4(start, v4) < 0)
				return MGM_E_INVAL;
			words[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			words[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			s = start + strlen(start);
			break;
		}
		if (digits == 0 || n == 8)
			return MGM_E_INVAL;
		words[n++] = (uint16_t)v;
		if (*s == '\0')
			break;
		if (*s != ':')
			return MGM_E_INVAL;
		s++;
		if (*s == ':') {
			if (gap >= 0)
				return MGM_E_INVAL;
			gap = n;
			s++;
		} else if (*s == '\0') {
			return MGM_E_INVAL; /* trailing single colon */
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return MGM_E_INVAL;
	memset(out, 0, 16);
	for (int i = 0; i < n; i++) {
		int at = (gap >= 0 && i >= gap) ? 8 - (n - i) : i;

		out[2 * at] = (uint8_t)(words[i] >> 8);
		out[2 * at + 1] = (uint8_t)words[i];
	}
	return 0;
}

int mgm_addr_parse(const char *text, struct mgm_addr *a)
{
	uint8_t octets[16];

	if (!text || !a)
		return MGM_E_INVAL;
	if (strchr(text, ':')) {
		if (parse_v6(text, octets) < 0)
			return MGM_E_INVAL;
		a->family = MGM_INET6;
		memcpy(a->octets, octets, 16);
		return 0;
	}
	if (parse_v4(text, octets) < 0)
		return MGM_E_INVAL;
	mgm_addr_from_wire(a, MGM_INET, octets);
	return 0;
}

/* ---- order and classes -------------------------------------------------------------------- */

int mgm_addr_cmp(const struct mgm_addr *a, const struct mgm_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->octets, b->octets, sizeof(a->octets));
}

bool mgm_addr_eq(const struct mgm_addr *a, const struct mgm_addr *b)
{
	return mgm_addr_cmp(a, b) == 0;
}

static bool known(const struct mgm_addr *a)
{
	return a->family == MGM_INET || a->family == MGM_INET6;
}

bool mgm_addr_is_any(const struct mgm_addr *a)
{
	return known(a) && wire_is_zero(a->octets, wire_addr_len(a->family));
}

bool mgm_addr_is_multicast(const struct mgm_addr *a)
{
	return known(a) && wire_is_multicast(a->family, a->octets);
}

bool mgm_addr_is_unicast(const struct mgm_addr *a)
{
	return known(a) && wire_is_unicast(a->family, a->octets);
}

/* RFC 5771 §4: 224.0.0.0/24 is the Local Network Control Block, never forwarded. RFC 4291
 * §2.7: the scope is the low nibble of the second octet, whatever the flags; scopes 0, 1 and 2
 * (reserved, interface-local, link-local) never cross a router. */
bool mgm_addr_is_unrouted_group(const struct mgm_addr *a)
{
	if (a->family == MGM_INET)
		return a->octets[0] == 224 && a->octets[1] == 0 && a->octets[2] == 0;
	if (a->family == MGM_INET6)
		return a->octets[0] == 0xff && (a->octets[1] & 0x0f) <= 0x02;
	return false;
}

bool mgm_addr_is_all_systems(const struct mgm_addr *a)
{
	return known(a) && wire_is_all_systems(a->family, a->octets);
}

/* RFC 4607 §1: 232.0.0.0/8 and ff3x::/32 (flags P=1 T=1, prefix length 0, any scope). */
bool mgm_addr_is_ssm(const struct mgm_addr *a)
{
	if (a->family == MGM_INET)
		return a->octets[0] == 232;
	if (a->family == MGM_INET6)
		return a->octets[0] == 0xff && (a->octets[1] & 0xf0) == 0x30 && a->octets[2] == 0 &&
		       a->octets[3] == 0;
	return false;
}

bool mgm_addr_is_ipv6_link_local(const struct mgm_addr *a)
{
	return a->family == MGM_INET6 && a->octets[0] == 0xfe && (a->octets[1] & 0xc0) == 0x80;
}

static void well_known(struct mgm_addr *a, uint8_t family, uint8_t v4_last, uint8_t v6_last)
{
	mgm_addr_any(a, family);
	if (family == MGM_INET) {
		a->octets[0] = 224;
		a->octets[3] = v4_last;
	} else if (family == MGM_INET6) {
		a->octets[0] = 0xff;
		a->octets[1] = 0x02;
		a->octets[15] = v6_last;
	}
}

void mgm_addr_all_systems(struct mgm_addr *a, uint8_t family)
{
	well_known(a, family, 1, 0x01);
}

void mgm_addr_all_routers(struct mgm_addr *a, uint8_t family)
{
	well_known(a, family, 2, 0x02);
}

/* RFC 3376 §4.2.14: 224.0.0.22; RFC 3810 §5.2.14: ff02::16 (all MLDv2-capable routers). */
void mgm_addr_v3_report_dest(struct mgm_addr *a, uint8_t family)
{
	well_known(a, family, 22, 0x16);
}

void mgm_addr_multicast_mac(const struct mgm_addr *dst, uint8_t mac[6])
{
	memset(mac, 0, 6);
	if (dst->family == MGM_INET) {
		mac[0] = 0x01;
		mac[2] = 0x5e;
		mac[3] = dst->octets[1] & 0x7f;
		mac[4] = dst->octets[2];
		mac[5] = dst->octets[3];
	} else {
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(&mac[2], &dst->octets[12], 4);
	}
}
