/* torch resize kernels: every SIMD path the CPU has (the avx2 compilation of the fused kernels)
 * against the plain C reference (fmaf from libm) on random sizes, channel counts and dtypes, with
 * a guard zone after every output; the method names; the nearest-exact index rule. (Bit-exactness
 * against torch itself: tests/oracle/test_resize_torch*.py.) */
#include "ops/resize_torch_impl.h"
#include "test.h"
#include "test_paths.h"

#include <math.h>
#include <string.h>

#define GUARD 16 /* floats after each output that must stay untouched */

/* One side: small, hard shrink, hard enlarge or unchanged. */
static void pick_side(int *in, int *out) {
    switch (test_rnd() % 4) {
    case 0:
        *in = test_rnd_in(1, 400);
        *out = test_rnd_in(1, 12);
        break;
    case 1:
        *in = test_rnd_in(1, 12);
        *out = test_rnd_in(1, 300);
        break;
    case 2:
        *in = *out = test_rnd_in(1, 60);
        break;
    default:
        *in = test_rnd_in(1, 60);
        *out = test_rnd_in(1, 60);
    }
}

typedef xa_status (*kernel_fn)(const xa_torch_img *im, int which, xa_error *err);
static xa_status run_bicubic(const xa_torch_img *im, int which, xa_error *err) {
    (void)which;
    return xa_torch_bicubic(im, 1, err);
}
static xa_status run_aa(const xa_torch_img *im, int cubic, xa_error *err) {
    return xa_torch_aa(im, cubic, 1, err);
}

/* Results of one kernel under `path` and under the scalar reference on n random cases: the same
 * bits, nothing written past the output. Returns the number of cases that differ. */
static int compare_paths(const char *what, kernel_fn fn, int which, xa_cpu_path path, int n) {
    int bad = 0;
    for (int k = 0; k < n; k++) {
        int w, h, dw, dh;
        pick_side(&w, &dw);
        pick_side(&h, &dh);
        const int c = (int[]){1, 3, 4}[test_rnd() % 3], u8 = test_rnd() % 2;
        const size_t nin = (size_t)w * h * c, nout = (size_t)dw * dh * c;
        void *src = malloc(nin * (u8 ? 1 : sizeof(float)));
        float *fast = malloc((nout + GUARD) * sizeof(float));
        float *ref = malloc((nout + GUARD) * sizeof(float));
        if (!src || !fast || !ref) {
            CHECK(!"out of memory");
            break;
        }
        for (size_t i = 0; i < nin; i++) {
            if (u8)
                ((uint8_t *)src)[i] = (uint8_t)test_rnd();
            else
                ((float *)src)[i] = (float)((int32_t)test_rnd()) / (float)(1 << test_rnd_in(8, 28));
        }
        memset(fast, 0x5a, (nout + GUARD) * sizeof(float));
        memset(ref, 0x5a, (nout + GUARD) * sizeof(float));
        xa_torch_img im = {src, u8, h, w, c, fast, dh, dw, path};
        xa_error err = {0};
        CHECK(fn(&im, which, &err) == XA_OK);
        im.dst = ref;
        im.path = XA_CPU_SCALAR;
        CHECK(fn(&im, which, &err) == XA_OK);
        if (memcmp(fast, ref, (nout + GUARD) * sizeof(float))) {
            if (bad++ < 5)
                fprintf(stderr, "%s %s: %dx%dx%d %s -> %dx%d: differs from the reference\n", what,
                        xa_cpu_path_str(path), w, h, c, u8 ? "uint8" : "float32", dw, dh);
        }
        free(src);
        free(fast);
        free(ref);
    }
    printf("%s %s: %d random cases, %d differ\n", what, xa_cpu_path_str(path), n, bad);
    return bad;
}

/* floor((float)((float)(scale * (o + 0.5) - 0.5) + 0.5)): the source position rounded to float */
static int64_t float_rounded_nearest_exact(int64_t in, int64_t out, int64_t o) {
    const float scale = (float)in / (float)out;
    float src = (float)((double)scale * ((double)o + 0.5) - 0.5);
    if (src < 0) src = 0;
    const int64_t i = (int64_t)floorf((float)((double)src + 0.5));
    return i < in - 1 ? i : in - 1;
}

int main(void) {
    xa_cpu_path paths[XA_CPU_PATH_COUNT];
    const int npaths = test_simd_paths(paths);
    for (int i = 0; i < npaths; i++) {
        CHECK(compare_paths("bicubic", run_bicubic, 0, paths[i], 300) == 0);
        CHECK(compare_paths("bilinear-aa", run_aa, 0, paths[i], 300) == 0);
        CHECK(compare_paths("bicubic-aa", run_aa, 1, paths[i], 300) == 0);
    }

    /* every method has a unique name that maps back to it */
    for (int m = 0; m < XA_RESIZE_METHOD_COUNT; m++) {
        const char *name = xa_resize_method_name((xa_resize_method)m);
        xa_resize_method back;
        CHECKF(strcmp(name, "invalid") && xa_resize_method_from_name(name, &back) == XA_OK &&
                   back == (xa_resize_method)m,
               "method %d (%s)", m, name);
    }
    xa_resize_method back;
    CHECK(!strcmp(xa_resize_method_name(XA_RESIZE_TORCH_BILINEAR_CL), "torch-bilinear-cl"));
    CHECK(
        !strcmp(xa_resize_method_name(XA_RESIZE_TORCH_BICUBIC_AA_NOFMA), "torch-bicubic-aa-nofma"));
    CHECK(xa_resize_method_from_name("torch-bicubic-cl", &back) == XA_EINVAL);

    /* nearest-exact: how often a source position rounded to float before adding 0.5 back (a
     * plausible reading of HelperInterpNearestExact) would pick another pixel than the double
     * form xalign uses; torch agrees with the latter (2 -> 41 is in tests/oracle) */
    long differ = 0, total = 0;
    for (int64_t in = 1; in <= 300; in++)
        for (int64_t out = 1; out <= 300; out++)
            for (int64_t o = 0; o < out; o++, total++)
                differ += float_rounded_nearest_exact(in, out, o) !=
                          xa_torch_nearest_index(in, out, o, 1);
    printf("nearest-exact, sizes up to 300: %ld of %ld indices would change with a float source "
           "position\n",
           differ, total);
    CHECK(differ > 0 && float_rounded_nearest_exact(2, 41, 20) == 1);
    CHECK(xa_torch_nearest_index(2, 41, 20, 1) == 0);
    CHECK(xa_torch_nearest_index(5, 10, 9, 0) == 4); /* out == 2 in: o >> 1 */
    CHECK(xa_torch_nearest_index(3, 1, 0, 1) == 1);  /* centre of 3 */
    TEST_DONE();
}
