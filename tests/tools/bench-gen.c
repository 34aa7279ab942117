/*
 * bench-gen.c -- benchmark data: random IPv4 listings as an rbldnsd ip4set
 * file, and a dnsperf query file that hits them in a chosen proportion.
 *
 *   bench-gen [-s SEED] [-H HOSTS] [-N NETS] [-Q QUERIES] [-L PCT]
 *             [-t shared|unique] [-6] [-z ZONE] DATAFILE [QUERYFILE]
 *
 * DATAFILE gets $SOA/$NS lines, one default ":127.0.0.2:TXT" line, then
 * NETS distinct /24 and HOSTS distinct /32 listings (public-looking space:
 * no 0/8, 10/8, 127/8 or 224/3).  QUERYFILE, if given, gets QUERIES lines
 * "d.c.b.a.ZONE A": exactly PCT percent (rounded down) addresses that are
 * listed, at random places, the rest random addresses that are not
 * listed (drawn again while listed, so the mix is the same at every size
 * of the data); it prints the listed share.
 * The same seed gives the same files.  Defaults: 1000000 hosts, 20000 nets,
 * 1000000 queries, 10 percent, zone bench.rbld.test, seed 1.
 *
 * For the store's other shapes (make bench's scale table): -t shared gives
 * every /32 its own ":127.0.0.3:..." answer drawn from 10 texts, -t unique
 * a text of its own ("Listed, case N"); -6 writes HOSTS random IPv6 /64s
 * in 2000::/3 (and no /24; no QUERYFILE) instead of IPv4.
 * Exit 0 on success, 1 on I/O error, 2 on bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct gen_opts {
	uint64_t seed;
	unsigned long hosts, nets, queries, listed_pct;
	const char *zone, *data_path, *query_path;
	int txt;	/* 0 the default answer, 1 shared texts, 2 unique */
	int v6;		/* IPv6 /64s instead of IPv4 */
} gen_opts;

/* splitmix64: small, fast, and the same sequence on every machine. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Space real blocklists list: not this-net, private, loopback, multicast
 * or reserved. */
static int is_public_looking(uint32_t a)
{
	unsigned top = a >> 24;

	return top != 0 && top != 10 && top != 127 && top < 224;
}

static uint32_t random_address(uint64_t *state)
{
	uint32_t a;

	do
		a = (uint32_t)next_random(state);
	while (!is_public_looking(a));
	return a;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* Sort V[0..N) and drop duplicates; returns the new count. */
static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof *v, cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1] != v[i])
			v[out++] = v[i];
	return out;
}

/* Fill V with N distinct random addresses, each ANDed with MASK. */
static void distinct_addresses(uint32_t *v, size_t n, uint32_t mask,
			       uint64_t *state)
{
	size_t have = 0;

	while (have < n) {
		for (size_t i = have; i < n; i++)
			v[i] = random_address(state) & mask;
		have = sort_unique(v, n);
	}
}

static void print_address(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		a & 255);
}

static void print_reversed(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a & 255, (a >> 8) & 255, (a >> 16) & 255,
		a >> 24);
}

static void print_answer(FILE *f, const gen_opts *o, unsigned long i);

static void write_data(FILE *f, const gen_opts *o, const uint32_t *hosts,
		       const uint32_t *nets)
{
	fprintf(f, "# bench-gen seed %" PRIu64 ": %lu /24 and %lu /32\n",
		o->seed, o->nets, o->hosts);
	fprintf(f, "$SOA 300 ns.%s hostmaster.%s 1 3600 600 604800 300\n",
		o->zone, o->zone);
	fprintf(f, "$NS 86400 ns.%s\n", o->zone);
	fprintf(f, ":127.0.0.2:Listed by bench, see http://%s/?ip=$\n",
		o->zone);
	for (unsigned long i = 0; i < o->nets; i++) {
		print_address(f, nets[i]);
		fputs("/24\n", f);
	}
	for (unsigned long i = 0; i < o->hosts; i++) {
		print_address(f, hosts[i]);
		print_answer(f, o, i);
	}
}

