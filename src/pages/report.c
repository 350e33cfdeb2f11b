/*
 * report.c: a reader reports a post or a comment to the moderators.
 *
 *   GET  /report?post=<id> or ?comment=<id>    the form
 *   POST /report                               post_id or comment_id,
 *                                              reason
 *
 * Rate-limited per account (REPORTS_PER_HOUR): a flood from one account
 * is refused with 429, the text kept.  Reporting the same thing again
 * while the first report is open makes no second report.
 */

#include <string.h>

#include "db/db_mod.h"
#include "web/handler.h"
#include "web/moderate.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

enum report_step { R_READ, R_SAVE, R_FORM };

struct report_page {
	struct rctx		 rc;
	enum report_step	 step;
	struct report_in	 in;
	int			 status;
	const char		*error;
	struct dbq		 save, target;
	char			 rate[256];
};

static int	report_run(struct http_request *, void *);
static int	report_form(struct http_request *, struct report_page *);
static int	report_target(struct report_page *);

HANDLER(page_report, "GET, POST", H_USER, struct report_page, report_run,
    NULL, NULL);

/* GET ?post=<id> or ?comment=<id>: 0, or -1. */
static int
report_target(struct report_page *p)
{
	const char	*v;
	long		 n;

	memset(&p->in, 0, sizeof(p->in));
	if ((v = form_get(&p->rc.form, "post")) != NULL &&
	    config_parse_int(v, 1, INT64_MAX / 2, &n) == 0) {
		p->in.post_id = n;
		return (0);
	}
	if ((v = form_get(&p->rc.form, "comment")) != NULL &&
	    config_parse_int(v, 1, INT64_MAX / 2, &n) == 0) {
		p->in.comment_id = n;
		return (0);
	}
	return (-1);
}

/* The form, with what it is about (a hidden one is not there). */
static int
report_form(struct http_request *req, struct report_page *p)
{
	struct mod_target	t;
	struct html		b;
	int			r;

	if ((r = query_or_reply(req, &p->target, &db_mod_target, "sis",
	    p->in.comment_id ? "comment" : "post", p->in.comment_id ?
	    p->in.comment_id : p->in.post_id, NULL)) != STEP_OK)
		return (r);
	if (db_rows(&p->target) != 1)
		return (reply_error(req, 404));
	db_mod_target_row(&p->target, 0, &t);
	if (t.hidden)
		return (reply_error(req, 404));
	html_init(&b, 4096);
	if (p->step == R_SAVE) {
		html_lit(&b, "<h1>Thank you</h1><p>The moderators will look "
		    "at it.</p><p><a href=\"/posts/");
		html_int(&b, t.post_id);
		html_lit(&b, "\">Back to the post</a></p>");
		r = page_send(req, 200, "Reported", &b);
	} else {
		render_report_form(&b, &p->rc.viewer, &p->in, t.summary,
		    p->error);
		r = page_send(req, p->status, "Report", &b);
	}
	html_free(&b);
	return (r);
}

static int
report_run(struct http_request *req, void *arg)
{
	struct report_page	*p = arg;
	const char		*code;
	int			 r;

	if (p->step == R_READ) {
		p->status = 200;
		p->step = R_FORM;
		if (req->method == HTTP_METHOD_GET) {
			if (report_target(p) == -1)
				return (reply_error(req, 404));
		} else if (input_report_form(&p->rc.form, &p->in)) {
			p->step = R_SAVE;
		} else if (p->in.e_target != NULL) {
			return (reply_error(req, 404));
		} else {
			p->status = 422;
		}
	}
	if (p->step == R_SAVE && !db_started(&p->target)) {
		if ((r = report_or_reply(req, &p->save, p->rc.viewer.id,
		    &p->in)) != STEP_OK)
			return (r);
		if (!report_outcome(req, &p->save, &p->status, &code,
		    &p->error, p->rate, sizeof(p->rate))) {
			if (p->status == 404)
				return (reply_error(req, 404));
			p->step = R_FORM;
		}
	}
	return (report_form(req, p));
}
