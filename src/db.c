/*
 * db.c: asynchronous PostgreSQL queries for handlers (see kblog.h).
 *
 * Built on Kore's pgsql layer, with three things it lacks:
 *  - a dead pooled connection (PostgreSQL restarted) is noticed before a
 *    query is sent on it and replaced, and a read that fails because its
 *    connection died is retried once, so users see no error after a
 *    database restart;
 *  - a failed connection attempt opens a short circuit breaker: while the
 *    database is down, requests fail fast instead of each blocking the
 *    worker in connect() for up to connect_timeout;
 *  - SQL errors are drained without Kore's blocking PQcancel().
 *
 * Never blocks except inside PQconnectdb() (Kore's pool opens connections
 * synchronously; DB_CONNECT_TIMEOUT bounds it and the breaker limits it
 * to one attempt per second per worker while the database is away).
 */

#include <poll.h>
#include <stdarg.h>

#include "kblog.h"

#define DBQ_IDLE	0
#define DBQ_QUEUED	10	/* waiting for a pooled connection */
#define DBQ_SENT	11	/* query on the wire */

#define DB_BREAKER_MS	1000

static u_int64_t	db_down_until = 0;

static int	db_start(struct http_request *, struct dbq *);
static int	db_step(struct http_request *, struct dbq *);
static int	db_fail(struct dbq *);
static int	db_conn_alive(struct pgsql_conn *);
static void	db_conn_drop(struct dbq *);
static void	db_rebind(struct http_request *, struct dbq *);

int
db_run(struct http_request *req, struct dbq *q, int flags, const char *query,
    int nparams, ...)
{
	va_list		 ap;
	const char	*v;
	int		 i;

	switch (q->state) {
	case DB_OK:
	case DB_FAIL:
		return (q->state);
	case DBQ_QUEUED:
		/*
		 * Woken (or re-run because another query of this request
		 * answered): leave Kore's wait queue before asking again, so
		 * the queue never holds this query twice.
		 */
		db_rebind(req, q);
		return (db_start(req, q));
	case DBQ_SENT:
		return (db_step(req, q));
	case DBQ_IDLE:
		break;
	default:
		fatal("db_run: bad state %d", q->state);
	}

	if (nparams < 0 || nparams > DB_MAXPARAMS)
		fatal("db_run: %d parameters", nparams);

	q->query = query;
	q->flags = flags;
	q->nparams = nparams;
	q->sqlstate[0] = '\0';
	/*
	 * Copies: the query may be sent on a later run of the handler (queued
	 * for a connection, retried), when the caller's locals are gone.
	 */
	va_start(ap, nparams);
	for (i = 0; i < nparams; i++) {
		v = va_arg(ap, const char *);
		q->values[i] = v ? (q->copies[i] = kore_strdup(v)) : NULL;
		q->lengths[i] = v ? (int)strlen(v) : 0;
	}
	va_end(ap);

	if (!q->bound) {
		kore_pgsql_init(&q->sql);
		kore_pgsql_bind_request(&q->sql, req);
		q->bound = 1;
	}

	return (db_start(req, q));
}

static int
db_start(struct http_request *req, struct dbq *q)
{
	int		sends, stale;

	if (db_down_until > kore_time_ms()) {
		(void)kore_strlcpy(q->sqlstate, "08000", sizeof(q->sqlstate));
		return (db_fail(q));
	}

	/*
	 * Stale pooled connections (all of them, after a database restart)
	 * are dropped without counting; a failed send is retried once.
	 */
	for (sends = 0, stale = 0; sends < 2 && stale < 256; ) {
		if (!kore_pgsql_setup(&q->sql, "db", KORE_PGSQL_ASYNC)) {
			if (q->sql.state == KORE_PGSQL_STATE_INIT) {
				/* Queued: Kore wakes us when a conn frees. */
				q->state = DBQ_QUEUED;
				return (DB_PENDING);
			}
			if (q->sql.error != NULL &&
			    strstr(q->sql.error, "no available connection")) {
				kore_log(LOG_NOTICE, "db: queue full");
			} else {
				kore_log(LOG_NOTICE, "db: cannot connect: %s",
				    q->sql.error ? q->sql.error : "?");
				db_down_until = kore_time_ms() + DB_BREAKER_MS;
			}
			(void)kore_strlcpy(q->sqlstate, "08001",
			    sizeof(q->sqlstate));
			return (db_fail(q));
		}

		if (!db_conn_alive(q->sql.conn)) {
			db_conn_drop(q);
			db_rebind(req, q);
			stale++;
			continue;
		}

		if (kore_pgsql_query_param_fields(&q->sql, q->query, 0,
		    q->nparams, q->values, q->lengths, NULL)) {
			q->state = DBQ_SENT;
			return (DB_PENDING);
		}

		/* Nothing reached the server: safe to retry any query. */
		kore_log(LOG_NOTICE, "db: send failed: %s",
		    q->sql.error ? q->sql.error : "?");
		db_conn_drop(q);
		db_rebind(req, q);
		sends++;
	}

	(void)kore_strlcpy(q->sqlstate, "08006", sizeof(q->sqlstate));
	return (db_fail(q));
}