/* The end of a host's line: nothing (the default answer), or its own. */
static void print_answer(FILE *f, const gen_opts *o, unsigned long i)
{
	static const char *const reasons[10] = {
		"spam trap hit", "botnet", "open proxy", "dynamic range",
		"snowshoe", "phishing", "malware host", "scanner",
		"bad helo", "backscatter" };

	if (o->txt == 1)
		fprintf(f, " :127.0.0.3:Listed for %s\n", reasons[i % 10]);
	else if (o->txt == 2)
		fprintf(f, " :127.0.0.3:Listed, case %lu\n", i);
	else
		fputc('\n', f);
}

/* A random /64 in 2000::/3 (the upper half of the address). */
static uint64_t random_net64(uint64_t *state)
{
	return (next_random(state) & 0x1fffffffffffffffull) |
	       0x2000000000000000ull;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/* HOSTS distinct random /64s, as an ip6tset-style file. */
static void write_data6(FILE *f, const gen_opts *o, uint64_t *state)
{
	uint64_t *v = malloc((o->hosts + 1) * sizeof *v);
	size_t n = 0;

	if (v == NULL) {
		fputs("bench-gen: out of memory\n", stderr);
		exit(1);
	}
	while (n < o->hosts) {
		for (size_t i = n; i < o->hosts; i++)
			v[i] = random_net64(state);
		qsort(v, o->hosts, sizeof *v, cmp_u64);
		n = 0;
		for (size_t i = 0; i < o->hosts; i++)
			if (n == 0 || v[n - 1] != v[i])
				v[n++] = v[i];
	}
	fprintf(f, "# bench-gen seed %" PRIu64 ": %lu IPv6 /64\n", o->seed,
		o->hosts);
	fprintf(f, "$SOA 300 ns.%s hostmaster.%s 1 3600 600 604800 300\n",
		o->zone, o->zone);
	fprintf(f, "$NS 86400 ns.%s\n", o->zone);
	fprintf(f, ":127.0.0.2:Listed by bench, see http://%s/?ip=$\n",
		o->zone);
	for (unsigned long i = 0; i < o->hosts; i++) {
		fprintf(f, "%x:%x:%x:%x::/64", (unsigned)(v[i] >> 48),
			(unsigned)(v[i] >> 32) & 0xffff,
			(unsigned)(v[i] >> 16) & 0xffff,
			(unsigned)v[i] & 0xffff);
		print_answer(f, o, i);
	}
	free(v);
}

/* A listed address: a host, or any address inside a listed /24, chosen in
 * proportion to the number of entries of each kind. */
static uint32_t listed_address(const gen_opts *o, const uint32_t *hosts,
			       const uint32_t *nets, uint64_t *state)
{
	uint64_t r = next_random(state);
	unsigned long pick = (unsigned long)(r % (o->hosts + o->nets));

	if (pick < o->hosts)
		return hosts[pick];
	return nets[pick - o->hosts] | (uint32_t)((r >> 40) & 255);
}

static int bsearch_u32(const uint32_t *v, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == key)
			return 1;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Whether A is listed: a host, or inside a listed /24 (both sorted). */
static int is_listed(const gen_opts *o, const uint32_t *hosts,
		     const uint32_t *nets, uint32_t a)
{
	return bsearch_u32(hosts, o->hosts, a) ||
	       bsearch_u32(nets, o->nets, a & 0xffffff00u);
}

/* A random address that is not listed.  Redrawn while listed: at 100M
 * hosts and 2M /24s about 16% of random addresses are listed, which
 * would make the listed share of the queries grow with the data. */
static uint32_t unlisted_address(const gen_opts *o, const uint32_t *hosts,
				 const uint32_t *nets, uint64_t *state)
{
	uint32_t a;

	do
		a = random_address(state);
	while (is_listed(o, hosts, nets, a));
	return a;
}

/* Exactly PCT percent of the queries are listed (rounded down), at
 * random places: query I is listed with the chance (listed still to
 * place) / (queries still to write), so the count comes out exact at
 * every size and the same seed gives the same file.  Prints the share. */
static void write_queries(FILE *f, const gen_opts *o, const uint32_t *hosts,
			  const uint32_t *nets, uint64_t *state)
{
	unsigned long want = o->hosts + o->nets > 0 ?
		(unsigned long)((uint64_t)o->queries * o->listed_pct / 100) : 0;
	unsigned long listed = 0;

	for (unsigned long i = 0; i < o->queries; i++) {
		int pick = next_random(state) % (o->queries - i) <
			   want - listed;
		uint32_t a = pick ? listed_address(o, hosts, nets, state)
				  : unlisted_address(o, hosts, nets, state);

		listed += (unsigned long)pick;
		print_reversed(f, a);
		fprintf(f, ".%s A\n", o->zone);
	}
	printf("bench-gen: %lu queries, %lu listed (%.2f%%)\n", o->queries,
	       listed, o->queries ? 100.0 * (double)listed /
				    (double)o->queries : 0.0);
}

/* Open PATH, let WRITE fill it, close: 0, or 1 after a message. */
static int write_file(const char *path, const gen_opts *o,
		      const uint32_t *hosts, const uint32_t *nets,
		      uint64_t *state, int queries)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "bench-gen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (queries)
		write_queries(f, o, hosts, nets, state);
	else if (o->v6)
		write_data6(f, o, state);
	else
		write_data(f, o, hosts, nets);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "bench-gen: %s: write failed\n", path);
		return 1;
	}
	return 0;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return *s != '\0' && *s != '-' && *end == '\0' && errno == 0 &&
	       *out <= max;
}

