/*
 * auth.h: who is asking, and may they write.
 *
 * Owns the cookies: kb_session (a random token whose SHA-256 keys a
 * sessions row), kb_csrf (before login: the double-submit token of the
 * login and register forms) and kb_device (a remembered browser:
 * db/db_logins.h); the CSRF check; the client's address.  Sessions have
 * a fixed lifetime of SESSION_DAYS from login; logout and password
 * changes delete rows, so a copied cookie stops working.
 */

#ifndef KBLOG_WEB_AUTH_H
#define KBLOG_WEB_AUTH_H

#include <kore/kore.h>
#include <kore/http.h>

#include "db/db.h"
#include "lib/form.h"
#include "lib/secure.h"

#define DEVICE_DAYS	365	/* a remembered device's life */

#define AUTH_IDLE	0
#define AUTH_RUNNING	1
#define AUTH_DONE	2

struct auth {
	int		 state;
	struct dbq	 q;
	char		 token[SEC_TOKEN_LEN + 1];	/* session cookie */
	char		 hashp[SEC_HASH_PARAM_LEN + 1];	/* its hash, or "" */
	int64_t		 user_id;			/* 0: anonymous */
	int		 role;				/* ROLE_* */
	char		 username[33];
	char		*display_name;			/* kore_strdup'd */
	char		 csrf[SEC_TOKEN_LEN + 1];	/* expected token */
	int		 csrf_new;	/* anonymous: set kb_csrf */
	int		 stale_cookie;	/* expired session: clear it */
	int		 bearer;	/* Authorization: Bearer was sent */
	int		 bad_bearer;	/* ... and it is not a live token */
	uint64_t	 version;	/* auth version before the lookup */
	int64_t		 expires;	/* the session's end (us), 0: none */
};

/*
 * What the renderers may know of the person asking.  A shell viewer
 * stands for everyone at once (web/cache.h): renderers write a hole
 * (lib/html.h) wherever the person asking would change the page.
 */
struct viewer {
	int64_t		 id;		/* 0: anonymous (and shells) */
	const char	*username;
	const char	*display_name;
	const char	*csrf;		/* the token forms carry, or "" */
	int		 role;		/* ROLE_* (db/db_sessions.h) */
	int		 shell;
};

/*
 * Who is asking, in two halves around the one query the skeleton runs
 * for it: auth_begin() reads the bearer token or the cookies and gives
 * the statement that looks the token up (its one parameter: a->hashp,
 * its rows into a->q), or NULL when there is nothing to look up (then
 * user_id is 0) or the session cache knew the answer (web/cache.h);
 * auth_found() reads the answer and keeps it in that cache.
 */
const struct db_stmt	*auth_begin(struct http_request *, struct auth *);
void			 auth_found(struct auth *);
void	auth_cleanup(struct auth *);
/* Pages: decides the CSRF token and fills v.  An anonymous visitor gets
 * one only where a form is shown (form: a new random one unless kb_csrf
 * has one, set with the page); elsewhere "" and no cookie, so that
 * anonymous pages can be cached by anyone. */
void	auth_viewer(struct auth *, struct viewer *v, int form);
/* Sets the cookies the page needs (kb_csrf, clearing a stale session). */
void	auth_cookies(struct http_request *, struct auth *);
/* Constant-time check of the token sent in the form or X-CSRF-Token. */
int	auth_csrf_ok(struct http_request *, struct auth *,
	    const struct form *);
void	auth_set_session_cookie(struct http_request *, const char *);
void	auth_clear_session_cookie(struct http_request *);
/* The remembered-device cookie's hash as a bytea parameter, or "". */
void	auth_device_hash(struct http_request *,
	    char [SEC_HASH_PARAM_LEN + 1]);
void	auth_set_device_cookie(struct http_request *, const char *);
/* The client: the peer, or with TRUST_PROXY=1 X-Forwarded-For's last. */
void	auth_client_addr(struct http_request *, char *, size_t);

#endif
