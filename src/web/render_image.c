/*
 * render_image.c: HTML for images: the markup the site's own images get
 * wherever they are shown (a post's body, the feed, avatars, the
 * gallery), the gallery, and the page that says where an image is used
 * (see render.h).
 *
 * An image with variants is a <picture>: the WebP variants (or AVIF's)
 * as a <source>, the upload's format in the <img>, each with srcset by
 * width ("w" descriptors) and sizes for the place it is shown, the
 * largest variant's width and height (no layout shift), loading="lazy"
 * and decoding="async".  A WebP upload has WebP alone (no <picture>).
 * Images stored before variants existed keep a plain src.  Never
 * touches the database; every URL and text goes through the writer.
 */

#include <stdio.h>
#include <string.h>

#include "core/site.h"
#include "lib/cursor.h"
#include "lib/mdimage.h"
#include "lib/timefmt.h"
#include "storage/storage.h"
#include "web/render.h"

#define IMAGE_TYPES	"image/jpeg,image/png,image/gif,image/webp,image/avif"
/* A post's column: main is 42rem wide with 1rem of padding each side. */
#define SIZES_BODY	"(max-width: 42rem) calc(100vw - 2rem), 40rem"
#define SIZES_THUMB	"(max-width: 32rem) calc(100vw - 2rem), 20rem"
#define SIZES_AVATAR	"4rem"

/* What a post's image callback needs. */
struct body_ctx {
	const struct post	*post;
	int			 absolute;
};

static void	image_url(struct html *, const char *, int);
static const char	*image_type(const struct image_ref *);
static void	image_srcset(struct html *, const struct image_ref *,
		    const char *, int);
static const char	*largest_key(const struct image_ref *, const char *);
static int	body_image(struct html *, const struct md_img *, void *);
static int	url_is(const char *, size_t, const char *, int);
static void	render_bytes(struct html *, int64_t);
static void	img_start(struct html *, struct html_lit, const char *, int);
static void	img_alt(struct html *, const struct image_ref *,
		    const struct md_img *);

/* The URL of key: the store's, made absolute from PUBLIC_URL if asked. */
static void
image_url(struct html *h, const char *key, int absolute)
{
	char	url[1024];

	storage_public_url(key, url, sizeof(url));
	if (absolute && url[0] == '/')
		html_text(h, kb_cfg.public_url);
	html_text(h, url);
}

/* Is src (len bytes, as saved) the URL of key, relative or absolute? */
static int
url_is(const char *src, size_t len, const char *key, int with_base)
{
	char	url[1024], full[1200];

	storage_public_url(key, url, sizeof(url));
	if (strlen(url) == len && memcmp(src, url, len) == 0)
		return (1);
	if (!with_base || url[0] != '/')
		return (0);
	(void)snprintf(full, sizeof(full), "%s%s", kb_cfg.public_url, url);
	return (strlen(full) == len && memcmp(src, full, len) == 0);
}

/* The type of the image's own key: the format of its upload. */
static const char *
image_type(const struct image_ref *ref)
{
	int	i;

	for (i = 0; i < ref->nvariants; i++) {
		if (ref->key != NULL && !strcmp(ref->variants[i].key, ref->key))
			return (ref->variants[i].content_type);
	}
	return (ref->nvariants > 0 ? ref->variants[0].content_type :
	    "image/webp");
}

/* "url 320w, url 640w, ..." of the variants of one type. */
static void
image_srcset(struct html *h, const struct image_ref *ref, const char *type,
    int absolute)
{
	int	i, n;

	for (i = 0, n = 0; i < ref->nvariants; i++) {
		if (strcmp(ref->variants[i].content_type, type))
			continue;
		if (n++ > 0)
			html_lit(h, ", ");
		image_url(h, ref->variants[i].key, absolute);
		html_lit(h, " ");
		html_int(h, ref->variants[i].width);
		html_lit(h, "w");
	}
}

/* The largest variant of a type (the image's own key for its type). */
static const char *
largest_key(const struct image_ref *ref, const char *type)
{
	const char	*key;
	int		 i;

	key = NULL;
	for (i = 0; i < ref->nvariants; i++) {
		if (!strcmp(ref->variants[i].content_type, type))
			key = ref->variants[i].key;
	}
	return (key != NULL ? key : ref->key);
}

