/*
 * rbldnsd_read.c -- the rbldnsd data file reader (see rbldnsd_fmt.h): the
 * lines of the inputs and the two passes over them; the parts a line is
 * handed to are listed in rbldnsd_read_impl.h.
 *
 * Two passes over the text held in memory.  The first collects what
 * rbldnsd resolves at query time and therefore applies to lines before
 * it too: the `$n` substitution variables, the `$=` base template and
 * `$TIMESTAMP`.  The second walks the lines in order, as rbldnsd does, for
 * everything positional (the `:A:TXT` default, $MAXRANGE4, $DATASET) and
 * hands out records.  A line is copied into a fixed buffer before it is
 * cut up, so nothing is allocated per line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"
#include "zone/readfile.h"

#define DS_MAX_FILE	((size_t)4 << 30)

/* ---- lines and passes ---- */

/* Copy the next line of IN at *POS into BUF, trimmed.  False at the end. */
static bool next_line(ds_parser *p, const rbl_ds_input *in, size_t *pos,
		      char *buf, bool *too_long)
{
	const char *start, *end, *nl;
	size_t len;

	if (*pos >= in->len)
		return false;
	start = in->data + *pos;
	nl = memchr(start, '\n', in->len - *pos);
	end = nl ? nl : in->data + in->len;
	*pos = (size_t)(end - in->data) + 1;
	p->line++;
	while (start < end && (is_space(*start)))
		start++;
	while (end > start && (is_space(end[-1]) || end[-1] == '\r'))
		end--;
	len = (size_t)(end - start);
	*too_long = len >= DS_LINE_MAX || memchr(start, '\0', len);
	if (*too_long)
		len = 0;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return true;
}

/* The special keyword text of LINE, or NULL if it is not special. */
static char *special_text(char *line, bool *tolerant)
{
	*tolerant = line[0] == '#';
	if (line[0] == '$')
		return line + 1;
	if ((line[0] == '#' || line[0] == ':') && line[1] == '$')
		return line + 2;
	return NULL;
}

static int dispatch(ds_parser *p, char *line)
{
	bool tolerant = false;
	char *sp = special_text(line, &tolerant);

	if (sp)
		return ds_special_line(p, sp, tolerant);
	if (line[0] == '\0' || is_comment(line[0]))
		return RBL_OK;
	/* "::1" in an IPv6 dataset is an address, not a default */
	if (line[0] == ':' && !(line[1] == ':' && (p->type == RBL_DS_IP6TRIE
	    || p->type == RBL_DS_IP6TSET || p->type == RBL_DS_ACL)))
		return ds_default_line(p, skip_space(line));
	if (p->type == 0 && p->o->type == RBL_DS_COMBINED)
		return p->section < 0 ? ds_error(p, "entry before the first "
					      "$DATASET line") : RBL_ESYNTAX;
	return ds_entry_line(p, line);
}

static int pass2(ds_parser *p, const rbl_ds_input *in)
{
	char *buf = p->linebuf;
	bool too_long = false;
	size_t pos = 0;

	p->file = in->name;
	p->line = 0;
	ds_reset_default(p);
	while (next_line(p, in, &pos, buf, &too_long)) {
		if (too_long)
			ds_error(p, "line longer than %d bytes or holding a NUL",
			      DS_LINE_MAX - 1);
		else
			dispatch(p, buf);
		if (p->stop_rc)
			return p->stop_rc;
		if (p->errors >= (p->o->max_errors ? p->o->max_errors : 20)) {
			ds_error(p, "too many errors; stopping");
			return RBL_ESYNTAX;
		}
	}
	return RBL_OK;
}

/* ---- pass 1: substitutions and $TIMESTAMP ---- */

static int add_scope(ds_parser *p)
{
	if (rbl_array_reserve(p->scopes, p->cap_scopes, p->n_scopes + 1, 4) !=
	    RBL_OK)
		return RBL_ENOMEM;
	memset(&p->scopes[p->n_scopes++], 0, sizeof(*p->scopes));
	return RBL_OK;
}

/* LINE (LEN bytes, trimmed) points into the input, which outlives the
 * parse: variables keep pointers to their text. */
static int prescan_line(ds_parser *p, const char *line, size_t len)
{
	const char *end = line + len, *kw, *text;
	ds_vars *v = &p->scopes[p->n_scopes - 1];
	size_t kwlen;

	if (len > 1 && line[0] == '$')
		kw = line + 1;
	else if (len > 2 && (line[0] == '#' || line[0] == ':') &&
		 line[1] == '$')
		kw = line + 2;
	else
		return RBL_OK;
	for (text = kw; text < end && !is_space(*text); text++)
		;
	kwlen = (size_t)(text - kw);
	while (text < end && is_space(*text))
		text++;
	if (kwlen == 7 && strncasecmp(kw, "DATASET", 7) == 0)
		return add_scope(p);
	if (kwlen == 9 && strncasecmp(kw, "TIMESTAMP", 9) == 0) {
		memcpy(p->linebuf, text, (size_t)(end - text));
		p->linebuf[end - text] = '\0';
		ds_special_timestamp(p, p->linebuf);
	} else if (kwlen == 1 && isdigit((unsigned char)kw[0]) &&
		   !v->var[kw[0] - '0']) {
		v->var[kw[0] - '0'] = text;	/* the first one counts */
		v->var_len[kw[0] - '0'] = (size_t)(end - text);
	} else if (kwlen == 1 && kw[0] == '=' && !v->base) {
		v->base = text;
		v->base_len = (size_t)(end - text);
	}
	return RBL_OK;
}

