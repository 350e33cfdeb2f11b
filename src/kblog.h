/*
 * kblog.h: the module's private header, one section per Kore-facing file.
 * Pure libraries (config, sbuf, html, ...) have headers of their own and
 * never include this one.
 */

#ifndef KBLOG_H
#define KBLOG_H

#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include "config.h"
#include "sbuf.h"

/* kblog.c: start-up. */
extern struct config	kb_cfg;

/* migrate.c: runs in the parent before workers start (blocking libpq). */
int	migrate_run(const char *conninfo, const char *dir, int wait_seconds,
	    char *err, size_t errlen);

/*
 * db.c: asynchronous queries bound to a request.
 *
 * A handler keeps one struct dbq per query in its per-request state and
 * calls db_run() every time Kore runs it.  db_run() starts the query the
 * first time and answers DB_PENDING (return KORE_RESULT_RETRY: Kore wakes
 * the request when PostgreSQL answers); then DB_OK with q->res holding the
 * rows, or DB_FAIL.  Reads marked DB_READ are retried once, on a fresh
 * connection, when the pooled one turns out dead (Postgres restarted).
 * db_cleanup() frees everything and is safe to call twice.
 */
#define DB_PENDING	0
#define DB_OK		1
#define DB_FAIL		2

#define DB_READ		0x01	/* safe to retry */
#define DB_MAXPARAMS	16

struct dbq {
	struct kore_pgsql	 sql;
	int			 state;		/* 0 idle, 1 running, DB_OK, DB_FAIL */
	int			 flags;
	int			 retried;
	int			 bound;
	const char		*query;
	int			 nparams;
	const char		*values[DB_MAXPARAMS];
	int			 lengths[DB_MAXPARAMS];
	PGresult		*res;		/* rows of the (last) result */
	char			 sqlstate[6];	/* on DB_FAIL, "" if none */
};

int	 db_run(struct http_request *, struct dbq *, int flags,
	    const char *query, int nparams, ...);
void	 db_cleanup(struct dbq *);
int	 db_ntuples(struct dbq *);
const char	*db_value(struct dbq *, int row, int col);
int	 db_isnull(struct dbq *, int row, int col);
int	 db_unavailable(struct dbq *);	/* failed because no database */

/* resp.c: every response goes out through here. */
void	resp_headers(struct http_request *);
void	resp_send(struct http_request *, int status, const char *ctype,
	    const void *body, size_t len);
void	resp_json(struct http_request *, int status, const char *json);
void	resp_json_error(struct http_request *, int status, const char *code,
	    const char *message);
int	resp_error_page(struct http_request *, int status);
int	resp_method_not_allowed(struct http_request *, const char *allow);
int	resp_wants_json(struct http_request *);

/* h_health.c */
int	h_health(struct http_request *);
int	h_ready(struct http_request *);
int	h_not_found(struct http_request *);

#endif
