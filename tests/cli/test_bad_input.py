"""Bad input on the command line: every case must give exit 2, nothing on stdout, and exactly one
line on stderr that names the file (or spec) and the problem -- never a crash or a sanitizer
report. Run it against the ASan/UBSan CLI too: XALIGN=build-asan/xalign.

The files are made here: real numpy files (Debian's numpy) of dtypes xalign does not read, and
numpy files edited to lie (truncated, header sizes, shapes, zip offsets, CRCs, deflate streams).
"""
import io
import os
import struct
import sys
import zipfile
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pylib"))
from xa_testlib import Checker, run  # noqa: E402

CK = Checker("bad_input")
rng = np.random.default_rng(5)


def npy_bytes(a, version=None):
    f = io.BytesIO()
    np.lib.format.write_array(f, a, version=version, allow_pickle=True)
    return f.getvalue()


def put(name, data):
    p = CK.path(name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def hdr(d, data=b""):
    h = d.encode("latin1")
    h += b" " * (-(10 + len(h) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


good_a = rng.standard_normal((4, 6)).astype(np.float32)
good = npy_bytes(good_a)
good_p = put("good.npy", good)
small_p = put("small.npy", npy_bytes(np.zeros(5, np.float32)))

cases = []  # (what, argv, substrings that stderr must hold)


def case(what, argv, *must):
    cases.append((what, argv, must))


# --- files that are not there or not files ---
case("missing file", ["info", CK.path("nope.npy")], CK.path("nope.npy"), "no such file")
os.mkdir(CK.path("adir"))
case("directory", ["info", CK.path("adir")], CK.path("adir"), "is a directory")
case("empty file", ["info", put("empty.npy", b"")], "empty.npy", "empty file")
case("unknown format", ["info", put("text.npy", b"hello world\n")], "text.npy", "not an .npy")
# files that are not regular files are refused at once: a FIFO without a writer once made every
# command wait forever in open(), and /dev/zero was called an "empty file (0 bytes)"
fifo = CK.path("pipe.npy")
os.mkfifo(fifo)
os.mkdir(CK.path("dumps"))
for argv in (["info", fifo], ["compare", fifo, fifo], ["decode", "--like", "cv2", fifo, CK.path("o.npy")],
             ["stages", CK.path("dumps"), CK.path("dumps"), "--manifest", fifo],
             ["info", "--bmodel", fifo, fifo], ["resize", fifo, CK.path("o.npy"), "--method", "cv2-linear", "--size", "2x2"],
             ["preprocess", fifo, CK.path("o.npy"), "--recipe", "resnet-opencv"]):
    case(f"FIFO ({argv[0]})", argv, "pipe.npy", "is a FIFO", "regular files only")
case("FIFO (merge)", ["merge", fifo, fifo], "pipe.npy", "not a regular file")
for argv in (["diagnose", fifo, fifo], ["heatmap", fifo, fifo, CK.path("o.png")], ["results", fifo, fifo],
             ["coco-json", fifo, CK.path("o.json")], ["cocoeval", "--gt", fifo, "--dt", fifo],
             ["compare", good_p, good_p, "--tolerance-file", fifo], ["compare", good_p, good_p, "--map", fifo]):
    case(f"FIFO ({' '.join(a for a in argv if a not in (fifo, good_p) and '/' not in a)})", argv,
         "pipe.npy", "is a FIFO", "regular files only")
case("character device", ["info", "/dev/zero"], "/dev/zero", "is a character device")
case("/dev/null is no empty file", ["info", "/dev/null"], "/dev/null", "is a character device")

# --- .npy that lies or holds what xalign does not read ---
case("truncated header", ["info", put("trunc_hdr.npy", good[:40])], "trunc_hdr.npy", "header says")
case("truncated preamble", ["info", put("trunc_pre.npy", good[:8])], "trunc_pre.npy", "truncated")
case("truncated data", ["info", put("trunc_data.npy", good[:-7])], "trunc_data.npy",
     "float32 [4, 6] = 96 data bytes, the file has 89")
case("header length lies", ["info", put("hlen.npy", good[:8] + struct.pack("<H", 0xFFF0) + good[10:])],
     "hlen.npy", "header says 65520 bytes")
case("header over the limit", ["info", put("hbig.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 0x7FFFFFFF) + good[10:])],
     "hbig.npy", "exceeds the limit")
case("object dtype", ["info", put("object.npy", npy_bytes(np.array([1, "a", None], dtype=object)))],
     "object.npy", "object arrays")
case("structured dtype", ["info", put("struct.npy", npy_bytes(np.zeros(3, [("a", "<f4"), ("b", "<i2")])))],
     "struct.npy", "structured")
case("complex dtype", ["info", put("complex.npy", npy_bytes(np.arange(3, dtype=np.complex64)))],
     "complex.npy", "complex", "<c8")
case("unicode dtype", ["info", put("unicode.npy", npy_bytes(np.array(["ab", "c"])))],
     "unicode.npy", "string", "<U2")
case("float128 dtype", ["info", put("f128.npy", npy_bytes(np.zeros(2, np.longdouble)))],
     "f128.npy", "unsupported dtype")
case("shape overflow", ["info", put("overflow.npy", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }"))],
     "overflow.npy", "overflows")
case("shape above the element limit", ["info", put("huge.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (1099511627777,), }"))],
     "huge.npy", "exceed the limit")
case("dimension beyond int64", ["info", put("dim.npy", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"))],
     "dim.npy", "overflows int64")
case("rank above 8", ["info", put("rank9.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", b"x"))],
     "rank9.npy", "rank above")
case("header not a dict", ["info", put("nodict.npy", hdr("['descr', '<u1']", b"abc"))],
     "nodict.npy", "not a dict")
case("npy version 4", ["info", put("v4.npy", b"\x93NUMPY\x04\x00" + good[8:])],
     "v4.npy", "format version 4.0")

# --- .npz archives that lie ---
buf = io.BytesIO()
np.savez(buf, logits=good_a, image=np.arange(10, dtype=np.uint8))
npz = buf.getvalue()
buf = io.BytesIO()
np.savez_compressed(buf, logits=good_a)
npzc = buf.getvalue()


def with_zip_edit(data, name, fn):
    """Apply fn(bytearray, ZipInfo) to the archive; returns bytes."""
    b = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        fn(b, zf.getinfo(name))
    return bytes(b)


def data_start(b, info):
    nlen, xlen = struct.unpack("<HH", b[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + nlen + xlen


def flip_data(b, info):
    b[data_start(b, info) + info.compress_size - 3] ^= 0x40


def cut_stream(b, info):  # keep the archive's layout but zero the stream's second half
    s = data_start(b, info)
    for i in range(s + info.compress_size // 2, s + info.compress_size):
        b[i] = 0


p = put("crc.npz", with_zip_edit(npz, "logits.npy", flip_data))
case("stored member with a bad CRC", ["info", p + "#logits"], "crc.npz#logits", "CRC-32 mismatch")
case("a bad member fails the whole listing with --stats", ["info", "--stats", p], "crc.npz#logits", "CRC-32 mismatch")
# in a whole-model comparison a corrupt member is that member's error; the others are compared
# (exit 1, as a stage that cannot be read in `xalign stages`)
rc, out, err = run("compare", p, p)
CK.check(rc == 1 and "ERROR     logits" in out and "crc.npz#logits: CRC-32 mismatch" in out and
         "aligned   image" in out and "1/2 aligned; first unaligned: logits" in out,
         f"a corrupt member in a whole-model comparison: rc {rc} {out!r} {err!r}")
p = put("crcz.npz", with_zip_edit(npzc, "logits.npy", flip_data))
# a flipped bit either breaks the deflate stream or changes its output (then the CRC catches it)
case("deflated member corrupt", ["info", p + "#logits"], "crcz.npz#logits", "corrupt")
p = put("cutz.npz", with_zip_edit(npzc, "logits.npy", cut_stream))
case("deflated member cut short", ["info", p + "#logits"], "cutz.npz#logits", "deflate stream")
end = npz.rfind(b"PK\x05\x06")
p = put("cdoff.npz", npz[:end + 16] + struct.pack("<I", 10 ** 6) + npz[end + 20:])
case("central directory offset past the end", ["info", p], "cdoff.npz", "central directory")
p = put("trunc.npz", npz[: len(npz) // 2])
case("truncated archive", ["info", p], "trunc.npz", "not a zip archive")
# a zip bomb's lie: 2 GiB declared from a few bytes
bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
stream = bomb.compress(b"\0" * 4096) + bomb.flush()
lh = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, 0, len(stream), 0x7FFFFFFF, 5, 0) + b"x.npy"
cd = struct.pack("<IBBHHHHHIIIHHHHHII", 0x02014B50, 20, 3, 20, 0, 8, 0, 0x21, 0, len(stream),
                 0x7FFFFFFF, 5, 0, 0, 0, 0, 0, 0) + b"x.npy"
p = put("bomb.npz", lh + stream + cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd),
                                                   len(lh) + len(stream), 0))
case("zip bomb declaring 2 GiB", ["info", p], "bomb.npz#x", "more than deflate can produce")
npz_p = put("two.npz", npz)
case("missing member", ["info", npz_p + "#nope"], "two.npz", "no member 'nope'", "logits, image")
case("several members where one is needed", ["compare", npz_p, good_p], "two.npz", "holds 2 tensors")
case("#member on an .npy", ["info", good_p + "#logits"], "good.npy", "not an .npz")

# --- raw specs ---
raw_p = put("dump.bin", b"\0" * 10)
case("raw size does not match the shape", ["info", raw_p + ":f32:1x3"], "dump.bin", "12 bytes", "the file has 10")
case("raw size not a whole number of elements", ["info", raw_p + ":f32"], "dump.bin", "10 bytes", "f32")
case("raw split selects a missing part", ["info", raw_p + ":u8:2,3#5"], "dump.bin", "#5")
case("raw shape syntax", ["info", raw_p + ":f32:1xx3"], "dump.bin", "bad shape")
case("raw shape dimension overflow", ["info", raw_p + ":f32:99999999999999999999"], "dump.bin", "overflows")
# an unknown dtype after an existing path once read "no such file"
case("unknown raw dtype", ["info", raw_p + ":f99:25"], "dump.bin:f99:25", "unknown dtype 'f99'", "f32")
case("one shape given, part #1 selected", ["info", raw_p + ":u8:10#1"], "#1", "only 1 shape is given")
# a dtype on an .npz was silently ignored (its float64 members listed as "x.npz:f32#a")
case("dtype on an .npz", ["info", npz_p + ":f32"], "two.npz", "':f32'", "#NAME")
case("raw shape on an .npy", ["info", good_p + ":u8:96"], "good.npy", "the file has 224",
     "this is an .npy file", "header included")
case("dtype without a path", ["info", ":f32"], ":f32: no such file")

# --- manifests on standard input (--manifest -) name it in their messages ---
for body, needle in ((b"{\"stages\": [", "']' expected"), (b"\x00\xff", "manifest")):
    cases.append(("manifest on stdin", ["stages", CK.path("dumps"), CK.path("dumps"), "--manifest", "-"],
                  ("standard input: ", needle), body))

# --- compare ---
case("element counts differ", ["compare", good_p, small_p], "good.npy", "small.npy", "element counts differ",
     "(24)", "(5)")
case("compare with a bad file", ["compare", good_p, CK.path("trunc_data.npy")], "trunc_data.npy", "89")

for what, argv, must, *stdin in cases:
    rc, out, err = run(*argv, timeout=60, input=stdin[0].decode("latin1") if stdin else None)
    lines = err.splitlines()
    ok = (rc == 2 and out == "" and len(lines) == 1 and err.endswith("\n")
          and all(m in err for m in must) and "Sanitizer" not in err and "runtime error" not in err)
    CK.check(ok, f"{what}: xalign {' '.join(argv)} -> exit {rc}, stdout {out!r}, stderr {err!r}; "
                 f"want exit 2, one line holding {must}")

CK.done()