static int prescan(ds_parser *p, const rbl_ds_input *in)
{
	size_t pos = 0;
	int rc = RBL_OK;

	p->file = in->name;
	p->line = 0;
	while (pos < in->len && rc == RBL_OK) {
		const char *start = in->data + pos, *nl, *end;

		nl = memchr(start, '\n', in->len - pos);
		end = nl ? nl : in->data + in->len;
		pos = (size_t)(end - in->data) + 1;
		p->line++;
		while (start < end && is_space(*start))
			start++;
		while (end > start && (is_space(end[-1]) || end[-1] == '\r'))
			end--;
		if (end - start < DS_LINE_MAX)
			rc = prescan_line(p, start, (size_t)(end - start));
	}
	return rc;
}

/* ---- entry points ---- */

int rbl_ds_parse_buffers(const rbl_ds_options *o, const rbl_ds_handler *h,
			 const rbl_ds_input *in, size_t n, rbl_ds_meta *meta)
{
	rbl_ds_meta local = { 0 };
	ds_parser p = { 0 };
	int rc = RBL_OK;

	if (!o->type || o->type > RBL_DS_GENERIC)
		return RBL_EINVAL;
	memset(&p, 0, sizeof(p));
	p.o = o;
	p.h = h;
	p.meta = meta ? meta : &local;
	memset(p.meta, 0, sizeof(*p.meta));
	p.now = o->now ? o->now : (int64_t)time(NULL);
	p.section = -1;
	if (add_scope(&p) != RBL_OK)
		return RBL_ENOMEM;
	for (size_t i = 0; i < n && rc == RBL_OK; i++)
		rc = prescan(&p, &in[i]);
	p.meta->n_sections = (unsigned)p.n_scopes - 1;
	p.type = o->type == RBL_DS_COMBINED ? 0 : o->type;
	for (size_t i = 0; i < n && rc == RBL_OK; i++)
		rc = pass2(&p, &in[i]);
	free(p.scopes);
	if (rc == RBL_OK && p.errors)
		rc = RBL_ESYNTAX;
	return rc;
}

/* Read PATH whole, gunzipped and proven complete (readfile.h); say what
 * is wrong through H. */
static int read_input(const char *path, bool newline, rbl_read_result *r,
		      const rbl_ds_handler *h)
{
	unsigned flags = RBL_READ_GZIP | (newline ? RBL_READ_NEWLINE : 0);
	char msg[512];
	int rc = rbl_read_whole(path, flags, DS_MAX_FILE, r, msg, sizeof msg);

	if (rc == RBL_ENOMEM)
		snprintf(msg, sizeof msg, "%s: out of memory", path);
	if (rc != RBL_OK) {
		if (h->message)
			h->message(h->arg, true, msg);
		return rc == RBL_ENOMEM ? RBL_ENOMEM : RBL_EIO;
	}
	if (r->open_end && h->message) {
		snprintf(msg, sizeof msg, "%s: byte %zu: warning: the last "
			 "line has no newline, so the file may be cut short "
			 "(an import that replaces a list refuses it)", path,
			 r->len);
		h->message(h->arg, false, msg);
	}
	return RBL_OK;
}

/* Every file of the dataset must still be the one that was read: a file
 * rewritten while the next one was read may not fit with it. */
static int recheck_inputs(const char *const *paths,
			  const rbl_file_stamp *stamps, size_t n,
			  const rbl_ds_handler *h)
{
	char msg[512];

	for (size_t i = 0; i < n; i++)
		if (rbl_file_recheck(paths[i], &stamps[i], msg, sizeof msg)) {
			if (h->message)
				h->message(h->arg, true, msg);
			return RBL_EIO;
		}
	return RBL_OK;
}

int rbl_ds_parse_files(const rbl_ds_options *o, const rbl_ds_handler *h,
		       const char *const *paths, size_t n, rbl_ds_meta *meta)
{
	rbl_ds_input *in = calloc(n ? n : 1, sizeof(*in));
	rbl_file_stamp *stamps = calloc(n ? n : 1, sizeof(*stamps));
	size_t done = 0;
	int rc = in && stamps ? RBL_OK : RBL_ENOMEM;

	for (; rc == RBL_OK && done < n; done++) {
		rbl_read_result r = { 0 };

		rc = read_input(paths[done], o->require_newline, &r, h);
		if (rc != RBL_OK)
			break;
		in[done].data = r.data;
		in[done].len = r.len;
		in[done].name = paths[done];
		stamps[done] = r.stamp;
	}
	if (rc == RBL_OK)
		rc = recheck_inputs(paths, stamps, n, h);
	if (rc == RBL_OK)
		rc = rbl_ds_parse_buffers(o, h, in, n, meta);
	for (size_t i = 0; in && i < done; i++)
		free((char *)in[i].data);
	free(in);
	free(stamps);
	return rc;
}
