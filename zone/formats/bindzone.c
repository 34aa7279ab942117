/*
 * bindzone.c -- BIND master file export (see bindzone.h): text for the
 * records of xfr_expand.h (zone/xfr/xfr_*.c).
 */
#include <inttypes.h>
#include <string.h>

#include "zone/formats/bindzone.h"
#include "zone/error.h"

typedef struct bind_out {
	FILE *f;
	const rbl_zone *z;
} bind_out;

/* One label with master-file escapes. */
static void put_label(FILE *f, const uint8_t *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = l[i];

		if (c <= ' ' || c >= 0x7f)
			fprintf(f, "\\%03u", c);
		else if (strchr(".\\\"();@$", c) && !(c == '*' && n == 1))
			fprintf(f, "\\%c", c);
		else
			fputc(c, f);
	}
}

/* Relative OWNER, "@" for the apex. */
static void put_owner(FILE *f, const uint8_t *o, size_t n)
{
	if (n == 0) {
		fputc('@', f);
		return;
	}
	for (size_t i = 0; i < n; i += 1u + o[i]) {
		if (i)
			fputc('.', f);
		put_label(f, o + i + 1, o[i]);
	}
}

/* An absolute wire name in RDATA; returns its length. */
static size_t put_rdata_name(FILE *f, const uint8_t *w)
{
	size_t i = 0;

	if (w[0] == 0)
		fputc('.', f);
	for (; w[i]; i += 1u + w[i]) {
		put_label(f, w + i + 1, w[i]);
		fputc('.', f);
	}
	return i + 1;
}

/* Every character-string of a TXT RDATA, each quoted. */
static void put_txt(FILE *f, const uint8_t *rd, size_t len)
{
	for (size_t o = 0; o < len; o += 1u + rd[o]) {
		if (o)
			fputc(' ', f);
		fputc('"', f);
		for (size_t i = o + 1; i < len && i <= o + rd[o]; i++) {
			uint8_t c = rd[i];

			if (c < ' ' || c >= 0x7f)
				fprintf(f, "\\%03u", c);
			else if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else
				fputc(c, f);
		}
		fputc('"', f);
	}
}

static void put_soa(FILE *f, const uint8_t *rd)
{
	size_t n = put_rdata_name(f, rd);
	const uint8_t *v;

	fputc(' ', f);
	n += put_rdata_name(f, rd + n);
	v = rd + n;
	for (unsigned i = 0; i < 5; i++, v += 4)
		fprintf(f, " %" PRIu32, (uint32_t)v[0] << 24 |
			(uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]);
}

static int put_rr(void *arg, const rbl_xrr *rr)
{
	bind_out *b = arg;
	FILE *f = b->f;
	const uint8_t *d = rr->rdata;

	put_owner(f, rr->owner, rr->owner_len);
	fprintf(f, "\t%" PRIu32 "\tIN\t", rr->ttl);
	switch (rr->type) {
	case 1:
		fprintf(f, "A\t%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
		break;
	case 2:
		fputs("NS\t", f);
		put_rdata_name(f, d);
		break;
	case 6:
		fputs("SOA\t", f);
		put_soa(f, d);
		break;
	case 15:
		fprintf(f, "MX\t%u ", (unsigned)(d[0] << 8 | d[1]));
		put_rdata_name(f, d + 2);
		break;
	case 16:
		fputs("TXT\t", f);
		put_txt(f, d, rr->rdlen);
		break;
	case 28: {
		rbl_addr a = { RBL_AF6, { 0 } };
		char text[RBL_ADDR_STRLEN];

		memcpy(a.bytes, d, 16);
		fprintf(f, "AAAA\t%s", rbl_addr_format(&a, text));
		break;
	}
	default:
		fprintf(f, "TYPE%u\t\\# %u", rr->type, rr->rdlen);
		for (unsigned i = 0; i < rr->rdlen; i++)
			fprintf(f, "%s%02x", i ? "" : " ", d[i]);
	}
	fputc('\n', f);
	return ferror(f) ? RBL_EIO : RBL_OK;
}

int rbl_bind_write_zone_opts(FILE *f, rbl_txn *t, const rbl_zone *z,
			     const rbl_xfr_opts *o, rbl_bind_stats *st)
{
	bind_out b = { f, z };
	rbl_xfr_stats xs = { 0 };
	uint32_t serial = z->serial;
	int rc = rbl_zone_serial(t, z->id, &serial);

	if (st)
		memset(st, 0, sizeof *st);
	if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	fprintf(f, "; zone %s serial %" PRIu32 ", written by rbld\n"
		"$ORIGIN %s.\n", z->name, serial, z->name);
	rc = rbl_xfr_soa(z, serial, put_rr, &b);
	if (rc == RBL_OK)
		rc = rbl_xfr_body(t, z, o, put_rr, &b, &xs);
	if (st) {
		st->records = xs.records + 1;
		st->wildcards = xs.wildcards;
		st->placeholders = xs.placeholders;
	}
	if (rc == RBL_OK && fflush(f) != 0)
		rc = RBL_EIO;
	return rc;
}

int rbl_bind_write_zone(FILE *f, rbl_txn *t, const rbl_zone *z, int64_t now,
			uint64_t max_records,
			void (*warn)(void *arg, const char *text), void *arg,
			rbl_bind_stats *st)
{
	rbl_xfr_opts o = { 0 };

	rbl_xfr_opts_init(&o);
	o.now = now;
	o.max_records = max_records;
	o.warn = warn;
	o.warn_arg = arg;
	return rbl_bind_write_zone_opts(f, t, z, &o, st);
}