/* <img, its class if any, src="..." */
static void
img_start(struct html *h, struct html_lit cls, const char *key, int absolute)
{
	html_lit(h, "<img");
	if (cls.s != NULL) {
		html_lit(h, " class=\"");
		html_put(h, cls);
		html_lit(h, "\"");
	}
	html_lit(h, " src=\"");
	image_url(h, key, absolute);
	html_lit(h, "\"");
}

/* alt="...": the Markdown's own alt first; the image's when it has none. */
static void
img_alt(struct html *h, const struct image_ref *ref, const struct md_img *md)
{
	html_lit(h, " alt=\"");
	if (md != NULL && md->altlen > 0)
		html_md_img_alt(h, md);
	else if (ref->alt != NULL)
		html_text(h, ref->alt);
	html_lit(h, "\"");
}

void
render_picture(struct html *h, const struct image_ref *ref,
    const struct md_img *md, int absolute, struct html_lit sizes,
    struct html_lit cls)
{
	const char	*type, *img_type, *alt_type;

	if (ref->nvariants == 0) {
		/* Stored before variants existed: as it always was. */
		img_start(h, cls, ref->key, absolute);
		img_alt(h, ref, md);
		html_lit(h, " loading=\"lazy\" decoding=\"async\">");
		return;
	}
	type = image_type(ref);
	/*
	 * The <img> carries the upload's format, a <source> WebP before it;
	 * AVIF, which older browsers do not show, is the <source> and WebP
	 * the <img>; a WebP upload has nothing else.
	 */
	img_type = strcmp(type, "image/avif") ? type : "image/webp";
	alt_type = !strcmp(type, "image/webp") ? NULL :
	    !strcmp(type, "image/avif") ? "image/avif" : "image/webp";
	if (alt_type != NULL) {
		html_lit(h, "<picture><source type=\"");
		html_text(h, alt_type);
		html_lit(h, "\" srcset=\"");
		image_srcset(h, ref, alt_type, absolute);
		html_lit(h, "\" sizes=\"");
		html_put(h, sizes);
		html_lit(h, "\">");
	}
	img_start(h, cls, largest_key(ref, img_type), absolute);
	html_lit(h, " srcset=\"");
	image_srcset(h, ref, img_type, absolute);
	html_lit(h, "\" sizes=\"");
	html_put(h, sizes);
	html_lit(h, "\" width=\"");
	html_int(h, ref->width);
	html_lit(h, "\" height=\"");
	html_int(h, ref->height);
	html_lit(h, "\"");
	img_alt(h, ref, md);
	if (md != NULL && md->title != NULL) {
		html_lit(h, " title=\"");
		html_md_img_title(h, md);
		html_lit(h, "\"");
	}
	html_lit(h, " loading=\"lazy\" decoding=\"async\">");
	if (alt_type != NULL)
		html_lit(h, "</picture>");
}

/* One image of a post's body: the site's own get their markup. */
static int
body_image(struct html *h, const struct md_img *img, void *arg)
{
	const struct body_ctx	*b = arg;
	const struct image_ref	*ref;
	int			 i;

	for (i = 0; i < b->post->nimages; i++) {
		ref = &b->post->images[i];
		if (ref->key == NULL || ref->nvariants == 0 ||
		    !url_is(img->src, img->srclen, ref->key,
		    !kb_cfg.storage_s3))
			continue;
		render_picture(h, ref, img, b->absolute, HTML_LIT(SIZES_BODY),
		    HTML_NONE);
		return (1);
	}
	return (0);
}

void
render_post_body(struct html *h, const struct post *p, int absolute)
{
	struct body_ctx	b;

	b.post = p;
	b.absolute = absolute;
	html_md_saved_images(h, &p->body_html, body_image, &b);
}

void
render_avatar(struct html *h, const struct image_ref *ref, const char *alt)
{
	struct image_ref	r;

	r = *ref;
	r.alt = alt;
	render_picture(h, &r, NULL, 0, HTML_LIT(SIZES_AVATAR),
	    HTML_LIT("avatar"));
}

