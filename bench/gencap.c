/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes a deterministic Ethernet pcap of IGMP and MLD traffic for the mgmdump-vs-tshark
 * benchmark: a realistic mix of every message type (RFC 2236, RFC 3376 §4, RFC 2710, RFC 3810
 * §5), built with libmgm's encoders and IP framing (RFC 2113, RFC 2711), checksums correct.
 * Usage: gencap [-n COUNT] [-s SEED] [-v] FILE
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "mgm/addr.h"
#include "mgm/err.h"
#include "mgm/wire.h"

#define ETH_HLEN  14
#define FRAME_MAX 1514
#define LINK_MTU  1500
#define MAX_RECS  5
#define MAX_SRCS  6

/* What gets written, with its share of the traffic in thousandths. */
enum kind {
	IGMP_V1_QUERY,
	IGMP_V2_QUERY,
	IGMP_V3_QUERY,
	IGMP_V1_REPORT,
	IGMP_V2_REPORT,
	IGMP_V2_LEAVE,
	IGMP_V3_REPORT,
	MLD_V1_QUERY,
	MLD_V2_QUERY,
	MLD_V1_REPORT,
	MLD_V1_DONE,
	MLD_V2_REPORT,
	NKINDS
};

static const struct {
	const char *name;
	unsigned permille;
} mix[NKINDS] = {
	[IGMP_V1_QUERY] = {"IGMPv1 query", 5},	   [IGMP_V2_QUERY] = {"IGMPv2 query", 30},
	[IGMP_V3_QUERY] = {"IGMPv3 query", 50},	   [IGMP_V1_REPORT] = {"IGMPv1 report", 10},
	[IGMP_V2_REPORT] = {"IGMPv2 report", 230}, [IGMP_V2_LEAVE] = {"IGMPv2 leave", 50},
	[IGMP_V3_REPORT] = {"IGMPv3 report", 250}, [MLD_V1_QUERY] = {"MLDv1 query", 10},
	[MLD_V2_QUERY] = {"MLDv2 query", 35},	   [MLD_V1_REPORT] = {"MLDv1 report", 80},
	[MLD_V1_DONE] = {"MLDv1 done", 30},	   [MLD_V2_REPORT] = {"MLDv2 report", 220},
};

/* xorshift64*: the same capture from the same seed on every machine. */
static uint64_t rng_state;

static uint32_t rnd(uint32_t bound)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)(((rng_state * 0x2545F4914F6CDD1DULL) >> 32) % bound);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "gencap: %s: %s\n", what, mgm_strerror(rc));
	exit(1);
}

static void addr4(struct mgm_addr *a, uint8_t o0, uint8_t o1, uint8_t o2, uint8_t o3)
{
	const uint8_t w[4] = {o0, o1, o2, o3};

	mgm_addr_from_wire(a, MGM_INET, w);
}

/* An IPv6 address from its first 32 and last 32 bits. */
static void addr6(struct mgm_addr *a, uint32_t head, uint32_t low)
{
	uint8_t w[16] = {0};

	w[0] = (uint8_t)(head >> 24);
	w[1] = (uint8_t)(head >> 16);
	w[2] = (uint8_t)(head >> 8);
	w[3] = (uint8_t)head;
	w[12] = (uint8_t)(low >> 24);
	w[13] = (uint8_t)(low >> 16);
	w[14] = (uint8_t)(low >> 8);
	w[15] = (uint8_t)low;
	mgm_addr_from_wire(a, MGM_INET6, w);
}

/* 4 000 groups per family, a fifth of them SSM (232/8, ff3e::/32); hosts in the RFC 2544
 * benchmarking range and fe80::/64; sources in 198.19/16 and 2001:db8::/32. */
static void pick_group(struct mgm_addr *a, uint8_t family, bool ssm)
{
	uint32_t g = rnd(4000);

	if (family == MGM_INET)
		addr4(a, ssm ? 232 : 239, 1, (uint8_t)(g >> 8), (uint8_t)g);
	else
		addr6(a, ssm ? 0xff3e0000u : 0xff050000u, 0x80000000u | g);
}

static void pick_host(struct mgm_addr *a, uint8_t family)
{
	uint32_t h = 1 + rnd(2000);

	if (family == MGM_INET)
		addr4(a, 198, 18, (uint8_t)(h >> 8), (uint8_t)h);
	else
		addr6(a, 0xfe800000u, h);
}

static void pick_source(struct mgm_addr *a, uint8_t family)
{
	uint32_t s = 1 + rnd(60000);

	if (family == MGM_INET)
		addr4(a, 198, 19, (uint8_t)(s >> 8), (uint8_t)(s | 1));
	else
		addr6(a, 0x20010db8u, s);
}

