/*
 * account_life.c: see account_life.h.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db_account.h"
#include "lib/linktoken.h"
#include "lib/notice.h"
#include "lib/pgarray.h"
#include "web/account_life.h"
#include "web/reply.h"

#define LU_LOOKUP	0
#define LU_HASH		1
#define LU_APPLY	2

static int	link_check(struct http_request *, struct link_use *,
		    const struct db_stmt *, const struct link_in *);
static int	confirm_outcome(const struct confirm *, int *, int *);
static int	new_password_or_reply(struct http_request *, int *,
		    struct password *, const char *, struct dbq *,
		    const struct db_stmt *, int64_t, const char *);
static int	hex_decode(const char *, unsigned char *, size_t);

int
reset_request_or_reply(struct http_request *req, struct reset_req *r,
    const struct reset_in *in)
{
	char	addr[64];
	int	rc;

	if (!r->made) {
		if (sec_random_token(r->token) == -1)
			fatal("no randomness");
		sec_token_hash_param(r->token, r->hash);
		r->made = 1;
	}
	auth_client_addr(req, addr, sizeof(addr));
	if ((rc = query_or_reply(req, &r->q, &db_reset_request, "ssissib",
	    in->key, addr, (int64_t)kb_cfg.mail_per_hour, r->hash, r->token,
	    (int64_t)RESET_LINK_MINUTES, kb_cfg.mail_on)) != STEP_OK)
		return (rc);
	explicit_bzero(r->token, sizeof(r->token));
	r->outcome = ACCT_DONE;
	if ((r->wait = db_wait(&r->q, 0, 0)) > 0) {
		reply_retry_after(req, r->wait);
		r->outcome = ACCT_THROTTLED;
	}
	return (STEP_OK);
}

/* The link's row, and its token compared in constant time. */
static int
link_check(struct http_request *req, struct link_use *u,
    const struct db_stmt *st, const struct link_in *in)
{
	int	r;

	if ((r = query_or_reply(req, &u->lookup, st, "i", in->id)) != STEP_OK)
		return (r);
	if (db_rows(&u->lookup) != 1 || db_isnull(&u->lookup, 0, 0) ||
	    !link_token_matches(in->token, db_text(&u->lookup, 0, 0)) ||
	    !db_bool(&u->lookup, 0, 1)) {
		u->outcome = ACCT_BAD_LINK;
		return (STEP_OK);
	}
	(void)kore_strlcpy(u->stored, db_text(&u->lookup, 0, 0),
	    sizeof(u->stored));
	return (STEP_OK);
}

/*
 * A reset's last steps: the new password hashed (in a task), then st
 * run with (id, secret, the hash, mail on).  STEP_OK with st's row.
 */
static int
new_password_or_reply(struct http_request *req, int *step,
    struct password *pw, const char *password, struct dbq *apply,
    const struct db_stmt *st, int64_t id, const char *secret)
{
	int	r;

	if (*step == LU_HASH) {
		if ((r = password_step(req, pw, PW_HASH, NULL, password,
		    NULL)) != STEP_OK)
			return (r);
		if (!pw->io.ok)
			return (reply_error(req, 500));
		*step = LU_APPLY;
	}
	return (query_or_reply(req, apply, st, "issb", id, secret,
	    pw->io.hash, kb_cfg.mail_on));
}

int
reset_link_or_reply(struct http_request *req, struct link_use *u,
    const struct link_in *in)
{
	int	r;

	if (u->step == LU_LOOKUP) {
		if ((r = link_check(req, u, &db_reset_lookup, in)) != STEP_OK ||
		    u->outcome != 0)
			return (r);
		u->step = LU_HASH;
	}
	if ((r = new_password_or_reply(req, &u->step, &u->pw, in->password,
	    &u->apply, &db_reset_apply, in->id, u->stored)) != STEP_OK)
		return (r);
	/* Used (or expired) between the two statements: not twice. */
	u->outcome = db_isnull(&u->apply, 0, 0) ? ACCT_BAD_LINK : ACCT_DONE;
	return (STEP_OK);
}

