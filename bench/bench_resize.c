/* bench_resize IN OUT.npy METHOD WxH RUNS: time xa_resize in-process, single thread.
 * Prints the median wall time of RUNS calls in seconds (one warm-up call first, not counted);
 * writes the last result to OUT.npy so the caller can check it against the real library.
 * Uses only the public API, like the CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "xalign/xalign.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long long w, h;
    int runs = argc == 6 ? atoi(argv[5]) : 0;
    xa_resize_method m;
    if (argc != 6 || sscanf(argv[4], "%lldx%lld", &w, &h) != 2 || runs < 1 || runs > 100000 ||
        xa_resize_method_from_name(argv[3], &m) != XA_OK) {
        fprintf(stderr, "usage: bench_resize IN OUT.npy METHOD WxH RUNS\n");
        return 2;
    }
    xa_threads_set(1);
    xa_error err = {0};
    xa_tensor *in = NULL, *out = NULL;
    if (xa_load(argv[1], &in, &err) || xa_resize(in, w, h, m, &out, &err)) {
        fprintf(stderr, "bench_resize: %s\n", err.message);
        return 2;
    }
    double *t = malloc(sizeof(double) * runs);
    for (int i = 0; i < runs && t; i++) {
        xa_tensor_free(out);
        double t0 = now();
        xa_resize(in, w, h, m, &out, &err);
        t[i] = now() - t0;
    }
    if (!t || !out || xa_npy_save(argv[2], out, &err)) {
        fprintf(stderr, "bench_resize: %s\n", t ? err.message : "out of memory");
        return 2;
    }
    qsort(t, runs, sizeof(double), cmp_double);
    printf("%.9f\n", runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]));
    free(t);
    xa_tensor_free(in);
    xa_tensor_free(out);
    return 0;
}
