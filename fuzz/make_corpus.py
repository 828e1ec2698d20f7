#!/usr/bin/python3
"""Regenerate the seed corpora of fuzz/fuzz_npy.c, fuzz_npz.c and fuzz_spec.c.

Run with Debian's interpreter (its numpy writes the real files): /usr/bin/python3 fuzz/make_corpus.py
Writes fuzz/corpus/{npy,npz,spec}/ (replacing what is there). Everything is deterministic: fixed
seeds, zip timestamps fixed by zipfile's defaults. Real files come from numpy's own writers
(np.save, np.lib.format.write_array with version 1.0/2.0/3.0, np.savez, np.savez_compressed);
malformed ones are edits of real ones or built byte by byte with struct, each named for the
problem it carries. Sizes stay small (the whole corpus is well under 200 KiB).
"""
import io
import os
import shutil
import struct
import sys
import zipfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
DTYPES = ["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]


def npy_bytes(a, version=None):
    f = io.BytesIO()
    np.lib.format.write_array(f, a, version=version)
    return f.getvalue()


def sample(dt, shape, rng):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt.newbyteorder("="),
                            endpoint=True).astype(dt)
    return rng.standard_normal(shape).astype(dt)


def npy_corpus(w):
    rng = np.random.default_rng(20240601)
    for dt in DTYPES:
        for order in "<>":
            t = np.dtype(dt).newbyteorder(order) if np.dtype(dt).itemsize > 1 else np.dtype(dt)
            name = f"{np.dtype(dt).name}{'_be' if order == '>' and t.itemsize > 1 else ''}"
            if order == ">" and t.itemsize == 1:
                continue
            w(f"{name}_3d.npy", npy_bytes(sample(t, (2, 3, 4), rng)))
            w(f"{name}_fortran.npy", npy_bytes(np.asfortranarray(sample(t, (3, 5), rng))))
            w(f"{name}_scalar.npy", npy_bytes(sample(t, (), rng)))
            w(f"{name}_empty.npy", npy_bytes(np.zeros((0, 3), t)))
    a = sample("f4", (4, 3), rng)
    for v in [(1, 0), (2, 0), (3, 0)]:
        w(f"float32_v{v[0]}.npy", npy_bytes(a, v))
    # bfloat16 as ml_dtypes saves it: a 2-byte void
    bf = (np.arange(12, dtype=np.float32).view(np.uint32) >> 16).astype("<u2").view("V2")
    w("bfloat16_v2void.npy", npy_bytes(bf.reshape(3, 4)))
    w("rank8.npy", npy_bytes(np.zeros((1, 2, 1, 2, 1, 2, 1, 2), "u1")))
    good = npy_bytes(a)
    # --- malformed ---
    w("bad_magic.npy", b"\x93NUMPZ" + good[6:])
    w("truncated_preamble.npy", good[:7])
    w("truncated_header.npy", good[:40])
    w("truncated_data.npy", good[:-5])
    w("trailing_bytes.npy", good + b"trailing")
    w("header_len_lies_long.npy", good[:8] + struct.pack("<H", 0xFFF0) + good[10:])
    w("header_len_lies_v2.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 0x7FFFFFFF) + good[10:])
    w("version_4.npy", b"\x93NUMPY\x04\x00" + good[8:])
    w("version_1_1.npy", b"\x93NUMPY\x01\x01" + good[8:])

    def hdr(d, data=b""):
        h = d.encode("latin1")
        h += b" " * (-(10 + len(h) + 1) % 64) + b"\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data

    w("shape_overflow.npy", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }"))
    w("shape_int64_overflow.npy", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"))
    w("shape_over_limit.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (1099511627777,), }"))
    w("shape_rank9.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }"))
    w("shape_negative.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (-1,), }"))
    w("shape_not_tuple.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': [3], }"))
    w("shape_unclosed.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (3, "))
    w("shape_paren_int.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (3), }", b"abc"))
    w("data_short.npy", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }", b"\0" * 16))
    w("fortran_maybe.npy", hdr("{'descr': '<u1', 'fortran_order': Maybe, 'shape': (3,), }", b"abc"))
    w("missing_shape.npy", hdr("{'descr': '<u1', 'fortran_order': False, }", b"abc"))
    w("extra_key.npy", hdr("{'descr': '<u1', 'fortran_order': False, 'shape': (3,), 'x': 1, }", b"abc"))
    w("not_a_dict.npy", hdr("['descr', '<u1']", b"abc"))
    w("escape_in_descr.npy", hdr("{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (1,), }", b"abcd"))
    w("long_descr.npy", hdr("{'descr': '" + "<" * 100 + "f4', 'fortran_order': False, 'shape': (1,), }", b"abcd"))
    w("double_quotes.npy", hdr('{"descr": "<u1", "fortran_order": False, "shape": (3,), }', b"abc"))
    # a header one byte longer than numpy pads it: the data starts at an odd offset (np.load
    # reads it; xalign copies it to an aligned block)
    h = b"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    h += b" " * (-(10 + len(h) + 1) % 64 + 1) + b"\n"
    w("header_unaligned_data.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h
      + struct.pack("<2f", 1.5, -2.0))
    # real numpy files of dtypes xalign does not read
    w("object.npy", npy_bytes(np.array([1, "a", None], dtype=object)))
    w("structured.npy", npy_bytes(np.zeros(3, dtype=[("a", "<f4"), ("b", "<i2")])))
    w("complex64.npy", npy_bytes(np.arange(3, dtype=np.complex64)))
    w("unicode.npy", npy_bytes(np.array(["ab", "c"])))
    w("bytes.npy", npy_bytes(np.array([b"ab", b"c"])))
    w("datetime.npy", npy_bytes(np.array(["2020-01-01"], dtype="M8[D]")))
    w("float128.npy", npy_bytes(np.zeros(2, dtype=np.longdouble)))
    w("void3.npy", npy_bytes(np.zeros(2, dtype="V3")))
    w("subarray.npy", npy_bytes(np.zeros(2, dtype=("<f4", (2,)))))
    w("utf8_v3_descr.npy", npy_bytes(np.zeros(2, dtype=[("é", "<f4")])))
    w("empty_file.npy", b"")


