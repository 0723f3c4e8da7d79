/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wire codec: decode, validate and encode every IGMPv1/v2/v3 (RFC 1112, 2236, 3376 §4) and
 * MLDv1/v2 (RFC 2710, 3810 §5) message, the IP headers around them (RFC 2113, 2711) and the
 * exponential Max Resp Code / QQIC encodings. Decoding never allocates and never reads past
 * the buffer; a decoded message points into the caller's buffer (zero copy).
 */
#ifndef MGM_WIRE_H
#define MGM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/addr.h"
#include "mgm/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Wire type octets. */
enum {
	MGM_IGMP_QUERY = 0x11,
	MGM_IGMP_V1_REPORT = 0x12,
	MGM_IGMP_V2_REPORT = 0x16,
	MGM_IGMP_V2_LEAVE = 0x17,
	MGM_IGMP_V3_REPORT = 0x22,
	MGM_MLD_QUERY = 130,
	MGM_MLD_V1_REPORT = 131,
	MGM_MLD_V1_DONE = 132,
	MGM_MLD_V2_REPORT = 143,
};

/* Group record types, RFC 3376 §4.2.12 / RFC 3810 §5.2.12. */
enum mgm_record_type {
	MGM_MODE_IS_INCLUDE = 1,
	MGM_MODE_IS_EXCLUDE = 2,
	MGM_CHANGE_TO_INCLUDE = 3,
	MGM_CHANGE_TO_EXCLUDE = 4,
	MGM_ALLOW_NEW_SOURCES = 5,
	MGM_BLOCK_OLD_SOURCES = 6,
};

/* Octets of each message's fixed part, before any source or group record. */
enum {
	MGM_IGMP_V1V2_LEN = 8,	    /* every IGMPv1/v2 message, RFC 2236 §2 */
	MGM_IGMP_V3_QUERY_LEN = 12, /* RFC 3376 §4.1 */
	MGM_IGMP_V3_REPORT_LEN = 8, /* RFC 3376 §4.2 */
	MGM_MLD_V1_LEN = 24,	    /* every MLDv1 message, RFC 2710 §3 */
	MGM_MLD_V2_QUERY_LEN = 28,  /* RFC 3810 §5.1 */
	MGM_MLD_V2_REPORT_LEN = 8,  /* RFC 3810 §5.2 */
};

/*
 * What a message is, independent of family and version; struct mgm_msg's version field says
 * which protocol version sent it (an IGMPv2 report is kind MGM_MSG_REPORT, version 2; an MLDv2
 * report kind MGM_MSG_REPORT, version 2 of MLD).
 */
enum mgm_msg_kind {
	MGM_MSG_UNKNOWN = 0, /* a type the RFCs say to ignore (RFC 3376 §4, RFC 2236 §2.1) */
	MGM_MSG_QUERY,	     /* general, group-specific or group-and-source-specific query */
	MGM_MSG_REPORT,	     /* membership / listener report: one group (v1/v2), or records */
	MGM_MSG_LEAVE,	     /* IGMPv2 leave group, MLDv1 listener done */
	MGM_MSG__COUNT
};

/*
 * A decoded message. Fields not used by the kind are zero. Pointers point into the decoded
 * buffer, which must outlive the message.
 */
struct mgm_msg {
	uint8_t family;	 /* enum mgm_family */
	uint8_t kind;	 /* enum mgm_msg_kind */
	uint8_t version; /* of the family's protocol, every kind but MGM_MSG_UNKNOWN (0): IGMP
			  * 1..3, MLD 1..2; queries told apart by RFC 3376 §7.1 / RFC 3810 §8.1 */
	uint8_t type;	 /* the wire type octet */
	size_t len;	 /* octets of the message (the IGMP or ICMPv6 payload) */

	/* Query, IGMPv1/v2 or MLDv1 report, leave/done: the group (unspecified for a general
	 * query). */
	struct mgm_addr group;
	/* Query: Max Resp Code as on the wire and its value in milliseconds. An IGMPv1 query
	 * (code 0) means 10 s (RFC 2236 §4). */
	uint16_t max_resp_code;
	uint32_t max_resp_ms;
	/* IGMPv3 / MLDv2 query (RFC 3376 §4.1.5-§4.1.8). */
	bool suppress;		/* S flag: Suppress Router-Side Processing */
	uint8_t qrv;		/* Querier's Robustness Variable, 0..7 */
	uint8_t qqic;		/* Querier's Query Interval Code as on the wire */
	uint32_t qqi;		/* its value in seconds */
	uint16_t num_sources;	/* query: sources in the list */
	const uint8_t *sources; /* num_sources addresses of mgm_addr_len(family) octets */

