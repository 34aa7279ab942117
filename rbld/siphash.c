/*
 * siphash.c -- SipHash-2-4 (see siphash.h).
 *
 * The state is four 64-bit words initialised from the key and four
 * constants ("somepseudorandomlygeneratedbytes").  Each 8-byte word of
 * the message is mixed in with two rounds ("2"), the last word carries
 * the remaining bytes and the length mod 256 in its top byte, and four
 * rounds ("4") finish.
 */
#include "siphash.h"

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

typedef struct sip_state {
	uint64_t v0, v1, v2, v3;
} sip_state;

/* Written out byte by byte, not as a loop: GCC and clang recognise the
 * form and make it one load on a little-endian machine (the loop cost 21
 * instructions a word, a server cookie being checked at every query). */
static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* The 0..7 bytes after the whole words, as the low bytes of a word. */
static inline uint64_t load_tail(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	switch (n) {
	case 7: w |= (uint64_t)p[6] << 48; /* fall through */
	case 6: w |= (uint64_t)p[5] << 40; /* fall through */
	case 5: w |= (uint64_t)p[4] << 32; /* fall through */
	case 4: return w | (uint64_t)p[3] << 24 | (uint64_t)p[2] << 16 |
		       (uint64_t)p[1] << 8 | p[0];
	case 3: w |= (uint64_t)p[2] << 16; /* fall through */
	case 2: w |= (uint64_t)p[1] << 8; /* fall through */
	case 1: w |= p[0]; /* fall through */
	default: return w;
	}
}

static inline void sip_round(sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static inline void compress(sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

uint64_t rbl_siphash24(const uint8_t key[RBL_SIPHASH_KEY_LEN],
		       const uint8_t *msg, size_t len)
{
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	sip_state s = {
		.v0 = k0 ^ 0x736f6d6570736575ull,	/* "somepseu" */
		.v1 = k1 ^ 0x646f72616e646f6dull,	/* "dorandom" */
		.v2 = k0 ^ 0x6c7967656e657261ull,	/* "lygenera" */
		.v3 = k1 ^ 0x7465646279746573ull,	/* "tedbytes" */
	};
	size_t whole = len & ~(size_t)7;
	uint64_t last = (uint64_t)(len & 0xff) << 56;

	for (size_t i = 0; i < whole; i += 8)
		compress(&s, load_le64(msg + i));
	compress(&s, last | load_tail(msg + whole, len - whole));
	s.v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void rbl_siphash24_le(const uint8_t key[RBL_SIPHASH_KEY_LEN],
		      const uint8_t *msg, size_t len, uint8_t out[8])
{
	uint64_t h = rbl_siphash24(key, msg, len);

	/* written out: one store (see load_le64) */
	out[0] = (uint8_t)h;
	out[1] = (uint8_t)(h >> 8);
	out[2] = (uint8_t)(h >> 16);
	out[3] = (uint8_t)(h >> 24);
	out[4] = (uint8_t)(h >> 32);
	out[5] = (uint8_t)(h >> 40);
	out[6] = (uint8_t)(h >> 48);
	out[7] = (uint8_t)(h >> 56);
}
