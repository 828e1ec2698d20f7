/* The SIMD paths (cpu.h) above scalar that this CPU runs, whatever XALIGN_CPU says: unit tests
 * run each against the scalar reference, so every path is tested on a CPU that has it. */
#ifndef XA_UNIT_TEST_PATHS_H
#define XA_UNIT_TEST_PATHS_H
#include <stdio.h>

#include "cpu.h"

/* Fills out[] (XA_CPU_PATH_COUNT entries) and returns how many; prints them. */
static int test_simd_paths(xa_cpu_path *out) {
    int n = 0;
    for (int p = XA_CPU_SCALAR + 1; p < XA_CPU_PATH_COUNT; p++)
        if (xa_cpu_allows(xa_cpu_path_detected(), (xa_cpu_path)p)) out[n++] = (xa_cpu_path)p;
    printf("paths compared with the scalar reference:");
    for (int i = 0; i < n; i++) printf(" %s", xa_cpu_path_str(out[i]));
    printf("%s\n", n ? "" : " none on this CPU");
    return n;
}
#endif
