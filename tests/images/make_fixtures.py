#!/usr/bin/python3
"""Writes the image test files into the folder named on the command line.

Real files, made by real encoders (Pillow, and libheif's heif-enc for
AVIF and HEIC), carrying the metadata a phone or an editor would leave:
EXIF with GPS and an orientation, XMP, IPTC, comments, PNG text chunks
and ICC profiles.  Every secret a test must not find again in an output
contains MARK ("kblog-secret"); the GPS position is 48.8584 N 2.2945 E.

    tests/images/make_fixtures.py build/fixtures/images

Debian packages: python3-pil, python3-piexif; libheif-examples (heif-enc)
for the AVIF and HEIC files (without it: exit status 1, no MANIFEST).
Deterministic: the same files on every run.  Writes MANIFEST listing them
last, so make knows the set is complete.
"""

import io
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib

import piexif
from PIL import Image, ImageCms, ImageDraw

MARK = b"kblog-secret"


def exif_bytes(orientation=1, gps=True):
    zeroth = {
        piexif.ImageIFD.Make: b"kblog-secret-make",
        piexif.ImageIFD.Model: b"kblog-secret-model",
        piexif.ImageIFD.Orientation: orientation,
        piexif.ImageIFD.ImageDescription: b"kblog-secret description",
    }
    exif = {piexif.ExifIFD.UserComment: b"ASCII\0\0\0kblog-secret-comment",
            piexif.ExifIFD.BodySerialNumber: b"kblog-secret-serial"}
    ifds = {"0th": zeroth, "Exif": exif}
    if gps:
        ifds["GPS"] = {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((48, 1), (51, 1), (3024, 100)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: ((2, 1), (17, 1), (4020, 100)),
            piexif.GPSIFD.GPSAltitude: (35, 1),
        }
    return piexif.dump(ifds)


XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
       b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/" '
       b'xmlns:exif="http://ns.adobe.com/exif/1.0/" '
       b'exif:GPSLatitude="48,51.504N" exif:GPSLongitude="2,17.67E">'
       b'<dc:creator>kblog-secret-xmp-creator</dc:creator>'
       b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def iptc_app13():
    """An APP13 Photoshop segment with an IPTC-IIM block (8BIM 0x0404)."""
    def ds(tag, value):
        return b"\x1c\x02" + bytes([tag]) + struct.pack(">H", len(value)) \
            + value
    iim = ds(0, b"\x00\x04") + ds(80, b"kblog-secret-byline") + \
        ds(90, b"kblog-secret-city")
    if len(iim) % 2:
        iim += b"\0"
    block = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + \
        struct.pack(">I", len(iim)) + iim
    body = b"Photoshop 3.0\0" + block
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def app1_xmp():
    body = b"http://ns.adobe.com/xap/1.0/\0" + XMP
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def add_segments(jpeg, *segments):
    """Inserts whole marker segments right after SOI."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def srgb_icc():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_bytes(im, **kw):
    out = io.BytesIO()
    im.save(out, "JPEG", **kw)
    return out.getvalue()


def oriented_source():
    """300x200 as stored: the left 100 columns red, the rest blue.  Shown
    with orientation 6 (turned 90 degrees clockwise) it is 200x300 with
    the red third at the top."""
    im = Image.new("RGB", (300, 200), (20, 40, 230))
    ImageDraw.Draw(im).rectangle((0, 0, 99, 199), fill=(230, 30, 30))
    return im


def photo(w, h, seed):
    """Photo-like content (gradients, shapes, sensor noise) so encoders
    and timings behave as on a real photo."""
    rnd = random.Random(seed)
    r = Image.linear_gradient("L").resize((w, h))
    g = Image.radial_gradient("L").resize((w, h))
    b = Image.linear_gradient("L").rotate(90).resize((w, h))
    im = Image.merge("RGB", (r, g, b))
    d = ImageDraw.Draw(im)
    for _ in range(60):
        x, y = rnd.randrange(w), rnd.randrange(h)
        s = rnd.randrange(w // 40, w // 6)
        d.ellipse((x, y, x + s, y + s), fill=(rnd.randrange(256),
                  rnd.randrange(256), rnd.randrange(256)))
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    return Image.blend(im, noise, 0.12)


def gif_polyglot_js():
    """A GIF that is also JavaScript: the header "GIF89a/*" opens a
    comment (the width field is "/*"), the script follows the trailer."""
    im = Image.new("P", (4, 4), 1)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * (254 * 3))
    out = io.BytesIO()
    im.save(out, "GIF")
    g = bytearray(out.getvalue())
    g[6:8] = b"/*"                       # logical screen width 10799
    return bytes(g) + b"*/=alert('kblog-secret-js');//"


def gif_screen_bomb():
    """A 1x1 frame on a 50,000 x 50,000 logical screen."""
    im = Image.new("P", (1, 1), 0)
    im.putpalette([255, 255, 255] + [0] * (255 * 3))
    out = io.BytesIO()
    im.save(out, "GIF")
    g = bytearray(out.getvalue())
    g[6:10] = struct.pack("<HH", 50000, 50000)
    return bytes(g)


def png_bomb(w, h):
    """IHDR declaring w x h, one tiny IDAT (a few rows of zeros), IEND:
    whole as a container, a decompression bomb as an image."""
    def chunk(t, data):
        c = struct.pack(">I", len(data)) + t + data
        return c + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (w + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + \
        chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_bomb():
    """A real 16x16 JPEG whose frame header says 60,000 x 60,000."""
    j = bytearray(jpeg_bytes(Image.new("RGB", (16, 16), (9, 9, 9))))
    i = 2
    while True:
        assert j[i] == 0xff
        m, n = j[i + 1], struct.unpack(">H", j[i + 2:i + 4])[0]
        if 0xc0 <= m <= 0xc2:
            j[i + 5:i + 9] = struct.pack(">HH", 60000, 60000)
            return bytes(j)
        i += 2 + n


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_fixtures.py DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    made = []

    def put(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        made.append(name)

    # JPEG, orientation 6, EXIF with GPS, XMP, IPTC, a comment, ICC.
    o6 = jpeg_bytes(oriented_source(), quality=90, exif=exif_bytes(6),
                    icc_profile=srgb_icc(), comment=b"kblog-secret-com")
    put("exif_gps_o6.jpg", add_segments(o6, app1_xmp(), iptc_app13()))

    # A phone-sized photo with GPS (orientation 1).
    put("gps.jpg", jpeg_bytes(photo(1600, 1200, 1), quality=88,
                              exif=exif_bytes(1)))

    # The 12-megapixel photo.
    big = jpeg_bytes(photo(4000, 3000, 2), quality=90, exif=exif_bytes(1))
    put("photo_12mp.jpg", big)

    # Truncated: the photo cut at 60 %.
    put("truncated.jpg", big[:len(big) * 6 // 10])

    # Polyglots: JPEG + ZIP, GIF + JavaScript.
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("kblog-secret.txt", "hidden in a JPEG")
    small = jpeg_bytes(photo(320, 240, 3), quality=80)
    put("polyglot_zip.jpg", small + z.getvalue())
    put("polyglot_js.gif", gif_polyglot_js())

    # A JPEG followed by a second whole JPEG (as MPF and gain maps are).
    put("mpf_like.jpg", small + jpeg_bytes(Image.new("RGB", (64, 48))))
    # A JPEG padded with zeros.
    put("zero_padded.jpg", small + b"\0" * 1000)

    # CMYK JPEG (no profile): converted to sRGB.
    put("cmyk.jpg", jpeg_bytes(photo(500, 400, 4).convert("CMYK"),
                               quality=85))

    # PNG: RGBA, tEXt, zTXt and iTXt (XMP) chunks, eXIf with GPS, ICC.
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "kblog-secret-png-text")
    info.add_text("Author", "kblog-secret-author", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), lang="", tkey="")
    info.add_itxt("Description", "kblog-secret-itxt", lang="en",
                  tkey="Description")
    rgba = photo(400, 300, 5).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((400, 300)))
    pb = io.BytesIO()
    rgba.save(pb, "PNG", pnginfo=info, icc_profile=srgb_icc(),
              exif=exif_bytes(1))
    put("text_icc.png", pb.getvalue())

    # A wide PNG (capped at 2048) and a 16-bit grey one.
    pb = io.BytesIO()
    photo(2500, 300, 6).save(pb, "PNG")
    put("wide.png", pb.getvalue())
    pb = io.BytesIO()
    Image.linear_gradient("L").resize((300, 200)).convert("I").point(
        lambda v: v * 256).save(pb, "PNG")
    put("grey16.png", pb.getvalue())

    # Animated GIF: 4 frames, 400x300, 100 ms, a comment extension.
    frames = []
    for i, c in enumerate([(230, 20, 20), (20, 230, 20), (20, 20, 230),
                           (230, 230, 20)]):
        f = Image.new("RGB", (400, 300), c)
        ImageDraw.Draw(f).rectangle((i * 80, 100, i * 80 + 79, 199),
                                    fill=(255, 255, 255))
        frames.append(f)
    gb = io.BytesIO()
    frames[0].save(gb, "GIF", save_all=True, append_images=frames[1:],
                   duration=100, loop=0, comment=b"<script>kblog-secret"
                   b"</script>")
    put("anim.gif", gb.getvalue())

    # A still GIF larger than 320 wide: variants in GIF.
    gb = io.BytesIO()
    photo(500, 300, 7).convert("P", palette=Image.ADAPTIVE).save(gb, "GIF")
    put("still.gif", gb.getvalue())

    # WebP: still with EXIF and ICC, and animated.
    wb = io.BytesIO()
    photo(800, 600, 8).save(wb, "WEBP", quality=85, exif=exif_bytes(1),
                            icc_profile=srgb_icc())
    put("still.webp", wb.getvalue())
    wb = io.BytesIO()
    frames[0].save(wb, "WEBP", save_all=True, append_images=frames[1:],
                   duration=100, loop=0, quality=80)
    put("anim.webp", wb.getvalue())

    # Bombs, and an image too tall for WebP (17,000 > 16,383 pixels).
    put("bomb.png", png_bomb(50000, 50000))
    pb = io.BytesIO()
    Image.new("RGB", (100, 17000), (9, 9, 9)).save(pb, "PNG")
    put("tall.png", pb.getvalue())
    put("bomb.gif", gif_screen_bomb())
    put("bomb.jpg", jpeg_bomb())

    # Not an image; an image of a type kblog does not take.
    put("not_image.txt", b"just some text, kblog-secret\n")
    bb = io.BytesIO()
    Image.new("RGB", (8, 8)).save(bb, "BMP")
    put("image.bmp", bb.getvalue())

    # AVIF and HEIC through libheif's encoder, from a JPEG with GPS.
    enc = shutil.which("heif-enc")
    if enc is None:
        # No MANIFEST: make runs this again once heif-enc is there.
        sys.exit("make_fixtures: heif-enc is missing (Debian "
                 "libheif-examples; scripts/deps test installs it)")
    else:
        src = os.path.join(out, ".heif-src.jpg")
        with open(src, "wb") as f:
            f.write(jpeg_bytes(photo(640, 480, 9), quality=90,
                               exif=exif_bytes(6)))
        for name, args in (("photo.avif", ["-A"]), ("photo.heic", [])):
            subprocess.run([enc, "-q", "60"] + args + ["-o",
                           os.path.join(out, name), src], check=True,
                           stdout=subprocess.DEVNULL)
            made.append(name)
        os.unlink(src)

    with open(os.path.join(out, "MANIFEST"), "w") as f:
        f.write("".join(n + "\n" for n in sorted(made)))


if __name__ == "__main__":
    main()
