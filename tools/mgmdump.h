/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmdump's internal interface: one captured IGMP/MLD message as the capture loop hands it to
 * the text and JSON printers, and the output buffer they share. No protocol rule lives here:
 * decoding is libmgm's (RFC 3376 §4, RFC 3810 §5), mgmdump only shows what it returns.
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

/* Output buffer: the printers append, and it goes to the FILE in large writes. */
struct dump_out {
	FILE *f;
	char *buf;
	size_t len;
	size_t cap;
};

/* Space kept free so small appends need no check of their own. */
#define DUMP_OUT_SLACK 256

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

void dump_out_flush(struct dump_out *o);
/* The rare path of dump_out_mem(): flush, or write a very large piece directly. */
void dump_out_mem_slow(struct dump_out *o, const char *s, size_t n);

/* Flushes when fewer than need + DUMP_OUT_SLACK octets are free. */
static inline void dump_out_reserve(struct dump_out *o, size_t need)
{
	if (o->cap - o->len < need + DUMP_OUT_SLACK)
		dump_out_flush(o);
}

/* Inline: several appends make every line. */
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
void dump_out_u64(struct dump_out *o, uint64_t v);
/* Text of an address; IPv4 without printf because it is on every line. */
size_t dump_addr_text(uint8_t family, const uint8_t *octets, char *buf);
void dump_out_addr(struct dump_out *o, const struct mgm_addr *a);

/* "IGMP" or "MLD" and the human name of a message. */
const char *dump_protocol_name(uint8_t family);
/* The source and destination of a message, from the decoded header or, for a packet the IP
 * decoder refused, from the fixed header offsets when the packet is long enough. */
bool dump_msg_addrs(const struct dump_msg *dm, struct mgm_addr *src, struct mgm_addr *dst);

void dump_text_init(struct dump_text *t, int time_style, bool verbose);
void dump_text_msg(struct dump_text *t, struct dump_out *o, const struct dump_msg *dm);

void dump_json_msg(struct dump_out *o, const struct dump_msg *dm);

#endif
