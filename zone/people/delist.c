/*
 * delist.c -- delisting requests and the confirm/reject state machine
 * (see delist.h).
 *
 * Value, big-endian: u8 version, u8 state, i64 created, i64 decided, then
 * subject, contact, reason, client, decided_by, decision, removed as
 * length-prefixed strings (kvrec.h); version 2 adds the ticket (string)
 * and the number of further requesters (u32).  Version 1 records are
 * still read (no ticket, nobody attached).
 *
 * Deciding a request (confirm, reject) is delist_decide.c, on the record
 * helpers of delist_impl.h.
 *
 * Tables of table.h.  A further requester ("delistmore"): key = request
 * id (8 bytes) and
 * counter (4 bytes), big-endian; value: u8 version, i64 created, then
 * contact, reason, client as strings.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/rand.h>

#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/people/delist_impl.h"
#include "zone/error.h"
#include "zone/store/kvrec.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

#define DELIST_DB	"delist"
#define MORE_DB		"delistmore"
#define REC_VERSION	2
#define MORE_VERSION	1

const char *rbl_delist_state_name(int state)
{
	switch (state) {
	case RBL_DELIST_PENDING:	return "pending";
	case RBL_DELIST_CONFIRMED:	return "confirmed";
	case RBL_DELIST_REJECTED:	return "rejected";
	}
	return "?";
}

/* ------------------------------------------------------------ checking */

static bool name_valid(const char *s)
{
	size_t label = 0, total = strlen(s);

	if (total == 0 || total > RBL_NAME_MAX)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
		if (++label > RBL_LABEL_MAX)
			return false;
	}
	return label > 0;
}

