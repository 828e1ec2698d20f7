"""quantize-int8 --rounding sail-arm against the Arm instructions themselves (docs/ops-transforms.md).

The oracle test (tests/oracle/test_transforms.py) checks sail-arm against a numpy model of the
Arm rules, and sail-x86 against a C program built from the SSE intrinsics sophon-sail uses. Here
the aarch64 counterpart: a C program built from the NEON intrinsics of the sail-arm row
(blocks of 8: vmulq_f32, vcvtnq_s32/u32_f32, saturating narrows; the scalar tail
`int v = std::round(p)` clamped to [-127, 127] / [0, 255]) is cross-compiled and run under qemu,
which executes the instructions with their architectural semantics (ties to even, saturation,
NaN -> 0). xalign's sail-arm must give the same bytes on NaN, +-Inf, out-of-range values and
products at and next to x.5."""
import os
import shlex
import subprocess

import numpy as np
from xa_quant_cases import quant_case
from xa_testlib import Checker, run

ck = Checker("sail_arm")
emu = shlex.split(os.environ["XA_EMULATOR"])
rng = np.random.default_rng(1684)
NEON_ORACLE = r"""
#include <arm_neon.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    float scale = strtof(argv[1], NULL);
    int u8 = atoi(argv[2]), n = atoi(argv[3]), i = 0;
    float *src = malloc(n * sizeof *src + 1);
    unsigned char *dst = malloc(n + 1);
    if (fread(src, sizeof *src, n, stdin) != (size_t)n) return 1;
    float32x4_t vs = vdupq_n_f32(scale);
    for (; i + 8 <= n; i += 8) {
        float32x4_t a = vmulq_f32(vld1q_f32(src + i), vs), b = vmulq_f32(vld1q_f32(src + i + 4), vs);
        if (u8) {
            uint16x8_t h = vcombine_u16(vqmovn_u32(vcvtnq_u32_f32(a)), vqmovn_u32(vcvtnq_u32_f32(b)));
            vst1_u8(dst + i, vqmovn_u16(h));
        } else {
            int16x8_t h = vcombine_s16(vqmovn_s32(vcvtnq_s32_f32(a)), vqmovn_s32(vcvtnq_s32_f32(b)));
            vst1_s8((int8_t *)(dst + i), vqmovn_s16(h));
        }
    }
    for (; i < n; i++) {
        int v = (int)roundf(src[i] * scale), lo = u8 ? 0 : -127, hi = u8 ? 255 : 127;
        dst[i] = (unsigned char)(v < lo ? lo : v > hi ? hi : v);
    }
    fwrite(dst, 1, n, stdout);
    return 0;
}
"""
src, exe = ck.path("neon_oracle.c"), ck.path("neon_oracle")
with open(src, "w") as f:
    f.write(NEON_ORACLE)
cc = subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-o", exe, src, "-lm"], capture_output=True, text=True)
ck.check(cc.returncode == 0, f"the NEON oracle compiles: {cc.stderr}")

cases = 0
for k in range(60):
    x, scale = quant_case(rng, k, 3)
    n = x.size
    np.save(ck.path("x.npy"), x)
    for dt in ("int8", "uint8"):
        p = subprocess.run([*emu, exe, repr(scale), str(int(dt == "uint8")), str(n)], input=x.tobytes(),
                           capture_output=True)
        want = np.frombuffer(p.stdout, dt)
        rc, _, err = run("transform", ck.path("x.npy"), ck.path("q.npy"), "--op", "quantize-int8", "--scale",
                         repr(scale), "--dtype", dt, "--rounding", "sail-arm")
        got = np.load(ck.path("q.npy")) if rc == 0 else None
        ck.check(p.returncode == 0 and rc == 0 and got is not None and np.array_equal(got, want),
                 f"sail-arm {dt} n={n} scale={scale}: {err} differing at "
                 f"{None if got is None or got.shape != want.shape else np.flatnonzero(got != want)[:8]}")
        cases += 1
print(f"{cases} cases of sail-arm against NEON under qemu")
ck.done()