/* "12.3 MB" */
static void
render_bytes(struct html *h, int64_t n)
{
	char	buf[32];

	if (n < 1000)
		(void)snprintf(buf, sizeof(buf), "%lld bytes", (long long)n);
	else if (n < 1000 * 1000)
		(void)snprintf(buf, sizeof(buf), "%.1f kB", n / 1e3);
	else if (n < 1000LL * 1000 * 1000)
		(void)snprintf(buf, sizeof(buf), "%.1f MB", n / 1e6);
	else
		(void)snprintf(buf, sizeof(buf), "%.2f GB", n / 1e9);
	html_text(h, buf);
}

void
render_gallery(struct html *h, const struct viewer *v,
    const struct gallery_view *g)
{
	const struct image	*im;
	char			 cur[CURSOR_LEN + 1];
	int			 i, j, ready, shown;

	html_lit(h, "<h1>Your images</h1><p class=\"quota\">Your images "
	    "take ");
	render_bytes(h, g->used_bytes);
	if (g->quota > 0) {
		html_lit(h, " of your ");
		render_bytes(h, g->quota);
		html_lit(h, " quota");
	}
	html_lit(h, " (");
	html_int(h, g->count);
	html_put(h, g->count == 1 ? HTML_LIT(" image).") :
	    HTML_LIT(" images)."));
	if (g->quota > 0) {
		html_lit(h, " <meter min=\"0\" max=\"");
		html_int(h, g->quota);
		html_lit(h, "\" value=\"");
		html_int(h, g->used_bytes < g->quota ? g->used_bytes :
		    g->quota);
		html_lit(h, "\"></meter>");
	}
	html_lit(h, "</p><div class=\"upload\" data-mode=\"gallery\" hidden>"
	    "<label>Alt text: what the image you upload shows <input "
	    "type=\"text\" class=\"upload-alt\" maxlength=\"1000\"></label>"
	    "<label>Upload an image <input type=\"file\" accept=\""
	    IMAGE_TYPES "\"></label>"
	    "<progress max=\"100\" value=\"0\" hidden></progress>"
	    "<p class=\"upload-status\" role=\"status\"></p></div>"
	    "<noscript><p>Uploading needs JavaScript: the file goes "
	    "straight from your browser to storage.</p></noscript>");
	if (g->n == 0)
		html_lit(h, "<p class=\"empty\">No images yet.</p>");
	html_lit(h, "<ul class=\"gallery\">");
	for (i = 0; i < g->n && i < GALLERY_PAGE; i++) {
		im = &g->images[i];
		ready = !strcmp(im->state, "ready") && im->key != NULL;
		html_lit(h, "<li id=\"image-");
		html_int(h, im->id);
		html_lit(h, "\"><figure>");
		if (ready)
			render_picture(h, &im->ref, NULL, 0,
			    HTML_LIT(SIZES_THUMB), HTML_NONE);
		html_lit(h, "<figcaption>");
		html_text(h, im->filename);
		if (ready && im->ref.width > 0) {
			html_lit(h, " · ");
			html_int(h, im->ref.width);
			html_lit(h, "×");
			html_int(h, im->ref.height);
		}
		html_lit(h, " · ");
		render_bytes(h, im->stored_bytes);
		if (!strcmp(im->state, "pending"))
			html_lit(h, " <em>(upload not finished)</em>");
		else if (!strcmp(im->state, "deleting"))
			html_lit(h, " <em>(being deleted: delete it "
			    "again to finish)</em>");
		html_lit(h, "</figcaption></figure><p class=\"uses\">");
		shown = 0;
		for (j = 0; j < g->nuses; j++) {
			if (g->uses[j].image_id != im->id)
				continue;
			html_put(h, shown++ == 0 ? HTML_LIT("Used in ") :
			    HTML_LIT(", "));
			html_lit(h, "<a href=\"/posts/");
			html_int(h, g->uses[j].post_id);
			html_lit(h, "\">");
			html_text(h, g->uses[j].title);
			html_lit(h, "</a>");
			if (shown == 5 && g->uses[j].count > 5) {
				html_lit(h, " and ");
				html_int(h, g->uses[j].count - 5);
				html_lit(h, " more");
			}
		}
		if (im->id == g->avatar_id) {
			html_put(h, shown++ == 0 ? HTML_LIT("Your avatar") :
			    HTML_LIT("; your avatar"));
		}
		html_put(h, shown == 0 ? HTML_LIT("Not used anywhere.</p>") :
		    HTML_LIT(".</p>"));
		if (ready) {
			html_lit(h, "<form method=\"post\" class=\"alt-form\" "
			    "action=\"/images/");
			html_int(h, im->id);
			html_lit(h, "/alt\">");
			render_csrf(h, v);
			html_lit(h, "<label>Alt text <input type=\"text\" "
			    "name=\"alt\" maxlength=\"1000\" value=\"");
			html_text(h, im->alt);
			html_lit(h, "\"></label><button type=\"submit\" "
			    "class=\"secondary\">Save</button></form>");
			if (*im->alt == '\0')
				html_lit(h, "<p class=\"warn\">No alt text: "
				    "say what it shows, for people who "
				    "cannot see it.</p>");
		}
		html_lit(h, "<form method=\"post\" class=\"inline\" "
		    "action=\"/images/");
		html_int(h, im->id);
		html_lit(h, "/delete\">");
		render_csrf(h, v);
		html_lit(h, "<button type=\"submit\" class=\"link\">Delete"
		    "</button></form>");
		if (ready) {
			html_lit(h, " · <form method=\"post\" class=\"inline\" "
			    "action=\"/settings/avatar\">");
			render_csrf(h, v);
			html_lit(h, "<input type=\"hidden\" name=\"image_id\" "
			    "value=\"");
			html_int(h, im->id);
			html_lit(h, "\"><button type=\"submit\" class=\"link\">"
			    "Use as avatar</button></form>");
		}
		html_lit(h, "</li>");
	}
	html_lit(h, "</ul>");
	if (g->n > GALLERY_PAGE && cursor_encode(cur, sizeof(cur),
	    CURSOR_TIME, g->images[GALLERY_PAGE - 1].created_at,
	    g->images[GALLERY_PAGE - 1].id) == 0) {
		html_lit(h, "<nav class=\"pager\"><span></span><a rel=\"next\" "
		    "href=\"/images?cursor=");
		html_url(h, cur);
		html_lit(h, "\">Older images →</a></nav>");
	}
}

