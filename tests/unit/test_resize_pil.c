/* Pillow resample: the fast 8-bit passes (AVX2) against the plain scalar reference, on many
 * random sizes, channel counts and filters; plus coefficient invariants and limits.
 * (Bit-exactness against Pillow itself: tests/oracle/test_resize_pil.py.) */
#include "ops/resize_pil_impl.h"
#include "test.h"
#include "test_paths.h"

#include <string.h>

/* Output buffers carry a guard zone after their dn bytes: writes past the end must not happen. */
#define GUARD 64
static uint8_t *guarded(size_t dn, uint8_t fill) {
    uint8_t *p = malloc(dn + GUARD);
    if (p) memset(p, fill, dn + GUARD);
    return p;
}
static int guard_intact(const uint8_t *p, size_t dn, uint8_t fill) {
    for (size_t i = 0; i < GUARD; i++)
        if (p[dn + i] != fill) return 0;
    return 1;
}

static const xa_resize_method filters[] = {XA_RESIZE_PIL_BOX, XA_RESIZE_PIL_BILINEAR,
                                           XA_RESIZE_PIL_HAMMING, XA_RESIZE_PIL_BICUBIC,
                                           XA_RESIZE_PIL_LANCZOS};

/* One side: mostly small, sometimes long or 1, sometimes unchanged. */
static void pick_side(int *in, int *out) {
    switch (test_rnd() % 8) {
    case 0:
        *in = test_rnd_in(1, 700);
        *out = test_rnd_in(1, 9);
        break; /* hard shrink */
    case 1:
        *in = test_rnd_in(1, 9);
        *out = test_rnd_in(1, 700);
        break; /* hard enlarge */
    case 2:
        *in = *out = test_rnd_in(1, 90);
        break; /* pass skipped */
    case 3:
        *in = test_rnd_in(30, 200);
        *out = *in / 2 + test_rnd_in(-1, 1);
        break;
    default:
        *in = test_rnd_in(1, 90);
        *out = test_rnd_in(1, 90);
        break;
    }
    if (*out < 1) *out = 1;
}

static void check_coeffs(void) {
    /* every output's fixed-point weights add up to 2^22 within the rounding of each tap, the
     * window lies inside the source, and the padding after the taps is zero */
    int bad = 0, n = 0;
    for (int i = 0; i < 400; i++) {
        int in, out;
        pick_side(&in, &out);
        xa_pil_coeffs k;
        xa_error err = {0};
        if (xa_pil_coeffs_init(&k, in, out, filters[i % 5], 1, &err) != XA_OK) {
            CHECKF(0, "coeffs %d -> %d: %s", in, out, err.message);
            continue;
        }
        for (int o = 0; o < out; o++, n++) {
            const int xmin = k.bounds[2 * o], taps = k.bounds[2 * o + 1];
            int64_t sum = 0;
            for (int t = 0; t < k.kstride; t++) {
                if (t < taps)
                    sum += k.ki[(size_t)o * k.kstride + t];
                else if (k.ki[(size_t)o * k.kstride + t] != 0)
                    bad++;
            }
            const int64_t dev = sum - (1 << XA_PIL_PRECISION_BITS);
            if (xmin < 0 || taps < 1 || xmin + taps > in || taps > k.ksize || dev > taps ||
                dev < -taps)
                bad++;
        }
        xa_pil_coeffs_free(&k);
    }
    CHECKF(bad == 0, "%d of %d coefficient rows break an invariant", bad, n);
}

static void check_limits(void) {
    xa_pil_coeffs k;
    xa_error err = {0};
    /* a 2^24-wide source shrunk to 1 with lanczos: 100663297 taps, beyond the table limit */
    CHECK(xa_pil_coeffs_init(&k, XA_PIL_MAX_SIDE, 1, XA_RESIZE_PIL_LANCZOS, 1, &err) == XA_ELIMIT);
    CHECK(k.bounds == NULL && k.kd == NULL && k.ki == NULL);
    CHECK(xa_pil_coeffs_init(&k, XA_PIL_MAX_SIDE + 1, 1, XA_RESIZE_PIL_BOX, 1, &err) == XA_EINVAL);
    CHECK(xa_pil_coeffs_init(&k, 10, 5, XA_RESIZE_PIL_NEAREST, 1, &err) == XA_EINVAL);
    xa_pil_coeffs_free(NULL);
}

static int npaths;
static xa_cpu_path paths[XA_CPU_PATH_COUNT];

/* NEAREST: each path (the AVX2 gather) against the scalar copy, for every pixel size Pillow's
 * modes have. */
