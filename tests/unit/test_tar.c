/*
 * Unit tests for src/lib/tar.c: ustar headers checked field by field
 * against POSIX.1's layout with an independent checksum, padding, and
 * the names refused.  (tests/integration/test_lifecycle.py reads real
 * archives with Python's tarfile.)
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/tar.h"

static uint64_t
field(const unsigned char *h, size_t off, size_t len)
{
	char	buf[16];

	memcpy(buf, h + off, len);
	buf[len] = '\0';
	return (strtoull(buf, NULL, 8));
}

static void
test_header(void **state)
{
	unsigned char	h[TAR_BLOCK];
	unsigned int	sum;
	size_t		i;

	(void)state;
	assert_int_equal(tar_header(h, "kblog-export-alice/export.json",
	    1234567, 1700000000), 0);
	assert_string_equal((char *)h, "kblog-export-alice/export.json");
	assert_memory_equal(h + 100, "0000644\0", 8);
	assert_memory_equal(h + 108, "0000000\0", 8);
	assert_memory_equal(h + 116, "0000000\0", 8);
	assert_int_equal(field(h, 124, 11), 1234567);
	assert_int_equal(h[135], '\0');
	assert_int_equal(field(h, 136, 11), 1700000000);
	assert_int_equal(h[156], '0');
	assert_memory_equal(h + 257, "ustar\0" "00", 8);
	/* The checksum: the sum of all bytes, its field as spaces. */
	for (i = 0, sum = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	assert_int_equal(field(h, 148, 6), sum);
	assert_int_equal(h[154], '\0');
	assert_int_equal(h[155], ' ');
	/* Everything else is zero (no link name, owner names, prefix). */
	for (i = 157; i < 257; i++)
		assert_int_equal(h[i], 0);
	for (i = 265; i < TAR_BLOCK; i++)
		assert_int_equal(h[i], 0);

	/* The largest size and a time before 1970. */
	assert_int_equal(tar_header(h, "a", TAR_SIZE_MAX, -5), 0);
	assert_memory_equal(h + 124, "77777777777\0", 12);
	assert_int_equal(field(h, 136, 11), 0);
}

static void
test_refused(void **state)
{
	unsigned char	h[TAR_BLOCK];
	char		name[TAR_NAME_MAX + 2];
	const char	*bad[] = { "", "/etc/passwd", "a/../b", "..", "a/..",
			    "./a", "a//b", "a/", "a b", "a\tb", "a\\b", "é",
			    "a/./b", NULL };
	size_t		i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_false(tar_name_ok(bad[i]));
		memset(h, 0xff, sizeof(h));
		assert_int_equal(tar_header(h, bad[i], 1, 0), -1);
		assert_int_equal(h[0], 0);
	}
	assert_false(tar_name_ok(NULL));
	memset(name, 'a', TAR_NAME_MAX);
	name[TAR_NAME_MAX] = '\0';
	assert_true(tar_name_ok(name));
	name[TAR_NAME_MAX] = 'a';
	name[TAR_NAME_MAX + 1] = '\0';
	assert_false(tar_name_ok(name));
	assert_true(tar_name_ok("..a/b.."));
	assert_int_equal(tar_header(h, "a", TAR_SIZE_MAX + 1, 0), -1);
}

static void
test_pad(void **state)
{
	(void)state;
	assert_int_equal(tar_pad(0), 0);
	assert_int_equal(tar_pad(1), 511);
	assert_int_equal(tar_pad(511), 1);
	assert_int_equal(tar_pad(512), 0);
	assert_int_equal(tar_pad(513), 511);
	assert_int_equal(tar_pad(TAR_SIZE_MAX), 1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_pad),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
