/* The one CPU-feature probe (private). Every SIMD kernel chooses its code path through it.
 *
 * A path is a set of instructions a kernel may use. On x86 the paths are ordered (each includes
 * the one before): scalar < sse2 < avx2 < avx512. aarch64 has scalar and neon. The path in use
 * is the best one this CPU runs, lowered by the environment variable XALIGN_CPU (read once,
 * thread-safe): XALIGN_CPU=scalar runs the plain C references (`*_ref`) everywhere. Every path
 * computes the same bytes (docs/simd.md).
 *
 * Kernels take the path as an argument (a cap), so tests can run every path the CPU has against
 * the reference in one process; entry points pass xa_cpu_path_get().
 */
#ifndef XA_CPU_H
#define XA_CPU_H

typedef enum {
    XA_CPU_SCALAR = 0, /* no SIMD: the `*_ref` kernels */
    XA_CPU_SSE2 = 1,   /* x86: SSE2 (the x86-64 baseline) */
    XA_CPU_AVX2 = 2,   /* x86: AVX2 and FMA */
    XA_CPU_AVX512 = 3, /* x86: AVX-512 F and VL (256-bit code with 32 registers, 512-bit code) */
    XA_CPU_NEON = 4,   /* aarch64: Advanced SIMD */
    XA_CPU_PATH_COUNT
} xa_cpu_path;

/* The path in use: the best this CPU runs, capped by XALIGN_CPU. */
xa_cpu_path xa_cpu_path_get(void);
/* The best path this CPU and build run, ignoring XALIGN_CPU (tests loop up to it). */
xa_cpu_path xa_cpu_path_detected(void);
/* "scalar", "sse2", "avx2", "avx512", "neon"; "invalid" outside the enum. */
const char *xa_cpu_path_str(xa_cpu_path p);
/* The path named `name` (one of the names above); -1 when the name is not one. */
int xa_cpu_path_parse(const char *name);

/* Whether a kernel written for `want` may run under the cap `cap`: scalar always; an x86 path
 * when the cap is an x86 path at least as high; neon when the cap is neon. */
static inline int xa_cpu_allows(xa_cpu_path cap, xa_cpu_path want) {
    if (want == XA_CPU_SCALAR) return 1;
    if (want == XA_CPU_NEON || cap == XA_CPU_NEON) return cap == want;
    return cap >= want;
}

#endif
