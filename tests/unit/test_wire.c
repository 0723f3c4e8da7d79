/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wire codec against hand-checked bytes: every IGMP (RFC 1112, 2236, 3376 §4) and MLD
 * (RFC 2710, 3810 §5) message type decoded and encoded, one test per error code, the IP layer
 * (RFC 2113, RFC 2711, RFC 8200 §4) and truncation at every length. Checksums in the vectors
 * were computed independently (python3, RFC 1071 arithmetic) and are hard-coded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mgm/wire.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct mgm_addr addr(const char *text)
{
	struct mgm_addr a;

	assert_int_equal(mgm_addr_parse(text, &a), 0);
	return a;
}

static void assert_addr(const struct mgm_addr *a, const char *text)
{
	struct mgm_addr want = addr(text);

	assert_true(mgm_addr_eq(a, &want));
}

/* Recomputes an IGMP checksum after a test edits a message, so that the edit and not the
 * checksum is what the decoder sees. (mgm_inet_checksum itself is proven by the vectors.) */
static void fix_igmp(uint8_t *b, size_t len)
{
	b[2] = b[3] = 0;
	uint16_t c = mgm_inet_checksum(b, len, 0);
	b[2] = (uint8_t)(c >> 8);
	b[3] = (uint8_t)c;
}

static void fix_mld(uint8_t *b, size_t len, const char *src, const char *dst)
{
	struct mgm_addr s = addr(src), d = addr(dst);

	b[2] = b[3] = 0;
	uint16_t c = mgm_inet_checksum(b, len, mgm_icmp6_pseudo_sum(&s, &d, (uint32_t)len));
	b[2] = (uint8_t)(c >> 8);
	b[3] = (uint8_t)c;
}

/* Decodes from a heap copy of exactly len octets, so that AddressSanitizer sees any read past
 * the end. Only for tests that look at the result code and scalar fields. */
static int igmp_exact(const uint8_t *b, size_t len, struct mgm_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, b, len);
	err = mgm_igmp_decode(copy, len, m);
	free(copy);
	return err;
}

static int mld_exact(const uint8_t *b, size_t len, const char *src, const char *dst,
		     struct mgm_msg *m)
{
	struct mgm_addr s = addr(src), d = addr(dst);
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, b, len);
	err = mgm_mld_decode(copy, len, &s, &d, m);
	free(copy);
	return err;
}

/* ==== IGMP vectors ========================================================================== */

static const uint8_t igmp_v1_query[] = {
	0x11,			/* type: membership query */
	0x00,			/* max resp code 0: IGMPv1 */
	0xee, 0xff,		/* checksum */
	0x00, 0x00, 0x00, 0x00, /* group 0.0.0.0: general */
};

static const uint8_t igmp_v2_general_query[] = {
	0x11,			/* type: membership query */
	0x64,			/* max resp time 100 tenths = 10 s */
	0xee, 0x9b,		/* checksum */
	0x00, 0x00, 0x00, 0x00, /* general */
};

static const uint8_t igmp_v2_group_query[] = {
	0x11,			/* type */
	0x0a,			/* 10 tenths: last member query interval */
	0xfd, 0xf0,		/* checksum */
	0xef, 0x01, 0x02, 0x03, /* group 239.1.2.3 */
};

static const uint8_t igmp_v3_query[] = {
	0x11,			/* type */
	0x8c,			/* max resp code: exp 0, mant 12 -> (12|16) << 3 = 224 tenths */
	0x2f, 0x46,		/* checksum */
	0xe8, 0x01, 0x01, 0x01, /* group 232.1.1.1 */
	0x0a,			/* resv 0, S 1, QRV 2 */
	0x7d,			/* QQIC 125 s */
	0x00, 0x02,		/* 2 sources */
	0x0a, 0x00, 0x00, 0x01, /* 10.0.0.1 */
	0xc0, 0xa8, 0x01, 0x02, /* 192.168.1.2 */
};

static const uint8_t igmp_v1_report[] = {
	0x12,			/* type: v1 report */
	0x00,			/* unused */
	0x0d, 0x04,		/* checksum */
	0xe0, 0x00, 0x00, 0xfb, /* 224.0.0.251 */
};

static const uint8_t igmp_v2_report[] = {
	0x16,			/* type: v2 report */
	0x00,			/* max resp 0 */
	0xf8, 0xfa,		/* checksum */
	0xef, 0x01, 0x02, 0x03, /* 239.1.2.3 */
};

static const uint8_t igmp_v2_leave[] = {
	0x17,			/* type: leave group */
	0x00,			/* max resp 0 */
	0xf7, 0xfa,		/* checksum */
	0xef, 0x01, 0x02, 0x03, /* 239.1.2.3 */
};

/* clang-format off */
static const uint8_t igmp_v3_report[] = {
	0x22, 0x00,             /* type: v3 report, reserved */
	0x69, 0x24,             /* checksum */
	0x00, 0x00,             /* reserved */
	0x00, 0x06,             /* 6 group records */
	/* record 1: MODE_IS_INCLUDE, no aux, 1 source */
	0x01, 0x00, 0x00, 0x01, /* type, aux words, sources */
	0xe8, 0x01, 0x01, 0x01, /* 232.1.1.1 */
	0x0a, 0x00, 0x00, 0x01, /* 10.0.0.1 */
	/* record 2: MODE_IS_EXCLUDE, no sources */
	0x02, 0x00, 0x00, 0x00,
	0xef, 0x00, 0x00, 0x02, /* 239.0.0.2 */
	/* record 3: CHANGE_TO_INCLUDE, 2 sources */
	0x03, 0x00, 0x00, 0x02,
	0xef, 0x00, 0x00, 0x03, /* 239.0.0.3 */
	0x0a, 0x00, 0x00, 0x02, /* 10.0.0.2 */
	0x0a, 0x00, 0x00, 0x03, /* 10.0.0.3 */
	/* record 4: CHANGE_TO_EXCLUDE, 1 aux word, 1 source */
	0x04, 0x01, 0x00, 0x01,
	0xef, 0x00, 0x00, 0x04, /* 239.0.0.4 */
	0x0a, 0x00, 0x00, 0x04, /* 10.0.0.4 */
	0xde, 0xad, 0xbe, 0xef, /* aux data */
	/* record 5: ALLOW_NEW_SOURCES, 1 source */
	0x05, 0x00, 0x00, 0x01,
	0xe8, 0x00, 0x00, 0x05, /* 232.0.0.5 */
	0x0a, 0x00, 0x00, 0x05, /* 10.0.0.5 */
	/* record 6: BLOCK_OLD_SOURCES, 1 source */
	0x06, 0x00, 0x00, 0x01,
	0xe8, 0x00, 0x00, 0x06, /* 232.0.0.6 */
	0x0a, 0x00, 0x00, 0x06, /* 10.0.0.6 */
};
/* clang-format on */

static void test_decode_igmp_v1_query(void **state)
{
	struct mgm_msg m;

	assert_int_equal(mgm_igmp_decode(igmp_v1_query, sizeof(igmp_v1_query), &m), 0);
	assert_int_equal(m.family, MGM_INET);
	assert_int_equal(m.kind, MGM_MSG_QUERY);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.type, MGM_IGMP_QUERY);
	assert_int_equal(m.len, 8);
	assert_true(mgm_addr_is_any(&m.group));
	assert_int_equal(m.max_resp_code, 0);
	assert_int_equal(m.max_resp_ms, 10000); /* RFC 2236 §4 */
	assert_int_equal(m.num_sources, 0);
	assert_null(m.sources);
	assert_null(m.records);
}

/* wire.h: fields the kind does not use are zero, even when the caller's struct held garbage. */
static void test_decode_leaves_unused_fields_zero(void **state)
{
	struct mgm_msg m;

	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(mgm_igmp_decode(igmp_v2_report, 8, &m), 0);
	assert_int_equal(m.family, MGM_INET);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.type, MGM_IGMP_V2_REPORT);
	assert_int_equal(m.len, 8);
	assert_int_equal(m.group.family, MGM_INET);
	assert_memory_equal(m.group.octets, "\xef\x01\x02\x03\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(m.max_resp_code, 0);
	assert_int_equal(m.max_resp_ms, 0);
	assert_false(m.suppress);
	assert_int_equal(m.qrv, 0);
	assert_int_equal(m.qqic, 0);
	assert_int_equal(m.qqi, 0);
	assert_int_equal(m.num_sources, 0);
	assert_null(m.sources);
	assert_int_equal(m.num_records, 0);
	assert_null(m.records);
	assert_int_equal(m.records_len, 0);
#if UINTPTR_MAX == 0xffffffffffffffffu
	/* Trip-wire: the decoders reset struct mgm_msg field by field (wire_msg_reset()); a new
	 * field changes the size and must be added there and above. */
	assert_int_equal(sizeof(struct mgm_msg), 88);
#endif
}

static void test_decode_igmp_v2_general_and_group_query(void **state)
{
	struct mgm_msg m;

	assert_int_equal(mgm_igmp_decode(igmp_v2_general_query, 8, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_QUERY);
	assert_int_equal(m.version, 2);
	assert_true(mgm_addr_is_any(&m.group));
	assert_int_equal(m.max_resp_code, 100);
	assert_int_equal(m.max_resp_ms, 10000);

	assert_int_equal(mgm_igmp_decode(igmp_v2_group_query, 8, &m), 0);
	assert_int_equal(m.version, 2);
	assert_addr(&m.group, "239.1.2.3");
	assert_int_equal(m.max_resp_ms, 1000);
	assert_false(m.suppress);
	assert_int_equal(m.qrv, 0);
}

static void test_decode_igmp_v3_query_with_sources(void **state)
{
	struct mgm_msg m;
	struct mgm_addr s;

	assert_int_equal(mgm_igmp_decode(igmp_v3_query, sizeof(igmp_v3_query), &m), 0);
	assert_int_equal(m.kind, MGM_MSG_QUERY);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.len, 20);
	assert_addr(&m.group, "232.1.1.1");
	assert_int_equal(m.max_resp_code, 0x8c);
	assert_int_equal(m.max_resp_ms, 22400);
	assert_true(m.suppress);
	assert_int_equal(m.qrv, 2);
	assert_int_equal(m.qqic, 125);
	assert_int_equal(m.qqi, 125);
	assert_int_equal(m.num_sources, 2);
	assert_ptr_equal(m.sources, igmp_v3_query + 12);
	mgm_source_at(m.sources, MGM_INET, 0, &s);
	assert_addr(&s, "10.0.0.1");
	mgm_source_at(m.sources, MGM_INET, 1, &s);
	assert_addr(&s, "192.168.1.2");
}

