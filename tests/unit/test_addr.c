/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The family-generic address: text in and out (RFC 4291 §2.2, RFC 5952) checked against the C
 * library's inet_pton/inet_ntop as an independent reference, ordering, and the classes the
 * codec and the engines rely on (RFC 5771, RFC 4291 §2.7, RFC 4607).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "mgm/addr.h"
#include "mgm/err.h"

static struct mgm_addr addr(const char *text)
{
	struct mgm_addr a;

	assert_int_equal(mgm_addr_parse(text, &a), 0);
	return a;
}

static void assert_str(const char *in, const char *out)
{
	char buf[MGM_ADDRSTRLEN];
	struct mgm_addr a = addr(in);

	assert_string_equal(mgm_addr_str(&a, buf), out);
}

static void test_addr_parse_and_print_ipv4(void **state)
{
	struct mgm_addr a = addr("239.1.2.3");
	static const uint8_t zero[12] = {0};

	assert_int_equal(a.family, MGM_INET);
	assert_memory_equal(a.octets, "\xef\x01\x02\x03", 4);
	assert_memory_equal(a.octets + 4, zero, 12);
	assert_int_equal(mgm_addr_len(MGM_INET), 4);
	assert_str("0.0.0.0", "0.0.0.0");
	assert_str("255.255.255.255", "255.255.255.255");
	assert_str("10.100.0.9", "10.100.0.9");
}

static void test_addr_parse_rejects_malformed_text(void **state)
{
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"256.1.1.1",
		"1.2.3.4 ",
		"01.2.3.4",
		"1..2.3",
		"a.b.c.d",
		":",
		":::",
		"1:2",
		"1::2::3",
		"12345::",
		"1:2:3:4:5:6:7:8:9",
		"::g",
		"1:2:3:4:5:6:7:8::",
		":1::",
		"1::2:",
		"::1.2.3",
		"::1.2.3.4:5",
		"1:2:3:4:5:6:7:1.2.3.4",
	};
	struct mgm_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mgm_addr_parse(bad[i], &a) != MGM_E_INVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(mgm_addr_parse(NULL, &a), MGM_E_INVAL);
}

