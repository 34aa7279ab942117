/*
 * rbldnsd_read.c -- the rbldnsd data file reader (see rbldnsd_fmt.h): the
 * two passes over the inputs' lines (rbldnsd_read_lines.c reads them) and
 * the entry points; the parts a line is handed to are listed in
 * rbldnsd_read_impl.h.
 *
 * Two passes over the text.  The first collects what rbldnsd resolves at
 * query time and therefore applies to lines before it too: the `$n`
 * substitution variables, the `$=` base template and `$TIMESTAMP`.  The
 * second walks the lines in order, as rbldnsd does, for everything
 * positional (the `:A:TXT` default, $MAXRANGE4, $DATASET) and hands out
 * records.  A regular file is read in pieces for each pass (readfile.h),
 * so a big list never sits in memory whole; pipes and devices are read
 * whole first.  A line is copied into a fixed buffer before it is cut up,
 * so nothing is allocated per line.  For a big source (1 MiB) pass 2's
 * lines are read, trimmed and, when they are plain addresses, parsed on a
 * second thread, in batches the parser takes in order (see "pass 2 of a
 * big source on two threads" below); everything else stays on the
 * caller's thread.
 */
#include <ctype.h>
#include <pthread.h>
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

/* ---- the passes ---- */

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

/* After a line of pass 2: RBL_OK, or why to stop (a callback's value,
 * RBL_ESYNTAX for too many errors). */
static int line_done(ds_parser *p)
{
	if (p->stop_rc)
		return p->stop_rc;
	if (p->errors >= (p->o->max_errors ? p->o->max_errors : 20)) {
		ds_error(p, "too many errors; stopping");
		return RBL_ESYNTAX;
	}
	return RBL_OK;
}

/* One line of pass 2, BUF (trimmed; TOO_LONG: not read). */
static int line2(ds_parser *p, char *buf, bool too_long)
{
	if (too_long)
		ds_error(p, "line longer than %d bytes or holding a NUL",
			 DS_LINE_MAX - 1);
	else
		dispatch(p, buf);
	return line_done(p);
}

/* ---- pass 2 of a big source on two threads ----
 *
 * Reading a big list's lines, cutting and trimming them, and reading the
 * plain addresses among them (ds_quick_ip4) was half of pass 2's work;
 * it needs nothing positional.  For a source of at least
 * rbl_ds_options.thread_min bytes a second thread does it, in batches of
 * lines, while the caller's thread takes the batches in order and does
 * the rest exactly as pass2_lines does: the dataset, the default value,
 * records and callbacks (which therefore run on the caller's thread),
 * messages, errors.  The reading thread touches nothing of the parser: a
 * read error waits in its batch for the parser's thread to say it.  The
 * parser stopping early (an error, a callback) stops the reader. */

#define DS_BATCH_LINES	4096
#define DS_BATCH_TEXT	(64 * 1024 + DS_LINE_MAX + 2)
#define DS_NBATCH	4
#define DS_THREAD_MIN	((size_t)1 << 20)

enum { BL_TEXT, BL_QUICK, BL_QUICK_LEN, BL_LONG };

typedef struct ds_bline {
	unsigned line;
	uint32_t off;		/* the text, NUL-terminated, in the batch */
	uint8_t kind;		/* BL_* */
	rbl_prefix pfx;		/* BL_QUICK*: ds_quick_ip4's */
} ds_bline;

typedef struct ds_batch {
	ds_bline v[DS_BATCH_LINES];
	size_t n, n_text;
	bool last;		/* the source's end (or its read error) */
	char text[DS_BATCH_TEXT];
} ds_batch;

typedef struct ds_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t head, tail;	/* batches [head, tail) are filled */
	bool stop;		/* the parser is done with the source */
	ds_lines l;		/* the reading thread's */
	unsigned line;
	ds_batch b[DS_NBATCH];
} ds_pipe;

