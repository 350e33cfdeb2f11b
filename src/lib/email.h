/*
 * email.h: e-mail addresses as people type them into a form.
 *
 * Owns the rules for which addresses kblog accepts and the one form it
 * stores them in.  Never sends, never looks up DNS, never allocates for
 * the caller.  Pure code (libc only), no static state: safe to call from
 * any thread.
 *
 * The rules are RFC 5321's (what a mail server must accept on the wire)
 * narrowed to what real mailboxes use, so that every stored address can
 * be put into a header and an SMTP command without quoting:
 *
 *  - surrounding spaces, tabs, CR and LF are trimmed; any other space
 *    or control byte is refused;
 *  - exactly one '@';
 *  - local part: 1..64 bytes, a dot-atom: atoms of letters, digits and
 *    ! # $ % & ' * + - / = ? ^ _ ` { | } ~ joined by single dots (no dot
 *    first or last).  Its case is kept: RFC 5321 lets the receiving
 *    server tell "Bob" from "bob", so only the domain is lower-cased.
 *    Refused: quoted local parts ("a b"@example.com: legal, almost never
 *    a real mailbox, and the usual way to smuggle '@', spaces or
 *    quotes into places that do not expect them) and non-ASCII local
 *    parts (they need SMTPUTF8, which many relays do not offer);
 *  - domain: a host name of at least two labels, each 1..63 letters,
 *    digits and hyphens, not starting or ending with a hyphen, 253
 *    bytes at most, the last label not all digits.  Refused: address
 *    literals ([192.0.2.1], [IPv6:...]: nobody types them, and they
 *    point mail at an address of the sender's choosing) and single-label
 *    names (localhost, intranet hosts).  An internationalised domain
 *    is accepted in its ASCII form (xn--bcher-kva.example) and refused
 *    in Unicode (bücher.example, EMAIL_DOMAIN_IDN): converting it needs
 *    IDNA2008 and UTS #46 tables (libidn2, in Debian), which kblog
 *    does not link yet;
 *  - the whole normalised address is at most 254 bytes (RFC 5321's 256
 *    for a path, less the angle brackets).
 *
 * Comparing two addresses (to find an account by address) should use
 * the normalised form, case-insensitively: nearly every real server
 * treats local parts without regard to case, and lower(address) makes a
 * good unique index.  Sub-addresses (bob+blog@) and dots in Gmail local
 * parts are kept: they are different addresses.
 */

#ifndef KBLOG_EMAIL_H
#define KBLOG_EMAIL_H

#include <stddef.h>

#define EMAIL_MAX		254	/* normalised address, bytes */
#define EMAIL_LOCAL_MAX		64
#define EMAIL_DOMAIN_MAX	253
#define EMAIL_LABEL_MAX		63
#define EMAIL_INPUT_MAX		1024	/* longer input is refused unread */

enum email_status {
	EMAIL_OK = 0,
	EMAIL_EMPTY,		/* nothing but spaces */
	EMAIL_TOO_LONG,		/* input or result over the limits */
	EMAIL_BAD_CHAR,		/* a space, control or NUL inside */
	EMAIL_NO_AT,
	EMAIL_MANY_AT,
	EMAIL_QUOTED,		/* "quoted"@local part */
	EMAIL_LOCAL_EMPTY,
	EMAIL_LOCAL_TOO_LONG,
	EMAIL_LOCAL_DOTS,	/* '.' first, last, or twice in a row */
	EMAIL_LOCAL_CHAR,	/* a character a dot-atom cannot hold */
	EMAIL_LOCAL_UTF8,	/* non-ASCII local part */
	EMAIL_IP_LITERAL,	/* [192.0.2.1] */
	EMAIL_DOMAIN_EMPTY,
	EMAIL_DOMAIN_TOO_LONG,
	EMAIL_DOMAIN_LABEL,	/* empty, too long, bad character, hyphen */
	EMAIL_DOMAIN_SINGLE,	/* one label: no dot */
	EMAIL_DOMAIN_NUMERIC,	/* last label all digits: an IP address */
	EMAIL_DOMAIN_IDN	/* a non-ASCII domain: type its xn-- form */
};

/*
 * Checks the len bytes at in (which need not be NUL-terminated) and, on
 * EMAIL_OK, writes the normalised address and a NUL into out.  out is
 * untouched otherwise.  The normalised form is itself accepted and
 * normalises to itself.
 */
enum email_status	email_normalize(const char *in, size_t len,
			    char out[EMAIL_MAX + 1]);
/* A fixed sentence for the user (never holds the input). */
const char		*email_message(enum email_status);
/* The domain part of a normalised address (after the '@'). */
const char		*email_domain(const char *addr);

#endif
