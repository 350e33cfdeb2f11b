/*
 * db.h: PostgreSQL for requests, without ever blocking a worker.
 *
 * Statements are declared once, where their SQL lives (one db_*.c file
 * per resource), as a struct db_stmt: a name, the SQL with $1..$n, the
 * number of parameters and whether a failed attempt may be sent again.
 * A request runs one with a struct dbq kept in its state:
 *
 *	db_send(req, &q, &db_post_get, "ii", post_id, viewer_id);
 *	... on every later run of the handler ...
 *	switch (db_poll(req, &q)) { case DB_PENDING: ... }
 *
 * The parameters are given as a format: 'i' an int64_t, 's' a string
 * (NULL: SQL NULL), 'b' an int read as a boolean; their text is copied
 * into q at once (the query may be sent later: queued for a connection,
 * or again after a connection died).  Handlers use the request
 * skeleton's query_or_reply() (web/handler.h) rather than these.
 *
 * Built on Kore's pgsql layer, with what it lacks:
 *  - prepared statements: Kore sends unnamed statements, which the
 *    server parses and plans on every request.  Here each pooled
 *    connection prepares a statement (by its name) the first time it
 *    runs it, without waiting (the Parse is sent alone and its answer
 *    comes back like any result), then executes it by name, and
 *    Kore's own receive path reads the rows.  "Prepared statement does
 *    not exist" (a new server process) or "cached plan must not change
 *    result type" (a table changed) prepares it again and sends it once
 *    more: nothing ran, so this is safe for writes too.  A statement
 *    whose best plan depends on its values (DB_CUSTOM: a tag, whose
 *    posts may be 3 or 30,000; PostgreSQL's generic plan guesses a
 *    handful and sorts them all) is sent unnamed instead, planned each
 *    time like Kore's own queries;
 *  - a dead pooled connection (PostgreSQL restarted) is noticed before a
 *    query is sent on it and replaced, and a statement marked DB_READ is
 *    retried once on a fresh connection when its connection dies under
 *    it, so users see no error after a database restart;
 *  - a failed connection attempt opens a short circuit breaker: while
 *    the database is down, requests fail fast instead of each blocking
 *    the worker in connect() for up to DB_CONNECT_TIMEOUT;
 *  - SQL errors are drained without Kore's blocking PQcancel();
 *  - reads from a replica ("read": DATABASE_READ_URL) for the requests
 *    that prefer it (db_prefer_replica()), with its own breaker and the
 *    primary as the fallback.
 * It never blocks except inside PQconnectdb() (Kore opens pooled
 * connections synchronously; the timeout and the breaker bound that).
 *
 * Rows are read by the decoders of the db_*.c files (db_text, db_int,
 * ...), which turn them into C structs; nothing above the db layer sees
 * a PGresult.  Memory: q owns its copies and its result until
 * db_cleanup(), which is safe to call twice.
 */

#ifndef KBLOG_DB_H
#define KBLOG_DB_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdint.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#define DB_PENDING	0
#define DB_OK		1
#define DB_FAIL		2

#define DB_READ		0x01	/* no side effect: safe to send again */
#define DB_CUSTOM	0x02	/* planned for each call's values: sent
				   unnamed, never prepared (see below) */

#define DB_MAXPARAMS	16

struct db_stmt {
	const char	*name;
	const char	*sql;
	int		 nparams;
	int		 flags;
};

struct dbq {
	struct kore_pgsql	 sql;
	int			 state;
	int			 retried;	/* sent again: conn lost */
	int			 reprepared;	/* prepared again */
	unsigned int		 prep_gen;	/* names it was prepared with */
	int			 replica;	/* read from DATABASE_READ_URL */
	int			 bound;
	const struct db_stmt	*stmt;
	const char		*values[DB_MAXPARAMS];
	char			*copies[DB_MAXPARAMS];	/* kore_strdup'd */
	int			 lengths[DB_MAXPARAMS];
	PGresult		*res;		/* rows of the (last) result */
	char			 sqlstate[6];	/* on DB_FAIL, "" if none */
	struct dbq		*next;		/* the request's list (web/) */
};

/* SELECT 1: is the database there? */
extern const struct db_stmt	db_ping;

/* Starts a statement (DB_PENDING), or fails at once (DB_FAIL). */
int		 db_send(struct http_request *, struct dbq *,
		    const struct db_stmt *, const char *fmt, ...);
int		 db_sendv(struct http_request *, struct dbq *,
		    const struct db_stmt *, const char *fmt, va_list);
/*
 * Before db_send(): a DB_READ statement may go to the replica
 * (DATABASE_READ_URL) while it is up and close behind; the primary
 * answers when it is not, or when the replica fails.
 */
void		 db_prefer_replica(struct dbq *, int);
/* DB_PENDING, DB_OK (rows in q) or DB_FAIL.  Safe to call again. */
int		 db_poll(struct http_request *, struct dbq *);
/* 1 when db_send() was called on q (and db_cleanup() was not). */
int		 db_started(const struct dbq *);
void		 db_cleanup(struct dbq *);
/* A DB_FAIL for want of a database (connection class): a 503. */
int		 db_unavailable(const struct dbq *);
/* A DB_FAIL of SQLSTATE class 23 (a constraint): the caller's 409. */
int		 db_constraint(const struct dbq *);

/* For the decoders in db_*.c. */
int		 db_rows(const struct dbq *);
int		 db_isnull(const struct dbq *, int row, int col);
const char	*db_text(const struct dbq *, int row, int col);
int64_t		 db_int(const struct dbq *, int row, int col);
int		 db_bool(const struct dbq *, int row, int col);
/* Seconds to wait, as a rate or throttle statement says: 0 for NULL or
 * 0, else at least 1 (and at most a year). */
int		 db_wait(const struct dbq *, int row, int col);
/* A timestamptz column (the session's TimeZone is UTC), microseconds
 * since 1970 UTC; 0 for NULL. */
int64_t		 db_time(const struct dbq *, int row, int col);

#endif
