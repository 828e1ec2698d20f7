/* Minimal unit-test harness: CHECK(cond) counts, TEST_DONE() prints "N passed, N failed". */
#ifndef XA_UNIT_TEST_H
#define XA_UNIT_TEST_H
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
#endif
