#!/usr/bin/env python3
"""pngcheck.py PNG WIDTH HEIGHT: check a browser screenshot (python3 stdlib).

Decodes the PNG itself (chunks, zlib, the five row filters of the PNG
specification, 8-bit greyscale/RGB/RGBA, not interlaced) and exits 0 when
the image is WIDTH x HEIGHT and is not blank: at least MIN_COLOURS distinct
colours and at least MIN_INK of its pixels differ from the most common
colour (the page background). Prints one line saying what it found; exits 1
otherwise, 2 when the file is not a PNG it can read.
"""
import struct
import sys
import zlib
from collections import Counter

MIN_COLOURS = 8
MIN_INK = 0.01
CHANNELS = {0: 1, 2: 3, 6: 4}   # colour type -> samples per pixel


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, ihdr, idat = 8, None, []
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError("bad CRC in %r chunk" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not ihdr or not idat:
        raise ValueError("no IHDR or IDAT")
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in CHANNELS or interlace:
        raise ValueError("unsupported: depth %d, colour type %d, interlace %d"
                         % (depth, ctype, interlace))
    bpp = CHANNELS[ctype]
    stride = w * bpp
    raw = zlib.decompress(b"".join(idat))
    if len(raw) != h * (stride + 1):
        raise ValueError("%d bytes of image data for %dx%d" % (len(raw), w, h))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                if i >= bpp:
                    line[i] = (line[i] + paeth(line[i - bpp], prev[i], prev[i - bpp])) & 0xFF
                else:
                    line[i] = (line[i] + prev[i]) & 0xFF
        elif f != 0:
            raise ValueError("row %d: filter type %d" % (y, f))
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[0])
        return 2
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        w, h, bpp, rows = decode(path)
    except (OSError, ValueError, zlib.error) as e:
        print("%s: not a readable PNG: %s" % (path, e))
        return 2
    colours = Counter()
    for row in rows:
        colours.update(row[i:i + bpp] for i in range(0, len(row), bpp))
    background, n_bg = colours.most_common(1)[0]
    ink = 1 - n_bg / float(w * h)
    print("%s: %dx%d, %d colours, %.1f %% of pixels differ from the background #%s"
          % (path, w, h, len(colours), ink * 100, background.hex()))
    return 0 if (w, h) == (want_w, want_h) and len(colours) >= MIN_COLOURS and ink >= MIN_INK \
        else 1


if __name__ == "__main__":
    sys.exit(main())
