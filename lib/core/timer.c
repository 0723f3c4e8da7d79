/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The timer heap: a 4-ary min-heap on deadlines, stored in fixed chunks so it grows without
 * copying. Each engine keeps all of its record timers here (RFC 3376 §6.2-§6.6 timers), and
 * the work per timer call depends only on the entries that are due.
 */
#include <string.h>

#include "mgm/err.h"
#include "timer.h"

#define CHUNK_MASK (MGM_TIMER_CHUNK - 1)

static inline int64_t *when_at(const struct mgm_timer_heap *h, uint32_t i)
{
	return &h->chunks[i >> MGM_TIMER_SHIFT]->when[i & CHUNK_MASK];
}

static inline uint32_t *ref_at(const struct mgm_timer_heap *h, uint32_t i)
{
	return &h->chunks[i >> MGM_TIMER_SHIFT]->ref[i & CHUNK_MASK];
}

void mgm_timer_init(struct mgm_timer_heap *h, struct mgm_mem *mem,
		    void (*moved)(void *ctx, uint32_t ref, uint32_t pos), void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->mem = mem;
	h->moved = moved;
	h->ctx = ctx;
}

void mgm_timer_fini(struct mgm_timer_heap *h)
{
	for (uint32_t i = 0; i < h->nchunks; i++)
		mgm_mem_free(h->mem, h->chunks[i], sizeof(struct mgm_timer_chunk));
	mgm_mem_free(h->mem, h->chunks, h->dircap * sizeof(*h->chunks));
	h->chunks = NULL;
	h->nchunks = h->dircap = h->len = 0;
}

int mgm_timer_reserve(struct mgm_timer_heap *h, uint32_t total)
{
	while ((uint64_t)h->nchunks * MGM_TIMER_CHUNK < total) {
		struct mgm_timer_chunk *c;

		if (h->nchunks == h->dircap) {
			uint32_t ncap = h->dircap ? h->dircap * 2 : 4;
			struct mgm_timer_chunk **dir = mgm_mem_alloc(h->mem, ncap * sizeof(*dir));

			if (!dir)
				return MGM_E_NOMEM;
			if (h->nchunks)
				memcpy(dir, h->chunks, h->nchunks * sizeof(*dir));
			mgm_mem_free(h->mem, h->chunks, h->dircap * sizeof(*dir));
			h->chunks = dir;
			h->dircap = ncap;
		}
		c = mgm_mem_alloc(h->mem, sizeof(*c));
		if (!c)
			return MGM_E_NOMEM;
		h->chunks[h->nchunks++] = c;
	}
	return 0;
}

void mgm_timer_trim(struct mgm_timer_heap *h, uint32_t keep)
{
	if (keep < h->len)
		keep = h->len;
	/* Half a chunk of slack, so that an entry coming and going does not allocate each time. */
	while (h->nchunks > 0 &&
	       (uint64_t)(h->nchunks - 1) * MGM_TIMER_CHUNK >= (uint64_t)keep + MGM_TIMER_CHUNK / 2)
		mgm_mem_free(h->mem, h->chunks[--h->nchunks], sizeof(struct mgm_timer_chunk));
	if (keep == 0) {
		while (h->nchunks > 0)
			mgm_mem_free(h->mem, h->chunks[--h->nchunks],
				     sizeof(struct mgm_timer_chunk));
		mgm_mem_free(h->mem, h->chunks, h->dircap * sizeof(*h->chunks));
		h->chunks = NULL;
		h->dircap = 0;
	}
}

static inline void place(struct mgm_timer_heap *h, uint32_t i, int64_t when, uint32_t ref)
{
	*when_at(h, i) = when;
	*ref_at(h, i) = ref;
	h->moved(h->ctx, ref, i);
}

/*
 * A 4-ary heap: half the depth of a binary one, and the four children of a node are adjacent,
 * so a level costs one cache line of deadlines. Fewer levels also mean fewer moves reported to
 * the owners, whose records lie elsewhere in memory.
 */
#define ARITY 4

/* Moves the entry (when, ref) from hole i towards the root until its parent is not later. */
static void sift_up(struct mgm_timer_heap *h, uint32_t i, int64_t when, uint32_t ref)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / ARITY;
		int64_t pw = *when_at(h, parent);

		if (pw <= when)
			break;
		place(h, i, pw, *ref_at(h, parent));
		i = parent;
	}
	place(h, i, when, ref);
}

static void sift_down(struct mgm_timer_heap *h, uint32_t i, int64_t when, uint32_t ref)
{
	for (;;) {
		uint64_t first = (uint64_t)i * ARITY + 1;
		uint32_t best, end;
		int64_t bw;

		if (first >= h->len)
			break;
		best = (uint32_t)first;
		bw = *when_at(h, best);
		end = first + ARITY < h->len ? (uint32_t)first + ARITY : h->len;
		for (uint32_t c = best + 1; c < end; c++) {
			int64_t cw = *when_at(h, c);

			if (cw < bw) {
				bw = cw;
				best = c;
			}
		}
		if (when <= bw)
			break;
		place(h, i, bw, *ref_at(h, best));
		i = best;
	}
	place(h, i, when, ref);
}

int mgm_timer_push(struct mgm_timer_heap *h, int64_t when, uint32_t ref)
{
	int err = mgm_timer_reserve(h, h->len + 1);

	if (err)
		return err;
	h->len++;
	sift_up(h, h->len - 1, when, ref);
	return 0;
}

void mgm_timer_update(struct mgm_timer_heap *h, uint32_t pos, int64_t when)
{
	uint32_t ref = *ref_at(h, pos);

	if (when < *when_at(h, pos))
		sift_up(h, pos, when, ref);
	else
		sift_down(h, pos, when, ref);
}

void mgm_timer_remove(struct mgm_timer_heap *h, uint32_t pos)
{
	uint32_t last = --h->len;
	int64_t lw;
	uint32_t lref;

	if (pos == last)
		return;
	lw = *when_at(h, last);
	lref = *ref_at(h, last);
	/* The last entry fills the hole and goes whichever way restores the order. */
	if (pos > 0 && lw < *when_at(h, (pos - 1) / ARITY))
		sift_up(h, pos, lw, lref);
	else
		sift_down(h, pos, lw, lref);
}

bool mgm_timer_peek(const struct mgm_timer_heap *h, int64_t *when, uint32_t *ref)
{
	if (h->len == 0)
		return false;
	*when = *when_at(h, 0);
	*ref = *ref_at(h, 0);
	return true;
}

size_t mgm_timer_bytes(const struct mgm_timer_heap *h)
{
	return (size_t)h->nchunks * sizeof(struct mgm_timer_chunk) + h->dircap * sizeof(*h->chunks);
}
