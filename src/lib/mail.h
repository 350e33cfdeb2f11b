/*
 * mail.h: e-mail messages, composed and sent over SMTP with libcurl.
 *
 * Owns: the text of a message (RFC 5322 header, one MIME text/plain part
 * in UTF-8, quoted-printable), one SMTP transaction per mail_send(), and
 * the checks of the settings SMTP_URL, MAIL_FROM and SMTP_CA_FILE.
 * Never: queues, retries or sleeps (the caller's queue decides from the
 * outcome), reads the environment, logs, or keeps state between calls.
 *
 * Pure code (libc, libcurl, OpenSSL's RAND_bytes, libidn2 through
 * email.c): no Kore headers.  mail_send() blocks for up to its timeouts:
 * call it from a Kore task thread, never a worker's event loop.
 *
 * Thread safety: no mutable static state; each mail_send() uses its own
 * curl easy handle with CURLOPT_NOSIGNAL.  The process must have called
 * curl_global_init(CURL_GLOBAL_DEFAULT) once before any thread sends
 * (kblog already does, for S3).  Everything else is reentrant (gmtime_r).
 *
 * The message (mail_compose):
 *
 *	Date: Thu, 13 Feb 2025 14:03:05 +0000
 *	From: "kblog" <noreply@blog.example>
 *	To: =?utf-8?B?...?= <bob@example.com>
 *	Subject: Reset your password
 *	Message-ID: <32 random hex digits@blog.example>
 *	MIME-Version: 1.0
 *	Content-Type: text/plain; charset=utf-8
 *	Content-Transfer-Encoding: quoted-printable
 *	Auto-Submitted: auto-generated
 *
 *	body, quoted-printable, lines of at most 76 characters
 *
 *  - Header injection cannot happen: a CR, LF or NUL in any field (or any
 *    other control character in a name or the subject) refuses the whole
 *    message, and addresses must be in email_normalize()'s form.
 *  - Display names: printable ASCII without "=?" goes in a quoted-string
 *    ("\"" and "\\" escaped); anything else, or a name too long for one
 *    line, as RFC 2047 encoded-words (UTF-8, base64, at most 75
 *    characters each, never splitting a character), folded.
 *  - Subject: printable ASCII without "=?" stays as it is, folded at
 *    spaces; otherwise, or when a word is too long to fold, encoded-words.
 *    Decoding gives back exactly the subject given.
 *  - Header lines are at most 78 characters, except a To or From line
 *    that must hold a long address whole (at most 6 + 256) and the
 *    Message-ID of a long domain (at most 12 + 288): always far below
 *    RFC 5322's 998.
 *  - Body: valid UTF-8, lines ending in LF or CRLF (written as CRLF),
 *    no other control character but TAB.  Quoted-printable (RFC 2045
 *    6.7): "=" and bytes outside 33..126 as =XX, spaces and tabs
 *    literal except at the end of a line, soft line breaks so that no
 *    line is over 76 characters; also a "." at the start of a line
 *    (=2E) and "From " (=46rom), which some relays and mailbox files
 *    mangle.  A body that does not end with a line break ends with a
 *    soft one, so decoding gives back exactly the body given (with CRLF
 *    line ends).  The message is 7-bit ASCII throughout.
 *
 * Sending (mail_send), SMTP_URL:
 *
 *	smtp://[user:password@]host[:port][/ehlo-name]
 *		port 25 by default (587 for submission); STARTTLS is
 *		required (CURLUSESSL_ALL): a server that does not offer it,
 *		or refuses it, is not used, and nothing is sent in clear.
 *	smtps://[user:password@]host[:port][/ehlo-name]
 *		implicit TLS, port 465 by default.
 *
 *	host is a name, an IPv4 address or [IPv6].  user and password are
 *	percent-encoded in the URL ("@" is %40, ":" %3A) and given to
 *	libcurl apart from the URL, for SMTP AUTH (after TLS).  A login
 *	option may follow the user: "user;AUTH=PLAIN:password@".  ehlo-name
 *	is the name sent in EHLO (default: the machine's host name).
 *	Certificates and host names are always verified (TLS 1.2 or later),
 *	against the system's CAs or SMTP_CA_FILE (a PEM file, for a private
 *	CA).  No proxy is ever used.
 *
 * The outcome of a send:
 *	MAIL_SENT	the server accepted the message (250 after DATA).
 *	MAIL_TEMPORARY	try again later: connection refused or reset, DNS,
 *			timeouts, a 4xx reply, and every failure of the relay
 *			itself rather than of the message: TLS (no STARTTLS,
 *			certificate, host name) and authentication (even its
 *			535), so that a relay fixed later still delivers what
 *			waited.  The queue's own give-up limit ends them.
 *	MAIL_PERMANENT	never retry: a 5xx reply to the greeting, MAIL FROM,
 *			RCPT TO or DATA (e.g. 550 no such user), or a message
 *			or address refused before connecting.
 * with the last SMTP reply code and one line for the log: printable
 * ASCII, the scheme, host and port, what failed, and the server's last
 * reply; never the user's password (it is never in the URL handed to
 * libcurl, and is scrubbed from the line in case a server echoes it).
 */

