/*
 * tag.h: post tags in any script, their one canonical form and their
 * URL slug.
 *
 * A tag holds Unicode letters and digits (with their combining marks),
 * '+', '#', '.', '-' and single spaces: "c++", "c#", ".net", "node.js",
 * "café", "machine learning", "web-dev", "東京", "हिन्दी".  What users
 * type is brought to one canonical form (tag_normalize()):
 *
 *	1. NFKC and full case folding, language-independent, to a fixed
 *	   point (ufold.h): "C++" and "c++", "ＣＡＦÉ" and "café", "ﬁle"
 *	   and "file", "Straße" and "strasse", "İzmir" and "izmir" are the
 *	   same tag.  Greek final sigma is kept where it ends a word.
 *	2. Invisible characters (ZWJ, ZWNJ, soft hyphen, variation
 *	   selectors, bidi controls) are dropped.
 *	3. Every space (any Unicode space, tab, newline) and '_' is a space;
 *	   every dash (Unicode Pd: ‐ – —) is '-'; U+266F '♯' is '#'.
 *	4. Leading '#' are dropped ("#rust" is the hashtag habit: "rust").
 *	5. Spaces are trimmed and inner runs collapsed to one.
 *
 * Anything else (other punctuation, symbols, emoji, a combining mark
 * with no letter before it) is refused with a message, as is a tag with
 * no letter or digit, or longer than TAG_CHARS_MAX code points or
 * TAG_BYTES_MAX bytes once canonical.
 *
 * Comparison: two tags are the same when their canonical forms are
 * equal byte for byte.  Store only canonical forms (posts.tags text[])
 * and compare them with SQL '=' or '@>', never with lower() or ILIKE
 * (PostgreSQL's lower() is not case folding: it keeps 'ß').  Every tag
 * the old rules accepted (1-32 of [a-z0-9-]) is already canonical and
 * keeps its slug, so existing data and URLs stay as they are.
 *
 * The slug (tag_slug()) is the canonical form as a path segment:
 * ASCII letters, digits, '-', '.' and '+' as they are, a space as '_'
 * (Wikipedia's habit), everything else percent-encoded UTF-8 ('#' as
 * %23): "c++" -> /tags/c++, "c#" -> /tags/c%23, "café" -> /tags/caf%C3%A9
 * (shown as café by browsers), "machine learning" ->
 * /tags/machine_learning.  It is reversible without a lookup:
 * tag_from_slug() decodes it and normalises again, so /tags/C++ and
 * /tags/web%20dev find "c++" and "web dev" and say they are not
 * canonical (answer 301 to /tags/c++ and /tags/web_dev).
 *
 * Pure code (libunistring, jansson, libc); thread-safe.  Results go to
 * the caller's buffers; memory used inside is freed before return.
 */

#ifndef KBLOG_TAG_H
#define KBLOG_TAG_H

#include <stddef.h>

#include <jansson.h>

#include "sbuf.h"

#define TAG_CHARS_MAX	32		/* code points, canonical */
#define TAG_BYTES_MAX	128		/* bytes, canonical */
#define TAG_SIZE	(TAG_BYTES_MAX + 1)
#define TAG_SLUG_SIZE	(TAG_BYTES_MAX * 3 + 1)
#define TAG_LIST_MAX	10		/* tags on one post */
#define TAG_FIELD_MAX	4096		/* bytes of a typed tags field */

struct tag_list {
	size_t	n;
	char	tag[TAG_LIST_MAX][TAG_SIZE];	/* canonical, in order */
};

/*
 * Writes the canonical form of len bytes of in to out.  Returns NULL
 * when it is a tag, "" when there is nothing but spaces (not a tag, not
 * an error in a list), or a message for the user.
 */
const char	*tag_normalize(const char *in, size_t len, char out[TAG_SIZE]);

/*
 * The tags field as typed: tags separated by commas (',', and the
 * fullwidth '，', ideographic '、' and Arabic '،' commas) or newlines;
 * spaces inside a tag are part of it.  Empty pieces are skipped,
 * duplicates (same canonical form) dropped, order kept.  Returns NULL or
 * a message (a bad tag, more than TAG_LIST_MAX, more than TAG_FIELD_MAX
 * bytes).
 */
const char	*tag_list_parse(const char *in, size_t len, struct tag_list *);

/*
 * The JSON API's "tags": an array of strings, each one tag (a comma in
 * one is refused).  *bad_type is set to 1 when the value is not an array
 * of strings (400 invalid_type), else 0 (a message means 422).
 */
const char	*tag_list_json(const json_t *, struct tag_list *,
		    int *bad_type);

/* Appends the canonical tags joined with ',' (never inside a tag). */
void		 tag_list_join(struct sbuf *, const struct tag_list *);

/* Writes the slug of a canonical tag; returns its length. */
size_t		 tag_slug(const char *tag, char out[TAG_SLUG_SIZE]);

/*
 * The tag of a path segment after /tags/ (percent-encoded as it came).
 * Returns NULL and the canonical tag in out, with *canonical 1 when seg
 * is that tag's own slug up to percent-encoding (%C3%A9, %c3%a9 and a
 * raw "é" alike; else answer 301 to tag_slug()); or a message when
 * there is no such tag (bad escapes, not a tag): answer 404.
 */
const char	*tag_from_slug(const char *seg, char out[TAG_SIZE],
		    int *canonical);

#endif
