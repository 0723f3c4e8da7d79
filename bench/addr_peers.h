/* SPDX-License-Identifier: BSD-2-Clause */
/* bench_wire's peers for mgm_addr_format(): same contract (text without NUL, its length). */
#ifndef MGM_BENCH_ADDR_PEERS_H
#define MGM_BENCH_ADDR_PEERS_H

#include <stddef.h>
#include <stdint.h>

/* glibc's inet_ntop(3). */
size_t peer_ntop_format(uint8_t family, const uint8_t *octets, char *out);
/* The library's loop per digit. */
size_t peer_loop_format(uint8_t family, const uint8_t *octets, char *out);

#endif
