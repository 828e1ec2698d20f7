/* The float32 kernel of every path against the reference (bit for bit), streaming against
 * whole-tensor compare, and the 16-bit float conversions. */
#include "compare/kernel.h"
#include "test.h"
#include "test_paths.h"
#include "xalign/xalign.h"

#include <math.h>
#include <string.h>

static uint64_t rng_state = 88172645463325252ull;
static uint64_t next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static float frand(void) {
    return (float)((double)(next() >> 11) / 9007199254740992.0 * 2 - 1);
}

static int same_num(double a, double b) {
    return a == b || (isnan(a) && isnan(b));
}

/* exact = 1: every sum bit for bit (paths against the reference); 0: sums of the same data in
 * another blocking (folded pieces), within 1e-13 relative */
static void compare_acc(const xa_acc *x, const xa_acc *y, const char *what, int exact) {
    xa_metrics a, b;
    xa_acc_to_metrics(x, &a);
    xa_acc_to_metrics(y, &b);
    CHECKF(a.count == b.count && a.equal == b.equal && a.finite == b.finite, "%s: counts", what);
    CHECKF(a.mismatches == b.mismatches && a.zero_ref_diff == b.zero_ref_diff,
           "%s: mism %lld/%lld zero %lld/%lld", what, (long long)a.mismatches,
           (long long)b.mismatches, (long long)a.zero_ref_diff, (long long)b.zero_ref_diff);
    CHECKF(a.max_abs == b.max_abs && a.max_abs_index == b.max_abs_index,
           "%s: max_abs %g@%lld vs %g@%lld", what, a.max_abs, (long long)a.max_abs_index, b.max_abs,
           (long long)b.max_abs_index);
    CHECKF(same_num(a.max_abs_ref, b.max_abs_ref) && same_num(a.max_abs_port, b.max_abs_port),
           "%s: worst values", what);
    CHECKF(a.max_rel == b.max_rel && a.max_rel_index == b.max_rel_index,
           "%s: max_rel %g@%lld vs %g@%lld", what, a.max_rel, (long long)a.max_rel_index, b.max_rel,
           (long long)b.max_rel_index);
    CHECKF(a.nan_ref == b.nan_ref && a.nan_port == b.nan_port && a.inf_ref == b.inf_ref &&
               a.inf_port == b.inf_port && a.nonfinite_mismatch == b.nonfinite_mismatch &&
               a.first_nonfinite_mismatch == b.first_nonfinite_mismatch,
           "%s: non-finite counts", what);
    CHECKF(same_num(a.ref_min, b.ref_min) && same_num(a.ref_max, b.ref_max) &&
               same_num(a.port_min, b.port_min) && same_num(a.port_max, b.port_max),
           "%s: extrema", what);
    if (exact) {
        CHECKF(!memcmp(x->sum, y->sum, sizeof x->sum) && !memcmp(x->comp, y->comp, sizeof x->comp),
               "%s: sums differ", what);
        return;
    }
    double pa[] = {a.sum_abs, a.sum_d2, a.sum_r2, a.sum_p2, a.sum_h2},
           pb[] = {b.sum_abs, b.sum_d2, b.sum_r2, b.sum_p2, b.sum_h2};
    for (int k = 0; k < 5; k++)
        CHECKF(fabs(pa[k] - pb[k]) <= 1e-13 * fabs(pb[k]), "%s: positive sum %d: %.17g vs %.17g",
               what, k, pa[k], pb[k]);
}

/* The kernel on `path` (into *a) and the reference (into *b) on the same data: every result
 * bit for bit. */
static void run_both(xa_acc *a, xa_acc *b, xa_cpu_path path, const float *r, const float *p,
                     size_t n, int64_t base, double atol, double rtol, const char *what) {
    xa_acc_init(a);
    xa_acc_init(b);
    xa_kernel_f32(a, r, p, n, base, atol, rtol, path);
    xa_kernel_f32_ref(b, r, p, n, base, atol, rtol);
    compare_acc(a, b, what, 1);
}

