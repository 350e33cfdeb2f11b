/*
 * db.c: asynchronous statements for requests (see db.h).
 */

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/site.h"
#include "core/versions.h"
#include "db/db.h"
#include "lib/timefmt.h"

#define DBQ_IDLE	10
#define DBQ_QUEUED	11	/* waiting for a pooled connection */
#define DBQ_PREPARING	12	/* its Parse is on the wire */
#define DBQ_SENT	13	/* on the wire */
#define DBQ_IDLING	14	/* to be sent again on its connection once
				   the end of its error is read */

#define DB_BREAKER_MS	1000

/*
 * Prepared statements, per pooled connection.  Kore's pool knows nothing
 * of them, so the statements a connection has prepared are kept here,
 * by its PGconn and backend pid (a new connection at a freed address has
 * another pid).  The table is small and scanned: a worker has DB_POOL
 * connections, a few more after restarts.  A stale entry costs at most
 * one "prepared statement does not exist" and a re-prepare.
 */
#define DB_PCONN_MAX	32
#define DB_PREP_MAX	128

struct db_pconn {
	PGconn			*pg;
	int			 pid;
	unsigned int		 gen;	/* names' suffix, after 0A000 */
	u_int64_t		 used;
	int			 n;
	const struct db_stmt	*stmts[DB_PREP_MAX];
};

static struct db_pconn	db_pconns[DB_PCONN_MAX];
static u_int64_t	db_pconn_clock = 0;

static u_int64_t	db_down_until = 0;
static u_int64_t	db_read_down_until = 0;

const struct db_stmt	db_ping = { "ping", "SELECT 1", 0, DB_READ };

static int	db_start(struct http_request *, struct dbq *);
static int	db_step(struct http_request *, struct dbq *);
static int	db_fail(struct dbq *, const char *);
static int	db_lost(struct http_request *, struct dbq *);
static int	db_lost_unsent(struct http_request *, struct dbq *);
static int	db_conn_alive(struct pgsql_conn *);
static void	db_conn_drop(struct dbq *);
static void	db_rebind(struct http_request *, struct dbq *);
static int	db_send_stmt(struct http_request *, struct dbq *);
static int	db_prepared_step(struct http_request *, struct dbq *);
static int	db_when_idle(struct http_request *, struct dbq *);
static int	db_replan(const struct dbq *);
static void	db_schedule(struct http_request *, struct dbq *);
static struct db_pconn	*pconn_get(PGconn *);
static int	pconn_has(const struct db_pconn *, const struct db_stmt *);
static void	pconn_add(struct db_pconn *, const struct db_stmt *);
static void	pconn_name(const struct db_pconn *, const struct db_stmt *,
		    char *, size_t);
static void	pconn_forget(struct db_pconn *, const struct dbq *);

int
db_send(struct http_request *req, struct dbq *q, const struct db_stmt *st,
    const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = db_sendv(req, q, st, fmt, ap);
	va_end(ap);
	return (r);
}

int
db_sendv(struct http_request *req, struct dbq *q, const struct db_stmt *st,
    const char *fmt, va_list ap)
{
	const char	*s;
	char		 num[24];
	int		 i;

	if (q->stmt != NULL)
		fatal("db_send: %s sent twice", st->name);
	if ((int)strlen(fmt) != st->nparams || st->nparams > DB_MAXPARAMS)
		fatal("db_send: %s takes %d parameters, got \"%s\"",
		    st->name, st->nparams, fmt);

	q->stmt = st;
	q->sqlstate[0] = '\0';
	q->retried = 0;
	q->reprepared = 0;
	for (i = 0; fmt[i] != '\0'; i++) {
		switch (fmt[i]) {
		case 'i':
			(void)snprintf(num, sizeof(num), "%lld",
			    (long long)va_arg(ap, int64_t));
			s = num;
			break;
		case 'b':
			s = va_arg(ap, int) ? "true" : "false";
			break;
		case 's':
			s = va_arg(ap, const char *);
			break;
		default:
			fatal("db_send: %s: bad format \"%s\"", st->name, fmt);
		}
		q->copies[i] = s != NULL ? kore_strdup(s) : NULL;
		q->values[i] = q->copies[i];
		q->lengths[i] = s != NULL ? (int)strlen(s) : 0;
	}

	if (!q->bound) {
		kore_pgsql_init(&q->sql);
		kore_pgsql_bind_request(&q->sql, req);
		q->bound = 1;
	}
	q->state = DBQ_IDLE;
	return (db_start(req, q));
}

