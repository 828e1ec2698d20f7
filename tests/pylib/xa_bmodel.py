"""SOPHON bmodels built at test time: flatc compiles a JSON model (tests/data/bmodel/*.json)
against the bmodel schema, then the 64-byte header is prepended (spec/sophon.md)."""
import json
import os
import shutil
import struct
import subprocess

from xa_testlib import DATA

SCHEMA = os.path.join(DATA, "bmodel", "bmodel.fbs")
FLATC = shutil.which("flatc") or "/usr/bin/flatc"
MAGIC, MAGIC_OLD = 0xFF55AAEE, 0xFF55AAFF


def build_bmodel(name, out_dir, magic=MAGIC, blob=b"", header_size=64):
    """flatc -b tests/data/bmodel/NAME.json into out_dir, then the header; (path, flatbuffer, model)."""
    src = os.path.join(DATA, "bmodel", name + ".json")
    out = os.path.join(out_dir, "fb_" + name)
    os.makedirs(out, exist_ok=True)
    p = subprocess.run([FLATC, "-b", "-o", out, SCHEMA, src], capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"flatc failed on {src}: {p.stderr}")
    fb = open(os.path.join(out, name + ".bin"), "rb").read()
    hdr = struct.pack("<4I", magic, header_size, len(fb), len(blob)) + bytes(48)
    path = os.path.join(out_dir, f"{name}_{magic:08x}.bmodel")
    with open(path, "wb") as f:
        f.write(hdr + fb + blob)
    with open(src) as f:
        model = json.load(f)
    return path, fb, model
