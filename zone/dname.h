/*
 * dname.h -- domain names from text to DNS wire form.
 *
 * One conversion for every program: zone names, SOA and NS names, MX
 * targets, the names in transfers, NOTIFY and TSIG.  The wire form is
 * uncompressed and lowercase; it is what answers, signatures and the
 * store's records compare and copy.
 */
#ifndef RBL_DNAME_H
#define RBL_DNAME_H

#include <stddef.h>
#include <stdint.h>

#define RBL_WIRE_NAME_MAX	255	/* wire length, root label included */

/* Text NAME ("bl.example", a trailing dot allowed, "" for the root) into
 * OUT (RBL_WIRE_NAME_MAX bytes), lowercased.  Returns the wire length, or
 * 0 when a label is empty or longer than 63 bytes or the name longer
 * than RBL_WIRE_NAME_MAX.  Which characters a label may hold is the
 * caller's rule. */
size_t rbl_name_wire(const char *name, uint8_t *out);

#endif