static void test_decode_igmp_v3_query_additional_data_ignored(void **state)
{
	/* RFC 3376 §4.1.10: octets past the sources are additional data, not an error. */
	uint8_t b[sizeof(igmp_v3_query) + 4];
	struct mgm_msg m;

	memcpy(b, igmp_v3_query, sizeof(igmp_v3_query));
	memcpy(b + sizeof(igmp_v3_query), "\x01\x02\x03\x04", 4);
	fix_igmp(b, sizeof(b));
	assert_int_equal(mgm_igmp_decode(b, sizeof(b), &m), 0);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.num_sources, 2);
	assert_int_equal(m.len, sizeof(b));
}

static void test_decode_igmp_v1_v2_report_and_leave(void **state)
{
	struct mgm_msg m;

	assert_int_equal(mgm_igmp_decode(igmp_v1_report, 8, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.type, 0x12);
	assert_addr(&m.group, "224.0.0.251");

	assert_int_equal(mgm_igmp_decode(igmp_v2_report, 8, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 2);
	assert_addr(&m.group, "239.1.2.3");
	assert_int_equal(m.max_resp_ms, 0);

	assert_int_equal(mgm_igmp_decode(igmp_v2_leave, 8, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_LEAVE);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.type, 0x17);
	assert_addr(&m.group, "239.1.2.3");
}

static void test_decode_igmp_v2_report_longer_than_8_accepted(void **state)
{
	/* RFC 2236 §2.5: a longer message is accepted, its first 8 octets used. */
	uint8_t b[12] = {0};
	struct mgm_msg m;

	memcpy(b, igmp_v2_report, 8);
	fix_igmp(b, sizeof(b));
	assert_int_equal(mgm_igmp_decode(b, sizeof(b), &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.len, 12);
}

static const struct {
	uint8_t type, aux_words;
	const char *group;
	const char *sources[2];
	uint16_t num_sources;
} igmp_v3_report_records[] = {
	{MGM_MODE_IS_INCLUDE, 0, "232.1.1.1", {"10.0.0.1"}, 1},
	{MGM_MODE_IS_EXCLUDE, 0, "239.0.0.2", {NULL}, 0},
	{MGM_CHANGE_TO_INCLUDE, 0, "239.0.0.3", {"10.0.0.2", "10.0.0.3"}, 2},
	{MGM_CHANGE_TO_EXCLUDE, 1, "239.0.0.4", {"10.0.0.4"}, 1},
	{MGM_ALLOW_NEW_SOURCES, 0, "232.0.0.5", {"10.0.0.5"}, 1},
	{MGM_BLOCK_OLD_SOURCES, 0, "232.0.0.6", {"10.0.0.6"}, 1},
};

static void test_decode_igmp_v3_report_all_six_record_types(void **state)
{
	struct mgm_msg m;
	struct mgm_record_iter it;
	struct mgm_record r;
	size_t n = 0;

	assert_int_equal(mgm_igmp_decode(igmp_v3_report, sizeof(igmp_v3_report), &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.num_records, 6);
	assert_ptr_equal(m.records, igmp_v3_report + 8);
	assert_int_equal(m.records_len, sizeof(igmp_v3_report) - 8);
	assert_true(mgm_addr_is_any(&m.group));

	mgm_records_begin(&m, &it);
	while (mgm_records_next(&it, &r)) {
		assert_true(n < ARRAY_LEN(igmp_v3_report_records));
		assert_int_equal(r.type, igmp_v3_report_records[n].type);
		assert_int_equal(r.aux_words, igmp_v3_report_records[n].aux_words);
		assert_int_equal(r.num_sources, igmp_v3_report_records[n].num_sources);
		assert_addr(&r.group, igmp_v3_report_records[n].group);
		for (size_t i = 0; i < r.num_sources; i++) {
			struct mgm_addr s;

			mgm_source_at(r.sources, MGM_INET, i, &s);
			assert_addr(&s, igmp_v3_report_records[n].sources[i]);
		}
		if (r.aux_words)
			assert_memory_equal(r.aux, "\xde\xad\xbe\xef", 4);
		n++;
	}
	assert_int_equal(n, 6);
	assert_false(mgm_records_next(&it, &r));
}

static void test_decode_v3_report_trailing_octets_after_records(void **state)
{
	uint8_t b[sizeof(igmp_v3_report) + 3];
	struct mgm_msg m;

	memcpy(b, igmp_v3_report, sizeof(igmp_v3_report));
	memset(b + sizeof(igmp_v3_report), 0, 3);
	fix_igmp(b, sizeof(b));
	assert_int_equal(mgm_igmp_decode(b, sizeof(b), &m), 0);
	assert_int_equal(m.records_len, sizeof(igmp_v3_report) - 8);
}

static void test_encode_igmp_queries_byte_exact(void **state)
{
	uint8_t buf[64];
	size_t len;
	struct mgm_addr srcs[2] = {addr("10.0.0.1"), addr("192.168.1.2")};
	struct mgm_query q = {.version = 1};

	mgm_addr_any(&q.group, MGM_INET);
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, igmp_v1_query, 8);

	q.version = 2;
	q.max_resp_code = 100;
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, igmp_v2_general_query, 8);

	q.group = addr("239.1.2.3");
	q.max_resp_code = 10;
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, igmp_v2_group_query, 8);

	q = (struct mgm_query){.version = 3,
			       .group = addr("232.1.1.1"),
			       .max_resp_code = 0x8c,
			       .suppress = true,
			       .qrv = 2,
			       .qqic = 125,
			       .num_sources = 2,
			       .sources = srcs};
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(igmp_v3_query));
	assert_memory_equal(buf, igmp_v3_query, sizeof(igmp_v3_query));
}

static void test_encode_igmp_v1_v2_report_and_leave_byte_exact(void **state)
{
	uint8_t buf[8];
	size_t len;
	struct mgm_addr g = addr("224.0.0.251");

	assert_int_equal(mgm_encode_v1v2(MGM_INET, MGM_MSG_REPORT, 1, &g, NULL, NULL, buf, 8, &len),
			 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, igmp_v1_report, 8);
	g = addr("239.1.2.3");
	assert_int_equal(mgm_encode_v1v2(MGM_INET, MGM_MSG_REPORT, 2, &g, NULL, NULL, buf, 8, &len),
			 0);
	assert_memory_equal(buf, igmp_v2_report, 8);
	assert_int_equal(mgm_encode_v1v2(MGM_INET, MGM_MSG_LEAVE, 2, &g, NULL, NULL, buf, 8, &len),
			 0);
	assert_memory_equal(buf, igmp_v2_leave, 8);
}

static void test_encode_igmp_v3_report_byte_exact(void **state)
{
	struct mgm_group_record recs[6];
	struct mgm_addr srcs[6][2];
	struct mgm_report_writer w;
	uint8_t buf[1500];
	size_t len;

	for (size_t i = 0; i < 6; i++) {
		recs[i] = (struct mgm_group_record){
			.type = igmp_v3_report_records[i].type,
			.group = addr(igmp_v3_report_records[i].group),
			.num_sources = igmp_v3_report_records[i].num_sources,
			.sources = srcs[i],
			.aux_words = igmp_v3_report_records[i].aux_words,
			.aux = (const uint8_t *)"\xde\xad\xbe\xef",
		};
		for (size_t j = 0; j < recs[i].num_sources; j++)
			srcs[i][j] = addr(igmp_v3_report_records[i].sources[j]);
	}
	mgm_report_writer_init(&w, MGM_INET, recs, 6, 1500);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, sizeof(igmp_v3_report));
	assert_memory_equal(buf, igmp_v3_report, sizeof(igmp_v3_report));
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 0);
}

/* ==== MLD vectors =========================================================================== */

/* clang-format off */
static const uint8_t mld_v1_query[] = {
	130,        /* type: multicast listener query */
	0,          /* code */
	0x59, 0x17, /* checksum (src fe80::1, dst ff02::1) */
	0x27, 0x10, /* maximum response delay 10000 ms */
	0x00, 0x00, /* reserved */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* :: (general query) */
};
/* clang-format on */

/* clang-format off */
static const uint8_t mld_v2_query[] = {
	130, 0,     /* type, code */
	0xab, 0xf8, /* checksum (src fe80::1, dst ff3e::1234) */
	0x80, 0x00, /* max resp code: exp 0, mant 0 -> 0x1000 << 3 = 32768 ms */
	0x00, 0x00, /* reserved */
	0xff, 0x3e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, /* ff3e::1234 */
	0x02,       /* resv 0, S 0, QRV 2 */
	0x7d,       /* QQIC 125 */
	0x00, 0x01, /* 1 source */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* 2001:db8::1 */
};
/* clang-format on */

/* clang-format off */
static const uint8_t mld_v1_report[] = {
	131, 0,     /* type: listener report, code */
	0x80, 0x1b, /* checksum (src fe80::1, dst ff05::2) */
	0x00, 0x00, /* maximum response delay 0 */
	0x00, 0x00, /* reserved */
	0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* ff05::2 */
};
/* clang-format on */

/* clang-format off */
static const uint8_t mld_v1_done[] = {
	132, 0,     /* type: listener done, code */
	0x7f, 0x1e, /* checksum (src fe80::1, dst ff02::2) */
	0x00, 0x00, /* maximum response delay 0 */
	0x00, 0x00, /* reserved */
	0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* ff05::2 */
};
/* clang-format on */

/* clang-format off */
static const uint8_t mld_v2_report[] = {
	143, 0,     /* type: MLDv2 report, reserved */
	0x3d, 0xcf, /* checksum (src fe80::1, dst ff02::16) */
	0x00, 0x00, /* reserved */
	0x00, 0x02, /* 2 records */
	/* record 1: MODE_IS_INCLUDE, no aux, 1 source */
	0x01, 0x00, 0x00, 0x01,                                    /* type, aux words, sources */
	0xff, 0x3e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,         /* ff3e::1 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, /* 2001:db8::a */
	/* record 2: CHANGE_TO_EXCLUDE, 1 aux word, no sources */
	0x04, 0x01, 0x00, 0x00,
	0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04,         /* ff05::4 */
	0x01, 0x02, 0x03, 0x04,                                    /* aux data */
};
/* clang-format on */

