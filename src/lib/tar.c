/*
 * tar.c: ustar headers (see tar.h).
 */

#include <stdio.h>
#include <string.h>

#include "tar.h"

/* Offsets and lengths of the ustar header's fields (POSIX.1-1988). */
#define F_NAME		0	/* 100 */
#define F_MODE		100	/* 8 */
#define F_UID		108	/* 8 */
#define F_GID		116	/* 8 */
#define F_SIZE		124	/* 12 */
#define F_MTIME		136	/* 12 */
#define F_CHKSUM	148	/* 8 */
#define F_TYPE		156	/* 1 */
#define F_MAGIC		257	/* 6: "ustar\0" */
#define F_VERSION	263	/* 2: "00" */

static void	octal(unsigned char *, size_t, uint64_t);

/* width - 1 octal digits, zero-padded, then a NUL. */
static void
octal(unsigned char *dst, size_t width, uint64_t v)
{
	size_t	i;

	dst[width - 1] = '\0';
	for (i = width - 1; i > 0; i--) {
		dst[i - 1] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
}

int
tar_name_ok(const char *name)
{
	const char	*p, *c;
	size_t		 len;

	if (name == NULL || (len = strlen(name)) == 0 || len > TAR_NAME_MAX ||
	    name[0] == '/' || name[len - 1] == '/')
		return (0);
	for (p = name; *p != '\0'; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '\\')
			return (0);
	}
	/* No empty, "." or ".." component. */
	for (c = name; c != NULL; c = (p = strchr(c, '/')) ? p + 1 : NULL) {
		len = strcspn(c, "/");
		if (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return (0);
	}
	return (1);
}

int
tar_header(unsigned char hdr[TAR_BLOCK], const char *name, uint64_t size,
    int64_t mtime)
{
	unsigned int	sum;
	size_t		i;

	memset(hdr, 0, TAR_BLOCK);
	if (!tar_name_ok(name) || size > TAR_SIZE_MAX)
		return (-1);
	if (mtime < 0)
		mtime = 0;
	if (mtime > (int64_t)TAR_SIZE_MAX)
		mtime = (int64_t)TAR_SIZE_MAX;
	memcpy(hdr + F_NAME, name, strlen(name));
	octal(hdr + F_MODE, 8, 0644);
	octal(hdr + F_UID, 8, 0);
	octal(hdr + F_GID, 8, 0);
	octal(hdr + F_SIZE, 12, size);
	octal(hdr + F_MTIME, 12, (uint64_t)mtime);
	hdr[F_TYPE] = '0';
	memcpy(hdr + F_MAGIC, "ustar", 6);
	memcpy(hdr + F_VERSION, "00", 2);
	/* The checksum counts its own field as eight spaces. */
	memset(hdr + F_CHKSUM, ' ', 8);
	for (i = 0, sum = 0; i < TAR_BLOCK; i++)
		sum += hdr[i];
	octal(hdr + F_CHKSUM, 7, sum);
	hdr[F_CHKSUM + 7] = ' ';
	return (0);
}

size_t
tar_pad(uint64_t size)
{
	return ((size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK));
}