	/* IGMPv3 / MLDv2 report: all records were validated by mgm_decode() (not by
	 * mgm_decode_lenient(): see there). */
	uint16_t num_records;
	const uint8_t *records; /* first group record; set for every v3 / MLDv2 report (even
				 * one of no records) and for no other message */
	size_t records_len;	/* octets from the first record to the end of the last */
};

/* One group record of a decoded v3 report; sources point into the buffer. */
struct mgm_record {
	uint8_t type; /* enum mgm_record_type */
	uint8_t aux_words;
	uint16_t num_sources;
	struct mgm_addr group;
	const uint8_t *sources;
	const uint8_t *aux; /* aux_words * 4 octets */
};

struct mgm_record_iter {
	const uint8_t *pos;
	const uint8_t *end; /* of the records_len octets */
	uint16_t left;
	uint8_t family;
};

/*
 * Iterates the records of a decoded IGMPv3 / MLDv2 report (none for other messages).
 * mgm_records_next() trusts the records, as mgm_decode() validated them; on a message from
 * mgm_decode_lenient() use mgm_records_next_checked().
 */
void mgm_records_begin(const struct mgm_msg *m, struct mgm_record_iter *it);
bool mgm_records_next(struct mgm_record_iter *it, struct mgm_record *rec);

/*
 * The next record, checked as mgm_decode() checks it. Returns 1 with *rec filled for a valid
 * record, 0 after the last, or a negative enum mgm_err for a bad one. A record whose type is
 * not 1..6 (MGM_E_RECORD_TYPE), whose group is not one a host reports
 * (MGM_E_GROUP_NOT_MULTICAST, MGM_E_REPORT_ALL_SYSTEMS) or with a source that is not unicast
 * (MGM_E_SOURCE_NOT_UNICAST) is skipped and the walk goes on: *rec holds what it said. A
 * record that runs past the message (MGM_E_RECORD_OVERRUN, MGM_E_SOURCE_OVERRUN,
 * MGM_E_AUX_OVERRUN) ends the walk: nothing after it can be located.
 */
int mgm_records_next_checked(struct mgm_record_iter *it, struct mgm_record *rec);
/* Source i of a wire source list (query or record). */
void mgm_source_at(const uint8_t *sources, uint8_t family, size_t i, struct mgm_addr *out);

/*
 * Decodes and validates an IGMP message (the IPv4 payload). Returns 0 with *m filled, or a
 * negative enum mgm_err naming the first malformation found. Unknown types decode to
 * MGM_MSG_UNKNOWN with 0: the RFCs require them to be ignored, not treated as errors.
 * Messages longer than their type needs are accepted (RFC 2236 §2.5, RFC 3376 §7.1);
 * a query of 9-11 octets is MGM_E_LENGTH.
 */
int mgm_igmp_decode(const uint8_t *buf, size_t len, struct mgm_msg *m);

/*
 * Decodes and validates an ICMPv6 message carrying MLD. src and dst are the IPv6 addresses
 * the checksum pseudo-header covers (RFC 4443 §2.3). ICMPv6 types other than 130, 131, 132
 * and 143 decode to MGM_MSG_UNKNOWN (checksum still verified).
 */
int mgm_mld_decode(const uint8_t *buf, size_t len, const struct mgm_addr *src,
		   const struct mgm_addr *dst, struct mgm_msg *m);

/* Family-generic front end: IGMP for MGM_INET (src/dst may be NULL), MLD for MGM_INET6. */
int mgm_decode(uint8_t family, const uint8_t *buf, size_t len, const struct mgm_addr *src,
	       const struct mgm_addr *dst, struct mgm_msg *m);

/*
 * mgm_decode() for a receiver that applies what it can of a report, as the router does: the
 * same checks of everything but the group records of an IGMPv3 / MLDv2 report, which it
 * leaves to mgm_records_next_checked() (num_records as the message says it, records_len up to
 * the end of the message). A bad checksum or fixed part still fails the whole message. RFC 3376
 * §4.2.12 and RFC 3810 §5.2.12: "Unrecognized Record Type values MUST be silently ignored",
 * which asks for a walk that skips a record, not a refusal of the report around it.
 */