static void test_decode_mld_v1_query(void **state)
{
	struct mgm_msg m;
	struct mgm_addr s = addr("fe80::1"), d = addr("ff02::1");

	assert_int_equal(mgm_mld_decode(mld_v1_query, sizeof(mld_v1_query), &s, &d, &m), 0);
	assert_int_equal(m.family, MGM_INET6);
	assert_int_equal(m.kind, MGM_MSG_QUERY);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.type, 130);
	assert_true(mgm_addr_is_any(&m.group));
	assert_int_equal(m.group.family, MGM_INET6);
	assert_int_equal(m.max_resp_code, 10000);
	assert_int_equal(m.max_resp_ms, 10000);
}

static void test_decode_mld_v2_query(void **state)
{
	struct mgm_msg m;
	struct mgm_addr s = addr("fe80::1"), d = addr("ff3e::1234"), src;

	assert_int_equal(mgm_mld_decode(mld_v2_query, sizeof(mld_v2_query), &s, &d, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_QUERY);
	assert_int_equal(m.version, 2);
	assert_addr(&m.group, "ff3e::1234");
	assert_int_equal(m.max_resp_code, 0x8000);
	assert_int_equal(m.max_resp_ms, 32768);
	assert_false(m.suppress);
	assert_int_equal(m.qrv, 2);
	assert_int_equal(m.qqi, 125);
	assert_int_equal(m.num_sources, 1);
	mgm_source_at(m.sources, MGM_INET6, 0, &src);
	assert_addr(&src, "2001:db8::1");
}

static void test_decode_mld_v1_report_and_done(void **state)
{
	struct mgm_msg m;
	struct mgm_addr s = addr("fe80::1"), d = addr("ff05::2"), d2 = addr("ff02::2");

	assert_int_equal(mgm_mld_decode(mld_v1_report, 24, &s, &d, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 1);
	assert_addr(&m.group, "ff05::2");

	assert_int_equal(mgm_mld_decode(mld_v1_done, 24, &s, &d2, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_LEAVE);
	assert_int_equal(m.version, 1);
	assert_addr(&m.group, "ff05::2");
}

static void test_decode_mld_v2_report(void **state)
{
	struct mgm_msg m;
	struct mgm_addr s = addr("fe80::1"), d = addr("ff02::16"), src;
	struct mgm_record_iter it;
	struct mgm_record r;

	assert_int_equal(mgm_mld_decode(mld_v2_report, sizeof(mld_v2_report), &s, &d, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.num_records, 2);
	assert_int_equal(m.records_len, sizeof(mld_v2_report) - 8);
	mgm_records_begin(&m, &it);
	assert_true(mgm_records_next(&it, &r));
	assert_int_equal(r.type, MGM_MODE_IS_INCLUDE);
	assert_addr(&r.group, "ff3e::1");
	assert_int_equal(r.num_sources, 1);
	mgm_source_at(r.sources, MGM_INET6, 0, &src);
	assert_addr(&src, "2001:db8::a");
	assert_true(mgm_records_next(&it, &r));
	assert_int_equal(r.type, MGM_CHANGE_TO_EXCLUDE);
	assert_addr(&r.group, "ff05::4");
	assert_int_equal(r.num_sources, 0);
	assert_int_equal(r.aux_words, 1);
	assert_memory_equal(r.aux, "\x01\x02\x03\x04", 4);
	assert_false(mgm_records_next(&it, &r));
}

static void test_decode_mld_checksum_covers_pseudo_header(void **state)
{
	struct mgm_msg m;
	struct mgm_addr s = addr("fe80::2"), d = addr("ff05::2");

	/* Same octets, another source address: the pseudo-header no longer matches. */
	assert_int_equal(mgm_mld_decode(mld_v1_report, 24, &s, &d, &m), MGM_E_CHECKSUM);
}

static void test_encode_mld_messages_byte_exact(void **state)
{
	uint8_t buf[128];
	size_t len;
	struct mgm_addr s = addr("fe80::1"), d, g;
	struct mgm_addr src1 = addr("2001:db8::1");
	struct mgm_query q = {.version = 1, .max_resp_code = 10000};
	struct mgm_group_record recs[2];
	struct mgm_addr rsrc = addr("2001:db8::a");
	struct mgm_report_writer w;

	mgm_addr_any(&q.group, MGM_INET6);
	d = addr("ff02::1");
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, &s, &d, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 24);
	assert_memory_equal(buf, mld_v1_query, 24);

	q = (struct mgm_query){.version = 2,
			       .group = addr("ff3e::1234"),
			       .max_resp_code = 0x8000,
			       .qrv = 2,
			       .qqic = 125,
			       .num_sources = 1,
			       .sources = &src1};
	d = addr("ff3e::1234");
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, &s, &d, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(mld_v2_query));
	assert_memory_equal(buf, mld_v2_query, sizeof(mld_v2_query));

	g = addr("ff05::2");
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET6, MGM_MSG_REPORT, 1, &g, &s, &g, buf, sizeof(buf), &len),
		0);
	assert_int_equal(len, 24);
	assert_memory_equal(buf, mld_v1_report, 24);
	d = addr("ff02::2");
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET6, MGM_MSG_LEAVE, 1, &g, &s, &d, buf, sizeof(buf), &len),
		0);
	assert_memory_equal(buf, mld_v1_done, 24);

	recs[0] = (struct mgm_group_record){.type = MGM_MODE_IS_INCLUDE,
					    .group = addr("ff3e::1"),
					    .num_sources = 1,
					    .sources = &rsrc};
	recs[1] = (struct mgm_group_record){.type = MGM_CHANGE_TO_EXCLUDE,
					    .group = addr("ff05::4"),
					    .aux_words = 1,
					    .aux = (const uint8_t *)"\x01\x02\x03\x04"};
	d = addr("ff02::16");
	mgm_report_writer_init(&w, MGM_INET6, recs, 2, 1500);
	assert_int_equal(mgm_report_writer_next(&w, &s, &d, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, sizeof(mld_v2_report));
	assert_memory_equal(buf, mld_v2_report, sizeof(mld_v2_report));
	assert_int_equal(mgm_report_writer_next(&w, &s, &d, buf, sizeof(buf), &len), 0);
}

/* ==== one test per error code ============================================================== */

static void test_decode_short_buffer(void **state)
{
	struct mgm_msg m;

	assert_int_equal(igmp_exact(igmp_v2_report, 0, &m), MGM_E_SHORT);
	assert_int_equal(igmp_exact(igmp_v2_report, 3, &m), MGM_E_SHORT);
	assert_int_equal(igmp_exact(igmp_v2_report, 7, &m), MGM_E_SHORT);
	assert_int_equal(igmp_exact(igmp_v1_query, 7, &m), MGM_E_SHORT);
	assert_int_equal(igmp_exact(igmp_v3_report, 7, &m), MGM_E_SHORT);
	assert_int_equal(mld_exact(mld_v1_report, 23, "fe80::1", "ff05::2", &m), MGM_E_SHORT);
	assert_int_equal(mld_exact(mld_v1_query, 23, "fe80::1", "ff02::1", &m), MGM_E_SHORT);
	assert_int_equal(mld_exact(mld_v2_report, 7, "fe80::1", "ff02::16", &m), MGM_E_SHORT);
	assert_int_equal(mld_exact(mld_v2_report, 3, "fe80::1", "ff02::16", &m), MGM_E_SHORT);
}

static void test_decode_bad_checksum(void **state)
{
	uint8_t b[8];
	struct mgm_msg m;

	for (size_t i = 0; i < 8; i++) {
		memcpy(b, igmp_v2_report, 8);
		b[i] ^= 0x40;
		assert_int_equal(igmp_exact(b, 8, &m), MGM_E_CHECKSUM);
	}
}

static void test_decode_query_length_9_to_11_and_mld_25_to_27(void **state)
{
	uint8_t b[32] = {0};
	struct mgm_msg m;

	for (size_t len = 9; len <= 11; len++) {
		memcpy(b, igmp_v2_group_query, 8);
		memset(b + 8, 0, 8);
		fix_igmp(b, len);
		assert_int_equal(igmp_exact(b, len, &m), MGM_E_LENGTH);
	}
	for (size_t len = 25; len <= 27; len++) {
		memcpy(b, mld_v1_query, 24);
		memset(b + 24, 0, 8);
		fix_mld(b, len, "fe80::1", "ff02::1");
		assert_int_equal(mld_exact(b, len, "fe80::1", "ff02::1", &m), MGM_E_LENGTH);
	}
}

static void test_decode_v3_report_record_overrun(void **state)
{
	uint8_t b[sizeof(igmp_v3_report)];
	struct mgm_msg m;

	memcpy(b, igmp_v3_report, sizeof(b));
	b[7] = 7; /* one record more than the message holds */
	fix_igmp(b, sizeof(b));
	assert_int_equal(igmp_exact(b, sizeof(b), &m), MGM_E_RECORD_OVERRUN);
	/* A record header cut in the middle of its group address. */
	memcpy(b, igmp_v3_report, 8);
	b[7] = 1;
	memcpy(b + 8, "\x01\x00\x00\x00\xe8\x01", 6);
	fix_igmp(b, 14);
	assert_int_equal(igmp_exact(b, 14, &m), MGM_E_RECORD_OVERRUN);
}

static void test_decode_v3_report_source_overrun(void **state)
{
	uint8_t b[sizeof(igmp_v3_report)];
	struct mgm_msg m;

	memcpy(b, igmp_v3_report, sizeof(b));
	b[8 + 3] = 0xff; /* first record claims 255 sources */
	fix_igmp(b, sizeof(b));
	assert_int_equal(igmp_exact(b, sizeof(b), &m), MGM_E_SOURCE_OVERRUN);
}

static void test_decode_v3_query_source_overrun(void **state)
{
	uint8_t b[sizeof(igmp_v3_query)];
	struct mgm_msg m;

	memcpy(b, igmp_v3_query, sizeof(b));
	b[11] = 3; /* 3 sources, 2 present */
	fix_igmp(b, sizeof(b));
	assert_int_equal(igmp_exact(b, sizeof(b), &m), MGM_E_SOURCE_OVERRUN);

	uint8_t q6[sizeof(mld_v2_query)];
	memcpy(q6, mld_v2_query, sizeof(q6));
	q6[27] = 2;
	fix_mld(q6, sizeof(q6), "fe80::1", "ff3e::1234");
	assert_int_equal(mld_exact(q6, sizeof(q6), "fe80::1", "ff3e::1234", &m),
			 MGM_E_SOURCE_OVERRUN);
}

