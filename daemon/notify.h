/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram with the state
 * to the AF_UNIX socket named by $NOTIFY_SOCKET, a path or an abstract name written '@name'.
 */
#ifndef MGMD_NOTIFY_H
#define MGMD_NOTIFY_H

/*
 * Sends state ("READY=1", "RELOADING=1\nMONOTONIC_USEC=...", "STOPPING=1", "STATUS=...").
 * Nothing happens when $NOTIFY_SOCKET is unset, empty or of a kind mgmd does not speak (0).
 * Returns 0, or a negative errno when the datagram could not be sent (worth a log line: under
 * Type=notify the manager would only see its start timeout).
 */
int mgmd_notify(const char *state);

#endif
