/*
 * fuzz_http.c -- libFuzzer target: what rbl-admin reads from a client
 * before any page runs: the form body (admin-web/form.h), the session
 * cookie looked up in the session table, X-Forwarded-For from a trusted
 * proxy (admin-web/proxy.h), and HTML/URL escaping of what was read
 * (with line-break opportunities for long words, and cut with the rest a
 * click away: html.h), the check of a return-to path after login, and a
 * session's message for the next page.  Escaped text must hold no markup
 * but the <wbr> the escaping adds.  The input is "cookie\nxff\nbody".
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "admin-web/admin.h"
#include "admin-web/buf.h"
#include "admin-web/form.h"
#include "admin-web/html.h"
#include "admin-web/proxy.h"
#include "admin-web/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *field(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl ? nl : end) - *p);
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, *p, n);
		s[n] = '\0';
	}
	*p += n + (nl != NULL);
	return s;
}

/* Escaped text of S with the <wbr> taken out must not hold a tag. */
static void check_wrap(const char *s)
{
	adm_buf w;
	const char *p;

	adm_buf_init(&w);
	adm_esc_wrap(&w, s);
	for (p = w.p; p && *p; p++) {
		if (strncmp(p, "<wbr>", 5) == 0)
			p += 4;
		else if (*p == '<' || *p == '>' || *p == '"')
			abort();
	}
	adm_buf_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static adm_sessions *sessions;
	const char *p = (const char *)data, *end = p + size;
	char *cookie = field(&p, end), *xff = field(&p, end), client[64];
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(0x7f000001) };
	rbl_prefix proxy;
	adm_session s;
	adm_form f;
	adm_buf b;
	bool https = false;

	if (!sessions)
		sessions = adm_sessions_new(16, 60);
	rbl_prefix_parse("127.0.0.0/8", true, &proxy);
	if (cookie && xff && sessions) {
		(void)adm_session_find(sessions, cookie, 1, &s);
		adm_client_addr(&proxy, 1, (struct sockaddr *)&peer, xff, cookie,
				client, &https);
		adm_buf_init(&b);
		if (adm_form_parse(&f, p, (size_t)(end - p)) == 0)
			for (size_t i = 0; i < f.n; i++) {
				adm_esc(&b, f.value[i]);
				adm_urlenc(&b, f.name[i]);
				check_wrap(f.value[i]);
				adm_longtext(&b, f.value[i], 40);
				adm_cut(&b, f.value[i], 40);
				(void)adm_local_path(f.value[i]);
				adm_session_flash(sessions, cookie, false,
						  f.value[i]);
			}
		(void)adm_form_get(&f, "csrf");
		adm_form_free(&f);
		adm_buf_free(&b);
	}
	free(cookie);
	free(xff);
	return 0;
}
