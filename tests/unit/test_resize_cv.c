/* The kernels of every SIMD path this CPU has (cv2-linear, cv2-cubic/lanczos4 uint8,
 * cv2-linear-exact, cv2-area) against their scalar references (resize_cv_sse2.c, ... vs
 * resize_cv_sep.c / resize_cv_area.c) on many random sizes, plus the argument checks of xa_resize
 * for the cv2 family. The references themselves are tested against OpenCV in
 * tests/oracle/test_resize_cv.py (also under XALIGN_CPU=scalar). */
#include "test.h"
#include "test_paths.h"

#include <string.h>

#include "ops/resize_cv_internal.h"
#include "xalign/xalign.h"

static const int CN[3] = {1, 3, 4};
static int npaths;
static xa_cpu_path paths[XA_CPU_PATH_COUNT];

/* Pixels: uniform noise, or a constant 0 / 255 (the ends of every 16-bit lane range). */
static uint8_t *make_image(int w, int h, int cn) {
    size_t n = (size_t)w * h * cn;
    uint8_t *p = malloc(n ? n : 1);
    int kind = test_rnd_in(0, 5);
    for (size_t i = 0; i < n; i++) p[i] = kind == 0 ? 255 : kind == 1 ? 0 : (uint8_t)test_rnd();
    return p;
}

static int random_side(void) {
    int r = test_rnd_in(0, 9);
    return r < 6 ? test_rnd_in(1, 40) : r < 9 ? test_rnd_in(1, 400) : test_rnd_in(1, 2500);
}

/* The separable 8-bit kernels: linear (also INTER_AREA below scale 1) most of the time, cubic
 * and Lanczos4 (whose only vector part is the rounding store) in a quarter of the cases. */
static void test_sep(int cases) {
    int bad = 0, n_linear = 0;
    for (int i = 0; i < cases; i++) {
        int sw = random_side(), sh = test_rnd_in(1, 30), cn = CN[test_rnd_in(0, 2)];
        int dw = random_side(), dh = test_rnd_in(1, 30), area_mode = test_rnd_in(0, 3) == 0;
        const xa_cv_kernel k = test_rnd_in(0, 3)   ? XA_CV_K_LINEAR
                               : test_rnd_in(0, 1) ? XA_CV_K_CUBIC
                                                   : XA_CV_K_LANCZOS4;
        if (k != XA_CV_K_LINEAR) area_mode = 0;
        n_linear += k == XA_CV_K_LINEAR;
        if (dw == sw && dh == sh) dw++;
        uint8_t *src = make_image(sw, sh, cn);
        size_t n = (size_t)dw * dh * cn;
        uint8_t *a = malloc(n), *b = malloc(n);
        xa_cv_sep p;
        CHECK(xa_cv_sep_init(&p, sw, sh, dw, dh, cn, 1, k, area_mode, (double)dw / sw,
                             (double)dh / sh, NULL) == XA_OK);
        CHECK(xa_cv_sep_u8_ref(&p, src, a, NULL) == XA_OK);
        for (int j = 0; j < npaths; j++) {
            CHECK(xa_cv_sep_u8(&p, src, b, paths[j], NULL) == XA_OK);
            if (memcmp(a, b, n) && bad++ < 5)
                fprintf(stderr, "%s: %d taps %dx%dx%d -> %dx%d area_mode %d differs\n",
                        xa_cpu_path_str(paths[j]), (int)k, sw, sh, cn, dw, dh, area_mode);
        }
        xa_cv_sep_free(&p);
        free(src), free(a), free(b);
    }
    CHECKF(bad == 0, "separable: %d of %d cases differ", bad, cases * npaths);
    printf("separable uint8 (%d linear, %d cubic/lanczos4) x %d paths: %d differ\n", n_linear,
           cases - n_linear, npaths, bad);
}

