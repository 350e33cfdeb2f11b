/*
 * creds.c: the AWS credentials chain.  See creds.h.
 *
 * Owns: reading the environment, the container and IMDSv2 protocols, and
 * the cached IMDSv2 session token (the only shared state, under
 * imds_lock).  Never: logs, writes a secret into err, keeps credentials
 * (the caller caches them), holds the lock during network I/O.
 */

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "creds.h"
#include "curlhdr.h"
#include "sbuf.h"

#define META_MAX_BODY		(64 * 1024)
#define META_MAX_URL		2048
#define IMDS_MAX_TOKEN		1024
#define IMDS_TOKEN_MARGIN	60	/* renew this long before the TTL */
#define ECS_MAX_AUTH		4096
#define CREDS_USER_AGENT	"kblog"

#define IMDS_TOKEN_PATH		"/latest/api/token"
#define IMDS_ROLE_PATH		\
	"/latest/meta-data/iam/security-credentials/"

/* One answer from a metadata endpoint. */
struct meta_reply {
	long		status;
	struct sbuf	body;
	size_t		ttl;		/* token TTL; 0: none */
	int		too_big;
};

/* The IMDSv2 session token, shared by every thread. */
static pthread_mutex_t	imds_lock = PTHREAD_MUTEX_INITIALIZER;
static char		imds_endpoint_cached[META_MAX_URL];
static char		imds_token[IMDS_MAX_TOKEN];
static time_t		imds_token_expires;	/* monotonic seconds */

static void	errf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static time_t	mono_now(void);
static void	body_wipe(struct sbuf *);
static size_t	on_body(char *, size_t, size_t, void *);
static size_t	on_header(char *, size_t, size_t, void *);
static int	meta_request(const char *, const char *, struct curl_slist *,
		    struct meta_reply *, const char *, char *, size_t);
static int	join_url(char *, size_t, const char *, const char *,
		    const char *);
static int	copy_field(json_t *, const char *, char *, size_t, int);
static int	parse_creds_json(const struct sbuf *, struct aws_creds *,
		    const char *, char *, size_t);
static int	from_env(struct aws_creds *, char *, size_t, int *);
static int	full_uri_allowed(const char *);
static int	read_token_file(const char *, char *, size_t);
static int	from_ecs(const struct creds_config *, struct aws_creds *,
		    char *, size_t, int *);
static int	imds_token_get(const char *, int, char *, size_t, char *,
		    size_t);
static void	imds_token_drop(const char *, const char *);
static int	imds_get(const char *, const char *, const char *,
		    struct meta_reply *, const char *, char *, size_t);
static int	from_imds(const char *, struct aws_creds *, char *, size_t);
static int64_t	days_from_civil(int64_t, int, int);
static int	digits(const char *, size_t, int *);

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static time_t
mono_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return (0);
	return (ts.tv_sec);
}

static void
body_wipe(struct sbuf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	sbuf_free(b);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct meta_reply	*rp = arg;
	size_t			 len = size * nmemb;

	if (rp->body.len + len > META_MAX_BODY) {
		rp->too_big = 1;
		return (0);
	}
	sbuf_add(&rp->body, data, len);
	return (len);
}

/* Only the IMDS token TTL is of interest among the headers. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct meta_reply	*rp = arg;
	size_t			 len = size * nmemb, i, v;
	static const char	 name[] =
	    "x-aws-ec2-metadata-token-ttl-seconds:";

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		rp->ttl = 0;
		return (len);
	}
	if (len <= sizeof(name) - 1 ||
	    strncasecmp(data, name, sizeof(name) - 1) != 0)
		return (len);
	i = sizeof(name) - 1;
	while (i < len && (data[i] == ' ' || data[i] == '\t'))
		i++;
	for (v = 0; i < len && isdigit((unsigned char)data[i]) &&
	    v < 10000000; i++)
		v = v * 10 + (size_t)(data[i] - '0');
	rp->ttl = v;
	return (len);
}

/*
 * One request to a metadata endpoint: method "GET" or "PUT" (empty body).
 * 0 when an answer came (rp->status, rp->body, which the caller wipes),
 * -1 with err set ("<what>: <reason>") otherwise.
 */
