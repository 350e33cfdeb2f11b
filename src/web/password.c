/*
 * password.c: the password task (see password.h).
 */

#include <string.h>

#include "web/handler.h"
#include "web/password.h"

static void	password_work(void *);

/* Runs in a task thread. */
static void
password_work(void *arg)
{
	struct password_io	*io = arg;
	char			 hash[SEC_PWHASH_MAX];

	io->hash[sizeof(io->hash) - 1] = '\0';
	io->ok = 1;
	if (io->op == PW_VERIFY || io->op == PW_VERIFY_AND_HASH)
		io->ok = sec_password_verify(io->hash, io->pw, io->pwlen);
	if (io->ok && (io->op == PW_HASH || io->op == PW_VERIFY_AND_HASH)) {
		if (sec_password_hash(io->pw2, io->pw2len, hash) == -1)
			io->ok = 0;
		else
			memcpy(io->hash, hash, sizeof(hash));
	}
	explicit_bzero(hash, sizeof(hash));
	explicit_bzero(io->pw, sizeof(io->pw));
	explicit_bzero(io->pw2, sizeof(io->pw2));
}

static size_t
copy_pw(char *dst, const char *src)
{
	size_t	len;

	if (src == NULL)
		return (0);
	if ((len = strlen(src)) > SEC_PW_MAX_BYTES)
		len = SEC_PW_MAX_BYTES;
	memcpy(dst, src, len);
	return (len);
}

int
password_step(struct http_request *req, struct password *p, int op,
    const char *hash, const char *pw, const char *pw2)
{
	if (p->task.state == TASK_IDLE) {
		memset(&p->io, 0, sizeof(p->io));
		p->io.op = op;
		if (hash != NULL)
			(void)kore_strlcpy(p->io.hash, hash,
			    sizeof(p->io.hash));
		p->io.pwlen = copy_pw(p->io.pw, pw);
		if (op == PW_HASH) {
			memcpy(p->io.pw2, p->io.pw, p->io.pwlen);
			p->io.pw2len = p->io.pwlen;
		} else {
			p->io.pw2len = copy_pw(p->io.pw2, pw2);
		}
	}
	switch (task_run(req, &p->task, password_work, &p->io,
	    sizeof(p->io))) {
	case TASK_PENDING:
		return (STEP_WAIT);
	case TASK_FAILED:
		p->io.ok = 0;
		break;
	}
	p->io.hash[sizeof(p->io.hash) - 1] = '\0';
	return (STEP_OK);
}

void
password_done(struct password *p)
{
	explicit_bzero(&p->io, sizeof(p->io));
}
