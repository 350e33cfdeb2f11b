/*
 * db_mail.c: the mail queue's blocking queries (see db_mail.h).
 */

#include <stdio.h>
#include <stdlib.h>

#include "db/db_mail.h"

PGresult *
db_mail_claim(PGconn *conn, void (*dropped)(const char *, const char *,
    long long))
{
	PGresult	*r;
	const char	*params[2];
	char		 batch[16], lease[16];
	int		 i;

	r = PQexec(conn, "DELETE FROM mail_queue WHERE expires_at <= now() "
	    "RETURNING kind, to_addr, id");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return (NULL);
	}
	for (i = 0; i < PQntuples(r); i++)
		dropped(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    strtoll(PQgetvalue(r, i, 2), NULL, 10));
	PQclear(r);

	(void)snprintf(batch, sizeof(batch), "%d", MAIL_BATCH);
	(void)snprintf(lease, sizeof(lease), "%d", MAIL_LEASE);
	params[0] = batch;
	params[1] = lease;
	r = PQexecParams(conn, "UPDATE mail_queue SET attempts = attempts + 1, "
	    "next_at = now() + make_interval(secs => $2::int) WHERE id IN "
	    "(SELECT id FROM mail_queue WHERE next_at <= now() "
	    "ORDER BY next_at, id LIMIT $1::int FOR UPDATE SKIP LOCKED) "
	    "RETURNING id, kind, to_addr, username, token, detail, attempts",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return (NULL);
	}
	return (r);
}

int
db_mail_rows(const PGresult *r)
{
	return (PQntuples(r));
}

void
db_mail_row(const PGresult *r, int i, struct mail_row *m)
{
	m->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	m->kind = PQgetvalue(r, i, 1);
	m->to_addr = PQgetvalue(r, i, 2);
	m->username = PQgetvalue(r, i, 3);
	m->token = PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4);
	m->detail = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
	m->attempts = (int)strtol(PQgetvalue(r, i, 6), NULL, 10);
}

static int
exec_ok(PGconn *conn, const char *sql, int n, const char *const *params)
{
	PGresult	*r;
	int		 ok;

	r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return (ok ? 0 : -1);
}

int
db_mail_done(PGconn *conn, long long id)
{
	const char	*params[1];
	char		 num[24];

	(void)snprintf(num, sizeof(num), "%lld", id);
	params[0] = num;
	return (exec_ok(conn, "DELETE FROM mail_queue WHERE id = $1::bigint",
	    1, params));
}

int
db_mail_retry(PGconn *conn, long long id, long delay, const char *why)
{
	const char	*params[3];
	char		 num[24], secs[24];

	(void)snprintf(num, sizeof(num), "%lld", id);
	(void)snprintf(secs, sizeof(secs), "%ld", delay);
	params[0] = num;
	params[1] = secs;
	params[2] = why;
	return (exec_ok(conn, "UPDATE mail_queue SET next_at = now() + "
	    "make_interval(secs => $2::int), last_error = $3 "
	    "WHERE id = $1::bigint", 3, params));
}

int
db_mail_listen(PGconn *conn)
{
	return (exec_ok(conn, "LISTEN kblog_mail", 0, NULL));
}
