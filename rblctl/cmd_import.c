/*
 * cmd_import.c -- rblctl import: rbldnsd data files into a list, and the
 * part of a run that import-zone shares (cmd_import.h): options, reading
 * and resolving the files, writing the datasets to their lists.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_import.h"
#include "ctl.h"
#include "zone/array.h"
#include "zone/error.h"

#define BULK_THRESHOLD	10000	/* records; below, plain writes are faster */
/* IPv4 records held in memory while sorting (8 bytes each): a 10M-entry
 * list stays in memory; past it, sorted runs go to a temporary file in
 * the store's directory, so a 100M-entry import stays near the size of
 * the store it writes (rbl_dsm_spill) */
#define SORT_BUDGET	((size_t)128 << 20)

double imp_now_seconds(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- messages ---- */

static void on_message(void *arg, bool is_error, const char *text)
{
	import_run *r = arg;

	if (!is_error) {
		r->warnings++;
		if (r->c->quiet)
			return;
	}
	fprintf(stderr, "rblctl: %s\n", text);
}

static void on_warn(void *arg, const char *text)
{
	on_message(arg, false, text);
}

/* ---- options ---- */

int imp_parse_opts(const ctl_cmd *me, int argc, char **argv,
		   import_opts *o, bool zone)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "replace", no_argument, NULL, 'r' },
		{ "merge", no_argument, NULL, 'm' },
		{ "lenient", no_argument, NULL, 'e' },
		{ "journal-changes", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	bool merge = false;
	int opt;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "t:rmej", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			o->type = rbl_ds_type_parse(optarg);
			if (!o->type)
				return ctl_usage(me, "--type: unknown dataset "
						 "type \"%s\"", optarg);
			break;
		case 'r': o->replace = true; break;
		case 'm': merge = true; break;
		case 'e': o->lenient = true; break;
		case 'j': o->journal = true; break;
		default: return ctl_usage(me, "bad option");
		}
	}
	if (o->replace && merge)
		return ctl_usage(me, "--replace and --merge exclude each other");
	if (o->journal && !o->replace)
		return ctl_usage(me, "--journal-changes goes with --replace");
	if (optind + 2 > argc)
		return ctl_usage(me, "%s and at least one FILE are needed",
				 zone ? "ZONE" : "LIST");
	if (zone && o->type && o->type != RBL_DS_COMBINED &&
	    o->type != RBL_DS_GENERIC)
		return ctl_usage(me, "import-zone reads combined and generic "
				 "files; import LIST FILE --type %s reads "
				 "this type", rbl_ds_type_name(o->type));
	if (!zone && (o->type == RBL_DS_COMBINED ||
		      o->type == RBL_DS_GENERIC))
		return ctl_usage(me, "%s files go to a zone: rblctl "
				 "import-zone ZONE FILE%s",
				 rbl_ds_type_name(o->type),
				 o->type == RBL_DS_GENERIC ? " --type generic"
							   : "");
	o->target = argv[optind];
	o->files = argv + optind + 1;
	o->n_files = argc - optind - 1;
	return CTL_OK;
}

void imp_set_source(import_run *r)
{
	const char *f = r->o.files[0], *slash = strrchr(f, '/');

	snprintf(r->source, sizeof(r->source), "import:%s",
		 slash ? slash + 1 : f);
}

/* ---- parsing ---- */

static int add_set(import_run *r, const rbl_ds_section *sec, int type)
{
	import_set *s;
	int rc;

	if (rbl_array_reserve(r->sets, r->cap_sets, r->n_sets + 1, 4) != RBL_OK)
		return RBL_ENOMEM;
	s = &r->sets[r->n_sets];
	memset(s, 0, sizeof(*s));
	if (sec)
		s->sec = *sec;
	s->sec.type = type;
	s->base = -1;
	s->clear = true;
	if (type == RBL_DS_GENERIC) {	/* records, not listings: no list */
		r->has_generic = true;
		r->n_sets++;
		return RBL_OK;
	}
	rc = rbl_dsm_new(type, on_warn, r, &s->dsm);
	if (rc == RBL_OK)
		rc = rbl_dsm_spill(s->dsm, r->c->db_dir, SORT_BUDGET);
	if (rc == RBL_OK)
		r->n_sets++;
	else
		rbl_dsm_free(s->dsm);
	return rc;
}