static int
meta_request(const char *method, const char *url, struct curl_slist *hdrs,
    struct meta_reply *rp, const char *what, char *err, size_t errlen)
{
	CURL		*curl;
	CURLcode	 rc;
	int		 ret = -1;

	rp->status = 0;
	rp->ttl = 0;
	rp->too_big = 0;
	sbuf_init(&rp->body, 256);
	if ((curl = curl_easy_init()) == NULL) {
		errf(err, errlen, "%s: curl_easy_init failed", what);
		return (-1);
	}
	/*
	 * Never through a proxy (http_proxy in the environment would send
	 * the link-local requests, and the tokens, elsewhere), never a
	 * redirect, short timeouts.
	 */
	if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*") != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
	    "http,https") != CURLE_OK ||
#endif
	    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USERAGENT,
	    CREDS_USER_AGENT) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)CREDS_CONNECT_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
	    (long)CREDS_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
	    on_body) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEDATA, rp) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION,
	    on_header) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HEADERDATA, rp) != CURLE_OK) {
		errf(err, errlen, "%s: bad URL or curl option", what);
		goto done;
	}
	if (strcmp(method, "PUT") == 0) {
		/* An empty body with "Content-Length: 0", as the SDKs send. */
		if (curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
		    "") != CURLE_OK ||
		    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
		    0L) != CURLE_OK ||
		    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
		    "PUT") != CURLE_OK) {
			errf(err, errlen, "%s: curl option", what);
			goto done;
		}
	}
	rc = curl_easy_perform(curl);
	if (rc == CURLE_WRITE_ERROR && rp->too_big) {
		errf(err, errlen, "%s: answer too large", what);
		goto done;
	}
	if (rc != CURLE_OK) {
		errf(err, errlen, "%s: %s", what, curl_easy_strerror(rc));
		goto done;
	}
	if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE,
	    &rp->status) != CURLE_OK || rp->status < 100) {
		errf(err, errlen, "%s: no HTTP status", what);
		goto done;
	}
	ret = 0;
done:
	curl_easy_cleanup(curl);
	if (ret == -1)
		body_wipe(&rp->body);
	return (ret);
}

/* base (without trailing '/') + path + suffix into out.  0 or -1. */
static int
join_url(char *out, size_t outlen, const char *base, const char *path,
    const char *suffix)
{
	size_t	blen;
	int	n;

	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (blen > INT32_MAX)
		return (-1);
	n = snprintf(out, outlen, "%.*s%s%s", (int)blen, base, path,
	    suffix != NULL ? suffix : "");
	if (n < 0 || (size_t)n >= outlen)
		return (-1);
	return (0);
}

/* Copy the string member name of o into dst.  0, or -1 when required. */
static int
copy_field(json_t *o, const char *name, char *dst, size_t dstlen,
    int required)
{
	json_t		*v;
	const char	*s;
	size_t		 len;

	v = json_object_get(o, name);
	if (v == NULL || json_is_null(v)) {
		dst[0] = '\0';
		return (required ? -1 : 0);
	}
	if (!json_is_string(v))
		return (-1);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len >= dstlen || memchr(s, '\0', len) != NULL)
		return (-1);
	memcpy(dst, s, len + 1);
	return (0);
}

/*
 * The JSON of IMDS and the container endpoint: AccessKeyId,
 * SecretAccessKey, Token, Expiration (and, from IMDS, Code: "Success").
 */