int rbl_delist_subject(const char *in, char *out, bool *is_addr,
		       rbl_addr *addr)
{
	rbl_addr a = { 0 };
	size_t n;

	while (*in == ' ' || *in == '\t')
		in++;
	n = strcspn(in, " \t\r\n");
	if (n == 0 || n > RBL_NAME_MAX || in[n + strspn(in + n, " \t\r\n")])
		return RBL_EINVAL;
	memmove(out, in, n);	/* IN may be OUT */
	out[n] = '\0';
	*is_addr = rbl_addr_parse(out, &a) == RBL_OK;
	if (*is_addr) {
		rbl_addr_unmap4(&a);
		rbl_addr_format(&a, out);
		if (addr)
			*addr = a;
		return RBL_OK;
	}
	if (n > 1 && out[n - 1] == '.')
		out[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return name_valid(out) ? RBL_OK : RBL_EINVAL;
}

bool rbl_delist_contact_valid(const char *c)
{
	const char *at = strchr(c, '@');
	size_t n = strlen(c);

	if (n < 3 || n > RBL_DELIST_CONTACT_MAX || !at || at == c ||
	    strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return false;
	for (; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>' ||
		    *c == '"' || *c == 0x7f)
			return false;
	return at[1] != '.' && c[-1] != '.';
}

/* ------------------------------------------------------------- listed? */

struct listed_ctx {
	rbl_txn *t;
	const char *subject;
	bool is_addr;
	rbl_addr addr;
	int64_t now;
};

struct published_ctx {
	uint32_t list_id;
};

static int zone_answers_from(void *arg, const rbl_zone *z)
{
	const struct published_ctx *c = arg;

	for (unsigned i = 0; i < z->n_lists; i++)
		if (z->lists[i].list_id == c->list_id)
			return 1;
	return 0;
}

/* 1 if a zone answers from list LIST_ID, 0 if none does, <0 an error.
 * Only those lists list anything: an allow list (or a list no zone
 * publishes yet) is not a listing, and removing its entry on a delisting
 * would undo a person's decision to allow. */
int delist_published(rbl_txn *t, uint32_t list_id)
{
	struct published_ctx c = { list_id };

	return rbl_zone_foreach(t, zone_answers_from, &c);
}

static int listed_in(void *arg, const rbl_list *l)
{
	struct listed_ctx *c = arg;
	rbl_match m = { 0 };
	int rc;

	if (c->is_addr != (l->kind == RBL_LIST_IP))
		return 0;
	if ((rc = delist_published(c->t, l->id)) <= 0)
		return rc;
	rc = c->is_addr ? rbl_ip_lookup(c->t, l->id, &c->addr, c->now, &m)
			: rbl_name_lookup_str(c->t, l->id, c->subject, c->now,
					      &m);
	if (rc == RBL_OK)
		return 1;
	return rc == RBL_ENOTFOUND ? 0 : rc;
}

int rbl_delist_is_listed(rbl_txn *t, const char *subject, int64_t now)
{
	struct listed_ctx c = { .t = t, .subject = subject, .now = now };
	char canon[RBL_NAME_MAX + 1];

	if (rbl_delist_subject(subject, canon, &c.is_addr, &c.addr) != RBL_OK)
		return RBL_EINVAL;
	c.subject = canon;
	return rbl_list_foreach(t, listed_in, &c);
}

/* -------------------------------------------------------------- records */

int delist_rec_put(rbl_txn *t, const rbl_delist_req *r)
{
	rbl_table tb = { 0 };
	uint8_t key[8];
	size_t cap = sizeof *r + 64;
	uint8_t *buf = malloc(cap);
	kv_writer w = { 0 };
	int rc;

	if (!buf)
		return RBL_ENOMEM;
	kv_w_init(&w, buf, cap);
	kv_put_u8(&w, REC_VERSION);
	kv_put_u8(&w, r->state);
	kv_put_i64(&w, r->created);
	kv_put_i64(&w, r->decided);
	kv_put_str(&w, r->subject);
	kv_put_str(&w, r->contact);
	kv_put_str(&w, r->reason);
	kv_put_str(&w, r->client);
	kv_put_str(&w, r->decided_by);
	kv_put_str(&w, r->decision);
	kv_put_str(&w, r->removed);
	kv_put_str(&w, r->ticket);
	kv_put_u32(&w, r->n_more);
	kv_key64(r->id, key);
	rc = rbl_table_open(t, DELIST_DB, &tb);
	if (rc == RBL_OK && !kv_w_ok(&w))
		rc = RBL_ETOOBIG;
	if (rc == RBL_OK)
		rc = rbl_table_put(&tb, key, 8, buf, w.len, 0);
	free(buf);
	return rc;
}

static int rec_decode(const rbl_val *k, const rbl_val *v, rbl_delist_req *r)
{
	kv_reader rd = { 0 };
	uint8_t version;

	if (k->len != 8)
		return RBL_EFORMAT;
	memset(r, 0, sizeof *r);
	r->id = kv_key64_get(k->p);
	kv_r_init(&rd, v->p, v->len);
	version = kv_get_u8(&rd);
	if (version < 1 || version > REC_VERSION)
		return RBL_EVERSION;
	r->state = kv_get_u8(&rd);
	r->created = kv_get_i64(&rd);
	r->decided = kv_get_i64(&rd);
	kv_get_str(&rd, r->subject, sizeof r->subject);
	kv_get_str(&rd, r->contact, sizeof r->contact);
	kv_get_str(&rd, r->reason, sizeof r->reason);
	kv_get_str(&rd, r->client, sizeof r->client);
	kv_get_str(&rd, r->decided_by, sizeof r->decided_by);
	kv_get_str(&rd, r->decision, sizeof r->decision);
	kv_get_str(&rd, r->removed, sizeof r->removed);
	if (version >= 2) {
		kv_get_str(&rd, r->ticket, sizeof r->ticket);
		r->n_more = kv_get_u32(&rd);
	}
	return kv_r_ok(&rd) ? RBL_OK : RBL_EFORMAT;
}

int rbl_delist_get(rbl_txn *t, uint64_t id, rbl_delist_req *out)
{
	rbl_table tb = { 0 };
	uint8_t key[8] = { 0 };
	rbl_val k = { key, 8 }, v = { 0 };
	int rc = rbl_table_open(t, DELIST_DB, &tb);

	kv_key64(id, key);
	if (rc == RBL_OK)
		rc = rbl_table_get(&tb, key, 8, &v);
	return rc == RBL_OK ? rec_decode(&k, &v, out) : rc;
}

int rbl_delist_foreach(rbl_txn *t, int state, bool newest_first,
		       int (*fn)(void *arg, const rbl_delist_req *r),
		       void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	rbl_delist_req *r;
	int rc = rbl_table_open(t, DELIST_DB, &tb), more = 0;

	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	if (!(r = calloc(1, sizeof *r)))
		return RBL_ENOMEM;
	rbl_table_iter_init(&it, &tb, NULL, 0,
			    newest_first ? RBL_TABLE_BACKWARD : 0);
	while (rc == RBL_OK && (more = rbl_table_next(&it, &k, &v)) == 1)
		if (rec_decode(&k, &v, r) == RBL_OK &&
		    (state == 0 || r->state == state))
			rc = fn(arg, r);
	rbl_table_iter_end(&it);
	free(r);
	return rc == RBL_OK && more < 0 ? more : rc;
}

static int count_one(void *arg, const rbl_delist_req *r)
{
	(*(uint64_t *)arg)++;
	return 0;
}

int rbl_delist_count(rbl_txn *t, int state, uint64_t *n)
{
	*n = 0;
	return rbl_delist_foreach(t, state, false, count_one, n);
}

int rbl_delist_total(rbl_txn *t, uint64_t *n)
{
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, DELIST_DB, &tb);

	*n = 0;
	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	return rbl_table_count(&tb, n);
}

/* ---------------------------------------------------- further requesters */

static void more_key(uint64_t id, uint32_t n, uint8_t key[12])
{
	kv_key64(id, key);
	rbl_put_be32(key + 8, n);
}

static int more_decode(const rbl_val *k, const rbl_val *v, rbl_delist_more *m)
{
	const uint8_t *kp = k->p;
	kv_reader rd = { 0 };

	if (k->len != 12)
		return RBL_EFORMAT;
	memset(m, 0, sizeof *m);
	m->id = kv_key64_get(kp);
	m->n = rbl_get_be32(kp + 8);
	kv_r_init(&rd, v->p, v->len);
	if (kv_get_u8(&rd) != MORE_VERSION)
		return RBL_EVERSION;
	m->created = kv_get_i64(&rd);
	kv_get_str(&rd, m->contact, sizeof m->contact);
	kv_get_str(&rd, m->reason, sizeof m->reason);
	kv_get_str(&rd, m->client, sizeof m->client);
	return kv_r_ok(&rd) ? RBL_OK : RBL_EFORMAT;
}

static int more_put(rbl_txn *t, const rbl_delist_more *m)
{
	rbl_table tb = { 0 };
	uint8_t key[12] = { 0 };
	size_t cap = sizeof *m + 32;
	uint8_t *buf = malloc(cap);
	kv_writer w = { 0 };
	int rc;

	if (!buf)
		return RBL_ENOMEM;
	kv_w_init(&w, buf, cap);
	kv_put_u8(&w, MORE_VERSION);
	kv_put_i64(&w, m->created);
	kv_put_str(&w, m->contact);
	kv_put_str(&w, m->reason);
	kv_put_str(&w, m->client);
	more_key(m->id, m->n, key);
	rc = kv_w_ok(&w) ? rbl_table_open(t, MORE_DB, &tb) : RBL_ETOOBIG;
	if (rc == RBL_OK)
		rc = rbl_table_put(&tb, key, sizeof key, buf, w.len, 0);
	free(buf);
	return rc;
}

int rbl_delist_more_foreach(rbl_txn *t, uint64_t id,
			    int (*fn)(void *arg, const rbl_delist_more *m),
			    void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	rbl_delist_more *m;
	uint8_t prefix[8] = { 0 };
	int rc = rbl_table_open(t, MORE_DB, &tb), more = 0;

	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	if (!(m = calloc(1, sizeof *m)))
		return RBL_ENOMEM;
	kv_key64(id, prefix);
	rbl_table_iter_init(&it, &tb, prefix, sizeof prefix, RBL_TABLE_PREFIX);
	while (rc == RBL_OK && (more = rbl_table_next(&it, &k, &v)) == 1) {
		if (k.len != 12)
			break;
		if (more_decode(&k, &v, m) == RBL_OK)
			rc = fn(arg, m);
	}
	rbl_table_iter_end(&it);
	free(m);
	return rc == RBL_OK && more < 0 ? more : rc;
}

static int same_contact(void *arg, const rbl_delist_more *m)
{
	return strcasecmp(m->contact, arg) == 0;
}

/* Attach CONTACT and REASON from CLIENT to pending request ID: stored,
 * counted in the request and audited; a contact already on the request,
 * or one past RBL_DELIST_MORE_MAX, changes nothing. */
static int attach(rbl_txn *t, uint64_t id, const char *contact,
		  const char *reason, const char *client)
{
	rbl_delist_req *r = calloc(1, sizeof *r);
	rbl_delist_more *m = calloc(1, sizeof *m);
	char after[96];
	rbl_audit_rec a = { .user = "public", .client = client,
		.action = RBL_AUDIT_DELIST_REQUEST, .before = "",
		.after = after, .reason = reason };
	int rc = r && m ? rbl_delist_get(t, id, r) : RBL_ENOMEM;

	if (rc == RBL_OK && (strcasecmp(r->contact, contact) == 0 ||
			     r->n_more >= RBL_DELIST_MORE_MAX))
		rc = 1;
	if (rc == RBL_OK)
		rc = rbl_delist_more_foreach(t, id, same_contact,
					     (void *)contact);
	if (rc == RBL_OK) {
		m->id = id, m->n = ++r->n_more;
		m->created = (int64_t)time(NULL);
		snprintf(m->contact, sizeof m->contact, "%s", contact);
		snprintf(m->reason, sizeof m->reason, "%s", reason);
		snprintf(m->client, sizeof m->client, "%s", client);
		rc = more_put(t, m);
	}
	if (rc == RBL_OK)
		rc = delist_rec_put(t, r);
	if (rc == RBL_OK) {
		a.target = r->subject;
		snprintf(after, sizeof after, "request %llu pending; requester "
			 "%u attached", (unsigned long long)id,
			 (unsigned)r->n_more + 1);
		rc = rbl_audit_append(t, &a);
	}
	free(r);
	free(m);
	return rc == 1 ? RBL_OK : rc;
}

/* ------------------------------------------------------------- submit */

struct pending_ctx {
	const char *subject;
	uint64_t id;
};

static int pending_for(void *arg, const rbl_delist_req *r)
{
	struct pending_ctx *c = arg;

	if (strcmp(r->subject, c->subject) != 0)
		return 0;
	c->id = r->id;
	return 1;
}

static int next_id(rbl_txn *t, uint64_t *id)
{
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, DELIST_DB, &tb);

	return rc == RBL_OK ? rbl_table_next_id(&tb, 8, id) : rc;
}