/* Fill B with the next lines of Q. */
static void batch_fill(ds_pipe *q, ds_batch *b)
{
	b->n = b->n_text = 0;
	b->last = false;
	while (b->n < DS_BATCH_LINES &&
	       DS_BATCH_TEXT - b->n_text >= DS_LINE_MAX + 2) {
		ds_bline *x = &b->v[b->n];
		char *t = b->text + b->n_text;
		size_t len = 0;
		bool too_long = false;

		if (!ds_next_line(NULL, &q->l, t, &len, &too_long)) {
			b->last = true;
			return;
		}
		memset(x, 0, sizeof *x);
		x->line = ++q->line;
		x->off = (uint32_t)b->n_text;
		b->n_text += len + 1;
		b->n++;
		if (too_long)
			x->kind = BL_LONG;
		else if (ds_quick_ip4(t, true, &x->pfx))
			x->kind = memchr(t, '/', len) ? BL_QUICK_LEN : BL_QUICK;
		else
			x->kind = BL_TEXT;
	}
}

static void *reader_main(void *arg)
{
	ds_pipe *q = arg;
	bool last = false;

	while (!last) {
		ds_batch *b;

		pthread_mutex_lock(&q->mu);
		while (!q->stop && q->tail - q->head == DS_NBATCH)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		b = &q->b[q->tail % DS_NBATCH];
		pthread_mutex_unlock(&q->mu);
		batch_fill(q, b);
		last = b->last;
		pthread_mutex_lock(&q->mu);
		q->tail++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
	return NULL;
}

/* The lines of batch B, in order: RBL_OK, or why to stop. */
static int batch_parse(ds_parser *p, ds_batch *b)
{
	int rc = RBL_OK, quick_rc = 0;

	for (size_t i = 0; i < b->n && rc == RBL_OK; i++) {
		const ds_bline *x = &b->v[i];
		const char *t = b->text + x->off;

		p->line = x->line;
		/* (as dispatch's, the line's own result is not looked at:
		 * errors are counted, a callback's value is in stop_rc) */
		if ((x->kind == BL_QUICK || x->kind == BL_QUICK_LEN) &&
		    ds_quick_line(p, &x->pfx, x->kind == BL_QUICK_LEN,
				  &quick_rc)) {
			rc = line_done(p);
			continue;
		}
		if (x->kind != BL_LONG)
			memcpy(p->linebuf, t, strlen(t) + 1);
		else
			p->linebuf[0] = '\0';
		rc = line2(p, p->linebuf, x->kind == BL_LONG);
	}
	return rc;
}

/* Pass 2 of SRC with the reading thread; *STARTED false: it could not
 * be started (nothing was read), and pass2_lines is the way. */
static int pass2_piped(ds_parser *p, const ds_src *src, char *carry,
		       bool *started)
{
	ds_pipe *q = calloc(1, sizeof *q);
	pthread_t th;
	bool last = false;
	int rc = RBL_OK;

	*started = false;
	if (!q)
		return RBL_OK;
	ds_lines_start(&q->l, src, carry);
	if (pthread_mutex_init(&q->mu, NULL) != 0) {
		free(q);
		return RBL_OK;
	}
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		free(q);
		return RBL_OK;
	}
	if (pthread_create(&th, NULL, reader_main, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q);
		return RBL_OK;
	}
	*started = true;
	while (rc == RBL_OK && !last) {
		ds_batch *b;

		pthread_mutex_lock(&q->mu);
		while (q->head == q->tail)
			pthread_cond_wait(&q->cv, &q->mu);
		b = &q->b[q->head % DS_NBATCH];
		pthread_mutex_unlock(&q->mu);
		rc = batch_parse(p, b);
		last = b->last;
		pthread_mutex_lock(&q->mu);
		q->head++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(th, NULL);
	if (rc == RBL_OK && q->l.err_rc) {
		/* a read error, said here as pass2_lines says it */
		if (p->h->message)
			p->h->message(p->h->arg, true, q->l.err_msg);
		p->stop_rc = q->l.err_rc;
	}
	p->line = q->line;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	return rc == RBL_OK ? p->stop_rc : rc;
}

/* Pass 2 of SRC on this thread alone. */
static int pass2_lines(ds_parser *p, const ds_src *src, char *carry)
{
	char *buf = p->linebuf;
	bool too_long = false;
	size_t len = 0;
	ds_lines l = { 0 };
	int rc = RBL_OK;

	ds_lines_start(&l, src, carry);
	while (ds_next_line(p, &l, buf, &len, &too_long)) {
		p->line++;
		if ((rc = line2(p, buf, too_long)) != RBL_OK)
			return rc;
	}
	return p->stop_rc;
}

static size_t src_size(const ds_src *src)
{
	return src->st ? (size_t)rbl_stream_stamp(src->st)->size :
			 src->mem_len;
}

static int pass2(ds_parser *p, const ds_src *src, char *carry)
{
	size_t min = p->o->thread_min ? p->o->thread_min : DS_THREAD_MIN;
	bool started = false;
	int rc = 0;

	if (src->st) {
		char msg[512] = { 0 };

		if (rbl_stream_rewind(src->st, msg, sizeof msg) != RBL_OK) {
			if (p->h->message)
				p->h->message(p->h->arg, true, msg);
			return RBL_EIO;
		}
	}
	p->file = src->name;
	p->line = 0;
	ds_reset_default(p);
	if (src_size(src) >= min) {
		rc = pass2_piped(p, src, carry, &started);
		if (started)
			return rc;
	}
	return pass2_lines(p, src, carry);
}

/* ---- pass 1: substitutions and $TIMESTAMP ---- */

static void free_scopes(ds_parser *p)
{
	for (size_t i = 0; i < p->n_scopes; i++) {
		for (int k = 0; k < 10; k++)
			free(p->scopes[i].var[k]);
		free(p->scopes[i].base);
	}
	free(p->scopes);
}

static char *copy_text(const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

static int add_scope(ds_parser *p)
{
	if (rbl_array_reserve(p->scopes, p->cap_scopes, p->n_scopes + 1, 4) !=
	    RBL_OK)
		return RBL_ENOMEM;
	memset(&p->scopes[p->n_scopes++], 0, sizeof(*p->scopes));
	return RBL_OK;
}

/* LINE (LEN bytes, trimmed): variables keep copies of their text. */
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
		/* the first one counts */
		if (!(v->var[kw[0] - '0'] = copy_text(text,
						      (size_t)(end - text))))
			return RBL_ENOMEM;
		v->var_len[kw[0] - '0'] = (size_t)(end - text);
	} else if (kwlen == 1 && kw[0] == '=' && !v->base) {
		if (!(v->base = copy_text(text, (size_t)(end - text))))
			return RBL_ENOMEM;
		v->base_len = (size_t)(end - text);
	}
	return RBL_OK;
}

