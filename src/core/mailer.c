/*
 * mailer.c: sends the mail queue (see mailer.h).
 *
 * Owns one thread in the first worker of each instance, with a
 * PostgreSQL connection of its own (blocking libpq, in that thread only).
 * Never touches a request, Kore's event loop, or Kore's task threads: an
 * SMTP server that is slow or silent can hold a send for a minute, and
 * Kore's task threads take their jobs round-robin, so a password check
 * queued behind a send would wait that long.  Nothing it keeps outlives
 * a message: texts are composed, sent and freed one by one.
 */

#include <sys/types.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <kore/kore.h>

#include "core/mailer.h"
#include "core/site.h"
#include "db/db_mail.h"
#include "lib/email.h"
#include "lib/mail.h"
#include "lib/notice.h"

#define MAILER_IDLE_MS		1000	/* a look at due retries */
#define MAILER_RECONNECT_S	2
#define MAILER_BACKOFF_MAX	(6 * 3600)

static void	*mailer_main(void *);
static int	 mailer_batch(PGconn *);
static void	 mailer_one(PGconn *, const struct mail_row *);
static void	 mailer_dropped(const char *, const char *, long long);
static long	 mailer_backoff(int);

void
mailer_start(void)
{
	pthread_t	 t;
	pthread_attr_t	 attr;
	sigset_t	 all, old;

	if (!kb_cfg.mail_on || worker == NULL || worker->id != 1)
		return;
	/* Signals stay with the worker's own thread (graceful stop). */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, mailer_main, NULL) != 0)
		kore_log(LOG_ERR, "mail: cannot start the mailer: %s", errno_s);
	(void)pthread_attr_destroy(&attr);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The first back-off is MAIL_RETRY_SECONDS, doubling, at most 6 hours. */
static long
mailer_backoff(int attempts)
{
	long	d;
	int	i;

	d = kb_cfg.mail_retry_seconds;
	for (i = 1; i < attempts && d < MAILER_BACKOFF_MAX; i++)
		d *= 2;
	return (d > MAILER_BACKOFF_MAX ? MAILER_BACKOFF_MAX : d);
}

static void *
mailer_main(void *arg)
{
	PGconn		*conn;
	PGnotify	*n;
	struct pollfd	 pfd;
	int		 sent;

	(void)arg;
	conn = NULL;
	for (;;) {
		if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
			if (conn != NULL)
				PQfinish(conn);
			conn = PQconnectdb(kb_cfg.database_url);
			if (PQstatus(conn) != CONNECTION_OK ||
			    db_mail_listen(conn) == -1) {
				PQfinish(conn);
				conn = NULL;
				(void)sleep(MAILER_RECONNECT_S);
				continue;
			}
		}
		if ((sent = mailer_batch(conn)) == -1) {
			PQfinish(conn);
			conn = NULL;
			continue;
		}
		if (sent > 0)
			continue;
		/* Idle: a new message (NOTIFY) or a retry falling due. */
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		(void)poll(&pfd, 1, MAILER_IDLE_MS);
		if (PQconsumeInput(conn) == 0)
			continue;	/* lost: reconnect above */
		while ((n = PQnotifies(conn)) != NULL)
			PQfreemem(n);
	}
	return (NULL);
}

static void
mailer_dropped(const char *kind, const char *to, long long id)
{
	kore_log(LOG_NOTICE, "mail: dropped message %lld (%s) to %s: its "
	    "link expired before it could be sent", id, kind,
	    email_domain(to));
}

/* The messages due: how many were tried, or -1 (the database failed). */
static int
mailer_batch(PGconn *conn)
{
	PGresult	*r;
	struct mail_row	 m;
	int		 i, n;

	if ((r = db_mail_claim(conn, mailer_dropped)) == NULL)
		return (-1);
	n = db_mail_rows(r);
	for (i = 0; i < n; i++) {
		db_mail_row(r, i, &m);
		mailer_one(conn, &m);
	}
	PQclear(r);
	return (n);
}

/*
 * One message: composed (a row that does not compose is dropped, logged),
 * sent; then deleted, or retried after its back-off, or given up after
 * MAIL_ATTEMPTS tries (logged).  Logs name the recipient's domain only.
 */
static void
mailer_one(PGconn *conn, const struct mail_row *m)
{
	struct mail_relay	 relay;
	struct mail_message	 msg;
	struct mail_outcome	 out;
	struct sbuf		 subject, body, text;
	enum mail_compose_status st;
	const char		*dom;

	dom = email_domain(m->to_addr);
	sbuf_init(&subject, 128);
	sbuf_init(&body, 1024);
	sbuf_init(&text, 2048);
	memset(&msg, 0, sizeof(msg));
	if (notice_compose(notice_kind(m->kind), kb_cfg.public_url,
	    m->username, m->token, m->detail, &subject, &body) == -1) {
		kore_log(LOG_ERR, "mail: message %lld (%s) to %s cannot be "
		    "written: dropped", m->id, m->kind, dom);
		(void)db_mail_done(conn, m->id);
		goto out;
	}
	msg.from_name = kb_cfg.mail_from_name;
	msg.from_addr = kb_cfg.mail_from_addr;
	msg.to_name = m->username;
	msg.to_addr = m->to_addr;
	msg.subject = sbuf_cstr(&subject);
	msg.body = body.data;
	msg.body_len = body.len;
	if ((st = mail_compose(&msg, &text, NULL)) != MAIL_COMPOSED) {
		kore_log(LOG_ERR, "mail: message %lld (%s) to %s: %s: dropped",
		    m->id, m->kind, dom, mail_compose_message(st));
		(void)db_mail_done(conn, m->id);
		goto out;
	}

	memset(&relay, 0, sizeof(relay));
	relay.url = kb_cfg.smtp_url;
	relay.ca_file = kb_cfg.smtp_ca_file;
	mail_send(&relay, kb_cfg.mail_from_addr, m->to_addr, text.data,
	    text.len, &out);
	switch (out.result) {
	case MAIL_SENT:
		(void)db_mail_done(conn, m->id);
		kore_log(LOG_INFO, "mail: sent message %lld (%s) to %s",
		    m->id, m->kind, dom);
		break;
	case MAIL_PERMANENT:
		(void)db_mail_done(conn, m->id);
		kore_log(LOG_NOTICE, "mail: gave up on message %lld (%s) to "
		    "%s: refused for good: %s", m->id, m->kind, dom, out.log);
		break;
	default:
		if (m->attempts >= kb_cfg.mail_attempts) {
			(void)db_mail_done(conn, m->id);
			kore_log(LOG_NOTICE, "mail: gave up on message %lld "
			    "(%s) to %s after %d attempts: %s", m->id,
			    m->kind, dom, m->attempts, out.log);
		} else {
			(void)db_mail_retry(conn, m->id,
			    mailer_backoff(m->attempts), out.log);
			kore_log(LOG_NOTICE, "mail: message %lld (%s) to %s "
			    "will be tried again (attempt %d of %ld): %s",
			    m->id, m->kind, dom, m->attempts,
			    kb_cfg.mail_attempts, out.log);
		}
		break;
	}
out:
	explicit_bzero(body.data, body.len);
	explicit_bzero(text.data, text.len);
	sbuf_free(&subject);
	sbuf_free(&body);
	sbuf_free(&text);
}
