"""The aarch64 library fuses multiply-adds only where the code asks for it.

gcc contracts a*b + c into one fused instruction by default in GNU C mode wherever the target has
one, and every aarch64 CPU has one (x86-64 without -mfma has none, so there the default is
harmless). CMakeLists.txt turns contraction off for the whole tree (-ffp-contract=off); this test
reads the cross-compiled libxalign.a and lists the object files holding fmadd/fmsub/fnmadd/
fnmsub/fmla/fmls. Only sources that fuse on purpose may hold them -- those that call fmaf, fma or
vfmaq_f64/vfmaq_f32 themselves (torch's AVX2 kernels, bmcv's fused convert_to, the metric
kernel's sums; the project's rule: fuse only through an explicit call, with the reason next to
it). Each of those must also really hold some (an explicit fmaf is one instruction on aarch64)."""
import glob
import os
import re
import subprocess
import sys

from xa_testlib import SOURCE_DIR, Checker

ck = Checker("fused_instructions")
EXPLICIT = re.compile(r"\b(fmaf?|vfmaq_f(32|64))\s*\(")
sources = {os.path.basename(p) + ".o": p for p in glob.glob(os.path.join(SOURCE_DIR, "src", "*", "*.c"))}
explicit = {o for o, p in sources.items() if EXPLICIT.search(open(p).read())}

lib = sys.argv[1]
dis = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", lib], capture_output=True, text=True)
ck.check(dis.returncode == 0, f"objdump {lib}: {dis.stderr}")
fused, member, func, functions = {}, None, None, 0
for line in dis.stdout.splitlines():
    m = re.match(r"^(\S+\.c\.o):\s+file format", line)
    if m:
        member = m.group(1)
        continue
    m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
    if m:
        func = m.group(1).split(".")[0]  # gcc's clones (.part.0, .constprop.0) count as the function
        functions += 1
    elif re.search(r"\t(fmadd|fmsub|fnmadd|fnmsub|fmla|fmls)\s", line):
        fused.setdefault(member, {}).setdefault(func, 0)
        fused[member][func] += 1
ck.check(functions > 100 and len(sources) > 20, f"{functions} functions disassembled, {len(sources)} sources")
for obj, funcs in sorted(fused.items()):
    ck.check(obj in explicit, f"{obj}: fused multiply-adds in {funcs}, but its source calls no fmaf/fma")
for obj in sorted(explicit):
    ck.check(obj in fused, f"{obj} calls fmaf/fma but holds no fused instruction")
for obj, funcs in sorted(fused.items()):
    print(f"{obj}: " + ", ".join(f"{f} ({n})" for f, n in sorted(funcs.items())))
ck.done()
