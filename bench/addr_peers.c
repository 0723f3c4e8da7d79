/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The peers bench_wire times mgm_addr_format() against: glibc's inet_ntop(3), and the loop
 * per digit libmgm had before it took mgmdump's table formatter as its one formatter (that
 * formatter is mgm_addr_format() itself, so it is not repeated here).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "mgm/addr.h"

#include "addr_peers.h"

/* ---- glibc's inet_ntop(3), the formatter a C programmer reaches for first ---------------- */

size_t peer_ntop_format(uint8_t family, const uint8_t *o, char *out)
{
	char buf[INET6_ADDRSTRLEN];
	size_t n;

	if (!inet_ntop(family == MGM_INET ? AF_INET : AF_INET6, o, buf, sizeof(buf)))
		return 0;
	n = strlen(buf);
	memcpy(out, buf, n);
	return n;
}

/* ---- the loop per digit, as lib/wire/addr.c had it ---------------------------------------- */

static char *loop_dec(char *p, unsigned int v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *loop_v4(char *p, const uint8_t *o)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = loop_dec(p, o[i]);
	}
	return p;
}

static char *loop_hex16(char *p, unsigned int v)
{
	static const char hex[] = "0123456789abcdef";
	int started = 0;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned int d = (v >> shift) & 0xf;

		if (d || started || shift == 0) {
			*p++ = hex[d];
			started = 1;
		}
	}
	return p;
}

/* RFC 5952 §4: lower case, no leading zeros, the longest run (the first on a tie) of two or
 * more zero groups as "::"; §5: IPv4-mapped addresses end in a dotted quad. */
static char *loop_v6(char *p, const uint8_t *o)
{
	unsigned int w[8];
	int best = -1, best_len = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned int)(o[2 * i] << 8 | o[2 * i + 1]);
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best == 0 && best_len == 5 && w[5] == 0xffff) {
		memcpy(p, "::ffff:", 7);
		return loop_v4(p + 7, o + 12);
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			*p++ = ':';
		p = loop_hex16(p, w[i]);
	}
	return p;
}

size_t peer_loop_format(uint8_t family, const uint8_t *o, char *out)
{
	if (family == MGM_INET)
		return (size_t)(loop_v4(out, o) - out);
	return (size_t)(loop_v6(out, o) - out);
}