int
db_poll(struct http_request *req, struct dbq *q)
{
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
	case DBQ_PREPARING:
		return (db_prepared_step(req, q));
	case DBQ_IDLING:
		switch (q->sql.state) {
		case KORE_PGSQL_STATE_WAIT:
		case KORE_PGSQL_STATE_INIT:
			return (DB_PENDING);
		case KORE_PGSQL_STATE_ERROR:
			return (db_step(req, q));
		}
		return (db_when_idle(req, q));
	case DBQ_SENT:
		return (db_step(req, q));
	}
	fatal("db_poll: %s in state %d", q->stmt ? q->stmt->name : "?",
	    q->state);
}

int
db_started(const struct dbq *q)
{
	return (q->stmt != NULL);
}

void
db_prefer_replica(struct dbq *q, int yes)
{
	q->replica = yes && q->stmt == NULL;
}

static int
db_start(struct http_request *req, struct dbq *q)
{
	int		sends, stale;

	/* The replica only for reads, while it is up and close behind. */
	if (q->replica && (!(q->stmt->flags & DB_READ) ||
	    db_read_down_until > kore_time_ms() || !versions_replica_ok()))
		q->replica = 0;
	if (!q->replica && db_down_until > kore_time_ms())
		return (db_fail(q, "08000"));

	/*
	 * Stale pooled connections (all of them, after a database restart)
	 * are dropped without counting; a failed send is retried once.
	 */
	for (sends = 0, stale = 0; sends < 2 && stale < 256; ) {
		if (!kore_pgsql_setup(&q->sql, q->replica ? "read" : "db",
		    KORE_PGSQL_ASYNC)) {
			if (q->sql.state == KORE_PGSQL_STATE_INIT) {
				/* Queued: Kore wakes us when a conn frees. */
				q->state = DBQ_QUEUED;
				return (DB_PENDING);
			}
			if (q->replica) {
				/* The primary, then: it has it all. */
				kore_log(LOG_NOTICE, "db: replica: %s",
				    q->sql.error ? q->sql.error : "?");
				db_read_down_until = kore_time_ms() +
				    DB_BREAKER_MS;
				q->replica = 0;
				db_rebind(req, q);
				continue;
			}
			if (q->sql.error != NULL &&
			    strstr(q->sql.error, "no available connection")) {
				kore_log(LOG_NOTICE, "db: queue full");
			} else {
				kore_log(LOG_NOTICE, "db: cannot connect: %s",
				    q->sql.error ? q->sql.error : "?");
				db_down_until = kore_time_ms() + DB_BREAKER_MS;
			}
			return (db_fail(q, "08001"));
		}

		if (!db_conn_alive(q->sql.conn)) {
			db_conn_drop(q);
			db_rebind(req, q);
			stale++;
			continue;
		}

		if (db_send_stmt(req, q))
			return (DB_PENDING);

		/* Nothing reached the server: safe to send any statement. */
		kore_log(LOG_NOTICE, "db: send failed: %s",
		    q->sql.error ? q->sql.error : "?");
		db_conn_drop(q);
		db_rebind(req, q);
		sends++;
	}
	return (db_fail(q, "08006"));
}

/*
 * Sends q's statement on its connection: prepared first when this
 * connection has not prepared it yet (DBQ_PREPARING: the Parse goes
 * alone, its answer comes back through Kore's receive path like any
 * result), else executed by name (DBQ_SENT); a DB_CUSTOM statement
 * unnamed, with its values (DBQ_SENT).  0 when libpq could not send
 * (nothing reached the server).
 */
