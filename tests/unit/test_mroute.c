/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon/mroute.c's upcall parser on the bytes the kernel queues on a multicast routing socket
 * (struct igmpmsg, struct mrt6msg) and on the real IGMP / ICMPv6 packets that share the socket:
 * an upcall is told by its zero byte, everything else is handed back, no read goes past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mgm/err.h"
#include "mroute.h"

/* An IPv4 upcall as ipmr.c builds it: the packet's IP header with the TTL byte replaced by the
 * message type, the protocol byte by zero, the checksum bytes by the VIF; an IGMP header after. */
static size_t upcall4(uint8_t *b, uint8_t type, uint16_t vif)
{
	static const uint8_t hdr[28] = {
		0x45, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 0, 198, 18, 0, 1, 239, 1, 2, 3,
	};

	memcpy(b, hdr, sizeof(hdr));
	b[8] = type;
	b[9] = 0;
	b[10] = (uint8_t)(vif & 0xff);
	b[11] = (uint8_t)(vif >> 8);
	b[20] = type; /* the IGMP header's type repeats it */
	return sizeof(hdr);
}

/* An IPv6 upcall as ip6mr.c builds it: struct mrt6msg, im6_mif in host byte order. */
static size_t upcall6(uint8_t *b, uint8_t type, uint16_t mif)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t grp[16] = {0xff, 0x05, [12] = 0x0d, [13] = 0xb8, [15] = 1};

	memset(b, 0, 40);
	b[1] = type;
	memcpy(b + 2, &mif, sizeof(mif));
	memcpy(b + 8, src, 16);
	memcpy(b + 24, grp, 16);
	return 40;
}

static void test_mroute_ipv4_nocache_upcall_names_sg_and_vif(void **state)
{
	uint8_t b[64];
	struct mgmd_upcall up;
	struct mgm_addr s, g;
	size_t n = upcall4(b, 1, 3);

	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, b, n, &up), 1);
	assert_int_equal(up.kind, MGMD_UPCALL_NOCACHE);
	assert_int_equal(up.family, MGM_INET);
	assert_int_equal(up.vif, 3);
	assert_int_equal(up.ifindex, 0);
	assert_int_equal(mgm_addr_parse("198.18.0.1", &s), 0);
	assert_int_equal(mgm_addr_parse("239.1.2.3", &g), 0);
	assert_true(mgm_addr_eq(&up.source, &s));
	assert_true(mgm_addr_eq(&up.group, &g));
}

static void test_mroute_ipv4_vif_takes_its_high_byte(void **state)
{
	uint8_t b[64];
	struct mgmd_upcall up;
	size_t n = upcall4(b, 2, 0x0102);

	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, b, n, &up), 1);
	assert_int_equal(up.kind, MGMD_UPCALL_WRONGVIF);
	assert_int_equal(up.vif, 0x0102);
}

static void test_mroute_ipv4_igmp_packet_is_not_an_upcall(void **state)
{
	/* An IGMPv2 report from its IP header: protocol 2 where an upcall has its zero. */
	static const uint8_t report[] = {
		0x46, 0xc0, 0, 32, 0,	 0, 0x40, 0, 1,	   2, 0,    0,	  198, 18, 0, 2,
		239,  1,    2, 3,  0x94, 4, 0,	  0, 0x16, 0, 0xfa, 0x04, 239, 1,  2, 3,
	};
	struct mgmd_upcall up;

	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, report, sizeof(report), &up), 0);
}

static void test_mroute_ipv6_nocache_upcall_names_sg_and_mif(void **state)
{
	uint8_t b[64];
	struct mgmd_upcall up;
	struct mgm_addr s, g;
	size_t n = upcall6(b, 1, 7);

	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET6, b, n, &up), 1);
	assert_int_equal(up.kind, MGMD_UPCALL_NOCACHE);
	assert_int_equal(up.family, MGM_INET6);
	assert_int_equal(up.vif, 7);
	assert_int_equal(mgm_addr_parse("2001:db8::1", &s), 0);
	assert_int_equal(mgm_addr_parse("ff05::db8:1", &g), 0);
	assert_true(mgm_addr_eq(&up.source, &s));
	assert_true(mgm_addr_eq(&up.group, &g));
}

