/*
 * notice.c: the texts of kblog's mail (see notice.h).
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "email.h"
#include "linktoken.h"
#include "notice.h"

static const char *const	kinds[] = {
	"reset", "verify", "password_changed", "email_changed",
	"email_removed", NULL
};

static int	username_ok(const char *);

int
notice_kind(const char *name)
{
	int	i;

	for (i = 0; name != NULL && kinds[i] != NULL; i++) {
		if (!strcmp(kinds[i], name))
			return (i);
	}
	return (-1);
}

/* Usernames are [A-Za-z0-9_-]{3,32} (valid.h); checked again here. */
static int
username_ok(const char *s)
{
	size_t	n;

	if (s == NULL)
		return (0);
	n = strlen(s);
	return (n >= 3 && n <= 32 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") == n);
}

void
notice_mask(const char *addr, char *out, size_t len)
{
	const char	*at;

	if (addr == NULL || (at = strchr(addr, '@')) == NULL || at == addr) {
		(void)snprintf(out, len, "***");
		return;
	}
	(void)snprintf(out, len, "%c***%s", addr[0], at);
}

int
notice_compose(int kind, const char *site, const char *username,
    const char *token, const char *detail, struct sbuf *subject,
    struct sbuf *body)
{
	const char	*host;
	char		 tok[SEC_TOKEN_LEN + 1], masked[EMAIL_MAX + 8];
	char		 norm[EMAIL_MAX + 1];
	int64_t		 id;

	if (site == NULL || (host = strstr(site, "://")) == NULL ||
	    !username_ok(username))
		return (-1);
	host += 3;
	if ((kind == NOTICE_RESET || kind == NOTICE_VERIFY) &&
	    link_token_parse(token, &id, tok) == -1)
		return (-1);
	if (kind == NOTICE_EMAIL_CHANGED && (detail == NULL ||
	    email_normalize(detail, strlen(detail), norm) != EMAIL_OK))
		return (-1);

	switch (kind) {
	case NOTICE_RESET:
		sbuf_addf(subject, "Reset your password on %s", host);
		sbuf_addf(body, "Hello %s,\n\n"
		    "Someone, hopefully you, asked to reset the password of "
		    "the account %s on %s.\n\n"
		    "To choose a new password, open this link within %d "
		    "minutes:\n\n"
		    "%s/reset/confirm?token=%s\n\n"
		    "The link works once. Using it logs the account out "
		    "everywhere.\n\n"
		    "If you did not ask for this, ignore this message: your "
		    "password stays as it is.\n", username, username, host,
		    RESET_LINK_MINUTES, site, token);
		break;
	case NOTICE_VERIFY:
		sbuf_addf(subject, "Confirm your e-mail address on %s", host);
		sbuf_addf(body, "Hello %s,\n\n"
		    "To use this address for the account %s on %s, open this "
		    "link within %d hours:\n\n"
		    "%s/verify-email?token=%s\n\n"
		    "If you did not ask for this, ignore this message: the "
		    "address will not be used.\n", username, username, host,
		    VERIFY_LINK_HOURS, site, token);
		break;
	case NOTICE_PASSWORD_CHANGED:
		sbuf_addf(subject, "Your password on %s was changed", host);
		sbuf_addf(body, "Hello %s,\n\n"
		    "The password of the account %s on %s was just changed, "
		    "and its other sessions were logged out.\n\n"
		    "If that was not you, reset your password at once:\n\n"
		    "%s/reset\n", username, username, host, site);
		break;
	case NOTICE_EMAIL_CHANGED:
		notice_mask(norm, masked, sizeof(masked));
		sbuf_addf(subject, "Your e-mail address on %s was changed",
		    host);
		sbuf_addf(body, "Hello %s,\n\n"
		    "The e-mail address of the account %s on %s is now %s. "
		    "Messages for the account, password resets included, go "
		    "there from now on.\n\n"
		    "If that was not you, contact the site's administrators.\n",
		    username, username, host, masked);
		break;
	case NOTICE_EMAIL_REMOVED:
		sbuf_addf(subject, "Your e-mail address on %s was removed",
		    host);
		sbuf_addf(body, "Hello %s,\n\n"
		    "This address was removed from the account %s on %s. "
		    "No more messages for the account will come here.\n\n"
		    "If that was not you, contact the site's administrators.\n",
		    username, username, host);
		break;
	default:
		return (-1);
	}
	return (0);
}
