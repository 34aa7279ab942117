/*
 * store_bench.c -- time a bulk import and lookups in the store.
 *
 *   store_bench DIR [N_HOSTS [N_NETS [N_LOOKUPS]]]
 *
 * Creates a store in DIR (which must not hold one yet), bulk-adds N_HOSTS
 * random /32 listings and N_NETS random /24 listings (defaults 1000000 and
 * 20000) in one transaction, then times N_LOOKUPS (default 1000000) random
 * lookups from one reused read transaction (half of them at listed
 * addresses), the same number in the benchmark's mix (90% random, mostly
 * unlisted addresses, 10% listed ones), then 10000 incremental (non-bulk)
 * adds in one transaction and 100 transactions of one add each.  Prints
 * the times and the size of the store.
 *
 *   store_bench -q QUERYFILE [-b BATCH [-S]] [-P KB] [-r ROUNDS]
 *               [-z ZONE] DIR
 *
 * Looks up the addresses of a dnsperf query file ("d.c.b.a.ZONE A", as
 * bench-gen writes) in the first list of ZONE (default bench.rbld.test)
 * of the existing store DIR, opened read-only as rbld opens it, ROUNDS
 * times (default 1; 0 only reads the file) from one read transaction:
 * the store's part of a query at the scale of DIR (make bench's scale
 * table), without the engine or sockets.  Prints the lookups, the listed
 * share, the thread's CPU time per lookup and its minor page faults.
 * Under callgrind, --toggle-collect=rbl_ip_lookup counts the lookups
 * alone.  With BATCH > 1 the addresses go in groups of BATCH: first
 * rbl_ip_prefetch for each of the group (with -S its stages,
 * rbl_ip_prefetch_stage, each for the whole group), then the lookups;
 * the time per lookup includes the prefetches.  -P KB reads KB KiB of
 * scratch memory after each lookup, a stand-in for what rbld's kernel
 * work does to the caches between two answers (its time is counted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/store/store.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double seconds(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lookups are timed in CPU time of this thread: the machine is shared, and
 * wall time would mostly measure the other processes. */
static double cpu_seconds(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void v4(rbl_addr *a, uint32_t x)
{
	memset(a, 0, sizeof *a);
	a->family = RBL_AF4;
	a->bytes[0] = (uint8_t)(x >> 24);
	a->bytes[1] = (uint8_t)(x >> 16);
	a->bytes[2] = (uint8_t)(x >> 8);
	a->bytes[3] = (uint8_t)x;
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, rbl_strerror(rc));
	return 1;
}

static int import(rbl_store *s, long hosts, long nets, uint32_t *list_id,
		  uint32_t *sample, long n_sample)
{
	rbl_txn *t = NULL;
	rbl_list l = { 0 };
	rbl_entry e = { 0 };
	int rc;

	if ((rc = rbl_txn_begin(s, true, &t)) != RBL_OK)
		return fail("begin", rc);
	rbl_txn_set_bulk(t);
	memset(&l, 0, sizeof l);
	strcpy(l.name, "bench");
	l.kind = RBL_LIST_IP;
	if ((rc = rbl_list_create(t, &l)) != RBL_OK)
		return fail("list create", rc);
	*list_id = l.id;
	rbl_entry_init(&e);
	strcpy(e.source, "bench");
	for (long i = 0; i < hosts + nets; i++) {
		rbl_prefix p = { 0 };

		v4(&p.addr, rnd32());
		p.len = i < hosts ? 32 : 24;
		rbl_prefix_canon(&p);
		if (i < n_sample)
			sample[i] = (uint32_t)p.addr.bytes[0] << 24 |
				    (uint32_t)p.addr.bytes[1] << 16 |
				    (uint32_t)p.addr.bytes[2] << 8 |
				    p.addr.bytes[3];
		if ((rc = rbl_ip_add(t, l.id, &p, &e)) != RBL_OK)
			return fail("add", rc);
	}
	if ((rc = rbl_txn_commit(t)) != RBL_OK)
		return fail("commit", rc);
	return 0;
}