static void test_decode_v3_report_aux_overrun(void **state)
{
	uint8_t b[sizeof(mld_v2_report)];
	struct mgm_msg m;

	memcpy(b, mld_v2_report, sizeof(b));
	b[8 + 36 + 1] = 2; /* second record: 2 aux words, 1 present */
	fix_mld(b, sizeof(b), "fe80::1", "ff02::16");
	assert_int_equal(mld_exact(b, sizeof(b), "fe80::1", "ff02::16", &m), MGM_E_AUX_OVERRUN);
}

static void test_decode_v3_report_unknown_record_type(void **state)
{
	uint8_t b[sizeof(igmp_v3_report)];
	struct mgm_msg m;
	static const uint8_t bad_types[] = {0, 7, 0xff};

	for (size_t i = 0; i < ARRAY_LEN(bad_types); i++) {
		memcpy(b, igmp_v3_report, sizeof(b));
		b[8 + 12] = bad_types[i]; /* the second record */
		fix_igmp(b, sizeof(b));
		assert_int_equal(igmp_exact(b, sizeof(b), &m), MGM_E_RECORD_TYPE);
	}
}

static void test_decode_group_not_multicast(void **state)
{
	uint8_t b[sizeof(igmp_v3_report)];
	struct mgm_msg m;

	/* A v2 report for a unicast "group": the decision is documented at the decoder. */
	memcpy(b, igmp_v2_report, 8);
	memcpy(b + 4, "\x0a\x01\x01\x01", 4);
	fix_igmp(b, 8);
	assert_int_equal(igmp_exact(b, 8, &m), MGM_E_GROUP_NOT_MULTICAST);
	/* v1 report with group 0.0.0.0 */
	memcpy(b, igmp_v1_report, 8);
	memset(b + 4, 0, 4);
	fix_igmp(b, 8);
	assert_int_equal(igmp_exact(b, 8, &m), MGM_E_GROUP_NOT_MULTICAST);
	/* A query's group may be zero, never unicast. */
	memcpy(b, igmp_v3_query, sizeof(igmp_v3_query));
	memcpy(b + 4, "\xc0\xa8\x00\x01", 4);
	fix_igmp(b, sizeof(igmp_v3_query));
	assert_int_equal(igmp_exact(b, sizeof(igmp_v3_query), &m), MGM_E_GROUP_NOT_MULTICAST);
	/* A record's group. */
	memcpy(b, igmp_v3_report, sizeof(igmp_v3_report));
	memcpy(b + 8 + 4, "\x0a\x00\x00\x09", 4);
	fix_igmp(b, sizeof(igmp_v3_report));
	assert_int_equal(igmp_exact(b, sizeof(igmp_v3_report), &m), MGM_E_GROUP_NOT_MULTICAST);
	/* MLD: a done for a unicast address. */
	uint8_t d[24];
	memcpy(d, mld_v1_done, 24);
	d[8] = 0x20;
	fix_mld(d, 24, "fe80::1", "ff02::2");
	assert_int_equal(mld_exact(d, 24, "fe80::1", "ff02::2", &m), MGM_E_GROUP_NOT_MULTICAST);
}

static void test_decode_source_not_unicast(void **state)
{
	static const uint8_t bad4[][4] = {
		{224, 1, 1, 1}, {0, 0, 0, 0}, {255, 255, 255, 255}, {127, 0, 0, 1}, {239, 0, 0, 1},
	};
	uint8_t b[sizeof(igmp_v3_report)];
	struct mgm_msg m;

	for (size_t i = 0; i < ARRAY_LEN(bad4); i++) {
		memcpy(b, igmp_v3_query, sizeof(igmp_v3_query));
		memcpy(b + 16, bad4[i], 4); /* the query's second source */
		fix_igmp(b, sizeof(igmp_v3_query));
		assert_int_equal(igmp_exact(b, sizeof(igmp_v3_query), &m),
				 MGM_E_SOURCE_NOT_UNICAST);
		memcpy(b, igmp_v3_report, sizeof(igmp_v3_report));
		memcpy(b + 28 + 8, bad4[i], 4); /* record 3 (at 28), first source */
		fix_igmp(b, sizeof(igmp_v3_report));
		assert_int_equal(igmp_exact(b, sizeof(igmp_v3_report), &m),
				 MGM_E_SOURCE_NOT_UNICAST);
	}
	/* MLD: ::, ::1 and a multicast address as a record source. */
	static const uint8_t bad6_last[] = {0, 1};
	uint8_t r6[sizeof(mld_v2_report)];
	for (size_t i = 0; i < 3; i++) {
		memcpy(r6, mld_v2_report, sizeof(r6));
		memset(r6 + 8 + 20, 0, 16);
		if (i < 2)
			r6[8 + 20 + 15] = bad6_last[i];
		else
			r6[8 + 20] = 0xff;
		fix_mld(r6, sizeof(r6), "fe80::1", "ff02::16");
		assert_int_equal(mld_exact(r6, sizeof(r6), "fe80::1", "ff02::16", &m),
				 MGM_E_SOURCE_NOT_UNICAST);
	}
}

static void test_decode_report_for_all_systems(void **state)
{
	uint8_t b[sizeof(igmp_v3_report)];
	struct mgm_msg m;
	const uint8_t *msgs[] = {igmp_v1_report, igmp_v2_report, igmp_v2_leave};

	for (size_t i = 0; i < ARRAY_LEN(msgs); i++) {
		memcpy(b, msgs[i], 8);
		memcpy(b + 4, "\xe0\x00\x00\x01", 4);
		fix_igmp(b, 8);
		assert_int_equal(igmp_exact(b, 8, &m), MGM_E_REPORT_ALL_SYSTEMS);
	}
	memcpy(b, igmp_v3_report, sizeof(igmp_v3_report));
	memcpy(b + 8 + 4, "\xe0\x00\x00\x01", 4);
	fix_igmp(b, sizeof(igmp_v3_report));
	assert_int_equal(igmp_exact(b, sizeof(igmp_v3_report), &m), MGM_E_REPORT_ALL_SYSTEMS);

	/* ff02::1 in an MLDv1 report and done and an MLDv2 record */
	const uint8_t *m6[] = {mld_v1_report, mld_v1_done};
	for (size_t i = 0; i < 2; i++) {
		memcpy(b, m6[i], 24);
		memset(b + 8, 0, 16);
		b[8] = 0xff;
		b[9] = 0x02;
		b[23] = 1;
		fix_mld(b, 24, "fe80::1", "ff02::1");
		assert_int_equal(mld_exact(b, 24, "fe80::1", "ff02::1", &m),
				 MGM_E_REPORT_ALL_SYSTEMS);
	}
	memcpy(b, mld_v2_report, sizeof(mld_v2_report));
	memset(b + 8 + 36 + 4, 0, 16);
	b[8 + 36 + 4] = 0xff;
	b[8 + 36 + 5] = 0x02;
	b[8 + 36 + 19] = 1;
	fix_mld(b, sizeof(mld_v2_report), "fe80::1", "ff02::16");
	assert_int_equal(mld_exact(b, sizeof(mld_v2_report), "fe80::1", "ff02::16", &m),
			 MGM_E_REPORT_ALL_SYSTEMS);
}

static void test_decode_unknown_type_is_ignored_not_error(void **state)
{
	uint8_t b[8] = {0x13, 0, 0, 0, 1, 2, 3, 4}; /* DVMRP */
	struct mgm_msg m;

	fix_igmp(b, 8);
	assert_int_equal(igmp_exact(b, 8, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_UNKNOWN);
	assert_int_equal(m.type, 0x13);
	assert_int_equal(m.version, 0);
	/* RFC 4286 solicitation: 4 octets, still ours to ignore quietly. */
	b[0] = 0x31;
	fix_igmp(b, 4);
	assert_int_equal(igmp_exact(b, 4, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_UNKNOWN);
	/* ICMPv6 echo request: checksum verified, then ignored. */
	uint8_t e[8] = {128, 0, 0, 0, 0, 1, 0, 1};
	fix_mld(e, 8, "fe80::1", "fe80::2");
	assert_int_equal(mld_exact(e, 8, "fe80::1", "fe80::2", &m), 0);
	assert_int_equal(m.kind, MGM_MSG_UNKNOWN);
	e[5] ^= 1;
	assert_int_equal(mld_exact(e, 8, "fe80::1", "fe80::2", &m), MGM_E_CHECKSUM);
}

static void test_decode_rejects_null_and_wrong_family(void **state)
{
	struct mgm_msg m;
	struct mgm_addr v4 = addr("10.0.0.1"), v6 = addr("fe80::1");

	assert_int_equal(mgm_igmp_decode(NULL, 8, &m), MGM_E_INVAL);
	assert_int_equal(mgm_mld_decode(mld_v1_report, 24, NULL, &v6, &m), MGM_E_INVAL);
	assert_int_equal(mgm_mld_decode(mld_v1_report, 24, &v4, &v6, &m), MGM_E_INVAL);
	assert_int_equal(mgm_decode(5, igmp_v2_report, 8, NULL, NULL, &m), MGM_E_INVAL);
	assert_int_equal(mgm_decode(MGM_INET, igmp_v2_report, 8, NULL, NULL, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
}

/* ==== encoder errors ======================================================================= */

static void test_encode_refuses_small_buffer(void **state)
{
	uint8_t buf[64];
	size_t len;
	struct mgm_addr g = addr("239.1.2.3"), s = addr("fe80::1"), g6 = addr("ff05::2");
	struct mgm_addr src = addr("10.0.0.1");
	struct mgm_query q = {.version = 3, .group = g, .num_sources = 1, .sources = &src};

	assert_int_equal(mgm_encode_v1v2(MGM_INET, MGM_MSG_REPORT, 2, &g, NULL, NULL, buf, 7, &len),
			 MGM_E_NOBUFS);
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 15, &len), MGM_E_NOBUFS);
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 16, &len), 0);
	assert_int_equal(len, 16);
	assert_int_equal(mgm_encode_v1v2(MGM_INET6, MGM_MSG_LEAVE, 1, &g6, &s, &g6, buf, 23, &len),
			 MGM_E_NOBUFS);
	assert_int_equal(mgm_ip_encode(MGM_INET, &src, &g, 8, buf, 23), MGM_E_NOBUFS);
	assert_int_equal(mgm_ip_encode(MGM_INET6, &s, &g6, 24, buf, 47), MGM_E_NOBUFS);
}

