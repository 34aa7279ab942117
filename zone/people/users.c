/*
 * users.c -- user records and password hashing (see users.h).
 *
 * Record, big-endian: u8 version (1), u8 kdf (1 = PBKDF2-HMAC-SHA256),
 * u32 iterations, 16 bytes salt, 32 bytes hash, i64 created, i64 changed.
 */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "zone/error.h"
#include "zone/store/kvrec.h"
#include "zone/store/table.h"
#include "zone/people/users.h"

#define USERS_DB	"users"
#define REC_VERSION	1
#define KDF_PBKDF2_SHA256 1
#define SALT_LEN	16
#define HASH_LEN	32
#define REC_LEN		(1 + 1 + 4 + SALT_LEN + HASH_LEN + 8 + 8)

typedef struct user_rec {
	uint32_t iterations;
	uint8_t salt[SALT_LEN];
	uint8_t hash[HASH_LEN];
	int64_t created, changed;
} user_rec;

bool rbl_user_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > RBL_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

int rbl_user_pass_check(const char *password)
{
	size_t n = password ? strlen(password) : 0;

	return n >= RBL_USER_PASS_MIN && n <= RBL_USER_PASS_MAX ?
		RBL_OK : RBL_EINVAL;
}

static int derive(const char *password, const uint8_t *salt, uint32_t iter,
		  uint8_t out[HASH_LEN])
{
	if (iter == 0 || iter > INT32_MAX)
		return RBL_EINVAL;
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, SALT_LEN,
			      (int)iter, EVP_sha256(), HASH_LEN, out) != 1)
		return RBL_ENOMEM;
	return RBL_OK;
}

static void rec_encode(const user_rec *r, uint8_t buf[REC_LEN])
{
	kv_writer w = { 0 };

	kv_w_init(&w, buf, REC_LEN);
	kv_put_u8(&w, REC_VERSION);
	kv_put_u8(&w, KDF_PBKDF2_SHA256);
	kv_put_u32(&w, r->iterations);
	kv_put_bytes(&w, r->salt, SALT_LEN);
	kv_put_bytes(&w, r->hash, HASH_LEN);
	kv_put_i64(&w, r->created);
	kv_put_i64(&w, r->changed);
}

static int rec_decode(const rbl_val *v, user_rec *r)
{
	kv_reader rd = { 0 };

	kv_r_init(&rd, v->p, v->len);
	if (kv_get_u8(&rd) != REC_VERSION)
		return RBL_EVERSION;
	if (kv_get_u8(&rd) != KDF_PBKDF2_SHA256)
		return RBL_EVERSION;
	r->iterations = kv_get_u32(&rd);
	kv_get_bytes(&rd, r->salt, SALT_LEN);
	kv_get_bytes(&rd, r->hash, HASH_LEN);
	r->created = kv_get_i64(&rd);
	r->changed = kv_get_i64(&rd);
	return kv_r_ok(&rd) ? RBL_OK : RBL_EFORMAT;
}

/* Read NAME's record.  A store without the users table has no users. */
static int rec_get(rbl_txn *t, const char *name, user_rec *r)
{
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	int rc = rbl_table_open(t, USERS_DB, &tb);

	if (rc == RBL_OK)
		rc = rbl_table_get(&tb, name, strlen(name), &v);
	return rc == RBL_OK ? rec_decode(&v, r) : rc;
}

static int rec_put(rbl_txn *t, const char *name, const user_rec *r,
		   unsigned flags)
{
	rbl_table tb = { 0 };
	uint8_t buf[REC_LEN];
	int rc = rbl_table_open(t, USERS_DB, &tb);

	if (rc != RBL_OK)
		return rc;
	rec_encode(r, buf);
	rc = rbl_table_put(&tb, name, strlen(name), buf, REC_LEN, flags);
	OPENSSL_cleanse(buf, sizeof buf);
	return rc;
}

/* New salt and hash for PASSWORD into R. */
static int rec_set_password(user_rec *r, const char *password)
{
	if (rbl_user_pass_check(password) != RBL_OK)
		return RBL_EINVAL;
	if (RAND_bytes(r->salt, SALT_LEN) != 1)
		return RBL_EIO;
	r->iterations = RBL_USER_PBKDF2_ITER;
	r->changed = (int64_t)time(NULL);
	return derive(password, r->salt, r->iterations, r->hash);
}