static int prescan(ds_parser *p, const ds_src *src, char *carry)
{
	int rc = RBL_OK;
	ds_lines l = { 0 };

	ds_lines_start(&l, src, carry);
	p->file = src->name;
	p->line = 0;
	while (rc == RBL_OK) {
		const char *start = NULL, *end = NULL;
		size_t len = 0;
		bool too_long = false;

		p->line += ds_lines_skip_plain(&l);
		if (!ds_lines_next(p, &l, &start, &len, &too_long))
			break;
		end = start + len;
		p->line++;
		/* only special lines matter here: skip the rest fast */
		while (start < end && is_space(*start))
			start++;
		if (too_long || start == end ||
		    (*start != '$' && *start != '#' && *start != ':'))
			continue;
		while (end > start && (is_space(end[-1]) || end[-1] == '\r'))
			end--;
		if (end - start < DS_LINE_MAX)
			rc = prescan_line(p, start, (size_t)(end - start));
	}
	return rc == RBL_OK ? p->stop_rc : rc;
}

/* ---- entry points ---- */

/* Both passes over the N sources.  With READ_END, a streamed source's
 * last line without a newline is warned about after the first pass. */
static int parse_sources(const rbl_ds_options *o, const rbl_ds_handler *h,
			 const ds_src *src, size_t n, rbl_ds_meta *meta)
{
	rbl_ds_meta local = { 0 };
	ds_parser *p = NULL;
	char *carry = NULL;
	int rc = RBL_OK;

	if (!o->type || o->type > RBL_DS_GENERIC)
		return RBL_EINVAL;
	p = calloc(1, sizeof(*p));
	carry = malloc(DS_LINE_MAX + 1);
	if (!p || !carry) {
		free(p);
		free(carry);
		return RBL_ENOMEM;
	}
	p->o = o;
	p->h = h;
	p->meta = meta ? meta : &local;
	memset(p->meta, 0, sizeof(*p->meta));
	p->now = o->now ? o->now : (int64_t)time(NULL);
	p->section = -1;
	rc = add_scope(p);
	for (size_t i = 0; i < n && rc == RBL_OK; i++) {
		rc = prescan(p, &src[i], carry);
		if (rc == RBL_OK && src[i].st && rbl_stream_open_end(src[i].st)
		    && h->message) {
			char msg[512] = { 0 };

			snprintf(msg, sizeof msg, "%s: byte %llu: warning: the "
				 "last line has no newline, so the file may be "
				 "cut short (an import that replaces a list "
				 "refuses it)", src[i].name, (unsigned long long)
				 rbl_stream_stamp(src[i].st)->size);
			h->message(h->arg, false, msg);
		}
	}
	p->meta->n_sections = (unsigned)p->n_scopes - 1;
	p->type = o->type == RBL_DS_COMBINED ? 0 : o->type;
	for (size_t i = 0; i < n && rc == RBL_OK; i++)
		rc = pass2(p, &src[i], carry);
	if (rc == RBL_OK && p->errors)
		rc = RBL_ESYNTAX;
	free_scopes(p);
	free(p);
	free(carry);
	return rc;
}

