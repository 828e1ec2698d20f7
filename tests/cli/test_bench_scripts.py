"""Every benchmark script in bench/ starts: `--help` exits 0 and prints its usage. The scripts are
not tests (they time things), but a script that no longer imports (bench_nms.py imported a
helper that had moved) is a figure in the docs that nobody can reproduce."""
import glob
import os
import subprocess
import sys

from xa_testlib import Checker

ck = Checker("bench_scripts")
src = os.environ.get("XA_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
scripts = sorted(glob.glob(os.path.join(src, "bench", "bench_*.py")))
ck.check(len(scripts) >= 10, f"the benchmark scripts are found: {scripts}")
for s in scripts:
    p = subprocess.run([sys.executable, s, "--help"], capture_output=True, text=True, timeout=120,
                       cwd=os.path.dirname(s))
    ck.check(p.returncode == 0 and "usage" in p.stdout.lower(),
             f"{os.path.basename(s)} --help: exit {p.returncode} {p.stderr[-400:]}")
ck.done()