static int
db_send_stmt(struct http_request *req, struct dbq *q)
{
	struct db_pconn	*pc;
	PGconn		*pg;
	char		 name[80];

	pg = q->sql.conn->db;
	if (q->stmt->flags & DB_CUSTOM) {
		if (!PQsendQueryParams(pg, q->stmt->sql, q->stmt->nparams,
		    NULL, q->values, q->lengths, NULL, 0))
			return (0);
		q->state = DBQ_SENT;
		db_schedule(req, q);
		return (1);
	}
	pc = pconn_get(pg);
	pconn_name(pc, q->stmt, name, sizeof(name));
	if (!pconn_has(pc, q->stmt)) {
		if (!PQsendPrepare(pg, name, q->stmt->sql, q->stmt->nparams,
		    NULL))
			return (0);
		q->prep_gen = pc->gen;
		q->state = DBQ_PREPARING;
	} else {
		if (!PQsendQueryPrepared(pg, name, q->stmt->nparams,
		    q->values, q->lengths, NULL, 0))
			return (0);
		q->state = DBQ_SENT;
	}
	db_schedule(req, q);
	return (1);
}

/* What Kore's own send path does after PQsendQuery (pgsql_schedule). */
static void
db_schedule(struct http_request *req, struct dbq *q)
{
	int	fd;

	if ((fd = PQsocket(q->sql.conn->db)) < 0)
		fatal("db: no socket on an open connection");
	kore_platform_schedule_read(fd, q->sql.conn);
	q->sql.state = KORE_PGSQL_STATE_WAIT;
	q->sql.flags |= KORE_PGSQL_SCHEDULED;
	http_request_sleep(req);
}

/*
 * The Parse's answer.  Once it is in, the statement is executed on the
 * same connection as soon as it is idle (db_when_idle()).
 */
static int
db_prepared_step(struct http_request *req, struct dbq *q)
{
	struct db_pconn	*pc;
	const char	*st;

	switch (q->sql.state) {
	case KORE_PGSQL_STATE_WAIT:
	case KORE_PGSQL_STATE_INIT:
		return (DB_PENDING);
	case KORE_PGSQL_STATE_ERROR:
		st = q->sql.result != NULL ? PQresultErrorField(q->sql.result,
		    PG_DIAG_SQLSTATE) : NULL;
		/* 42P05: prepared already (the table here was stale). */
		if (st == NULL || strcmp(st, "42P05") != 0 ||
		    q->sql.conn == NULL)
			return (db_step(req, q));
		kore_free(q->sql.error);
		q->sql.error = NULL;
		break;
	case KORE_PGSQL_STATE_DONE:
	case KORE_PGSQL_STATE_RESULT:
		break;
	default:
		return (db_step(req, q));
	}
	if (q->sql.result != NULL) {
		PQclear(q->sql.result);
		q->sql.result = NULL;
		/* Unless names changed meanwhile: then prepare it anew. */
		pc = pconn_get(q->sql.conn->db);
		if (pc->gen == q->prep_gen)
			pconn_add(pc, q->stmt);
	}

	return (db_when_idle(req, q));
}

/*
 * Sends q's statement on its connection once the connection is idle:
 * what is left of the previous answer (its end usually came in the same
 * packet) is read without blocking; if it has not come yet, Kore wakes
 * the request when it does (pgsql_read_result() then finds the end).
 */
static int
db_when_idle(struct http_request *req, struct dbq *q)
{
	PGresult	*res;
	PGconn		*pg;

	pg = q->sql.conn->db;
	if (!PQconsumeInput(pg))
		return (db_lost_unsent(req, q));
	while (!PQisBusy(pg)) {
		if ((res = PQgetResult(pg)) == NULL) {
			/* Idle: send it now, on this connection. */
			if (db_send_stmt(req, q))
				return (DB_PENDING);
			return (db_lost_unsent(req, q));
		}
		PQclear(res);
	}
	q->sql.state = KORE_PGSQL_STATE_WAIT;
	q->sql.conn->evt.flags &= ~KORE_EVENT_READ;
	return (DB_PENDING);
}

/*
 * The errors after which a prepared statement must be prepared again
 * (a new server process without it, or a table change that altered its
 * result): nothing ran, so it is sent once more whatever it does.
 */
