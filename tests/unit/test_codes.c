/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The exponential codes (RFC 3376 §4.1.1, §4.1.7; RFC 3810 §5.1.3, §5.1.9) at every boundary
 * and exhaustively, and the per-version Max Resp Code helpers (RFC 2236 §2.2, §4; RFC 2710
 * §3.4). Expected values are written out from the RFC formulas, not from the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mgm/wire.h"

/* The RFC formula, restated independently for the exhaustive checks. */
static uint32_t ref8(unsigned int c)
{
	if (c < 128)
		return c;
	return (uint32_t)((c & 0xf) + 16) * (1u << (((c >> 4) & 7) + 3));
}

static uint32_t ref16(unsigned int c)
{
	if (c < 32768)
		return c;
	return (uint32_t)((c & 0xfff) + 4096) * (1u << (((c >> 12) & 7) + 3));
}

static void test_code8_decode_boundaries(void **state)
{
	assert_int_equal(mgm_code8_decode(0), 0);
	assert_int_equal(mgm_code8_decode(127), 127);
	assert_int_equal(mgm_code8_decode(0x80), 128); /* exp 0, mant 0 */
	assert_int_equal(mgm_code8_decode(0x81), 136); /* step 8 */
	assert_int_equal(mgm_code8_decode(0x8f), 248);
	assert_int_equal(mgm_code8_decode(0x90), 256); /* exp 1: step 16 */
	assert_int_equal(mgm_code8_decode(0xa0), 512);
	assert_int_equal(mgm_code8_decode(0xb0), 1024);
	assert_int_equal(mgm_code8_decode(0xc0), 2048);
	assert_int_equal(mgm_code8_decode(0xd0), 4096);
	assert_int_equal(mgm_code8_decode(0xe0), 8192);
	assert_int_equal(mgm_code8_decode(0xf0), 16384); /* exp 7: step 1024 */
	assert_int_equal(mgm_code8_decode(0xfe), 30720);
	assert_int_equal(mgm_code8_decode(0xff), 31744);
}

static void test_code8_encode_boundaries(void **state)
{
	assert_int_equal(mgm_code8_encode(0), 0);
	assert_int_equal(mgm_code8_encode(127), 127);
	assert_int_equal(mgm_code8_encode(128), 0x80);
	assert_int_equal(mgm_code8_encode(135), 0x80); /* rounds down */
	assert_int_equal(mgm_code8_encode(136), 0x81);
	assert_int_equal(mgm_code8_encode(255), 0x8f);
	assert_int_equal(mgm_code8_encode(256), 0x90);
	assert_int_equal(mgm_code8_encode(30719), 0xfd);
	assert_int_equal(mgm_code8_encode(30720), 0xfe);
	assert_int_equal(mgm_code8_encode(31743), 0xfe);
	assert_int_equal(mgm_code8_encode(31744), 0xff);
	assert_int_equal(mgm_code8_encode(31745), 0xff); /* saturates */
	assert_int_equal(mgm_code8_encode(UINT32_MAX), 0xff);
	/* Every exponent step from 128 to 31744: the first value of each code maps to it, the
	 * value just below maps to the code before. */
	for (unsigned int c = 0x80; c <= 0xff; c++) {
		assert_int_equal(mgm_code8_encode(ref8(c)), c);
		assert_int_equal(mgm_code8_encode(ref8(c) - 1), c - 1);
	}
}

static void test_code8_exhaustive(void **state)
{
	for (unsigned int c = 0; c <= 0xff; c++) {
		uint32_t v = mgm_code8_decode((uint8_t)c);

		assert_int_equal(v, ref8(c));
		assert_int_equal(mgm_code8_decode(mgm_code8_encode(v)), v);
		if (c)
			assert_true(v > mgm_code8_decode((uint8_t)(c - 1))); /* monotonic */
	}
	/* For every value: the code's value is not above it and the next code's is. */
	for (uint32_t v = 0; v <= 40000; v++) {
		uint8_t c = mgm_code8_encode(v);

		assert_true(mgm_code8_decode(c) <= v);
		if (c != 0xff)
			assert_true(mgm_code8_decode((uint8_t)(c + 1)) > v);
	}
}

static void test_code16_decode_boundaries(void **state)
{
	assert_int_equal(mgm_code16_decode(0), 0);
	assert_int_equal(mgm_code16_decode(32767), 32767);
	assert_int_equal(mgm_code16_decode(0x8000), 32768);
	assert_int_equal(mgm_code16_decode(0x8001), 32776); /* step 8 */
	assert_int_equal(mgm_code16_decode(0x8fff), 65528);
	assert_int_equal(mgm_code16_decode(0x9000), 65536); /* step 16 */
	assert_int_equal(mgm_code16_decode(0xf000), 4194304);
	assert_int_equal(mgm_code16_decode(0xffff), 8387584);
}

