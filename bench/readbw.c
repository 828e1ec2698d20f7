/* Single-core read bandwidth of this machine, for bench_compare.py: the rate at which one
 * thread can read memory it has already touched (256-bit loads OR-reduced, so the loop is
 * bound by loads, not arithmetic). Usage: readbw [MiB] [runs]; prints the median GB/s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static uint64_t sweep_avx2(const void *p, size_t n) {
    const __m256i *v = p;
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (size_t i = 0; i + 4 <= n / 32; i += 4) {
        a = _mm256_or_si256(a, _mm256_load_si256(v + i));
        b = _mm256_or_si256(b, _mm256_load_si256(v + i + 1));
        c = _mm256_or_si256(c, _mm256_load_si256(v + i + 2));
        d = _mm256_or_si256(d, _mm256_load_si256(v + i + 3));
    }
    a = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
    uint64_t o[4];
    _mm256_storeu_si256((__m256i *)o, a);
    return o[0] | o[1] | o[2] | o[3];
}
#endif

static uint64_t sweep(const void *p, size_t n) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return sweep_avx2(p, n);
#endif
    const uint64_t *q = p;
    uint64_t a = 0;
    for (size_t i = 0; i < n / 8; i++) a |= q[i];
    return a;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 1024;
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (runs < 1 || runs > 99) runs = 7;
    size_t n = mib << 20;
    void *p = aligned_alloc(64, n);
    if (!p) return 1;
    memset(p, 1, n);
    double t[99];
    uint64_t sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        sink |= sweep(p, n);
        t[r] = now() - t0;
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp);
    static volatile uint64_t keep __attribute__((unused));
    keep = sink; /* keeps the sweeps observable */
    printf("%.3f\n", (double)n / t[runs / 2] / 1e9);
    free(p);
    return 0;
}