# ---- zip building blocks (APPNOTE.TXT), for archives numpy would never write -------------------

def local(name, data, crc=None, method=0, csize=None, usize=None, flags=0, extra=b""):
    crc = zlib.crc32(data) if crc is None else crc
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0, 0x21, crc,
                       len(data) if csize is None else csize, len(data) if usize is None else usize,
                       len(name), len(extra)) + name + extra


def central(name, crc, csize, usize, offset, method=0, flags=0, extra=b""):
    return struct.pack("<IBBHHHHHIIIHHHHHII", 0x02014B50, 20, 3, 20, flags, method, 0, 0x21, crc,
                       csize, usize, len(name), len(extra), 0, 0, 0, 0o600 << 16, offset) + name + extra


def end(count, cd_size, cd_off, comment=b""):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_off,
                       len(comment)) + comment


def archive(members, comment=b"", prefix=b""):
    """members: list of dicts(name, data, method, stored) -> bytes of a well-formed archive."""
    body, cd = b"", b""
    for m in members:
        name, raw = m["name"].encode(), m["data"]
        method = m.get("method", 0)
        comp = raw if method == 0 else deflate(raw)
        off = len(body)
        body += local(name, comp, crc=zlib.crc32(raw), method=method, usize=len(raw))
        body += comp
        cd += central(name, zlib.crc32(raw), len(comp), len(raw), off, method=method)
    return prefix + body + cd + end(len(members), len(cd), len(body), comment)


