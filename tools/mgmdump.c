/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump: reads IGMP/MLD from pcap/pcapng files or a live interface (libpcap), strips the
 * link layer and hands each IP packet to libmgm's strict decoder (RFC 3376 §4, RFC 3810 §5,
 * RFC 2113/2711 for the IP side). Prints one line or one JSON object per message; malformed
 * messages are printed with their error, never skipped. Usage is in doc/mgmdump.1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "mgmdump.h"

#ifndef MGMDUMP_VERSION
#define MGMDUMP_VERSION "unknown"
#endif

/* LINKTYPE_RAW as written in files; libpcap maps it to DLT_RAW, which is 12 or 14 by OS. */
#define LINKTYPE_RAW 101

#define ETH_IPV4  0x0800
#define ETH_IPV6  0x86dd
#define ETH_VLAN  0x8100 /* 802.1Q */
#define ETH_QINQ  0x88a8 /* 802.1ad */
#define ETH_QINQ1 0x9100 /* pre-standard QinQ */

/* Messages are counted by family, version and kind; malformed ones by error. */
#define NVERSIONS 4
#define NKINDS	  (MGM_MSG_REPORT_V3 + 1)
#define NERRORS	  64

struct dump {
	pcap_t *pcap;
	const char *source; /* file name or interface, for messages */
	int dlt;
	bool json;
	bool stats;
	bool live;
	uint64_t max_count; /* 0: no limit */

	uint64_t frames, messages, malformed, skipped;
	uint64_t by_kind[2][NVERSIONS][NKINDS];
	uint64_t unknown_types[2];
	uint64_t by_error[NERRORS];

	struct dump_text text;
	struct dump_out out;
};

/* The live capture the signal handler stops; the only global, and only in this tool. */
static pcap_t *volatile live_pcap;

static void on_signal(int sig)
{
	(void)sig;
	if (live_pcap)
		pcap_breakloop(live_pcap);
}

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

/* The IP packet inside a frame of the capture's link type; returns its family or 0. */
static uint8_t link_strip(int dlt, const uint8_t *frame, size_t caplen, const uint8_t **ip,
			  size_t *iplen)
{
	const uint8_t *p = frame;
	size_t len = caplen;
	uint16_t proto;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return 0;
		proto = be16(p + 12);
		p += 14;
		len -= 14;
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return 0;
		proto = be16(p + 14);
		p += 16;
		len -= 16;
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return 0;
		proto = be16(p);
		p += 20;
		len -= 20;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		/* The 4-octet family is in the byte order of the capturing host and its AF_INET6
		 * value differs by OS: the IP version nibble says more. */
		if (len < 4)
			return 0;
		p += 4;
		len -= 4;
		proto = 0;
		break;
	case DLT_RAW:
#if DLT_RAW != LINKTYPE_RAW
	case LINKTYPE_RAW:
#endif
	case DLT_IPV4:
	case DLT_IPV6:
		proto = 0;
		break;
	default:
		return 0;
	}
	*ip = p;
	*iplen = len;
	if (proto == 0) {
		if (len < 1)
			return 0;
		if (p[0] >> 4 == 4)
			return MGM_INET;
		if (p[0] >> 4 == 6)
			return MGM_INET6;
		return 0;
	}
	return ether_ip(proto, ip, iplen);
}

static bool is_mld_type(uint8_t type)
{
	return type == MGM_MLD_QUERY || type == MGM_MLD_V1_REPORT || type == MGM_MLD_V1_DONE ||
	       type == MGM_MLD_V2_REPORT;
}

/*
 * A cheap look at the first protocol field so the decoder only sees packets that may be ours:
 * IPv4 protocol 2, or IPv6 whose first next header is ICMPv6 or an extension header (MLD
 * travels behind Hop-by-Hop, RFC 3810 §5). Too short to tell goes to the decoder, which names
 * the malformation.
 */
