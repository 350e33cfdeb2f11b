/*
 * kblog.h: the module's private header, one section per Kore-facing file.
 * Pure libraries (config, sbuf, html, ...) have headers of their own and
 * never include this one.
 */

#ifndef KBLOG_H
#define KBLOG_H

#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include <kore/tasks.h>

#include <jansson.h>

#include "config.h"
#include "form.h"
#include "sbuf.h"
#include "secure.h"

/* kblog.c: start-up. */
extern struct config	kb_cfg;
extern char		*kb_csp;

/*
 * Request bodies: the largest a form post (a 100,000-byte post body is up
 * to 300,000 bytes once percent-encoded) and a JSON API call take.  The
 * local store's uploads take UPLOAD_MAX_BYTES.
 */
#define KB_FORM_BODY_MAX	(384 * 1024)
#define KB_API_BODY_MAX		(1024 * 1024)

/* framing.c: the connection's first say (see the file's comment). */
size_t	framing_body_limit(int method, const char *target, size_t len);
void	framing_response(struct http_request *);

/* migrate.c: runs in the parent before workers start (blocking libpq). */
int	migrate_run(const char *conninfo, const char *dir, int wait_seconds,
	    char *err, size_t errlen);

/*
 * db.c: asynchronous queries bound to a request.
 *
 * A handler keeps one struct dbq per query in its per-request state and
 * calls db_run() every time Kore runs it.  db_run() starts the query the
 * first time and answers DB_PENDING (return KORE_RESULT_RETRY: Kore wakes
 * the request when PostgreSQL answers); then DB_OK with q->res holding the
 * rows, or DB_FAIL.  Reads marked DB_READ are retried once, on a fresh
 * connection, when the pooled one turns out dead (Postgres restarted).
 * db_cleanup() frees everything and is safe to call twice.
 */
#define DB_PENDING	0
#define DB_OK		1
#define DB_FAIL		2

#define DB_READ		0x01	/* safe to retry */
#define DB_MAXPARAMS	16

struct dbq {
	struct kore_pgsql	 sql;
	int			 state;		/* 0 idle, 1 running, DB_OK, DB_FAIL */
	int			 flags;
	int			 retried;
	int			 bound;
	const char		*query;
	int			 nparams;
	const char		*values[DB_MAXPARAMS];
	char			*copies[DB_MAXPARAMS];	/* kore_strdup'd */
	int			 lengths[DB_MAXPARAMS];
	PGresult		*res;		/* rows of the (last) result */
	char			 sqlstate[6];	/* on DB_FAIL, "" if none */
};

int	 db_run(struct http_request *, struct dbq *, int flags,
	    const char *query, int nparams, ...);
void	 db_cleanup(struct dbq *);
int	 db_ntuples(struct dbq *);
const char	*db_value(struct dbq *, int row, int col);
int	 db_isnull(struct dbq *, int row, int col);
int	 db_unavailable(struct dbq *);	/* failed because no database */

/* auth.c: sessions, CSRF, client address, password task. */
#define AUTH_IDLE	0
#define AUTH_RUNNING	1
#define AUTH_DONE	2

struct auth {
	int		 state;
	struct dbq	 q;
	char		 token[SEC_TOKEN_LEN + 1];	/* session cookie */
	char		 hashp[SEC_HASH_PARAM_LEN + 1];
	int64_t		 user_id;			/* 0: anonymous */
	char		 username[33];
	char		*display_name;
	char		 csrf[SEC_TOKEN_LEN + 1];	/* expected token */
	int		 csrf_new;	/* anonymous: set kb_csrf */
	int		 stale_cookie;	/* expired session: clear it */
	int		 bearer;	/* Authorization: Bearer was sent */
	int		 bad_bearer;	/* ... and it is not a live token */
};

int		 auth_run(struct http_request *, struct auth *);
void		 auth_cleanup(struct auth *);
const char	*auth_csrf_token(struct auth *);
void		 auth_cookies(struct http_request *, struct auth *);
int		 auth_csrf_ok(struct http_request *, struct auth *,
		    const struct form *);
void		 auth_set_session_cookie(struct http_request *, const char *);
void		 auth_clear_session_cookie(struct http_request *);
void		 auth_device_hash(struct http_request *,
		    char [SEC_HASH_PARAM_LEN + 1]);
void		 auth_set_device_cookie(struct http_request *, const char *);
void		 auth_client_addr(struct http_request *, char *, size_t);

#define DEVICE_DAYS	365	/* a remembered device's life */

#define PW_HASH			1	/* hash pw */
#define PW_VERIFY		2	/* pw against hash */
#define PW_VERIFY_AND_HASH	3	/* pw against hash, then hash pw2 */

struct pw_job {
	int		op;
	char		hash[SEC_PWHASH_MAX];
	char		pw[SEC_PW_MAX_BYTES];
	size_t		pwlen;
	char		pw2[SEC_PW_MAX_BYTES];
	size_t		pw2len;
};

struct pw_result {
	int		ok;
	char		hash[SEC_PWHASH_MAX];
};

