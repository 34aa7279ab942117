/*
 * cfile.h -- a per-worker counter file: the machinery under the query
 * counters (qstats.h) and the per-key counters (kstats.h), one file
 * memory-mapped by a writer (rbld) and read by others (rblctl,
 * rbl-admin), native byte order, read only on the host that wrote it.
 *
 * Layout: a header of RBL_CFILE_HDR_SIZE (64) bytes that begins with
 * rbl_cfile_head (the kind's own header type may name the rest), then
 * N parts of PART_SIZE bytes, one per worker thread.  What a part holds
 * and how parts are summed is the kind's business; this module creates,
 * maps, checks and removes the file.
 *
 * Contract:
 *   - rbl_cfile_create writes a zeroed file with a complete header to
 *     PATH.tmp and renames it to PATH, so a reader never sees a half-made
 *     header; PATH NULL gives private memory (counters that work but
 *     nobody else sees).  N must be 1..kind->max_parts.
 *   - rbl_cfile_view maps PATH read-only and accepts it only if the magic
 *     matches, min_version <= version <= version, the part size is the
 *     kind's, 1 <= N <= max_parts and the file holds N parts.
 *   - Functions return RBL_OK or a negative rbl_error; RBL_EIO keeps
 *     errno.  Nothing here exits.
 */
#ifndef RBL_CFILE_H
#define RBL_CFILE_H

#include <stddef.h>
#include <stdint.h>

#define RBL_CFILE_HDR_SIZE	64u

/* The start of every counter file's header (the kind's header type has
 * these fields at these offsets, and is RBL_CFILE_HDR_SIZE bytes). */
typedef struct rbl_cfile_head {
	uint64_t magic;
	uint32_t version;
	uint32_t n_parts;	/* workers */
	uint32_t part_size;	/* bytes of one part */
	uint32_t pid;		/* the writer */
	int64_t start_time;	/* unix seconds the counters start from */
} rbl_cfile_head;

/* Proves at compile time that a kind's header type T, with its part
 * count and part size fields named N and SIZE, begins as rbl_cfile_head
 * and fills the header. */
#define RBL_CFILE_HEAD_CHECK(T, N, SIZE)				\
	_Static_assert(sizeof(T) == RBL_CFILE_HDR_SIZE &&		\
		       offsetof(T, magic) == offsetof(rbl_cfile_head, magic) && \
		       offsetof(T, version) ==				\
		       offsetof(rbl_cfile_head, version) &&		\
		       offsetof(T, N) == offsetof(rbl_cfile_head, n_parts) && \
		       offsetof(T, SIZE) ==				\
		       offsetof(rbl_cfile_head, part_size) &&		\
		       offsetof(T, pid) == offsetof(rbl_cfile_head, pid) && \
		       offsetof(T, start_time) ==			\
		       offsetof(rbl_cfile_head, start_time),		\
		       #T " begins as rbl_cfile_head")

/* What kind of counter file: its magic, the version written and the
 * oldest one read, the most parts, the size of one part. */
typedef struct rbl_cfile_kind {
	uint64_t magic;
	uint32_t version;
	uint32_t min_version;
	uint32_t max_parts;
	size_t part_size;
} rbl_cfile_kind;

/* The writer's mapping. */
typedef struct rbl_cfile {
	void *map;		/* header, then the parts */
	size_t size;
	char *path;		/* NULL for private memory */
} rbl_cfile;

/* Create (or replace) the file PATH of KIND for N parts, zeroed, with its
 * header, and map it shared into *CF; PATH NULL: private memory.
 * RBL_OK, RBL_EINVAL (N out of range, PATH too long), RBL_EIO,
 * RBL_ENOMEM. */
int rbl_cfile_create(rbl_cfile *cf, const char *path,
		     const rbl_cfile_kind *kind, unsigned n);
/* Part I of CF (no check: the caller knows its count). */
void *rbl_cfile_part(const rbl_cfile *cf, unsigned i);
/* Unmap CF; with UNLINK_FILE also remove its file (clean shutdown). */
void rbl_cfile_close(rbl_cfile *cf, int unlink_file);

/* A reader's read-only mapping of a whole file. */
typedef struct rbl_cfile_view {
	const char *map;
	size_t size;
	const char *parts;	/* part 0 */
	uint32_t n_parts;
} rbl_cfile_view;

/* Map the file PATH of KIND read-only into *V and copy its header
 * (RBL_CFILE_HDR_SIZE bytes) to HDR.  RBL_OK (release with
 * rbl_cfile_view_close), RBL_ENOTFOUND (no file), RBL_EVERSION (shorter
 * than a header, or a header KIND does not accept: HDR is filled in the
 * second case), RBL_EIO.  On an error nothing stays mapped. */
int rbl_cfile_view_open(const char *path, const rbl_cfile_kind *kind,
			void *hdr, rbl_cfile_view *v);
void rbl_cfile_view_close(rbl_cfile_view *v);

/* The reader's usual use: open the file PATH of KIND as
 * rbl_cfile_view_open does (HDR the same), call ADD(SUM, part) for each
 * part in order, close.  Returns what rbl_cfile_view_open returned; ADD
 * is not called on an error. */
int rbl_cfile_sum(const char *path, const rbl_cfile_kind *kind, void *hdr,
		  void (*add)(void *sum, const void *part), void *sum);

#endif
