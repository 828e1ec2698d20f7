"""Shared helpers for xalign's Python tests (run with /usr/bin/python3 under CTest)."""
import ctypes.util
import json
import os
import subprocess
import sys
import tempfile

XALIGN = os.environ.get("XALIGN", "build/xalign")
# XA_QUICK=1: the oracle tests run a fixed subset of their cases (every path, fewer sizes); the
# ASan/UBSan build runs them so (make asan), the normal build runs them whole.
QUICK = os.environ.get("XA_QUICK") == "1"
# The environment the CLI runs get: set when the test re-executed itself with the sanitizer
# runtime preloaded (preload_sanitizer_runtime), so the CLI keeps its own sanitizer options.
_CLI_ENV = json.loads(os.environ["XA_CLI_ENV"]) if "XA_CLI_ENV" in os.environ else None


def quick_subset(items, every):
    """All items, or under XA_QUICK every `every`-th (the first included)."""
    items = list(items)
    return items[::every] if QUICK else items


def libxalign_path():
    return os.path.join(os.path.dirname(os.path.abspath(XALIGN)), "libxalign.so")


def preload_sanitizer_runtime():
    """A test that loads libxalign.so with ctypes calls this first: the library of an ASan build
    needs the ASan runtime loaded before anything else in the process, so the test re-executes
    itself with it in LD_PRELOAD (leak checks off for the Python process; the CLI runs get the
    original environment back). Does nothing for a normal build."""
    lib = libxalign_path()
    if "XA_CLI_ENV" in os.environ or not os.path.exists(lib):
        return
    deps = subprocess.run(["ldd", lib], capture_output=True, text=True).stdout.splitlines()
    # "libasan.so.8 => /lib/x86_64-linux-gnu/libasan.so.8 (0x...)": the runtime the library uses
    runtime = [d.split("=>")[1].split("(")[0].strip() for d in deps if "libasan" in d and "=>" in d]
    if not runtime:
        return
    # libstdc++ too: ASan resolves its __cxa_throw interceptor when it starts, and cv2 loads
    # libstdc++ later (its first C++ exception would abort "CHECK failed: real___cxa_throw")
    preload = [runtime[0], ctypes.util.find_library("stdc++") or "libstdc++.so.6"]
    env = dict(os.environ, XA_CLI_ENV=json.dumps(dict(os.environ)), LD_PRELOAD=" ".join(preload),
               ASAN_OPTIONS="detect_leaks=0:" + os.environ.get("ASAN_OPTIONS", ""))
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


SOURCE_DIR = os.environ.get("XA_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATA = os.path.join(SOURCE_DIR, "tests", "data")


def run(*args, check_rc=None, input=None, timeout=None):
    """Run the CLI; returns (rc, stdout, stderr). With a timeout, a run that takes longer is
    killed and reported as rc None with "timed out" on stderr (for inputs that once hung)."""
    try:
        p = subprocess.run([XALIGN, *map(str, args)], capture_output=True, text=True, input=input,
                           timeout=timeout, env=_CLI_ENV)
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