static int new_ticket(char out[RBL_DELIST_TICKET_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[RBL_DELIST_TICKET_HEX / 2];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return RBL_EIO;
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[RBL_DELIST_TICKET_HEX] = '\0';
	return RBL_OK;
}

static int audit_request(rbl_txn *t, const rbl_delist_req *r)
{
	char target[64];
	rbl_audit_rec a = { .user = "public", .client = r->client,
		.action = RBL_AUDIT_DELIST_REQUEST, .target = r->subject,
		.before = "", .after = target, .reason = r->reason };

	snprintf(target, sizeof target, "request %llu pending",
		 (unsigned long long)r->id);
	return rbl_audit_append(t, &a);
}

static int check_submission(const char *contact, const char *reason,
			    const char *client)
{
	size_t n = reason ? strlen(reason) : 0;

	if (!contact || !rbl_delist_contact_valid(contact))
		return RBL_EINVAL;
	if (n == 0 || n > RBL_DELIST_REASON_MAX ||
	    n == strspn(reason, " \t\r\n"))
		return RBL_EINVAL;
	return client && strlen(client) < RBL_ADDR_STRLEN ? RBL_OK : RBL_EINVAL;
}

int rbl_delist_submit(rbl_txn *t, const char *subject, const char *contact,
		      const char *reason, const char *client, uint64_t *id)
{
	struct pending_ctx pc = { 0 };
	rbl_delist_req *r = NULL;
	bool is_addr = false;
	int rc;

	if (!(r = calloc(1, sizeof *r)))
		return RBL_ENOMEM;
	rc = rbl_delist_subject(subject, r->subject, &is_addr, NULL);
	if (rc == RBL_OK)
		rc = check_submission(contact, reason, client);
	if (rc == RBL_OK)
		rc = rbl_delist_is_listed(t, r->subject, (int64_t)time(NULL));
	if (rc == 0)
		rc = RBL_ENOTFOUND;
	else if (rc == 1) {
		pc.subject = r->subject;
		pc.id = 0;
		rc = rbl_delist_foreach(t, RBL_DELIST_PENDING, false,
					pending_for, &pc);
		if (rc == 1) {
			*id = pc.id;
			rc = attach(t, pc.id, contact, reason, client);
			if (rc == RBL_OK)
				rc = RBL_EEXIST;
		}
	}
	if (rc == RBL_OK)
		rc = next_id(t, &r->id);
	if (rc == RBL_OK)
		rc = new_ticket(r->ticket);
	if (rc == RBL_OK) {
		r->state = RBL_DELIST_PENDING;
		r->created = (int64_t)time(NULL);
		snprintf(r->contact, sizeof r->contact, "%s", contact);
		snprintf(r->reason, sizeof r->reason, "%s", reason);
		snprintf(r->client, sizeof r->client, "%s", client);
		rc = delist_rec_put(t, r);
	}
	if (rc == RBL_OK)
		rc = audit_request(t, r);
	if (rc == RBL_OK)
		*id = r->id;
	free(r);
	return rc;
}
