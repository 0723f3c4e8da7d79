/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation for libmgm's engines: every byte comes from the caller's hooks (DESIGN.md: memory
 * is injected) and is counted, so each instance can report what it holds; record pools grow in
 * chunks so that a table of 100 000 groups never needs one large copy.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "mgm/err.h"

static void *default_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void default_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	free(p);
}

int mgm_mem_init(struct mgm_mem *m, const struct mgm_allocator *hooks)
{
	memset(m, 0, sizeof(*m));
	/* Both hooks or neither: memory from one heap handed to another's free is corruption,
	 * so a half-given allocator is misuse, never completed with libc. */
	if (hooks && !hooks->alloc != !hooks->free)
		return MGM_E_INVAL;
	m->hooks.alloc = hooks && hooks->alloc ? hooks->alloc : default_alloc;
	m->hooks.free = hooks && hooks->free ? hooks->free : default_free;
	m->hooks.ctx = hooks ? hooks->ctx : NULL;
	return 0;
}

void *mgm_mem_alloc(struct mgm_mem *m, size_t size)
{
	void *p;

	if (size == 0)
		return NULL;
	p = m->hooks.alloc(m->hooks.ctx, size);
	if (p)
		m->in_use += size;
	return p;
}

void *mgm_mem_zalloc(struct mgm_mem *m, size_t size)
{
	void *p = mgm_mem_alloc(m, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void mgm_mem_free(struct mgm_mem *m, void *p, size_t size)
{
	if (!p)
		return;
	m->in_use -= size;
	m->hooks.free(m->hooks.ctx, p, size);
}

void mgm_pool_init(struct mgm_pool *p, struct mgm_mem *mem, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->mem = mem;
	/* The free list lives in the first four octets of a free record. */
	p->size = size < sizeof(uint32_t) ? sizeof(uint32_t) : size;
	p->free_head = MGM_NIL;
}

void mgm_pool_fini(struct mgm_pool *p)
{
	for (uint32_t i = 0; i < p->nchunks; i++)
		mgm_mem_free(p->mem, p->chunks[i], p->size * MGM_POOL_CHUNK);
	mgm_mem_free(p->mem, p->chunks, p->dircap * sizeof(*p->chunks));
	p->chunks = NULL;
	p->nchunks = p->dircap = p->used = p->nfree = p->live = 0;
	p->free_head = MGM_NIL;
}

static int add_chunk(struct mgm_pool *p)
{
	uint8_t *chunk;

	/* Indices must stay below MGM_NIL. */
	if ((uint64_t)(p->nchunks + 1) * MGM_POOL_CHUNK >= MGM_NIL)
		return MGM_E_NOMEM;
	if (p->nchunks == p->dircap) {
		uint32_t ncap = p->dircap ? p->dircap * 2 : 8;
		uint8_t **dir = mgm_mem_alloc(p->mem, ncap * sizeof(*dir));

		if (!dir)
			return MGM_E_NOMEM;
		if (p->nchunks)
			memcpy(dir, p->chunks, p->nchunks * sizeof(*dir));
		mgm_mem_free(p->mem, p->chunks, p->dircap * sizeof(*dir));
		p->chunks = dir;
		p->dircap = ncap;
	}
	chunk = mgm_mem_alloc(p->mem, p->size * MGM_POOL_CHUNK);
	if (!chunk)
		return MGM_E_NOMEM;
	p->chunks[p->nchunks++] = chunk;
	return 0;
}

int mgm_pool_reserve(struct mgm_pool *p, uint32_t n)
{
	while ((uint64_t)p->nfree + (uint64_t)p->nchunks * MGM_POOL_CHUNK - p->used < n) {
		int err = add_chunk(p);

		if (err)
			return err;
	}
	return 0;
}

uint32_t mgm_pool_take(struct mgm_pool *p)
{
	uint32_t idx;
	void *rec;

	if (p->free_head != MGM_NIL) {
		idx = p->free_head;
		rec = mgm_pool_at(p, idx);
		memcpy(&p->free_head, rec, sizeof(uint32_t));
		p->nfree--;
	} else {
		if (p->used == p->nchunks * MGM_POOL_CHUNK && add_chunk(p))
			return MGM_NIL;
		idx = p->used++;
		rec = mgm_pool_at(p, idx);
	}
	memset(rec, 0, p->size);
	p->live++;
	return idx;
}

void mgm_pool_put(struct mgm_pool *p, uint32_t idx)
{
	void *rec = mgm_pool_at(p, idx);

	memset(rec, 0, p->size);
	memcpy(rec, &p->free_head, sizeof(uint32_t));
	p->free_head = idx;
	p->nfree++;
	/* Empty again: give everything back, so that memory returns to where it started once
	 * a burst of state has expired. */
	p->live--;
	mgm_pool_trim(p);
}

void mgm_pool_trim(struct mgm_pool *p)
{
	struct mgm_mem *mem = p->mem;
	size_t size = p->size;

	if (p->live || !p->chunks)
		return;
	mgm_pool_fini(p);
	mgm_pool_init(p, mem, size);
}
