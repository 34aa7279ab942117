/*
 * bytes.h -- big-endian integers and bounded record buffers: the building
 * blocks of the store's keys and values, for the store and for every part
 * of zone/ that keeps its own records in a table (table.h).
 *
 * Integers are big-endian so that keys made of them sort numerically in
 * the store's bytewise order.  A writer (struct rbl_wbuf) never writes
 * past its capacity: a field that does not fit sets OVERFLOW and every
 * later one is dropped, so the caller checks once at the end.  A reader
 * (struct rbl_rbuf) never reads past its input: a short read sets BAD and
 * yields zeros, so a decoder checks once at the end.  Strings are a u8
 * length and at most 255 bytes.  Nothing here allocates.
 */
#ifndef RBL_BYTES_H
#define RBL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline void rbl_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void rbl_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void rbl_put_be64(uint8_t *p, uint64_t v)
{
	rbl_put_be32(p, (uint32_t)(v >> 32));
	rbl_put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t rbl_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rbl_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rbl_get_be64(const uint8_t *p)
{
	return (uint64_t)rbl_get_be32(p) << 32 | rbl_get_be32(p + 4);
}

/* A record being written into P, never more than CAP bytes. */
struct rbl_wbuf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};
void rbl_wb_u8(struct rbl_wbuf *w, uint8_t v);
void rbl_wb_u32(struct rbl_wbuf *w, uint32_t v);
void rbl_wb_u64(struct rbl_wbuf *w, uint64_t v);
void rbl_wb_bytes(struct rbl_wbuf *w, const void *p, size_t n);
/* A string of at most 255 bytes, length-prefixed. */
void rbl_wb_str(struct rbl_wbuf *w, const char *s);

/* A record being read from LEN bytes at P. */
struct rbl_rbuf {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};
uint8_t rbl_rb_u8(struct rbl_rbuf *r);
uint32_t rbl_rb_u32(struct rbl_rbuf *r);
uint64_t rbl_rb_u64(struct rbl_rbuf *r);
void rbl_rb_bytes(struct rbl_rbuf *r, void *out, size_t n);
/* Read a length-prefixed string into OUT of SIZE bytes (NUL-terminated). */
void rbl_rb_str(struct rbl_rbuf *r, char *out, size_t size);

#endif
