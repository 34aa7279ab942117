/*
 * main.c -- rbl-admin: the web site where people review listings and
 * decide delisting requests.  Reads rbld.conf, opens the store, serves
 * HTTP(S) until SIGINT/SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/policy/policy.h"
#include "csrf.h"
#include "http.h"
#include "qrate.h"
#include "settings.h"
#include "stats.h"

#define DEFAULT_CONF "/etc/rbld/rbld.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rbl-admin [-c FILE] [-l ADDR[@PORT]] [-t]\n"
		"  -c, --config FILE  rbld.conf to read (default " DEFAULT_CONF ")\n"
		"  -l, --listen ADDR[@PORT]  serve here instead of admin.listen\n"
		"  -t, --test         check the configuration and exit\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n"
		"Serves the admin site on admin.listen (default 127.0.0.1@8080);\n"
		"see rbl-admin(8) and doc/admin.md.\n");
}

static int load_conf(const char *path, rbl_conf **conf, adm_app *app,
		     uint64_t *mapsize)
{
	char err[RBL_CONF_ERRLEN + 64];
	int rc = rbl_conf_load(path, conf, err, sizeof err);

	if (rc == RBL_OK)
		rc = rbl_conf_check(*conf, err, sizeof err);
	if (rc == RBL_OK)
		rc = adm_settings_load(*conf, &app->cfg, mapsize, err, sizeof err);
	if (rc == RBL_OK)
		rc = rbl_policy_load(*conf, &app->policies, err, sizeof err);
	if (rc == RBL_OK)
		rc = rbl_namepol_load(*conf, &app->namepols, err, sizeof err);
	/* Without an rdns: section the defaults apply (and
	 * rbl_rdns_opts_from_conf would read a NULL section). */
	rbl_rdns_opts_defaults(&app->rdns, NULL);
	if (rc == RBL_OK && rbl_conf_next(*conf, "rdns", NULL))
		rc = rbl_rdns_opts_from_conf(*conf, &app->rdns, err, sizeof err);
	if (rc != RBL_OK)
		fprintf(stderr, "rbl-admin: %s\n", err);
	return rc;
}

static int listen_override(adm_config *cfg, const char *listen)
{
	if (adm_parse_listen(listen, 8080, &cfg->listen,
			     &cfg->listen_len) != RBL_OK) {
		fprintf(stderr, "rbl-admin: -l %s: not ADDR[@PORT]\n", listen);
		return RBL_EINVAL;
	}
	snprintf(cfg->listen_text, sizeof cfg->listen_text, "%s", listen);
	return RBL_OK;
}

static int open_store(adm_app *app, uint64_t mapsize)
{
	char err[RBL_CONF_ERRLEN];
	rbl_txn *t = NULL;
	int rc = rbl_store_open(app->cfg.database, 0, (size_t)mapsize,
				&app->store);

	if (rc != RBL_OK) {
		fprintf(stderr, "rbl-admin: store %s: %s\n", app->cfg.database,
			rbl_strerror(rc));
		return rc;
	}
	err[0] = '\0';
	rc = rbl_txn_begin(app->store, false, &t);
	if (rc == RBL_OK) {
		rc = rbl_policy_resolve(t, app->policies, err, sizeof err);
		if (rc == RBL_OK)
			rc = rbl_namepol_resolve(t, app->namepols, err,
						 sizeof err);
		rbl_txn_abort(t);
	}
	if (rc != RBL_OK)
		fprintf(stderr, "rbl-admin: policies: %s\n",
			err[0] ? err : rbl_strerror(rc));
	return rc;
}

static int make_state(adm_app *app)
{
	const adm_config *c = &app->cfg;

	app->sessions = adm_sessions_new(c->max_sessions, c->session_idle);
	app->login_limit = adm_rl_new(4096, c->login_rate, 60);
	app->request_limit = adm_rl_new(4096, c->request_rate, 3600);
	/* Wrong /api/report tokens are limited like login attempts. */
	app->report_limit = adm_rl_new(4096, c->login_rate, 60);
	app->stats = calloc(1, sizeof *app->stats);
	app->qs = adm_qs_start(c->stats_file);
	if (!app->sessions || !app->login_limit || !app->request_limit ||
	    !app->report_limit || !app->stats || !app->qs) {
		fprintf(stderr, "rbl-admin: out of memory\n");
		return RBL_ENOMEM;
	}
	if (adm_csrf_init(app) != RBL_OK) {
		fprintf(stderr, "rbl-admin: no randomness for form tokens\n");
		return RBL_EIO;
	}
	adm_stats_cache_init(app->stats);
	app->started = (int64_t)time(NULL);
	return RBL_OK;
}

static void free_state(adm_app *app)
{
	adm_qs_stop(app->qs);
	if (app->stats)
		adm_stats_cache_free(app->stats);
	free(app->stats);
	adm_rl_free(app->request_limit);
	adm_rl_free(app->report_limit);
	adm_rl_free(app->login_limit);
	adm_sessions_free(app->sessions);
	if (app->store)
		rbl_store_close(app->store);
	rbl_policy_free(app->policies);
	rbl_namepol_free(app->namepols);
	adm_settings_free(&app->cfg);
}

/* Serve until SIGINT or SIGTERM.  The signals are blocked before the
 * server threads start, so they inherit the mask and sigwait() here is
 * the only place that sees them. */
static int serve(adm_app *app)
{
	char err[256];
	adm_server *srv = NULL;
	sigset_t set = { 0 };
	int sig = 0, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = adm_http_start(app, &srv, err, sizeof err);
	if (rc != RBL_OK) {
		fprintf(stderr, "rbl-admin: %s\n", err);
		return rc;
	}
	fprintf(stderr, "rbl-admin: serving %s://%s (public pages %s)\n",
		app->cfg.tls_cert ? "https" : "http", app->cfg.listen_text,
		app->cfg.public_site ? "on" : "off");
	sigwait(&set, &sig);
	fprintf(stderr, "rbl-admin: signal %d, stopping\n", sig);
	adm_http_stop(srv);
	return RBL_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "test", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = DEFAULT_CONF, *listen = NULL;
	bool test_only = false;
	adm_app app = { 0 };
	rbl_conf *conf = NULL;
	uint64_t mapsize = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:l:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'l': listen = optarg; break;
		case 't': test_only = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("rbl-admin " RBL_VERSION "\n"); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	memset(&app, 0, sizeof app);
	rc = load_conf(path, &conf, &app, &mapsize);
	app.conf = conf;
	if (rc == RBL_OK && listen)
		rc = listen_override(&app.cfg, listen);
	if (rc == RBL_OK && test_only)
		fprintf(stderr, "rbl-admin: %s: configuration ok\n", path);
	else if (rc == RBL_OK && (rc = open_store(&app, mapsize)) == RBL_OK &&
		 (rc = make_state(&app)) == RBL_OK)
		rc = serve(&app);
	free_state(&app);
	rbl_conf_free(conf);
	return rc == RBL_OK ? 0 : 1;
}