int
verify_link_or_reply(struct http_request *req, struct link_use *u,
    const struct link_in *in)
{
	int	r;

	if (u->step == LU_LOOKUP) {
		if ((r = link_check(req, u, &db_verify_lookup, in)) !=
		    STEP_OK || u->outcome != 0)
			return (r);
		u->step = LU_APPLY;
	}
	if (!db_started(&u->apply))
		query_send(req, &u->apply, &db_verify_apply, "isb", in->id,
		    u->stored, kb_cfg.mail_on);
	switch (db_poll(req, &u->apply)) {
	case DB_PENDING:
		return (STEP_WAIT);
	case DB_FAIL:
		/* The address was verified by another account meanwhile. */
		if (db_constraint(&u->apply)) {
			u->outcome = ACCT_TAKEN;
			return (STEP_OK);
		}
		return (reply_db_error(req, &u->apply));
	}
	if (!db_bool(&u->apply, 0, 0))
		u->outcome = ACCT_BAD_LINK;
	else if (!db_bool(&u->apply, 0, 1))
		u->outcome = ACCT_TAKEN;
	else
		u->outcome = ACCT_DONE;
	if (!db_isnull(&u->apply, 0, 2))
		(void)kore_strlcpy(u->email, db_text(&u->apply, 0, 2),
		    sizeof(u->email));
	return (STEP_OK);
}

void
link_use_done(struct link_use *u)
{
	password_done(&u->pw);
}

/* 64 hex digits into 32 bytes: 0, or -1. */
static int
hex_decode(const char *s, unsigned char *out, size_t n)
{
	size_t		i;
	unsigned int	v;

	if (strspn(s, "0123456789abcdef") < 2 * n)
		return (-1);
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return (-1);
		out[i] = (unsigned char)v;
	}
	return (0);
}

int
recovery_or_reply(struct http_request *req, struct recovery_use *u,
    const struct recovery_in *in)
{
	unsigned char	 stored[RECOVERY_CODES * 4][RECOVERY_HASH_LEN];
	char		 addr[64], canon[RECOVERY_CHARS + 1];
	const char	*p;
	size_t		 n;
	int		 r, idx;

	if (u->step == LU_LOOKUP) {
		auth_client_addr(req, addr, sizeof(addr));
		if ((r = query_or_reply(req, &u->lookup, &db_recovery_lookup,
		    "ssi", in->username, addr,
		    (int64_t)kb_cfg.recovery_per_hour)) != STEP_OK)
			return (r);
		if ((u->wait = db_wait(&u->lookup, 0, 0)) > 0) {
			reply_retry_after(req, u->wait);
			u->outcome = ACCT_THROTTLED;
			return (STEP_OK);
		}
		/* Every stored code compared, in constant time. */
		u->user = db_isnull(&u->lookup, 0, 1) ? 0 :
		    db_int(&u->lookup, 0, 1);
		memset(stored, 0, sizeof(stored));
		n = 0;
		if (!db_isnull(&u->lookup, 0, 2)) {
			for (p = db_text(&u->lookup, 0, 2); *p != '\0' &&
			    n < RECOVERY_CODES * 4; p += strcspn(p, ",") +
			    (p[strcspn(p, ",")] == ',')) {
				if (hex_decode(p, stored[n], RECOVERY_HASH_LEN)
				    == 0)
					n++;
			}
		}
		idx = recovery_match(u->user, in->code, strlen(in->code),
		    (const unsigned char (*)[RECOVERY_HASH_LEN])stored,
		    n > 0 ? n : 1);
		if (u->user == 0 || n == 0 || idx < 0 ||
		    recovery_canonical(in->code, strlen(in->code), canon) ==
		    -1) {
			u->outcome = ACCT_WRONG_CODE;
			return (STEP_OK);
		}
		recovery_hash_param(u->user, canon, u->code);
		explicit_bzero(canon, sizeof(canon));
		u->step = LU_HASH;
	}
	if ((r = new_password_or_reply(req, &u->step, &u->pw, in->password,
	    &u->apply, &db_recovery_apply, u->user, u->code)) != STEP_OK)
		return (r);
	u->outcome = db_isnull(&u->apply, 0, 0) ? ACCT_WRONG_CODE : ACCT_DONE;
	return (STEP_OK);
}

void
recovery_use_done(struct recovery_use *u)
{
	password_done(&u->pw);
	explicit_bzero(u->code, sizeof(u->code));
}

/* The confirmation's verdict: 1 when it passed, else 0 with *outcome. */
static int
confirm_outcome(const struct confirm *cf, int *outcome, int *wait)
{
	if (cf->outcome == CONFIRM_OK)
		return (1);
	*outcome = cf->outcome == CONFIRM_THROTTLED ? ACCT_THROTTLED :
	    ACCT_WRONG_PASSWORD;
	*wait = cf->wait;
	return (0);
}