int rbl_user_add(rbl_txn *t, const char *name, const char *password)
{
	user_rec r = { 0 };
	int rc;

	if (!rbl_user_name_valid(name))
		return RBL_EINVAL;
	rc = rec_get(t, name, &r);
	if (rc == RBL_OK)
		return RBL_EEXIST;
	if (rc != RBL_ENOTFOUND)
		return rc;
	memset(&r, 0, sizeof r);
	rc = rec_set_password(&r, password);
	r.created = r.changed;
	if (rc == RBL_OK)
		rc = rec_put(t, name, &r, RBL_TABLE_NEW);
	OPENSSL_cleanse(&r, sizeof r);
	return rc;
}

int rbl_user_passwd(rbl_txn *t, const char *name, const char *password)
{
	user_rec r = { 0 };
	int rc = rbl_user_name_valid(name) ? rec_get(t, name, &r) : RBL_ENOTFOUND;

	if (rc != RBL_OK)
		return rc;
	rc = rec_set_password(&r, password);
	if (rc == RBL_OK)
		rc = rec_put(t, name, &r, 0);
	OPENSSL_cleanse(&r, sizeof r);
	return rc;
}

int rbl_user_del(rbl_txn *t, const char *name)
{
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, USERS_DB, &tb);

	return rc == RBL_OK ? rbl_table_del(&tb, name, strlen(name)) : rc;
}

static void user_fill(rbl_user *u, const char *name, size_t len,
		      const user_rec *r)
{
	memset(u, 0, sizeof *u);
	memcpy(u->name, name, len);
	u->created = r->created;
	u->pw_changed = r->changed;
	u->iterations = r->iterations;
}

int rbl_user_get(rbl_txn *t, const char *name, rbl_user *out)
{
	user_rec r = { 0 };
	size_t len = strlen(name);
	int rc = len <= RBL_USER_NAME_MAX ? rec_get(t, name, &r) : RBL_ENOTFOUND;

	if (rc == RBL_OK)
		user_fill(out, name, len, &r);
	return rc;
}

int rbl_user_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_user *u),
		     void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = rbl_table_open(t, USERS_DB, &tb), more = 0;

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rbl_table_iter_init(&it, &tb, NULL, 0, 0);
	while ((more = rbl_table_next(&it, &k, &v)) == 1) {
		user_rec r = { 0 };
		rbl_user u = { 0 };

		if (k.len > RBL_USER_NAME_MAX || rec_decode(&v, &r) != RBL_OK)
			continue;	/* not ours to judge here; skip */
		user_fill(&u, k.p, k.len, &r);
		rc = fn(arg, &u);
		if (rc != 0)
			break;
	}
	rbl_table_iter_end(&it);
	return rc == RBL_OK && more < 0 ? more : rc;
}

int rbl_user_verify(rbl_txn *t, const char *name, const char *password)
{
	static const uint8_t dummy_salt[SALT_LEN] = "rbl-no-such-user";
	user_rec r = { 0 };
	uint8_t got[HASH_LEN];
	bool known;
	int rc;

	if (!password || strlen(password) > RBL_USER_PASS_MAX)
		return RBL_EPERM;
	rc = strlen(name) <= RBL_USER_NAME_MAX ? rec_get(t, name, &r)
					       : RBL_ENOTFOUND;
	if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	known = rc == RBL_OK;
	if (!known) {	/* same work for unknown users: no timing oracle */
		memcpy(r.salt, dummy_salt, SALT_LEN);
		r.iterations = RBL_USER_PBKDF2_ITER;
		memset(r.hash, 0, HASH_LEN);
	}
	rc = derive(password, r.salt, r.iterations, got);
	if (rc == RBL_OK)
		rc = CRYPTO_memcmp(got, r.hash, HASH_LEN) == 0 && known ?
			RBL_OK : RBL_EPERM;
	OPENSSL_cleanse(got, sizeof got);
	OPENSSL_cleanse(&r, sizeof r);
	return rc;
}
