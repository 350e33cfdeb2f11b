/*
 * db_mail.h: the mail queue, as the mailer sees it (core/mailer.c).
 *
 * Messages are queued by the statements whose change they tell of (a
 * reset link, a verification, a changed password: db_account.h,
 * db_logins.h); these functions take them out, on the mailer's own
 * connection (blocking libpq, in its thread, never on a worker's event
 * loop).  A claim moves a message's next_at forward (a lease), under FOR
 * UPDATE SKIP LOCKED, so that instances never try one message at once.
 */

#ifndef KBLOG_DB_MAIL_H
#define KBLOG_DB_MAIL_H

#include <libpq-fe.h>

#define MAIL_BATCH	10	/* messages claimed at once */
#define MAIL_LEASE	300	/* seconds a claimed message is left alone */

/* A claimed message (strings point into the claim's result). */
struct mail_row {
	long long	 id;
	const char	*kind;
	const char	*to_addr;
	const char	*username;
	const char	*token;		/* NULL */
	const char	*detail;	/* NULL */
	int		 attempts;	/* this one included */
};

/*
 * Deletes messages whose link expired before they could be sent (each
 * reported to dropped(), for the log), then claims up to MAIL_BATCH that
 * are due.  The result (free with PQclear) holds the rows, read with
 * db_mail_row(); NULL when the database failed.
 */
PGresult	*db_mail_claim(PGconn *, void (*dropped)(const char *kind,
		    const char *to_addr, long long id));
int		 db_mail_rows(const PGresult *);
void		 db_mail_row(const PGresult *, int, struct mail_row *);
/* Sent, or given up: the message goes.  0, or -1. */
int		 db_mail_done(PGconn *, long long id);
/* To be tried again in delay seconds; why, for the operator.  0, or -1. */
int		 db_mail_retry(PGconn *, long long id, long delay,
		    const char *why);
/* The mailer wants to hear of new messages: LISTEN kblog_mail. */
int		 db_mail_listen(PGconn *);

#endif
