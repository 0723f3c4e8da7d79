/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Addresses as text: the dotted quad, and IPv6 in RFC 5952's canonical form (lower case, no
 * leading zeros, the longest run of two or more zero groups as "::", IPv4-mapped addresses in
 * dotted decimal). The one formatter of the project: mgmdump writes every address of a capture
 * through it, so it works from tables and whole words rather than a loop per digit.
 */
#include <string.h>

#include "mgm/addr.h"

/* v in decimal and a dot, four octets each (spaces after). */
static const char octet_text[256 * 4 + 1] =
	"0.  1.  2.  3.  4.  5.  6.  7.  8.  9.  10. 11. 12. 13. 14. 15. "
	"16. 17. 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29. 30. 31. "
	"32. 33. 34. 35. 36. 37. 38. 39. 40. 41. 42. 43. 44. 45. 46. 47. "
	"48. 49. 50. 51. 52. 53. 54. 55. 56. 57. 58. 59. 60. 61. 62. 63. "
	"64. 65. 66. 67. 68. 69. 70. 71. 72. 73. 74. 75. 76. 77. 78. 79. "
	"80. 81. 82. 83. 84. 85. 86. 87. 88. 89. 90. 91. 92. 93. 94. 95. "
	"96. 97. 98. 99. 100.101.102.103.104.105.106.107.108.109.110.111."
	"112.113.114.115.116.117.118.119.120.121.122.123.124.125.126.127."
	"128.129.130.131.132.133.134.135.136.137.138.139.140.141.142.143."
	"144.145.146.147.148.149.150.151.152.153.154.155.156.157.158.159."
	"160.161.162.163.164.165.166.167.168.169.170.171.172.173.174.175."
	"176.177.178.179.180.181.182.183.184.185.186.187.188.189.190.191."
	"192.193.194.195.196.197.198.199.200.201.202.203.204.205.206.207."
	"208.209.210.211.212.213.214.215.216.217.218.219.220.221.222.223."
	"224.225.226.227.228.229.230.231.232.233.234.235.236.237.238.239."
	"240.241.242.243.244.245.246.247.248.249.250.251.252.253.254.255.";

/*
 * For the zero groups of an IPv6 address (bit 7 - i set: group i is zero), the run "::"
 * replaces: the longest run of two or more zero groups, the first of equals (RFC 5952 §4.2.2,
 * §4.2.3), as start | length << 4; 0 when there is none.
 */
static const uint8_t zero_run[256] = {
	0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x25, 0x35, 0x00, 0x00, 0x00, 0x26, 0x24, 0x24, 0x34,
	0x44, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x25, 0x35, 0x23, 0x23, 0x23, 0x23, 0x33, 0x33,
	0x43, 0x53, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x25, 0x35, 0x00, 0x00, 0x00, 0x26, 0x24,
	0x24, 0x34, 0x44, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x35, 0x32, 0x32, 0x32, 0x32,
	0x42, 0x42, 0x52, 0x62, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x25, 0x35, 0x00, 0x00, 0x00,
	0x26, 0x24, 0x24, 0x34, 0x44, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x25, 0x35, 0x23, 0x23,
	0x23, 0x23, 0x33, 0x33, 0x43, 0x53, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x35, 0x21,
	0x21, 0x21, 0x21, 0x21, 0x21, 0x34, 0x44, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31,
	0x41, 0x41, 0x41, 0x41, 0x51, 0x51, 0x61, 0x71, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x25,
	0x35, 0x00, 0x00, 0x00, 0x26, 0x24, 0x24, 0x34, 0x44, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00,
	0x25, 0x35, 0x23, 0x23, 0x23, 0x23, 0x33, 0x33, 0x43, 0x53, 0x00, 0x00, 0x00, 0x26, 0x00,
	0x00, 0x25, 0x35, 0x00, 0x00, 0x00, 0x26, 0x24, 0x24, 0x34, 0x44, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x35, 0x32, 0x32, 0x32, 0x32, 0x42, 0x42, 0x52, 0x62, 0x20, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x35, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x34, 0x44, 0x20, 0x20,
	0x20, 0x20, 0x20, 0x20, 0x20, 0x35, 0x20, 0x20, 0x20, 0x20, 0x33, 0x33, 0x43, 0x53, 0x30,
	0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x44,
	0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x50, 0x50, 0x50, 0x50, 0x60, 0x60, 0x70,
	0x80,
};

/* Two lower-case hex digits for each octet. */
static const char hex2[513] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
			      "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
			      "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
			      "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
			      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
			      "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
			      "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
			      "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* The length of octet_text[v]'s text with its dot. */
static const uint8_t octet_len[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* Dotted decimal: at most 15 octets of text, 16 written. The octets are read before anything
 * is written: the compiler cannot know that the text does not overwrite them. */
static inline char *put_v4(char *p, const uint8_t *o)
{
	unsigned a = o[0], b = o[1], c = o[2], d = o[3];

	memcpy(p, octet_text + 4 * a, 4);
	p += octet_len[a];
	memcpy(p, octet_text + 4 * b, 4);
	p += octet_len[b];
	memcpy(p, octet_text + 4 * c, 4);
	p += octet_len[c];
	memcpy(p, octet_text + 4 * d, 4);
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
	uint16_t hi, lo;
	uint32_t x;

	memcpy(&hi, hex2 + 2 * (v >> 8), 2);
	memcpy(&lo, hex2 + 2 * (v & 0xff), 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = hi | (uint32_t)lo << 16;
	x >>= 8 * (4 - n);
#else
	x = (uint32_t)hi << 16 | lo;
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
 * taken from two words read at the start (see put_v4()). */
static char *put_v6(char *p, const uint8_t *o)
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
		memcpy(p, "::ffff:", 7);
		return put_v4(p + 7, o + 12);
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

size_t mgm_addr_format(uint8_t family, const uint8_t *octets, char *out)
{
	if (family == MGM_INET)
		return (size_t)(put_v4(out, octets) - out);
	if (family == MGM_INET6)
		return (size_t)(put_v6(out, octets) - out);
	out[0] = '?';
	return 1;
}

const char *mgm_addr_str(const struct mgm_addr *a, char *buf)
{
	buf[mgm_addr_format(a->family, a->octets, buf)] = '\0';
	return buf;
}
