/*
 * valid.h: input rules shared by the pages and the JSON API.  Each check
 * returns NULL when the value is fine, or a short message for the user.
 * Pure code.
 */

#ifndef KBLOG_VALID_H
#define KBLOG_VALID_H

#include <stddef.h>

#define USERNAME_MIN		3
#define USERNAME_MAX		32
#define DISPLAY_NAME_MAX	64
#define BIO_MAX			2000
#define TITLE_MAX		200
#define BODY_MAX_BYTES		100000
#define TAGS_MAX		10
#define TAG_MAX			32
#define COMMENT_MAX		5000
#define TAGS_TEXT_MAX		(TAGS_MAX * (TAG_MAX + 1))

const char	*valid_username(const char *);
const char	*valid_password(const char *);
/* Valid UTF-8, at most max_chars characters, no control characters, C0
 * or C1 (newlines and tabs allowed when multiline). */
const char	*valid_text(const char *, size_t max_chars, int multiline);
/*
 * A display name (NULL or "" is fine: the username stands in).  Beyond
 * valid_text(s, DISPLAY_NAME_MAX, 0) (UTF-8, at most 64 characters, no
 * C0 controls or DEL), a name must not hold characters that are
 * invisible or change how the text around them is shown, so that it can
 * neither hide what it says nor reorder what follows it on a page:
 *
 *	U+0080-U+009F	C1 controls (Cc)
 *	U+00AD		soft hyphen
 *	U+034F		combining grapheme joiner
 *	U+0600-U+0605	Arabic number signs (Cf)
 *	U+061C		Arabic letter mark
 *	U+06DD		Arabic end of ayah (Cf)
 *	U+070F		Syriac abbreviation mark (Cf)
 *	U+0890-U+0891	Arabic pound and piastre marks above (Cf)
 *	U+08E2		Arabic disputed end of ayah (Cf)
 *	U+115F-U+1160	Hangul choseong and jungseong fillers
 *	U+17B4-U+17B5	Khmer inherent vowels
 *	U+180E		Mongolian vowel separator
 *	U+200B-U+200F	zero width space, non-joiner, joiner; LRM, RLM
 *	U+2028-U+202E	line and paragraph separators; bidi embeddings,
 *			pop and overrides (LRE RLE PDF LRO RLO)
 *	U+2060-U+206F	word joiner, invisible operators, bidi isolates
 *			(LRI RLI FSI PDI), deprecated format characters
 *	U+3164		Hangul filler
 *	U+FDD0-U+FDEF	noncharacters, and U+nFFFE, U+nFFFF of every plane
 *	U+FEFF		zero width no-break space (byte order mark)
 *	U+FFA0		halfwidth Hangul filler
 *	U+FFF0-U+FFFB	unassigned specials; interlinear annotation
 *	U+110BD, U+110CD	Kaithi number signs (Cf)
 *	U+13430-U+1343F	Egyptian hieroglyph format controls
 *	U+1BCA0-U+1BCA3	shorthand format controls
 *	U+1D173-U+1D17A	musical symbol format controls
 *	U+E0000-U+E00FF	tag characters (language tags, emoji tag
 *			sequences) and the rest of their block
 *	U+E01F0-U+E0FFF	reserved default-ignorable code points
 *
 * That is Unicode 15.1's Default_Ignorable_Code_Point set, every format
 * character (general category Cf), every control (Cc), the line and
 * paragraph separators (Zl, Zp) and the noncharacters, with one
 * exception: variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF and the
 * Mongolian U+180B-U+180D, U+180F) are allowed right after a character
 * they can select a glyph of ("\u2764\ufe0f", ideographic variants),
 * and refused used alone: first, after a space, or after another
 * selector.  A name that is not empty needs one character other than a
 * space (U+0020, U+00A0, U+1680, U+2000-U+200A, U+202F, U+205F, U+3000).
 * Emoji joined with U+200D and Persian words written with U+200C are
 * refused with the rest of U+200B-U+200F: written without the joiner
 * they still read.  Everything else is allowed, in any script.
 */
const char	*valid_display_name(const char *);
/*
 * Tags as typed ("Rust, c  web-dev"): split on commas and spaces,
 * lowercased, each 1-32 of [a-z0-9-], duplicates dropped, at most 10.
 * Writes them comma-joined into out (TAGS_TEXT_MAX + 1 bytes).
 */
const char	*valid_tags(const char *, char *out, size_t outlen);
/* A single tag as it appears in /tags/<tag>. */
int		 valid_tag(const char *);

#endif
