/*
 * dname.c -- domain names from text to wire form (see dname.h).
 */
#include <string.h>

#include "zone/dname.h"

size_t rbl_name_wire(const char *name, uint8_t *out)
{
	size_t n = 0, len = strlen(name);

	if (len && name[len - 1] == '.')
		len--;
	for (size_t start = 0; start < len;) {
		size_t end = start;

		while (end < len && name[end] != '.')
			end++;
		if (end == start || end - start > 63 ||
		    n + 1 + (end - start) + 1 > RBL_WIRE_NAME_MAX)
			return 0;
		out[n++] = (uint8_t)(end - start);
		for (size_t i = start; i < end; i++) {
			char c = name[i];

			out[n++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		start = end + 1;
	}
	out[n++] = 0;
	return n;
}
