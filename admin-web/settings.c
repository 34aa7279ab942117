/*
 * settings.c -- the admin: section of rbld.conf (see settings.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "settings.h"

#define DEFAULT_DB "/var/lib/rbld"

int adm_parse_listen(const char *s, unsigned def_port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64], *at;
	unsigned long port = def_port;
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	if (strlen(s) >= sizeof host)
		return RBL_EINVAL;
	strcpy(host, s);
	if ((at = strrchr(host, '@'))) {
		char *end = NULL;

		*at = '\0';
		port = strtoul(at + 1, &end, 10);
		if (*end || port == 0 || port > 65535)
			return RBL_EINVAL;
	}
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof *v6;
	} else
		return RBL_EINVAL;
	return RBL_OK;
}

static int read_pem(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return RBL_EIO;
	}
	if (!(buf = malloc(1 << 20)) ||
	    (n = fread(buf, 1, (1 << 20) - 1, f)) == 0 || ferror(f)) {
		snprintf(err, errlen, "%s: cannot read", path);
		fclose(f);
		free(buf);
		return RBL_EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return RBL_OK;
}

static int prefixes(const rbl_conf_section *s, const char *key,
		    rbl_prefix *out, unsigned *n, char *err, size_t errlen)
{
	const rbl_conf_item *it = NULL;

	*n = 0;
	while (s && (it = rbl_conf_next_item(s, key, it))) {
		if (*n == ADM_MAX_PROXIES) {
			snprintf(err, errlen, "line %u: at most %d %s lines",
				 it->line, ADM_MAX_PROXIES, key);
			return RBL_EINVAL;
		}
		if (rbl_prefix_parse(it->value, false, &out[*n]) != RBL_OK) {
			snprintf(err, errlen, "line %u: bad %s \"%s\"", it->line,
				 key, it->value);
			return RBL_EINVAL;
		}
		rbl_addr_unmap4(&out[(*n)++].addr);
	}
	return RBL_OK;
}

static int numbers(const rbl_conf *c, const rbl_conf_section *a,
		   adm_config *o, char *err, size_t errlen)
{
	uint32_t max_sessions = 4096;	/* read on the error path too */
	int rc = rbl_conf_duration(c, a, "session-idle", 1800, &o->session_idle,
				   err, errlen);

	if (!rc) rc = rbl_conf_u32(c, a, "max-sessions", 4096, &max_sessions,
				   err, errlen);
	if (!rc) rc = rbl_conf_u32(c, a, "login-rate", 5, &o->login_rate,
				   err, errlen);
	if (!rc) rc = rbl_conf_u32(c, a, "request-rate", 5, &o->request_rate,
				   err, errlen);
	if (!rc) rc = rbl_conf_size(c, a, "max-post", 64 << 10, &o->max_post,
				    err, errlen);
	if (!rc) rc = rbl_conf_size(c, a, "max-report", 2 << 20,
				    &o->max_report, err, errlen);
	if (!rc) rc = rbl_conf_u32(c, a, "threads", 4, &o->threads, err, errlen);
	if (!rc) rc = rbl_conf_u32(c, a, "max-connections", 256,
				   &o->max_connections, err, errlen);
	if (!rc) rc = rbl_conf_u32(c, a, "max-per-client", 32,
				   &o->max_per_client, err, errlen);
	if (!rc) rc = rbl_conf_duration(c, a, "timeout", 30, &o->timeout,
					err, errlen);
	if (!rc) rc = rbl_conf_duration(c, a, "request-timeout", 20,
					&o->request_timeout, err, errlen);
	o->max_sessions = max_sessions ? max_sessions : 1;
	if (!rc && (o->threads == 0 || o->threads > 64)) {
		snprintf(err, errlen, "admin: threads must be 1..64");
		rc = RBL_EINVAL;
	}
	return rc;
}

static int network(const rbl_conf_section *a, adm_config *o, char *err,
		   size_t errlen)
{
	const char *v = a ? rbl_conf_get(a, "listen") : NULL;
	int rc;

	snprintf(o->listen_text, sizeof o->listen_text, "%s",
		 v ? v : "127.0.0.1@8080");
	if (adm_parse_listen(o->listen_text, 8080, &o->listen,
			     &o->listen_len) != RBL_OK) {
		snprintf(err, errlen, "admin: bad listen \"%s\"", o->listen_text);
		return RBL_EINVAL;
	}
	rc = prefixes(a, "trusted-proxy", o->proxies, &o->n_proxies, err,
		      errlen);
	if (rc == RBL_OK)
		rc = prefixes(a, "metrics-allow", o->metrics_allow,
			      &o->n_metrics_allow, err, errlen);
	if (rc == RBL_OK && o->n_metrics_allow == 0) {
		rbl_prefix_parse("127.0.0.0/8", false, &o->metrics_allow[0]);
		rbl_prefix_parse("::1", false, &o->metrics_allow[1]);
		o->n_metrics_allow = 2;
	}
	return rc;
}

static int tls(const rbl_conf_section *a, adm_config *o, char *err,
	       size_t errlen)
{
	const char *cert = a ? rbl_conf_get(a, "tls-cert") : NULL;
	const char *key = a ? rbl_conf_get(a, "tls-key") : NULL;
	int rc;

	if (!cert && !key)
		return RBL_OK;
	if (!cert || !key) {
		snprintf(err, errlen, "admin: tls-cert and tls-key go together");
		return RBL_EINVAL;
	}
	rc = read_pem(cert, &o->tls_cert, err, errlen);
	return rc ? rc : read_pem(key, &o->tls_key, err, errlen);
}

static void paths(const rbl_conf *c, adm_config *o)
{
	const rbl_conf_section *srv = rbl_conf_next(c, "server", NULL);
	const char *db = srv ? rbl_conf_get(srv, "database") : NULL;
	const char *stats = srv ? rbl_conf_get(srv, "stats-file") : NULL;

	snprintf(o->database, sizeof o->database, "%s", db ? db : DEFAULT_DB);
	if (stats)
		snprintf(o->stats_file, sizeof o->stats_file, "%s", stats);
	else
		snprintf(o->stats_file, sizeof o->stats_file, "%.4000s/rbld.stats",
			 o->database);
}

int adm_settings_load(const rbl_conf *c, adm_config *o, uint64_t *mapsize,
		      char *err, size_t errlen)
{
	const rbl_conf_section *a = rbl_conf_next(c, "admin", NULL);
	const rbl_conf_section *srv = rbl_conf_next(c, "server", NULL);
	const char *site = a ? rbl_conf_get(a, "site-name") : NULL;
	int rc;

	memset(o, 0, sizeof *o);
	snprintf(o->site_name, sizeof o->site_name, "%s", site ? site : "rbld");
	paths(c, o);
	rc = rbl_conf_bool(c, a, "public", true, &o->public_site, err, errlen);
	if (rc == RBL_OK)
		rc = rbl_conf_size(c, srv, "map-size", 0, mapsize, err, errlen);
	if (rc == RBL_OK)
		rc = numbers(c, a, o, err, errlen);
	if (rc == RBL_OK)
		rc = network(a, o, err, errlen);
	if (rc == RBL_OK)
		rc = tls(a, o, err, errlen);
	return rc;
}

void adm_settings_free(adm_config *cfg)
{
	free(cfg->tls_cert);
	if (cfg->tls_key) {
		memset(cfg->tls_key, 0, strlen(cfg->tls_key));
		free(cfg->tls_key);
	}
	cfg->tls_cert = cfg->tls_key = NULL;
}
