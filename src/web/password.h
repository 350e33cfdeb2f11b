/*
 * password.h: Argon2id off the event loop.
 *
 * Hashing and checking a password (lib/secure.h) takes tens of
 * milliseconds of CPU and 19 MiB by design: it runs in a Kore task
 * thread (core/task.h), never on a worker's event loop.  The job block
 * carries the passwords; it is wiped on both sides once copied, and
 * password_done() wipes the answer.
 */

#ifndef KBLOG_WEB_PASSWORD_H
#define KBLOG_WEB_PASSWORD_H

#include "core/task.h"
#include "lib/secure.h"

#define PW_HASH			1	/* hash pw */
#define PW_VERIFY		2	/* pw against hash */
#define PW_VERIFY_AND_HASH	3	/* pw against hash, then hash pw2 */

/* The job block: what the task thread gets and gives back. */
struct password_io {
	int	op;
	char	hash[SEC_PWHASH_MAX];	/* in: to check; out: the new one */
	char	pw[SEC_PW_MAX_BYTES];
	size_t	pwlen;
	char	pw2[SEC_PW_MAX_BYTES];
	size_t	pw2len;
	int	ok;			/* out */
};

struct password {
	struct task		task;
	struct password_io	io;
};

/*
 * First call: starts the job (hash may be NULL for PW_HASH; pw2 only
 * for PW_VERIFY_AND_HASH).  Then STEP_WAIT until done, and STEP_OK with
 * p->io.ok (and p->io.hash: the new hash).  A task that could not run
 * reads as ok = 0.
 */
int	password_step(struct http_request *, struct password *p, int op,
	    const char *hash, const char *pw, const char *pw2);
/* Wipes what the job left. */
void	password_done(struct password *);

#endif
