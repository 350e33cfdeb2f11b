/*
 * h_feed.c: /feed.atom (Atom 1.0, RFC 4287) and /sitemap.xml.
 *
 * Text goes through html_text(), whose five escapes are valid XML; post
 * bodies travel as escaped HTML (type="html").  Links are absolute, from
 * PUBLIC_URL.
 */

#include "kblog.h"
#include "html.h"

static int	xml_send(struct http_request *, const char *, struct sbuf *);

static int
xml_send(struct http_request *req, const char *ctype, struct sbuf *b)
{
	http_response_header(req, "cache-control", "public, max-age=60");
	resp_send(req, 200, ctype, b->data, b->len);
	sbuf_free(b);
	return (KORE_RESULT_OK);
}

int
h_feed(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 b;
	int		 r, i, n;
	const char	*base;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	c = ctx_get(req);
	r = db_run(req, &c->q[0], DB_READ, sql_feed, 0);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));

	base = kb_cfg.public_url;
	n = db_ntuples(&c->q[0]);
	sbuf_init(&b, 32768);
	sbuf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>kblog</title>"
	    "<id>");
	html_text(&b, base);
	sbuf_adds(&b, "/</id><link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"");
	html_text(&b, base);
	sbuf_adds(&b, "/feed.atom\"/><link rel=\"alternate\" "
	    "type=\"text/html\" href=\"");
	html_text(&b, base);
	sbuf_adds(&b, "/\"/><updated>");
	sbuf_adds(&b, n > 0 ? db_value(&c->q[0], 0, 4) :
	    "1970-01-01T00:00:00Z");
	sbuf_adds(&b, "</updated><generator>kblog</generator>");
	for (i = 0; i < n; i++) {
		sbuf_adds(&b, "<entry><title>");
		html_text(&b, db_value(&c->q[0], i, 1));
		sbuf_adds(&b, "</title><id>");
		html_text(&b, base);
		sbuf_addf(&b, "/posts/%s</id><link rel=\"alternate\" "
		    "type=\"text/html\" href=\"", db_value(&c->q[0], i, 0));
		html_text(&b, base);
		sbuf_addf(&b, "/posts/%s\"/><published>%s</published>"
		    "<updated>%s</updated><author><name>",
		    db_value(&c->q[0], i, 0), db_value(&c->q[0], i, 3),
		    db_value(&c->q[0], i, 4));
		/* "Display (@username)", or "@username". */
		if (*db_value(&c->q[0], i, 6) != '\0') {
			html_text(&b, db_value(&c->q[0], i, 6));
			sbuf_adds(&b, " (@");
			html_text(&b, db_value(&c->q[0], i, 5));
			sbuf_adds(&b, ")");
		} else {
			sbuf_adds(&b, "@");
			html_text(&b, db_value(&c->q[0], i, 5));
		}
		sbuf_adds(&b, "</name><uri>");
		html_text(&b, base);
		sbuf_adds(&b, "/users/");
		html_urlpart(&b, db_value(&c->q[0], i, 5));
		sbuf_adds(&b, "</uri></author><content type=\"html\">");
		html_text(&b, db_value(&c->q[0], i, 2));
		sbuf_adds(&b, "</content></entry>");
	}
	sbuf_adds(&b, "</feed>\n");
	return (xml_send(req, "application/atom+xml; charset=utf-8", &b));
}

int
h_sitemap(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 b;
	int		 r, i, n;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	c = ctx_get(req);
	r = db_run(req, &c->q[0], DB_READ, sql_sitemap, 0);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));

	n = db_ntuples(&c->q[0]);
	sbuf_init(&b, 64 + (size_t)n * 96);
	sbuf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
	    "<url><loc>");
	html_text(&b, kb_cfg.public_url);
	sbuf_adds(&b, "/</loc></url>");
	for (i = 0; i < n; i++) {
		sbuf_adds(&b, "<url><loc>");
		html_text(&b, kb_cfg.public_url);
		sbuf_addf(&b, "/posts/%s</loc><lastmod>%s</lastmod></url>",
		    db_value(&c->q[0], i, 0), db_value(&c->q[0], i, 1));
	}
	sbuf_adds(&b, "</urlset>\n");
	return (xml_send(req, "application/xml; charset=utf-8", &b));
}