static void test_code16_encode_boundaries(void **state)
{
	assert_int_equal(mgm_code16_encode(32767), 32767);
	assert_int_equal(mgm_code16_encode(32768), 0x8000);
	assert_int_equal(mgm_code16_encode(32775), 0x8000);
	assert_int_equal(mgm_code16_encode(32776), 0x8001);
	assert_int_equal(mgm_code16_encode(65535), 0x8fff);
	assert_int_equal(mgm_code16_encode(65536), 0x9000);
	assert_int_equal(mgm_code16_encode(8387583), 0xfffe);
	assert_int_equal(mgm_code16_encode(8387584), 0xffff);
	assert_int_equal(mgm_code16_encode(UINT32_MAX), 0xffff);
	for (unsigned int c = 0x8000; c <= 0xffff; c++) {
		assert_int_equal(mgm_code16_encode(ref16(c)), c);
		assert_int_equal(mgm_code16_encode(ref16(c) - 1), c - 1);
	}
}

static void test_code16_exhaustive(void **state)
{
	for (unsigned int c = 0; c <= 0xffff; c++) {
		uint32_t v = mgm_code16_decode((uint16_t)c);

		assert_int_equal(v, ref16(c));
		assert_int_equal(mgm_code16_decode(mgm_code16_encode(v)), v);
		if (c)
			assert_true(v > mgm_code16_decode((uint16_t)(c - 1)));
	}
	for (uint32_t v = 0; v <= 8400000; v++) {
		uint16_t c = mgm_code16_encode(v);

		if (mgm_code16_decode(c) > v ||
		    (c != 0xffff && mgm_code16_decode((uint16_t)(c + 1)) <= v))
			fail_msg("value %u encodes to %#x", (unsigned int)v, (unsigned int)c);
	}
}

static void test_max_resp_code_per_version(void **state)
{
	/* IGMPv1: always 0 (RFC 2236 §4). */
	assert_int_equal(mgm_max_resp_code(MGM_INET, 1, 10000), 0);
	/* IGMPv2: tenths, 1..255, rounding down. */
	assert_int_equal(mgm_max_resp_code(MGM_INET, 2, 10000), 100);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 2, 1099), 10);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 2, 0), 1);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 2, 25500), 255);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 2, 100000), 255);
	/* IGMPv3: the 8-bit code of tenths. */
	assert_int_equal(mgm_max_resp_code(MGM_INET, 3, 10000), 100);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 3, 12700), 127);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 3, 12800), 0x80);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 3, 22400), 0x8c);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 3, 50), 1);
	assert_int_equal(mgm_max_resp_code(MGM_INET, 3, 3174400), 0xff);
	/* MLDv1: milliseconds, 16 bits. */
	assert_int_equal(mgm_max_resp_code(MGM_INET6, 1, 10000), 10000);
	assert_int_equal(mgm_max_resp_code(MGM_INET6, 1, 70000), 65535);
	/* MLDv2: the 16-bit code. */
	assert_int_equal(mgm_max_resp_code(MGM_INET6, 2, 10000), 10000);
	assert_int_equal(mgm_max_resp_code(MGM_INET6, 2, 32768), 0x8000);
	assert_int_equal(mgm_max_resp_code(MGM_INET6, 2, 65536), 0x9000);
	assert_int_equal(mgm_max_resp_code(MGM_INET6, 3, 1000), 0);
	assert_int_equal(mgm_max_resp_code(9, 2, 1000), 0);
}

static void test_max_resp_ms_per_version(void **state)
{
	assert_int_equal(mgm_max_resp_ms(MGM_INET, 1, 0), 10000);
	assert_int_equal(mgm_max_resp_ms(MGM_INET, 2, 100), 10000);
	assert_int_equal(mgm_max_resp_ms(MGM_INET, 2, 1), 100);
	assert_int_equal(mgm_max_resp_ms(MGM_INET, 2, 0), 10000);
	assert_int_equal(mgm_max_resp_ms(MGM_INET, 3, 0x8c), 22400);
	assert_int_equal(mgm_max_resp_ms(MGM_INET, 3, 0xff), 3174400);
	assert_int_equal(mgm_max_resp_ms(MGM_INET6, 1, 1234), 1234);
	assert_int_equal(mgm_max_resp_ms(MGM_INET6, 2, 0xffff), 8387584);
	assert_int_equal(mgm_max_resp_ms(MGM_INET6, 0, 5), 0);
	/* Round trip for every version: the code of a time means at most that time. */
	for (uint32_t ms = 100; ms < 4000000; ms += 97) {
		assert_true(mgm_max_resp_ms(MGM_INET, 3, mgm_max_resp_code(MGM_INET, 3, ms)) <= ms);
		assert_true(mgm_max_resp_ms(MGM_INET6, 2, mgm_max_resp_code(MGM_INET6, 2, ms)) <=
			    ms);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code8_decode_boundaries),
		cmocka_unit_test(test_code8_encode_boundaries),
		cmocka_unit_test(test_code8_exhaustive),
		cmocka_unit_test(test_code16_decode_boundaries),
		cmocka_unit_test(test_code16_encode_boundaries),
		cmocka_unit_test(test_code16_exhaustive),
		cmocka_unit_test(test_max_resp_code_per_version),
		cmocka_unit_test(test_max_resp_ms_per_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
