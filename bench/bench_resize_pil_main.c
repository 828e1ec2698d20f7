/* In-process timing of xa_resize for bench/bench_resize_pil.py (not a test).
 *
 * usage: bench_resize_pil IN.npy METHOD WxH REPEATS
 * Loads IN once, runs xa_resize REPEATS times (after one warm-up run) on the calling thread and
 * prints the time of each run in ms, in run order, on one line. Time is the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID): on a shared machine, wall time also counts the slices other
 * processes take. The ops layer is single-threaded. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "xalign/xalign.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int main(int argc, char **argv) {
    long long w, h;
    int reps;
    xa_resize_method m;
    if (argc != 5 || sscanf(argv[3], "%lldx%lld", &w, &h) != 2 || (reps = atoi(argv[4])) < 1 ||
        xa_resize_method_from_name(argv[2], &m) != XA_OK) {
        fprintf(stderr, "usage: bench_resize_pil IN.npy METHOD WxH REPEATS\n");
        return 2;
    }
    xa_error err = {0};
    xa_tensor *in = NULL, *out = NULL;
    if (xa_load(argv[1], &in, &err) || xa_resize(in, w, h, m, &out, &err)) {
        fprintf(stderr, "bench_resize_pil: %s\n", err.message);
        return 2;
    }
    xa_tensor_free(out);
    double *t = malloc(sizeof(double) * (size_t)reps);
    if (!t) return 2;
    for (int i = 0; i < reps; i++) {
        const double t0 = now_ms();
        if (xa_resize(in, w, h, m, &out, &err)) {
            fprintf(stderr, "bench_resize_pil: %s\n", err.message);
            return 2;
        }
        t[i] = now_ms() - t0;
        xa_tensor_free(out);
    }
    for (int i = 0; i < reps; i++) printf("%.4f%c", t[i], i + 1 < reps ? ' ' : '\n');
    free(t);
    xa_tensor_free(in);
    return 0;
}