static void check_nearest(void) {
    int cases = 0, mismatches = 0;
    for (int i = 0; i < 1500; i++) {
        int w, h, dw, dh;
        pick_side(&w, &dw);
        pick_side(&h, &dh);
        const size_t pix = (size_t[]){1, 3, 4, 12, 16}[test_rnd() % 5];
        const size_t n = (size_t)w * h * pix, dn = (size_t)dw * dh * pix;
        uint8_t *src = malloc(n), *a = guarded(dn, 0x55), *b = guarded(dn, 0xaa);
        if (!src || !a || !b) {
            CHECK(0);
            break;
        }
        for (size_t j = 0; j < n; j++) src[j] = (uint8_t)test_rnd();
        const xa_status s1 = xa_pil_nearest(src, w, h, pix, a, dw, dh, XA_CPU_SCALAR, NULL);
        for (int k = 0; k < npaths; k++) {
            const xa_status s2 = xa_pil_nearest(src, w, h, pix, b, dw, dh, paths[k], NULL);
            const int same = s1 == XA_OK && s2 == XA_OK && memcmp(a, b, dn) == 0 &&
                             guard_intact(a, dn, 0x55) && guard_intact(b, dn, 0xaa);
            cases++;
            mismatches += !same;
            CHECKF(same, "nearest %s pix=%zu %dx%d -> %dx%d", xa_cpu_path_str(paths[k]), pix, w, h,
                   dw, dh);
        }
        free(src);
        free(a);
        free(b);
    }
    printf("nearest, paths vs reference: cases %d, mismatches %d\n", cases, mismatches);
}

int main(void) {
    check_coeffs();
    check_limits();
    npaths = test_simd_paths(paths);
    int cases = 0, mismatches = 0;
    for (int i = 0; i < 3000; i++) {
        int w, h, dw, dh;
        pick_side(&w, &dw);
        pick_side(&h, &dh);
        const int c = (int[]){1, 3, 4}[test_rnd() % 3];
        const xa_resize_method m = filters[test_rnd() % 5];
        const size_t n = (size_t)w * h * c, dn = (size_t)dw * dh * c;
        uint8_t *src = malloc(n), *a = guarded(dn, 0x55), *b = guarded(dn, 0xaa);
        if (!src || !a || !b) {
            CHECK(0);
            break;
        }
        const int extremes = test_rnd() % 4 == 0; /* 0/255 images drive the lobes past 0..255 */
        for (size_t j = 0; j < n; j++)
            src[j] = (uint8_t)(extremes ? (test_rnd() & 1) * 255 : test_rnd());
        xa_error e1 = {0}, e2 = {0};
        const xa_status s1 = xa_pil_resample_u8(src, w, h, c, a, dw, dh, m, XA_CPU_SCALAR, &e1);
        for (int k = 0; k < npaths; k++) {
            const xa_status s2 = xa_pil_resample_u8(src, w, h, c, b, dw, dh, m, paths[k], &e2);
            cases++;
            const int same = s1 == XA_OK && s2 == XA_OK && memcmp(a, b, dn) == 0 &&
                             guard_intact(a, dn, 0x55) && guard_intact(b, dn, 0xaa);
            mismatches += !same;
            CHECKF(same, "%s %s c=%d %dx%d -> %dx%d: status %d/%d %s%s", xa_cpu_path_str(paths[k]),
                   xa_resize_method_name(m), c, w, h, dw, dh, s1, s2, e1.message, e2.message);
        }
        free(src);
        free(a);
        free(b);
    }
    {
        /* a table past XA_PIL_EXPANDED_MAX (40000 outputs x 48 taps): the fast entry must
         * still give the reference bytes (through its scalar fallback) */
        const int w = 300000, dw = 40000;
        uint8_t *src = malloc((size_t)w * 3), *a = guarded((size_t)dw * 3, 1),
                *b = guarded((size_t)dw * 3, 2);
        if (src && a && b) {
            for (int j = 0; j < w * 3; j++) src[j] = (uint8_t)test_rnd();
            const xa_status s1 = xa_pil_resample_u8(src, w, 1, 3, a, dw, 1, XA_RESIZE_PIL_LANCZOS,
                                                    XA_CPU_SCALAR, NULL);
            const xa_status s2 = xa_pil_resample_u8(src, w, 1, 3, b, dw, 1, XA_RESIZE_PIL_LANCZOS,
                                                    xa_cpu_path_detected(), NULL);
            cases++;
            const int same =
                !s1 && !s2 && !memcmp(a, b, (size_t)dw * 3) && guard_intact(b, (size_t)dw * 3, 2);
            mismatches += !same;
            CHECKF(same, "lanczos 300000x1 -> 40000x1 (large table)");
        } else {
            CHECK(0);
        }
        free(src);
        free(a);
        free(b);
    }
    printf("convolution, paths vs reference: cases %d, mismatches %d\n", cases, mismatches);
    check_nearest();
    TEST_DONE();
}
