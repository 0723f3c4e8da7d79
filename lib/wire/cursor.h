/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to libmgm: a bounds-checked reader and writer over a byte buffer. Every getter fails
 * (returns false and reads nothing) when fewer octets are left than it needs, so a decoder built
 * on it cannot read past a hostile packet; packets are never cast to structs.
 */
#ifndef MGM_CURSOR_H
#define MGM_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mgm/addr.h"

struct cursor {
	const uint8_t *pos;
	const uint8_t *end;
};

static inline void cursor_init(struct cursor *c, const uint8_t *buf, size_t len)
{
	c->pos = buf;
	c->end = buf + len;
}

static inline size_t cursor_left(const struct cursor *c)
{
	return (size_t)(c->end - c->pos);
}

/* Consumes n octets and returns where they start, or NULL (consuming nothing) if short. */
static inline const uint8_t *get_bytes(struct cursor *c, size_t n)
{
	const uint8_t *p = c->pos;

	if (cursor_left(c) < n)
		return NULL;
	c->pos += n;
	return p;
}

static inline bool skip(struct cursor *c, size_t n)
{
	return get_bytes(c, n) != NULL;
}

static inline bool get_u8(struct cursor *c, uint8_t *v)
{
	if (cursor_left(c) < 1)
		return false;
	*v = *c->pos++;
	return true;
}

static inline bool get_be16(struct cursor *c, uint16_t *v)
{
	if (cursor_left(c) < 2)
		return false;
	*v = (uint16_t)(c->pos[0] << 8 | c->pos[1]);
	c->pos += 2;
	return true;
}

static inline bool get_be32(struct cursor *c, uint32_t *v)
{
	if (cursor_left(c) < 4)
		return false;
	*v = (uint32_t)c->pos[0] << 24 | (uint32_t)c->pos[1] << 16 | (uint32_t)c->pos[2] << 8 |
	     c->pos[3];
	c->pos += 4;
	return true;
}

/* An address of the family's wire length (4 or 16 octets); the unused octets are zeroed. */
static inline bool get_addr(struct cursor *c, uint8_t family, struct mgm_addr *a)
{
	size_t n = family == MGM_INET ? 4 : 16;
	const uint8_t *p = get_bytes(c, n);

	if (!p)
		return false;
	a->family = family;
	memset(a->octets, 0, sizeof(a->octets));
	memcpy(a->octets, p, n);
	return true;
}

/* Big-endian reads at a fixed offset, for fields already known to lie inside the buffer. */
static inline uint16_t peek_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t peek_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writer: the encoder checks the total length against the capacity once, up front, then writes
 * with these. */
static inline uint8_t *put_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
	if (n)
		memcpy(p, src, n);
	return p + n;
}

#endif
