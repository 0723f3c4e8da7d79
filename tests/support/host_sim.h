/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test harness for the host engine: one host in simulated time with a counted allocator and a
 * seeded (or fixed) random source. Everything it sends is decoded with the strict decoder and
 * checked for its destination, then rendered in words over symbolic names, so a test compares
 * "TO_EX G1{a,b}" whichever family runs: groups G1..G4 and sources a..h are 239.1.1.x /
 * ff0e::1:x and 10.9.0.x / 2001:db8::x.
 */
#ifndef HOST_SIM_H
#define HOST_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/host.h"
#include "mgm/wire.h"
#include "test_alloc.h"
#include "test_rng.h"

#define HSIM_MAX_SENT 1024
#define HSIM_GROUPS   4
#define HSIM_SOURCES  8

struct hsim_sent {
	int64_t at;
	struct mgm_addr dst;
	uint8_t buf[1500];
	size_t len;
	struct mgm_msg m; /* decoded; points into buf */
};

struct hsim {
	uint8_t family;
	int64_t now;
	struct mgm_host *h;
	struct mgm_host_config cfg;
	struct mgm_addr addr, querier;
	struct test_alloc alloc;
	struct rng rng;
	bool fixed_random; /* random() returns random_value instead of drawing */
	uint64_t random_value;
	struct hsim_sent sent[HSIM_MAX_SENT];
	int nsent;
	int taken; /* sent[] entries already returned by hsim_take() */
};

/* Group i (0-based: G1 = 0) and source i (a = 0) of the family. */
struct mgm_addr hsim_group(uint8_t family, int i);
struct mgm_addr hsim_source(uint8_t family, int i);

/* A started host at t = 0 with the default configuration changed by tweak (may be NULL). */
struct hsim *hsim_new(uint8_t family, void (*tweak)(struct mgm_host_config *cfg));
/* Destroys the host and checks that it freed every octet. */
void hsim_free(struct hsim *s);
/* Runs the host's timers up to t, then sets the clock to t. */
void hsim_run(struct hsim *s, int64_t t);

/* Everything sent since the last call, in words: messages separated by " | ", records by " ":
 * "ALLOW G1{a,b} BLOCK G1{c}", "R2 G1" (v1/v2/MLDv1 report, version), "L G1" (leave, done). */
const char *hsim_take(struct hsim *s);

/* Socket calls on group gi with sources as a bitmask (bit i: source i). */
int hsim_set(struct hsim *s, uint32_t sock, int gi, uint8_t mode, unsigned mask);
int hsim_join(struct hsim *s, uint32_t sock, int gi);
int hsim_leave(struct hsim *s, uint32_t sock, int gi);

/* The interface state of a group: mode (0 when there is no record) and the source mask. */
uint8_t hsim_state(struct hsim *s, int gi, unsigned *mask);

/* A query from the querier: version, group gi (-1: general), max resp ms, sources mask. */
void hsim_query(struct hsim *s, uint8_t version, int gi, uint32_t max_resp_ms, unsigned mask);
/* Another host's v1 / v2 / MLDv1 report for group gi. */
void hsim_other_report(struct hsim *s, uint8_t version, int gi);

#endif
