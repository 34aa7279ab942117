/*
 * fuzz_rbldnsd.c -- libFuzzer target: rbldnsd data files.  The first byte
 * picks the dataset type, the rest is the file; a file starting with the
 * gzip magic is gunzipped first (zone/readfile.h), as rbl_ds_parse_files()
 * reads it.  Bit 0x40 of the first byte has pass 2's lines read on a
 * second thread (rbl_ds_options.thread_min 1), as for a big file.
 */
#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>

#include "zone/error.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/readfile.h"
#include "zone/store/zrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A generic record the parser delivers must be one the store accepts,
 * and print. */
static int on_record(void *arg, const rbl_ds_record *r)
{
	char text[2 * RBL_ZREC_RDATA_MAX];

	(void)arg;
	if (r->rr && (rbl_zrec_check(r->rr) != RBL_OK ||
		      rbl_zrec_format_value(r->rr, text, sizeof text) < 0))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = {
		RBL_DS_IP4SET, RBL_DS_IP4TSET, RBL_DS_IP4TRIE, RBL_DS_IP6TSET,
		RBL_DS_IP6TRIE, RBL_DS_DNSET, RBL_DS_COMBINED, RBL_DS_ACL,
		RBL_DS_GENERIC,
	};
	rbl_ds_options o = { 0 };
	rbl_ds_handler h = { NULL, on_record, NULL, NULL };
	rbl_ds_input in;
	rbl_ds_meta meta;
	char *text = NULL, err[256];
	size_t len;

	if (size < 1)
		return 0;
	o.type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	o.lenient = data[0] & 0x80;
	/* half the inputs with the lines read on a second thread */
	o.thread_min = data[0] & 0x40 ? 1 : SIZE_MAX;
	o.now = 1700000000;
	in.name = "fuzz";
	in.data = (const char *)data + 1;
	in.len = size - 1;
	if (in.len >= 2 && data[1] == 0x1f && data[2] == 0x8b) {
		if (rbl_gunzip("fuzz", in.data, in.len, 1 << 20, &text, &len,
			       err, sizeof err) != RBL_OK)
			return 0;
		if (text[len] != '\0')
			abort();
		in.data = text;
		in.len = len;
	}
	(void)rbl_ds_parse_buffers(&o, &h, &in, 1, &meta);
	free(text);
	return 0;
}
