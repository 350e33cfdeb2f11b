/*
 * h_static.c: the stylesheet and the script, compiled into the module
 * from assets/ by kodev, served with a cache policy and the security
 * headers (Kore's own asset_serve_* sends neither, and answers 400 to
 * HEAD).
 *
 *   GET /static/style.<fingerprint>.css   the address pages link to: the
 *       fingerprint is the first 12 hex digits of the file's SHA-256, so
 *       the URL changes with the content and can be cached for a year
 *       ("immutable");
 *   GET /static/style.css                 the plain name (and any stale
 *       fingerprint): revalidated every time ("no-cache" and an ETag:
 *       304 when unchanged).
 *
 * Never touches the database.  The assets are read-only arrays.
 */

#include "kblog.h"
#include "assets.h"

#define FINGERPRINT_LEN	12

struct asset {
	const char	*name;		/* "style.css" */
	const char	*ctype;
	const u_int8_t	*data;
	const u_int32_t	*len;
	const char	**etag;		/* quoted SHA-256 (kodev) */
	char		 path[64];	/* /static/style.<fp>.css */
};

static struct asset	assets[] = {
	{ "style.css", "text/css; charset=utf-8", asset_style_css,
	    &asset_len_style_css, &asset_sha256_style_css, "" },
	{ "app.js", "text/javascript; charset=utf-8", asset_app_js,
	    &asset_len_app_js, &asset_sha256_app_js, "" },
	{ NULL, NULL, NULL, NULL, NULL, "" }
};

static struct asset	*asset_find(const char *, int *);

/* The fingerprinted address of an asset, e.g. for <link href>. */
const char *
static_path(const char *name)
{
	struct asset	*a;
	const char	*dot;

	for (a = assets; a->name != NULL; a++) {
		if (strcmp(a->name, name))
			continue;
		if (a->path[0] == '\0') {
			dot = strrchr(a->name, '.');
			(void)snprintf(a->path, sizeof(a->path),
			    "/static/%.*s.%.*s%s", (int)(dot - a->name),
			    a->name, FINGERPRINT_LEN, *a->etag + 1, dot);
		}
		return (a->path);
	}
	fatal("static_path: no asset %s", name);
}

/*
 * "style.css" or "style.<fp>.css": the asset, and whether the
 * fingerprint given is the current one.
 */
static struct asset *
asset_find(const char *file, int *current)
{
	struct asset	*a;
	const char	*dot, *p;
	size_t		 base;

	*current = 0;
	for (a = assets; a->name != NULL; a++) {
		dot = strrchr(a->name, '.');
		base = (size_t)(dot - a->name);
		if (!strcmp(file, a->name))
			return (a);
		if (strncmp(file, a->name, base) || file[base] != '.')
			continue;
		p = file + base + 1;
		if (strlen(p) != FINGERPRINT_LEN + strlen(dot) ||
		    strcmp(p + FINGERPRINT_LEN, dot) ||
		    strspn(p, "0123456789abcdef") != FINGERPRINT_LEN)
			continue;
		*current = !strncmp(p, *a->etag + 1, FINGERPRINT_LEN);
		return (a);
	}
	return (NULL);
}

int
h_static(struct http_request *req)
{
	struct asset	*a;
	const char	*inm;
	int		 current;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	if ((a = asset_find(req->path + strlen("/static/"), &current)) ==
	    NULL)
		return (resp_error_page(req, 404));

	http_response_header(req, "etag", *a->etag);
	http_response_header(req, "cache-control", current ?
	    "public, max-age=31536000, immutable" : "no-cache");
	if (http_request_header(req, "if-none-match", &inm) &&
	    !strcmp(inm, *a->etag)) {
		resp_send(req, 304, NULL, NULL, 0);
		return (KORE_RESULT_OK);
	}
	resp_send(req, 200, a->ctype, a->data, *a->len);
	return (KORE_RESULT_OK);
}