/* The "make bench" query mix: 90% random addresses, 10% listed ones. */
static int lookup_mix(rbl_txn *t, uint32_t list_id, const uint32_t *sample,
		      long n_sample, long lookups)
{
	double t0 = cpu_seconds();
	long listed = 0;

	for (long i = 0; i < lookups; i++) {
		rbl_addr a = { 0 };
		rbl_match m = { 0 };
		int rc;

		v4(&a, i % 10 == 9 && n_sample ? sample[(i / 10) % n_sample]
					       : rnd32());
		rc = rbl_ip_lookup(t, list_id, &a, 0, &m);
		if (rc == RBL_OK)
			listed++;
		else if (rc != RBL_ENOTFOUND)
			return fail("lookup", rc);
	}
	printf("lookup (90%% random, 10%% listed): %.0f ns each (%ld listed)\n",
	       (cpu_seconds() - t0) * 1e9 / (double)lookups, listed);
	return 0;
}

/* 10000 /32 adds through the incremental path, in one transaction. */
static int incremental(rbl_store *s, uint32_t list_id)
{
	double t0 = seconds(), c0 = cpu_seconds();
	rbl_entry e = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if ((rc = rbl_txn_begin(s, true, &t)) != RBL_OK)
		return fail("begin", rc);
	rbl_entry_init(&e);
	for (int i = 0; i < 10000; i++) {
		rbl_prefix p = { 0 };

		v4(&p.addr, rnd32());
		p.len = 32;
		if ((rc = rbl_ip_add(t, list_id, &p, &e)) != RBL_OK)
			return fail("add", rc);
	}
	if ((rc = rbl_txn_commit(t)) != RBL_OK)
		return fail("commit", rc);
	printf("incremental: 10000 /32 adds in one txn: %.2f s (%.0f us "
	       "each, %.0f adds per CPU second)\n", seconds() - t0,
	       (seconds() - t0) * 1e6 / 10000,
	       10000 / (cpu_seconds() - c0));
	return 0;
}

/* 100 transactions of one /32 each: what "rblctl add" costs per commit. */
static int single_commits(rbl_store *s, uint32_t list_id)
{
	double t0 = seconds(), c0 = cpu_seconds();
	rbl_entry e = { 0 };
	rbl_txn *t = NULL;
	int rc;

	rbl_entry_init(&e);
	for (int i = 0; i < 100; i++) {
		rbl_prefix p = { 0 };

		v4(&p.addr, rnd32());
		p.len = 32;
		if ((rc = rbl_txn_begin(s, true, &t)) != RBL_OK)
			return fail("begin", rc);
		if ((rc = rbl_ip_add(t, list_id, &p, &e)) != RBL_OK)
			return fail("add", rc);
		if ((rc = rbl_txn_commit(t)) != RBL_OK)
			return fail("commit", rc);
	}
	printf("single: 100 transactions of one /32 add: %.0f us each "
	       "(%.0f us CPU)\n", (seconds() - t0) * 1e6 / 100,
	       (cpu_seconds() - c0) * 1e6 / 100);
	return 0;
}

/* ------------------------------------------ lookups from a query file */

/* The addresses of the query file at PATH ("d.c.b.a.ZONE A" lines) into
 * *V, *N of them; 0 or 1 after a message. */
static int read_queries(const char *path, uint32_t **v, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		unsigned d = 0, c = 0, b = 0, a = 0;

		if (sscanf(line, "%u.%u.%u.%u.", &d, &c, &b, &a) != 4 ||
		    (a | b | c | d) > 255)
			continue;
		if (*n == cap) {
			uint32_t *nv = realloc(*v, (cap = cap ? 2 * cap : 4096) *
					       sizeof *nv);

			if (!nv) {
				fclose(f);
				return fail("memory", RBL_ENOMEM);
			}
			*v = nv;
		}
		(*v)[(*n)++] = a << 24 | b << 16 | c << 8 | d;
	}
	fclose(f);
	return 0;
}

