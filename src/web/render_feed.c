/*
 * render_feed.c: the Atom feed (RFC 4287) and the sitemap (see
 * render.h).
 *
 * Text goes through html_text(), whose five escapes are valid XML; post
 * bodies travel as escaped HTML (type="html"), with xml:base set to the
 * post so relative links resolve.  Links and the site's own images are
 * absolute, from PUBLIC_URL.  Never touches the database.
 */

#include "core/site.h"
#include "lib/timefmt.h"
#include "web/render.h"

void
render_atom(struct html *h, const struct post *posts, int n)
{
	struct html	 body;
	const char	*base;
	char		 t[TIMEFMT_RFC3339_SIZE];
	int		 i;

	base = kb_cfg.public_url;
	html_lit(h, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>kblog</title>"
	    "<id>");
	html_text(h, base);
	html_lit(h, "/</id><link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"");
	html_text(h, base);
	html_lit(h, "/feed.atom\"/><link rel=\"alternate\" "
	    "type=\"text/html\" href=\"");
	html_text(h, base);
	html_lit(h, "/\"/><updated>");
	(void)timefmt_rfc3339(t, n > 0 ? posts[0].updated_at : 0, 0);
	html_text(h, t);
	html_lit(h, "</updated><generator>kblog</generator>");
	for (i = 0; i < n; i++) {
		html_lit(h, "<entry><title>");
		html_text(h, posts[i].title);
		html_lit(h, "</title><id>");
		html_text(h, base);
		html_lit(h, "/posts/");
		html_int(h, posts[i].id);
		html_lit(h, "</id><link rel=\"alternate\" type=\"text/html\" "
		    "href=\"");
		html_text(h, base);
		html_lit(h, "/posts/");
		html_int(h, posts[i].id);
		html_lit(h, "\"/><published>");
		(void)timefmt_rfc3339(t, posts[i].created_at, 0);
		html_text(h, t);
		html_lit(h, "</published><updated>");
		(void)timefmt_rfc3339(t, posts[i].updated_at, 0);
		html_text(h, t);
		html_lit(h, "</updated><author><name>");
		/* "Display (@username)", or "@username". */
		if (*posts[i].display_name != '\0') {
			html_text(h, posts[i].display_name);
			html_lit(h, " (@");
			html_text(h, posts[i].username);
			html_lit(h, ")");
		} else {
			html_lit(h, "@");
			html_text(h, posts[i].username);
		}
		html_lit(h, "</name><uri>");
		html_text(h, base);
		html_lit(h, "/users/");
		html_url(h, posts[i].username);
		/* The body, its images with absolute URLs, escaped once
		 * more: relative links resolve against the post. */
		html_lit(h, "</uri></author><content type=\"html\" "
		    "xml:base=\"");
		html_text(h, base);
		html_lit(h, "/posts/");
		html_int(h, posts[i].id);
		html_lit(h, "\">");
		html_init(&body, 8192);
		render_post_body(&body, &posts[i], 1);
		html_textn(h, html_data(&body), html_len(&body));
		html_free(&body);
		html_lit(h, "</content></entry>");
	}
	html_lit(h, "</feed>\n");
}

void
render_sitemap_begin(struct html *h)
{
	html_lit(h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
	    "<url><loc>");
	html_text(h, kb_cfg.public_url);
	html_lit(h, "/</loc></url>");
}

void
render_sitemap_post(struct html *h, int64_t id, int64_t updated)
{
	char	d[TIMEFMT_RFC3339_SIZE];

	html_lit(h, "<url><loc>");
	html_text(h, kb_cfg.public_url);
	html_lit(h, "/posts/");
	html_int(h, id);
	(void)timefmt_rfc3339(d, updated, 0);
	d[10] = '\0';	/* the date: YYYY-MM-DD */
	html_lit(h, "</loc><lastmod>");
	html_text(h, d);
	html_lit(h, "</lastmod></url>");
}

void
render_sitemap_end(struct html *h)
{
	html_lit(h, "</urlset>\n");
}
