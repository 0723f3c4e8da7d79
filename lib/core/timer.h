/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libmgm: one 4-ary min-heap of deadlines per engine instance (STYLE.md: every
 * record's timer in one timer structure, no scans). O(log n) push, update and remove; the
 * owner of each entry is told its position whenever it moves, so it can update or remove it.
 */
#ifndef MGM_TIMER_H
#define MGM_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

#define MGM_TIMER_SHIFT 10
#define MGM_TIMER_CHUNK (1u << MGM_TIMER_SHIFT)

struct mgm_timer_chunk {
	int64_t when[MGM_TIMER_CHUNK];
	uint32_t ref[MGM_TIMER_CHUNK];
};

struct mgm_timer_heap {
	struct mgm_mem *mem;
	struct mgm_timer_chunk **chunks;
	uint32_t nchunks, dircap;
	uint32_t len;
	/* Called with the entry's owner reference and its new position after every move. */
	void (*moved)(void *ctx, uint32_t ref, uint32_t pos);
	void *ctx;
};

void mgm_timer_init(struct mgm_timer_heap *h, struct mgm_mem *mem,
		    void (*moved)(void *ctx, uint32_t ref, uint32_t pos), void *ctx);
void mgm_timer_fini(struct mgm_timer_heap *h);
/* Room for `total` entries in all, so that later pushes cannot fail. 0 or MGM_E_NOMEM. */
int mgm_timer_reserve(struct mgm_timer_heap *h, uint32_t total);
/* Gives back chunks beyond what `keep` entries need (never below the entries present). */
void mgm_timer_trim(struct mgm_timer_heap *h, uint32_t keep);
/* Adds an entry; its position is reported through moved(). 0 or MGM_E_NOMEM. */
int mgm_timer_push(struct mgm_timer_heap *h, int64_t when, uint32_t ref);
/* Changes the deadline of the entry at pos (earlier or later). */
void mgm_timer_update(struct mgm_timer_heap *h, uint32_t pos, int64_t when);
void mgm_timer_remove(struct mgm_timer_heap *h, uint32_t pos);
/* The earliest entry; false when the heap is empty. */
bool mgm_timer_peek(const struct mgm_timer_heap *h, int64_t *when, uint32_t *ref);
size_t mgm_timer_bytes(const struct mgm_timer_heap *h);

static inline int64_t mgm_timer_when(const struct mgm_timer_heap *h, uint32_t pos)
{
	return h->chunks[pos >> MGM_TIMER_SHIFT]->when[pos & (MGM_TIMER_CHUNK - 1)];
}

/* The earliest deadline in a heap that is not empty (mgm_timer_peek() without the checks). */
static inline int64_t mgm_timer_first(const struct mgm_timer_heap *h)
{
	return mgm_timer_when(h, 0);
}

#endif
