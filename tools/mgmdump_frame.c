/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * From a captured frame to a printed message: strips the link layer, looks cheaply at the IP
 * protocol field so that only IGMP (RFC 3376 §4) and ICMPv6 that may carry MLD (RFC 3810 §5)
 * reach libmgm's decoder, decodes, counts and hands the result to the text or JSON printer.
 * Every reader (libpcap, the classic pcap walker, its threads) goes through here.
 */
#include <inttypes.h>
#include <stdio.h>

#include <pcap/dlt.h>

#include "mgmdump.h"

#define ETH_IPV4  0x0800
#define ETH_IPV6  0x86dd
#define ETH_VLAN  0x8100 /* 802.1Q */
#define ETH_QINQ  0x88a8 /* 802.1ad */
#define ETH_QINQ1 0x9100 /* pre-standard QinQ */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Family of an Ethernet protocol number after any VLAN tags; 0 when not IP. */
static uint8_t ether_ip(uint16_t proto, const uint8_t **p, size_t *len)
{
	while (proto == ETH_VLAN || proto == ETH_QINQ || proto == ETH_QINQ1) {
		if (*len < 4)
			return 0;
		proto = be16(*p + 2);
		*p += 4;
		*len -= 4;
	}
	if (proto == ETH_IPV4)
		return MGM_INET;
	if (proto == ETH_IPV6)
		return MGM_INET6;
	return 0;
}

/* No protocol field in the link header: the IP version nibble says. */
#define NO_PROTO SIZE_MAX

/* The link header of a link type: its length and where its EtherType-like protocol field is;
 * false for a link type mgmdump does not decode. */
static bool link_header(int dlt, size_t *hdr, size_t *proto_at)
{
	switch (dlt) {
	case DLT_EN10MB:
		*hdr = 14;
		*proto_at = 12;
		return true;
	case DLT_LINUX_SLL:
		*hdr = 16;
		*proto_at = 14;
		return true;
	case DLT_LINUX_SLL2:
		*hdr = 20;
		*proto_at = 0;
		return true;
	case DLT_NULL:
	case DLT_LOOP:
		/* The 4-octet family is in the byte order of the capturing host and its AF_INET6
		 * value differs by OS: the IP version nibble says more. */
		*hdr = 4;
		*proto_at = NO_PROTO;
		return true;
	case DLT_RAW: /* LINKTYPE_RAW (101) in files: both readers renumber it */
	case DLT_IPV4:
	case DLT_IPV6:
		*hdr = 0;
		*proto_at = NO_PROTO;
		return true;
	default:
		return false;
	}
}

bool dump_dlt_known(int dlt)
{
	size_t hdr, proto_at;

	return link_header(dlt, &hdr, &proto_at);
}

/* The IP packet inside a frame of the capture's link type; returns its family or 0. */
static uint8_t link_strip(int dlt, const uint8_t *frame, size_t caplen, const uint8_t **ip,
			  size_t *iplen)
{
	size_t hdr, proto_at;

	if (!link_header(dlt, &hdr, &proto_at) || caplen < hdr)
		return 0;
	*ip = frame + hdr;
	*iplen = caplen - hdr;
	if (proto_at != NO_PROTO)
		return ether_ip(be16(frame + proto_at), ip, iplen);
	if (*iplen < 1)
		return 0;
	if (**ip >> 4 == 4)
		return MGM_INET;
	if (**ip >> 4 == 6)
		return MGM_INET6;
	return 0;
}

static bool is_mld_type(uint8_t type)
{
	return type == MGM_MLD_QUERY || type == MGM_MLD_V1_REPORT || type == MGM_MLD_V1_DONE ||
	       type == MGM_MLD_V2_REPORT;
}

/*
 * Whether a packet is ours before the strict decoder sees it: IPv4 protocol 2, or IPv6 whose
 * upper layer is ICMPv6 with an MLD type (RFC 3810 §5), found behind any extension headers by
 * libmgm's lenient walk. Other traffic, a fragmented UDP datagram or an echo cut short by the
 * snapshot length, is skipped, never called a malformed MLD message. An IPv4 packet too short to
 * tell goes to the decoder, which names the malformation.
 */
static bool may_be_ours(uint8_t family, const uint8_t *ip, size_t len)
{
	size_t off = 0;

	if (family == MGM_INET)
		return len < 10 || ip[9] == 2;
	return mgm_ip_upper_protocol(ip, len, &off) == 58 && off < len && is_mld_type(ip[off]);
}

