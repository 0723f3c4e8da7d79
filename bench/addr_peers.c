/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two address formatters libmgm had before it kept one, kept here as the peers
 * bench_wire times mgm_addr_format() against: mgmdump's table formatter (tables built at
 * start-up, inline in its printer) and the library's loop per digit.
 */
#include <stdint.h>
#include <string.h>

#include "mgm/addr.h"

#include "addr_peers.h"

/* ---- mgmdump's formatter, as tools/mgmdump_text.c had it ---------------------------------- */

/* Two lower-case hex digits for each octet. */
static const char hex2[512] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
			      "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
			      "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
			      "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
			      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
			      "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
			      "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
			      "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/*
 * Tables built once by peer_table_setup(), before any thread starts:
 * octet_text[v]: v in decimal and a dot, in four octets (unused ones zero); octet_len[v]: the
 * length of that text with the dot.
 * zero_run[m]: for the zero groups of an IPv6 address (bit 7 - i set: group i is zero), the run
 * that "::" replaces: the longest run of two or more zero groups, the first of equals
 * (RFC 5952 §4.2.2, §4.2.3), as start | length << 4; 0 when there is none.
 */
static char octet_text[256][4];
static uint8_t octet_len[256];
static uint8_t zero_run[256];
/* hex2_word[v]: the two hex digits of v as they lie in memory, read as one 16-bit word. */
static uint16_t hex2_word[256];

void peer_table_setup(void)
{
	unsigned v, i, run, start, best, best_len;

	for (v = 0; v < 256; v++) {
		memcpy(&hex2_word[v], hex2 + 2 * v, 2);
		i = 0;
		if (v >= 100)
			octet_text[v][i++] = (char)('0' + v / 100);
		if (v >= 10)
			octet_text[v][i++] = (char)('0' + v / 10 % 10);
		octet_text[v][i++] = (char)('0' + v % 10);
		octet_text[v][i++] = '.';
		octet_len[v] = (uint8_t)i;

		best = best_len = run = start = 0;
		for (i = 0; i < 8; i++) {
			if (!(v >> (7 - i) & 1)) {
				run = 0;
				continue;
			}
			if (run++ == 0)
				start = i;
			if (run > best_len) {
				best_len = run;
				best = start;
			}
		}
		zero_run[v] = best_len >= 2 ? (uint8_t)(best | best_len << 4) : 0;
	}
}

/* Dotted decimal: at most 15 octets of text, 16 written. The octets are read before anything
 * is written: the compiler cannot know that the text does not overwrite them. */
static inline char *put_ipv4(char *p, const uint8_t *o)
{
	unsigned a = o[0], b = o[1], c = o[2], d = o[3];

	memcpy(p, octet_text[a], 4);
	p += octet_len[a];
	memcpy(p, octet_text[b], 4);
	p += octet_len[b];
	memcpy(p, octet_text[c], 4);
	p += octet_len[c];
	memcpy(p, octet_text[d], 4);
	return p + octet_len[d] - 1;
}

/*
 * A 16-bit group in lower-case hex without leading zeros (RFC 5952 §4.1, §4.3) and a colon:
 * the four digits loaded as one word, shifted past the leading zeros and stored together;
 * 5 octets written.
 */
static inline char *put_group_colon(char *p, unsigned v)
{
	/* digits: a quarter of the significant bits, rounded up; one for 0 */
	unsigned n = (35 - (unsigned)__builtin_clz(v | 1)) >> 2;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t x = hex2_word[v >> 8] | (uint32_t)hex2_word[v & 0xff] << 16;

	x >>= 8 * (4 - n);
#else
	uint32_t x = (uint32_t)hex2_word[v >> 8] << 16 | hex2_word[v & 0xff];

	x <<= 8 * (4 - n);
#endif
	memcpy(p, &x, 4);
	p[n] = ':';
	return p + n + 1;
}

static inline uint64_t be64(const uint8_t *o)
{
	return (uint64_t)o[0] << 56 | (uint64_t)o[1] << 48 | (uint64_t)o[2] << 40 |
	       (uint64_t)o[3] << 32 | (uint64_t)o[4] << 24 | (uint64_t)o[5] << 16 |
	       (uint64_t)o[6] << 8 | o[7];
}

/* Bit k set for each non-zero 16-bit lane k of x, lane 0 the lowest: the top bit of a lane
 * after adding 0x7fff to its low bits, or its own top bit; the four gathered by a multiply
 * whose partial products cannot meet. */
static inline unsigned nonzero_lanes(uint64_t x)
{
	const uint64_t low = 0x7fff7fff7fff7fffu;
	uint64_t top = (((x & low) + low) | x) & ~low;

	return (unsigned)(((top >> 15) * 0x0000200040008001u) >> 45) & 15;
}

/* RFC 5952 text: at most 39 octets of text (eight full groups), 40 written. The groups are
 * taken from two words read at the start (see put_ipv4()). */
static char *put_ipv6(char *p, const uint8_t *o)
{
	uint64_t hi = be64(o), lo = be64(o + 8);
	unsigned zeros = ~(nonzero_lanes(hi) << 4 | nonzero_lanes(lo)) & 0xff;
	unsigned start = zero_run[zeros] & 15, len = zero_run[zeros] >> 4, end, i;
	unsigned w[8] = {
		(unsigned)(hi >> 48),	       (unsigned)(hi >> 32) & 0xffff,
		(unsigned)(hi >> 16) & 0xffff, (unsigned)hi & 0xffff,
		(unsigned)(lo >> 48),	       (unsigned)(lo >> 32) & 0xffff,
		(unsigned)(lo >> 16) & 0xffff, (unsigned)lo & 0xffff,
	};

	if (start == 0 && len == 5 && w[5] == 0xffff) {
		/* RFC 5952 §5: IPv4-mapped addresses end in dotted decimal. */
		p = (memcpy(p, "::ffff:", 7), p + 7);
		return put_ipv4(p, o + 12);
	}
	if (len == 0)
		start = 8;
	end = start + len;
	for (i = 0; i < start; i++)
		p = put_group_colon(p, w[i]);
	if (len > 0) {
		if (start == 0)
			*p++ = ':';
		*p++ = ':';
	}
	for (i = end; i < 8; i++)
		p = put_group_colon(p, w[i]);
	/* Every group left a colon after it; the last one goes unless it is half of "::". */
	if (len == 0 || end < 8)
		p--;
	return p;
}

size_t peer_table_format(uint8_t family, const uint8_t *o, char *out)
{
	if (family == MGM_INET)
		return (size_t)(put_ipv4(out, o) - out);
	return (size_t)(put_ipv6(out, o) - out);
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
