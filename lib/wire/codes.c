/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The exponential time codes: the 8-bit floating-point code of the IGMPv3 Max Resp Code and of
 * QQIC (RFC 3376 §4.1.1, §4.1.7; RFC 3810 §5.1.9), the 16-bit MLDv2 Maximum Response Code
 * (RFC 3810 §5.1.3), and the per-version meaning of a query's Max Resp Code field.
 */
#include "mgm/wire.h"

/* Index of the highest set bit; v != 0. */
static unsigned int high_bit(uint32_t v)
{
	return 31u - (unsigned int)__builtin_clz(v);
}

/* RFC 3376 §4.1.1: below 128 the code is the value; otherwise 1|exp(3)|mant(4) and the value is
 * (mant | 0x10) << (exp + 3). */
uint32_t mgm_code8_decode(uint8_t code)
{
	if (code < 128)
		return code;
	return (uint32_t)((code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
}

/*
 * The largest code whose value does not exceed `value`. Codes are monotonic in their value, so
 * this truncates: the leading one bit gives the exponent, the next four bits the mantissa.
 */
uint8_t mgm_code8_encode(uint32_t value)
{
	unsigned int exp;

	if (value < 128)
		return (uint8_t)value;
	if (value >= mgm_code8_decode(0xff))
		return 0xff;
	exp = high_bit(value) - 7; /* 128..255 -> 0, ..., 16384..31743 -> 7 */
	return (uint8_t)(0x80 | exp << 4 | ((value >> (exp + 3)) & 0x0f));
}

/* RFC 3810 §5.1.3: below 32768 the code is the value; otherwise 1|exp(3)|mant(12) and the value
 * is (mant | 0x1000) << (exp + 3). */
uint32_t mgm_code16_decode(uint16_t code)
{
	if (code < 32768)
		return code;
	return (uint32_t)((code & 0x0fff) | 0x1000) << (((code >> 12) & 0x07) + 3);
}

uint16_t mgm_code16_encode(uint32_t value)
{
	unsigned int exp;

	if (value < 32768)
		return (uint16_t)value;
	if (value >= mgm_code16_decode(0xffff))
		return 0xffff;
	exp = high_bit(value) - 15;
	return (uint16_t)(0x8000 | exp << 12 | ((value >> (exp + 3)) & 0x0fff));
}

uint16_t mgm_max_resp_code(uint8_t family, uint8_t version, uint32_t ms)
{
	uint32_t tenths = ms / 100;

	if (family == MGM_INET) {
		switch (version) {
		case 1:
			/* RFC 2236 §4: an IGMPv1 querier sends 0, meaning 10 s. */
			return 0;
		case 2:
			/* RFC 2236 §2.2: tenths in one octet; 0 would turn the query into a v1
			 * query (RFC 3376 §7.1), so 1 is the floor. */
			if (tenths < 1)
				return 1;
			return (uint16_t)(tenths > 255 ? 255 : tenths);
		case 3:
			/* RFC 3376 §4.1.1; the same floor, since an IGMPv2 host reads the field
			 * as a v2 Max Resp Time (RFC 3376 §7.2.1). */
			if (tenths < 1)
				return 1;
			return mgm_code8_encode(tenths);
		default:
			return 0;
		}
	}
	if (family == MGM_INET6) {
		switch (version) {
		case 1:
			/* RFC 2710 §3.4: milliseconds in 16 bits. */
			return (uint16_t)(ms > 65535 ? 65535 : ms);
		case 2:
			return mgm_code16_encode(ms);
		default:
			return 0;
		}
	}
	return 0;
}

uint32_t mgm_max_resp_ms(uint8_t family, uint8_t version, uint16_t code)
{
	if (family == MGM_INET) {
		switch (version) {
		case 1:
			return 10000; /* RFC 2236 §4 */
		case 2:
			/* A v2 query never has code 0 (it would be a v1 query, RFC 3376 §7.1);
			 * should one be handed in, it means what a v1 querier meant. */
			return code ? (uint32_t)code * 100 : 10000;
		case 3:
			return mgm_code8_decode(code > 0xff ? 0xff : (uint8_t)code) * 100;
		default:
			return 0;
		}
	}
	if (family == MGM_INET6) {
		switch (version) {
		case 1:
			return code;
		case 2:
			return mgm_code16_decode(code);
		default:
			return 0;
		}
	}
	return 0;
}