static void usage(FILE *f)
{
	fputs("usage: bench-gen [-s SEED] [-H HOSTS] [-N NETS] [-Q QUERIES]"
	      " [-L PCT]\n                 [-t shared|unique] [-6] [-z ZONE]"
	      " DATAFILE [QUERYFILE]\n",
	      f);
}

static int parse_args(int argc, char **argv, gen_opts *o)
{
	unsigned long seed = 1;
	int c;

	while ((c = getopt(argc, argv, "s:H:N:Q:L:t:6z:hV")) != -1) {
		int ok = 1;

		switch (c) {
		case 's': ok = parse_ulong(optarg, ~0ul, &seed); break;
		case 'H': ok = parse_ulong(optarg, 200000000, &o->hosts); break;
		case 'N': ok = parse_ulong(optarg, 4000000, &o->nets); break;
		case 'Q': ok = parse_ulong(optarg, 100000000, &o->queries); break;
		case 'L': ok = parse_ulong(optarg, 100, &o->listed_pct); break;
		case 't':
			o->txt = strcmp(optarg, "shared") == 0 ? 1 :
				 strcmp(optarg, "unique") == 0 ? 2 : 0;
			ok = o->txt != 0;
			break;
		case '6': o->v6 = 1; break;
		case 'z': o->zone = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("bench-gen " RBL_VERSION); exit(0);
		default: return -1;
		}
		if (!ok) {
			fprintf(stderr, "bench-gen: bad value for -%c: %s\n",
				c, optarg);
			return -1;
		}
	}
	if (argc - optind < 1 || argc - optind > 2 ||
	    (o->v6 && argc - optind == 2))
		return -1;
	o->seed = seed;
	o->data_path = argv[optind];
	o->query_path = argc - optind == 2 ? argv[optind + 1] : NULL;
	return 0;
}

int main(int argc, char **argv)
{
	gen_opts o = { 1, 1000000, 20000, 1000000, 10, "bench.rbld.test",
		       NULL, NULL, 0, 0 };
	uint64_t state = 0;
	uint32_t *hosts, *nets;
	int rc;

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	state = o.seed;
	hosts = malloc(((o.v6 ? 0 : o.hosts) + 1) * sizeof *hosts);
	nets = malloc((o.nets + 1) * sizeof *nets);
	if (hosts == NULL || nets == NULL) {
		fputs("bench-gen: out of memory\n", stderr);
		return 1;
	}
	if (!o.v6) {
		distinct_addresses(nets, o.nets, 0xffffff00u, &state);
		distinct_addresses(hosts, o.hosts, 0xffffffffu, &state);
	}
	rc = write_file(o.data_path, &o, hosts, nets, &state, 0);
	if (rc == 0 && o.query_path != NULL)
		rc = write_file(o.query_path, &o, hosts, nets, &state, 1);
	free(hosts);
	free(nets);
	return rc;
}