void
render_alt_form(struct html *h, const struct viewer *v, int64_t id,
    const char *alt, const char *error)
{
	html_lit(h, "<h1>Alt text</h1><form class=\"stack\" method=\"post\" "
	    "action=\"/images/");
	html_int(h, id);
	html_lit(h, "/alt\">");
	render_csrf(h, v);
	render_field(h, HTML_LIT("What the image shows (one line)"),
	    HTML_LIT("alt"), HTML_LIT("text"), alt, error,
	    HTML_LIT("maxlength=\"1000\""));
	html_lit(h, "<button type=\"submit\">Save</button></form>"
	    "<p><a href=\"/images\">Back to your images</a></p>");
}

void
render_image_in_use(struct html *h, const struct viewer *v, int64_t id,
    const struct image_use *uses, int n, int avatar, int forced)
{
	int	i;

	html_lit(h, "<h1>This image is in use</h1>");
	if (forced)
		render_alert(h, "It was saved into a post again while it was "
		    "being taken out, or a post spells its address in a way "
		    "that cannot be changed for you: edit the posts below, "
		    "then delete it again.");
	html_lit(h, "<p>Deleting it would leave a hole where it is shown:"
	    "</p><ul class=\"image-uses\">");
	for (i = 0; i < n; i++) {
		html_lit(h, "<li><a href=\"/posts/");
		html_int(h, uses[i].post_id);
		html_lit(h, "\">");
		html_text(h, uses[i].title);
		html_lit(h, "</a></li>");
	}
	if (avatar)
		html_lit(h, "<li>your avatar</li>");
	html_lit(h, "</ul><form method=\"post\" action=\"/images/");
	html_int(h, id);
	html_lit(h, "/delete\" class=\"stack\">");
	render_csrf(h, v);
	html_lit(h, "<input type=\"hidden\" name=\"remove_from_posts\" "
	    "value=\"1\"><button type=\"submit\" class=\"danger\">Take it out "
	    "of all of these and delete it</button></form><p><a href=\""
	    "/images\">Keep it</a></p>");
}
