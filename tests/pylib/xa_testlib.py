"""Shared helpers for xalign's Python tests (run with /usr/bin/python3 under CTest)."""
import json
import os
import subprocess
import sys
import tempfile

XALIGN = os.environ.get("XALIGN", "build/xalign")
SOURCE_DIR = os.environ.get("XA_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATA = os.path.join(SOURCE_DIR, "tests", "data")


def run(*args, check_rc=None, input=None, timeout=None):
    """Run the CLI; returns (rc, stdout, stderr). With a timeout, a run that takes longer is
    killed and reported as rc None with "timed out" on stderr (for inputs that once hung)."""
    try:
        p = subprocess.run([XALIGN, *map(str, args)], capture_output=True, text=True, input=input,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout} s\n"
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError(f"xalign {' '.join(map(str, args))}: exit {p.returncode}, want {check_rc}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p.returncode, p.stdout, p.stderr


def run_json(*args, check_rc=None):
    rc, out, err = run(*args, "--json", check_rc=check_rc)
    try:
        return rc, json.loads(out)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {out!r} / {err!r}")


class Checker:
    """Counts checks; prints 'N passed, N failed' at the end and exits non-zero on failure."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0
        self.tmp = tempfile.TemporaryDirectory(prefix=f"xa-{name}-")
        self.dir = self.tmp.name

    def path(self, name):
        return os.path.join(self.dir, name)

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)
        return cond

    def done(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        self.tmp.cleanup()
        sys.exit(1 if self.failed or not self.passed else 0)


def report_cpu_path(ck):
    """Print the SIMD path xalign runs (the `cpu:` line of `xalign --version`). Under
    XALIGN_CPU=scalar (the oracle tests' second run) the path must be scalar: otherwise that
    run would test the SIMD code a second time instead of the references."""
    out = subprocess.run([XALIGN, "--version"], capture_output=True, text=True).stdout
    line = next((l for l in out.splitlines() if l.startswith("cpu: ")), "cpu: (no line)")
    print(f"xalign {line}", flush=True)
    if os.environ.get("XALIGN_CPU") == "scalar":
        ck.check(line.split()[1] == "scalar", f"XALIGN_CPU=scalar, but xalign says {line!r}")
    return line.split()[1]