/* A set that becomes a list (generic and acl data do not). */
bool imp_is_list_set(const import_set *s)
{
	return s->sec.type != RBL_DS_GENERIC && s->sec.type != RBL_DS_ACL;
}

/* Generic record REC once per subzone of its section ("www" under
 * "relays" is "www.relays"; a plain generic file is the zone's own). */
static int add_records(import_run *r, const import_set *s,
		       const rbl_ds_record *rec)
{
	unsigned n_sub = s->sec.n_sub ? s->sec.n_sub : 1;

	for (unsigned j = 0; j < n_sub; j++) {
		const char *sub = s->sec.n_sub ? s->sec.sub[j] : "";
		rbl_zrec *z;

		if (r->n_rrs == RBL_ZREC_MAX) {
			fprintf(stderr, "rblctl: %s:%u: more than %d generic "
				"records in the zone\n", rec->file, rec->line,
				RBL_ZREC_MAX);
			return RBL_ELIMIT;
		}
		if (rbl_array_reserve(r->rrs, r->cap_rrs, r->n_rrs + 1, 8) !=
		    RBL_OK)
			return RBL_ENOMEM;
		z = &r->rrs[r->n_rrs];
		*z = *rec->rr;
		if (*sub && snprintf(z->owner, sizeof z->owner, "%s%s%s",
				     rec->rr->owner, rec->rr->owner[0] ? "." :
				     "", sub) >= (int)sizeof z->owner) {
			fprintf(stderr, "rblctl: %s:%u: name too long under "
				"%s\n", rec->file, rec->line, sub);
			return RBL_ESYNTAX;
		}
		r->n_rrs++;
	}
	return RBL_OK;
}

static int on_section(void *arg, int index, const rbl_ds_section *sec)
{
	import_run *r = arg;

	(void)index;	/* sections come in order: index == n_sets */
	return add_set(r, sec, sec->type);
}

static int on_record(void *arg, const rbl_ds_record *rec)
{
	import_run *r = arg;
	size_t i = rec->section < 0 ? 0 : (size_t)rec->section;
	int rc = 0;

	if (i >= r->n_sets)
		return RBL_EINVAL;
	if (rec->rr)
		return add_records(r, &r->sets[i], rec);
	rc = rbl_dsm_add(r->sets[i].dsm, rec);
	if (rc == RBL_EIO)
		fprintf(stderr, "rblctl: cannot write the temporary file that "
			"sorts the entries (in %s, $TMPDIR or /tmp)\n",
			r->c->db_dir ? r->c->db_dir : "the store's directory");
	return rc;
}

int imp_parse_files(import_run *r)
{
	/* a replacing import, and import-zone (the only one reading
	 * combined and generic data; it replaces the zone's settings and
	 * records), must not take a file cut in its last line */
	rbl_ds_options o = {
		.type = r->o.type, .lenient = r->o.lenient,
		.require_newline = r->o.replace ||
				   r->o.type == RBL_DS_COMBINED ||
				   r->o.type == RBL_DS_GENERIC,
	};
	rbl_ds_handler h = { on_section, on_record, on_message, r };
	int rc;

	if (r->o.type != RBL_DS_COMBINED && add_set(r, NULL, r->o.type))
		return ctl_err("out of memory");
	rc = rbl_ds_parse_files(&o, &h, (const char *const *)r->o.files,
				(size_t)r->o.n_files, &r->meta);
	if (rc == RBL_ESYNTAX || rc == RBL_ELIMIT)
		return ctl_err("nothing imported: fix the error%s above",
			       r->n_sets ? "s" : "");
	if (rc == RBL_EIO)
		return ctl_err("nothing imported: the file above cannot be "
			       "read whole; the store is unchanged");
	if (rc != RBL_OK)
		return ctl_err("nothing imported: %s", rbl_strerror(rc));
	for (size_t i = 0; i < r->n_sets; i++) {
		if (!r->sets[i].dsm)
			continue;
		rc = rbl_dsm_finish(r->sets[i].dsm, &r->sets[i].adjusted);
		if (rc != RBL_OK)
			return ctl_fail(NULL, rc, "resolving the entries");
		r->total += rbl_dsm_count(r->sets[i].dsm);
	}
	return CTL_OK;
}

