/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names for libmgm's error codes (mgm/err.h): one sentence for humans, one stable identifier
 * for machines (JSON output, logs that scripts read). Not protocol, just the vocabulary.
 */
#include "mgm/err.h"

#include <stddef.h>

struct err_name {
	int err;
	const char *id;
	const char *text;
};

static const struct err_name err_names[] = {
	{MGM_OK, "ok", "success"},
	{MGM_E_SHORT, "short", "message shorter than its fixed part"},
	{MGM_E_CHECKSUM, "checksum", "IGMP or ICMPv6 checksum does not verify"},
	{MGM_E_LENGTH, "length", "message length impossible for its type"},
	{MGM_E_RECORD_OVERRUN, "record_overrun", "record count runs past the end of the message"},
	{MGM_E_SOURCE_OVERRUN, "source_overrun", "source count runs past the end of the message"},
	{MGM_E_AUX_OVERRUN, "aux_overrun",
	 "auxiliary data length runs past the end of the message"},
	{MGM_E_RECORD_TYPE, "record_type", "group record type is not one of 1 to 6"},
	{MGM_E_GROUP_NOT_MULTICAST, "group_not_multicast", "group address is not multicast"},
	{MGM_E_SOURCE_NOT_UNICAST, "source_not_unicast", "source address is not unicast"},
	{MGM_E_REPORT_ALL_SYSTEMS, "report_all_systems",
	 "report or leave for the all-systems / all-nodes group"},
	{MGM_E_IP_HEADER, "ip_header", "bad IP version, header length or total length"},
	{MGM_E_IP_CHECKSUM, "ip_checksum", "IPv4 header checksum does not verify"},
	{MGM_E_IP_OPTION, "ip_option", "malformed IPv4 option or IPv6 extension header"},
	{MGM_E_IP_FRAGMENT, "ip_fragment", "IP fragment: IGMP and MLD are never fragmented"},
	{MGM_E_IP_PROTOCOL, "ip_protocol", "payload is neither IGMP nor ICMPv6"},
	{MGM_E_NOBUFS, "nobufs", "buffer too small"},
	{MGM_E_MTU, "mtu", "MTU too small for even one record"},
	{MGM_E_INVAL, "inval", "invalid argument"},
	{MGM_E_NOMEM, "nomem", "out of memory"},
	{MGM_E_LIMIT, "limit", "a configured limit refuses more state"},
	{MGM_E_CONFIG, "config", "configuration value out of range or inconsistent"},
	{MGM_E_NOENT, "noent", "no such object"},
	{MGM_E_BUSY, "busy", "instance busy: a callback called back into it"},
};

static const struct err_name *lookup(int err)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++) {
		if (err_names[i].err == err)
			return &err_names[i];
	}
	return NULL;
}

const char *mgm_strerror(int err)
{
	const struct err_name *e = lookup(err);

	return e ? e->text : "unknown error";
}

const char *mgm_errname(int err)
{
	const struct err_name *e = lookup(err);

	return e ? e->id : "unknown";
}
