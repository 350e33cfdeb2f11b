/*
 * notice.h: the texts of the mail kblog sends to people.
 *
 * Five kinds, each a subject and a plain-text body built from what the
 * mail queue keeps (the kind, the username, a link's "<id>.<token>", a
 * detail) and the site's public URL:
 *
 *   reset             a password reset link, valid RESET_LINK_MINUTES
 *   verify            an address verification link, VERIFY_LINK_HOURS
 *   password_changed  to the verified address, after any password change
 *   email_changed     to the old address, naming the new one half-hidden
 *   email_removed     to the old address
 *
 * The texts are fixed sentences; the username, address and token are the
 * only variable parts, each checked for its shape first (the token as a
 * link token, the address as a normalised address), so nothing from a
 * row can turn a message into something else.  lib/mail.c then encodes
 * them (and refuses anything a header cannot hold).
 *
 * Pure code (libc), no state.
 */

#ifndef KBLOG_NOTICE_H
#define KBLOG_NOTICE_H

#include <stddef.h>

#include "sbuf.h"

#define RESET_LINK_MINUTES	30
#define VERIFY_LINK_HOURS	24

enum notice_kind {
	NOTICE_RESET = 0,
	NOTICE_VERIFY,
	NOTICE_PASSWORD_CHANGED,
	NOTICE_EMAIL_CHANGED,
	NOTICE_EMAIL_REMOVED
};

/* The kind named as in the mail queue ("reset", ...), or -1. */
int	notice_kind(const char *name);
/*
 * Appends the subject and the body (LF line ends) of a message of kind
 * to username.  site is PUBLIC_URL (scheme://host[:port]); token is the
 * link's "<id>.<token>" (reset, verify); detail the new address
 * (email_changed).  0, or -1 when something needed is missing or of the
 * wrong shape (nothing appended).
 */
int	notice_compose(int kind, const char *site, const char *username,
	    const char *token, const char *detail, struct sbuf *subject,
	    struct sbuf *body);
/*
 * An address half-hidden for a message to someone else: the first
 * character of the local part, "***", and the domain ("b***@example.com").
 */
void	notice_mask(const char *addr, char *out, size_t len);

#endif
