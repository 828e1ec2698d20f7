"""Packaging, as a user of the library meets it (README "Library / packaging"):
- `cmake --install` to a temporary prefix; the installed CLI runs without LD_LIBRARY_PATH (RPATH
  $ORIGIN/../lib), also after the whole prefix is moved elsewhere;
- C and C++ programs (examples/c, compiled as both) built with `pkg-config xalign` against the
  installed prefix, the moved prefix and the build tree (xalign-uninstalled.pc), fully static with
  `pkg-config --static` (libxalign.a and its dependencies), and with CMake's
  find_package(xalign) (xalign::xalign and xalign::xalign_static, installed and build tree);
  all of them run without LD_LIBRARY_PATH and load the library they were built against;
- the dump example reports write failures it finds with xa_dump_last_error."""
import glob
import os
import re
import shutil
import subprocess

import numpy as np
from xa_testlib import SOURCE_DIR, XALIGN, Checker

ck = Checker("install")
build = os.path.dirname(os.path.abspath(XALIGN))
EXAMPLES = os.path.join(SOURCE_DIR, "examples", "c")
ENV = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "XALIGN_DUMP_DIR")}


def sh(cmd, env=None, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, cwd=cwd)


def loads_from(exe, where):
    """exe runs without LD_LIBRARY_PATH and its libxalign.so.0 is the one under `where`."""
    r = sh(["ldd", exe])
    m = re.search(r"libxalign\.so\.0 => (\S+)", r.stdout)
    return bool(m) and os.path.realpath(m.group(1)).startswith(os.path.realpath(where) + os.sep), r.stdout


a = np.arange(12, dtype=np.float32).reshape(3, 4)
np.save(ck.path("a.npy"), a)
b = a.copy()
b[2, 1] += 0.5
np.save(ck.path("b.npy"), b)