def deflate(raw, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


def savez_bytes(compressed=False, **arrays):
    f = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(f, **arrays)
    return f.getvalue()


def npz_corpus(w):
    rng = np.random.default_rng(7)
    a = sample("f4", (2, 3), rng)
    b = sample("u1", (5,), rng)
    c = sample("i8", (), rng)
    w("savez.npz", savez_bytes(logits=a, image=b, step=c))
    w("savez_compressed.npz", savez_bytes(True, logits=a, image=b, step=c))
    w("savez_positional.npz", (lambda f: (np.savez(f, a, b), f.getvalue())[1])(io.BytesIO()))
    w("savez_empty_archive.npz", savez_bytes())
    w("savez_fortran_be.npz", savez_bytes(f=np.asfortranarray(a), be=a.astype(">f8")))
    # the same with ZIP64 end records and central directory extras, as zipfile writes them for
    # archives over 2 GiB (forced here by lowering zipfile's threshold)
    saved = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 16
    try:
        w("zip64_records.npz", savez_bytes(logits=a, image=b))
        w("zip64_records_compressed.npz", savez_bytes(True, logits=a, image=b))
    finally:
        zipfile.ZIP64_LIMIT = saved
    good = savez_bytes(logits=a, image=b)
    npy_a = npy_bytes(a)
    # --- malformed ---
    w("empty_file.npz", b"")
    w("truncated_half.npz", good[: len(good) // 2])
    w("truncated_no_end.npz", good[:-10])
    w("not_zip.npz", b"PK\x03\x04" + b"\0" * 60)
    w("comment.npz", archive([{"name": "x.npy", "data": npy_a}], comment=b"hello"))
    w("prepended_data.npz", archive([{"name": "x.npy", "data": npy_a}], prefix=b"#!stub\n" * 3))
    w("duplicate_names.npz", archive([{"name": "x.npy", "data": npy_a},
                                      {"name": "x.npy", "data": npy_bytes(b)}]))
    w("name_and_name_npy.npz", archive([{"name": "x", "data": npy_bytes(b)},
                                        {"name": "x.npy", "data": npy_a}]))
    w("non_npy_member.npz", archive([{"name": "notes.txt", "data": b"hello"},
                                     {"name": "x.npy", "data": npy_a}]))
    w("directory_member.npz", archive([{"name": "dir/", "data": b""},
                                       {"name": "dir/x.npy", "data": npy_a}]))
    w("deflate_plain.npz", archive([{"name": "x.npy", "data": npy_a, "method": 8}]))
    w("deflate_bad_npy.npz", archive([{"name": "x.npy", "data": npy_a[:100], "method": 8}]))

    def one(name=b"x.npy", data=npy_a, method=0, comp=None, crc=None, csize=None, usize=None,
            cflags=0, lflags=0, lname=None, cd_off_delta=0, hdr_off=0, count=1, cextra=b"",
            cd_size_delta=0):
        comp = data if comp is None else comp
        crc = zlib.crc32(data) if crc is None else crc
        body = local(lname or name, comp, crc, method, flags=lflags, usize=len(data)) + comp
        cd = central(name, crc, len(comp) if csize is None else csize,
                     len(data) if usize is None else usize, hdr_off, method, cflags, cextra)
        return body + cd + end(count, len(cd) + cd_size_delta, len(body) + cd_off_delta)

    w("crc_mismatch.npz", one(crc=0x12345678))
    w("crc_mismatch_deflate.npz", one(method=8, comp=deflate(npy_a), crc=0x12345678))
    w("local_name_differs.npz", one(lname=b"y.npy"))
    w("local_offset_past_end.npz", one(hdr_off=5000))
    w("local_offset_not_header.npz", one(hdr_off=3))
    w("cd_offset_past_end.npz", one(cd_off_delta=100000))
    w("cd_size_lies.npz", one(cd_size_delta=900))
    w("count_lies.npz", one(count=40000))
    w("count_ffff_empty_cd.npz", one()[:-22] + end(0xFFFF, 0, 0))
    body = one()
    body = body[: body.rfind(b"PK\x01\x02")]
    w("count_over_limit_zip64.npz", body + struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0,
                                                        1 << 20, 1 << 20, 0, len(body))
      + struct.pack("<IIQI", 0x07064B50, 0, len(body), 1) + end(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
    w("csize_past_end.npz", one(csize=1 << 20))
    w("stored_sizes_differ.npz", one(usize=len(npy_a) + 8))
    w("encrypted_flag.npz", one(cflags=1, lflags=1))
    w("method_bzip2.npz", one(method=12))
    w("method_deflate64.npz", one(method=9, comp=deflate(npy_a)))
    w("zip64_extra_missing_field.npz", one(usize=0xFFFFFFFF, cextra=struct.pack("<HH", 1, 0)))
    w("zip64_extra_overruns.npz", one(cextra=struct.pack("<HHQ", 1, 200, 5)))
    w("empty_name.npz", one(name=b"", lname=b""))
    w("nul_in_name.npz", one(name=b"x\0.npy", lname=b"x\0.npy"))
    # deflate streams that lie
    d = deflate(npy_a)
    w("deflate_truncated.npz", one(method=8, comp=d[: len(d) // 2]))
    w("deflate_garbage.npz", one(method=8, comp=b"\xff" * 40))
    w("deflate_usize_short.npz", one(method=8, comp=d, usize=len(npy_a) - 7))
    w("deflate_usize_long.npz", one(method=8, comp=d, usize=len(npy_a) + 7))
    # zip bombs: a real 4 MiB of zeros (inflates within the limits and then fails as an .npy
    # header), and one that declares 1 TiB from 4 KiB (refused before allocating)
    zeros = deflate(b"\0" * (4 << 20))
    w("bomb_real_4mib.npz", one(method=8, comp=zeros, data=b"\0" * (4 << 20)))
    w("bomb_declared_1tib.npz", one(method=8, comp=zeros, usize=0xFFFFFFFF,
                                     cextra=struct.pack("<HHQ", 1, 8, 1 << 40)))
    w("bomb_ratio_lie.npz", one(method=8, comp=zeros[:64], usize=0x7FFFFFFF))
    # ZIP64 end record whose locator points nowhere, and a locator claiming several disks
    z = savez_bytes(logits=a)
    e = z.rfind(b"PK\x05\x06")
    w("zip64_locator_bad_offset.npz", z[:e] + struct.pack("<IIQI", 0x07064B50, 0, 1 << 40, 1) + z[e:])
    w("zip64_locator_multidisk.npz", z[:e] + struct.pack("<IIQI", 0x07064B50, 0, 0, 3) + z[e:])


SPECS = [
    "a.npy", "x.npz#logits", "x.npz#", "#member", "dump.bin:f32", "dump.bin:f32:1x3x224x224",
    "dump.bin:bf16:scalar", "dump.bmrt:f16:1x3,1x80x80x85,6#1", "dump.bmrt:f16:1x3,2#2",
    "dump.bin:f32:1x3#x", "dump.bin:f32:", "dump.bin:f32:1xx3", "dump.bin:f32:1x", "dump.bin:f32:x1",
    "dump.bin:f32:99999999999999999999", "dump.bin:f32:1x1x1x1x1x1x1x1x1",
    "dump.bin:nope:1x3", "a:b:c:d", ":", "::", "#", "##", ":f32", ":f32:1", "C:\\dump.bin:f32:1x3",
    "dump.bin:u8:" + ",".join(["1"] * 1100), "dump.bin:i64:1x3#-1", "dump.bin:f32:1x3#99999999999",
    "dump.bin:float32:2x2", "x.npy:bf16", "path with spaces.bin:u8:4", "dump.bin:f32:SCALAR",
    "dump.bin:f32:1X3", "dump.bin:f32:0x0", "\xff\xfe.bin:f32:1",
]


def spec_corpus(w):
    for i, s in enumerate(SPECS):
        w(f"spec_{i:02d}.txt", s.encode("utf-8", "surrogateescape"))


def main():
    total = 0
    for kind, fn in [("npy", npy_corpus), ("npz", npz_corpus), ("spec", spec_corpus)]:
        d = os.path.join(OUT, kind)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

        def w(name, data, d=d):
            nonlocal total
            if not data and not name.startswith("empty"):
                return
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            total += len(data)
        fn(w)
    print(f"wrote {total} bytes of seed corpora under {OUT}")


if __name__ == "__main__":
    sys.exit(main())