struct pw_state {
	int			state;	/* 0 idle, 1 running, 2 done */
	struct kore_task	task;
	struct pw_result	res;
};

int	pw_run(struct http_request *, struct pw_state *, int op,
	    const char *hash, const char *pw, const char *pw2);
void	pw_cleanup(struct pw_state *);

/* storage.c: images in S3 or in kblog's own local store. */
#define ST_PRESIGN	1	/* key: a presigned PUT URL for it */
#define ST_PUBLISH	2	/* upload_key -> key, then check key */
#define ST_DELETE	3	/* key and upload_key, when set */

#define STORE_KEY_UPLOAD	1	/* u/...: clients PUT these */
#define STORE_KEY_SERVED	2	/* i/...: only the server writes */

struct st_job {
	int		op;
	char		key[128];
	char		upload_key[128];
	char		content_type[32];
	uint64_t	length;		/* presign, publish: the exact size */
};

struct st_result {
	int		status;		/* 200/204 ok, 404, 422, 503 */
	char		url[4096];
	int64_t		expires_at;
	char		error[256];	/* why, for the log */
};

struct st_state {
	int			state;
	struct kore_task	task;
	struct st_result	res;
};

int		 st_run(struct http_request *, struct st_state *,
		    const struct st_job *);
int		 storage_key_kind(const char *);
int		 storage_key_valid(const char *);
void		 storage_new_key(char *, size_t, int, int64_t, const char *);
void		 storage_public_url(struct sbuf *, const char *);
int		 storage_magic_ok(const char *, const unsigned char *, size_t);
const char	*storage_type_ext(const char *);
const char	*storage_local_secret(void);
int		 storage_local_host(const char **, char *, size_t);
int		 local_store_path(const char *, char *, size_t);
int		 local_store_mkdirs(const char *);
void		 storage_sweep_start(void);

/*
 * ctx.c: the per-request state every page handler shares: who is asking,
 * the parsed form, up to four queries, one password task, and a step
 * counter for the handler's own state machine.  Freed with the request.
 */
#define CTX_QUERIES	4

struct ctx {
	struct auth	 auth;
	struct form	 form;
	int		 form_state;	/* 0 not read, 1 ok, -1 bad */
	int		 step;
	int		 lstep;		/* login_check()'s own steps */
	struct dbq	 q[CTX_QUERIES];
	struct pw_state	 pw;
	struct st_state	 st;
	int		 status;
	char		*strs[8];	/* kore_strdup'd, freed with ctx */
	char		 buf[256];	/* handler scratch */
	char		 buf2[256];
	char		 newtok[SEC_TOKEN_LEN + 1];
	char		 addr[64];	/* client address, when needed */
	/* kb_device: the request's token hash ("" if none), a new token. */
	char		 device[SEC_HASH_PARAM_LEN + 1];
	char		 newdev[SEC_TOKEN_LEN + 1];
	char		 num[8][24];	/* numeric query parameters */
	json_t		*json;		/* parsed API request body */
	char		*text[4];	/* strings handed to queries */
};

struct ctx	*ctx_get(struct http_request *);
char		*ctx_keep(struct ctx *, char *);
void		 ctx_num(struct ctx *, int, int64_t);
int		 ctx_form(struct http_request *, struct ctx *);
int		 ctx_query(struct http_request *, struct ctx *);
int		 ctx_write_guard(struct http_request *, struct ctx *,
		    const char *, int *);

/* resp.c: every response goes out through here. */
void	resp_headers(struct http_request *);
void	resp_raw_error(struct sbuf *, int status, int json);
void	resp_send(struct http_request *, int status, const char *ctype,
	    const void *body, size_t len);
void	resp_json(struct http_request *, int status, const char *json);
void	resp_json_send(struct http_request *, int status, const char *json,
	    size_t len);
void	resp_json_error(struct http_request *, int status, const char *code,
	    const char *message);
int	resp_json_error_fields(struct http_request *, int status,
	    const char *code, const char *message, json_t *fields);
int	resp_error_page(struct http_request *, int status);
int	resp_method_not_allowed(struct http_request *, const char *allow);
int	resp_wants_json(struct http_request *);
int	resp_redirect(struct http_request *, const char *location);

/* render.c: the page layout and form widgets.  User text goes through
 * html_text() (html.h); nothing here writes it raw. */
void	page_begin(struct sbuf *, struct auth *, const char *title);
void	page_end(struct sbuf *);
int	page_send(struct http_request *, struct auth *, int status,
	    struct sbuf *);
void	form_csrf(struct sbuf *, struct auth *);
void	form_field(struct sbuf *, const char *label, const char *name,
	    const char *type, const char *value, const char *error,
	    const char *attrs);
void	form_textarea(struct sbuf *, const char *label, const char *name,
	    const char *value, const char *error, const char *attrs);
int	safe_local_path(const char *);

/* db_post.c: SQL for posts, comments, likes. */
extern const char	sql_home[], sql_tag[], sql_author_posts[], sql_search[];
extern const char	sql_post_show[], sql_comments[], sql_post_create[];
extern const char	sql_post_update[], sql_post_delete[], sql_post_edit[];
extern const char	sql_comment_add[], sql_comment_delete[];
extern const char	sql_like[], sql_unlike[], sql_user_by_name[];
extern const char	sql_feed[], sql_sitemap[];

