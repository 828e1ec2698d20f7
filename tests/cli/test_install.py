"""`make install` to a prefix gives a usable library: headers, static and shared libraries and a
pkg-config file that compile and link the C examples, which then run correctly."""
import os
import shutil
import subprocess

import numpy as np
from xa_testlib import SOURCE_DIR, XALIGN, Checker

ck = Checker("install")
build = os.path.dirname(os.path.abspath(XALIGN))
prefix = ck.path("prefix")
r = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
ck.check(r.returncode == 0, f"cmake --install: {r.stderr}")
libdir = [d for d in ("lib", "lib64", "lib/x86_64-linux-gnu") if os.path.exists(os.path.join(prefix, d, "pkgconfig", "xalign.pc"))]
ck.check(bool(libdir), "xalign.pc installed")
ck.check(os.path.exists(os.path.join(prefix, "include", "xalign", "xalign.h")), "headers installed")
ck.check(os.path.exists(os.path.join(prefix, "bin", "xalign")), "CLI installed")
if libdir:
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, libdir[0], "pkgconfig"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "--static", "xalign"], capture_output=True, text=True, env=env)
    ck.check(flags.returncode == 0, f"pkg-config: {flags.stderr}")
    for ex in ("compare_two", "dump_stages"):
        exe = ck.path(ex)
        cc = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", os.path.join(SOURCE_DIR, "examples", "c", ex + ".c"),
                             "-o", exe, *flags.stdout.split(), "-Wl,-rpath," + os.path.join(prefix, libdir[0])],
                            capture_output=True, text=True)
        ck.check(cc.returncode == 0, f"compile {ex}: {cc.stderr}")
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(ck.path("a.npy"), a)
    b = a.copy(); b[2, 1] += 0.5
    np.save(ck.path("b.npy"), b)
    r = subprocess.run([ck.path("compare_two"), ck.path("a.npy"), ck.path("b.npy")], capture_output=True, text=True)
    ck.check(r.returncode == 1 and "max_abs 0.5 at flat index 9" in r.stdout, f"compare_two: {r.returncode} {r.stdout} {r.stderr}")
    d = ck.path("dumps")
    r = subprocess.run([ck.path("dump_stages")], capture_output=True, text=True, env=dict(os.environ, XALIGN_DUMP_DIR=d))
    ck.check(r.returncode == 0 and sorted(os.listdir(d)) == ["00_input.npy", "01_logits.npy"], f"dump_stages: {r.stdout} {os.listdir(d) if os.path.isdir(d) else None}")
    if os.path.isdir(d):
        ck.check(np.array_equal(np.load(os.path.join(d, "00_input.npy")), np.array([[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], np.float32)), "dumped values")
    r = subprocess.run([ck.path("dump_stages")], capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "XALIGN_DUMP_DIR"})
    ck.check(r.returncode == 0 and "off" in r.stdout, "no dumps without XALIGN_DUMP_DIR")
ck.done()
