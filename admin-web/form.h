/*
 * form.h -- application/x-www-form-urlencoded bodies, decoded.
 *
 * Values are percent-decoded ('+' is a space) into one owned copy.  A
 * body with a decoded NUL, invalid UTF-8, or more than ADM_FORM_MAX fields
 * is refused whole: a page never sees half a form.
 */
#ifndef ADM_FORM_H
#define ADM_FORM_H

#include <stddef.h>

#define ADM_FORM_MAX 32

typedef struct adm_form {
	char *data;			/* owned: the decoded names and values */
	size_t n;
	const char *name[ADM_FORM_MAX];
	const char *value[ADM_FORM_MAX];
} adm_form;

/* Parse LEN bytes of BODY into F (F need not be initialised).  Returns
 * RBL_OK, RBL_EFORMAT (bad encoding, NUL, invalid UTF-8), RBL_ELIMIT (too
 * many fields) or RBL_ENOMEM.  Free with adm_form_free() in every case. */
int adm_form_parse(adm_form *f, const char *body, size_t len);
/* The first value of NAME, or NULL. */
const char *adm_form_get(const adm_form *f, const char *name);
void adm_form_free(adm_form *f);

/* True if the NUL-terminated S is valid UTF-8 (no overlongs, no
 * surrogates). */
int adm_utf8_valid(const char *s);

#endif