static void test_linear_exact(int cases) {
    int bad = 0;
    for (int i = 0; i < cases; i++) {
        int sw = random_side(), sh = test_rnd_in(1, 30), cn = CN[test_rnd_in(0, 2)];
        int dw = random_side(), dh = test_rnd_in(1, 30);
        uint8_t *src = make_image(sw, sh, cn);
        size_t n = (size_t)dw * dh * cn;
        uint8_t *a = malloc(n), *b = malloc(n);
        xa_cv_exact p;
        CHECK(xa_cv_exact_init(&p, sw, sh, dw, dh, cn, (double)dw / sw, (double)dh / sh, NULL) ==
              XA_OK);
        CHECK(xa_cv_exact_u8_ref(&p, src, a, NULL) == XA_OK);
        for (int j = 0; j < npaths; j++) {
            CHECK(xa_cv_exact_u8(&p, src, b, paths[j], NULL) == XA_OK);
            if (memcmp(a, b, n) && bad++ < 5)
                fprintf(stderr, "%s: linear exact %dx%dx%d -> %dx%d differs\n",
                        xa_cpu_path_str(paths[j]), sw, sh, cn, dw, dh);
        }
        xa_cv_exact_free(&p);
        free(src), free(a), free(b);
    }
    CHECKF(bad == 0, "linear exact: %d of %d cases differ", bad, cases);
}

static void test_area_fast(int cases) {
    int bad = 0;
    for (int i = 0; i < cases; i++) {
        int kx = test_rnd_in(0, 2) ? 2 : test_rnd_in(1, 7),
            ky = test_rnd_in(0, 2) ? kx : test_rnd_in(1, 7);
        int dw = random_side() % 600 + 1, dh = test_rnd_in(1, 12), cn = CN[test_rnd_in(0, 2)];
        int sw = dw * kx, sh = dh * ky;
        uint8_t *src = make_image(sw, sh, cn);
        size_t n = (size_t)dw * dh * cn;
        uint8_t *a = malloc(n), *b = malloc(n);
        xa_cv_area_fast_u8_ref(src, sw, sh, cn, a, dw, dh, kx, ky);
        for (int j = 0; j < npaths; j++) {
            xa_cv_area_fast_u8(src, sw, sh, cn, b, dw, dh, kx, ky, paths[j]);
            if (memcmp(a, b, n) && bad++ < 5)
                fprintf(stderr, "%s: area fast %dx%d cn %d factors %dx%d differs\n",
                        xa_cpu_path_str(paths[j]), dw, dh, cn, kx, ky);
        }
        free(src), free(a), free(b);
    }
    CHECKF(bad == 0, "area fast: %d of %d cases differ", bad, cases);
}

static void test_area(int cases) {
    int bad = 0;
    for (int i = 0; i < cases; i++) {
        int sw = random_side(), sh = test_rnd_in(1, 60), cn = CN[test_rnd_in(0, 2)];
        int dw = test_rnd_in(1, sw), dh = test_rnd_in(1, sh);
        uint8_t *src = make_image(sw, sh, cn);
        size_t n = (size_t)dw * dh * cn;
        uint8_t *a = malloc(n), *b = malloc(n);
        xa_cv_area p;
        CHECK(xa_cv_area_init(&p, sw, sh, dw, dh, cn, 1. / ((double)dw / sw),
                              1. / ((double)dh / sh), NULL) == XA_OK);
        CHECK(xa_cv_area_u8_ref(&p, src, a, NULL) == XA_OK);
        for (int j = 0; j < npaths; j++) {
            CHECK(xa_cv_area_u8(&p, src, b, paths[j], NULL) == XA_OK);
            if (memcmp(a, b, n) && bad++ < 5)
                fprintf(stderr, "%s: area %dx%dx%d -> %dx%d differs\n", xa_cpu_path_str(paths[j]),
                        sw, sh, cn, dw, dh);
        }
        /* float32 (bits compared, so the sign of zero counts): values with exact zeros, signs */
        float *fs = malloc(sizeof(float) * ((size_t)sw * sh * cn + 1));
        float *fa = malloc(sizeof(float) * n), *fb = malloc(sizeof(float) * n);
        for (size_t k = 0; k < (size_t)sw * sh * cn; k++)
            fs[k] = (float)((int)src[k] - 128) * (test_rnd_in(0, 3) ? 0.37f : -0.f);
        CHECK(xa_cv_area_f32_ref(&p, fs, fa, NULL) == XA_OK);
        for (int j = 0; j < npaths; j++) {
            CHECK(xa_cv_area_f32(&p, fs, fb, paths[j], NULL) == XA_OK);
            if (memcmp(fa, fb, sizeof(float) * n) && bad++ < 5)
                fprintf(stderr, "%s: area float32 %dx%dx%d -> %dx%d differs\n",
                        xa_cpu_path_str(paths[j]), sw, sh, cn, dw, dh);
        }
        xa_cv_area_free(&p);
        free(src), free(a), free(b), free(fs), free(fa), free(fb);
    }
    CHECKF(bad == 0, "area: %d of %d cases differ", bad, cases);
}