void imp_free_run(import_run *r)
{
	for (size_t i = 0; i < r->n_sets; i++)
		rbl_dsm_free(r->sets[i].dsm);
	free(r->sets);
	free(r->rrs);
}

/* ---- writing ---- */

static void show_progress(import_run *r, bool final)
{
	double now = imp_now_seconds(), secs = now - r->started;
	double rate = secs > 0 ? (double)r->done / secs : 0;

	if (!r->progress || (!final && now - r->last_shown < 0.2))
		return;
	r->last_shown = now;
	fprintf(stderr, "\rrblctl: importing %llu/%llu (%3.0f%%) %.0f/s ETA "
		"%.0fs   ", (unsigned long long)r->done,
		(unsigned long long)r->total,
		r->total ? 100.0 * (double)r->done / (double)r->total : 100.0,
		rate, rate > 0 ? (double)(r->total - r->done) / rate : 0.0);
	if (final)
		fputc('\n', stderr);
}

/* Values equal to the list's defaults are stored as "the default", so
 * the list stays compact and follows later changes of its defaults. */
static void use_list_defaults(const rbl_list *l, rbl_entry *e)
{
	if (e->flags & RBL_ENTRY_EXCLUDE)
		return;
	if (e->n_codes == 1 && e->codes[0] == l->default_code)
		e->n_codes = 0;
	if (!(e->flags & RBL_ENTRY_HAS_TXT))
		return;
	if (e->txt[0] ? l->has_default_txt &&
	    strcmp(e->txt, l->default_txt) == 0 : !l->has_default_txt)
		e->flags &= ~(uint32_t)RBL_ENTRY_HAS_TXT;
}

typedef struct write_ctx {
	import_run *r;
	rbl_txn *t;
	const rbl_list *l;
	/* the last record's entry (HAVE), and what it became: records of a
	 * big list repeat one value, made once; AGAIN: E went unchanged to
	 * the last rbl_ip_add, which took it */
	bool have, again;
	rbl_entry in, e;
} write_ctx;

static int write_record(void *arg, const rbl_ds_record *rec)
{
	write_ctx *w = arg;
	int rc;

	/* the merger says when a record repeats the last one's entry */
	if (!w->have || (!rec->same_entry &&
			 memcmp(&rec->entry, &w->in, sizeof w->in) != 0)) {
		memcpy(&w->in, &rec->entry, sizeof w->in);
		memcpy(&w->e, &rec->entry, sizeof w->e);
		use_list_defaults(w->l, &w->e);
		memcpy(w->e.source, w->r->source, sizeof(w->e.source));
		w->have = true;
		w->again = false;
	}
	if (!rec->is_name) {
		rc = w->again ? rbl_ip_add_again(w->t, w->l->id, &rec->prefix,
						 &w->e) :
			rbl_ip_add(w->t, w->l->id, &rec->prefix, &w->e);
		w->again = rc == RBL_OK;
	} else {
		w->again = false;
		/* "x" and "*.x" may differ: the store keeps both (the flags
		 * of REC say which) */
		rc = rbl_name_add(w->t, w->l->id, rec->name, &w->e);
	}
	if (rc != RBL_OK) {
		fprintf(stderr, "%srblctl: %s:%u: the store refused this entry:"
			" %s\n", w->r->progress ? "\n" : "", rec->file,
			rec->line, rbl_strerror(rc));
		return rc;
	}
	if ((++w->r->done & 4095) == 0)
		show_progress(w->r, false);
	return 0;
}