int mgm_decode_lenient(uint8_t family, const uint8_t *buf, size_t len, const struct mgm_addr *src,
		       const struct mgm_addr *dst, struct mgm_msg *m);

/* ---- IP layer ---------------------------------------------------------------------------- */

/* What the IP header around a message said; the daemon and the router's policy check these. */
struct mgm_ip_info {
	uint8_t family;
	struct mgm_addr src, dst;
	uint8_t hop_limit;	/* IPv4 TTL or IPv6 hop limit */
	uint8_t tos;		/* IPv4 TOS or IPv6 traffic class */
	bool router_alert;	/* RFC 2113 option / RFC 2711 hop-by-hop option, value 0 (MLD) */
	const uint8_t *payload; /* the IGMP message or the ICMPv6 message */
	size_t payload_len;
};

/*
 * Decodes an IPv4 or IPv6 packet (told apart by the version nibble) as far as its IGMP or
 * ICMPv6 payload: header checksum and lengths (IPv4), the options and the extension header
 * chain. Packets that are not IGMP / ICMPv6 return MGM_E_IP_PROTOCOL. Trailing link-layer
 * padding beyond the IP total / payload length is ignored.
 */
int mgm_ip_decode(const uint8_t *pkt, size_t len, struct mgm_ip_info *ip);

/*
 * Without validating anything, finds what an IPv4 or IPv6 packet carries: follows the IPv6
 * extension headers (Hop-by-Hop, Destination Options, Routing, AH, and a first fragment's
 * Fragment header) as far as the buffer allows. Returns the upper-layer protocol number (2 for
 * IGMP, 58 for ICMPv6) and stores its offset in *offset, or -1 when the buffer ends before it.
 * Meant for classifying traffic (is this ours at all?) before the strict mgm_ip_decode().
 */
int mgm_ip_upper_protocol(const uint8_t *pkt, size_t len, size_t *offset);

/* mgm_ip_decode() then mgm_decode() on the payload. */
int mgm_packet_decode(const uint8_t *pkt, size_t len, struct mgm_ip_info *ip, struct mgm_msg *m);

/* Octets of the header mgm_ip_encode() writes: 24 (IPv4 with Router Alert) or 48 (IPv6 with a
 * Hop-by-Hop header carrying Router Alert). */
size_t mgm_ip_header_len(uint8_t family);

/*
 * Writes the IP header for a payload of payload_len octets into buf: IPv4 with TTL 1, TOS 0xc0,
 * protocol 2, Router Alert (RFC 2113) and the header checksum; IPv6 with hop limit 1, traffic
 * class 0xc0 (DSCP CS6, as the IPv4 TOS) and a Hop-by-Hop header carrying Router Alert value 0
 * (RFC 2711), next header ICMPv6.
 * The payload goes at buf + mgm_ip_header_len(family).
 */
int mgm_ip_encode(uint8_t family, const struct mgm_addr *src, const struct mgm_addr *dst,
		  size_t payload_len, uint8_t *buf, size_t cap);

/* ---- Encoding ---------------------------------------------------------------------------- */

/* A query to encode. version: IGMP 1..3 / MLD 1..2. */
struct mgm_query {
	uint8_t version;
	struct mgm_addr group;	/* unspecified address for a general query */
	uint16_t max_resp_code; /* as on the wire: see mgm_max_resp_code() */
	bool suppress;		/* v3 / MLDv2 only */
	uint8_t qrv;		/* 0..7 */
	uint8_t qqic;		/* as on the wire */
	uint16_t num_sources;
	const struct mgm_addr *sources;
};

/*
 * Encodes a query into buf and stores its length in *len. For MLD, src and dst feed the
 * checksum and are required; for IGMP they are ignored. MGM_E_NOBUFS if cap is too small.
 */
int mgm_encode_query(uint8_t family, const struct mgm_query *q, const struct mgm_addr *src,
		     const struct mgm_addr *dst, uint8_t *buf, size_t cap, size_t *len);

