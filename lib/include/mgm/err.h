/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error codes of libmgm. Every function returns 0 (or a count) on success and a negative
 * enum mgm_err on failure; mgm_strerror() names each one for humans, mgm_errname() for machines.
 */
#ifndef MGM_ERR_H
#define MGM_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

enum mgm_err {
	MGM_OK = 0,
	/* Message-level malformations (wire decoder). */
	MGM_E_SHORT = -1,		/* buffer shorter than the message's fixed part */
	MGM_E_CHECKSUM = -2,		/* IGMP or ICMPv6 checksum does not verify */
	MGM_E_LENGTH = -3,		/* length impossible for the type (e.g. 9-11 octet query) */
	MGM_E_RECORD_OVERRUN = -4,	/* number of group records runs past the end */
	MGM_E_SOURCE_OVERRUN = -5,	/* number of sources runs past the end */
	MGM_E_AUX_OVERRUN = -6,		/* auxiliary data length runs past the end */
	MGM_E_RECORD_TYPE = -7,		/* group record type not 1..6 */
	MGM_E_GROUP_NOT_MULTICAST = -8, /* group field neither multicast nor (query) zero */
	MGM_E_SOURCE_NOT_UNICAST = -9,	/* source list entry is not a unicast address */
	MGM_E_REPORT_ALL_SYSTEMS = -10, /* report or leave for 224.0.0.1 / ff02::1 */
	/* IP-level malformations (IPv4 header, IPv6 header chain). */
	MGM_E_IP_HEADER = -20,	 /* bad version, header length or total length */
	MGM_E_IP_CHECKSUM = -21, /* IPv4 header checksum does not verify */
	MGM_E_IP_OPTION = -22,	 /* IPv4 option or IPv6 extension header malformed */
	MGM_E_IP_FRAGMENT = -23, /* fragment: IGMP/MLD are never fragmented */
	MGM_E_IP_PROTOCOL = -24, /* not IGMP (IPv4 protocol 2) nor ICMPv6: not ours */
	/* Encoder and API errors. */
	MGM_E_NOBUFS = -40, /* caller buffer too small */
	MGM_E_MTU = -41,    /* MTU too small for even one record */
	MGM_E_INVAL = -42,  /* invalid argument */
	MGM_E_NOMEM = -43,  /* allocator refused */
	MGM_E_LIMIT = -44,  /* a configured limit refuses more state */
	MGM_E_CONFIG = -45, /* configuration value out of range or inconsistent */
	MGM_E_NOENT = -46,  /* no such object */
	MGM_E_BUSY = -47,   /* the instance is inside a call: a callback re-entered it */
};

/* One sentence for humans: "record count runs past the end of the message". */
const char *mgm_strerror(int err);
/* Stable lower-case identifier for machines and JSON: "record_overrun". */
const char *mgm_errname(int err);

#ifdef __cplusplus
}
#endif
#endif