static void test_addr_ipv6_text_rfc5952(void **state)
{
	assert_str("::", "::");
	assert_str("::1", "::1");
	assert_str("1::", "1::");
	assert_str("FF02:0:0:0:0:0:0:16", "ff02::16");
	assert_str("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");    /* first of equal runs */
	assert_str("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");	    /* the longest run */
	assert_str("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* one zero: no "::" */
	assert_str("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	assert_str("fe80::1:2:3:4", "fe80::1:2:3:4");
	assert_str("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	assert_str("1:2:3:4:5:6::", "1:2:3:4:5:6::");
	assert_str("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
}

/* A deterministic generator: xorshift64*. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void test_addr_text_matches_libc_for_random_addresses(void **state)
{
	for (int i = 0; i < 20000; i++) {
		uint8_t o[16];
		char ours[MGM_ADDRSTRLEN], libc[INET6_ADDRSTRLEN];
		struct mgm_addr a, back;

		for (int j = 0; j < 16; j++) {
			uint64_t r = rnd();
			/* Mostly zero groups, so that runs of zeros are common. */
			o[j] = (r & 3) ? 0 : (uint8_t)(r >> 8);
		}
		mgm_addr_from_wire(&a, MGM_INET6, o);
		assert_non_null(inet_ntop(AF_INET6, o, libc, sizeof(libc)));
		mgm_addr_str(&a, ours);
		/* glibc prints the deprecated IPv4-compatible form ::a.b.c.d; RFC 5952 does not. */
		if (!(o[0] == 0 && memcmp(o, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0))
			assert_string_equal(ours, libc);
		assert_int_equal(mgm_addr_parse(ours, &back), 0);
		assert_true(mgm_addr_eq(&a, &back));
		assert_int_equal(mgm_addr_parse(libc, &back), 0);
		assert_true(mgm_addr_eq(&a, &back));

		mgm_addr_from_wire(&a, MGM_INET, o + 12);
		inet_ntop(AF_INET, o + 12, libc, sizeof(libc));
		assert_string_equal(mgm_addr_str(&a, ours), libc);
	}
}

/* mgm_addr_format() writes mgm_addr_str()'s text without the NUL, and says how long it is; it
 * may scribble past the text (whole-word stores) but never past MGM_ADDRSTRLEN. */
static void test_addr_format_is_the_text_without_a_nul(void **state)
{
	static const char *const texts[] = {
		"0.0.0.0",	   "255.255.255.255", "239.1.2.3",	    "::",
		"ff02::1",	   "fe80::1:2",	      "2001:db8::ffff:0:1", "::ffff:10.1.2.3",
		"1:2:3:4:5:6:7:8",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char buf[MGM_ADDRSTRLEN + 8];
		struct mgm_addr a;
		size_t n;

		assert_int_equal(mgm_addr_parse(texts[i], &a), 0);
		memset(buf, 'x', sizeof(buf));
		n = mgm_addr_format(a.family, a.octets, buf);
		assert_int_equal(n, strlen(texts[i]));
		assert_memory_equal(buf, texts[i], n);
		for (size_t j = MGM_ADDRSTRLEN; j < sizeof(buf); j++)
			assert_int_equal(buf[j], 'x');
	}
	{
		uint8_t o[16] = {0};
		char buf[MGM_ADDRSTRLEN];

		assert_int_equal(mgm_addr_format(9, o, buf), 1);
		assert_int_equal(buf[0], '?');
	}
}

static void test_addr_compare_orders_family_then_octets(void **state)
{
	struct mgm_addr a = addr("10.0.0.1"), b = addr("10.0.0.2"), c = addr("::1");

	assert_true(mgm_addr_cmp(&a, &b) < 0);
	assert_true(mgm_addr_cmp(&b, &a) > 0);
	assert_true(mgm_addr_cmp(&b, &c) < 0); /* every IPv4 address before every IPv6 one */
	assert_int_equal(mgm_addr_cmp(&a, &a), 0);
	assert_true(mgm_addr_eq(&a, &a));
	assert_false(mgm_addr_eq(&a, &b));
}

static void test_addr_classes(void **state)
{
	struct {
		const char *text;
		bool any, mcast, ucast, ll_group, all_sys, ssm, ll6;
	} rows[] = {
		{"0.0.0.0", 1, 0, 0, 0, 0, 0, 0},
		{"10.1.2.3", 0, 0, 1, 0, 0, 0, 0},
		{"127.0.0.1", 0, 0, 0, 0, 0, 0, 0},
		{"255.255.255.255", 0, 0, 0, 0, 0, 0, 0},
		{"224.0.0.1", 0, 1, 0, 1, 1, 0, 0},
		{"224.0.0.22", 0, 1, 0, 1, 0, 0, 0},
		{"224.0.1.1", 0, 1, 0, 0, 0, 0, 0},
		{"232.1.1.1", 0, 1, 0, 0, 0, 1, 0},
		{"239.255.255.255", 0, 1, 0, 0, 0, 0, 0},
		{"223.255.255.255", 0, 0, 1, 0, 0, 0, 0},
		{"::", 1, 0, 0, 0, 0, 0, 0},
		{"::1", 0, 0, 0, 0, 0, 0, 0},
		{"2001:db8::1", 0, 0, 1, 0, 0, 0, 0},
		{"fe80::1", 0, 0, 1, 0, 0, 0, 1},
		{"febf::1", 0, 0, 1, 0, 0, 0, 1},
		{"fec0::1", 0, 0, 1, 0, 0, 0, 0},
		{"ff02::1", 0, 1, 0, 1, 1, 0, 0},
		{"ff02::16", 0, 1, 0, 1, 0, 0, 0},
		{"ff12::1", 0, 1, 0, 1, 0, 0, 0}, /* transient, link scope */
		{"ff05::2", 0, 1, 0, 0, 0, 0, 0},
		{"ff3e::1234", 0, 1, 0, 0, 0, 1, 0},
		{"ff3e:1::1", 0, 1, 0, 0, 0, 0, 0}, /* not in ff3x::/32 */
		{"ff32::1", 0, 1, 0, 1, 0, 1, 0},
		/* Scopes 0 and 1 never leave the link either (RFC 4291 §2.7); scope 3 does. */
		{"ff00::1", 0, 1, 0, 1, 0, 0, 0},
		{"ff01::1", 0, 1, 0, 1, 0, 0, 0},
		{"ff31::1", 0, 1, 0, 1, 0, 1, 0},
		{"ff03::1", 0, 1, 0, 0, 0, 0, 0},
		{"224.0.1.0", 0, 1, 0, 0, 0, 0, 0},
		{"224.0.0.255", 0, 1, 0, 1, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mgm_addr a = addr(rows[i].text);

		if (mgm_addr_is_any(&a) != rows[i].any ||
		    mgm_addr_is_multicast(&a) != rows[i].mcast ||
		    mgm_addr_is_unicast(&a) != rows[i].ucast ||
		    mgm_addr_is_unrouted_group(&a) != rows[i].ll_group ||
		    mgm_addr_is_all_systems(&a) != rows[i].all_sys ||
		    mgm_addr_is_ssm(&a) != rows[i].ssm ||
		    mgm_addr_is_ipv6_link_local(&a) != rows[i].ll6)
			fail_msg("classes of %s", rows[i].text);
	}
}

/* RFC 1112 §6.4: the low 23 bits (the 24th, 0x80 of the second octet, is dropped); RFC 2464
 * §7: the low 32 bits after 33:33. */
static void test_addr_multicast_mac(void **state)
{
	static const uint8_t v4[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
	static const uint8_t v6[6] = {0x33, 0x33, 0xff, 0x00, 0x12, 0x34};
	struct mgm_addr a;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(mgm_addr_parse("239.129.2.3", &a), 0);
	mgm_addr_multicast_mac(&a, mac);
	assert_memory_equal(mac, v4, 6);
	assert_int_equal(mgm_addr_parse("ff02::1:ff00:1234", &a), 0);
	mgm_addr_multicast_mac(&a, mac);
	assert_memory_equal(mac, v6, 6);
}

static void test_addr_well_known_destinations(void **state)
{
	struct mgm_addr a;
	char buf[MGM_ADDRSTRLEN];

	mgm_addr_all_systems(&a, MGM_INET);
	assert_string_equal(mgm_addr_str(&a, buf), "224.0.0.1");
	mgm_addr_all_routers(&a, MGM_INET);
	assert_string_equal(mgm_addr_str(&a, buf), "224.0.0.2");
	mgm_addr_v3_report_dest(&a, MGM_INET);
	assert_string_equal(mgm_addr_str(&a, buf), "224.0.0.22");
	mgm_addr_all_systems(&a, MGM_INET6);
	assert_string_equal(mgm_addr_str(&a, buf), "ff02::1");
	mgm_addr_all_routers(&a, MGM_INET6);
	assert_string_equal(mgm_addr_str(&a, buf), "ff02::2");
	mgm_addr_v3_report_dest(&a, MGM_INET6);
	assert_string_equal(mgm_addr_str(&a, buf), "ff02::16");
	mgm_addr_any(&a, MGM_INET6);
	assert_string_equal(mgm_addr_str(&a, buf), "::");
	a.family = 9;
	assert_string_equal(mgm_addr_str(&a, buf), "?");
	assert_false(mgm_addr_is_any(&a));
	assert_int_equal(mgm_addr_len(9), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_and_print_ipv4),
		cmocka_unit_test(test_addr_parse_rejects_malformed_text),
		cmocka_unit_test(test_addr_ipv6_text_rfc5952),
		cmocka_unit_test(test_addr_text_matches_libc_for_random_addresses),
		cmocka_unit_test(test_addr_format_is_the_text_without_a_nul),
		cmocka_unit_test(test_addr_compare_orders_family_then_octets),
		cmocka_unit_test(test_addr_classes),
		cmocka_unit_test(test_addr_well_known_destinations),
		cmocka_unit_test(test_addr_multicast_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