static void test_mroute_ipv6_icmpv6_messages_are_not_upcalls(void **state)
{
	/* MLDv2 report (143), MLDv1 report (131), echo request (128): their type is never 0. */
	static const uint8_t types[] = {143, 131, 130, 132, 128, 1};
	uint8_t b[64];
	struct mgmd_upcall up;
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		upcall6(b, 1, 0);
		b[0] = types[i];
		assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET6, b, 40, &up), 0);
		/* Even a message shorter than an upcall goes to the MLD input whole. */
		assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET6, b, 8, &up), 0);
	}
}

static void test_mroute_unknown_upcall_type_is_refused(void **state)
{
	uint8_t b[64];
	struct mgmd_upcall up;
	size_t n;

	n = upcall4(b, 0, 0);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, b, n, &up), MGM_E_INVAL);
	n = upcall4(b, 5, 0);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, b, n, &up), MGM_E_INVAL);
	n = upcall6(b, 0, 0);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET6, b, n, &up), MGM_E_INVAL);
	n = upcall6(b, 9, 0);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET6, b, n, &up), MGM_E_INVAL);
	/* The highest known type of each family passes. */
	n = upcall4(b, 4, 0);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, b, n, &up), 1);
	assert_int_equal(up.kind, MGMD_UPCALL_WRVIFWHOLE);
	n = upcall6(b, 3, 0);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET6, b, n, &up), 1);
	assert_int_equal(up.kind, MGMD_UPCALL_WHOLEPKT);
}

/* Every prefix of an upcall, in a buffer of exactly that size (the sanitizer build catches a
 * read past it): too short to tell, or too short to hold an upcall, never a parsed upcall. */
static void test_mroute_truncated_upcalls_are_short(void **state)
{
	uint8_t full[64];
	struct mgmd_upcall up;
	size_t n, len;
	int fam;

	for (fam = 0; fam < 2; fam++) {
		uint8_t family = fam == 0 ? MGM_INET : MGM_INET6;

		n = family == MGM_INET ? upcall4(full, 1, 1) : upcall6(full, 1, 1);
		/* IPv4: the 20-octet igmpmsg is all that is read; the IGMP header may be cut. */
		size_t need = family == MGM_INET ? 20 : 40;

		for (len = 0; len < n; len++) {
			uint8_t *b = malloc(len ? len : 1);
			int r;

			assert_non_null(b);
			memcpy(b, full, len);
			r = mgmd_mroute_parse_upcall(family, b, len, &up);
			if (len < need)
				assert_int_equal(r, MGM_E_SHORT);
			else
				assert_int_equal(r, 1);
			free(b);
		}
	}
}

static void test_mroute_bad_arguments_are_refused(void **state)
{
	uint8_t b[64];
	struct mgmd_upcall up;
	size_t n = upcall4(b, 1, 0);

	assert_int_equal(mgmd_mroute_parse_upcall(0, b, n, &up), MGM_E_INVAL);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, NULL, n, &up), MGM_E_INVAL);
	assert_int_equal(mgmd_mroute_parse_upcall(MGM_INET, b, n, NULL), MGM_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mroute_ipv4_nocache_upcall_names_sg_and_vif),
		cmocka_unit_test(test_mroute_ipv4_vif_takes_its_high_byte),
		cmocka_unit_test(test_mroute_ipv4_igmp_packet_is_not_an_upcall),
		cmocka_unit_test(test_mroute_ipv6_nocache_upcall_names_sg_and_mif),
		cmocka_unit_test(test_mroute_ipv6_icmpv6_messages_are_not_upcalls),
		cmocka_unit_test(test_mroute_unknown_upcall_type_is_refused),
		cmocka_unit_test(test_mroute_truncated_upcalls_are_short),
		cmocka_unit_test(test_mroute_bad_arguments_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