static int
parse_creds_json(const struct sbuf *body, struct aws_creds *out,
    const char *what, char *err, size_t errlen)
{
	json_t		*root, *code;
	json_error_t	 jerr;
	char		 exp[64];
	int		 ret = -1;

	root = json_loadb(body->data, body->len, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		errf(err, errlen, "%s: credentials are not a JSON object",
		    what);
		goto done;
	}
	code = json_object_get(root, "Code");
	if (code != NULL && (!json_is_string(code) ||
	    strcmp(json_string_value(code), "Success") != 0)) {
		errf(err, errlen, "%s: credentials Code is not Success", what);
		goto done;
	}
	if (copy_field(root, "AccessKeyId", out->access_key,
	    sizeof(out->access_key), 1) == -1 || out->access_key[0] == '\0' ||
	    copy_field(root, "SecretAccessKey", out->secret_key,
	    sizeof(out->secret_key), 1) == -1 || out->secret_key[0] == '\0') {
		errf(err, errlen, "%s: credentials lack a usable AccessKeyId "
		    "or SecretAccessKey", what);
		goto done;
	}
	if (copy_field(root, "Token", out->session_token,
	    sizeof(out->session_token), 0) == -1) {
		errf(err, errlen, "%s: credentials Token is not a string or "
		    "longer than %zu bytes", what,
		    sizeof(out->session_token) - 1);
		goto done;
	}
	if (copy_field(root, "Expiration", exp, sizeof(exp), 1) == -1 ||
	    creds_parse_time(exp, &out->expires) == -1 || out->expires == 0) {
		errf(err, errlen, "%s: credentials lack a valid Expiration",
		    what);
		goto done;
	}
	ret = 0;
done:
	if (root != NULL)
		json_decref(root);
	if (ret == -1)
		creds_clear(out);
	return (ret);
}

/*
 * The environment.  0 with *found = 0: not set; 0 with *found = 1: out
 * filled; -1: set but unusable (one of the pair only, too long).
 */
static int
from_env(struct aws_creds *out, char *err, size_t errlen, int *found)
{
	const char	*ak, *sk, *tok;

	*found = 0;
	ak = getenv("AWS_ACCESS_KEY_ID");
	sk = getenv("AWS_SECRET_ACCESS_KEY");
	tok = getenv("AWS_SESSION_TOKEN");
	if (ak != NULL && *ak == '\0')
		ak = NULL;
	if (sk != NULL && *sk == '\0')
		sk = NULL;
	if (ak == NULL && sk == NULL)
		return (0);
	*found = 1;
	if (ak == NULL || sk == NULL) {
		errf(err, errlen, "env: AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY must be set together");
		return (-1);
	}
	if (strlen(ak) >= sizeof(out->access_key) ||
	    strlen(sk) >= sizeof(out->secret_key) ||
	    (tok != NULL && strlen(tok) >= sizeof(out->session_token))) {
		errf(err, errlen, "env: an AWS_* credential is too long");
		return (-1);
	}
	memcpy(out->access_key, ak, strlen(ak) + 1);
	memcpy(out->secret_key, sk, strlen(sk) + 1);
	if (tok != NULL)
		memcpy(out->session_token, tok, strlen(tok) + 1);
	out->expires = 0;
	return (0);
}

/*
 * AWS_CONTAINER_CREDENTIALS_FULL_URI, as the SDKs allow it: https to
 * anywhere; http only to a loopback address or the ECS (169.254.170.2)
 * and EKS Pod Identity (169.254.170.23, fd00:ec2::23) endpoints.
 */
static int
full_uri_allowed(const char *uri)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 ok = 0;

	if ((u = curl_url()) == NULL)
		return (0);
	if (curl_url_set(u, CURLUPART_URL, uri, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto done;
	if (strcasecmp(scheme, "https") == 0)
		ok = 1;
	else if (strcasecmp(scheme, "http") == 0) {
		ok = strncmp(host, "127.", 4) == 0 ||
		    strcasecmp(host, "localhost") == 0 ||
		    strcmp(host, "[::1]") == 0 ||
		    strcmp(host, "169.254.170.2") == 0 ||
		    strcmp(host, "169.254.170.23") == 0 ||
		    strcasecmp(host, "[fd00:ec2::23]") == 0;
	}
done:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return (ok);
}

/* The first line of a small file, trimmed, into out.  0 or -1. */
static int
read_token_file(const char *path, char *out, size_t outlen)
{
	ssize_t	n;
	size_t	len;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0)
		return (-1);
	len = (size_t)n;
	out[len] = '\0';
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t'))
		out[--len] = '\0';
	return (len > 0 ? 0 : -1);
}

/*
 * The container endpoint.  0 with *found = 0: not configured; 0 with
 * *found = 1: out filled; -1: configured but failed (err set).
 */
