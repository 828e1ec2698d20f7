/* float16 -> float32 with the F16C instruction (vcvtph2ps), eight at a time: exact, the same
 * values as the scalar reference xa_f16_to_f32 (a NaN keeps its sign and payload and becomes
 * quiet; comparisons only ask isnan). Runs on the avx2 path when the CPU has F16C (CPUID leaf
 * 1, ECX bit 29: a separate bit, though every AVX2 CPU has it). tests/unit/test_convert.c
 * checks all 65536 halves on every path against the reference. */
#include "cpu.h"
#include "internal.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

static int have_f16c(void) {
    static int have = -1; /* racing threads compute the same value */
    int h = __atomic_load_n(&have, __ATOMIC_RELAXED);
    if (h < 0) {
        unsigned a, b, c, d;
        h = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C) ? 1 : 0;
        __atomic_store_n(&have, h, __ATOMIC_RELAXED);
    }
    return h;
}

__attribute__((target("avx,f16c"))) static void convert(const unsigned char *s, size_t n,
                                                        float *dst) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + 2 * i))));
    for (; i < n; i++) {
        uint16_t v;
        memcpy(&v, s + 2 * i, 2);
        dst[i] = xa_f16_to_f32(v);
    }
}

int xa_f16_to_f32_avx2(const unsigned char *src, size_t n, float *dst, int path) {
    if (!xa_cpu_allows((xa_cpu_path)path, XA_CPU_AVX2) || !have_f16c()) return 0;
    convert(src, n, dst);
    return 1;
}
#else
int xa_f16_to_f32_avx2(const unsigned char *src, size_t n, float *dst, int path) {
    (void)src, (void)n, (void)dst, (void)path;
    return 0;
}
#endif