int
email_change_or_reply(struct http_request *req, struct email_change *c,
    int64_t user, const struct email_in *in)
{
	int	r;

	if (!db_started(&c->save)) {
		if ((r = confirm_or_reply(req, &c->cf, user, in->password)) !=
		    STEP_OK)
			return (r);
		if (!confirm_outcome(&c->cf, &c->outcome, &c->wait))
			return (STEP_OK);
		if (sec_random_token(c->token) == -1)
			fatal("no randomness");
		sec_token_hash_param(c->token, c->hash);
	}
	c->removed = in->remove;
	if (in->remove)
		r = query_or_reply(req, &c->save, &db_email_remove, "ib", user,
		    kb_cfg.mail_on);
	else
		r = query_or_reply(req, &c->save, &db_email_request, "isssii",
		    user, in->email, c->hash, c->token,
		    (int64_t)VERIFY_LINK_HOURS, (int64_t)kb_cfg.mail_per_hour);
	if (r != STEP_OK)
		return (r);
	explicit_bzero(c->token, sizeof(c->token));
	c->outcome = ACCT_DONE;
	if (!in->remove && (c->wait = db_wait(&c->save, 0, 0)) > 0) {
		reply_retry_after(req, c->wait);
		c->outcome = ACCT_THROTTLED;
	}
	return (STEP_OK);
}

void
email_change_done(struct email_change *c)
{
	confirm_done(&c->cf);
	explicit_bzero(c->token, sizeof(c->token));
}

int
codes_or_reply(struct http_request *req, struct codes_new *c, int64_t user,
    const char *password)
{
	unsigned char	 h[RECOVERY_HASH_LEN];
	char		 canon[RECOVERY_CHARS + 1];
	struct sbuf	 list;
	size_t		 i, j;
	int		 r;

	if (!c->made) {
		if ((r = confirm_or_reply(req, &c->cf, user, password)) !=
		    STEP_OK)
			return (r);
		if (!confirm_outcome(&c->cf, &c->outcome, &c->wait))
			return (STEP_OK);
		if (recovery_generate(c->codes, RECOVERY_CODES) == -1)
			fatal("no randomness");
		c->made = 1;
	}
	if (!db_started(&c->save)) {
		/* Stored: their hashes, "hex,hex,...". */
		sbuf_init(&list, RECOVERY_CODES * 65);
		for (i = 0; i < RECOVERY_CODES; i++) {
			if (recovery_canonical(c->codes[i],
			    strlen(c->codes[i]), canon) == -1)
				fatal("recovery: a code that is not one");
			recovery_hash(user, canon, h);
			for (j = 0; j < sizeof(h); j++)
				sbuf_addf(&list, "%02x", h[j]);
			if (i + 1 < RECOVERY_CODES)
				sbuf_addc(&list, ',');
		}
		explicit_bzero(canon, sizeof(canon));
		query_send(req, &c->save, &db_recovery_set, "is", user,
		    sbuf_cstr(&list));
		sbuf_free(&list);
	}
	if ((r = queries_or_reply(req, &c->save, NULL)) != STEP_OK)
		return (r);
	c->outcome = ACCT_DONE;
	return (STEP_OK);
}

void
codes_done(struct codes_new *c)
{
	confirm_done(&c->cf);
	explicit_bzero(c->codes, sizeof(c->codes));
}

#define EX_TAKE		0
#define EX_BUILD	1

int
export_or_reply(struct http_request *req, struct export_req *e, int64_t user)
{
	static struct kore_server	*srv = NULL;
	struct kore_fileref		*ref;
	struct stat			 st;
	char				 disp[128];
	int				 r, fd;

	if (e->step == EX_TAKE) {
		if ((r = query_or_reply(req, &e->take, &db_export_take, "ii",
		    user, (int64_t)kb_cfg.exports_per_hour)) != STEP_OK)
			return (r);
		if ((r = db_wait(&e->take, 0, 0)) > 0)
			return (reply_rate_limited(req, r, "You asked for "
			    "exports faster than the limit allows. Please try "
			    "again later."));
		memset(&e->io, 0, sizeof(e->io));
		e->io.user = user;
		e->step = EX_BUILD;
	}
	switch (export_run(req, &e->task, &e->io)) {
	case TASK_PENDING:
		return (STEP_WAIT);
	case TASK_FAILED:
		return (reply_error(req, 500));
	}
	switch (e->io.status) {
	case 200:
		break;
	case 404:
		return (reply_error_code(req, 410, "account_gone",
		    "This account was deleted.", NULL));
	case 409:
		return (reply_error_code(req, 409, "export_conflict",
		    "The account changed while it was exported (an image "
		    "went away, or it is being deleted). Please try again.",
		    NULL));
	default:
		kore_log(LOG_ERR, "export: %s", e->io.error);
		return (reply_error_code(req, 503, "unavailable",
		    "The export could not be made just now. Please try again "
		    "in a moment.", NULL));
	}
	/* Served from the open file; its name goes at once. */
	fd = open(e->io.path, O_RDONLY | O_CLOEXEC);
	(void)unlink(e->io.path);
	if (fd == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		return (reply_error(req, 503));
	}
	if (srv == NULL)
		srv = kore_server_lookup("kblog");
	if ((ref = kore_fileref_create(srv, e->io.path, fd, st.st_size,
	    &st.st_mtim)) == NULL) {
		close(fd);
		return (reply_error(req, 500));
	}
	(void)snprintf(disp, sizeof(disp), "attachment; "
	    "filename=\"kblog-export-%s.tar\"", e->io.username);
	reply_headers(req);
	http_response_header(req, "content-type", "application/x-tar");
	http_response_header(req, "content-disposition", disp);
	http_response_header(req, "cache-control", "no-store");
	http_response_fileref(req, 200, ref);
	return (STEP_DONE);
}