/* The kernel on `path` against the reference, on the same data. */
static void kernel_vs_ref(xa_cpu_path path, size_t n, int specials, double atol, double rtol) {
    float *r = malloc(n * sizeof *r + 4), *p = malloc(n * sizeof *p + 4);
    for (size_t i = 0; i < n; i++) {
        r[i] = frand() * 10;
        uint64_t k = next() % 8;
        p[i] = k == 0 ? r[i] : k == 1 ? 0.0f : r[i] + frand() * 1e-3f;
        if (next() % 16 == 0) r[i] = 0;
    }
    for (int s = 0; s < specials && n; s++) {
        size_t i = next() % n;
        float v[] = {NAN, INFINITY, -INFINITY};
        if (next() % 2)
            r[i] = v[next() % 3];
        else
            p[i] = v[next() % 3];
    }
    /* repeated maxima: ties must resolve to the first index on both paths */
    if (n > 100) {
        r[17] = 1;
        p[17] = 1000;
        r[n - 3] = 1;
        p[n - 3] = 1000;
    }
    char what[64];
    snprintf(what, sizeof what, "%s n=%zu specials=%d", xa_cpu_path_str(path), n, specials);
    xa_acc a, b;
    run_both(&a, &b, path, r, p, n, 5, atol, rtol, what);
    if (n > 100)
        CHECKF(a.max_abs_index == 17 + 5, "%s: first of tied maxima (%lld)", what,
               (long long)a.max_abs_index);
    /* folding the same data in pieces gives the same counts and extrema */
    xa_acc c;
    xa_acc_init(&c);
    for (size_t i = 0; i < n;) {
        size_t m = 1 + next() % 1000;
        if (m > n - i) m = n - i;
        xa_acc part;
        xa_acc_init(&part);
        xa_kernel_f32(&part, r + i, p + i, m, 5 + (int64_t)i, atol, rtol, path);
        xa_acc_merge(&c, &part);
        i += m;
    }
    compare_acc(&c, &b, what, 0);
    free(r);
    free(p);
}

/* Ties the random data never meets: differences exactly at the mismatch limit atol + rtol*|r|
 * (not a mismatch) and one float above it (a mismatch), and relative errors equal at many
 * indices (the first one is max_rel_index), spread over every lane and a tail. */
static void boundaries_vs_ref(xa_cpu_path path) {
    enum { N = 1003 };
    static float r[N], p[N];
    const double atol = 0.25, rtol = 0.5; /* lim = 0.25 + 0.5*|r|: exact for these r */
    for (int i = 0; i < N; i++) {
        r[i] = (float)((i % 7) + 1) * ((i % 3) ? 1.0f : -1.0f);
        const float lim = (float)(atol + rtol * fabs(r[i]));
        const float at = r[i] + (r[i] > 0 ? lim : -lim); /* |p - r| == lim exactly */
        p[i] = (i % 5 == 0) ? nextafterf(at, r[i] > 0 ? INFINITY : -INFINITY) : at;
    }
    /* |d|/|r| is 0.25/|r| + 0.5, the largest (0.75 and one float more) where |r| = 1 and p is
     * nudged: i = 0, 35, 70, ..., in several lanes; max_rel_index must be the first, 0 */
    char what[64];
    snprintf(what, sizeof what, "%s boundaries", xa_cpu_path_str(path));
    xa_acc a, b;
    run_both(&a, &b, path, r, p, N, 0, atol, rtol, what);
    CHECKF(a.mism > 0 && a.mism < N, "%s: %lld mismatches, some at the limit and some above it",
           what, (long long)a.mism);
    CHECKF(a.max_rel_index == 0, "%s: max_rel_index %lld, the first of the ties is 0", what,
           (long long)a.max_rel_index);
}