/*
 * Encodes a one-group message of the older versions: kind MGM_MSG_REPORT with version 1 or 2
 * (IGMPv1 / IGMPv2 report) or 1 (MLDv1 report), or kind MGM_MSG_LEAVE with version 2 (IGMPv2
 * leave) or 1 (MLDv1 done). Any other kind and version is MGM_E_INVAL.
 */
int mgm_encode_v1v2(uint8_t family, uint8_t kind, uint8_t version, const struct mgm_addr *group,
		    const struct mgm_addr *src, const struct mgm_addr *dst, uint8_t *buf,
		    size_t cap, size_t *len);

/* A group record to encode in a v3 / MLDv2 report. */
struct mgm_group_record {
	uint8_t type; /* enum mgm_record_type */
	struct mgm_addr group;
	uint16_t num_sources;
	const struct mgm_addr *sources;
	uint8_t aux_words;
	const uint8_t *aux;
};

/*
 * Builds as many v3 / MLDv2 reports as the records need, each fitting the MTU: RFC 3376
 * §4.2.16 / RFC 3810 §5.2.15. A record whose sources do not fit is split over several reports,
 * except IS_EX and TO_EX records, which carry as many sources as fit and drop the rest.
 */
struct mgm_report_writer {
	uint8_t family;
	const struct mgm_group_record *records;
	size_t num_records;
	size_t next_record; /* progress: the record and source the next report starts at */
	size_t next_source;
	size_t mtu;
};

/* mtu is the link MTU: the IP header (mgm_ip_header_len()) is reserved from it. */
void mgm_report_writer_init(struct mgm_report_writer *w, uint8_t family,
			    const struct mgm_group_record *records, size_t num_records, size_t mtu);

/*
 * Encodes the next report into buf (the payload only). Returns 1 with *len set when a report
 * was written, 0 when every record has been written, MGM_E_MTU when the MTU cannot hold one
 * record, MGM_E_NOBUFS when cap cannot.
 */
int mgm_report_writer_next(struct mgm_report_writer *w, const struct mgm_addr *src,
			   const struct mgm_addr *dst, uint8_t *buf, size_t cap, size_t *len);

/* ---- Exponential codes (RFC 3376 §4.1.1, §4.1.7; RFC 3810 §5.1.3, §5.1.9) ------------------ */

/* 8-bit code (IGMPv3 Max Resp Code, IGMPv3 and MLDv2 QQIC) to its value. */
uint32_t mgm_code8_decode(uint8_t code);
/* Value to the 8-bit code with the largest value not above it; saturates at 31744. */
uint8_t mgm_code8_encode(uint32_t value);
/* 16-bit MLDv2 Maximum Response Code (milliseconds) to its value. */
uint32_t mgm_code16_decode(uint16_t code);
/* Value to the 16-bit code with the largest value not above it; saturates at 8387584. */
uint16_t mgm_code16_encode(uint32_t value);

/*
 * The Max Resp Code for a maximum response time in milliseconds, for the query version of the
 * family: IGMPv1 0; IGMPv2 tenths of a second (1..255); IGMPv3 8-bit code in tenths;
 * MLDv1 milliseconds (..65535); MLDv2 16-bit code. Rounds down, never below the smallest
 * non-zero value for versions where 0 means something else.
 */
uint16_t mgm_max_resp_code(uint8_t family, uint8_t version, uint32_t ms);
/* The inverse: what a querier of that version meant by the code, in milliseconds. */
uint32_t mgm_max_resp_ms(uint8_t family, uint8_t version, uint16_t code);

/* ---- Checksum ------------------------------------------------------------------------------ */

/* Internet checksum (RFC 1071) over buf, starting from a partial 32-bit sum. */
uint16_t mgm_inet_checksum(const uint8_t *buf, size_t len, uint32_t sum);
/* Partial sum of the ICMPv6 pseudo-header (RFC 8200 §8.1) for an upper-layer length. */
uint32_t mgm_icmp6_pseudo_sum(const struct mgm_addr *src, const struct mgm_addr *dst,
			      uint32_t upper_len);

/* Names for logs and tools. */
const char *
mgm_record_type_name(uint8_t type); /* "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK" */
/* "query", "report", "leave" (IGMP) or "done" (MLD, RFC 2710 §3.1), "unknown". */
const char *mgm_msg_kind_name(uint8_t family, uint8_t kind);

#ifdef __cplusplus
}
#endif
#endif
