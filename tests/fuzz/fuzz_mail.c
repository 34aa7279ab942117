/*
 * fuzz_mail.c -- libFuzzer target: the mbox reader and the MIME walk
 * (import/mailsrc.h, import/mime.h): every message of the input split,
 * its header fields unfolded, Content-Type read, multipart parts walked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/mailsrc.h"
#include "import/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_part(void *arg, const char *part, size_t len)
{
	rbl_msg m;

	(void)arg;
	(void)rbl_msg_split(part, len, 4096, &m);
	return 0;
}

static void walk(const char *data, size_t len)
{
	char *s = malloc(len + 1), v[512], type[128], boundary[128];
	size_t pos = 0;
	rbl_msg m;
	rbl_hdr h;

	if (!s)
		return;
	len = rbl_text_normalize(data, len, s);
	if (rbl_msg_split(s, len, 1 << 16, &m) == 0) {
		while (rbl_hdr_next(&m, &pos, &h))
			(void)rbl_hdr_unfold(h.value, h.value_len, v, sizeof(v));
		if (rbl_msg_get(&m, "Content-Type", v, sizeof(v)) &&
		    rbl_mime_type(v, type, sizeof(type)) &&
		    rbl_mime_param(v, "boundary", boundary, sizeof(boundary)))
			(void)rbl_mime_foreach_part(m.body, m.body_len, boundary,
						    on_part, NULL);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	rbl_mbox *mb;
	rbl_mail m;

	if (!f)
		return 0;
	if (size > 0 && rbl_mbox_open(f, 1 << 16, data[0] == '1', &mb) == 0) {
		while (rbl_mbox_next(mb, &m) == 1) {
			/* a cut message says where, inside the input */
			if (m.error && (m.error_at > size ||
					m.start > m.error_at))
				abort();
			if (m.data)
				walk(m.data, m.len);
		}
		rbl_mbox_close(mb);
	}
	fclose(f);
	return 0;
}