int rbl_ds_parse_buffers(const rbl_ds_options *o, const rbl_ds_handler *h,
			 const rbl_ds_input *in, size_t n, rbl_ds_meta *meta)
{
	ds_src *src = calloc(n ? n : 1, sizeof(*src));
	int rc = 0;

	if (!src)
		return RBL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		src[i].name = in[i].name;
		src[i].mem = in[i].data;
		src[i].mem_len = in[i].len;
	}
	rc = parse_sources(o, h, src, n, meta);
	free(src);
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

/* Open PATH as a source: streamed when it is a regular file, else read
 * whole; *STAMP gets what it looked like. */
static int open_input(const char *path, bool newline, ds_src *src,
		      rbl_file_stamp *stamp, const rbl_ds_handler *h)
{
	unsigned flags = RBL_READ_GZIP | (newline ? RBL_READ_NEWLINE : 0);
	rbl_read_result r = { 0 };
	char msg[512] = { 0 };
	int rc = rbl_stream_open(path, flags, &src->st, msg, sizeof msg);

	src->name = path;
	if (rc == RBL_OK) {
		*stamp = *rbl_stream_stamp(src->st);
		return RBL_OK;
	}
	if (rc != RBL_EINVAL) {
		if (rc == RBL_ENOMEM)
			snprintf(msg, sizeof msg, "%s: out of memory", path);
		if (h->message)
			h->message(h->arg, true, msg);
		return rc == RBL_ENOMEM ? RBL_ENOMEM : RBL_EIO;
	}
	if ((rc = read_input(path, newline, &r, h)) != RBL_OK)
		return rc;
	src->mem = r.data;
	src->mem_len = r.len;
	*stamp = r.stamp;
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
	ds_src *src = calloc(n ? n : 1, sizeof(*src));
	rbl_file_stamp *stamps = calloc(n ? n : 1, sizeof(*stamps));
	size_t done = 0;
	int rc = src && stamps ? RBL_OK : RBL_ENOMEM;

	for (; rc == RBL_OK && done < n; done++)
		rc = open_input(paths[done], o->require_newline, &src[done],
				&stamps[done], h);
	if (rc == RBL_OK)
		rc = recheck_inputs(paths, stamps, n, h);
	if (rc == RBL_OK)
		rc = parse_sources(o, h, src, n, meta);
	/* streamed files were read twice: still the same after both */
	if (rc == RBL_OK)
		rc = recheck_inputs(paths, stamps, n, h);
	for (size_t i = 0; src && i < done; i++) {
		free((char *)src[i].mem);
		rbl_stream_close(src[i].st);
	}
	free(src);
	free(stamps);
	return rc;
}
