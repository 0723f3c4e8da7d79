/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libmgm: the allocator glue every engine goes through (the caller's hooks, or
 * malloc/free) with a running count of the bytes held, and a pool of fixed-size records in
 * chunks that never move, so records are named by a 32-bit index and growth never copies.
 */
#ifndef MGM_ALLOC_H
#define MGM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgm/engine.h"

/* "No record": the end of an index list, an empty slot. */
#define MGM_NIL UINT32_MAX

struct mgm_mem {
	struct mgm_allocator hooks;
	size_t in_use; /* bytes currently held: the instance's one memory count */
};

/* hooks NULL, or both functions NULL: malloc and free. MGM_E_INVAL when only one is given. */
int mgm_mem_init(struct mgm_mem *m, const struct mgm_allocator *hooks);
/* NULL when the hooks refuse or size is 0. */
void *mgm_mem_alloc(struct mgm_mem *m, size_t size);
void *mgm_mem_zalloc(struct mgm_mem *m, size_t size);
void mgm_mem_free(struct mgm_mem *m, void *p, size_t size);

/*
 * Records of `size` octets, MGM_POOL_CHUNK per chunk. Freed records are reused first (their
 * first four octets hold the free list). Indices stay valid until the record is freed.
 */
#define MGM_POOL_SHIFT 8
#define MGM_POOL_CHUNK (1u << MGM_POOL_SHIFT)

struct mgm_pool {
	struct mgm_mem *mem;
	size_t size;
	uint8_t **chunks;
	uint32_t nchunks, dircap;
	uint32_t used;	    /* indices below this have been handed out at least once */
	uint32_t free_head; /* MGM_NIL when empty */
	uint32_t nfree;
	uint32_t live;
};

void mgm_pool_init(struct mgm_pool *p, struct mgm_mem *mem, size_t size);
void mgm_pool_fini(struct mgm_pool *p);
/* Makes sure n more records can be taken without allocating. 0 or MGM_E_NOMEM. */
int mgm_pool_reserve(struct mgm_pool *p, uint32_t n);
/* A record index, or MGM_NIL when the pool cannot grow. The record is zeroed. */
uint32_t mgm_pool_take(struct mgm_pool *p);
void mgm_pool_put(struct mgm_pool *p, uint32_t idx);
/* Gives every chunk back if no record is live (after a reservation that went unused). */
void mgm_pool_trim(struct mgm_pool *p);

static inline void *mgm_pool_at(const struct mgm_pool *p, uint32_t idx)
{
	return p->chunks[idx >> MGM_POOL_SHIFT] + (size_t)(idx & (MGM_POOL_CHUNK - 1)) * p->size;
}

#endif
