/* bench_diagnose REF PORT [INPUT_REF INPUT_PORT] [--image FILE] [--rounds N]: time xa_diagnose on
 * one stage, per hypothesis family, through the internal timing hook (xa_diagnose_timed). Prints
 * one line per family, "family median_ms", then "total median_ms" and the top cause, for
 * bench/bench_diagnose.py to read. Not a test: timing never goes in a test. */
#include "diag_internal.h"
#include "xalign/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv) {
    const char *files[4] = {NULL, NULL, NULL, NULL}, *image = NULL;
    int nf = 0, rounds = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--image") && i + 1 < argc)
            image = argv[++i];
        else if (nf < 4)
            files[nf++] = argv[i];
    }
    if (nf != 2 && nf != 4) {
        fprintf(stderr, "usage: bench_diagnose REF PORT [INPUT_REF INPUT_PORT] [--image F] "
                        "[--rounds N]\n");
        return 2;
    }
    if (rounds < 1 || rounds > 1000) rounds = 5;
    xa_tensor *t[4] = {NULL, NULL, NULL, NULL};
    xa_error err = {0};
    for (int k = 0; k < nf; k++)
        if (xa_load(files[k], &t[k], &err)) {
            fprintf(stderr, "bench_diagnose: %s\n", err.message);
            return 2;
        }
    xa_diagnose_input in = {t[0], t[1], t[2], t[3], image, NULL, {0}, "bench"};
    double *fam = calloc((size_t)rounds * XA_DIAG_FAMILIES, sizeof *fam);
    double *tot = calloc((size_t)rounds, sizeof *tot);
    char top[64] = "none";
    for (int r = 0; r < rounds; r++) {
        double s[XA_DIAG_FAMILIES] = {0};
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        xa_diagnosis d;
        if (xa_diagnose_timed(&in, &d, s, &err)) {
            fprintf(stderr, "bench_diagnose: %s\n", err.message);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        tot[r] = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
        for (int k = 0; k < XA_DIAG_FAMILIES; k++) fam[k * rounds + r] = s[k];
        if (d.n) snprintf(top, sizeof top, "%s", xa_cause_name(d.findings[0].cause));
        xa_diagnosis_clear(&d);
    }
    for (int k = 0; k < XA_DIAG_FAMILIES; k++)
        printf("%s %.3f\n", xa_diag_family_name(k), 1e3 * median(&fam[k * rounds], rounds));
    printf("total %.3f\n", 1e3 * median(tot, rounds));
    printf("top %s\n", top);
    free(fam);
    free(tot);
    for (int k = 0; k < 4; k++) xa_tensor_free(t[k]);
    return 0;
}