def run_examples(tag, exes, lib_root):
    """Run a compiled compare_two and dump_stages; check results and which library they load."""
    if "compare_two" in exes:
        exe = exes["compare_two"]
        r = sh([exe, ck.path("a.npy"), ck.path("b.npy")])
        ck.check(r.returncode == 1 and "max_abs 0.5 at flat index 9" in r.stdout, f"{tag} compare_two: {r.returncode} {r.stdout} {r.stderr}")
        if lib_root:
            ok, ldd = loads_from(exe, lib_root)
            ck.check(ok, f"{tag} compare_two loads libxalign from {lib_root}: {ldd}")
        else:  # linked -static
            ldd = sh(["ldd", exe])
            ck.check("not a dynamic executable" in ldd.stdout + ldd.stderr, f"{tag} is static: {ldd.stdout}")
    if "dump_stages" in exes:
        exe = exes["dump_stages"]
        d = ck.path(f"dumps-{tag}")
        r = sh([exe], env=dict(ENV, XALIGN_DUMP_DIR=d))
        files = sorted(os.listdir(d)) if os.path.isdir(d) else None
        ck.check(r.returncode == 0 and files == ["00_input.npy", "01_logits.npy"], f"{tag} dump_stages: {r.stdout} {r.stderr} {files}")
        if files:
            ck.check(np.array_equal(np.load(os.path.join(d, "00_input.npy")),
                                    np.array([[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], np.float32)), f"{tag} dumped values")
        r = sh([exe])
        ck.check(r.returncode == 0 and "off" in r.stdout, f"{tag}: no dumps without XALIGN_DUMP_DIR")


def compile_examples(tag, flags, lib_root):
    """examples/c as C11 and as C++11 with the given compiler/linker flags."""
    for lang, cc in (("c", ["cc", "-std=c11"]), ("cxx", ["c++", "-x", "c++", "-std=c++11"])):
        exes = {}
        for ex in ("compare_two", "dump_stages"):
            exe = ck.path(f"{ex}-{tag}-{lang}")
            r = sh([*cc, "-Wall", "-Werror", os.path.join(EXAMPLES, ex + ".c"), "-x", "none", "-o", exe, *flags])
            if ck.check(r.returncode == 0, f"{tag} {lang} compile {ex}: {r.stderr}"):
                exes[ex] = exe
        run_examples(f"{tag}-{lang}", exes, lib_root)


def pkg_config(tag, pc_dir, lib_root, static=True):
    """Compile and run the examples with `pkg-config xalign` from pc_dir: libxalign.so, and
    (static) `cc -static $(pkg-config --static ...)`: libxalign.a and its dependencies."""
    env = dict(ENV, PKG_CONFIG_PATH=pc_dir)
    r = sh(["pkg-config", "--cflags", "--libs", "xalign"], env=env)
    if ck.check(r.returncode == 0, f"{tag} pkg-config: {r.stderr}"):
        compile_examples(tag, r.stdout.split(), lib_root)
    r = sh(["pkg-config", "--cflags", "--libs", "--static", "xalign"], env=env)
    if static and ck.check(r.returncode == 0, f"{tag} pkg-config --static: {r.stderr}"):
        compile_examples(tag + "-static", ["-static", *r.stdout.split()], None)


# ---- install -------------------------------------------------------------------------------------
prefix = ck.path("prefix")
r = sh(["cmake", "--install", build, "--prefix", prefix])
ck.check(r.returncode == 0, f"cmake --install: {r.stderr}")
libdirs = [d for d in ("lib", "lib64", "lib/x86_64-linux-gnu") if os.path.exists(os.path.join(prefix, d, "pkgconfig", "xalign.pc"))]
ck.check(len(libdirs) == 1, f"xalign.pc installed: {libdirs}")
libdir = libdirs[0] if libdirs else "lib"
for f in ("include/xalign/xalign.h", "bin/xalign", f"{libdir}/libxalign.so.0", f"{libdir}/libxalign.a",
          f"{libdir}/cmake/xalign/xalignConfig.cmake", f"{libdir}/cmake/xalign/xalignConfigVersion.cmake"):
    ck.check(os.path.exists(os.path.join(prefix, f)), f"installed: {f}")

# the installed CLI, and the same prefix moved elsewhere
moved = ck.path("moved")
shutil.copytree(prefix, moved, symlinks=True)
for root in (prefix, moved):
    cli = os.path.join(root, "bin", "xalign")
    r = sh([cli, "compare", ck.path("a.npy"), ck.path("b.npy")])
    ck.check(r.returncode == 1 and "unaligned! max_abs 0.5 > 0.001" in r.stdout, f"installed CLI in {root}: {r.returncode} {r.stdout} {r.stderr}")
    ok, ldd = loads_from(cli, root)
    ck.check(ok, f"{cli} loads the library of its own prefix: {ldd}")

# the installed Python package: found by /usr/bin/python3 from PREFIX/lib/python3.X/dist-packages,
# it loads the library of its own prefix (recorded at install), without LD_LIBRARY_PATH
sites = [os.path.join(d, "dist-packages") for d in glob.glob(os.path.join(prefix, "lib", "python3*"))]
ck.check(len(sites) == 1 and os.path.exists(os.path.join(sites[0], "xalign", "__init__.py"))
         and os.path.exists(os.path.join(sites[0], "xalign_dump.py")), f"python package installed: {sites}")
if sites:
    code = ("import xalign, numpy as np; r = xalign.compare(np.load('%s'), np.load('%s')); "
            "print(r['schema'], r['metrics']['max_abs'], xalign._lib.lib._name)" % (ck.path("a.npy"), ck.path("b.npy")))
    r = sh(["/usr/bin/python3", "-c", code], env=dict(ENV, PYTHONPATH=sites[0], XALIGN_LIB=""), cwd=ck.dir)
    ck.check(r.returncode == 0 and r.stdout.split()[:2] == ["xalign.compare/1", "0.5"]
             and r.stdout.split()[2].startswith(prefix), f"installed python package: {r.stdout} {r.stderr}")

# ---- pkg-config: installed, moved, build tree -------------------------------------------------------
pkg_config("installed", os.path.join(prefix, libdir, "pkgconfig"), prefix)
pkg_config("moved", os.path.join(moved, libdir, "pkgconfig"), moved, static=False)
r = sh(["pkg-config", "--cflags", "--libs", "xalign"], env=dict(ENV, PKG_CONFIG_PATH=build))
ck.check(r.returncode == 0 and f"-I{os.path.abspath(os.path.join(SOURCE_DIR, 'include'))}" in r.stdout.split() and
         f"-L{build}" in r.stdout.split() and ".." not in r.stdout, f"build tree flags: {r.stdout} {r.stderr}")
pkg_config("buildtree", build, build, static=False)

# a dump that cannot be written is reported by the example (xa_dump_last_error)
blocker = ck.path("blocker")
open(blocker, "w").close()
r = sh([ck.path("dump_stages-installed-c")], env=dict(ENV, XALIGN_DUMP_DIR=os.path.join(blocker, "dumps")))
ck.check(r.returncode == 1 and "2 dump(s) failed, the last:" in r.stderr and "cannot create directory: Not a directory" in r.stderr,
         f"dump failure reported: {r.returncode} {r.stderr!r}")
r = sh([ck.path("dump_stages-installed-cxx")], env=dict(ENV, XALIGN_DUMP_DIR="/" + "d" * 5000))
ck.check(r.returncode == 1 and "XALIGN_DUMP_DIR: path too long" in r.stderr and "dumping is off" in r.stdout,
         f"unusable XALIGN_DUMP_DIR reported: {r.returncode} {r.stdout!r} {r.stderr!r}")

# ---- CMake find_package(xalign): installed and build tree, shared and static, C and C++ -------------
project = ck.path("consumer")
os.mkdir(project)
shutil.copy(os.path.join(EXAMPLES, "compare_two.c"), os.path.join(project, "compare_two.c"))
shutil.copy(os.path.join(EXAMPLES, "compare_two.c"), os.path.join(project, "compare_two.cpp"))
shutil.copy(os.path.join(EXAMPLES, "dump_stages.c"), os.path.join(project, "dump_stages.cpp"))
with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
    f.write("""cmake_minimum_required(VERSION 3.16)
project(consumer C CXX)
find_package(xalign 0.1 REQUIRED COMPONENTS static)
add_executable(compare_two-c compare_two.c)
target_link_libraries(compare_two-c PRIVATE xalign::xalign)
add_executable(compare_two-cxx compare_two.cpp)
target_link_libraries(compare_two-cxx PRIVATE xalign::xalign)
add_executable(dump_stages-static dump_stages.cpp)
target_link_libraries(dump_stages-static PRIVATE xalign::xalign_static)
""")
for tag, hint in (("cmake-installed", ["-DCMAKE_PREFIX_PATH=" + prefix]), ("cmake-buildtree", ["-Dxalign_DIR=" + build])):
    out = ck.path(tag)
    r = sh(["cmake", "-S", project, "-B", out, "-DCMAKE_BUILD_TYPE=Release", *hint])
    if not ck.check(r.returncode == 0, f"{tag} configure: {r.stdout} {r.stderr}"):
        continue
    r = sh(["cmake", "--build", out])
    if not ck.check(r.returncode == 0, f"{tag} build: {r.stdout} {r.stderr}"):
        continue
    lib_root = prefix if tag == "cmake-installed" else build
    for lang in ("c", "cxx"):
        run_examples(f"{tag}-{lang}", {"compare_two": os.path.join(out, f"compare_two-{lang}")}, lib_root)
    exe = os.path.join(out, "dump_stages-static")
    run_examples(f"{tag}-static", {"dump_stages": exe}, lib_root)
    ck.check("libxalign" not in sh(["ldd", exe]).stdout, f"{tag}: xalign::xalign_static links libxalign.a")
# a version the package does not satisfy is refused
with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
    f.write("cmake_minimum_required(VERSION 3.16)\nproject(consumer C)\nfind_package(xalign 9.0 REQUIRED)\n")
r = sh(["cmake", "-S", project, "-B", ck.path("cmake-v9"), "-DCMAKE_PREFIX_PATH=" + prefix])
ck.check(r.returncode != 0 and 'compatible with requested version "9.0"' in " ".join(r.stderr.split()) and "version: 0.1.0" in r.stderr, f"find_package(xalign 9.0) refused: {r.stderr}")
ck.done()
