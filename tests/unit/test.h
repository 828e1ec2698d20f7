/* Minimal unit-test harness: CHECK(cond) counts, TEST_DONE() prints "N passed, N failed". */
#ifndef XA_UNIT_TEST_H
#define XA_UNIT_TEST_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int test_passed, test_failed;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            test_passed++;                                                                         \
        else {                                                                                     \
            test_failed++;                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)
#define CHECKF(cond, ...)                                                                          \
    do {                                                                                           \
        if (cond)                                                                                  \
            test_passed++;                                                                         \
        else {                                                                                     \
            test_failed++;                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)
#define TEST_DONE()                                                                                \
    do {                                                                                           \
        printf("%d passed, %d failed\n", test_passed, test_failed);                                \
        return test_failed || !test_passed ? 1 : 0;                                                \
    } while (0)

/* Random test cases: a reproducible xorshift64* stream (fixed seed, one state per test program);
 * test_rnd_in draws from [lo, hi]. */
static uint64_t test_rng_state = 0x9e3779b97f4a7c15ull;
static inline uint32_t test_rnd(void) {
    test_rng_state ^= test_rng_state >> 12;
    test_rng_state ^= test_rng_state << 25;
    test_rng_state ^= test_rng_state >> 27;
    return (uint32_t)((test_rng_state * 0x2545f4914f6cdd1dull) >> 32);
}
static inline int test_rnd_in(int lo, int hi) {
    return lo + (int)(test_rnd() % (uint32_t)(hi - lo + 1));
}
#endif
