/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump's internal interface: the readers hand frames to the frame layer, which finds the
 * IGMP/MLD message in each and has the text or JSON printer append it to an output buffer.
 * No protocol rule lives here: decoding is libmgm's (RFC 3376 §4, RFC 3810 §5).
 */
#ifndef MGMDUMP_H
#define MGMDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mgm/wire.h"

/* One IGMP/MLD message found in a frame, decoded or not. */
struct dump_msg {
	uint64_t frame;	    /* 1-based frame number in the capture */
	int64_t ts_sec;	    /* capture time */
	int32_t ts_usec;    /* microseconds */
	int err;	    /* 0, or the negative enum mgm_err the decoder returned */
	bool ip_valid;	    /* ip holds a decoded IP header (err is not an IP-level error) */
	uint8_t family;	    /* MGM_INET or MGM_INET6, from the IP version nibble */
	const uint8_t *pkt; /* the IP packet, for naming the addresses of a malformed one */
	size_t pkt_len;
	struct mgm_ip_info ip;
	struct mgm_msg msg; /* valid when err == 0 */
};

/* Output buffer: the printers append, and it goes to fd in large writes. */
struct dump_out {
	int fd;	     /* DUMP_OUT_HOLD: keep everything, growing the buffer */
	bool failed; /* a write failed; errno_saved says why */
	int errno_saved;
	char *buf; /* from malloc() when held */
	size_t len;
	size_t cap;
};

/* A held buffer is written later by dump_out_pass(): a thread's share of a file waits there
 * for its turn. */
#define DUMP_OUT_HOLD (-1)
/* Space kept free so small appends need no check of their own. */
#define DUMP_OUT_SLACK 256
/* Buffers given to dump_out_init() hold at least this much: the text printer asks for up to
 * 16 KiB of room at once. */
#define DUMP_OUT_MIN_CAP (64 * 1024)

void dump_out_init(struct dump_out *o, int fd, char *buf, size_t cap);
/* Writes what is buffered (nothing when held); false once a write has failed (the rest is
 * then dropped). */
bool dump_out_flush(struct dump_out *o);
/* Appends a held buffer's contents to o's output and empties it. */
void dump_out_pass(struct dump_out *o, struct dump_out *held);
/* The rare path of dump_out_mem(): flush, grow, or write a very large piece directly. */
void dump_out_mem_slow(struct dump_out *o, const char *s, size_t n);

