#!/usr/bin/python3
"""Checks with Pillow (an EXIF reader independent of libvips) that image
files carry no metadata: no EXIF (GPS included), XMP, ICC profile,
comment or PNG text, and none of the fixtures' secrets in their bytes.

    tests/images/check_stripped.py DIR...

Prints one line per file (format, size, frames, what Pillow found) and
"N passed, M failed"; exits 1 when any file carries metadata.  AVIF
files are not readable by Pillow 9.4 (Debian 12) and are reported as
skipped.  docs/images.md shows how to make the files (image_bench -o).
"""

import os
import sys

from PIL import Image

MARK = b"kblog-secret"
# Keys under which Pillow 9.4 reports metadata in Image.info.
META_KEYS = ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment",
             "photoshop", "adobe", "dpi_exif")


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    problems = []
    if MARK in data:
        problems.append("secret in the bytes")
    if path.endswith(".avif"):
        return "skipped (Pillow 9.4 reads no AVIF)", problems, True
    with Image.open(path) as im:
        fmt, size = im.format, im.size
        frames = getattr(im, "n_frames", 1)
        exif = im.getexif()
        if len(exif) > 0:
            problems.append("EXIF tags %s" % sorted(exif.keys()))
        if exif.get_ifd(0x8825):
            problems.append("GPS IFD")
        for k in META_KEYS:
            if im.info.get(k):
                problems.append("info[%s]" % k)
        text = getattr(im, "text", None)
        if text:
            problems.append("PNG text %s" % sorted(text))
        # Every frame's info too (GIF comments may sit on later frames).
        for i in range(frames):
            im.seek(i)
            for k in META_KEYS:
                if im.info.get(k) and "info[%s]" % k not in problems:
                    problems.append("frame %d info[%s]" % (i, k))
    desc = "%s %dx%d, %d frame(s)" % (fmt, size[0], size[1], frames)
    return desc, problems, False


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: check_stripped.py DIR...")
    passed = failed = skipped = 0
    for d in sys.argv[1:]:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            desc, problems, skip = check(path)
            if problems:
                failed += 1
                print("FAIL %s: %s: %s" % (path, desc, "; ".join(problems)))
            elif skip:
                skipped += 1
                print("skip %s: %s" % (path, desc))
            else:
                passed += 1
                print("ok   %s: %s, no metadata" % (path, desc))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