static int
db_replan(const struct dbq *q)
{
	const char	*msg;

	if (!strcmp(q->sqlstate, "26000"))
		return (1);
	if (strcmp(q->sqlstate, "0A000") != 0 || q->sql.result == NULL)
		return (0);
	msg = PQresultErrorField(q->sql.result, PG_DIAG_MESSAGE_PRIMARY);
	return (msg != NULL && strstr(msg, "cached plan") != NULL);
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
				if (q->res == NULL)
					return (db_lost(req, q));
				kore_pgsql_continue(&q->sql);
				q->state = DB_OK;
				return (DB_OK);
			}
			kore_pgsql_continue(&q->sql);
			break;
		case KORE_PGSQL_STATE_COMPLETE:
			if (q->res == NULL)
				return (db_lost(req, q));
			q->state = DB_OK;
			return (DB_OK);
		case KORE_PGSQL_STATE_NOTIFY:
			kore_pgsql_continue(&q->sql);
			break;
		case KORE_PGSQL_STATE_ERROR:
			st = sev = NULL;
			if (q->sql.result != NULL) {
				st = PQresultErrorField(q->sql.result,
				    PG_DIAG_SQLSTATE);
				sev = PQresultErrorField(q->sql.result,
				    PG_DIAG_SEVERITY_NONLOCALIZED);
			}
			(void)kore_strlcpy(q->sqlstate, st ? st : "",
			    sizeof(q->sqlstate));
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
				if (!q->reprepared && db_replan(q)) {
					/*
					 * Prepared again and sent again on
					 * this very connection, which now
					 * surely has it.
					 */
					pconn_forget(pconn_get(
					    q->sql.conn->db), q);
					q->reprepared = 1;
					PQclear(q->sql.result);
					q->sql.result = NULL;
					kore_free(q->sql.error);
					q->sql.error = NULL;
					q->sqlstate[0] = '\0';
					q->state = DBQ_IDLING;
					return (db_when_idle(req, q));
				}
				/* An SQL error: log it, keep the conn. */
				if (strncmp(q->sqlstate, "23", 2) != 0)
					kore_pgsql_logerror(&q->sql);
				kore_pgsql_continue(&q->sql);
				if (q->sql.state == KORE_PGSQL_STATE_DONE)
					kore_pgsql_continue(&q->sql);
				q->state = DB_FAIL;
				return (DB_FAIL);
			}

			return (db_lost(req, q));
		default:
			fatal("db_step: pgsql state %d", q->sql.state);
		}
	}
}

/*
 * The connection died under the statement (or ended without a single
 * result, which no kblog statement does): a read is sent once more on a
 * fresh connection; anything else fails as unavailable (a 503).
 */
static int
db_lost(struct http_request *req, struct dbq *q)
{
	kore_log(LOG_NOTICE, "db: connection lost: %s",
	    q->sql.error ? q->sql.error : "no result");
	db_conn_drop(q);
	if (q->replica) {
		/* A replica gone: the primary answers instead. */
		db_read_down_until = kore_time_ms() + DB_BREAKER_MS;
		q->replica = 0;
		db_rebind(req, q);
		q->state = DBQ_IDLE;
		return (db_start(req, q));
	}
	if ((q->stmt->flags & DB_READ) && !q->retried) {
		q->retried = 1;
		db_rebind(req, q);
		q->state = DBQ_IDLE;
		return (db_start(req, q));
	}
	return (db_fail(q, "08006"));
}

/*
 * The connection died while the statement was being prepared, before it
 * was executed: any statement may be sent again (once), on a fresh one.
 */
static int
db_lost_unsent(struct http_request *req, struct dbq *q)
{
	kore_log(LOG_NOTICE, "db: connection lost while preparing: %s",
	    PQerrorMessage(q->sql.conn->db));
	db_conn_drop(q);
	if (q->retried)
		return (db_fail(q, "08006"));
	q->retried = 1;
	db_rebind(req, q);
	q->state = DBQ_IDLE;
	return (db_start(req, q));
}

static int
db_fail(struct dbq *q, const char *sqlstate)
{
	if (sqlstate != NULL)
		(void)kore_strlcpy(q->sqlstate, sqlstate, sizeof(q->sqlstate));
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
	q->stmt = NULL;
	q->replica = 0;
}

int
db_unavailable(const struct dbq *q)
{
	return (q->state == DB_FAIL && q->sqlstate[0] == '0' &&
	    q->sqlstate[1] == '8');
}