static bool may_be_ours(uint8_t family, const uint8_t *ip, size_t len)
{
	uint8_t nh;

	if (family == MGM_INET)
		return len < 10 || ip[9] == 2;
	if (len < 7)
		return true;
	nh = ip[6];
	return nh == 58 || nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

static void count(struct dump *d, const struct dump_msg *dm)
{
	int fi = dm->family == MGM_INET6;

	d->messages++;
	if (dm->err) {
		d->malformed++;
		if (-dm->err > 0 && -dm->err < NERRORS)
			d->by_error[-dm->err]++;
	} else if (dm->msg.kind == MGM_MSG_UNKNOWN) {
		d->unknown_types[fi]++;
	} else if (dm->msg.version < NVERSIONS && dm->msg.kind < NKINDS) {
		d->by_kind[fi][dm->msg.version][dm->msg.kind]++;
	}
}

static void emit(struct dump *d, struct dump_msg *dm)
{
	count(d, dm);
	if (d->json)
		dump_json_msg(&d->out, dm);
	else
		dump_text_msg(&d->text, &d->out, dm);
	if (d->live) {
		/* Someone is watching: each line as it comes. */
		dump_out_flush(&d->out);
		fflush(d->out.f);
	}
	if (d->max_count && d->messages >= d->max_count)
		pcap_breakloop(d->pcap);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct dump *d = (struct dump *)user;
	struct dump_msg dm;
	const uint8_t *ip;
	size_t iplen;
	uint8_t family;
	int rc;

	d->frames++;
	family = link_strip(d->dlt, bytes, h->caplen, &ip, &iplen);
	if (!family || !may_be_ours(family, ip, iplen)) {
		d->skipped++;
		return;
	}
	dm.frame = d->frames;
	dm.ts_sec = h->ts.tv_sec;
	dm.ts_usec = (int32_t)h->ts.tv_usec;
	dm.family = family;
	dm.pkt = ip;
	dm.pkt_len = iplen;
	dm.ip_valid = false;
	memset(&dm.ip, 0, sizeof(dm.ip));

	rc = mgm_ip_decode(ip, iplen, &dm.ip);
	if (rc == MGM_E_IP_PROTOCOL) {
		d->skipped++;
		return;
	}
	if (rc < 0) {
		dm.err = rc;
		emit(d, &dm);
		return;
	}
	dm.ip_valid = true;
	dm.family = dm.ip.family;
	rc = mgm_decode(dm.ip.family, dm.ip.payload, dm.ip.payload_len, &dm.ip.src, &dm.ip.dst,
			&dm.msg);
	/* Other ICMPv6 (neighbour discovery, echo...) is not ours, even when it is broken. */
	if (dm.family == MGM_INET6 && (dm.ip.payload_len < 1 || !is_mld_type(dm.ip.payload[0]))) {
		d->skipped++;
		return;
	}
	dm.err = rc < 0 ? rc : 0;
	emit(d, &dm);
}

static void print_stats(const struct dump *d)
{
	static const char *const fam[2] = {"IGMP", "MLD"};
	static const char *const kind[NKINDS] = {"unknown", "query", "report",
						 "report",  "leave", "report"};
	char label[64];
	int f, v, k;

	fprintf(stderr,
		"mgmdump: %" PRIu64 " frames, %" PRIu64 " messages, %" PRIu64 " malformed, %" PRIu64
		" other packets skipped\n",
		d->frames, d->messages, d->malformed, d->skipped);
	for (f = 0; f < 2; f++) {
		for (v = 1; v < NVERSIONS; v++) {
			for (k = 1; k < NKINDS; k++) {
				if (!d->by_kind[f][v][k])
					continue;
				snprintf(label, sizeof(label), "%sv%d %s", fam[f], v,
					 f && k == MGM_MSG_LEAVE ? "done" : kind[k]);
				fprintf(stderr, "  %-32s %10" PRIu64 "\n", label,
					d->by_kind[f][v][k]);
			}
		}
		if (d->unknown_types[f]) {
			snprintf(label, sizeof(label), "%s other types (ignored)", fam[f]);
			fprintf(stderr, "  %-32s %10" PRIu64 "\n", label, d->unknown_types[f]);
		}
	}
	for (k = 1; k < NERRORS; k++) {
		if (!d->by_error[k])
			continue;
		snprintf(label, sizeof(label), "malformed %s", mgm_errname(-k));
		fprintf(stderr, "  %-32s %10" PRIu64 "\n", label, d->by_error[k]);
	}
}

static void usage(FILE *f)
{
	fputs("usage: mgmdump -r FILE [options]\n"
	      "       mgmdump -i IFACE [options]\n"
	      "Decodes IGMP and MLD messages with libmgm.\n"
	      "  -r, --read FILE       read a pcap or pcapng file ('-' for standard input)\n"
	      "  -i, --interface IF    capture live on interface IF\n"
	      "  -c, --count N         stop after N messages\n"
	      "  -p, --no-promiscuous  do not put the interface into promiscuous mode\n"
	      "  -t                    no time; -tt epoch; -ttt delta; -tttt date; -ttttt since first\n"
	      "  -v, --verbose         add frame number, TTL, TOS, Router Alert and length\n"
	      "      --json            one JSON object per message\n"
	      "      --stats           totals per message type and per error on standard error\n"
	      "      --help            this text\n"
	      "      --version         version of mgmdump and libpcap\n",
	      f);
}

static int usage_error(const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "mgmdump: %s: %s\n", msg, arg);
	else
		fprintf(stderr, "mgmdump: %s\n", msg);
	fputs("Try 'mgmdump --help'.\n", stderr);
	return 2;
}

/* Names the file or interface in every failure, whatever libpcap's text already says. */
static void capture_error(const char *source, const char *reason)
{
	size_t n = strlen(source);

	if (strncmp(reason, source, n) == 0 && strncmp(reason + n, ": ", 2) == 0)
		reason += n + 2;
	fprintf(stderr, "mgmdump: %s: %s\n", source, reason);
}

