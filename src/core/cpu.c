/* The CPU-feature probe and the XALIGN_CPU cap (cpu.h). */
#include "cpu.h"

#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const path_names[XA_CPU_PATH_COUNT] = {
    [XA_CPU_SCALAR] = "scalar", [XA_CPU_SSE2] = "sse2", [XA_CPU_AVX2] = "avx2",
    [XA_CPU_AVX512] = "avx512", [XA_CPU_NEON] = "neon",
};

const char *xa_cpu_path_str(xa_cpu_path p) {
    return (unsigned)p < XA_CPU_PATH_COUNT ? path_names[p] : "invalid";
}

int xa_cpu_path_parse(const char *name) {
    for (int i = 0; name && i < XA_CPU_PATH_COUNT; i++)
        if (!strcmp(name, path_names[i])) return i;
    return -1;
}

/* The best path of this CPU. GCC's and clang's __builtin_cpu_supports read CPUID and also check
 * that the OS saves the wider registers (XGETBV), so a reported AVX2 is usable. */
static xa_cpu_path probe(void) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("sse2")) return XA_CPU_SCALAR;
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return XA_CPU_SSE2;
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl"))
        return XA_CPU_AVX2;
    return XA_CPU_AVX512;
#elif defined(__aarch64__)
    /* Advanced SIMD is part of the AArch64 baseline (the compiler already assumes it): every
     * aarch64 CPU runs the NEON kernels. Kernels without a NEON version run their reference. */
    return XA_CPU_NEON;
#else
    return XA_CPU_SCALAR;
#endif
}

/* XALIGN_CPU lowers the path: a name of this architecture's paths caps at it (a path above the
 * CPU's changes nothing); an unknown name, or a path of another architecture, means scalar:
 * a misspelt request for less SIMD must not silently run more. */
static xa_cpu_path cap(xa_cpu_path best, const char *env) {
    if (!env || !*env) return best;
    const int want = xa_cpu_path_parse(env);
    if (want < 0) return XA_CPU_SCALAR;
    if (xa_cpu_allows(best, (xa_cpu_path)want)) return (xa_cpu_path)want;
    /* above what the CPU runs: the CPU's best, if the request is of the same architecture */
    return (want == XA_CPU_NEON) == (best == XA_CPU_NEON) ? best : XA_CPU_SCALAR;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static xa_cpu_path detected, in_use;

static void init(void) {
    detected = probe();
    in_use = cap(detected, getenv("XALIGN_CPU"));
}

xa_cpu_path xa_cpu_path_detected(void) {
    pthread_once(&once, init);
    return detected;
}

xa_cpu_path xa_cpu_path_get(void) {
    pthread_once(&once, init);
    return in_use;
}

const char *xa_cpu_path_name(void) {
    return xa_cpu_path_str(xa_cpu_path_get());
}