/* True when list L holds the RFC 5782 test entry the store adds. */
static bool has_test_entries(rbl_txn *t, const rbl_list *l)
{
	rbl_entry e = { 0 };
	rbl_prefix p = { 0 };

	if (rbl_list_kind_is_name(l->kind))
		return rbl_name_get(t, l->id, "test", &e) == RBL_OK &&
		       strcmp(e.source, "rfc5782") == 0;
	return rbl_prefix_parse("127.0.0.2", true, &p) == RBL_OK &&
	       rbl_ip_get(t, l->id, &p, &e) == RBL_OK &&
	       strcmp(e.source, "rfc5782") == 0;
}

/* --replace merges the file's records, in key order, with the list
 * (rbl_list_replace_begin): only the difference is written, and with
 * --journal-changes also journalled, so secondaries get it by IXFR.  The
 * RFC 5782 test entries belong to the list, not to the file: the store
 * keeps those it added, and a list that had them gets them back here if
 * the file's data took them away (adding a test entry keeps a record the
 * file wrote for the same address). */
static int write_set(import_run *r, rbl_txn *t, import_set *s)
{
	write_ctx w = { .r = r, .t = t, .l = &s->list };
	bool tests = false;
	int rc = RBL_OK;

	if (r->o.replace && s->clear) {
		tests = has_test_entries(t, &s->list);
		rc = rbl_list_replace_begin(t, s->list.id, r->o.journal ?
					    RBL_REPLACE_JOURNAL : 0);
	}
	if (rc == RBL_OK) {
		/* the records give their memory back as they are written */
		rbl_dsm_release_walk(s->dsm);
		rc = rbl_dsm_foreach(s->dsm, write_record, &w);
	}
	if (rc == RBL_OK && tests)
		rc = rbl_list_add_test_entries(t, s->list.id);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "list %s", s->list.name);
	return CTL_OK;
}

/* A ".aK" dataset of rblctl's own export: its listings carry the K-th A
 * value of the base list's entries (see rbldnsd_write.c). */
typedef struct codes_ctx {
	rbl_txn *t;
	const rbl_list *l;
	unsigned k;
} codes_ctx;

static int add_code(void *arg, const rbl_ds_record *rec)
{
	codes_ctx *x = arg;
	rbl_entry e = { 0 };
	int rc;

	if (rec->entry.flags & RBL_ENTRY_EXCLUDE)
		return 0;
	rc = rec->is_name ? rbl_name_get(x->t, x->l->id, rec->name, &e) :
			    rbl_ip_get(x->t, x->l->id, &rec->prefix, &e);
	if (rc == RBL_ENOTFOUND || (rc == RBL_OK &&
				    (e.flags & RBL_ENTRY_EXCLUDE))) {
		fprintf(stderr, "rblctl: %s:%u: warning: no entry in %s for "
			"this extra A value; skipped\n", rec->file, rec->line,
			x->l->name);
		return 0;
	}
	if (rc != RBL_OK)
		return rc;
	if (e.n_codes == 0) {
		e.codes[0] = x->l->default_code;
		e.n_codes = 1;
	}
	if (x->k >= RBL_MAX_CODES || e.n_codes < x->k)
		return 0;
	e.codes[x->k] = rec->entry.codes[0];
	e.n_codes = (uint8_t)(x->k + 1);
	return rec->is_name ? rbl_name_add(x->t, x->l->id, rec->name, &e) :
			      rbl_ip_add(x->t, x->l->id, &rec->prefix, &e);
}

static int write_codes(import_run *r, rbl_txn *t, import_set *s)
{
	import_set *b = &r->sets[s->base];
	codes_ctx x = { t, &b->list, s->code_index };
	int rc = rbl_dsm_foreach(s->dsm, add_code, &x);

	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "list %s", b->list.name);
	return CTL_OK;
}

int imp_kind_of(int type)
{
	return type == RBL_DS_DNSET ? RBL_LIST_NAME : RBL_LIST_IP;
}

