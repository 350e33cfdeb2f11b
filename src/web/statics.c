/*
 * statics.c: the stylesheet and the script, compiled into the module
 * from assets/ by kodev, and their addresses (pages/static.c serves
 * them: Kore's own asset_serve_* sends neither a cache policy nor the
 * security headers, and answers 400 to HEAD).
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

#include <stdio.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "assets.h"
#include "web/statics.h"

#define FINGERPRINT_LEN	12

static struct static_asset	assets[] = {
	{ "style.css", "text/css; charset=utf-8", asset_style_css,
	    &asset_len_style_css, &asset_sha256_style_css, "" },
	{ "app.js", "text/javascript; charset=utf-8", asset_app_js,
	    &asset_len_app_js, &asset_sha256_app_js, "" },
	{ NULL, NULL, NULL, NULL, NULL, "" }
};

/* The fingerprinted address of an asset, e.g. for <link href>. */
const char *
static_path(const char *name)
{
	struct static_asset	*a;
	const char		*dot;

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
struct static_asset *
static_find(const char *file, int *current)
{
	struct static_asset	*a;
	const char		*dot, *p;
	size_t			 base;

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
