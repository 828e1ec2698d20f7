"""The aarch64 library fuses multiply-adds only where the code calls fmaf on purpose.

gcc contracts a*b + c into one fused instruction by default in GNU C mode wherever the target has
one, and every aarch64 CPU has one (x86-64 without -mfma has none, so there the default is
harmless). CMakeLists.txt turns contraction off for the whole tree (-ffp-contract=off); this test
reads the cross-compiled libxalign.a and lists the functions holding fmadd/fmsub/fnmadd/fnmsub/
fmla/fmls. Only the functions whose reproduced library fuses may hold them (the project's rule:
bit-exact code fuses only through an explicit fmaf, with the reason next to it)."""
import re
import subprocess
import sys

from xa_testlib import Checker

ck = Checker("fused_instructions")
# function -> the reason it fuses
ALLOWED = {
    "xa_resize_torch": "torch-bilinear: torch 1.13's AVX2 kernel was compiled with contraction "
                       "(docs/ops-resize-pillow-torch.md)",
    "xa_sail_convert_to": "convert-to --fused: bmcv's a*x+b as one rounding (docs/ops-transforms.md)",
    "block_f32_ref": "the metric kernel's float32 sums: fma() as the vector kernels fuse, so every "
                     "path gives the same bytes (src/compare/kernel.c)",
    "xa_kernel_block_f32_neon": "the same sums in NEON, vfmaq_f64 (src/compare/kernel_neon.c)",
}
lib = sys.argv[1]
dis = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", lib], capture_output=True, text=True)
ck.check(dis.returncode == 0, f"objdump {lib}: {dis.stderr}")
fused, func, functions = {}, None, 0
for line in dis.stdout.splitlines():
    m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
    if m:
        func = m.group(1).split(".")[0]  # gcc's clones (.part.0, .constprop.0) count as the function
        functions += 1
    elif re.search(r"\t(fmadd|fmsub|fnmadd|fnmsub|fmla|fmls)\s", line):
        fused[func] = fused.get(func, 0) + 1
ck.check(functions > 100, f"{functions} functions disassembled")
for f, n in sorted(fused.items()):
    ck.check(f in ALLOWED, f"{f}: {n} fused multiply-add instructions, but it reproduces no fused code")
# the allowed ones really fuse (else the list is stale, or fmaf became a library call)
for f in ALLOWED:
    ck.check(f in fused, f"{f} holds no fused instruction: {ALLOWED[f]}")
print("fused:", ", ".join(f"{f} ({n})" for f, n in sorted(fused.items())))
ck.done()