#ifndef KBLOG_MAIL_H
#define KBLOG_MAIL_H

#include <stddef.h>
#include <time.h>

#include "email.h"
#include "sbuf.h"

#define MAIL_NAME_MAX		256	/* display name, bytes of UTF-8 */
#define MAIL_SUBJECT_MAX	512	/* bytes of UTF-8 */
#define MAIL_BODY_MAX		(1024 * 1024)
#define MAIL_MSGID_MAX		(2 + 32 + 1 + EMAIL_DOMAIN_MAX)
#define MAIL_LOG_MAX		320
#define MAIL_URL_MAX		2048
#define MAIL_CONNECT_TIMEOUT_MS	10000
#define MAIL_TIMEOUT_MS		60000

/* A display name and an address, as MAIL_FROM gives them. */
struct mail_mailbox {
	char	name[MAIL_NAME_MAX + 1];	/* UTF-8; "" when none */
	char	addr[EMAIL_MAX + 1];		/* normalised */
};

struct mail_message {
	const char	*from_name;	/* NULL or "": none */
	const char	*from_addr;	/* in email_normalize()'s form */
	const char	*to_name;
	const char	*to_addr;
	const char	*subject;	/* UTF-8, 1..MAIL_SUBJECT_MAX bytes */
	const char	*body;		/* UTF-8 text, body_len bytes */
	size_t		 body_len;
	time_t		 date;		/* the Date field; 0: now */
};

enum mail_compose_status {
	MAIL_COMPOSED = 0,
	MAIL_BAD_FROM_NAME,
	MAIL_BAD_FROM_ADDR,
	MAIL_BAD_TO_NAME,
	MAIL_BAD_TO_ADDR,
	MAIL_BAD_SUBJECT,
	MAIL_BAD_BODY,
	MAIL_BAD_DATE,		/* before 1970 or after 9999 */
	MAIL_NO_RANDOM		/* RAND_bytes failed (Message-ID) */
};

enum mail_result {
	MAIL_SENT = 0,
	MAIL_TEMPORARY,
	MAIL_PERMANENT
};

struct mail_relay {
	const char	*url;		/* SMTP_URL, as mail_config_check took it */
	const char	*ca_file;	/* SMTP_CA_FILE; NULL or "": system CAs */
	long		 connect_timeout_ms;	/* 0: MAIL_CONNECT_TIMEOUT_MS */
	long		 timeout_ms;		/* 0: MAIL_TIMEOUT_MS */
};

struct mail_outcome {
	enum mail_result	result;
	int			smtp_code;	/* last reply; 0: none */
	char			log[MAIL_LOG_MAX];
};

/*
 * Appends the message to out (an initialised sbuf) and, when msgid is not
 * NULL, writes its Message-ID (with the angle brackets) there.  On any
 * status but MAIL_COMPOSED, out is left as it was.
 */
enum mail_compose_status	mail_compose(const struct mail_message *,
				    struct sbuf *out,
				    char msgid[MAIL_MSGID_MAX + 1]);
/* A fixed sentence for a log (never holds the field). */
const char			*mail_compose_message(enum mail_compose_status);

/*
 * Sends msg (len bytes, CRLF lines, as mail_compose made it) from
 * from_addr to to_addr (the envelope: normalised addresses) through the
 * relay, and fills *out.  Blocks: see above.
 */
void		mail_send(const struct mail_relay *, const char *from_addr,
		    const char *to_addr, const char *msg, size_t len,
		    struct mail_outcome *out);
/* MAIL_SENT / MAIL_TEMPORARY / MAIL_PERMANENT from a CURLcode and the
 * last SMTP reply code (exposed for tests). */
enum mail_result	mail_classify(int curl_code, long smtp_code);
const char		*mail_result_name(enum mail_result);

/*
 * MAIL_FROM: "addr", "<addr>", "Name <addr>" or "\"Name\" <addr>" (a
 * quoted name may hold \" and \\).  The name is UTF-8 without control
 * characters; the address passes email_normalize() and is stored
 * normalised.  0, or -1.
 */
int		mail_mailbox_parse(const char *s, struct mail_mailbox *out);

/*
 * The start-up check of SMTP_URL, MAIL_FROM and SMTP_CA_FILE (each NULL
 * or "" when unset).  Returns 1 when mail is configured, 0 when it is
 * off (SMTP_URL unset, and then the other two must be unset too), or -1
 * with one line in err that names the variable and never its value.
 * SMTP_CA_FILE must be an absolute path to a readable file.
 */
int		mail_config_check(const char *smtp_url, const char *mail_from,
		    const char *ca_file, char *err, size_t errlen);

#endif
