/*
 * kvrec.c -- the record codec of the admin tables (see kvrec.h).
 */
#include <string.h>

#include "zone/store/kvrec.h"

void kv_w_init(kv_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->failed = false;
}

void kv_r_init(kv_reader *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->failed = false;
}

void kv_put_bytes(kv_writer *w, const void *p, size_t n)
{
	if (w->failed || n > w->cap - w->len) {
		w->failed = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_be(kv_writer *w, uint64_t v, unsigned bytes)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	kv_put_bytes(w, b, bytes);
}

void kv_put_u8(kv_writer *w, uint8_t v) { put_be(w, v, 1); }
void kv_put_u32(kv_writer *w, uint32_t v) { put_be(w, v, 4); }
void kv_put_u64(kv_writer *w, uint64_t v) { put_be(w, v, 8); }
void kv_put_i64(kv_writer *w, int64_t v) { put_be(w, (uint64_t)v, 8); }

void kv_put_str(kv_writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > UINT32_MAX) {
		w->failed = true;
		return;
	}
	kv_put_u32(w, (uint32_t)n);
	kv_put_bytes(w, s, n);
}

bool kv_w_ok(const kv_writer *w) { return !w->failed; }

static const uint8_t *take(kv_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->failed || n > r->len - r->pos) {
		r->failed = true;
		return NULL;
	}
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

static uint64_t get_be(kv_reader *r, unsigned bytes)
{
	const uint8_t *p = take(r, bytes);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (unsigned i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

uint8_t kv_get_u8(kv_reader *r) { return (uint8_t)get_be(r, 1); }
uint32_t kv_get_u32(kv_reader *r) { return (uint32_t)get_be(r, 4); }
uint64_t kv_get_u64(kv_reader *r) { return get_be(r, 8); }
int64_t kv_get_i64(kv_reader *r) { return (int64_t)get_be(r, 8); }

void kv_get_bytes(kv_reader *r, void *out, size_t n)
{
	const uint8_t *p = take(r, n);

	if (p)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}

size_t kv_get_strp(kv_reader *r, const char **p)
{
	uint32_t n = kv_get_u32(r);
	const uint8_t *s = take(r, n);

	*p = s ? (const char *)s : "";
	return s ? n : 0;
}

void kv_get_str(kv_reader *r, char *out, size_t size)
{
	const char *s = NULL;
	size_t n = kv_get_strp(r, &s);

	if (n >= size) {
		r->failed = true;
		n = 0;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

bool kv_r_ok(const kv_reader *r) { return !r->failed; }

void kv_key64(uint64_t v, uint8_t out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

uint64_t kv_key64_get(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}
