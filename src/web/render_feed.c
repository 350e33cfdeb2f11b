/*
 * render_feed.c: Atom feeds (RFC 4287), the sitemap and robots.txt (see
 * render.h).
 *
 * Text goes through html_text(), whose five escapes are valid XML; post
 * bodies travel as escaped HTML (type="html"), the site's own images
 * with their variants (render_post_body), and every relative URL made
 * absolute (markdown_absolute_urls), since feed readers show them away
 * from the site.  Every link is absolute, from PUBLIC_URL.  Never
 * touches the database.
 */

#include <string.h>

#include "core/site.h"
#include "lib/markdown.h"
#include "lib/slug.h"
#include "lib/tag.h"
#include "lib/timefmt.h"
#include "web/render.h"

static void	atom_time(struct html *, int64_t);
static void	atom_entry(struct html *, const struct post *);
static void	sitemap_lastmod(struct html *, int64_t);

static void
atom_time(struct html *h, int64_t at)
{
	char	t[TIMEFMT_RFC3339_SIZE];

	(void)timefmt_rfc3339(t, at, 0);
	html_text(h, t);
}

static void
atom_entry(struct html *h, const struct post *p)
{
	struct html	 url, own;
	struct md_html	 body;
	char		 img[1024], slug[TAG_SLUG_SIZE];
	int		 i;

	html_init(&url, 256);
	html_text(&url, kb_cfg.public_url);
	render_post_path(&url, p);

	html_lit(h, "<entry><title>");
	html_text(h, p->title);
	html_lit(h, "</title><id>");
	html_cat(h, &url);
	html_lit(h, "</id><link rel=\"alternate\" type=\"text/html\" "
	    "href=\"");
	html_cat(h, &url);
	html_lit(h, "\"/><published>");
	atom_time(h, p->published_at);
	html_lit(h, "</published><updated>");
	atom_time(h, p->updated_at);
	html_lit(h, "</updated><author><name>");
	/* "Display (@username)", or "@username". */
	if (*p->display_name != '\0') {
		html_text(h, p->display_name);
		html_lit(h, " (@");
		html_text(h, p->username);
		html_lit(h, ")");
	} else {
		html_lit(h, "@");
		html_text(h, p->username);
	}
	html_lit(h, "</name><uri>");
	html_text(h, kb_cfg.public_url);
	html_lit(h, "/users/");
	html_url(h, p->username);
	html_lit(h, "</uri></author>");
	for (i = 0; i < p->tags.n; i++) {
		(void)tag_slug(p->tags.v[i], slug);
		html_lit(h, "<category term=\"");
		html_text(h, p->tags.v[i]);
		html_lit(h, "\" scheme=\"");
		html_text(h, kb_cfg.public_url);
		html_lit(h, "/tags/\" label=\"");
		html_text(h, p->tags.v[i]);
		html_lit(h, "\"/>");
	}
	if (p->cover_key != NULL) {
		render_image_url(img, sizeof(img), p->cover_key);
		html_lit(h, "<media:thumbnail url=\"");
		html_text(h, img);
		html_lit(h, "\"/>");
	}
	if (*p->excerpt != '\0') {
		html_lit(h, "<summary>");
		html_text(h, p->excerpt);
		html_lit(h, "</summary>");
	}
	html_lit(h, "<content type=\"html\"");
	if (p->lang != NULL) {
		html_lit(h, " xml:lang=\"");
		html_text(h, p->lang);
		html_lit(h, "\"");
	}
	html_lit(h, ">");
	/* The base and the post's URL are this site's: attribute-safe. */
	html_init(&own, 8192);
	render_post_body(&own, p, 1);
	if (markdown_absolute_urls(&body, html_cstr(&own), kb_cfg.public_url,
	    html_cstr(&url)) == 0) {
		html_text(h, body.data);
		md_html_free(&body);
	}
	html_free(&own);
	html_lit(h, "</content></entry>");
	html_free(&url);
}

void
render_atom(struct html *h, const struct feed_view *f)
{
	int	i;

	html_lit(h, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:media=\"http://search.yahoo.com/mrss/\"><title>");
	if (f->title != NULL) {
		html_text(h, f->title);
		html_lit(h, " - ");
	}
	html_text(h, kb_cfg.site_name);
	html_lit(h, "</title><subtitle>");
	html_text(h, kb_cfg.site_description);
	html_lit(h, "</subtitle><id>");
	html_text(h, kb_cfg.public_url);
	html_cat(h, f->path);
	html_lit(h, "</id><link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"");
	html_text(h, kb_cfg.public_url);
	html_cat(h, f->path);
	html_lit(h, "\"/><link rel=\"alternate\" type=\"text/html\" "
	    "href=\"");
	html_text(h, kb_cfg.public_url);
	html_cat(h, f->page);
	html_lit(h, "\"/><updated>");
	atom_time(h, f->updated);
	html_lit(h, "</updated><generator>kblog</generator>");
	if (kb_cfg.site_logo != NULL) {
		html_lit(h, "<logo>");
		html_text(h, kb_cfg.site_logo);
		html_lit(h, "</logo>");
	}
	for (i = 0; i < f->n; i++)
		atom_entry(h, &f->posts[i]);
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

/* </loc><lastmod>YYYY-MM-DD</lastmod></url> */
static void
sitemap_lastmod(struct html *h, int64_t updated)
{
	char	d[TIMEFMT_RFC3339_SIZE];

	(void)timefmt_rfc3339(d, updated, 0);
	d[10] = '\0';	/* the date: YYYY-MM-DD */
	html_lit(h, "</loc><lastmod>");
	html_text(h, d);
	html_lit(h, "</lastmod></url>");
}

void
render_sitemap_post(struct html *h, int64_t id, const char *slug,
    int64_t updated)
{
	html_lit(h, "<url><loc>");
	html_text(h, kb_cfg.public_url);
	slug_path(h, id, slug);
	sitemap_lastmod(h, updated);
}

void
render_sitemap_user(struct html *h, const char *username, int64_t updated)
{
	html_lit(h, "<url><loc>");
	html_text(h, kb_cfg.public_url);
	html_lit(h, "/users/");
	html_url(h, username);
	sitemap_lastmod(h, updated);
}

void
render_sitemap_tag(struct html *h, const char *tag, int64_t updated)
{
	char	slug[TAG_SLUG_SIZE];

	(void)tag_slug(tag, slug);
	html_lit(h, "<url><loc>");
	html_text(h, kb_cfg.public_url);
	html_lit(h, "/tags/");
	html_text(h, slug);
	sitemap_lastmod(h, updated);
}

void
render_sitemap_end(struct html *h)
{
	html_lit(h, "</urlset>\n");
}

/*
 * Every page may be crawled but the API, the store's objects and the
 * forms that only write; the sitemap is named.
 */
void
render_robots(struct sbuf *b)
{
	sbuf_adds(b, "User-agent: *\nDisallow: /api/\nDisallow: /_store/u/\n"
	    "Allow: /\n\nSitemap: ");
	sbuf_adds(b, kb_cfg.public_url);
	sbuf_adds(b, "/sitemap.xml\n");
}