int imp_write_all(import_run *r, rbl_txn *t)
{
	/* a replacement journals its difference; a big merge resets the
	 * journal (IXFR of that many changes would cost more than AXFR) */
	if (r->total >= BULK_THRESHOLD && !r->o.replace)
		rbl_txn_set_bulk(t);
	r->started = imp_now_seconds();
	r->progress = isatty(STDERR_FILENO) && !r->c->quiet &&
		      r->total >= BULK_THRESHOLD;
	for (size_t i = 0; i < r->n_sets; i++)
		if (imp_is_list_set(&r->sets[i]) && r->sets[i].base < 0 &&
		    write_set(r, t, &r->sets[i]) != CTL_OK)
			return CTL_ERR;
	for (size_t i = 0; i < r->n_sets; i++)
		if (r->sets[i].base >= 0 && write_codes(r, t, &r->sets[i]))
			return CTL_ERR;
	show_progress(r, true);
	if (r->progress)
		fprintf(stderr, "rblctl: committing...\n");
	return CTL_OK;
}

void imp_summary(import_run *r, double secs)
{
	for (size_t i = 0; i < r->n_sets; i++) {
		import_set *s = &r->sets[i];

		if (!imp_is_list_set(s) || s->base >= 0)
			continue;
		ctl_say(r->c, "%s: %zu entries from %s data%s", s->list.name,
			rbl_dsm_count(s->dsm), rbl_ds_type_name(s->sec.type),
			r->o.replace ? " (replaced the list)" : " (merged)");
		if (s->adjusted)
			ctl_say(r->c, ", %zu adjusted to answer like rbldnsd",
				s->adjusted);
		ctl_say(r->c, "\n");
	}
	if (r->has_generic)
		ctl_say(r->c, "%zu zone record%s from generic data (replaced "
			"the zone's)\n", r->n_rrs, r->n_rrs == 1 ? "" : "s");
	ctl_say(r->c, "imported %llu entries from %d file%s in %.1fs%s",
		(unsigned long long)r->total, r->o.n_files,
		r->o.n_files == 1 ? "" : "s", secs,
		r->warnings ? "" : "\n");
	if (r->warnings)
		ctl_say(r->c, ", %u warning%s\n", r->warnings,
			r->warnings == 1 ? "" : "s");
}

/* ---- import LIST ---- */

static int check_type(const rbl_list *l, import_opts *o)
{
	if (!o->type)
		o->type = rbl_list_kind_is_name(l->kind) ? RBL_DS_DNSET :
			  RBL_DS_IP4SET;
	if ((imp_kind_of(o->type) == RBL_LIST_IP) != (l->kind == RBL_LIST_IP))
		return ctl_err("list %s holds %s; %s data holds %s", l->name,
			       l->kind == RBL_LIST_IP ? "addresses" : "domains",
			       rbl_ds_type_name(o->type),
			       l->kind == RBL_LIST_IP ? "domains" : "addresses");
	return CTL_OK;
}

static int acl_only(import_run *r)
{
	size_t n = rbl_dsm_count(r->sets[0].dsm);

	return ctl_err("%zu acl entries are valid; acl data is not stored "
		       "but read by rbld itself: name the file in rbld.conf "
		       "(\"acl:\" section, \"file: PATH\"; rbld.conf(5)). "
		       "Nothing imported", n);
}

/* ---- $TTL of an import into a list ---- */

/* The zones answering from one list. */
typedef struct ttl_zones {
	uint32_t list_id, ttl;
	unsigned n, differ;	/* zones, and those with another TTL */
	bool alone;		/* the first answers from that list only */
	rbl_zone first;
} ttl_zones;

static int ttl_zone(void *arg, const rbl_zone *z)
{
	ttl_zones *x = arg;
	bool uses = false, others = false;

	for (unsigned i = 0; i < z->n_lists; i++) {
		if (z->lists[i].list_id == x->list_id)
			uses = true;
		else
			others = true;
	}
	if (uses && z->ttl != x->ttl)
		x->differ++;
	if (uses && x->n++ == 0) {
		x->first = *z;
		x->alone = !others;
	}
	return 0;
}

/*
 * rbldnsd answers a dataset's records with its $TTL; rbld keeps the TTL
 * per zone.  A replacing import whose list is the whole of one zone's data
 * says what that zone answers, so its $TTL becomes the zone's.  Anywhere
 * else (a merge, no zone, several zones, a zone combining lists) setting
 * it would change answers the file does not own: say so and how.
 */
