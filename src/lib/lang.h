/*
 * lang.h: a post's language, and the PostgreSQL text search
 * configuration that indexes it.
 *
 * How the language is known (the proposal, in order):
 *	1. the post's own "lang" metadata: a BCP 47 tag chosen in the editor
 *	   (lang_normalize() checks and writes it in canonical case), which
 *	   also goes to <html lang> / <article lang> and the feeds;
 *	2. the author's default language when the post has none (settings),
 *	   itself first taken from Accept-Language at registration;
 *	3. lang_guess() on the text when neither is set: a detector that
 *	   answers only when it is sure (the script alone, or the frequent
 *	   short words of one language far ahead of every other);
 *	4. otherwise unknown: 'simple', which lowercases words and never
 *	   stems, so every language is still found by its exact words.
 *
 * lang_tsconfig() maps a tag to the configurations PostgreSQL 15 ships
 * in Debian 12 (\dF: arabic armenian basque catalan danish dutch english
 * finnish french german greek hindi hungarian indonesian irish italian
 * lithuanian nepali norwegian portuguese romanian russian serbian
 * spanish swedish tamil turkish yiddish, and simple).  Only the primary
 * language subtag counts: "pt-BR", "sr-Latn", "en-GB" are portuguese,
 * serbian, english.  ISO 639-1 codes, ISO 639-2/B and /T codes and the
 * deprecated codes (in, iw, ji, mo) are all understood; Norwegian Bokmål
 * (nb) and Nynorsk (nn) are norwegian.  Anything else is 'simple'.
 *
 * Pure code (libunistring via ufold.h for the guess, libc); thread-safe;
 * returns static strings, allocates nothing the caller frees.
 */

#ifndef KBLOG_LANG_H
#define KBLOG_LANG_H

#include <stddef.h>

#define LANG_TAG_SIZE	36	/* BCP 47 tags up to 35 characters */

/* The text search configuration's name (a static string, safe to pass
 * as a regconfig parameter: "english", ..., "simple"). */
const char	*lang_tsconfig(const char *tag);

/*
 * Checks that in is a well-formed BCP 47 tag (RFC 5646 syntax: a 2-3
 * letter language, then subtags of 1-8 letters or digits, '-' or '_'
 * between them, 35 characters at most) and writes it in canonical case
 * ("EN-gb" -> "en-GB", "sr_latn" -> "sr-Latn").  Returns 0, or -1.
 */
int		 lang_normalize(const char *in, char out[LANG_TAG_SIZE]);

/*
 * Guesses the language of len bytes of text (only the first 4 KiB are
 * read): returns an ISO 639-1 code that lang_tsconfig() maps to a
 * stemming configuration, or NULL when it cannot be sure.
 */
const char	*lang_guess(const char *text, size_t len);

#endif