static void test_encode_refuses_invalid_arguments(void **state)
{
	uint8_t buf[64];
	size_t len;
	struct mgm_addr all = addr("224.0.0.1"), uni = addr("10.0.0.1"), g = addr("239.1.1.1");
	struct mgm_addr s6 = addr("fe80::1");
	struct mgm_query q = {.version = 2, .group = g, .max_resp_code = 0};

	/* v2 query with code 0 would be read back as v1 (RFC 3376 §7.1). */
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	q.max_resp_code = 300;
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	q = (struct mgm_query){.version = 3, .group = g, .qrv = 8};
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	q = (struct mgm_query){.version = 4, .group = g};
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	q = (struct mgm_query){.version = 3, .group = uni};
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	q = (struct mgm_query){.version = 3, .group = g, .num_sources = 1, .sources = &all};
	assert_int_equal(mgm_encode_query(MGM_INET, &q, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	q = (struct mgm_query){.version = 2, .group = s6};
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, &s6, &s6, buf, 64, &len), MGM_E_INVAL);
	/* MLD needs the addresses for its checksum. */
	q = (struct mgm_query){.version = 2};
	mgm_addr_any(&q.group, MGM_INET6);
	assert_int_equal(mgm_encode_query(MGM_INET6, &q, NULL, &s6, buf, 64, &len), MGM_E_INVAL);
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET, MGM_MSG_REPORT, 2, &all, NULL, NULL, buf, 64, &len),
		MGM_E_INVAL);
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET, MGM_MSG_REPORT, 2, &uni, NULL, NULL, buf, 64, &len),
		MGM_E_INVAL);
	assert_int_equal(mgm_encode_v1v2(MGM_INET, MGM_MSG_QUERY, 2, &g, NULL, NULL, buf, 64, &len),
			 MGM_E_INVAL);
	/* Versions without a one-group message of that kind: IGMPv1 has no leave; IGMPv3 and
	 * MLDv2 report in records; MLD has nothing below version 1. */
	assert_int_equal(mgm_encode_v1v2(MGM_INET, MGM_MSG_LEAVE, 1, &g, NULL, NULL, buf, 64, &len),
			 MGM_E_INVAL);
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET, MGM_MSG_REPORT, 3, &g, NULL, NULL, buf, 64, &len),
		MGM_E_INVAL);
	struct mgm_addr g6 = addr("ff05::2");
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET6, MGM_MSG_REPORT, 2, &g6, &s6, &g6, buf, 64, &len),
		MGM_E_INVAL);
	assert_int_equal(mgm_encode_v1v2(MGM_INET6, MGM_MSG_LEAVE, 2, &g6, &s6, &g6, buf, 64, &len),
			 MGM_E_INVAL);
	assert_int_equal(
		mgm_encode_v1v2(MGM_INET6, MGM_MSG_REPORT, 0, &g6, &s6, &g6, buf, 64, &len),
		MGM_E_INVAL);
}

static void test_report_writer_mtu_too_small(void **state)
{
	struct mgm_addr src = addr("10.0.0.1");
	struct mgm_group_record r = {.type = MGM_ALLOW_NEW_SOURCES, .group = addr("232.1.1.1")};
	struct mgm_report_writer w;
	uint8_t buf[128];
	size_t len;

	/* 24 IP + 8 report header + 8 record: the least a source-less record needs. */
	mgm_report_writer_init(&w, MGM_INET, &r, 1, 39);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), MGM_E_MTU);
	mgm_report_writer_init(&w, MGM_INET, &r, 1, 40);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 16);
	/* With a source, one source more is the least. */
	r.num_sources = 1;
	r.sources = &src;
	mgm_report_writer_init(&w, MGM_INET, &r, 1, 43);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), MGM_E_MTU);
	mgm_report_writer_init(&w, MGM_INET, &r, 1, 44);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 20);
	/* IS_EX must carry at least one of its sources too, not silently become IS_EX({}). */
	r.type = MGM_MODE_IS_EXCLUDE;
	mgm_report_writer_init(&w, MGM_INET, &r, 1, 43);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, sizeof(buf), &len), MGM_E_MTU);
	/* Below the IP header itself. */
	mgm_report_writer_init(&w, MGM_INET6, &r, 1, 20);
	assert_int_equal(mgm_report_writer_next(&w, &src, &src, buf, sizeof(buf), &len),
			 MGM_E_INVAL); /* and an IPv4 source for MLD is refused first */
}

static void test_report_writer_nobufs_keeps_progress(void **state)
{
	struct mgm_addr src = addr("10.0.0.1");
	struct mgm_group_record r = {.type = MGM_ALLOW_NEW_SOURCES,
				     .group = addr("232.1.1.1"),
				     .num_sources = 1,
				     .sources = &src};
	struct mgm_report_writer w;
	uint8_t buf[64];
	size_t len;

	mgm_report_writer_init(&w, MGM_INET, &r, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 19, &len), MGM_E_NOBUFS);
	assert_int_equal(w.next_record, 0);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 20, &len), 1);
	assert_int_equal(w.next_record, 1);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 20, &len), 0);
}

static void test_report_writer_refuses_invalid_records(void **state)
{
	struct mgm_addr bad_src = addr("224.0.0.5");
	struct mgm_group_record r = {.type = 7, .group = addr("232.1.1.1")};
	struct mgm_report_writer w;
	uint8_t buf[64];
	size_t len;

	mgm_report_writer_init(&w, MGM_INET, &r, 1, 1500);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	r.type = MGM_MODE_IS_INCLUDE;
	r.group = addr("224.0.0.1");
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	r.group = addr("232.1.1.1");
	r.num_sources = 1;
	r.sources = &bad_src;
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	r.sources = NULL;
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 64, &len), MGM_E_INVAL);
	/* No records: nothing to send. */
	mgm_report_writer_init(&w, MGM_INET, NULL, 0, 1500);
	assert_int_equal(mgm_report_writer_next(&w, NULL, NULL, buf, 64, &len), 0);
}

/* ==== IP layer ============================================================================= */

/* Packet layouts are kept as written, one header field per line. */
/* clang-format off */
static const uint8_t ipv4_v2_report[] = {
	0x46,                   /* version 4, IHL 6 (24 octets) */
	0xc0,                   /* TOS: internetwork control */
	0x00, 0x20,             /* total length 32 */
	0x00, 0x00,             /* identification */
	0x00, 0x00,             /* flags, fragment offset */
	0x01,                   /* TTL 1 */
	0x02,                   /* protocol IGMP */
	0x71, 0x61,             /* header checksum */
	0xc0, 0xa8, 0x01, 0x0a, /* source 192.168.1.10 */
	0xef, 0x01, 0x02, 0x03, /* destination 239.1.2.3 */
	0x94, 0x04, 0x00, 0x00, /* Router Alert, length 4, value 0 */
	/* IGMPv2 report */
	0x16, 0x00, 0xf8, 0xfa, 0xef, 0x01, 0x02, 0x03,
};

static const uint8_t ipv6_mld_report[] = {
	0x6c, 0x00, 0x00, 0x00, /* version 6, traffic class 0xc0, flow label 0 */
	0x00, 0x20,             /* payload length 32: 8 hop-by-hop + 24 MLD */
	0x00,                   /* next header: hop-by-hop options */
	0x01,                   /* hop limit 1 */
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source fe80::1 */
	0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* destination ff05::2 */
	0x3a, 0x00,             /* next header ICMPv6, length 0 (8 octets) */
	0x05, 0x02, 0x00, 0x00, /* Router Alert, length 2, value 0: MLD */
	0x01, 0x00,             /* PadN, length 0 */
	/* MLDv1 report */
	131, 0, 0x80, 0x1b, 0, 0, 0, 0,
	0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};
/* clang-format on */

static void test_ip_encode_ipv4_byte_exact(void **state)
{
	uint8_t buf[32];
	struct mgm_addr s = addr("192.168.1.10"), d = addr("239.1.2.3");

	assert_int_equal(mgm_ip_header_len(MGM_INET), 24);
	assert_int_equal(mgm_ip_encode(MGM_INET, &s, &d, 8, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, ipv4_v2_report, 24);
}

static void test_ip_encode_ipv6_byte_exact(void **state)
{
	uint8_t buf[48];
	struct mgm_addr s = addr("fe80::1"), d = addr("ff05::2");

	assert_int_equal(mgm_ip_header_len(MGM_INET6), 48);
	assert_int_equal(mgm_ip_encode(MGM_INET6, &s, &d, 24, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, ipv6_mld_report, 48);
	assert_int_equal(mgm_ip_header_len(0), 0);
}

static void test_packet_decode_ipv4_with_router_alert(void **state)
{
	struct mgm_ip_info ip;
	struct mgm_msg m;
	uint8_t b[sizeof(ipv4_v2_report) + 6];

	assert_int_equal(mgm_packet_decode(ipv4_v2_report, sizeof(ipv4_v2_report), &ip, &m), 0);
	assert_int_equal(ip.family, MGM_INET);
	assert_addr(&ip.src, "192.168.1.10");
	assert_addr(&ip.dst, "239.1.2.3");
	assert_int_equal(ip.hop_limit, 1);
	assert_int_equal(ip.tos, 0xc0);
	assert_true(ip.router_alert);
	assert_ptr_equal(ip.payload, ipv4_v2_report + 24);
	assert_int_equal(ip.payload_len, 8);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_addr(&m.group, "239.1.2.3");

	/* Ethernet padding past the total length is not part of the message. */
	memcpy(b, ipv4_v2_report, sizeof(ipv4_v2_report));
	memset(b + sizeof(ipv4_v2_report), 0, 6);
	assert_int_equal(mgm_packet_decode(b, sizeof(b), &ip, &m), 0);
	assert_int_equal(ip.payload_len, 8);
}

/* Rebuilds the IPv4 header checksum after an edit. */
static void fix_ipv4(uint8_t *b)
{
	size_t ihl = (size_t)(b[0] & 0x0f) * 4;

	b[10] = b[11] = 0;
	uint16_t c = mgm_inet_checksum(b, ihl, 0);
	b[10] = (uint8_t)(c >> 8);
	b[11] = (uint8_t)c;
}

static void test_ip_decode_ipv4_without_router_alert_and_ttl(void **state)
{
	uint8_t b[28];
	struct mgm_ip_info ip;

	/* A 20-octet header: the IGMPv1-era form without options. */
	memcpy(b, ipv4_v2_report, 20);
	memcpy(b + 20, ipv4_v2_report + 24, 8);
	b[0] = 0x45;
	b[3] = 28;
	b[8] = 64;
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), 0);
	assert_false(ip.router_alert);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(ip.payload_len, 8);

	/* NOPs and a Router Alert with a reserved value: not an alert for us. */
	uint8_t c[sizeof(ipv4_v2_report) + 4];
	memcpy(c, ipv4_v2_report, 20);
	memcpy(c + 20, "\x01\x01\x01\x01\x94\x04\x00\x01", 8);
	memcpy(c + 28, ipv4_v2_report + 24, 8);
	c[0] = 0x47;
	c[3] = 36;
	fix_ipv4(c);
	assert_int_equal(mgm_ip_decode(c, sizeof(c), &ip), 0);
	assert_false(ip.router_alert);
	/* End of options list, then padding garbage, is fine. */
	memcpy(c + 20, "\x94\x04\x00\x00\x00\x77\x77\x77", 8);
	fix_ipv4(c);
	assert_int_equal(mgm_ip_decode(c, sizeof(c), &ip), 0);
	assert_true(ip.router_alert);
}