static int
db_step(struct http_request *req, struct dbq *q)
{
	const char	*st, *sev;
	int		 fatal_err;

	for (;;) {
		switch (q->sql.state) {
		case KORE_PGSQL_STATE_WAIT:
		case KORE_PGSQL_STATE_INIT:
			/*
			 * Another query of this request woke it; ours is still
			 * out.  Kore re-runs the handler until it answers (a
			 * short spin): putting the request back to sleep here
			 * raced with Kore's own wake-ups when connections died
			 * ("sleeping request on list").
			 */
			return (DB_PENDING);
		case KORE_PGSQL_STATE_RESULT:
		case KORE_PGSQL_STATE_DONE:
			if (q->sql.result != NULL) {
				if (q->res != NULL)
					PQclear(q->res);
				q->res = q->sql.result;
				q->sql.result = NULL;
			}
			if (q->sql.state == KORE_PGSQL_STATE_DONE) {
				kore_pgsql_continue(&q->sql);
				q->state = DB_OK;
				return (DB_OK);
			}
			kore_pgsql_continue(&q->sql);
			break;
		case KORE_PGSQL_STATE_COMPLETE:
			q->state = DB_OK;
			return (DB_OK);
		case KORE_PGSQL_STATE_NOTIFY:
			kore_pgsql_continue(&q->sql);
			break;
		case KORE_PGSQL_STATE_ERROR:
			st = NULL;
			if (q->sql.result != NULL)
				st = PQresultErrorField(q->sql.result,
				    PG_DIAG_SQLSTATE);
			(void)kore_strlcpy(q->sqlstate, st ? st : "",
			    sizeof(q->sqlstate));

			sev = NULL;
			if (q->sql.result != NULL)
				sev = PQresultErrorField(q->sql.result,
				    PG_DIAG_SEVERITY_NONLOCALIZED);
			/*
			 * FATAL (57P01 admin shutdown, 57P02, 57P03...): the
			 * server is closing this connection even when libpq
			 * has not seen the close yet.  Never give it back to
			 * the pool (its socket is about to be closed under
			 * Kore's epoll): treat it as lost.
			 */
			fatal_err = (sev != NULL && (!strcmp(sev, "FATAL") ||
			    !strcmp(sev, "PANIC"))) ||
			    !strncmp(q->sqlstate, "57P", 3) ||
			    !strncmp(q->sqlstate, "08", 2);
			if (q->sql.conn != NULL && !fatal_err &&
			    PQstatus(q->sql.conn->db) == CONNECTION_OK) {
				/* An SQL error: log it, keep the conn. */
				if (q->sqlstate[0] != '2' ||
				    q->sqlstate[1] != '3')
					kore_pgsql_logerror(&q->sql);
				kore_pgsql_continue(&q->sql);
				if (q->sql.state == KORE_PGSQL_STATE_DONE)
					kore_pgsql_continue(&q->sql);
				q->state = DB_FAIL;
				return (DB_FAIL);
			}

			/* The connection died under us. */
			kore_log(LOG_NOTICE, "db: connection lost: %s",
			    q->sql.error ? q->sql.error : "?");
			db_conn_drop(q);
			if ((q->flags & DB_READ) && !q->retried) {
				q->retried = 1;
				db_rebind(req, q);
				q->state = DBQ_IDLE;
				return (db_start(req, q));
			}
			/* Connection class: db_unavailable(), a 503. */
			(void)kore_strlcpy(q->sqlstate, "08006",
			    sizeof(q->sqlstate));
			return (db_fail(q));
		default:
			fatal("db_step: pgsql state %d", q->sql.state);
		}
	}
}

static int
db_fail(struct dbq *q)
{
	kore_pgsql_cleanup(&q->sql);
	q->state = DB_FAIL;
	return (DB_FAIL);
}

/*
 * An idle pooled connection has nothing to read.  If it has, the server
 * sent its goodbye (shutdown, restart, idle kill) or closed the socket.
 * libpq may well read the goodbye without noticing the close yet, so
 * anything at all to read on an idle connection retires it: the rare
 * harmless message (a parameter change) costs one reconnect, while a
 * write sent on a dead connection would fail and could not be retried.
 */
static int
db_conn_alive(struct pgsql_conn *conn)
{
	struct pollfd	pfd;
	int		fd;

	if (PQstatus(conn->db) != CONNECTION_OK)
		return (0);
	if ((fd = PQsocket(conn->db)) < 0)
		return (0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return (1);
	return (0);
}

/* Closes the query's connection for good (never back into the pool). */
static void
db_conn_drop(struct dbq *q)
{
	if (q->sql.conn != NULL)
		kore_pgsql_handle(q->sql.conn, 1);
	kore_pgsql_cleanup(&q->sql);
}

static void
db_rebind(struct http_request *req, struct dbq *q)
{
	kore_pgsql_cleanup(&q->sql);
	kore_pgsql_init(&q->sql);
	kore_pgsql_bind_request(&q->sql, req);
	http_request_wakeup(req);
}

void
db_cleanup(struct dbq *q)
{
	int	i;

	if (q->bound) {
		kore_pgsql_cleanup(&q->sql);
		q->bound = 0;
	}
	if (q->res != NULL) {
		PQclear(q->res);
		q->res = NULL;
	}
	for (i = 0; i < DB_MAXPARAMS; i++) {
		kore_free(q->copies[i]);
		q->copies[i] = NULL;
	}
}

int
db_ntuples(struct dbq *q)
{
	return (q->res != NULL ? PQntuples(q->res) : 0);
}

const char *
db_value(struct dbq *q, int row, int col)
{
	return (PQgetvalue(q->res, row, col));
}

int
db_isnull(struct dbq *q, int row, int col)
{
	return (PQgetisnull(q->res, row, col));
}

int
db_unavailable(struct dbq *q)
{
	return (q->state == DB_FAIL && q->sqlstate[0] == '0' &&
	    q->sqlstate[1] == '8');
}