#define DEL_CONFIRM	0
#define DEL_ROWS	1
#define DEL_OBJECTS	2

int
deletion_or_reply(struct http_request *req, struct deletion *d,
    int64_t user, const char *password)
{
	const char	*keys;
	size_t		 len;
	int		 r, i, n;

	switch (d->step) {
	case DEL_CONFIRM:
		if ((r = confirm_or_reply(req, &d->cf, user, password)) !=
		    STEP_OK)
			return (r);
		if (!confirm_outcome(&d->cf, &d->outcome, &d->wait))
			return (STEP_OK);
		d->step = DEL_ROWS;
		/* FALLTHROUGH */
	case DEL_ROWS:
		if (!db_started(&d->del))
			query_send(req, &d->del, &db_account_delete, "i", user);
		switch (db_poll(req, &d->del)) {
		case DB_PENDING:
			return (STEP_WAIT);
		case DB_FAIL:
			/* 55P03: an export held the account for 5 seconds. */
			if (!strcmp(d->del.sqlstate, "55P03")) {
				d->outcome = ACCT_BUSY;
				return (STEP_OK);
			}
			return (reply_db_error(req, &d->del));
		}
		if (!db_bool(&d->del, 0, 0)) {
			d->outcome = ACCT_GONE;
			return (STEP_OK);
		}
		/* The images' objects: each key of the text[] literal. */
		keys = db_text(&d->del, 0, 1);
		len = strlen(keys);
		for (i = 0, n = 1; keys[i] != '\0'; i++)
			n += keys[i] == ',';
		d->buf = kore_malloc(len + 1);
		d->keys = kore_calloc((size_t)n, sizeof(*d->keys));
		if ((d->nkeys = pgarray_parse(keys, d->buf, len + 1, d->keys,
		    (size_t)n)) < 0)
			d->nkeys = 0;
		d->next = 0;
		d->step = DEL_OBJECTS;
		/* FALLTHROUGH */
	default:
		break;
	}
	while (d->next < d->nkeys) {
		if (d->task.state == TASK_IDLE) {
			memset(&d->f, 0, sizeof(d->f));
			for (n = 0; n < STORAGE_FORGET_MAX &&
			    d->next + n < d->nkeys; n++)
				(void)kore_strlcpy(d->f.keys[n],
				    d->keys[d->next + n], STORAGE_KEY_MAX);
			d->f.n = n;
		}
		switch (storage_forget_run(req, &d->task, &d->f)) {
		case TASK_PENDING:
			return (STEP_WAIT);
		case TASK_DONE:
			if (d->f.deleted < d->f.n)
				kore_log(LOG_NOTICE, "storage: %d object(s) of "
				    "a deleted account stay for the sweeper",
				    d->f.n - d->f.deleted);
			break;
		default:
			kore_log(LOG_NOTICE, "storage: the objects of a "
			    "deleted account stay for the sweeper");
			break;
		}
		d->next += d->f.n > 0 ? d->f.n : STORAGE_FORGET_MAX;
		task_reset(&d->task);
	}
	d->outcome = ACCT_DONE;
	return (STEP_OK);
}

void
deletion_done(struct deletion *d)
{
	confirm_done(&d->cf);
	kore_free(d->buf);
	d->buf = NULL;
	kore_free(d->keys);
	d->keys = NULL;
}