static void test_ip_decode_ipv4_errors(void **state)
{
	uint8_t b[sizeof(ipv4_v2_report)];
	struct mgm_ip_info ip;

	memcpy(b, ipv4_v2_report, sizeof(b));
	b[0] = 0x56; /* version 5 */
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_HEADER);
	memcpy(b, ipv4_v2_report, sizeof(b));
	b[0] = 0x44; /* IHL 4 words */
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_HEADER);
	memcpy(b, ipv4_v2_report, sizeof(b));
	b[0] = 0x4f; /* IHL 60 octets > packet */
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_HEADER);
	memcpy(b, ipv4_v2_report, sizeof(b));
	b[3] = 33; /* total length past the buffer */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_HEADER);
	b[3] = 23; /* total length inside the header */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_HEADER);

	memcpy(b, ipv4_v2_report, sizeof(b));
	b[12] ^= 1;
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_CHECKSUM);

	memcpy(b, ipv4_v2_report, sizeof(b));
	b[21] = 3; /* Router Alert with length 3 */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_OPTION);
	b[21] = 1; /* option length below 2 */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_OPTION);
	b[21] = 6; /* option running past the header */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_OPTION);
	memcpy(b + 20, "\x01\x01\x01\x07", 4); /* type with no room for its length */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_OPTION);

	memcpy(b, ipv4_v2_report, sizeof(b));
	b[6] = 0x20; /* more fragments */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_FRAGMENT);
	b[6] = 0x00;
	b[7] = 0x01; /* fragment offset 8 */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_FRAGMENT);
	b[6] = 0x40; /* don't fragment alone is fine */
	b[7] = 0x00;
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), 0);

	memcpy(b, ipv4_v2_report, sizeof(b));
	b[9] = 17; /* UDP */
	fix_ipv4(b);
	assert_int_equal(mgm_ip_decode(b, sizeof(b), &ip), MGM_E_IP_PROTOCOL);

	assert_int_equal(mgm_ip_decode(b, 0, &ip), MGM_E_IP_HEADER);
}

static void test_packet_decode_ipv6_hop_by_hop_router_alert(void **state)
{
	struct mgm_ip_info ip;
	struct mgm_msg m;

	assert_int_equal(mgm_packet_decode(ipv6_mld_report, sizeof(ipv6_mld_report), &ip, &m), 0);
	assert_int_equal(ip.family, MGM_INET6);
	assert_addr(&ip.src, "fe80::1");
	assert_addr(&ip.dst, "ff05::2");
	assert_int_equal(ip.hop_limit, 1);
	assert_int_equal(ip.tos, 0xc0);
	assert_true(ip.router_alert);
	assert_ptr_equal(ip.payload, ipv6_mld_report + 48);
	assert_int_equal(ip.payload_len, 24);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 1);
}

/* Builds fixed header + the given chain + the MLDv1 report into b; returns the length. */
static size_t build_ipv6(uint8_t *b, uint8_t first_nh, const uint8_t *chain, size_t chain_len)
{
	size_t plen = chain_len + 24;

	memcpy(b, ipv6_mld_report, 40);
	b[4] = (uint8_t)(plen >> 8);
	b[5] = (uint8_t)plen;
	b[6] = first_nh;
	if (chain_len)
		memcpy(b + 40, chain, chain_len);
	memcpy(b + 40 + chain_len, ipv6_mld_report + 48, 24);
	return 40 + plen;
}

static void test_ip_decode_ipv6_extension_chain(void **state)
{
	/* clang-format off */
	static const uint8_t chain[] = {
		/* hop-by-hop, 8 octets: next destination options; PadN(0), Router Alert 0 */
		60, 0, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00,
		/* destination options, 16 octets: next routing; an unknown option of type 0x1e
		 * (action bits 00: skip) with 12 octets of data */
		43, 1, 0x1e, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* routing, 8 octets: next AH; type 0, segments left 0 */
		51, 0, 0, 0, 0, 0, 0, 0,
		/* AH, payload length 2 -> 16 octets: next ICMPv6; SPI 1, sequence 1 */
		58, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0,
	};
	/* clang-format on */
	uint8_t b[256];
	size_t len = build_ipv6(b, 0, chain, sizeof(chain));
	struct mgm_ip_info ip;
	struct mgm_msg m;

	assert_int_equal(mgm_packet_decode(b, len, &ip, &m), 0);
	assert_true(ip.router_alert);
	assert_int_equal(ip.payload_len, 24);
	assert_ptr_equal(ip.payload, b + 40 + sizeof(chain));
	assert_int_equal(m.kind, MGM_MSG_REPORT);

	/* No hop-by-hop at all: no Router Alert. */
	len = build_ipv6(b, 58, NULL, 0);
	assert_int_equal(mgm_packet_decode(b, len, &ip, &m), 0);
	assert_false(ip.router_alert);
	/* Router Alert with another value (RSVP = 1) is not MLD's. */
	static const uint8_t rsvp[] = {58, 0, 0x05, 0x02, 0x00, 0x01, 0x01, 0x00};
	len = build_ipv6(b, 0, rsvp, sizeof(rsvp));
	assert_int_equal(mgm_ip_decode(b, len, &ip), 0);
	assert_false(ip.router_alert);
	/* Option type 5 in destination options is not a router alert. */
	static const uint8_t dst_ra[] = {58, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};
	len = build_ipv6(b, 60, dst_ra, sizeof(dst_ra));
	assert_int_equal(mgm_ip_decode(b, len, &ip), 0);
	assert_false(ip.router_alert);
}

/* The lenient walk classifies traffic without validating it: IGMP, MLD behind Hop-by-Hop,
 * UDP behind a first fragment; a later fragment or a cut buffer cannot tell. */
static void test_ip_upper_protocol_walks_without_validating(void **state)
{
	uint8_t v4[24] = {0x46, 0xc0, 0, 24, 0, 0, 0, 0, 1, 2};
	uint8_t v6[48 + 8] = {0x60, 0, 0, 0, 0, 16, 0, 1};
	size_t off = 0;

	(void)state;
	assert_int_equal(mgm_ip_upper_protocol(v4, sizeof(v4), &off), 2);
	assert_int_equal(off, 24); /* IHL 6: the Router Alert option counted */
	assert_int_equal(mgm_ip_upper_protocol(v4, 19, &off), -1);

	/* IPv6, Hop-by-Hop (next header 58, length 0) then 8 octets of ICMPv6. */
	v6[40] = 58;
	assert_int_equal(mgm_ip_upper_protocol(v6, sizeof(v6), &off), 58);
	assert_int_equal(off, 48);
	assert_int_equal(mgm_ip_upper_protocol(v6, 41, &off), -1); /* cut inside the header */

	/* First fragment of a UDP datagram: the upper layer shows. */
	v6[6] = 44;
	v6[40] = 17;
	v6[42] = v6[43] = 0;
	assert_int_equal(mgm_ip_upper_protocol(v6, sizeof(v6), &off), 17);
	assert_int_equal(off, 48);
	/* A later fragment (offset 1200): nothing to see. */
	v6[42] = 0x04;
	v6[43] = 0xb0;
	assert_int_equal(mgm_ip_upper_protocol(v6, sizeof(v6), &off), -1);
	v6[0] = 0x50; /* neither version */
	assert_int_equal(mgm_ip_upper_protocol(v6, sizeof(v6), &off), -1);
}

static void test_ip_decode_ipv6_errors(void **state)
{
	uint8_t b[512];
	size_t len;
	struct mgm_ip_info ip;

	len = build_ipv6(b, 58, NULL, 0);
	b[0] = 0x70;
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_HEADER);
	len = build_ipv6(b, 58, NULL, 0);
	assert_int_equal(mgm_ip_decode(b, len - 1, &ip), MGM_E_IP_HEADER); /* payload length */
	assert_int_equal(mgm_ip_decode(b, 39, &ip), MGM_E_IP_HEADER);
	b[4] = b[5] = 0; /* jumbogram */
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_HEADER);

	static const uint8_t frag[] = {58, 0, 0, 1, 0, 0, 0, 1};
	len = build_ipv6(b, 44, frag, sizeof(frag));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_FRAGMENT);
	static const uint8_t hbh_frag[] = {44, 0, 1, 4, 0, 0, 0, 0, 58, 0, 0, 1, 0, 0, 0, 1};
	len = build_ipv6(b, 0, hbh_frag, sizeof(hbh_frag));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_FRAGMENT);

	len = build_ipv6(b, 17, NULL, 0); /* UDP */
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_PROTOCOL);
	len = build_ipv6(b, 59, NULL, 0); /* no next header */
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_PROTOCOL);

	/* Hop-by-hop anywhere but first. */
	static const uint8_t late_hbh[] = {0, 0, 1, 4, 0, 0, 0, 0, 58, 0, 1, 4, 0, 0, 0, 0};
	len = build_ipv6(b, 60, late_hbh, sizeof(late_hbh));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* Router Alert of the wrong length. */
	static const uint8_t ra3[] = {58, 0, 0x05, 0x03, 0, 0, 0, 0};
	len = build_ipv6(b, 0, ra3, sizeof(ra3));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* An option running past its header. */
	static const uint8_t long_opt[] = {58, 0, 0x01, 0x05, 0, 0, 0, 0};
	len = build_ipv6(b, 0, long_opt, sizeof(long_opt));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* An unknown option whose type says "discard" (RFC 8200 §4.2, high bits 01). */
	static const uint8_t discard[] = {58, 0, 0x43, 0x02, 0, 0, 0x01, 0x00};
	len = build_ipv6(b, 0, discard, sizeof(discard));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* A header whose length runs past the payload. */
	static const uint8_t past[] = {58, 9, 0x01, 0x04, 0, 0, 0, 0};
	len = build_ipv6(b, 60, past, sizeof(past));
	b[5] = 8; /* payload holds only this header */
	len = 48;
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* A routing header with segments left: the packet is not at its destination yet. */
	static const uint8_t routing[] = {58, 0, 0x04, 0x01, 0, 0, 0, 0};
	len = build_ipv6(b, 43, routing, sizeof(routing));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* Too many extension headers: nine destination options headers. */
	uint8_t many[9 * 8];
	for (size_t i = 0; i < 9; i++) {
		static const uint8_t one[] = {60, 0, 0x01, 0x04, 0, 0, 0, 0};
		memcpy(many + 8 * i, one, 8);
	}
	many[8 * 8] = 58;
	len = build_ipv6(b, 60, many, sizeof(many));
	assert_int_equal(mgm_ip_decode(b, len, &ip), MGM_E_IP_OPTION);
	/* Eight are fine. */
	len = build_ipv6(b, 60, many + 8, sizeof(many) - 8);
	assert_int_equal(mgm_ip_decode(b, len, &ip), 0);
}

