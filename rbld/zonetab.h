/*
 * zonetab.h -- the zones a worker answers for, as read from the store.
 *
 * Each worker keeps its own table, built from its own read transaction
 * and rebuilt only when rbl_store_generation() moves (a zone or list was
 * created, changed or deleted).  The table holds everything an answer
 * needs besides the listings themselves: zone names in wire format
 * (lowercase), TTLs, the SOA RDATA with a slot for the serial, the NS
 * names, glue, the zone's fixed records (generic data), and for each list
 * of the zone its sub-label and defaults.
 * Building it allocates; using it does not.
 */
#ifndef RBLD_ZONETAB_H
#define RBLD_ZONETAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"
#include "zone/store/zrec.h"
#include "dns.h"
#include "query.h"

typedef struct rbl_zt_name {
	uint8_t len;			/* wire length, root included */
	uint8_t wire[DNS_NAME_MAX];	/* lowercase */
} rbl_zt_name;

typedef struct rbl_zt_list {
	uint32_t list_id;
	uint8_t kind;			/* rbl_list_kind */
	uint8_t sub_len;		/* 0: the list answers at the zone */
	uint8_t sub[RBL_LABEL_MAX];	/* lowercase sub-label */
	uint32_t default_code;
	bool has_default_txt;
	uint16_t default_txt_len;
	char default_txt[RBL_TXT_MAX + 1];
} rbl_zt_list;

typedef struct rbl_zt_glue {
	uint8_t ns;			/* index into ns[] of the zone, or 0xff */
	rbl_zt_name name;
	rbl_addr addr;
} rbl_zt_glue;

/* A fixed record (zone/store/zrec.h) with its owner made absolute. */
typedef struct rbl_zt_rec {
	rbl_zt_name owner;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[RBL_ZREC_RDATA_MAX];
} rbl_zt_rec;

typedef struct rbl_zt_zone {
	uint32_t id;
	char name[RBL_NAME_MAX + 1];
	rbl_zt_name wire;
	uint8_t nlabels;
	uint32_t ttl, neg_ttl, ns_ttl;
	/* SOA RDATA: mname, rname, then serial (patched at answer time),
	 * refresh, retry, expire, minimum. */
	uint16_t soa_len;
	uint16_t soa_serial_off;
	uint8_t soa[2 * DNS_NAME_MAX + 20];
	/* The SOA record of negative answers after its owner, as written:
	 * type, class, NEG_TTL, RDLENGTH, then SOA (its serial, at
	 * 10 + SOA_SERIAL_OFF, patched at answer time).  Nine answers in
	 * ten of a DNSBL carry it: one copy instead of a record built. */
	uint16_t neg_soa_len;
	uint8_t neg_soa[10 + 2 * DNS_NAME_MAX + 20];
	uint32_t serial;		/* as read under ... */
	uint64_t serial_snap;		/* ... this rbl_txn_snapshot (0: none) */
	uint8_t n_ns;
	rbl_zt_name ns[RBL_ZONE_MAX_NS];
	uint8_t n_glue;
	rbl_zt_glue glue[RBL_ZONE_MAX_GLUE];
	uint8_t n_lists;
	rbl_zt_list lists[RBL_ZONE_MAX_LISTS];
	uint16_t n_recs;		/* owner order: an owner's are adjacent */
	rbl_zt_rec *recs;		/* owned */
	/* Set by the engine after each rebuild (not by the table): the
	 * zone's key settings (keytab.h; NULL: takes no keys) and this
	 * worker's counters for it (zone/kstats.h; never NULL once set). */
	const struct rbl_zone_keys *keys;
	struct rbl_kstats_ent *kent;
} rbl_zt_zone;

typedef struct rbl_zonetab {
	rbl_zt_zone *zones;		/* owned */
	size_t n_zones;
	uint64_t generation;		/* of the store when built */
	uint64_t snap;			/* rbl_txn_snapshot last found
					   current at (0: none) */
	bool loaded;
} rbl_zonetab;

/* Make ZT current for transaction T: rebuild it when the store's
 * generation differs from the one it was built at (or it was never built).
 * The generation is not even read when T reads the snapshot ZT was last
 * made current at (rbl_txn_snapshot; one store per table).
 * On failure the old table stays in use.  Returns RBL_OK, RBL_ENOMEM,
 * RBL_ESTORE, or RBL_EINVAL (a zone name that is not a domain name). */
int rbl_zonetab_refresh(rbl_zonetab *zt, rbl_txn *t);
/* Free the zones; ZT may be refreshed again afterwards. */
void rbl_zonetab_free(rbl_zonetab *zt);

/* The zone with the longest name that Q's question name is in or at, or
 * NULL.  Compares the lowercased name, so any case matches. */
rbl_zt_zone *rbl_zonetab_find(const rbl_zonetab *zt, const rbl_query *q);

/* The zone's current serial; read from T at most once per snapshot
 * (rbl_txn_snapshot): a worker whose snapshot stays the same from batch
 * to batch reads it once. */
uint32_t rbl_zonetab_serial(rbl_zt_zone *z, rbl_txn *t);

/* Convert text NAME ("bl.example", trailing dot optional) to lowercase
 * wire format with zone/dname.h's rbl_name_wire, the conversion the
 * transfers use too.  RBL_OK or RBL_EINVAL. */
int rbl_zt_name_from_text(const char *name, rbl_zt_name *out);

#endif
