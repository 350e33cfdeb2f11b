/*
 * tar.h: the headers of a POSIX ustar archive, for the account export.
 *
 * An archive is, for each file, a 512-byte header (tar_header), the
 * file's bytes, and zeros up to the next multiple of 512 (tar_pad); then
 * two blocks of zeros (TAR_END).  Every tar reader (GNU tar, bsdtar,
 * Python's tarfile, 7-Zip, Windows' tar) reads it.
 *
 * Names are kblog's own ("kblog-export-alice/images/12.png"): relative,
 * printable ASCII, no "." or ".." component, at most 100 bytes, so they
 * fit the header's name field without the prefix field or extensions.
 * Sizes up to 8 GiB - 1 (eleven octal digits).
 *
 * Pure code (libc), no state.
 */

#ifndef KBLOG_TAR_H
#define KBLOG_TAR_H

#include <stddef.h>
#include <stdint.h>

#define TAR_BLOCK	512
#define TAR_END		(2 * TAR_BLOCK)	/* zero bytes that end an archive */
#define TAR_NAME_MAX	100
#define TAR_SIZE_MAX	077777777777ULL	/* 8 GiB - 1 */

/*
 * Fills hdr with the header of a regular file (mode 0644, owner 0:0, no
 * user or group names) of size bytes, modified at mtime (seconds since
 * 1970, clamped to 0..2^33-1).  0, or -1 for a name or size it cannot
 * hold (hdr is then zeros).
 */
int	tar_header(unsigned char hdr[TAR_BLOCK], const char *name,
	    uint64_t size, int64_t mtime);
/* The zero bytes that follow a file of size bytes: 0..511. */
size_t	tar_pad(uint64_t size);
/* 1 when name may be an archive member's name (see above). */
int	tar_name_ok(const char *name);

#endif