/* Every proper prefix of a valid packet is refused, never read beyond: the copy is exactly as
 * long as the prefix, so AddressSanitizer catches a single octet too far. The refusal is always
 * MGM_E_IP_HEADER: the header is cut, or the IPv4 total length / IPv6 payload length runs past
 * the cut, which the decoder checks before walking options or extension headers. */
static void assert_every_prefix_fails(const uint8_t *pkt, size_t len)
{
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct mgm_ip_info ip;
		struct mgm_msg m;

		assert_non_null(copy);
		memcpy(copy, pkt, n);
		assert_int_equal(mgm_packet_decode(copy, n, &ip, &m), MGM_E_IP_HEADER);
		free(copy);
	}
}

static void test_truncated_ip_packets_at_every_length(void **state)
{
	/* clang-format off */
	static const uint8_t chain[] = {
		60, 0, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, /* hop-by-hop: PadN(0), Router Alert */
		43, 0, 0, 0, 0, 0, 0, 0,                   /* destination options: six Pad1 */
		58, 0, 0x04, 0x00, 0, 0, 0, 0,             /* routing: type 4, segments left 0 */
	};
	/* clang-format on */
	uint8_t b[256];
	size_t len = build_ipv6(b, 0, chain, sizeof(chain));

	assert_every_prefix_fails(ipv4_v2_report, sizeof(ipv4_v2_report));
	assert_every_prefix_fails(ipv6_mld_report, sizeof(ipv6_mld_report));
	assert_every_prefix_fails(b, len);
}

/*
 * Where a message is cut decides which check must catch it: each vector's layout, read off by
 * hand, as "a cut below `below` octets is `err`". Cuts at 8 (IGMP) and 24 (MLD) octets of a
 * v3 query leave a valid v2 / MLDv1 query (RFC 3376 §7.1, RFC 3810 §8.1), err 0.
 */
struct cut {
	size_t below;
	int err;
};

/* clang-format off */
static const struct cut igmp_v3_report_cuts[] = {
	{8, MGM_E_SHORT},
	{16, MGM_E_RECORD_OVERRUN}, {20, MGM_E_SOURCE_OVERRUN},	/* record 1 at 8 */
	{28, MGM_E_RECORD_OVERRUN},				/* record 2 at 20 */
	{36, MGM_E_RECORD_OVERRUN}, {44, MGM_E_SOURCE_OVERRUN},	/* record 3 at 28 */
	{52, MGM_E_RECORD_OVERRUN}, {56, MGM_E_SOURCE_OVERRUN},	/* record 4 at 44 */
	{60, MGM_E_AUX_OVERRUN},
	{68, MGM_E_RECORD_OVERRUN}, {72, MGM_E_SOURCE_OVERRUN},	/* record 5 at 60 */
	{80, MGM_E_RECORD_OVERRUN}, {84, MGM_E_SOURCE_OVERRUN},	/* record 6 at 72 */
};
static const struct cut igmp_v3_query_cuts[] = {
	{8, MGM_E_SHORT}, {9, 0}, {12, MGM_E_LENGTH}, {20, MGM_E_SOURCE_OVERRUN},
};
static const struct cut igmp_v2_report_cuts[] = {{8, MGM_E_SHORT}};
static const struct cut mld_v2_report_cuts[] = {
	{8, MGM_E_SHORT},
	{28, MGM_E_RECORD_OVERRUN}, {44, MGM_E_SOURCE_OVERRUN},	/* record 1 at 8 */
	{64, MGM_E_RECORD_OVERRUN}, {68, MGM_E_AUX_OVERRUN},	/* record 2 at 44 */
};
static const struct cut mld_v2_query_cuts[] = {
	{24, MGM_E_SHORT}, {25, 0}, {28, MGM_E_LENGTH}, {44, MGM_E_SOURCE_OVERRUN},
};
static const struct cut mld_v1_done_cuts[] = {{24, MGM_E_SHORT}};
/* clang-format on */

static int cut_error(const struct cut *cuts, size_t ncuts, size_t n)
{
	for (size_t i = 0; i < ncuts; i++)
		if (n < cuts[i].below)
			return cuts[i].err;
	fail_msg("cut at %zu octets is past the vector", n);
	return 0;
}

/* Truncation inside the message with the checksum kept consistent, so that the structural
 * checks and not the checksum must catch every cut, each with its own error code. */
static void test_truncated_messages_at_every_length_with_fixed_checksum(void **state)
{
	static const struct {
		const uint8_t *msg;
		size_t len;
		const struct cut *cuts;
		size_t ncuts;
	} igmp[] = {
		{igmp_v3_report, sizeof(igmp_v3_report), igmp_v3_report_cuts,
		 ARRAY_LEN(igmp_v3_report_cuts)},
		{igmp_v3_query, sizeof(igmp_v3_query), igmp_v3_query_cuts,
		 ARRAY_LEN(igmp_v3_query_cuts)},
		{igmp_v2_report, sizeof(igmp_v2_report), igmp_v2_report_cuts,
		 ARRAY_LEN(igmp_v2_report_cuts)},
	};
	struct mgm_msg m;
	int err;

	for (size_t k = 0; k < ARRAY_LEN(igmp); k++) {
		for (size_t n = 0; n < igmp[k].len; n++) {
			uint8_t *copy = malloc(n ? n : 1);

			assert_non_null(copy);
			memcpy(copy, igmp[k].msg, n);
			if (n >= 4)
				fix_igmp(copy, n);
			err = cut_error(igmp[k].cuts, igmp[k].ncuts, n);
			assert_int_equal(mgm_igmp_decode(copy, n, &m), err);
			if (err == 0)
				assert_int_equal(m.version, 2);
			free(copy);
		}
	}
	static const struct {
		const uint8_t *msg;
		size_t len;
		const char *dst;
		const struct cut *cuts;
		size_t ncuts;
	} mld[] = {
		{mld_v2_report, sizeof(mld_v2_report), "ff02::16", mld_v2_report_cuts,
		 ARRAY_LEN(mld_v2_report_cuts)},
		{mld_v2_query, sizeof(mld_v2_query), "ff3e::1234", mld_v2_query_cuts,
		 ARRAY_LEN(mld_v2_query_cuts)},
		{mld_v1_done, sizeof(mld_v1_done), "ff02::2", mld_v1_done_cuts,
		 ARRAY_LEN(mld_v1_done_cuts)},
	};
	for (size_t k = 0; k < ARRAY_LEN(mld); k++) {
		for (size_t n = 0; n < mld[k].len; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			struct mgm_addr s = addr("fe80::1"), d = addr(mld[k].dst);

			assert_non_null(copy);
			memcpy(copy, mld[k].msg, n);
			if (n >= 4)
				fix_mld(copy, n, "fe80::1", mld[k].dst);
			err = cut_error(mld[k].cuts, mld[k].ncuts, n);
			assert_int_equal(mgm_mld_decode(copy, n, &s, &d, &m), err);
			if (err == 0)
				assert_int_equal(m.version, 1);
			free(copy);
		}
	}
}

/* ==== names ================================================================================ */

static void test_error_names_and_messages(void **state)
{
	static const int codes[] = {
		MGM_E_SHORT,
		MGM_E_CHECKSUM,
		MGM_E_LENGTH,
		MGM_E_RECORD_OVERRUN,
		MGM_E_SOURCE_OVERRUN,
		MGM_E_AUX_OVERRUN,
		MGM_E_RECORD_TYPE,
		MGM_E_GROUP_NOT_MULTICAST,
		MGM_E_SOURCE_NOT_UNICAST,
		MGM_E_REPORT_ALL_SYSTEMS,
		MGM_E_IP_HEADER,
		MGM_E_IP_CHECKSUM,
		MGM_E_IP_OPTION,
		MGM_E_IP_FRAGMENT,
		MGM_E_IP_PROTOCOL,
		MGM_E_NOBUFS,
		MGM_E_MTU,
		MGM_E_INVAL,
		MGM_E_NOMEM,
		MGM_E_LIMIT,
		MGM_E_CONFIG,
		MGM_E_NOENT,
	};

	for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
		assert_string_not_equal(mgm_errname(codes[i]), "unknown");
		assert_string_not_equal(mgm_strerror(codes[i]), "unknown error");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(mgm_errname(codes[i]), mgm_errname(codes[j]));
	}
	assert_string_equal(mgm_errname(MGM_E_RECORD_OVERRUN), "record_overrun");
	assert_string_equal(mgm_errname(-99), "unknown");
	assert_string_equal(mgm_strerror(-99), "unknown error");
	assert_string_equal(mgm_record_type_name(MGM_MODE_IS_INCLUDE), "IS_IN");
	assert_string_equal(mgm_record_type_name(MGM_MODE_IS_EXCLUDE), "IS_EX");
	assert_string_equal(mgm_record_type_name(MGM_CHANGE_TO_INCLUDE), "TO_IN");
	assert_string_equal(mgm_record_type_name(MGM_CHANGE_TO_EXCLUDE), "TO_EX");
	assert_string_equal(mgm_record_type_name(MGM_ALLOW_NEW_SOURCES), "ALLOW");
	assert_string_equal(mgm_record_type_name(MGM_BLOCK_OLD_SOURCES), "BLOCK");
	assert_string_equal(mgm_record_type_name(0), "unknown");
	assert_string_equal(mgm_record_type_name(7), "unknown");
	assert_string_equal(mgm_msg_kind_name(MGM_INET, MGM_MSG_QUERY), "query");
	assert_string_equal(mgm_msg_kind_name(MGM_INET, MGM_MSG_REPORT), "report");
	assert_string_equal(mgm_msg_kind_name(MGM_INET, MGM_MSG_LEAVE), "leave");
	assert_string_equal(mgm_msg_kind_name(MGM_INET6, MGM_MSG_REPORT), "report");
	/* RFC 2710 §3.7: MLDv1's leave is called Done. */
	assert_string_equal(mgm_msg_kind_name(MGM_INET6, MGM_MSG_LEAVE), "done");
	assert_string_equal(mgm_msg_kind_name(MGM_INET, MGM_MSG_UNKNOWN), "unknown");
	assert_string_equal(mgm_msg_kind_name(MGM_INET, 99), "unknown");
}

