/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mgmd's privileges (libcap-ng): a check before anything is opened that names the capability
 * missing, and the drop after every socket is open to CAP_NET_ADMIN and CAP_NET_RAW alone,
 * optionally under another user.
 */
#ifndef MGMD_PRIVS_H
#define MGMD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * 0 when CAP_NET_RAW (raw IGMP/ICMPv6 sockets) and, with need_admin, CAP_NET_ADMIN (multicast
 * routing) are effective; else -1 with one sentence in err naming what is missing and how to
 * grant it.
 */
int mgmd_privs_check(bool need_admin, char *err, size_t errlen);

/*
 * Keeps CAP_NET_ADMIN and CAP_NET_RAW (effective and permitted) and nothing else: inheritable
 * and ambient sets emptied, the bounding set reduced to the two when mgmd may change it
 * (CAP_SETPCAP; under systemd, CapabilityBoundingSet= has done it already). With user (not
 * NULL), switches to its uid and gid without supplementary groups, keeping the two capabilities
 * across the switch. 0, or -1 with a sentence in err; after -1 the process may hold a partial
 * set and should exit.
 */
int mgmd_privs_drop(const char *user, char *err, size_t errlen);

#endif