int
db_constraint(const struct dbq *q)
{
	return (q->state == DB_FAIL && q->sqlstate[0] == '2' &&
	    q->sqlstate[1] == '3');
}

int
db_rows(const struct dbq *q)
{
	return (q->res != NULL ? PQntuples(q->res) : 0);
}

int
db_isnull(const struct dbq *q, int row, int col)
{
	return (PQgetisnull(q->res, row, col));
}

const char *
db_text(const struct dbq *q, int row, int col)
{
	return (PQgetvalue(q->res, row, col));
}

int64_t
db_int(const struct dbq *q, int row, int col)
{
	return (strtoll(PQgetvalue(q->res, row, col), NULL, 10));
}

int
db_bool(const struct dbq *q, int row, int col)
{
	return (*PQgetvalue(q->res, row, col) == 't');
}

int64_t
db_time(const struct dbq *q, int row, int col)
{
	static int	 warned;
	int64_t		 us;

	if (PQgetisnull(q->res, row, col))
		return (0);
	if (timefmt_parse_pg(PQgetvalue(q->res, row, col), &us) == -1) {
		/* Not ISO text in UTC (see kblog.c): say so, once. */
		if (!warned++)
			kore_log(LOG_ERR, "db: %s: unreadable time \"%.40s\"",
			    q->stmt != NULL ? q->stmt->name : "?",
			    PQgetvalue(q->res, row, col));
		return (0);
	}
	return (us);
}

int
db_wait(const struct dbq *q, int row, int col)
{
	int64_t	v;

	if (PQgetisnull(q->res, row, col))
		return (0);
	v = strtoll(PQgetvalue(q->res, row, col), NULL, 10);
	if (v <= 0)
		return (0);
	return (v > 86400 * 365 ? 86400 * 365 : (int)v);
}

/*
 * The table of what each connection has prepared.  The entry of pg, or
 * a fresh one (its least recently used slot) when pg is new here or is
 * another server process now.
 */
static struct db_pconn *
pconn_get(PGconn *pg)
{
	struct db_pconn	*pc, *old;
	int		 i, pid;

	pid = PQbackendPID(pg);
	old = &db_pconns[0];
	for (i = 0; i < DB_PCONN_MAX; i++) {
		pc = &db_pconns[i];
		if (pc->pg == pg && pc->pid == pid) {
			pc->used = ++db_pconn_clock;
			return (pc);
		}
		if (pc->used < old->used)
			old = pc;
	}
	memset(old, 0, sizeof(*old));
	old->pg = pg;
	old->pid = pid;
	old->used = ++db_pconn_clock;
	return (old);
}

static int
pconn_has(const struct db_pconn *pc, const struct db_stmt *st)
{
	int	i;

	for (i = 0; i < pc->n; i++) {
		if (pc->stmts[i] == st)
			return (1);
	}
	return (0);
}

static void
pconn_add(struct db_pconn *pc, const struct db_stmt *st)
{
	if (pconn_has(pc, st))
		return;
	if (pc->n == DB_PREP_MAX) {
		/* Full (never with today's statements): start over with
		 * new names; the old ones go with the connection. */
		pc->gen++;
		pc->n = 0;
	}
	pc->stmts[pc->n++] = st;
}

/*
 * After "does not exist" the connection has lost its prepared statements
 * (DISCARD ALL, DEALLOCATE ALL, a pooler handing over another server
 * process): each is prepared again under its name when next used there
 * (one that still exists answers 42P05, which is fine).  After a changed
 * result type (a table was altered) every connection's statements are
 * out of date, and their names still exist on the servers: every
 * statement of every connection gets a new name.
 */
static void
pconn_forget(struct db_pconn *pc, const struct dbq *q)
{
	int	i;

	if (strcmp(q->sqlstate, "26000") == 0) {
		pc->n = 0;
		return;
	}
	for (i = 0; i < DB_PCONN_MAX; i++) {
		db_pconns[i].gen++;
		db_pconns[i].n = 0;
	}
}

static void
pconn_name(const struct db_pconn *pc, const struct db_stmt *st, char *out,
    size_t len)
{
	if (pc->gen == 0)
		(void)kore_strlcpy(out, st->name, len);
	else
		(void)snprintf(out, len, "%s.%u", st->name, pc->gen);
}
