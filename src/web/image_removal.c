/*
 * image_removal.c: removing an image (see image_removal.h).
 *
 * Owns the steps of a removal and the rewriting of the posts it is taken
 * out of (Markdown rendered on the event loop, as a post save does).
 * Never writes SQL (db/db_images.h, db/db_posts.h) nor HTML (render.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/site.h"
#include "db/db_posts.h"
#include "lib/mdimage.h"
#include "lib/pgarray.h"
#include "web/handler.h"
#include "web/image_removal.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define RM_RETIRE	0
#define RM_NEXT		1
#define RM_UNLINK	2
#define RM_OBJECTS	3
#define RM_ROW		4
#define RM_USES		5

#define USES_MAX	50	/* posts named in a refusal */
#define UNLINK_TRIES	3	/* a post changed meanwhile: read again */

static int	removal_in_use(struct http_request *, struct image_removal *,
		    int64_t, int64_t);
static int	removal_urls(struct http_request *, struct image_removal *,
		    int64_t);
static int	removal_unlink(struct http_request *, struct image_removal *,
		    int64_t, int64_t);
static void	removal_keys(struct image_removal *, const struct dbq *);
static int	html_shows(const char *, const struct image_removal *);

int
storage_or_reply(struct http_request *req, struct task *t,
    struct storage_io *io, int want)
{
	switch (storage_run(req, t, io)) {
	case TASK_PENDING:
		return (STEP_WAIT);
	case TASK_DONE:
		if (io->status == want)
			return (STEP_OK);
		break;
	}
	return (reply_storage_unavailable(req));
}

int
reply_storage_unavailable(struct http_request *req)
{
	return (reply_error_code(req, 503, "storage_unavailable",
	    "Image storage is not answering. Please try again in a moment.",
	    NULL));
}

void
image_removal_done(struct image_removal *rm)
{
	size_t	i;

	input_post_free(&rm->in);
	if (rm->md.data != NULL)
		sbuf_free(&rm->md);
	for (i = 0; i < rm->nurls; i++) {
		kore_free(rm->urls[i]);
		rm->urls[i] = NULL;
	}
	rm->nurls = 0;
}

/* The objects image_retire() named: variants, served key, upload. */
static void
removal_keys(struct image_removal *rm, const struct dbq *q)
{
	const char	*keys[STORAGE_VARIANTS_MAX];
	char		 buf[STORAGE_VARIANTS_MAX * STORAGE_KEY_MAX];
	int		 i, n;

	memset(&rm->io, 0, sizeof(rm->io));
	rm->io.op = ST_DELETE;
	if (!db_isnull(q, 0, 1))
		(void)kore_strlcpy(rm->io.key, db_text(q, 0, 1),
		    sizeof(rm->io.key));
	if (!db_isnull(q, 0, 2))
		(void)kore_strlcpy(rm->io.upload_key, db_text(q, 0, 2),
		    sizeof(rm->io.upload_key));
	n = db_isnull(q, 0, 3) ? 0 : pgarray_parse(db_text(q, 0, 3), buf,
	    sizeof(buf), keys, STORAGE_VARIANTS_MAX);
	for (i = 0; i < n; i++)
		(void)kore_strlcpy(rm->io.variants[i].key, keys[i],
		    sizeof(rm->io.variants[i].key));
	rm->io.nvariants = n < 0 ? 0 : n;
	task_reset(&rm->task);
}

