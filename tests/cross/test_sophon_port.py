"""The README's recipe for a SOPHON SoC port works: examples/sophon-soc (a C++ port with
sophon-demo's CMake layout, TARGET_ARCH=soc and an SDK folder) builds against the aarch64 build
installed into a prefix, runs under qemu, and its dumps are what the x86 CLI computes: the
decode and the bit-exact resize byte for byte, the raw buffer as written. The executable needs
none of xalign's dependencies as shared libraries on the board.
Environment: XALIGN (x86 CLI), XALIGN_CROSS_DIR (the aarch64 build), XA_EMULATOR (qemu)."""
import os
import shlex
import subprocess

import numpy as np
from xa_testlib import DATA, SOURCE_DIR, Checker, run

ck = Checker("sophon_port")
cross = os.environ["XALIGN_CROSS_DIR"]
emu = shlex.split(os.environ["XA_EMULATOR"])


def sh(*args, **kw):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    ck.check(p.returncode == 0, f"{' '.join(map(str, args))}: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p


# the README shows the example's xalign lines: they must not drift apart
example = open(os.path.join(SOURCE_DIR, "examples", "sophon-soc", "CMakeLists.txt")).read()
block = example.split("# --- xalign")[1].split("\n", 1)[1].split("# -----")[0]
lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.strip().startswith("#")]
readme = [ln.strip() for ln in open(os.path.join(SOURCE_DIR, "README.md")).read().splitlines()]
ck.check(len(lines) >= 4 and all(ln in readme for ln in lines),
         f"README.md shows the xalign lines of examples/sophon-soc/CMakeLists.txt: {[ln for ln in lines if ln not in readme]}")

prefix, sdk, build = ck.path("xalign-aarch64"), ck.path("soc-sdk"), ck.path("build-port")
for d in ("include", "lib"):
    os.makedirs(os.path.join(sdk, d))
sh("cmake", "--install", cross, "--prefix", prefix)
sh("cmake", "-S", os.path.join(SOURCE_DIR, "examples", "sophon-soc"), "-B", build, "-DTARGET_ARCH=soc",
   f"-DSDK={sdk}", f"-DXALIGN={prefix}")
sh("cmake", "--build", build)
exe = os.path.join(build, "port.soc")
if ck.check(os.path.exists(exe), "port.soc built"):
    elf = sh("aarch64-linux-gnu-readelf", "-h", "-d", exe).stdout
    ck.check("AArch64" in elf, "port.soc is an aarch64 executable")
    needed = sorted(line.split("[")[1].rstrip("]") for line in elf.splitlines() if "(NEEDED)" in line)
    ck.check(not [n for n in needed if any(d in n for d in ("jpeg", "png", "libz", "jansson", "xalign"))],
             f"no xalign dependency is needed at run time: {needed}")
    photo = os.path.join(DATA, "fruits.jpg")
    dumps = ck.path("dumps")
    p = sh(*emu, exe, photo, env=dict(os.environ, XALIGN_DUMP_DIR=dumps))
    ck.check("512x480 -> 64x48; dumps written" in p.stdout, f"port output: {p.stdout!r}")
    got = sorted(os.listdir(dumps)) if os.path.isdir(dumps) else []
    ck.check(got == ["00_read.npy", "01_resize.npy", "02_logits.npy"], f"dumps: {got}")
    if len(got) == 3:
        run("decode", photo, ck.path("read.npy"), "--like", "pil", check_rc=0)
        run("resize", photo, ck.path("resize.npy"), "--method", "pil-bilinear", "--size", "64x48", check_rc=0)
        for mine, theirs in (("read.npy", "00_read.npy"), ("resize.npy", "01_resize.npy")):
            with open(ck.path(mine), "rb") as a, open(os.path.join(dumps, theirs), "rb") as b:
                ck.check(a.read() == b.read(), f"{theirs} is byte-identical to the x86 CLI's {mine}")
        logits = np.load(os.path.join(dumps, "02_logits.npy"))
        ck.check(logits.dtype == np.float32 and logits.tolist() == [[0.25, -1.5, 3.0, 0.125]], f"logits {logits!r}")
    off = sh(*emu, exe, photo, env={k: v for k, v in os.environ.items() if k != "XALIGN_DUMP_DIR"})
    ck.check(off.stdout.endswith("dumps off\n"), f"without XALIGN_DUMP_DIR nothing is dumped: {off.stdout!r}")
ck.done()