/* The library's argument checks for the cv2 family: clear errors, no output. */
static void test_errors(void) {
    xa_error err = {0};
    xa_tensor *img = NULL, *out = (xa_tensor *)&err;
    int64_t shape[3] = {4, 5, 3};
    CHECK(xa_tensor_new(XA_U8, 3, shape, &img, &err) == XA_OK);
    CHECK(xa_resize(img, 0, 3, XA_RESIZE_CV_LINEAR, &out, &err) == XA_EINVAL && !out);
    CHECK(xa_resize(img, 3, XA_RESIZE_MAX_DIM + 1, XA_RESIZE_CV_AREA, &out, &err) == XA_EINVAL);
    CHECK(xa_resize(img, 3, 3, (xa_resize_method)99, &out, &err) == XA_EINVAL);
    CHECK(xa_resize(img, 7, 2, XA_RESIZE_CV_CUBIC, &out, &err) == XA_OK && out && out->rank == 3 &&
          out->shape[0] == 2 && out->shape[1] == 7 && out->shape[2] == 3);
    xa_tensor_free(out);
    xa_tensor_free(img);

    int64_t bad_c[3] = {4, 5, 2};
    CHECK(xa_tensor_new(XA_U8, 3, bad_c, &img, &err) == XA_OK);
    CHECK(xa_resize(img, 3, 3, XA_RESIZE_CV_LINEAR, &out, &err) == XA_EINVAL && !out);
    xa_tensor_free(img);

    int64_t i16[2] = {4, 5};
    CHECK(xa_tensor_new(XA_I16, 2, i16, &img, &err) == XA_OK);
    CHECK(xa_resize(img, 3, 3, XA_RESIZE_CV_LINEAR, &out, &err) == XA_EINVAL && !out);
    xa_tensor_free(img);

    /* INTER_NEAREST_EXACT's 16.16 arithmetic overflows in OpenCV from 32768 on: refused */
    int64_t wide[2] = {1, 32768};
    CHECK(xa_tensor_new(XA_U8, 2, wide, &img, &err) == XA_OK);
    CHECK(xa_resize(img, 100, 1, XA_RESIZE_CV_NEAREST_EXACT, &out, &err) == XA_EUNSUPPORTED &&
          !out && strstr(err.message, "32768"));
    CHECK(xa_resize(img, 100, 1, XA_RESIZE_CV_NEAREST, &out, &err) == XA_OK);
    xa_tensor_free(out);
    xa_tensor_free(img);

    int64_t huge[2] = {1, XA_CV_MAX_SRC_DIM + 1};
    CHECK(xa_tensor_new(XA_U8, 2, huge, &img, &err) == XA_OK);
    CHECK(xa_resize(img, 100, 1, XA_RESIZE_CV_LINEAR, &out, &err) == XA_ELIMIT && !out);
    xa_tensor_free(img);
}

int main(void) {
    npaths = test_simd_paths(paths);
    test_sep(2000);
    test_linear_exact(1500);
    test_area_fast(1500);
    test_area(800);
    test_errors();
    TEST_DONE();
}