/* The querier: one per family, as on a real link. */
static void querier(struct mgm_addr *a, uint8_t family)
{
	if (family == MGM_INET)
		addr4(a, 198, 18, 0, 1);
	else
		addr6(a, 0xfe800000u, 1);
}

/* RFC 1112 §6.4 and RFC 2464 §7: the multicast MAC for the IP destination. */
static void ether_header(uint8_t *eth, const struct mgm_addr *src, const struct mgm_addr *dst)
{
	if (dst->family == MGM_INET) {
		const uint8_t m[6] = {0x01,	      0x00,	     0x5e, dst->octets[1] & 0x7f,
				      dst->octets[2], dst->octets[3]};

		memcpy(eth, m, 6);
		eth[12] = 0x08;
		eth[13] = 0x00;
	} else {
		eth[0] = eth[1] = 0x33;
		memcpy(eth + 2, dst->octets + 12, 4);
		eth[12] = 0x86;
		eth[13] = 0xdd;
	}
	/* A locally administered MAC from the host's address. */
	eth[6] = 0x02;
	eth[7] = 0x00;
	memcpy(eth + 8, src->octets + (src->family == MGM_INET ? 0 : 12), 4);
}

static size_t v3_report(uint8_t family, const struct mgm_addr *src, const struct mgm_addr *dst,
			uint8_t *buf, size_t cap)
{
	struct mgm_addr sources[MAX_RECS][MAX_SRCS];
	struct mgm_group_record recs[MAX_RECS];
	struct mgm_report_writer w;
	size_t n = 1 + rnd(MAX_RECS), len = 0;
	int rc;

	for (size_t r = 0; r < n; r++) {
		uint8_t type = (uint8_t)(MGM_MODE_IS_INCLUDE + rnd(6));
		/* Joins and leaves of any-source groups carry no sources; the rest are SSM. */
		bool asm_change = (type == MGM_CHANGE_TO_EXCLUDE || type == MGM_CHANGE_TO_INCLUDE ||
				   type == MGM_MODE_IS_EXCLUDE) &&
				  rnd(2);

		recs[r] = (struct mgm_group_record){.type = type, .sources = sources[r]};
		pick_group(&recs[r].group, family, !asm_change);
		recs[r].num_sources = asm_change ? 0 : (uint16_t)(1 + rnd(MAX_SRCS));
		for (size_t s = 0; s < recs[r].num_sources; s++)
			pick_source(&sources[r][s], family);
	}
	mgm_report_writer_init(&w, family, recs, n, LINK_MTU);
	rc = mgm_report_writer_next(&w, src, dst, buf, cap, &len);
	if (rc != 1)
		die("v3 report", rc < 0 ? rc : MGM_E_INVAL);
	return len;
}

static size_t query(uint8_t family, uint8_t version, struct mgm_addr *src, struct mgm_addr *dst,
		    uint8_t *buf, size_t cap)
{
	struct mgm_addr sources[MAX_SRCS];
	struct mgm_query q = {.version = version, .qrv = 2, .sources = sources};
	bool v3 = (family == MGM_INET && version == 3) || (family == MGM_INET6 && version == 2);
	uint32_t shape = rnd(10); /* 0-5 general, 6-7 group-specific, 8-9 with sources */
	size_t len = 0;
	int rc;

	querier(src, family);
	mgm_addr_any(&q.group, family);
	q.max_resp_code = mgm_max_resp_code(family, version, shape < 6 ? 10000 : 1000);
	if (version == 1 && family == MGM_INET)
		shape = 0; /* IGMPv1 has only general queries */
	if (shape >= 6)
		pick_group(&q.group, family, shape >= 8);
	if (v3) {
		q.qqic = mgm_code8_encode(125);
		q.suppress = shape >= 6 && rnd(2);
		if (shape >= 8) {
			q.num_sources = (uint16_t)(1 + rnd(MAX_SRCS));
			for (size_t s = 0; s < q.num_sources; s++)
				pick_source(&sources[s], family);
		}
	}
	/* RFC 3376 §4.1.12, RFC 3810 §5.1.15: general queries to all systems / all nodes. */
	if (mgm_addr_is_any(&q.group))
		mgm_addr_all_systems(dst, family);
	else
		*dst = q.group;
	rc = mgm_encode_query(family, &q, src, dst, buf, cap, &len);
	if (rc != 0)
		die("query", rc);
	return len;
}

static size_t v1v2(uint8_t family, uint8_t kind, uint8_t version, struct mgm_addr *src,
		   struct mgm_addr *dst, uint8_t *buf, size_t cap)
{
	struct mgm_addr group;
	size_t len = 0;
	int rc;

