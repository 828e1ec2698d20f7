"""Test-image generators for the decode tests: PNGs of every bit depth / colour type built by
hand (so palette, tRNS, interlace, gAMA and eXIf chunks and broken CRCs can be chosen),
EXIF/TIFF blocks in either byte order, and JPEG segment surgery. Deterministic: callers pass
numpy Generators with fixed seeds."""
import struct
import zlib

import numpy as np

PNG_SIG = b"\x89PNG\r\n\x1a\n"
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def smooth_image(rng, h, w, c=3):
    """A natural-looking image: gradients plus noise (chroma upsampling and DCT both matter)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for k in range(c):
        a, b = rng.uniform(0.2, 1.5, 2)
        planes.append(x * a * (k + 1) % 256 * 0.6 + y * b * 0.4 + rng.normal(0, 18, (h, w)))
    return np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8)


def chunk(kind, data, bad_crc=False):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    if bad_crc:
        crc ^= 0x5A5A5A5A
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _pack_rows(samples, bd):
    """samples: H x W x C integer array -> list of packed scanlines (without filter bytes)."""
    h, w, c = samples.shape
    rows = []
    for r in samples.reshape(h, w * c):
        if bd == 16:
            rows.append(r.astype(">u2").tobytes())
        elif bd == 8:
            rows.append(r.astype(np.uint8).tobytes())
        else:
            per = 8 // bd
            n = (len(r) + per - 1) // per
            padded = np.zeros(n * per, dtype=np.uint32)
            padded[: len(r)] = r
            packed = np.zeros(n, dtype=np.uint32)
            for i in range(per):
                packed |= padded[i::per] << (8 - bd * (i + 1))
            rows.append(packed.astype(np.uint8).tobytes())
    return rows


def png_bytes(samples, bd, ct, palette=None, trns=None, interlace=False, before_idat=(),
              after_idat=(), idat_bad_crc=False, iend=True, idat_split=1):
    """A PNG of `samples` (H x W x C, C matching the colour type). Extra chunks are
    (kind, data[, bad_crc]) tuples placed before or after the image data."""
    h, w, c = samples.shape
    assert c == CHANNELS[ct]
    raw = b""
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            raw += b"".join(b"\0" + r for r in _pack_rows(sub, bd))
    else:
        raw = b"".join(b"\0" + r for r in _pack_rows(samples, bd))
    out = PNG_SIG + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bd, ct, 0, 0, 1 if interlace else 0))
    for ch in before_idat:
        out += chunk(*ch)
    if palette is not None:
        out += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    z = zlib.compress(raw, 9)
    step = (len(z) + idat_split - 1) // idat_split
    for i in range(0, len(z), step):
        out += chunk(b"IDAT", z[i:i + step], bad_crc=idat_bad_crc)
    for ch in after_idat:
        out += chunk(*ch)
    if iend:
        out += chunk(b"IEND", b"")
    return out


def tiff(byteorder, entries, ifd_offset=8):
    """A TIFF header + IFD0 as EXIF carries it. entries: (tag, type, count, 4 value bytes)."""
    e = "<" if byteorder == "II" else ">"
    d = byteorder.encode() + struct.pack(e + "HI", 42, ifd_offset) + b"\0" * (ifd_offset - 8)
    d += struct.pack(e + "H", len(entries))
    for tag, typ, cnt, val in entries:
        d += struct.pack(e + "HHI", tag, typ, cnt) + val
    return d + struct.pack(e + "I", 0)


def short_value(byteorder, v):
    return struct.pack("<HH" if byteorder == "II" else ">HH", v, 0)


def long_value(byteorder, v):
    return struct.pack("<I" if byteorder == "II" else ">I", v)


def orientation_tiff(byteorder, o):
    return tiff(byteorder, [(0x0112, 3, 1, short_value(byteorder, o))])


def app1(payload):
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_insert_after_soi(jpeg, *segments):
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def entropy_start(jpeg):
    """Offset of the first byte after the first SOS header."""
    i = jpeg.index(b"\xff\xda")
    return i + 2 + struct.unpack(">H", jpeg[i + 2:i + 4])[0]


def png_color_type(path):
    with open(path, "rb") as f:
        head = f.read(33)
    return head[25] if head[:8] == PNG_SIG and len(head) >= 26 else None
