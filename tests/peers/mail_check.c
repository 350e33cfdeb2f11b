/*
 * mail_check.c: drive src/lib/mail.c against a real SMTP server for
 * tests/peers/test_mail_peer.py (tests/integration/smtp_sink.py).
 *
 * Each subcommand prints one JSON object on stdout:
 *   mail_check send           compose a message and send it:
 *	{"compose":"ok","msgid":"<...>","result":"sent","code":250,
 *	 "log":"..."}  (or "compose":"<why>" and nothing sent)
 *   mail_check compose        print the composed message only:
 *	{"compose":"ok","message":"..."}
 *   mail_check config         mail_config_check of SMTP_URL, MAIL_FROM
 *	and SMTP_CA_FILE: {"rc":1,"err":""}
 * Settings come from the environment: SMTP_URL, SMTP_CA_FILE, MAIL_FROM
 * (parsed like the server will: "Name <addr>"), MAIL_TO, MAIL_TO_NAME,
 * MAIL_SUBJECT, MAIL_BODY (the text; "\n" line ends), MAIL_DATE
 * (seconds), MAIL_CONNECT_TIMEOUT_MS, MAIL_TIMEOUT_MS.
 *
 * Build:
 *   cc -std=gnu99 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc \
 *     -o build/mail_check tests/peers/mail_check.c src/lib/mail.c \
 *     src/lib/email.c src/lib/sbuf.c -lcurl -lcrypto -ljansson
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "lib/mail.h"
#include "lib/sbuf.h"

static const char *
env(const char *name, const char *dflt)
{
	const char	*v;

	v = getenv(name);
	return (v != NULL ? v : dflt);
}

static void
print(json_t *o)
{
	char	*s;

	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		exit(3);
	printf("%s\n", s);
	free(s);
	json_decref(o);
}

static int
compose(struct sbuf *b, char msgid[MAIL_MSGID_MAX + 1], json_t *o,
    struct mail_mailbox *from)
{
	struct mail_message		m;
	enum mail_compose_status	s;

	if (mail_mailbox_parse(env("MAIL_FROM", ""), from) == -1) {
		json_object_set_new(o, "compose", json_string("bad MAIL_FROM"));
		return (-1);
	}
	memset(&m, 0, sizeof(m));
	m.from_name = from->name;
	m.from_addr = from->addr;
	m.to_name = env("MAIL_TO_NAME", "");
	m.to_addr = env("MAIL_TO", "");
	m.subject = env("MAIL_SUBJECT", "");
	m.body = env("MAIL_BODY", "");
	m.body_len = strlen(m.body);
	m.date = (time_t)atoll(env("MAIL_DATE", "0"));
	if ((s = mail_compose(&m, b, msgid)) != MAIL_COMPOSED) {
		json_object_set_new(o, "compose",
		    json_string(mail_compose_message(s)));
		return (-1);
	}
	json_object_set_new(o, "compose", json_string("ok"));
	json_object_set_new(o, "msgid", json_string(msgid));
	return (0);
}

int
main(int argc, char *argv[])
{
	struct sbuf		b;
	struct mail_mailbox	from;
	struct mail_relay	relay;
	struct mail_outcome	out;
	char			msgid[MAIL_MSGID_MAX + 1], err[256];
	json_t			*o;
	int			rc;

	if (argc != 2) {
		fprintf(stderr, "usage: mail_check send|compose|config\n");
		return (2);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return (3);
	o = json_object();
	sbuf_init(&b, 1024);

	if (strcmp(argv[1], "config") == 0) {
		err[0] = '\0';
		rc = mail_config_check(getenv("SMTP_URL"), getenv("MAIL_FROM"),
		    getenv("SMTP_CA_FILE"), err, sizeof(err));
		json_object_set_new(o, "rc", json_integer(rc));
		json_object_set_new(o, "err", json_string(err));
	} else if (strcmp(argv[1], "compose") == 0) {
		if (compose(&b, msgid, o, &from) == 0)
			json_object_set_new(o, "message",
			    json_stringn(b.data, b.len));
	} else if (strcmp(argv[1], "send") == 0) {
		if (compose(&b, msgid, o, &from) == 0) {
			memset(&relay, 0, sizeof(relay));
			relay.url = env("SMTP_URL", "");
			relay.ca_file = env("SMTP_CA_FILE", "");
			relay.connect_timeout_ms =
			    atol(env("MAIL_CONNECT_TIMEOUT_MS", "0"));
			relay.timeout_ms = atol(env("MAIL_TIMEOUT_MS", "0"));
			mail_send(&relay, from.addr, env("MAIL_TO", ""),
			    b.data, b.len, &out);
			json_object_set_new(o, "result",
			    json_string(out.result == MAIL_SENT ? "sent" :
			    out.result == MAIL_TEMPORARY ? "temporary" :
			    "permanent"));
			json_object_set_new(o, "code",
			    json_integer(out.smtp_code));
			json_object_set_new(o, "log", json_string(out.log));
		}
	} else {
		fprintf(stderr, "mail_check: unknown command %s\n", argv[1]);
		return (2);
	}
	print(o);
	sbuf_free(&b);
	curl_global_cleanup();
	return (0);
}
