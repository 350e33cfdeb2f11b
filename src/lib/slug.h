/*
 * slug.h: readable post URLs, /posts/<id>-<slug>.
 *
 * The id is the key; the slug is made from the title and only decorates
 * the URL, so a mistyped, outdated or missing slug is answered with a
 * 301 to the canonical one (slug_is_canonical() says when).
 *
 * A slug is the title folded (NFKC and full Unicode case folding, see
 * ufold.h), with Unicode letters, digits and their combining marks kept
 * in any script, apostrophes inside a word dropped ("don't" -> "dont"),
 * and every other run of characters (spaces, punctuation, symbols,
 * emoji) one '-', never at either end.  Invisible characters (ZWJ, ZWNJ,
 * soft hyphen, variation selectors, bidi controls) are dropped.  At most
 * SLUG_MAX_CHARS code points: a longer one is cut at the last '-' if that
 * keeps at least half of it, else at a grapheme boundary.  A title with
 * no letter or digit gives "post".
 *
 * Non-Latin letters are kept, not transliterated: "Привет, мир" gives
 * "привет-мир", "東京の天気" gives "東京の天気".  Browsers show such a
 * path in the reader's own script (it travels percent-encoded in UTF-8,
 * which slug_path() writes); transliteration guesses (Japanese kanji
 * have several readings, Arabic and Hebrew drop their vowels) and reads
 * as noise to the people the post is written for.  Accents stay too
 * ("café" stays "café"): one rule for every script.  Folding gives
 * German "ß" as "ss" and drops the dot of Turkish "İ" (Turkish "I" folds
 * to "ı" only when the post's language is Turkish or Azerbaijani).
 *
 * Pure code (libunistring, libc); thread-safe.  Output goes to the
 * caller's buffers; memory used inside is freed before return.
 */

#ifndef KBLOG_SLUG_H
#define KBLOG_SLUG_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"

#define SLUG_MAX_CHARS	60
#define SLUG_SIZE	(SLUG_MAX_CHARS * 4 + 1)	/* bytes, with NUL */
#define SLUG_INPUT_MAX	4096	/* bytes of a title looked at (titles are
				 * at most 200 characters) */
#define SLUG_FALLBACK	"post"

/*
 * Writes the slug of len bytes of title (any bytes: invalid UTF-8 counts
 * as punctuation) into out, NUL-terminated, never empty.  lang: the
 * post's language (BCP 47 or ISO 639, only tr, az and lt change anything)
 * or NULL.  Returns the slug's length in bytes.
 */
size_t	slug_make(char out[SLUG_SIZE], const char *title, size_t len,
	    const char *lang);

/*
 * Splits a path segment "<id>-<slug>" or "<id>" (the text after
 * "/posts/", still percent-encoded as it came in the request).  Returns
 * 0 with *id > 0, or -1 when the segment does not start with an id
 * (1 to 19 digits, at most INT64_MAX) followed by '-' or its end: a 404.
 */
int	slug_parse(const char *seg, int64_t *id);

/*
 * 1 when seg (as given to slug_parse()) is the canonical "<id>-<slug>"
 * for that id and slug: equal after percent-decoding (so %C3%A9 and
 * %c3%a9 both match "é"), with the id written without leading zeros.
 * 0 means: answer 301 with slug_path().
 */
int	slug_is_canonical(const char *seg, int64_t id, const char *slug);

/* Appends "/posts/<id>-<slug>", the slug percent-encoded (UTF-8, upper
 * case hex, html_url()): safe as it is in an href or a Location header. */
void	slug_path(struct html *, int64_t id, const char *slug);

#endif
