/*
 * mailer.h: the mail queue, sent.
 *
 * Requests never send mail: they queue it in PostgreSQL (mail_queue, in
 * the statement that makes the change a message tells of), and the
 * mailer, a thread of the first worker of each instance (when SMTP_URL
 * is set), sends it with lib/mail.c: at once (it LISTENs for new
 * messages), retried with back-off (MAIL_RETRY_SECONDS, doubling, at
 * most 6 hours) while the server fails temporarily, and given up after
 * MAIL_ATTEMPTS tries or a permanent refusal, with a log line.  Several
 * instances share the queue without sending a message twice at once
 * (db/db_mail.h); a message claimed by a worker that dies is tried again
 * after its lease (so it may arrive twice, never not at all).
 */

#ifndef KBLOG_CORE_MAILER_H
#define KBLOG_CORE_MAILER_H

/* In kore_worker_configure(): starts the mailer in worker 1. */
void	mailer_start(void);

#endif
