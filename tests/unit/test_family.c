/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The family descriptors (lib/core/family.c) agree with the codec and the address helpers they
 * stand beside: query lengths that the decoder tells apart as the right version (RFC 3376 §7.1,
 * RFC 3810 §8.1), the well-known groups, and what each version can say (RFC 1112, 2236, 3376;
 * RFC 2710, 3810). Versions a family lacks have no capabilities at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../lib/core/family.h"
#include "mgm/addr.h"
#include "mgm/wire.h"

static void test_family_unknown_is_null(void **state)
{
	(void)state;
	assert_null(mgm_family_desc(0));
	assert_null(mgm_family_desc(5));
	assert_non_null(mgm_family_desc(MGM_INET));
	assert_non_null(mgm_family_desc(MGM_INET6));
}

static void test_family_groups_match_addr_helpers(void **state)
{
	static const uint8_t fams[] = {MGM_INET, MGM_INET6};

	(void)state;
	for (size_t i = 0; i < sizeof(fams); i++) {
		const struct mgm_family_desc *fd = mgm_family_desc(fams[i]);
		struct mgm_addr a;

		assert_int_equal(fd->family, fams[i]);
		assert_int_equal(fd->addr_len, mgm_addr_len(fams[i]));
		mgm_addr_all_systems(&a, fams[i]);
		assert_true(mgm_addr_eq(&a, &fd->all_systems));
		mgm_addr_all_routers(&a, fams[i]);
		assert_true(mgm_addr_eq(&a, &fd->all_routers));
		mgm_addr_v3_report_dest(&a, fams[i]);
		assert_true(mgm_addr_eq(&a, &fd->report_dst));
	}
}

/* Every version's query, encoded at its descriptor length, decodes as that version. */
static void test_family_query_len_decodes_as_its_version(void **state)
{
	static const uint8_t fams[] = {MGM_INET, MGM_INET6};

	(void)state;
	for (size_t i = 0; i < sizeof(fams); i++) {
		const struct mgm_family_desc *fd = mgm_family_desc(fams[i]);
		struct mgm_addr src, dst;

		assert_int_equal(
			mgm_addr_parse(fams[i] == MGM_INET ? "198.18.0.1" : "fe80::1", &src), 0);
		mgm_addr_all_systems(&dst, fams[i]);
		for (uint8_t v = fd->lowest_version; v <= fd->top_version; v++) {
			const struct mgm_version_caps *caps = mgm_family_caps(fd, v);
			struct mgm_query q = {.version = v};
			struct mgm_msg m;
			uint8_t buf[64];
			size_t len = 0;

			assert_true(caps->exists);
			mgm_addr_any(&q.group, fams[i]);
			q.max_resp_code = mgm_max_resp_code(fams[i], v, 10000);
			assert_int_equal(
				mgm_encode_query(fams[i], &q, &src, &dst, buf, sizeof(buf), &len),
				0);
			assert_int_equal(len, caps->query_len);
			assert_int_equal(mgm_decode(fams[i], buf, len, &src, &dst, &m), 0);
			assert_int_equal(m.kind, MGM_MSG_QUERY);
			assert_int_equal(m.version, v);
		}
	}
}

static void test_family_version_caps(void **state)
{
	const struct mgm_family_desc *igmp = mgm_family_desc(MGM_INET);
	const struct mgm_family_desc *mld = mgm_family_desc(MGM_INET6);

	(void)state;
	assert_int_equal(igmp->top_version, 3);
	assert_int_equal(mld->top_version, 2);
	/* RFC 1112: no leave, no group-specific query, no Router Alert. */
	assert_false(mgm_family_caps(igmp, 1)->leave);
	assert_false(mgm_family_caps(igmp, 1)->group_query);
	assert_false(mgm_family_caps(igmp, 1)->router_alert);
	/* RFC 2236 and RFC 2710 have both, but no source lists. */
	assert_true(mgm_family_caps(igmp, 2)->leave);
	assert_true(mgm_family_caps(mld, 1)->leave);
	assert_true(mgm_family_caps(mld, 1)->group_query);
	assert_false(mgm_family_caps(igmp, 2)->source_lists);
	assert_false(mgm_family_caps(mld, 1)->source_query);
	/* The top versions say everything. */
	assert_true(mgm_family_caps(igmp, 3)->source_lists);
	assert_true(mgm_family_caps(igmp, 3)->source_query);
	assert_true(mgm_family_caps(mld, 2)->source_lists);
	assert_true(mgm_family_caps(mld, 2)->source_query);
	/* Versions the family lacks: nothing at all. */
	static const struct mgm_version_caps none;
	assert_memory_equal(mgm_family_caps(igmp, 0), &none, sizeof(none));
	assert_memory_equal(mgm_family_caps(igmp, 4), &none, sizeof(none));
	assert_memory_equal(mgm_family_caps(mld, 3), &none, sizeof(none));
	assert_memory_equal(mgm_family_caps(mld, 255), &none, sizeof(none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_unknown_is_null),
		cmocka_unit_test(test_family_groups_match_addr_helpers),
		cmocka_unit_test(test_family_query_len_decodes_as_its_version),
		cmocka_unit_test(test_family_version_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