static long minor_faults(void)
{
	struct rusage ru = { 0 };

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

/* rbl_ip_prefetch for the N addresses at Q, or with STAGED its stages
 * one after the other, each for all N. */
static void prefetch_group(rbl_txn *t, uint32_t list_id, const uint32_t *q,
			   size_t n, bool staged)
{
	for (unsigned s = staged ? 0 : RBL_IP_PREFETCH_STAGES - 1;
	     s < RBL_IP_PREFETCH_STAGES; s++)
		for (size_t j = 0; j < n; j++) {
			rbl_addr a = { 0 };

			v4(&a, q[j]);
			rbl_ip_prefetch_stage(t, list_id, &a, s);
		}
}

/* Read KB KiB of BUF (what rbld's kernel work does to the caches between
 * two lookups). */
static unsigned long pollute(const uint8_t *buf, long kb)
{
	unsigned long sum = 0;

	for (long i = 0; i < kb * 1024; i += 64)
		sum += buf[i];
	return sum;
}

static int lookup_file(const char *dir, const char *zone, const char *qpath,
		       long rounds, long batch, bool staged, long kb)
{
	uint8_t *junk = kb ? calloc((size_t)kb, 1024) : NULL;
	unsigned long junk_sum = 0;

	rbl_store *s = NULL;
	rbl_txn *t = NULL;
	rbl_zone z = { 0 };
	uint32_t *q = NULL;
	size_t n = 0;
	long listed = 0, faults = 0;
	double t0 = 0;
	int rc = 0;

	if (read_queries(qpath, &q, &n))
		return 1;
	if ((rc = rbl_store_open(dir, RBL_STORE_RDONLY, 0, &s)) != RBL_OK)
		return fail(dir, rc);
	if ((rc = rbl_txn_begin(s, false, &t)) != RBL_OK)
		return fail("begin", rc);
	if ((rc = rbl_zone_get(t, zone, &z)) != RBL_OK || z.n_lists == 0)
		return fail(zone, rc ? rc : RBL_ENOTFOUND);
	faults = minor_faults();
	t0 = cpu_seconds();
	for (long r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i += (size_t)batch) {
			size_t end = i + (size_t)batch < n ? i + (size_t)batch
							   : n;

			if (batch > 1)
				prefetch_group(t, z.lists[0].list_id, q + i,
					       end - i, staged);
			for (size_t j = i; j < end; j++) {
				rbl_addr a = { 0 };
				rbl_match m = { 0 };

				v4(&a, q[j]);
				rc = rbl_ip_lookup(t, z.lists[0].list_id, &a,
						   0, &m);
				if (rc == RBL_OK)
					listed++;
				else if (rc != RBL_ENOTFOUND)
					return fail("lookup", rc);
				if (junk)
					junk_sum += pollute(junk, kb);
			}
		}
	}
	if (rounds > 0 && n > 0)
		printf("%zu addresses x %ld, groups of %ld: %.2f%% listed, "
		       "%.0f ns CPU per lookup, %.3f minor faults per "
		       "lookup\n", n, rounds, batch,
		       100.0 * (double)listed / (double)n / (double)rounds,
		       (cpu_seconds() - t0) * 1e9 / (double)n / (double)rounds,
		       (double)(minor_faults() - faults) / (double)n /
		       (double)rounds);
	rbl_txn_abort(t);
	rbl_store_close(s);
	free(q);
	free(junk);
	return junk_sum == 1 ? 1 : 0;	/* (keeps the reads) */
}

static int lookup_main(int argc, char **argv)
{
	const char *qpath = NULL, *zone = "bench.rbld.test";
	long rounds = 1, batch = 1, kb = 0;
	bool staged = false;
	int c = 0;

	while ((c = getopt(argc, argv, "b:P:q:r:Sz:")) != -1) {
		switch (c) {
		case 'b': batch = atol(optarg); break;
		case 'P': kb = atol(optarg); break;
		case 'S': staged = true; break;
		case 'q': qpath = optarg; break;
		case 'r': rounds = atol(optarg); break;
		case 'z': zone = optarg; break;
		default: qpath = NULL; optind = argc + 1; break;
		}
	}
	if (!qpath || optind != argc - 1 || rounds < 0 || batch < 1 ||
	    kb < 0) {
		fprintf(stderr, "usage: store_bench -q QUERYFILE [-b BATCH [-S]] "
				"[-P KB] [-r ROUNDS] [-z ZONE] DIR\n");
		return 2;
	}
	return lookup_file(argv[optind], zone, qpath, rounds, batch, staged,
			   kb);
}