int
image_remove_or_reply(struct http_request *req, struct image_removal *rm,
    int64_t id, int64_t owner, int force)
{
	const char	*outcome;
	int		 r;

	rm->force = force;
	for (;;) {
		switch (rm->step) {
		case RM_RETIRE:
			if ((r = query_or_reply(req, &rm->retire,
			    &db_image_retire, "iib", id, owner,
			    rm->force)) != STEP_OK)
				return (r);
			outcome = db_text(&rm->retire, 0, 0);
			if (!strcmp(outcome, "missing"))
				return (reply_error_code(req, 404,
				    "not_found", "No such image.", NULL));
			if (!strcmp(outcome, "forbidden"))
				return (reply_error_code(req, 403,
				    "forbidden", "This image belongs to "
				    "someone else.", NULL));
			if (!strcmp(outcome, "ok")) {
				removal_keys(rm, &rm->retire);
				rm->step = RM_OBJECTS;
				break;
			}
			/*
			 * In use.  Forced, it is taken out of every post
			 * once; a post that shows it again after that was
			 * saved meanwhile: say so.
			 */
			if (!rm->force || rm->passes++ > 0) {
				rm->step = RM_USES;
				break;
			}
			rm->step = RM_NEXT;
			break;
		case RM_USES:
			return (removal_in_use(req, rm, id, owner));
		case RM_NEXT:
			if ((r = removal_urls(req, rm, id)) != STEP_OK)
				return (r);
			if ((r = query_or_reply(req, &rm->next,
			    &db_image_next_use, "ii", id, owner)) != STEP_OK)
				return (r);
			if (db_rows(&rm->next) == 0) {
				/* No post shows it now: again, with the
				 * avatar unset. */
				kore_log(LOG_NOTICE, "images: image %lld taken "
				    "out of %d post(s)", (long long)id,
				    rm->changed);
				db_cleanup(&rm->retire);
				rm->step = RM_RETIRE;
				break;
			}
			rm->step = RM_UNLINK;
			break;
		case RM_UNLINK:
			if ((r = removal_unlink(req, rm, id, owner)) !=
			    STEP_OK)
				return (r);
			db_cleanup(&rm->next);
			rm->step = RM_NEXT;
			break;
		case RM_OBJECTS:
			if ((r = storage_or_reply(req, &rm->task, &rm->io,
			    204)) != STEP_OK)
				return (r);
			rm->step = RM_ROW;
			break;
		case RM_ROW:
			return (query_or_reply(req, &rm->del,
			    &db_image_delete, "ii", id, owner));
		}
	}
}

/*
 * Every URL that shows the image (its key's and each variant's, and for
 * the local store also with PUBLIC_URL in front), from its row.
 */
