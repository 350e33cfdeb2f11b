/*
 * mdimage.h: the images of a post, in its rendered HTML and in its
 * Markdown.
 *
 *  - html_md_saved_images() writes saved HTML (markdown.h's struct
 *    md_saved) as html_md_saved() does, but hands every image to a
 *    callback first, which may write markup of its own instead: the site
 *    rewrites its own images with srcset, sizes, width and height at
 *    render time, and leaves every other as it was written.  The images
 *    are found as cmark-gfm writes them, <img src="S" alt="A" /> or
 *    <img src="S" alt="A" title="T" />: raw HTML never reaches saved
 *    HTML (markdown.c removes it), and text or code that looks like a tag
 *    is escaped there, so this pattern is exact.  Anything else is copied
 *    byte for byte.
 *  - md_remove_images() takes images out of Markdown: every ![...](URL)
 *    whose URL is one of those given, then any other occurrence of those
 *    URLs, so the rendered post shows none of them.  The URLs are found
 *    as written: one spelled with entities, backslash escapes or control
 *    characters (which the renderer decodes or drops) is not, so the
 *    caller checks what the new text renders to.
 *
 * Pure code (libc): no Kore headers.  Like markdown.c, the only code
 * that writes HTML it did not escape itself, and only what markdown.c
 * rendered (the saved bytes, and the alt and title attributes as they
 * were saved: escaped by cmark-gfm).
 */

#ifndef KBLOG_MDIMAGE_H
#define KBLOG_MDIMAGE_H

#include <stddef.h>

#include "html.h"
#include "markdown.h"
#include "sbuf.h"

/* An image of saved HTML: its attribute values as saved (escaped). */
struct md_img {
	const char	*src;
	size_t		 srclen;
	const char	*alt;
	size_t		 altlen;
	const char	*title;		/* NULL: none */
	size_t		 titlelen;
};

/*
 * Called for each image: writes its replacement into the page and
 * returns 1, or returns 0 (having written nothing) to keep the image as
 * it was saved.
 */
typedef int	(*md_img_fn)(struct html *, const struct md_img *, void *arg);

void	html_md_saved_images(struct html *, const struct md_saved *,
	    md_img_fn, void *arg);
/* The image's alt text, or its title, as saved (already escaped). */
void	html_md_img_alt(struct html *, const struct md_img *);
void	html_md_img_title(struct html *, const struct md_img *);

/*
 * The Markdown src (len bytes) without the images whose destination is
 * one of the n URLs: each ![alt](URL), ![alt](URL "title") or
 * ![alt](<URL>) goes whole; then every other occurrence of a URL (a
 * reference definition, a link) is cut out, so that no image of the
 * rendered post can show it.  Appends the result to out; returns how
 * many places were changed.
 */
size_t	md_remove_images(struct sbuf *out, const char *src, size_t len,
	    const char *const *urls, size_t n);

#endif
