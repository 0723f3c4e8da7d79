/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump: options, then the readers: classic pcap files through its own (mgmdump_pcap.c,
 * threads in mgmdump_par.c), pcapng and live capture through libpcap. Every frame goes to
 * libmgm's strict decoder (RFC 3376 §4, RFC 3810 §5, RFC 2113/2711) via mgmdump_frame.c, and
 * every message, malformed ones too, out as a line or JSON. Usage is in doc/mgmdump.1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "mgmdump.h"

#ifndef MGMDUMP_VERSION
#define MGMDUMP_VERSION "unknown"
#endif

/* The live capture the signal handler stops; the only global, and only in this tool. */
static pcap_t *volatile live_pcap;

static void on_signal(int sig)
{
	(void)sig;
	if (live_pcap)
		pcap_breakloop(live_pcap);
}

/* What pcap_loop() hands each packet to. */
struct pcap_run {
	pcap_t *pcap;
	struct dump_proc *proc;
	uint64_t frames;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct pcap_run *r = (struct pcap_run *)user;
	struct dump_frame f = {
		.number = ++r->frames,
		.ts_sec = h->ts.tv_sec,
		.ts_usec = (int32_t)h->ts.tv_usec,
		.data = bytes,
		.caplen = h->caplen,
	};

	if (!dump_frame(r->proc, &f))
		pcap_breakloop(r->pcap);
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
static const char live_filter[] =
	"igmp or (ip6 and (ip6[6] == 0 or ip6[6] == 58 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 51 or ip6[6] == 60))";

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
	if (pcap_compile(p, &prog, live_filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot compile filter: %s", pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot set filter: %s", pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* What one run of mgmdump reads from and what went wrong, said after the output. */
struct run {
	const char *source; /* file name or interface */
	enum dump_reader reader;
	unsigned threads; /* --threads; 0: as dump_par_threads() finds */
	bool promisc;
	struct dump_proc proc;
	struct dump_pcap file;
	char err[PCAP_ERRBUF_SIZE + 256];
};

static int fail(struct run *r, const char *reason)
{
	snprintf(r->err, sizeof(r->err), "%s", reason);
	return 1;
}

/* libpcap reads every record with fread(): a large stdio buffer costs far fewer system calls. */
static pcap_t *open_stream(FILE *f, char *errbuf)
{
	static char iobuf[1 << 20];

	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	return pcap_fopen_offline(f, errbuf);
}

/* Runs pcap_loop() to the end, an error, a signal or the count; 0 or 1 as the exit status. */
static int loop_libpcap(struct run *r, pcap_t *p)
{
	struct pcap_run pr = {.pcap = p, .proc = &r->proc};
	int rc, status = 0;

	r->proc.dlt = pcap_datalink(p);
	rc = pcap_loop(p, -1, on_packet, (u_char *)&pr);
	if (rc == PCAP_ERROR)
		status = fail(r, pcap_geterr(p));
	return status;
}

static int read_live(struct run *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct sigaction sa;
	pcap_t *p;
	int status;

	p = open_live(r->source, r->promisc, errbuf);
	if (!p)
		return fail(r, errbuf);
	r->proc.live = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	live_pcap = p;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	status = loop_libpcap(r, p);
	live_pcap = NULL;
	pcap_close(p);
	return status;
}

/* The classic pcap walker: the records in place, no copy, no callback; on several threads
 * when the file is large and the output of each message stands alone. */
static int walk_file(struct run *r)
{
	struct dump_frame f;
	unsigned threads = r->threads ? r->threads : dump_par_threads(&r->file);
	int rc;

	r->proc.dlt = r->file.dlt;
	if (threads > 1 && r->file.map && !r->proc.max_count &&
	    (r->proc.json || !dump_text_sequential(&r->proc.text))) {
		rc = dump_par_run(&r->file, &r->proc, threads);
	} else {
		while ((rc = dump_pcap_next(&r->file, &f)) > 0) {
			if (!dump_frame(&r->proc, &f))
				return 0;
		}
	}
	return rc < 0 ? fail(r, r->file.err) : 0;
}

static int read_file(struct run *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	FILE *f;
	pcap_t *p;
	int rc, status = 0;

	if (r->reader == DUMP_READER_LIBPCAP) {
		if (strcmp(r->source, "-") == 0) {
			f = stdin;
		} else {
			f = fopen(r->source, "rb");
			if (!f)
				return fail(r, strerror(errno));
		}
	} else {
		rc = dump_pcap_open(&r->file, r->source, r->reader);
		if (rc < 0)
			status = fail(r, r->file.err);
		else if (rc > 0)
			status = walk_file(r);
		if (rc != 0) {
			dump_pcap_close(&r->file);
			return status;
		}
		/* Not ours to walk: libpcap reads it, from the first octet. */
		f = dump_pcap_stream(&r->file);
		if (!f) {
			status = fail(r, r->file.err);
			dump_pcap_close(&r->file);
			return status;
		}
	}
	p = open_stream(f, errbuf);
	if (!p) {
		if (f != stdin)
			fclose(f);
		dump_pcap_close(&r->file);
		return fail(r, errbuf);
	}
	status = loop_libpcap(r, p);
	pcap_close(p);
	dump_pcap_close(&r->file);
	return status;
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

static bool parse_reader(const char *s, enum dump_reader *out)
{
	static const char *const names[] = {
		[DUMP_READER_AUTO] = "auto",
		[DUMP_READER_MMAP] = "mmap",
		[DUMP_READER_READ] = "read",
		[DUMP_READER_LIBPCAP] = "libpcap",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum dump_reader)i;
			return true;
		}
	}
	return false;
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

static bool parse_threads(const char *s, unsigned *out)
{
	uint64_t v;

	if (!parse_count(s, &v) || v > 64)
		return false;
	*out = (unsigned)v;
	return true;
}

enum { OPT_JSON = 256, OPT_STATS, OPT_HELP, OPT_VERSION, OPT_READER, OPT_THREADS };

/* --reader and --threads are left out of --help: they are debugging aids, documented in
 * doc/mgmdump.1. */
static const struct option long_options[] = {
	{"read", required_argument, NULL, 'r'},
	{"interface", required_argument, NULL, 'i'},
	{"count", required_argument, NULL, 'c'},
	{"no-promiscuous", no_argument, NULL, 'p'},
	{"verbose", no_argument, NULL, 'v'},
	{"json", no_argument, NULL, OPT_JSON},
	{"stats", no_argument, NULL, OPT_STATS},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{"reader", required_argument, NULL, OPT_READER},
	{"threads", required_argument, NULL, OPT_THREADS},
	{NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	static char outbuf[1 << 20];
	static struct run r;
	const char *file = NULL, *iface = NULL;
	bool verbose = false, stats = false;
	int time_style = DUMP_TIME_ABS;
	int opt, status;

	r.promisc = true;
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
			if (!parse_count(optarg, &r.proc.max_count))
				return usage_error("-c wants a positive count", optarg);
			break;
		case 'p':
			r.promisc = false;
			break;
		case 't':
			if (time_style < DUMP_TIME_SINCE1)
				time_style++;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_JSON:
			r.proc.json = true;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case OPT_READER:
			if (!parse_reader(optarg, &r.reader))
				return usage_error("--reader wants auto, mmap, read or libpcap",
						   optarg);
			break;
		case OPT_THREADS:
			if (!parse_threads(optarg, &r.threads))
				return usage_error("--threads wants a count from 1 to 64", optarg);
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

	dump_out_init(&r.proc.out, STDOUT_FILENO, outbuf, sizeof(outbuf));
	dump_text_init(&r.proc.text, time_style, verbose);
	r.source = file ? file : iface;
	status = file ? read_file(&r) : read_live(&r);

	if (!dump_out_flush(&r.proc.out)) {
		fprintf(stderr, "mgmdump: standard output: %s\n", strerror(r.proc.out.errno_saved));
		status = 1;
	}
	if (r.err[0])
		capture_error(r.source, r.err);
	if (stats)
		dump_counts_print(&r.proc.n, stderr);
	return status;
}
