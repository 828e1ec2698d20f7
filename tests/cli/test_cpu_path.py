"""The CPU code path as a user meets it (docs/simd.md): `xalign --version` names the path in use,
XALIGN_CPU lowers it (an unknown name means scalar), and the path never changes a result: every
resize method and a comparison give the same bytes under each path this CPU runs."""
import os
import re
import subprocess

import numpy as np
from xa_testlib import XALIGN, Checker

X86 = ["scalar", "sse2", "avx2", "avx512"]

ck = Checker("cli_cpu_path")


def run_env(cpu, *args):
    env = dict(os.environ)
    env.pop("XALIGN_CPU", None)
    if cpu is not None:
        env["XALIGN_CPU"] = cpu
    p = subprocess.run([XALIGN, *map(str, args)], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def cpu_line(cpu):
    rc, out, err = run_env(cpu, "--version")
    lines = out.splitlines()
    ck.check(rc == 0 and len(lines) == 2 and lines[0].startswith("xalign ") and lines[1].startswith("cpu: "),
             f"XALIGN_CPU={cpu}: --version prints two lines, the second 'cpu: NAME': {out!r} {err!r}")
    return lines[1] if len(lines) == 2 else ""


best = cpu_line(None)
ck.check(best in (f"cpu: {n}" for n in X86 + ["neon"]), f"the default path is a known name: {best!r}")
best = best.split()[1]
print(f"this CPU: {best}")
ck.check(cpu_line("scalar") == "cpu: scalar (XALIGN_CPU=scalar)", "XALIGN_CPU=scalar caps at scalar")
ck.check(cpu_line("sclar") == "cpu: scalar (XALIGN_CPU=sclar)", "an unknown name means scalar")
ck.check(cpu_line("neon").startswith("cpu: scalar") if best != "neon" else cpu_line("avx2").startswith("cpu: scalar"),
         "another architecture's path means scalar")
paths = ["scalar"]
if best == "neon":  # aarch64 (the cross tests run this under qemu)
    paths = ["scalar", "neon"]
    ck.check(cpu_line("neon") == "cpu: neon (XALIGN_CPU=neon)", "XALIGN_CPU=neon runs neon")
if best in X86:
    paths = X86[:X86.index(best) + 1]
    ck.check(cpu_line("avx512") == f"cpu: {best} (XALIGN_CPU=avx512)", "a cap above the CPU changes nothing")
    for p in paths:
        ck.check(cpu_line(p) == f"cpu: {p} (XALIGN_CPU={p})", f"XALIGN_CPU={p} runs {p}")

# same bytes on every path: every resize method on an RGB image, then a comparison
rng = np.random.default_rng(7)
img = ck.path("img.npy")
np.save(img, rng.integers(0, 256, (67, 93, 3), dtype=np.uint8))
_, helptext, _ = run_env(None, "resize", "--help")
methods = sorted(set(re.findall(r"\b(?:cv2|pil|torch)-[a-z0-9]+(?:-[a-z0-9]+)*", helptext)))
ck.check(len(methods) >= 15, f"resize --help lists the methods: {methods}")
for method in methods:
    for size in ("31x23", "150x101"):
        outs = []
        for p in paths:
            out = ck.path(f"{method}-{size}-{p}.npy")
            rc, _, err = run_env(p, "resize", img, out, "--method", method, "--size", size)
            ck.check(rc == 0, f"{method} {size} on {p}: exit {rc}: {err}")
            outs.append(open(out, "rb").read() if rc == 0 else b"")
        ck.check(all(o == outs[0] for o in outs), f"{method} {size}: the same bytes on {', '.join(paths)}")

a, b = ck.path("a.npy"), ck.path("b.npy")
x = rng.standard_normal(100003).astype(np.float32)
np.save(a, x)
np.save(b, x + rng.standard_normal(x.size).astype(np.float32) * 1e-3)
reports = [run_env(p, "compare", a, b, "--json")[1] for p in paths]
ck.check(all(r and r == reports[0] for r in reports), f"compare --json: the same report on {', '.join(paths)}")
ck.done()
