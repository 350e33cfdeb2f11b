/*
 * form.c: urlencoded and cookie parsing.  See form.h.
 */

#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "html.h"

static char	*decode(const char *, size_t, size_t *);

/* Decodes one component; NULL when malformed. */
static char *
decode(const char *s, size_t len, size_t *outlen)
{
	char	*out;
	size_t	 i, o;
	int	 hi, lo;

	if ((out = malloc(len + 1)) == NULL)
		return (NULL);
	for (i = 0, o = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (len - i < 3)
				goto bad;
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		goto bad;
	*outlen = o;
	return (out);
bad:
	free(out);
	return (NULL);
}

int
form_parse(struct form *fm, const char *data, size_t len)
{
	const char	*p, *end, *amp, *eq;
	size_t		 nlen, vlen;

	memset(fm, 0, sizeof(*fm));
	p = data;
	end = data + len;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {		/* empty pair: "a=1&&b=2" */
			p++;
			continue;
		}
		if (fm->n == FORM_MAX_FIELDS)
			goto bad;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		fm->f[fm->n].name = decode(p, (size_t)(eq - p), &nlen);
		if (fm->f[fm->n].name == NULL)
			goto bad;
		fm->f[fm->n].value = decode(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, &vlen);
		if (fm->f[fm->n].value == NULL) {
			free(fm->f[fm->n].name);
			goto bad;
		}
		fm->f[fm->n].len = vlen;
		fm->n++;
		p = amp + 1;
	}
	return (0);
bad:
	form_free(fm);
	return (-1);
}

void
form_free(struct form *fm)
{
	size_t	i;

	for (i = 0; i < fm->n; i++) {
		free(fm->f[i].name);
		free(fm->f[i].value);
	}
	fm->n = 0;
}

const char *
form_get(const struct form *fm, const char *name)
{
	size_t	i;

	for (i = 0; i < fm->n; i++) {
		if (!strcmp(fm->f[i].name, name))
			return (fm->f[i].value);
	}
	return (NULL);
}

size_t
form_count(const struct form *fm, const char *name)
{
	size_t	i, n;

	for (i = 0, n = 0; i < fm->n; i++) {
		if (!strcmp(fm->f[i].name, name))
			n++;
	}
	return (n);
}

int
cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
	const char	*p, *v, *end;
	size_t		 nlen, vlen;

	nlen = strlen(name);
	p = header;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && !strncmp(p, name, nlen) &&
		    p[nlen] == '=') {
			v = p + nlen + 1;
			vlen = (size_t)(end - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (vlen >= outlen)
				return (-1);
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return ((int)vlen);
		}
		p = end;
	}
	return (-1);
}