static void count(struct dump_counts *n, const struct dump_msg *dm)
{
	int fi = dm->family == MGM_INET6;

	n->messages++;
	if (dm->err) {
		n->malformed++;
		if (-dm->err > 0 && -dm->err < DUMP_NERRORS)
			n->by_error[-dm->err]++;
	} else if (dm->msg.kind == MGM_MSG_UNKNOWN) {
		n->unknown_types[fi]++;
	} else if (dm->msg.version < DUMP_NVERSIONS && dm->msg.kind < DUMP_NKINDS) {
		n->by_kind[fi][dm->msg.version][dm->msg.kind]++;
	}
}

static bool emit(struct dump_proc *d, const struct dump_msg *dm)
{
	count(&d->n, dm);
	if (d->json)
		dump_json_msg(&d->out, dm);
	else
		dump_text_msg(&d->text, &d->out, dm);
	if (d->live)
		dump_out_flush(&d->out);
	return !d->max_count || d->n.messages < d->max_count;
}

bool dump_frame(struct dump_proc *d, const struct dump_frame *f)
{
	struct dump_msg dm;
	const uint8_t *ip;
	size_t iplen;
	uint8_t family;
	int rc;

	d->n.frames++;
	family = link_strip(d->dlt, f->data, f->caplen, &ip, &iplen);
	if (!family || !may_be_ours(family, ip, iplen)) {
		d->n.skipped++;
		return true;
	}
	dm.frame = f->number;
	/* A file may hold any microsecond count (or a negative one, read as signed): carry whole
	 * seconds so that every printer sees 0..999999 and the same instant. */
	dm.ts_sec = f->ts_sec + f->ts_usec / 1000000;
	dm.ts_usec = f->ts_usec % 1000000;
	if (dm.ts_usec < 0) {
		dm.ts_usec += 1000000;
		dm.ts_sec--;
	}
	dm.family = family;
	dm.pkt = ip;
	dm.pkt_len = iplen;
	/* dm.ip is read only when ip_valid, dm.msg only when err is 0: neither is cleared. */
	dm.ip_valid = false;
	rc = mgm_ip_decode(ip, iplen, &dm.ip);
	if (rc == MGM_E_IP_PROTOCOL) {
		d->n.skipped++;
		return true;
	}
	if (rc < 0) {
		dm.err = rc;
		return emit(d, &dm);
	}
	dm.ip_valid = true;
	dm.family = dm.ip.family;
	rc = mgm_decode(dm.ip.family, dm.ip.payload, dm.ip.payload_len, &dm.ip.src, &dm.ip.dst,
			&dm.msg);
	dm.err = rc < 0 ? rc : 0;
	return emit(d, &dm);
}

void dump_counts_add(struct dump_counts *to, const struct dump_counts *from)
{
	int f, v, k;

	to->frames += from->frames;
	to->messages += from->messages;
	to->malformed += from->malformed;
	to->skipped += from->skipped;
	for (f = 0; f < 2; f++) {
		for (v = 0; v < DUMP_NVERSIONS; v++)
			for (k = 0; k < DUMP_NKINDS; k++)
				to->by_kind[f][v][k] += from->by_kind[f][v][k];
		to->unknown_types[f] += from->unknown_types[f];
	}
	for (k = 0; k < DUMP_NERRORS; k++)
		to->by_error[k] += from->by_error[k];
}

void dump_counts_print(const struct dump_counts *n, FILE *f)
{
	static const char *const fam[2] = {"IGMP", "MLD"};
	char label[64];
	int fi, v, k;

	fprintf(f,
		"mgmdump: %" PRIu64 " frames, %" PRIu64 " messages, %" PRIu64 " malformed, %" PRIu64
		" other packets skipped\n",
		n->frames, n->messages, n->malformed, n->skipped);
	for (fi = 0; fi < 2; fi++) {
		for (v = 1; v < DUMP_NVERSIONS; v++) {
			for (k = 1; k < DUMP_NKINDS; k++) {
				if (!n->by_kind[fi][v][k])
					continue;
				snprintf(label, sizeof(label), "%sv%d %s", fam[fi], v,
					 mgm_msg_kind_name(fi ? MGM_INET6 : MGM_INET, (uint8_t)k));
				fprintf(f, "  %-32s %10" PRIu64 "\n", label, n->by_kind[fi][v][k]);
			}
		}
		if (n->unknown_types[fi]) {
			snprintf(label, sizeof(label), "%s other types (ignored)", fam[fi]);
			fprintf(f, "  %-32s %10" PRIu64 "\n", label, n->unknown_types[fi]);
		}
	}
	for (k = 1; k < DUMP_NERRORS; k++) {
		if (!n->by_error[k])
			continue;
		snprintf(label, sizeof(label), "malformed %s", mgm_errname(-k));
		fprintf(f, "  %-32s %10" PRIu64 "\n", label, n->by_error[k]);
	}
}