#define LIST_PAGE	20
#define COMMENTS_PAGE	100

enum list_col {
	LIST_ID, LIST_TITLE, LIST_EXCERPT, LIST_TAGS, LIST_LIKES,
	LIST_COMMENTS, LIST_DATE, LIST_KEY, LIST_USERNAME, LIST_DISPLAY,
	LIST_PUBLISHED
};

enum post_col {
	POST_ID, POST_TITLE, POST_HTML, POST_TAGS, POST_LIKES, POST_COMMENTS,
	POST_DATE, POST_PUBLISHED, POST_USERNAME, POST_DISPLAY,
	POST_AUTHOR_ID, POST_LIKED, POST_MD
};

enum comment_col {
	COMMENT_ID, COMMENT_BODY, COMMENT_DATE, COMMENT_USERNAME,
	COMMENT_DISPLAY, COMMENT_AUTHOR_ID, COMMENT_KEY
};

/* render_post.c */
void	render_author(struct sbuf *, const char *username,
	    const char *display);
void	render_post_list(struct sbuf *, struct dbq *, const char *next_base,
	    int cursor_kind, const char *empty);
void	render_post(struct sbuf *, struct auth *, struct dbq *post,
	    struct dbq *comments, const char *comment_error,
	    const char *comment_text);
void	render_editor(struct sbuf *, struct auth *, const char *id,
	    const char *title, const char *body, const char *tags,
	    int published, const char *e_title, const char *e_body,
	    const char *e_tags);

/* h_post.c, h_list.c, h_feed.c */
int	h_posts(struct http_request *);
int	h_comment_delete(struct http_request *);
int	h_tag(struct http_request *);
int	h_search(struct http_request *);
int	h_feed(struct http_request *);
int	h_sitemap(struct http_request *);
int	path_id(const char *, int64_t *, const char **rest);

/* db_api.c: SQL for the JSON API (PostgreSQL builds the JSON). */
extern const char	sql_api_user_by_id[], sql_api_user_by_name[];
extern const char	sql_api_register[], sql_api_token_create[];
extern const char	sql_api_tokens[], sql_api_token_revoke[];
extern const char	sql_api_posts[], sql_api_posts_search[], sql_api_post[];
extern const char	sql_api_post_create[], sql_api_post_update[];
extern const char	sql_api_comments[], sql_api_post_visible[];
extern const char	sql_api_comment_add[];

/* h_store.c: the local backend's HTTP side. */
int	h_store(struct http_request *);

/* h_upload.c: upload API, gallery, avatar. */
int	api_uploads(struct http_request *, struct ctx *, const char *);
int	h_images(struct http_request *);
int	h_avatar(struct http_request *);

/*
 * h_api.c.  A list page holds items until the next one would take them
 * past API_PAGE_BYTES (the first always goes in), then hands out a cursor
 * at the last item included.
 */
#define API_PAGE_BYTES	(256 * 1024)

struct api_page {
	struct sbuf	 b;
	size_t		 bytes;		/* of the items so far */
	int		 n;		/* items so far */
};

void		 api_page_init(struct api_page *);
int		 api_page_add(struct api_page *, const char *);
void		 api_page_send(struct http_request *, struct api_page *, int,
		    int64_t, int64_t);
int		 api_page_params(struct http_request *, struct ctx *, int64_t,
		    int64_t *, int64_t *, int64_t *);
int		 h_api(struct http_request *);
int		 api_guard(struct http_request *, struct ctx *, int, int *);
int		 api_body(struct http_request *, struct ctx *, const char **,
		    int *);
int		 api_dberr(struct http_request *, struct dbq *);
int		 api_rate_limited(struct http_request *, const char *,
		    const char *);
const char	*api_str(json_t *, const char *, int *);

/* h_account.c */
extern const char	sql_login_attempt[], sql_login_lookup[];
extern const char	sql_login_refused[], sql_register_throttle[];
int	login_wait(struct dbq *);
int	register_throttle(struct http_request *, struct ctx *, struct dbq *,
	    int *);

#define LOGIN_OK		1
#define LOGIN_BAD		2
#define LOGIN_THROTTLED		3
int	login_check(struct http_request *, struct ctx *, const char *,
	    const char *, int *, struct dbq **);
const char	*login_lane(struct ctx *);
int	h_register(struct http_request *);
int	h_login(struct http_request *);
int	h_logout(struct http_request *);
int	h_settings(struct http_request *);
int	h_settings_password(struct http_request *);
int	h_user(struct http_request *);
int	h_home(struct http_request *);
int	auth_or_retry(struct http_request *, struct ctx *, int *);
int	db_error(struct http_request *, struct dbq *);

/* h_static.c */
const char	*static_path(const char *);
int		 h_static(struct http_request *);

/* h_health.c */
int	h_health(struct http_request *);
int	h_ready(struct http_request *);
int	h_not_found(struct http_request *);

#endif