static int
from_ecs(const struct creds_config *cfg, struct aws_creds *out, char *err,
    size_t errlen, int *found)
{
	struct meta_reply	 rp;
	struct curl_slist	*hdrs = NULL;
	const char		*rel, *full, *tokfile, *tok;
	char			 url[META_MAX_URL], auth[ECS_MAX_AUTH];
	size_t			 i;
	int			 ret = -1;

	*found = 0;
	auth[0] = '\0';
	rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (rel != NULL && *rel == '\0')
		rel = NULL;
	if (full != NULL && *full == '\0')
		full = NULL;
	if (rel == NULL && full == NULL)
		return (0);
	*found = 1;

	if (rel != NULL) {
		if (rel[0] != '/' || join_url(url, sizeof(url),
		    cfg->ecs_endpoint, rel, NULL) == -1) {
			errf(err, errlen, "ecs: bad "
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
			return (-1);
		}
	} else {
		if (!full_uri_allowed(full) ||
		    strlen(full) >= sizeof(url)) {
			errf(err, errlen, "ecs: AWS_CONTAINER_CREDENTIALS_"
			    "FULL_URI must be https, or http to a loopback "
			    "or the ECS/EKS address");
			return (-1);
		}
		memcpy(url, full, strlen(full) + 1);
	}

	tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	if (tokfile != NULL && *tokfile != '\0') {
		if (read_token_file(tokfile, auth, sizeof(auth)) == -1) {
			errf(err, errlen, "ecs: cannot read "
			    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
			goto done;
		}
	} else if (tok != NULL && *tok != '\0') {
		if (strlen(tok) >= sizeof(auth)) {
			errf(err, errlen, "ecs: authorization token too long");
			goto done;
		}
		memcpy(auth, tok, strlen(tok) + 1);
	}
	for (i = 0; auth[i] != '\0'; i++) {
		if ((unsigned char)auth[i] < 0x20 || auth[i] == 0x7f) {
			errf(err, errlen, "ecs: authorization token has "
			    "control characters");
			goto done;
		}
	}
	if ((auth[0] != '\0' && curlhdr_add(&hdrs, "Authorization",
	    auth) == -1) ||
	    curlhdr_add(&hdrs, "Accept", "application/json") == -1) {
		errf(err, errlen, "ecs: out of memory");
		goto done;
	}
	if (meta_request("GET", url, hdrs, &rp, "ecs", err, errlen) == -1)
		goto done;
	if (rp.status != 200)
		errf(err, errlen, "ecs: HTTP %ld", rp.status);
	else
		ret = parse_creds_json(&rp.body, out, "ecs", err, errlen);
	body_wipe(&rp.body);
done:
	curlhdr_free(hdrs);
	explicit_bzero(auth, sizeof(auth));
	return (ret);
}

/*
 * An IMDSv2 token for endpoint into tok: the cached one unless force or
 * it is near its TTL, else a new one (then cached).  0 or -1.
 */
static int
imds_token_get(const char *endpoint, int force, char *tok, size_t toklen,
    char *err, size_t errlen)
{
	struct meta_reply	 rp;
	struct curl_slist	*hdrs = NULL;
	char			 url[META_MAX_URL], ttl[16];
	time_t			 start;
	size_t			 len, life;
	int			 ret = -1;

	start = mono_now();
	if (!force) {
		pthread_mutex_lock(&imds_lock);
		if (imds_token[0] != '\0' &&
		    strcmp(imds_endpoint_cached, endpoint) == 0 &&
		    start < imds_token_expires &&
		    strlen(imds_token) < toklen) {
			memcpy(tok, imds_token, strlen(imds_token) + 1);
			ret = 0;
		}
		pthread_mutex_unlock(&imds_lock);
		if (ret == 0)
			return (0);
	}

	if (join_url(url, sizeof(url), endpoint, IMDS_TOKEN_PATH,
	    NULL) == -1 || strlen(endpoint) >= sizeof(imds_endpoint_cached)) {
		errf(err, errlen, "imds: endpoint too long");
		return (-1);
	}
	(void)snprintf(ttl, sizeof(ttl), "%d", CREDS_IMDS_TOKEN_TTL);
	/* "Content-Type:" with no value: curl drops its form default. */
	if (curlhdr_add(&hdrs, "X-aws-ec2-metadata-token-ttl-seconds",
	    ttl) == -1 || curlhdr_line(&hdrs, "Content-Type:") == -1) {
		errf(err, errlen, "imds: out of memory");
		goto done;
	}
	if (meta_request("PUT", url, hdrs, &rp, "imds: token", err,
	    errlen) == -1)
		goto done;
	len = rp.body.len;
	while (len > 0 && isspace((unsigned char)rp.body.data[len - 1]))
		len--;
	if (rp.status != 200)
		errf(err, errlen, "imds: token: HTTP %ld", rp.status);
	else if (len == 0 || len >= toklen || len >= sizeof(imds_token) ||
	    memchr(rp.body.data, '\0', len) != NULL)
		errf(err, errlen, "imds: token: unusable answer");
	else {
		memcpy(tok, rp.body.data, len);
		tok[len] = '\0';
		life = rp.ttl > 0 ? rp.ttl : CREDS_IMDS_TOKEN_TTL;
		life = life > IMDS_TOKEN_MARGIN ? life - IMDS_TOKEN_MARGIN : 0;
		pthread_mutex_lock(&imds_lock);
		memcpy(imds_endpoint_cached, endpoint, strlen(endpoint) + 1);
		memcpy(imds_token, tok, len + 1);
		imds_token_expires = start + (time_t)life;
		pthread_mutex_unlock(&imds_lock);
		ret = 0;
	}
	body_wipe(&rp.body);
done:
	curlhdr_free(hdrs);
	return (ret);
}

/* Forget the cached token if it is still tok (another thread may have
 * replaced it already). */
static void
imds_token_drop(const char *endpoint, const char *tok)
{
	pthread_mutex_lock(&imds_lock);
	if (strcmp(imds_endpoint_cached, endpoint) == 0 &&
	    strcmp(imds_token, tok) == 0) {
		explicit_bzero(imds_token, sizeof(imds_token));
		imds_token_expires = 0;
	}
	pthread_mutex_unlock(&imds_lock);
}

/* GET endpoint + IMDS_ROLE_PATH + suffix with the token. */
static int
imds_get(const char *endpoint, const char *suffix, const char *tok,
    struct meta_reply *rp, const char *what, char *err, size_t errlen)
{
	struct curl_slist	*hdrs = NULL;
	char			 url[META_MAX_URL];
	int			 ret;

	if (join_url(url, sizeof(url), endpoint, IMDS_ROLE_PATH,
	    suffix) == -1) {
		errf(err, errlen, "%s: URL too long", what);
		return (-1);
	}
	if (curlhdr_add(&hdrs, "X-aws-ec2-metadata-token", tok) == -1) {
		errf(err, errlen, "%s: out of memory", what);
		return (-1);
	}
	ret = meta_request("GET", url, hdrs, rp, what, err, errlen);
	curlhdr_free(hdrs);
	return (ret);
}

static int
from_imds(const char *endpoint, struct aws_creds *out, char *err,
    size_t errlen)
{
	struct meta_reply	 rp;
	char			 tok[IMDS_MAX_TOKEN], role[256];
	size_t			 len, i;
	int			 attempt, ret = -1;

	for (attempt = 0; attempt < 2; attempt++) {
		if (imds_token_get(endpoint, attempt > 0, tok, sizeof(tok),
		    err, errlen) == -1)
			break;

		if (imds_get(endpoint, NULL, tok, &rp, "imds: role", err,
		    errlen) == -1)
			break;
		if (rp.status == 401 && attempt == 0) {
			/* The token went stale: one new token, one retry. */
			body_wipe(&rp.body);
			imds_token_drop(endpoint, tok);
			continue;
		}
		if (rp.status != 200) {
			errf(err, errlen, "imds: role: HTTP %ld%s", rp.status,
			    rp.status == 404 ? " (no instance role)" : "");
			body_wipe(&rp.body);
			break;
		}
		/* The first line is the role name. */
		len = 0;
		while (len < rp.body.len && rp.body.data[len] != '\n' &&
		    rp.body.data[len] != '\r')
			len++;
		for (i = 0; i < len; i++) {
			if (!isalnum((unsigned char)rp.body.data[i]) &&
			    strchr("+=,.@_-", rp.body.data[i]) == NULL)
				break;
		}
		if (len == 0 || i < len || len >= sizeof(role)) {
			errf(err, errlen, "imds: role: unusable role name");
			body_wipe(&rp.body);
			break;
		}
		memcpy(role, rp.body.data, len);
		role[len] = '\0';
		body_wipe(&rp.body);

		if (imds_get(endpoint, role, tok, &rp, "imds: credentials",
		    err, errlen) == -1)
			break;
		if (rp.status == 401 && attempt == 0) {
			body_wipe(&rp.body);
			imds_token_drop(endpoint, tok);
			continue;
		}
		if (rp.status != 200)
			errf(err, errlen, "imds: credentials: HTTP %ld",
			    rp.status);
		else
			ret = parse_creds_json(&rp.body, out, "imds", err,
			    errlen);
		body_wipe(&rp.body);
		break;
	}
	explicit_bzero(tok, sizeof(tok));
	return (ret);
}

void
creds_config_from_env(struct creds_config *cfg)
{
	const char	*v;

	memset(cfg, 0, sizeof(*cfg));
	cfg->imds_endpoint = CREDS_IMDS_ENDPOINT;
	cfg->ecs_endpoint = CREDS_ECS_ENDPOINT;
	if ((v = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT")) != NULL &&
	    *v != '\0')
		cfg->imds_endpoint = v;
	if ((v = getenv("KBLOG_ECS_ENDPOINT")) != NULL && *v != '\0')
		cfg->ecs_endpoint = v;
	if ((v = getenv("AWS_EC2_METADATA_DISABLED")) != NULL &&
	    strcasecmp(v, "true") == 0)
		cfg->imds_disabled = 1;
}

int
creds_fetch(const struct creds_config *cfg, struct aws_creds *out,
    char *err, size_t errlen)
{
	struct creds_config	 c;
	int			 found;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL) {
		errf(err, errlen, "creds: no output");
		return (-1);
	}
	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (cfg != NULL)
		c = *cfg;
	if (c.imds_endpoint == NULL || *c.imds_endpoint == '\0')
		c.imds_endpoint = CREDS_IMDS_ENDPOINT;
	if (c.ecs_endpoint == NULL || *c.ecs_endpoint == '\0')
		c.ecs_endpoint = CREDS_ECS_ENDPOINT;

	if (from_env(out, err, errlen, &found) == -1)
		goto fail;
	if (found) {
		errf(err, errlen, "env");
		return (0);
	}
	if (from_ecs(&c, out, err, errlen, &found) == -1) {
		if (found)
			goto fail;
	} else if (found) {
		errf(err, errlen, "ecs");
		return (0);
	}
	if (c.imds_disabled) {
		errf(err, errlen, "no credentials: AWS_ACCESS_KEY_ID and the "
		    "container endpoint unset, IMDS disabled");
		goto fail;
	}
	if (from_imds(c.imds_endpoint, out, err, errlen) == -1)
		goto fail;
	errf(err, errlen, "imds");
	return (0);
fail:
	creds_clear(out);
	return (-1);
}

int
creds_needs_refresh(const struct aws_creds *cr, time_t now)
{
	if (cr == NULL || cr->expires == 0)
		return (0);
	return (now >= cr->expires - CREDS_REFRESH_EARLY);
}

void
creds_clear(struct aws_creds *cr)
{
	if (cr != NULL)
		explicit_bzero(cr, sizeof(*cr));
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* n decimal digits of s into *out.  0 or -1. */
static int
digits(const char *s, size_t n, int *out)
{
	size_t	i;
	int	v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (0);
}

int
creds_parse_time(const char *s, time_t *t)
{
	static const int	 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	const char		*p;
	int			 y, mo, d, h, mi, sec, oh, om, sign;
	int64_t			 v;

	if (s == NULL || strnlen(s, 20) < 19 ||
	    digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1 || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) == -1)
		return (-1);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 &&
	    (y % 100 != 0 || y % 400 == 0))) ||
	    h > 23 || mi > 59 || sec > 60)
		return (-1);
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return (-1);
		while (isdigit((unsigned char)*p))
			p++;
	}
	oh = om = 0;
	sign = 1;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) == -1 || p[3] != ':' ||
		    digits(p + 4, 2, &om) == -1 || oh > 23 || om > 59)
			return (-1);
		p += 6;
	} else
		return (-1);
	if (*p != '\0')
		return (-1);
	v = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	v -= sign * (oh * 3600 + om * 60);
	if ((int64_t)(time_t)v != v)
		return (-1);
	*t = (time_t)v;
	return (0);
}