static int apply_ttl(import_run *r, rbl_txn *t, const rbl_list *l)
{
	ttl_zones *x = calloc(1, sizeof(*x));
	uint32_t ttl = r->meta.ttl;
	char why[2 * RBL_NAME_MAX + 160];
	int rc;

	if (!x)
		return ctl_err("out of memory");
	x->list_id = l->id;
	x->ttl = ttl;
	rc = rbl_zone_foreach(t, ttl_zone, x);
	if (rc != RBL_OK) {
		free(x);
		return ctl_fail(NULL, rc, "zones of list %s", l->name);
	}
	why[0] = '\0';
	if (x->n == 0)
		snprintf(why, sizeof(why), "no zone answers from list %s; "
			 "set the TTL on the zone that will: rblctl zone set "
			 "ZONE ttl=%u", l->name, ttl);
	else if (x->differ == 0)
		;	/* already what the file says */
	else if (x->n > 1)
		snprintf(why, sizeof(why), "%u zones answer from list %s; set "
			 "each: rblctl zone set %s ttl=%u ...", x->n, l->name,
			 x->first.name, ttl);
	else if (!x->alone)
		snprintf(why, sizeof(why), "zone %s also answers from other "
			 "lists; for all of them: rblctl zone set %s ttl=%u",
			 x->first.name, x->first.name, ttl);
	else if (!r->o.replace)
		snprintf(why, sizeof(why), "a merge leaves zone %s as it is; "
			 "import --replace, or rblctl zone set %s ttl=%u",
			 x->first.name, x->first.name, ttl);
	if (why[0]) {
		char text[sizeof(why) + 64];

		snprintf(text, sizeof(text), "warning: $TTL %u not applied: %s",
			 ttl, why);
		on_warn(r, text);
	} else if (x->first.ttl != ttl) {
		uint32_t old = x->first.ttl;

		x->first.ttl = ttl;
		rc = rbl_zone_update(t, &x->first);
		if (rc == RBL_OK)
			ctl_say(r->c, "zone %s: ttl %u -> %u ($TTL of the "
				"file)\n", x->first.name, old, ttl);
	}
	free(x);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "zone ttl");
}

int cmd_import(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	import_run r = { 0 };
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	double t0 = imp_now_seconds();
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	rc = imp_parse_opts(me, argc, argv, &r.o, false);
	if (rc != CTL_OK)
		return rc;
	/* the list is read now to check the type, and again when writing */
	if (ctl_open_list(c, r.o.target, false, &t, &l) != CTL_OK)
		return CTL_ERR;
	rbl_txn_abort(t);
	if (check_type(&l, &r.o) != CTL_OK)
		return CTL_ERR;
	imp_set_source(&r);
	rc = imp_parse_files(&r);
	if (rc == CTL_OK && r.o.type == RBL_DS_ACL)
		rc = acl_only(&r);
	if (rc == CTL_OK && (r.meta.has_soa || r.meta.n_ns))
		ctl_say(c, "note: $SOA/$NS apply to zones; import-zone uses "
			"them, import ignores them\n");
	if (rc == CTL_OK)
		rc = ctl_begin(c, true, &t);
	if (rc == CTL_OK) {
		/* the list may have changed while the files were read */
		rc = rbl_list_get(t, r.o.target, &r.sets[0].list);
		rc = rc == RBL_OK && r.sets[0].list.kind == l.kind ? CTL_OK :
		     ctl_fail(t, rc ? rc : RBL_ESTALE, "list %s", r.o.target);
		if (rc == CTL_OK && (imp_write_all(&r, t) != CTL_OK ||
				     (r.meta.has_ttl && r.meta.ttl &&
				      apply_ttl(&r, t, &r.sets[0].list)))) {
			rbl_txn_abort(t);
			rc = CTL_ERR;
		}
		if (rc == CTL_OK)
			rc = ctl_commit(t, "import");
	}
	if (rc == CTL_OK)
		imp_summary(&r, imp_now_seconds() - t0);
	imp_free_run(&r);
	return rc;
}