/* Promiscuous so a capture on a bridge port sees every host's reports. IGMP, and IPv6 whose
 * first header is Hop-by-Hop or ICMPv6: MLD always carries Router Alert in Hop-by-Hop. */
static const char live_filter[] = "igmp or (ip6 and (ip6[6] == 0 or ip6[6] == 58))";

static pcap_t *open_live(const char *iface, bool promisc, char *errbuf)
{
	struct bpf_program prog;
	pcap_t *p;
	int rc;

	p = pcap_create(iface, errbuf);
	if (!p)
		return NULL;
	pcap_set_snaplen(p, 65535);
	pcap_set_promisc(p, promisc);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 100);
	rc = pcap_activate(p);
	if (rc < 0) {
		if (rc == PCAP_ERROR && pcap_geterr(p)[0])
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
		else
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_statustostr(rc));
		pcap_close(p);
		return NULL;
	}
	if (pcap_compile(p, &prog, live_filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(p, &prog) < 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot set filter: %s", pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	pcap_freecode(&prog);
	return p;
}

/* pcap_open_offline() with a large stdio buffer: libpcap reads every record with fread(), and
 * a big capture then costs far fewer system calls. */
static pcap_t *open_file(const char *file, char *errbuf)
{
	static char iobuf[1 << 20];
	FILE *f;
	pcap_t *p;

	if (strcmp(file, "-") == 0) {
		f = stdin;
	} else {
		f = fopen(file, "rb");
		if (!f) {
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
			return NULL;
		}
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	p = pcap_fopen_offline(f, errbuf);
	if (!p && f != stdin)
		fclose(f);
	return p;
}

static bool parse_count(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return false;
	*out = v;
	return true;
}

/* The option getopt_long complained about: a short one by its letter (it may sit inside a
 * group such as -vZ), a long one as written. */
static const char *option_name(char **argv, int opt)
{
	static char text[3];

	if (opt > 0 && opt < 256) {
		text[0] = '-';
		text[1] = (char)opt;
		return text;
	}
	return argv[optind - 1];
}

enum { OPT_JSON = 256, OPT_STATS, OPT_HELP, OPT_VERSION };

static const struct option long_options[] = {
	{"read", required_argument, NULL, 'r'},	     {"interface", required_argument, NULL, 'i'},
	{"count", required_argument, NULL, 'c'},     {"no-promiscuous", no_argument, NULL, 'p'},
	{"verbose", no_argument, NULL, 'v'},	     {"json", no_argument, NULL, OPT_JSON},
	{"stats", no_argument, NULL, OPT_STATS},     {"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION}, {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	static char outbuf[1 << 20];
	static struct dump d;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *file = NULL, *iface = NULL;
	bool promisc = true, verbose = false;
	int time_style = DUMP_TIME_ABS;
	int opt, rc, status = 0;
	struct sigaction sa;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":r:i:c:ptv", long_options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (file)
				return usage_error("-r given twice", NULL);
			file = optarg;
			break;
		case 'i':
			if (iface)
				return usage_error("-i given twice", NULL);
			iface = optarg;
			break;
		case 'c':
			if (!parse_count(optarg, &d.max_count))
				return usage_error("-c wants a positive count", optarg);
			break;
		case 'p':
			promisc = false;
			break;
		case 't':
			if (time_style < DUMP_TIME_SINCE1)
				time_style++;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_JSON:
			d.json = true;
			break;
		case OPT_STATS:
			d.stats = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("mgmdump %s (%s)\n", MGMDUMP_VERSION, pcap_lib_version());
			return 0;
		case ':':
			return usage_error("option needs an argument", option_name(argv, optopt));
		default:
			return usage_error("unknown option", option_name(argv, optopt));
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (file && iface)
		return usage_error("-r and -i exclude each other", NULL);
	if (!file && !iface)
		return usage_error("need -r FILE or -i IFACE", NULL);

	if (file) {
		d.source = file;
		d.pcap = open_file(file, errbuf);
	} else {
		d.source = iface;
		d.live = true;
		d.pcap = open_live(iface, promisc, errbuf);
	}
	if (!d.pcap) {
		capture_error(d.source, errbuf);
		return 1;
	}
	d.dlt = pcap_datalink(d.pcap);

	setvbuf(stdout, NULL, d.live ? _IOLBF : _IOFBF, 1 << 16);
	d.out.f = stdout;
	d.out.buf = outbuf;
	d.out.cap = sizeof(outbuf);
	dump_text_init(&d.text, time_style, verbose);

	if (d.live) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		live_pcap = d.pcap;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}

	rc = pcap_loop(d.pcap, -1, on_packet, (u_char *)&d);
	dump_out_flush(&d.out);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mgmdump: standard output: %s\n", strerror(errno));
		status = 1;
	}
	if (rc == PCAP_ERROR) {
		capture_error(d.source, pcap_geterr(d.pcap));
		status = 1;
	}
	if (d.stats)
		print_stats(&d);
	live_pcap = NULL;
	pcap_close(d.pcap);
	return status;
}