static void streaming_vs_whole(void) {
    int64_t shape[2] = {300, 1001};
    xa_tensor *r, *p;
    CHECK(xa_tensor_new(XA_F32, 2, shape, &r, NULL) == XA_OK);
    CHECK(xa_tensor_new(XA_F32, 2, shape, &p, NULL) == XA_OK);
    float *rf = r->data, *pf = p->data;
    for (int64_t i = 0; i < 300 * 1001; i++) {
        rf[i] = frand();
        pf[i] = rf[i] + frand() * 1e-3f;
    }
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    o.axis = 1;
    xa_cmp_result whole, streamed;
    CHECK(xa_compare(r, p, &o, &whole, NULL) == XA_OK);
    xa_cmp *c;
    CHECK(xa_cmp_new(XA_F32, XA_F32, 2, shape, &o, &c, NULL) == XA_OK);
    for (int64_t i = 0; i < 300 * 1001;) {
        int64_t m = 1 + (int64_t)(next() % 5000);
        if (m > 300 * 1001 - i) m = 300 * 1001 - i;
        CHECK(xa_cmp_update(c, rf + i, 0, pf + i, 0, (size_t)m, NULL) == XA_OK);
        i += m;
    }
    /* one element too many poisons the context */
    xa_error err = {0};
    CHECK(xa_cmp_update(c, rf, 0, pf, 0, 1, &err) == XA_ESHAPE &&
          strstr(err.message, "more elements"));
    CHECK(xa_cmp_final(c, &streamed, NULL) == XA_EPOISONED);
    xa_cmp_free(c);
    CHECK(xa_cmp_new(XA_F32, XA_F32, 2, shape, &o, &c, NULL) == XA_OK);
    CHECK(xa_cmp_update(c, rf, 0, pf, 0, 1000, NULL) == XA_OK);
    CHECK(xa_cmp_final(c, &streamed, &err) == XA_ESHAPE); /* too few */
    xa_cmp_free(c);
    CHECK(xa_cmp_new(XA_F32, XA_F32, 2, shape, &o, &c, NULL) == XA_OK);
    CHECK(xa_cmp_update(c, rf, 0, pf, 0, 300 * 1001, NULL) == XA_OK);
    CHECK(xa_cmp_final(c, &streamed, NULL) == XA_OK);
    xa_cmp_free(c);
    CHECK(streamed.nchannels == 1001 && whole.nchannels == 1001);
    CHECK(streamed.total.max_abs == whole.total.max_abs &&
          streamed.total.max_abs_index == whole.total.max_abs_index);
    for (int k = 0; k < 1001; k++)
        CHECKF(streamed.channels[k].max_abs_index == whole.channels[k].max_abs_index &&
                   streamed.channels[k].count == 300,
               "channel %d", k);
    xa_cmp_result_clear(&whole);
    xa_cmp_result_clear(&streamed);
    xa_tensor_free(r);
    xa_tensor_free(p);
}

static void half_floats(void) {
    /* every half pattern converts to float and back unchanged (NaNs stay NaN) */
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = xa_f16_to_f32((uint16_t)h);
        uint16_t back = xa_f32_to_f16(f);
        if (isnan(f) ? !isnan(xa_f16_to_f32(back)) : back != h) bad++;
    }
    CHECKF(bad == 0, "%d half patterns do not round-trip", bad);
    /* round to nearest even at the midpoint between 1 and 1 + 2^-10 */
    CHECK(xa_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00);
    CHECK(xa_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02);
    CHECK(xa_f32_to_f16(65520.0f) == 0x7c00 && xa_f32_to_f16(65519.0f) == 0x7bff);
    CHECK(xa_f32_to_f16(0x1p-25f) == 0 && xa_f32_to_f16(0x1.000002p-25f) == 1);
    CHECK(xa_f16_to_f32(1) == 0x1p-24f && xa_f16_to_f32(0x7bff) == 65504.0f);
    CHECK(xa_bf16_to_f32(0x3f80) == 1.0f && xa_f32_to_bf16(1.0f + 0x1p-8f) == 0x3f80 &&
          xa_f32_to_bf16(1.0f + 3 * 0x1p-8f) == 0x3f82);
    CHECK(isnan(xa_bf16_to_f32(xa_f32_to_bf16(NAN))));
}

int main(void) {
    size_t sizes[] = {0, 1, 7, 8, 9, 64, 1000, 4095, 4096, 4097, 100003};
    /* every path this CPU runs, whatever XALIGN_CPU says, and scalar (the dispatch itself) */
    xa_cpu_path paths[XA_CPU_PATH_COUNT + 1] = {XA_CPU_SCALAR};
    const int npaths = 1 + test_simd_paths(paths + 1);
    for (int k = 0; k < npaths; k++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            kernel_vs_ref(paths[k], sizes[i], 0, 1e-3, 0);
            kernel_vs_ref(paths[k], sizes[i], 5, 1e-4, 1e-3);
        }
    for (int k = 0; k < npaths; k++) boundaries_vs_ref(paths[k]);
    streaming_vs_whole();
    half_floats();
    CHECK(strcmp(xa_dtype_name(XA_BF16), "bfloat16") == 0 && xa_dtype_from_name("f32") == XA_F32);
    CHECK(xa_shape_count(2, (int64_t[]){INT64_MAX, 2}) == -1);
    TEST_DONE();
}