	pick_host(src, family);
	pick_group(&group, family, false);
	/* RFC 2236 §3: reports to the group, leaves to all routers. */
	if (kind == MGM_MSG_LEAVE)
		mgm_addr_all_routers(dst, family);
	else
		*dst = group;
	rc = mgm_encode_v1v2(family, kind, version, &group, src, dst, buf, cap, &len);
	if (rc != 0)
		die("v1/v2 message", rc);
	return len;
}

/* Builds one frame of the given kind; returns its length. */
static size_t build_frame(enum kind k, uint8_t *frame)
{
	bool v6 = k >= MLD_V1_QUERY;
	uint8_t family = v6 ? MGM_INET6 : MGM_INET;
	size_t hlen = mgm_ip_header_len(family);
	uint8_t *payload = frame + ETH_HLEN + hlen;
	size_t cap = FRAME_MAX - ETH_HLEN - hlen, len = 0;
	struct mgm_addr src, dst;
	int rc;

	switch (k) {
	case IGMP_V1_QUERY:
	case IGMP_V2_QUERY:
	case IGMP_V3_QUERY:
		len = query(family, (uint8_t)(1 + k - IGMP_V1_QUERY), &src, &dst, payload, cap);
		break;
	case MLD_V1_QUERY:
	case MLD_V2_QUERY:
		len = query(family, (uint8_t)(1 + k - MLD_V1_QUERY), &src, &dst, payload, cap);
		break;
	case IGMP_V1_REPORT:
		len = v1v2(family, MGM_MSG_REPORT, 1, &src, &dst, payload, cap);
		break;
	case IGMP_V2_REPORT:
	case MLD_V1_REPORT:
		len = v1v2(family, MGM_MSG_REPORT, v6 ? 1 : 2, &src, &dst, payload, cap);
		break;
	case IGMP_V2_LEAVE:
	case MLD_V1_DONE:
		len = v1v2(family, MGM_MSG_LEAVE, v6 ? 1 : 2, &src, &dst, payload, cap);
		break;
	case IGMP_V3_REPORT:
	case MLD_V2_REPORT:
		pick_host(&src, family);
		mgm_addr_v3_report_dest(&dst, family);
		len = v3_report(family, &src, &dst, payload, cap);
		break;
	default:
		abort();
	}
	rc = mgm_ip_encode(family, &src, &dst, len, frame + ETH_HLEN, FRAME_MAX - ETH_HLEN);
	if (rc != 0)
		die("IP header", rc);
	ether_header(frame, &src, &dst);
	len += ETH_HLEN + hlen;
	/* Ethernet's 60-octet minimum frame (without FCS): pad as a NIC would. */
	if (len < 60) {
		memset(frame + len, 0, 60 - len);
		len = 60;
	}
	return len;
}

static enum kind pick_kind(void)
{
	uint32_t r = rnd(1000);

	for (int k = 0; k < NKINDS; k++) {
		if (r < mix[k].permille)
			return (enum kind)k;
		r -= mix[k].permille;
	}
	return IGMP_V2_REPORT;
}

static void usage(void)
{
	fprintf(stderr, "usage: gencap [-n COUNT] [-s SEED] [-v] FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long count = 1000000, seed = 1;
	unsigned long long per_kind[NKINDS] = {0};
	const char *path = NULL;
	bool verbose = false;
	uint8_t frame[FRAME_MAX];
	pcap_dumper_t *out;
	pcap_t *dead;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			count = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			usage();
	}
	if (!path)
		usage();
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!dead) {
		fprintf(stderr, "gencap: pcap_open_dead failed\n");
		return 1;
	}
	out = pcap_dump_open(dead, path);
	if (!out) {
		fprintf(stderr, "gencap: %s: %s\n", path, pcap_geterr(dead));
		return 1;
	}
	for (unsigned long long i = 0; i < count; i++) {
		enum kind k = pick_kind();
		struct pcap_pkthdr h = {0};

		h.caplen = h.len = (bpf_u_int32)build_frame(k, frame);
		/* One message every 100 us from a fixed epoch: same file from the same seed. */
		h.ts.tv_sec = (time_t)(1700000000 + i / 10000);
		h.ts.tv_usec = (suseconds_t)(i % 10000) * 100;
		pcap_dump((u_char *)out, &h, frame);
		per_kind[k]++;
	}
	if (pcap_dump_flush(out) != 0) {
		fprintf(stderr, "gencap: %s: write failed\n", path);
		return 1;
	}
	pcap_dump_close(out);
	pcap_close(dead);
	if (verbose) {
		for (int k = 0; k < NKINDS; k++)
			fprintf(stderr, "gencap: %-14s %llu\n", mix[k].name, per_kind[k]);
	}
	fprintf(stderr, "gencap: %llu messages in %s\n", count, path);
	return 0;
}
