/*
 * account_life.h: an account's life, the request plumbing its pages
 * (pages/recover.c, pages/lifecycle.c) and its API twin
 * (api/api_account.c) share: password reset links, recovery codes,
 * address verification, e-mail changes, the export and the deletion.
 *
 * Each is a struct kept in the handler's state and an ..._or_reply()
 * that answers STEP_WAIT, STEP_DONE (it answered: a database failure) or
 * STEP_OK with an outcome the page and the API each put in words.  The
 * SQL is db/db_account.h's; slow work (Argon2id, the archive, storage)
 * runs in tasks.  Memory: everything lives in the caller's struct; the
 * *_done() functions wipe secrets and free what was allocated.
 */

#ifndef KBLOG_WEB_ACCOUNT_LIFE_H
#define KBLOG_WEB_ACCOUNT_LIFE_H

#include "lib/input_community.h"
#include "storage/storage.h"
#include "web/confirm.h"
#include "web/handler.h"

/* Outcomes. */
#define ACCT_DONE		1
#define ACCT_WRONG_PASSWORD	2	/* the confirmation failed */
#define ACCT_THROTTLED		3	/* ->wait seconds, Retry-After set */
#define ACCT_BAD_LINK		4	/* used, expired, altered */
#define ACCT_TAKEN		5	/* another account verified it first */
#define ACCT_WRONG_CODE		6	/* or no such username */
#define ACCT_BUSY		7	/* an export holds the account */
#define ACCT_GONE		8	/* deleted already */

/*
 * A reset link asked for.  The same steps and answer whether or not an
 * account matches (ACCT_DONE), or ACCT_THROTTLED for the address typed
 * or the client address.
 */
struct reset_req {
	int		 made;
	char		 token[SEC_TOKEN_LEN + 1];
	char		 hash[SEC_HASH_PARAM_LEN + 1];
	struct dbq	 q;
	int		 outcome, wait;
};
int	reset_request_or_reply(struct http_request *, struct reset_req *,
	    const struct reset_in *);

/*
 * A mailed link used: a reset (in->password: the new one; every session
 * ends) or an address verification.  ACCT_DONE, ACCT_BAD_LINK, and for a
 * verification ACCT_TAKEN; ->email is the verified address.
 */
struct link_use {
	int		 step;
	struct dbq	 lookup, apply;
	struct password	 pw;
	char		 stored[SEC_HASH_PARAM_LEN + 1];
	int		 outcome;
	char		 email[EMAIL_MAX + 1];
};
int	reset_link_or_reply(struct http_request *, struct link_use *,
	    const struct link_in *);
int	verify_link_or_reply(struct http_request *, struct link_use *,
	    const struct link_in *);
void	link_use_done(struct link_use *);

/*
 * A reset with a recovery code (used up; every session ends): ACCT_DONE,
 * ACCT_WRONG_CODE (the same for an unknown username), ACCT_THROTTLED.
 */
struct recovery_use {
	int		 step;
	struct dbq	 lookup, apply;
	struct password	 pw;
	int64_t		 user;
	char		 code[RECOVERY_PARAM_LEN + 1];
	int		 outcome, wait;
};
int	recovery_or_reply(struct http_request *, struct recovery_use *,
	    const struct recovery_in *);
void	recovery_use_done(struct recovery_use *);

/*
 * The account's address, after its password: a new one is sent a link
 * (it becomes the address once verified), or the address is removed
 * (->removed); the old address is told.  ACCT_DONE,
 * ACCT_WRONG_PASSWORD, ACCT_THROTTLED.
 */
struct email_change {
	struct confirm	 cf;
	char		 token[SEC_TOKEN_LEN + 1];
	char		 hash[SEC_HASH_PARAM_LEN + 1];
	struct dbq	 save;
	int		 outcome, wait, removed;
};
int	email_change_or_reply(struct http_request *, struct email_change *,
	    int64_t user, const struct email_in *);
void	email_change_done(struct email_change *);

/*
 * A new set of recovery codes, after the password (the old set goes):
 * ACCT_DONE with ->codes, ACCT_WRONG_PASSWORD, ACCT_THROTTLED.
 */
struct codes_new {
	struct confirm	 cf;
	int		 made;
	char		 codes[RECOVERY_CODES][RECOVERY_SHOW_LEN + 1];
	struct dbq	 save;
	int		 outcome, wait;
};
int	codes_or_reply(struct http_request *, struct codes_new *,
	    int64_t user, const char *password);
void	codes_done(struct codes_new *);

/*
 * The export: rate-limited (EXPORTS_PER_HOUR), built in a task, sent as
 * an attachment (application/x-tar) and removed.  Always answers:
 * STEP_WAIT or STEP_DONE (429, 409 export_conflict, 410 account_gone,
 * 503, or the archive).
 */
struct export_req {
	int		 step;
	struct dbq	 take;
	struct task	 task;
	struct export_io io;
};
int	export_or_reply(struct http_request *, struct export_req *,
	    int64_t user);

/*
 * The deletion, after the password: everything of the account goes in
 * one transaction, then its images' objects.  ACCT_DONE,
 * ACCT_WRONG_PASSWORD, ACCT_THROTTLED, ACCT_BUSY (an export holds the
 * account: nothing was done), ACCT_GONE.
 */
struct deletion {
	struct confirm		 cf;
	int			 step;
	struct dbq		 del;
	struct task		 task;
	struct storage_forget	 f;
	char			*buf;		/* kore_malloc'd keys */
	const char		**keys;
	int			 nkeys, next;
	int			 outcome, wait;
};
int	deletion_or_reply(struct http_request *, struct deletion *,
	    int64_t user, const char *password);
void	deletion_done(struct deletion *);

#endif