/* Inline: several appends make every JSON line. */
static inline void dump_out_mem(struct dump_out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n + DUMP_OUT_SLACK) {
		dump_out_mem_slow(o, s, n);
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void dump_out_str(struct dump_out *o, const char *s)
{
	dump_out_mem(o, s, strlen(s));
}

/* A query with the S flag, QRV, QQIC and a source list: IGMPv3 (RFC 3376 §4.1.5-§4.1.8) or
 * MLDv2 (RFC 3810 §5.1.7-§5.1.10). */
static inline bool dump_query_v3(const struct mgm_msg *m)
{
	return (m->family == MGM_INET && m->version == 3) ||
	       (m->family == MGM_INET6 && m->version == 2);
}

/* The source and destination of a message, from the decoded header or, for a packet the IP
 * decoder refused, from the fixed header offsets when the packet is long enough. */
bool dump_msg_addrs(const struct dump_msg *dm, struct mgm_addr *src, struct mgm_addr *dst);

enum dump_time_style {
	DUMP_TIME_ABS = 0,    /* HH:MM:SS.uuuuuu, local time (default) */
	DUMP_TIME_NONE = 1,   /* -t */
	DUMP_TIME_EPOCH = 2,  /* -tt: seconds since 1970 */
	DUMP_TIME_DELTA = 3,  /* -ttt: since the previous message */
	DUMP_TIME_DATE = 4,   /* -tttt: date and time, local */
	DUMP_TIME_SINCE1 = 5, /* -ttttt: since the first message */
};

struct dump_text {
	int time_style;
	bool verbose;
	bool have_prev; /* for DELTA and SINCE1 */
	int64_t first_sec, prev_sec;
	int32_t first_usec, prev_usec;
	int64_t cached_sec; /* the second whose clock text is cached */
	char cached_clock[32];
	size_t cached_len;
};

void dump_text_init(struct dump_text *t, int time_style, bool verbose);
/* True when a line depends on the messages before it (-ttt, -ttttt). */
bool dump_text_sequential(const struct dump_text *t);
void dump_text_msg(struct dump_text *t, struct dump_out *o, const struct dump_msg *dm);
/* Seconds since 1970 as -tt writes them, NUL-terminated into buf (DUMP_EPOCH_TEXT octets):
 * before 1970, -1 s and 500000 us is "-0.500000". */
#define DUMP_EPOCH_TEXT 32
void dump_epoch_text(int64_t sec, int32_t usec, char *buf);

void dump_json_msg(struct dump_out *o, const struct dump_msg *dm);

/* ---- the frame layer (mgmdump_frame.c) ---------------------------------------------------- */

/* Messages are counted by family, version and kind; malformed ones by error. */
#define DUMP_NVERSIONS 4
#define DUMP_NKINDS    MGM_MSG__COUNT
#define DUMP_NERRORS   64

struct dump_counts {
	uint64_t frames, messages, malformed, skipped;
	uint64_t by_kind[2][DUMP_NVERSIONS][DUMP_NKINDS];
	uint64_t unknown_types[2];
	uint64_t by_error[DUMP_NERRORS];
};

/* Turns frames into printed messages: one per thread, each with its own output buffer. */
struct dump_proc {
	int dlt;	    /* libpcap's DLT_ value for the capture's link type */
	bool json;	    /* JSON lines instead of text */
	bool live;	    /* flush every message: someone is watching */
	uint64_t max_count; /* stop after this many messages; 0: no limit */
	struct dump_counts n;
	struct dump_text text;
	struct dump_out out;
};

/* A captured frame as a reader hands it over. */
struct dump_frame {
	uint64_t number; /* 1-based, counting every frame of the capture */
	int64_t ts_sec;
	int32_t ts_usec;
	const uint8_t *data;
	size_t caplen;
};

/* Whether the frame layer decodes a link type (a DLT_ value): the others are skipped. */
bool dump_dlt_known(int dlt);
/* Prints the IGMP/MLD message of a frame, if any. Returns false once max_count is reached. */
bool dump_frame(struct dump_proc *d, const struct dump_frame *f);
/* Adds one thread's counts to the total. */
void dump_counts_add(struct dump_counts *to, const struct dump_counts *from);
void dump_counts_print(const struct dump_counts *n, FILE *f);

/* ---- the classic pcap reader (mgmdump_pcap.c) --------------------------------------------- */

/* How a capture file is read: --reader, a debugging aid (doc/mgmdump.1). */
enum dump_reader {
	DUMP_READER_AUTO,    /* classic pcap: mmap, or read() when not a regular file */
	DUMP_READER_MMAP,    /* classic pcap: mmap, or fail */
	DUMP_READER_READ,    /* classic pcap: read() */
	DUMP_READER_LIBPCAP, /* everything through libpcap */
};

/* libpcap's limit on a record of the link types we decode (MAXIMUM_SNAPLEN). */
#define DUMP_PCAP_MAX_CAPLEN 262144u
#define DUMP_PCAP_FILE_HDR   24
#define DUMP_PCAP_REC_HDR    16
#define DUMP_PCAP_PREFETCH   1024

/* A classic pcap file (version 2.4, either byte order, micro- or nanosecond time stamps). */
struct dump_pcap {
	int fd;
	bool own_fd;	 /* opened here: closed here */
	bool big_endian; /* the file's byte order */
	bool nsec;	 /* nanosecond time stamps */
	bool eof;	 /* read(): end of input seen */
	int dlt;	 /* link type as libpcap names it (DLT_) */
	uint32_t snaplen;
	const uint8_t *data; /* records from pos to len */
	size_t len, pos;
	uint64_t base;	 /* file offset of data[0] */
	uint64_t frames; /* records handed out */
	uint8_t *buf;	 /* read(): the buffer behind data */
	size_t cap;
	void *map; /* the mapping, map_len octets from file offset 0; NULL: read() */
	size_t map_len;
	char err[256];
};

/*
 * Opens file ("-": standard input) and reads its header. Returns 1 when the walker below reads
 * it, 0 when libpcap must (pcapng, other pcap versions and magics, link types mgmdump does not
 * decode, a header cut short: libpcap then says what it makes of them), -1 on an error with
 * its text in err. Nothing is lost on 0: dump_pcap_stream() gives the input from the start.
 */
int dump_pcap_open(struct dump_pcap *pc, const char *file, enum dump_reader how);
/* After dump_pcap_open() returned 0: a stream of the whole input for pcap_fopen_offline(); it
 * reads through pc, which must outlive it. NULL with err set on failure. */
FILE *dump_pcap_stream(struct dump_pcap *pc);
void dump_pcap_close(struct dump_pcap *pc);
/* The rare cases of dump_pcap_next(): refills, over-long records, the end and errors. */
int dump_pcap_next_slow(struct dump_pcap *pc, struct dump_frame *f);

/* ---- several threads over a mapped file (mgmdump_par.c) ------------------------------------ */

/* Threads worth running over pc: one per CPU this process may use for a large mapped file,
 * else 1. */
unsigned dump_par_threads(const struct dump_pcap *pc);
/*
 * Decodes and prints the rest of pc with n threads, each a copy of proto (settings, text
 * state); the output goes through proto->out in file order and the counts are added to
 * proto->n. Not for -c or the relative time styles, which need the messages one after another.
 * Returns 0 at the end of the file, -1 with pc->err set when a damaged record stopped it.
 */
int dump_par_run(struct dump_pcap *pc, struct dump_proc *proto, unsigned n);

static inline uint32_t dump_pcap_u32(const struct dump_pcap *pc, const uint8_t *p)
{
	if (pc->big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Time stamp of a record header as libpcap gives it: signed 32-bit fields, nanoseconds
 * truncated to microseconds. */
static inline void dump_pcap_time(const struct dump_pcap *pc, const uint8_t *h,
				  struct dump_frame *f)
{
	int32_t frac = (int32_t)dump_pcap_u32(pc, h + 4);

	f->ts_sec = (int32_t)dump_pcap_u32(pc, h);
	f->ts_usec = pc->nsec ? frac / 1000 : frac;
}

/*
 * The next record: 1 with *f filled (f->data points into the reader's memory, valid until the
 * next call), 0 at the end of the file, -1 with err set for a damaged or truncated file or a
 * read error. Every record header is checked against what is left before anything is used.
 */
static inline int dump_pcap_next(struct dump_pcap *pc, struct dump_frame *f)
{
	const uint8_t *h = pc->data + pc->pos;
	size_t left = pc->len - pc->pos;
	uint32_t caplen;

	if (left >= DUMP_PCAP_REC_HDR) {
		/* The records that follow, into the cache while this one is decoded. */
		if (left > DUMP_PCAP_PREFETCH)
			__builtin_prefetch(h + DUMP_PCAP_PREFETCH);
		caplen = dump_pcap_u32(pc, h + 8);
		if (caplen <= pc->snaplen && caplen <= left - DUMP_PCAP_REC_HDR) {
			dump_pcap_time(pc, h, f);
			f->number = ++pc->frames;
			f->data = h + DUMP_PCAP_REC_HDR;
			f->caplen = caplen;
			pc->pos += DUMP_PCAP_REC_HDR + caplen;
			return 1;
		}
	}
	return dump_pcap_next_slow(pc, f);
}

#endif
