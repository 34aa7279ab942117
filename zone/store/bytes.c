/*
 * bytes.c -- bounded record buffers (see bytes.h).
 */
#include <string.h>

#include "zone/store/bytes.h"

void rbl_wb_bytes(struct rbl_wbuf *w, const void *p, size_t n)
{
	if (w->overflow || w->len + n > w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

void rbl_wb_u8(struct rbl_wbuf *w, uint8_t v)
{
	rbl_wb_bytes(w, &v, 1);
}

void rbl_wb_u32(struct rbl_wbuf *w, uint32_t v)
{
	uint8_t b[4] = { 0 };

	rbl_put_be32(b, v);
	rbl_wb_bytes(w, b, 4);
}

void rbl_wb_u64(struct rbl_wbuf *w, uint64_t v)
{
	uint8_t b[8] = { 0 };

	rbl_put_be64(b, v);
	rbl_wb_bytes(w, b, 8);
}

void rbl_wb_str(struct rbl_wbuf *w, const char *s)
{
	size_t n = strnlen(s, 255);

	rbl_wb_u8(w, (uint8_t)n);
	rbl_wb_bytes(w, s, n);
}

void rbl_rb_bytes(struct rbl_rbuf *r, void *out, size_t n)
{
	if (r->bad || r->len - r->pos < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p + r->pos, n);
	r->pos += n;
}

uint8_t rbl_rb_u8(struct rbl_rbuf *r)
{
	uint8_t v = 0;

	rbl_rb_bytes(r, &v, 1);
	return v;
}

uint32_t rbl_rb_u32(struct rbl_rbuf *r)
{
	uint8_t b[4] = { 0 };

	rbl_rb_bytes(r, b, 4);
	return rbl_get_be32(b);
}

uint64_t rbl_rb_u64(struct rbl_rbuf *r)
{
	uint8_t b[8] = { 0 };

	rbl_rb_bytes(r, b, 8);
	return rbl_get_be64(b);
}

void rbl_rb_str(struct rbl_rbuf *r, char *out, size_t size)
{
	uint8_t n = rbl_rb_u8(r);

	if (r->bad || n >= size || r->len - r->pos < n) {
		r->bad = true;
		out[0] = 0;
		return;
	}
	memcpy(out, r->p + r->pos, n);
	out[n] = 0;
	r->pos += n;
}
