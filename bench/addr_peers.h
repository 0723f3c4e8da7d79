/* SPDX-License-Identifier: BSD-2-Clause */
/* The earlier address formatters, bench_wire's peers for mgm_addr_format(): same contract. */
#ifndef MGM_BENCH_ADDR_PEERS_H
#define MGM_BENCH_ADDR_PEERS_H

#include <stddef.h>
#include <stdint.h>

/* mgmdump's table formatter; peer_table_setup() builds its tables, once. */
void peer_table_setup(void);
size_t peer_table_format(uint8_t family, const uint8_t *octets, char *out);
/* The library's loop per digit. */
size_t peer_loop_format(uint8_t family, const uint8_t *octets, char *out);

#endif
