/*
 * rbl-qstats -- print rbld's shared query counters (zone/qstats.h).
 *
 *   rbl-qstats FILE            the sum of all slots, one "name value" a line
 *   rbl-qstats --slots FILE    also "slot I name value" for each slot
 *
 * For tests: the RRL/ACL/quota counters, and which worker answered.
 * Exit 0, 1 when the file cannot be read, 2 for bad usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/qstats.h"

static void print_slot(const char *prefix, const rbl_qstats_slot *s)
{
	static const char *const rc[RBL_QS_NRCODES] = { "noerror", "formerr",
		"servfail", "nxdomain", "notimp", "refused", "badvers",
		"other" };
#define P(f) printf("%s%s %llu\n", prefix, #f, (unsigned long long)s->f)
	P(queries); P(udp); P(tcp);
	for (int i = 0; i < RBL_QS_NRCODES; i++)
		printf("%s%s %llu\n", prefix, rc[i],
		       (unsigned long long)s->rcode[i]);
	P(nodata); P(listed); P(truncated); P(dropped); P(tcp_conns);
	P(tcp_refused); P(rrl_limited); P(rrl_slipped); P(rrl_dropped);
	P(acl_dropped); P(acl_refused); P(acl_answered); P(quota_over);
#undef P
}

static int print_slots(const char *path)
{
	struct stat st = { 0 };
	const rbl_qstats_header *h;
	void *map;
	char prefix[32];
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0 ||
	    (size_t)st.st_size < sizeof(*h))
		return 1;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 1;
	h = map;
	for (uint32_t i = 0; i < h->n_slots && sizeof(*h) + (i + 1) *
	     sizeof(rbl_qstats_slot) <= (size_t)st.st_size; i++) {
		snprintf(prefix, sizeof(prefix), "slot %u ", i);
		print_slot(prefix, (const rbl_qstats_slot *)(h + 1) + i);
	}
	munmap(map, (size_t)st.st_size);
	return 0;
}

int main(int argc, char **argv)
{
	rbl_qstats_header h = { 0 };
	rbl_qstats_slot sum = { 0 };
	int slots = argc == 3 && strcmp(argv[1], "--slots") == 0;
	const char *path = argv[argc - 1];

	if (argc != 2 + slots) {
		fprintf(stderr, "usage: rbl-qstats [--slots] FILE\n");
		return 2;
	}
	if (rbl_qstats_read(path, &h, &sum) != RBL_OK) {
		fprintf(stderr, "rbl-qstats: %s: cannot read\n", path);
		return 1;
	}
	printf("version %u\nslots %u\n", h.version, h.n_slots);
	print_slot("", &sum);
	return slots ? print_slots(path) : 0;
}
