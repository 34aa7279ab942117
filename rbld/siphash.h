/*
 * siphash.h -- SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a keyed 64-bit hash of a short message, the
 * MAC that RFC 9018 server cookies are made with (cookie.h).
 *
 * The key is 16 bytes, read as two little-endian 64-bit words; the
 * result is the 64-bit value the paper defines, which RFC 9018 and the
 * paper's test vectors write out little-endian (rbl_siphash24_le).
 * Written here from the paper's description; nothing allocated, no
 * state kept between calls.
 */
#ifndef RBLD_SIPHASH_H
#define RBLD_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define RBL_SIPHASH_KEY_LEN	16

/* SipHash-2-4 of the LEN bytes at MSG under KEY. */
uint64_t rbl_siphash24(const uint8_t key[RBL_SIPHASH_KEY_LEN],
		       const uint8_t *msg, size_t len);

/* The same, written as 8 bytes little-endian into OUT. */
void rbl_siphash24_le(const uint8_t key[RBL_SIPHASH_KEY_LEN],
		      const uint8_t *msg, size_t len, uint8_t out[8]);

#endif