int main(int argc, char **argv)
{
	long hosts = argc > 2 ? atol(argv[2]) : 1000000;
	long nets = argc > 3 ? atol(argv[3]) : 20000;
	long lookups = argc > 4 ? atol(argv[4]) : 1000000;
	long n_sample = hosts < 65536 ? hosts : 65536, listed = 0;
	uint32_t list_id = 0, *sample;
	rbl_store_stats st = { 0 };
	rbl_store *s = NULL;
	rbl_txn *t = NULL;
	double t0, t1;
	int rc;

	if (argc > 1 && !strncmp(argv[1], "-q", 2))
		return lookup_main(argc, argv);
	if (argc < 2 || argc > 5 || hosts < 0 || nets < 0 || lookups < 1 ||
	    !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: store_bench DIR [N_HOSTS [N_NETS "
				"[N_LOOKUPS]]]\n");
		return 2;
	}
	if ((rc = rbl_store_open(argv[1], RBL_STORE_CREATE, 0, &s)) != RBL_OK)
		return fail(argv[1], rc);
	if (!(sample = calloc((size_t)n_sample + 1, sizeof *sample)))
		return fail("memory", RBL_ENOMEM);
	t0 = seconds();
	if (import(s, hosts, nets, &list_id, sample, n_sample))
		return 1;
	t1 = seconds();
	printf("import: %ld /32 + %ld /24 in %.2f s\n", hosts, nets, t1 - t0);

	if ((rc = rbl_txn_begin(s, false, &t)) != RBL_OK)
		return fail("begin", rc);
	t0 = cpu_seconds();
	for (long i = 0; i < lookups; i++) {
		rbl_addr a = { 0 };
		rbl_match m = { 0 };

		v4(&a, i % 2 && n_sample ? sample[(i / 2) % n_sample] : rnd32());
		rc = rbl_ip_lookup(t, list_id, &a, 0, &m);
		if (rc == RBL_OK)
			listed++;
		else if (rc != RBL_ENOTFOUND)
			return fail("lookup", rc);
	}
	t1 = cpu_seconds();
	printf("lookup: %ld in %.2f s CPU, %.0f ns each (%ld listed)\n", lookups,
	       t1 - t0, (t1 - t0) * 1e9 / (double)lookups, listed);
	/* the same again over 1024 addresses: the B-tree path stays cached,
	 * closer to real query mixes where few addresses are hot */
	t0 = cpu_seconds();
	for (long i = 0; i < lookups; i++) {
		rbl_addr a = { 0 };
		rbl_match m = { 0 };

		v4(&a, n_sample ? sample[i % (n_sample < 1024 ? n_sample : 1024)]
				: (uint32_t)i % 1024);
		rc = rbl_ip_lookup(t, list_id, &a, 0, &m);
		if (rc != RBL_OK && rc != RBL_ENOTFOUND)
			return fail("lookup", rc);
	}
	t1 = cpu_seconds();
	printf("lookup (1024 hot addresses): %.0f ns each\n",
	       (t1 - t0) * 1e9 / (double)lookups);
	if (lookup_mix(t, list_id, sample, n_sample, lookups))
		return 1;
	if (rbl_store_stats_get(t, &st) == RBL_OK)
		printf("store: %zu MiB used, %llu entries\n",
		       st.map_used >> 20, (unsigned long long)st.n_entries);
	rbl_txn_abort(t);
	if (incremental(s, list_id) || single_commits(s, list_id))
		return 1;
	rbl_store_close(s);
	free(sample);
	return 0;
}
