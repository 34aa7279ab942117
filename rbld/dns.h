/*
 * dns.h -- DNS protocol constants and the few wire helpers rbld needs
 * (RFC 1035, 6891).  Header-only; no state.
 */
#ifndef RBLD_DNS_H
#define RBLD_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN		12
#define DNS_NAME_MAX		255	/* wire length, root label included */
#define DNS_LABELS_MAX		127
#define DNS_UDP_MIN		512
#define DNS_MSG_MAX		65535

/* Header byte 2 (flags high) and 3 (flags low). */
#define DNS_FLAG_QR		0x80
#define DNS_FLAG_AA		0x04
#define DNS_FLAG_TC		0x02
#define DNS_FLAG_RD		0x01
#define DNS_FLAG_CD		0x10	/* byte 3 */
#define DNS_OPCODE(b2)		(((b2) >> 3) & 0x0f)

enum dns_rcode {
	DNS_RCODE_NOERROR = 0, DNS_RCODE_FORMERR = 1, DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3, DNS_RCODE_NOTIMP = 4, DNS_RCODE_REFUSED = 5,
	DNS_RCODE_NOTAUTH = 9,
	DNS_RCODE_BADVERS = 16	/* extended: needs OPT */
};

enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_SOA = 6, DNS_T_TXT = 16,
	DNS_T_AAAA = 28, DNS_T_OPT = 41, DNS_T_TSIG = 250, DNS_T_IXFR = 251,
	DNS_T_AXFR = 252,
	DNS_T_ANY = 255
};

enum dns_class { DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_ANY = 255 };

#define DNS_OPCODE_QUERY	0
#define DNS_EDNS_DO		0x8000

static inline uint16_t dns_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t dns_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint8_t dns_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

#endif
