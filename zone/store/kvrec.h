/*
 * kvrec.h -- a tiny record codec for the admin tables (users, audit log,
 * delisting requests): fixed-width big-endian integers and length-prefixed
 * strings written one after the other into a caller-owned buffer.
 *
 * Writers never overflow: once a field does not fit, the writer is marked
 * failed and every later put is ignored; check kv_w_ok() before storing.
 * Readers return pointers into the input (strings are NOT NUL-terminated
 * there, so kv_get_str() copies into a caller buffer).  Nothing allocates.
 */
#ifndef RBL_KVREC_H
#define RBL_KVREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kv_writer {
	uint8_t *buf;
	size_t cap, len;
	bool failed;
} kv_writer;

typedef struct kv_reader {
	const uint8_t *buf;
	size_t len, pos;
	bool failed;
} kv_reader;

/* Start writing into BUF of CAP bytes / reading LEN bytes of BUF. */
void kv_w_init(kv_writer *w, uint8_t *buf, size_t cap);
void kv_r_init(kv_reader *r, const void *buf, size_t len);

void kv_put_u8(kv_writer *w, uint8_t v);
void kv_put_u32(kv_writer *w, uint32_t v);
void kv_put_u64(kv_writer *w, uint64_t v);
void kv_put_i64(kv_writer *w, int64_t v);
void kv_put_bytes(kv_writer *w, const void *p, size_t n);
/* A string as u32 length + bytes; NULL is stored as "". */
void kv_put_str(kv_writer *w, const char *s);
/* True while every put so far fitted. */
bool kv_w_ok(const kv_writer *w);

uint8_t kv_get_u8(kv_reader *r);
uint32_t kv_get_u32(kv_reader *r);
uint64_t kv_get_u64(kv_reader *r);
int64_t kv_get_i64(kv_reader *r);
/* Copy N raw bytes to OUT. */
void kv_get_bytes(kv_reader *r, void *out, size_t n);
/* Copy a length-prefixed string into OUT (SIZE bytes, always
 * NUL-terminated).  A string longer than SIZE-1 marks the reader failed. */
void kv_get_str(kv_reader *r, char *out, size_t size);
/* Point *P at the next string without copying; returns its length. */
size_t kv_get_strp(kv_reader *r, const char **p);
/* True while every get so far was inside the input. */
bool kv_r_ok(const kv_reader *r);

/* Big-endian 64-bit keys sort numerically in LMDB's default order. */
void kv_key64(uint64_t v, uint8_t out[8]);
uint64_t kv_key64_get(const void *p);

#endif