static int
removal_urls(struct http_request *req, struct image_removal *rm, int64_t id)
{
	struct image	 im;
	char		 url[1024];
	const char	*keys[IMAGE_VARIANTS_MAX + 1];
	int		 i, n, r;

	if (rm->nurls > 0)
		return (STEP_OK);
	if ((r = query_or_reply(req, &rm->get, &db_image_get, "i", id)) !=
	    STEP_OK)
		return (r);
	if (db_rows(&rm->get) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such image.", NULL));
	db_image_row(&rm->get, 0, &im);
	n = 0;
	if (im.key != NULL)
		keys[n++] = im.key;
	for (i = 0; i < im.ref.nvariants; i++) {
		if (im.key == NULL || strcmp(im.ref.variants[i].key, im.key))
			keys[n++] = im.ref.variants[i].key;
	}
	for (i = 0; i < n && rm->nurls + 2 <= IMAGE_URLS_MAX; i++) {
		storage_public_url(keys[i], url, sizeof(url));
		rm->urls[rm->nurls++] = kore_strdup(url);
		if (!kb_cfg.storage_s3) {
			(void)snprintf(url, sizeof(url), "%s/_store/%s",
			    kb_cfg.public_url, keys[i]);
			rm->urls[rm->nurls++] = kore_strdup(url);
		}
	}
	if (rm->nurls == 0) {
		/* Nothing was ever served: nothing to take out. */
		rm->urls[rm->nurls++] = kore_strdup("\x01");
	}
	return (STEP_OK);
}

/* Does rendered HTML still show one of the image's URLs? */
static int
html_shows(const char *html, const struct image_removal *rm)
{
	char	needle[1100];
	size_t	i;

	for (i = 0; i < rm->nurls; i++) {
		(void)snprintf(needle, sizeof(needle), "src=\"%s\"",
		    rm->urls[i]);
		if (strstr(html, needle) != NULL)
			return (1);
	}
	return (0);
}

/*
 * The next post that shows the image (rm->next) loses it: its Markdown
 * without the image, rendered, saved if nobody changed it meanwhile.  A
 * post whose text spells the URL so that it cannot be found, or that
 * keeps changing, ends the removal with the list of uses.
 */
static int
removal_unlink(struct http_request *req, struct image_removal *rm,
    int64_t id, int64_t owner)
{
	const char	*md;
	int64_t		 post;
	int		 r;

	post = db_int(&rm->next, 0, 0);
	md = db_text(&rm->next, 0, 1);
	if (!db_started(&rm->unlink)) {
		if (post != rm->post) {
			rm->post = post;
			rm->tries = 0;
		}
		input_post_free(&rm->in);
		if (rm->md.data != NULL)
			sbuf_free(&rm->md);
		sbuf_init(&rm->md, strlen(md) + 1);
		(void)md_remove_images(&rm->md, md, strlen(md),
		    (const char *const *)rm->urls, rm->nurls);
		memset(&rm->in, 0, sizeof(rm->in));
		rm->in.body = sbuf_cstr(&rm->md);
		if (input_post_render(&rm->in) == -1)
			return (reply_error(req, 500));
		if (html_shows(rm->in.html.data, rm) ||
		    ++rm->tries > UNLINK_TRIES) {
			kore_log(LOG_NOTICE, "images: image %lld stays in "
			    "post %lld", (long long)id, (long long)post);
			rm->step = RM_USES;
			return (removal_in_use(req, rm, id, owner));
		}
	}
	if ((r = query_or_reply(req, &rm->unlink, &db_post_unlink, "iissss",
	    post, owner, md, rm->in.body, rm->in.html.data,
	    rm->in.excerpt)) != STEP_OK)
		return (r);
	if (db_rows(&rm->unlink) == 1)
		rm->changed++;
	/* Not changed: someone saved it meanwhile; read it again. */
	db_cleanup(&rm->unlink);
	return (STEP_OK);
}

/* 409: where it is used, for the API or as a page with a way on. */
static int
removal_in_use(struct http_request *req, struct image_removal *rm,
    int64_t id, int64_t owner)
{
	struct rctx		*rc = rctx(req);
	struct image_use	 uses[USES_MAX];
	struct html		 b;
	json_t			*posts, *why;
	char			 url[64];
	int			 i, n, avatar, r;

	if ((r = query_or_reply(req, &rm->uses, &db_image_uses, "ii", id,
	    owner)) != STEP_OK)
		return (r);
	n = db_image_uses_rows(&rm->uses, uses, USES_MAX, &avatar);
	if (reply_wants_json(req)) {
		posts = json_array();
		for (i = 0; i < n; i++) {
			(void)snprintf(url, sizeof(url), "/posts/%lld",
			    (long long)uses[i].post_id);
			json_array_append_new(posts, json_pack("{s:I, s:s, "
			    "s:s}", "id", (json_int_t)uses[i].post_id,
			    "title", uses[i].title, "url", url));
		}
		why = json_pack("{s:b, s:o, s:b}", "avatar", avatar,
		    "posts", posts, "more", db_rows(&rm->uses) > USES_MAX);
		return (reply_error_with(req, 409, "image_in_use", "This "
		    "image is in use (see uses). Take it out of those posts "
		    "first, or delete it with remove_from_posts=true to "
		    "take it out of them.", "uses", why));
	}
	html_init(&b, 4096);
	render_image_in_use(&b, &rc->viewer, id, uses, n, avatar, rm->force);
	r = page_send(req, 409, "This image is in use", &b);
	html_free(&b);
	return (r);
}

int
image_forget_or_reply(struct http_request *req, struct image_removal *rm,
    int64_t id, int64_t owner, const char *key, const char *upload_key)
{
	int	r;

	if (rm->step == RM_RETIRE) {
		memset(&rm->io, 0, sizeof(rm->io));
		rm->io.op = ST_DELETE;
		if (key != NULL)
			(void)kore_strlcpy(rm->io.key, key, sizeof(rm->io.key));
		if (upload_key != NULL)
			(void)kore_strlcpy(rm->io.upload_key, upload_key,
			    sizeof(rm->io.upload_key));
		task_reset(&rm->task);
		rm->step = RM_OBJECTS;
	}
	if (rm->step == RM_OBJECTS) {
		if ((r = storage_or_reply(req, &rm->task, &rm->io, 204)) !=
		    STEP_OK)
			return (r);
		rm->step = RM_ROW;
	}
	return (query_or_reply(req, &rm->del, &db_image_delete, "ii", id,
	    owner));
}