/*
 * The router's decoder: header and checksum as strict as mgm_decode(), the records left to the
 * checked walk, which skips a bad record (RFC 3376 §4.2.12: unrecognized types are ignored) and
 * ends at a truncated one.
 */
static void test_decode_lenient_walks_past_bad_records(void **state)
{
	/* clang-format off */
	uint8_t b[] = {
		0x22, 0, 0, 0, 0, 0, 0, 7,
		/* IS_IN 239.1.1.1 {10.0.0.1} */
		1, 0, 0, 1, 239, 1, 1, 1, 10, 0, 0, 1,
		/* type 7: not defined */
		7, 0, 0, 0, 239, 1, 1, 2,
		/* TO_EX 10.1.1.1: not multicast */
		4, 0, 0, 0, 10, 1, 1, 1,
		/* IS_EX 224.0.0.1: the all-systems group */
		2, 0, 0, 0, 224, 0, 0, 1,
		/* ALLOW 239.1.1.3 {239.9.9.9}: a multicast source; one aux word */
		5, 1, 0, 1, 239, 1, 1, 3, 239, 9, 9, 9, 0xaa, 0xbb, 0xcc, 0xdd,
		/* BLOCK 239.1.1.4 {} */
		6, 0, 0, 0, 239, 1, 1, 4,
		/* IS_IN 239.1.1.5 with 2 sources, 1 present */
		1, 0, 0, 2, 239, 1, 1, 5, 10, 0, 0, 2,
	};
	/* clang-format on */
	static const int want[] = {1,
				   MGM_E_RECORD_TYPE,
				   MGM_E_GROUP_NOT_MULTICAST,
				   MGM_E_REPORT_ALL_SYSTEMS,
				   MGM_E_SOURCE_NOT_UNICAST,
				   1,
				   MGM_E_SOURCE_OVERRUN,
				   0};
	struct mgm_record_iter it;
	struct mgm_record r;
	struct mgm_msg m;

	(void)state;
	fix_igmp(b, sizeof(b));
	assert_int_equal(mgm_decode(MGM_INET, b, sizeof(b), NULL, NULL, &m), MGM_E_RECORD_TYPE);
	assert_int_equal(mgm_decode_lenient(MGM_INET, b, sizeof(b), NULL, NULL, &m), 0);
	assert_int_equal(m.kind, MGM_MSG_REPORT);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.num_records, 7);
	assert_ptr_equal(m.records, b + 8);
	assert_int_equal(m.records_len, sizeof(b) - 8);
	mgm_records_begin(&m, &it);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int got = mgm_records_next_checked(&it, &r);

		assert_int_equal(got, want[i]);
		if (i == 0) {
			assert_int_equal(r.type, MGM_MODE_IS_INCLUDE);
			assert_int_equal(r.num_sources, 1);
		}
		if (i == 4) {
			assert_int_equal(r.aux_words, 1);
			assert_int_equal(r.aux[0], 0xaa);
		}
		if (i == 5) {
			assert_int_equal(r.type, MGM_BLOCK_OLD_SOURCES);
			assert_addr(&r.group, "239.1.1.4");
		}
	}
	/* The walk has ended for good. */
	assert_int_equal(mgm_records_next_checked(&it, &r), 0);

	/* A bad checksum, or a message other than a report, fails as it does strictly. */
	b[2] ^= 1;
	assert_int_equal(mgm_decode_lenient(MGM_INET, b, sizeof(b), NULL, NULL, &m),
			 MGM_E_CHECKSUM);
	assert_int_equal(mgm_decode_lenient(MGM_INET, igmp_v2_report, 7, NULL, NULL, &m),
			 MGM_E_SHORT);
	assert_int_equal(mgm_decode_lenient(9, igmp_v2_report, 8, NULL, NULL, &m), MGM_E_INVAL);
}

/* On a message mgm_decode() accepted, the checked walk gives the same records. */
static void test_records_next_checked_agrees_on_a_valid_report(void **state)
{
	struct mgm_record_iter a, b;
	struct mgm_record ra, rb;
	struct mgm_msg m;
	size_t n = 0;

	(void)state;
	assert_int_equal(mgm_igmp_decode(igmp_v3_report, sizeof(igmp_v3_report), &m), 0);
	mgm_records_begin(&m, &a);
	mgm_records_begin(&m, &b);
	while (mgm_records_next(&a, &ra)) {
		assert_int_equal(mgm_records_next_checked(&b, &rb), 1);
		assert_int_equal(ra.type, rb.type);
		assert_true(mgm_addr_eq(&ra.group, &rb.group));
		assert_ptr_equal(ra.sources, rb.sources);
		assert_int_equal(ra.num_sources, rb.num_sources);
		n++;
	}
	assert_int_equal(mgm_records_next_checked(&b, &rb), 0);
	assert_int_equal(n, m.num_records);
}

static void test_checksum_odd_length_and_partial_sum(void **state)
{
	/* RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d. */
	static const uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	/* Odd length: a trailing 0xab counts as 0xab00. */
	static const uint8_t odd[] = {0x00, 0x01, 0xab};

	assert_int_equal(mgm_inet_checksum(rfc1071, sizeof(rfc1071), 0), 0x220d);
	assert_int_equal(mgm_inet_checksum(odd, sizeof(odd), 0), (uint16_t) ~(0x0001 + 0xab00));
	/* A partial sum is added as 16-bit words: 0xddf2 + 0x0001 folded. */
	assert_int_equal(mgm_inet_checksum(rfc1071, sizeof(rfc1071), 1), 0x220c);
	assert_int_equal(mgm_inet_checksum(rfc1071, 0, 0), 0xffff);
	/* Large partial sums fold with their carries. */
	assert_int_equal(mgm_inet_checksum(rfc1071, 0, 0xffffffffu), (uint16_t)~0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_igmp_v1_query),
		cmocka_unit_test(test_decode_leaves_unused_fields_zero),
		cmocka_unit_test(test_decode_igmp_v2_general_and_group_query),
		cmocka_unit_test(test_decode_igmp_v3_query_with_sources),
		cmocka_unit_test(test_decode_igmp_v3_query_additional_data_ignored),
		cmocka_unit_test(test_decode_igmp_v1_v2_report_and_leave),
		cmocka_unit_test(test_decode_igmp_v2_report_longer_than_8_accepted),
		cmocka_unit_test(test_decode_igmp_v3_report_all_six_record_types),
		cmocka_unit_test(test_decode_lenient_walks_past_bad_records),
		cmocka_unit_test(test_records_next_checked_agrees_on_a_valid_report),
		cmocka_unit_test(test_decode_v3_report_trailing_octets_after_records),
		cmocka_unit_test(test_encode_igmp_queries_byte_exact),
		cmocka_unit_test(test_encode_igmp_v1_v2_report_and_leave_byte_exact),
		cmocka_unit_test(test_encode_igmp_v3_report_byte_exact),
		cmocka_unit_test(test_decode_mld_v1_query),
		cmocka_unit_test(test_decode_mld_v2_query),
		cmocka_unit_test(test_decode_mld_v1_report_and_done),
		cmocka_unit_test(test_decode_mld_v2_report),
		cmocka_unit_test(test_decode_mld_checksum_covers_pseudo_header),
		cmocka_unit_test(test_encode_mld_messages_byte_exact),
		cmocka_unit_test(test_decode_short_buffer),
		cmocka_unit_test(test_decode_bad_checksum),
		cmocka_unit_test(test_decode_query_length_9_to_11_and_mld_25_to_27),
		cmocka_unit_test(test_decode_v3_report_record_overrun),
		cmocka_unit_test(test_decode_v3_report_source_overrun),
		cmocka_unit_test(test_decode_v3_query_source_overrun),
		cmocka_unit_test(test_decode_v3_report_aux_overrun),
		cmocka_unit_test(test_decode_v3_report_unknown_record_type),
		cmocka_unit_test(test_decode_group_not_multicast),
		cmocka_unit_test(test_decode_source_not_unicast),
		cmocka_unit_test(test_decode_report_for_all_systems),
		cmocka_unit_test(test_decode_unknown_type_is_ignored_not_error),
		cmocka_unit_test(test_decode_rejects_null_and_wrong_family),
		cmocka_unit_test(test_encode_refuses_small_buffer),
		cmocka_unit_test(test_encode_refuses_invalid_arguments),
		cmocka_unit_test(test_report_writer_mtu_too_small),
		cmocka_unit_test(test_report_writer_nobufs_keeps_progress),
		cmocka_unit_test(test_report_writer_refuses_invalid_records),
		cmocka_unit_test(test_ip_encode_ipv4_byte_exact),
		cmocka_unit_test(test_ip_encode_ipv6_byte_exact),
		cmocka_unit_test(test_packet_decode_ipv4_with_router_alert),
		cmocka_unit_test(test_ip_decode_ipv4_without_router_alert_and_ttl),
		cmocka_unit_test(test_ip_decode_ipv4_errors),
		cmocka_unit_test(test_packet_decode_ipv6_hop_by_hop_router_alert),
		cmocka_unit_test(test_ip_decode_ipv6_extension_chain),
		cmocka_unit_test(test_ip_decode_ipv6_errors),
		cmocka_unit_test(test_ip_upper_protocol_walks_without_validating),
		cmocka_unit_test(test_truncated_ip_packets_at_every_length),
		cmocka_unit_test(test_truncated_messages_at_every_length_with_fixed_checksum),
		cmocka_unit_test(test_error_names_and_messages),
		cmocka_unit_test(test_checksum_odd_length_and_partial_sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
