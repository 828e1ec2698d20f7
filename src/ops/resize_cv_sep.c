/* OpenCV 4.6 cv::resize, separable kernels (imgproc/src/resize.cpp): scalar references.
 *
 * resizeGeneric_ runs a horizontal pass (HResizeLinear / HResizeCubic / HResizeLanczos4) over
 * each source row an output row needs, into a row buffer of dw*cn values (int for 8-bit input,
 * float for float input), then a vertical pass (VResize*) over ksize buffered rows. The vertical
 * pass of OpenCV has a SIMD body and a scalar tail that round differently for some kernels; the
 * functions below reproduce which output element takes which form (see vrow_* below).
 *
 * Also INTER_LINEAR_EXACT on uint8 (resize_bitExact), which has its own fixed-point format.
 */
#include "resize_cv_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- row cache ---------------------------------------------------------------------------
 * An output row dy needs source rows clamp(yofs[dy] - ksize/2 + 1 + k, 0, sh-1), k < ksize.
 * Consecutive output rows share most of them, so horizontally resized rows are kept in ksize
 * buffers tagged with their source row and only missing rows are computed (resizeGeneric_Invoker
 * does the same with prev_sy). Several k may point at one buffer (clamped rows repeat). */
typedef struct {
    int ksize;
    void *buf[8];
    int tag[8];          /* source row held, -1: none */
    const void *rows[8]; /* per tap: the buffer holding its row */
} row_cache;

static int cache_init(row_cache *c, int ksize, size_t row_bytes) {
    memset(c, 0, sizeof *c);
    c->ksize = ksize;
    for (int k = 0; k < ksize; k++) {
        c->tag[k] = -1;
        if (!(c->buf[k] = malloc(row_bytes ? row_bytes : 1))) return -1;
    }
    return 0;
}

static void cache_free(row_cache *c) {
    for (int k = 0; k < c->ksize; k++) free(c->buf[k]);
}

typedef void (*hrow_fn)(const xa_cv_sep *p, const void *srow, void *drow);

/* Point c->rows[k] at the buffer of each tap's source row, computing missing rows with h. */
static void cache_fill(row_cache *c, const xa_cv_sep *p, int dy, const uint8_t *src,
                       size_t src_stride, hrow_fn h) {
    int need[8], keep[8] = {0};
    for (int k = 0; k < c->ksize; k++) {
        int sy = p->yofs[dy] - c->ksize / 2 + 1 + k;
        need[k] = sy < 0 ? 0 : sy >= p->sh ? p->sh - 1 : sy;
        for (int j = 0; j < c->ksize; j++)
            if (c->tag[j] == need[k]) keep[j] = 1;
    }
    for (int k = 0; k < c->ksize; k++) {
        int j = 0;
        while (j < c->ksize && c->tag[j] != need[k]) j++;
        if (j == c->ksize) { /* not cached: compute into a buffer this row does not need */
            j = 0;
            while (keep[j]) j++;
            h(p, src + (size_t)need[k] * src_stride, c->buf[j]);
            c->tag[j] = need[k];
            keep[j] = 1;
        }
        c->rows[k] = c->buf[j];
    }
}

/* Element index of tap j of output element e, with the edge clamping of HResizeCubic /
 * HResizeLanczos4 (their "while (sxj < 0) sxj += cn; while (sxj >= swidth) sxj -= cn" clamps
 * the pixel and keeps the channel). */
static inline int edge_tap(const xa_cv_sep *p, int e, int j) {
    int idx = p->xofs[e] + (j - p->ksize / 2 + 1) * p->cn, width = p->sw * p->cn;
    while (idx < 0) idx += p->cn;
    while (idx >= width) idx -= p->cn;
    return idx;
}

/* The output elements whose taps may leave the row: HResizeCubic/Lanczos4 walk [0, xmin) on
 * the edge path, [xmin, xmax) on the interior path and [max(xmin, xmax), W) on the edge path.
 * Calls body(e0, e1, interior) for the three ranges in order. */
#define FOR_RANGES(p, W, body)                                                                     \
    do {                                                                                           \
        int r0_ = (p)->xmin < (W) ? (p)->xmin : (W), r1_ = (p)->xmax > r0_ ? (p)->xmax : r0_;      \
        body(0, r0_, 0);                                                                           \
        body(r0_, r1_, 1);                                                                         \
        body(r1_, (W), 0);                                                                         \
    } while (0)

/* ---- horizontal passes ------------------------------------------------------------------ */

/* One 8-bit cubic / Lanczos row with a constant tap count K (inlined twice, K = 4 and 8). */
static inline void hrow_u8_k(const xa_cv_sep *p, const uint8_t *S, int32_t *D, const int K) {
    const int W = p->dw * p->cn, cn = p->cn;
    const int16_t *a = p->ialpha;
#define HROW_U8(e0, e1, interior)                                                                  \
    for (int e = e0; e < e1; e++) {                                                                \
        const int16_t *w = a + (size_t)e * K;                                                      \
        int32_t v = 0;                                                                             \
        if (interior) {                                                                            \
            const uint8_t *s = S + p->xofs[e] - (K / 2 - 1) * cn;                                  \
            for (int j = 0; j < K; j++) v += s[j * cn] * w[j];                                     \
        } else {                                                                                   \
            for (int j = 0; j < K; j++) v += S[edge_tap(p, e, j)] * w[j];                          \
        }                                                                                          \
        D[e] = v;                                                                                  \
    }
    FOR_RANGES(p, W, HROW_U8);
#undef HROW_U8
}

/* HResizeLinear<uchar, int, short, 2048>: T = S[sx]*a0 + S[sx+cn]*a1 (weights out of 2048, so
 * T = value * 2048); from xmax on the position was clamped to the last pixel: T = S[sx]*2048.
 * HResizeCubic / HResizeLanczos4 on 8-bit: int sums of ksize taps, exact in any order. */
static void hrow_u8(const xa_cv_sep *p, const void *srow, void *drow) {
    const uint8_t *S = srow;
    int32_t *D = drow;
    const int W = p->dw * p->cn, cn = p->cn;
    const int16_t *a = p->ialpha;
    if (p->ksize == 2) {
        int e = 0;
        for (; e < p->xmax; e++) {
            int sx = p->xofs[e];
            D[e] = S[sx] * a[2 * e] + S[sx + cn] * a[2 * e + 1];
        }
        for (; e < W; e++) D[e] = S[p->xofs[e]] * XA_CV_COEF_SCALE;
        return;
    }
    if (p->ksize == 4)
        hrow_u8_k(p, S, D, 4);
    else
        hrow_u8_k(p, S, D, 8);
}

static inline void hrow_f32_k(const xa_cv_sep *p, const float *S, float *D, const int K) {
    const int W = p->dw * p->cn, cn = p->cn;
    const float *a = p->falpha;
#define HROW_F32(e0, e1, interior)                                                                 \
    for (int e = e0; e < e1; e++) {                                                                \
        const float *w = a + (size_t)e * K;                                                        \
        float v;                                                                                   \
        if (interior) {                                                                            \
            const float *s = S + p->xofs[e] - (K / 2 - 1) * cn;                                    \
            v = s[0] * w[0];                                                                       \
            for (int j = 1; j < K; j++) v = v + s[j * cn] * w[j];                                  \
        } else {                                                                                   \
            v = 0;                                                                                 \
            for (int j = 0; j < K; j++) v += S[edge_tap(p, e, j)] * w[j];                          \
        }                                                                                          \
        D[e] = v;                                                                                  \
    }
    FOR_RANGES(p, W, HROW_F32);
#undef HROW_F32
}

/* The float horizontal passes: the sum order matters. Interior: left to right from the first
 * product. Edge (HResizeCubic/Lanczos4): v = 0; v += each product (so 0 + first product).
 * Linear: S[sx]*a0 + S[sx+cn]*a1 everywhere below xmax (clamped positions have weights 1, 0),
 * and the plain value S[sx] (S*1) from xmax on. */
/* HResizeLinear<float>: one row, or two rows in one loop (S1 != NULL) as OpenCV does when both
 * rows of an output row are new, which keeps two streams of source reads in flight. */
static inline void linear_rows_f32(const xa_cv_sep *p, const float *S0, const float *S1, float *D0,
                                   float *D1) {
    const int W = p->dw * p->cn, cn = p->cn;
    const float *a = p->falpha;
    int e = 0;
    for (; e < p->xmax; e++) {
        int sx = p->xofs[e];
        float a0 = a[2 * e], a1 = a[2 * e + 1];
        D0[e] = S0[sx] * a0 + S0[sx + cn] * a1;
        if (S1) D1[e] = S1[sx] * a0 + S1[sx + cn] * a1;
    }
    for (; e < W; e++) {
        D0[e] = S0[p->xofs[e]];
        if (S1) D1[e] = S1[p->xofs[e]];
    }
}

static void hrow_f32(const xa_cv_sep *p, const void *srow, void *drow) {
    const float *S = srow;
    float *D = drow;
    const int K = p->ksize;
    if (K == 2) {
        linear_rows_f32(p, S, NULL, D, NULL);
        return;
    }
    if (K == 4)
        hrow_f32_k(p, S, D, 4);
    else
        hrow_f32_k(p, S, D, 8);
}

/* ---- vertical passes -------------------------------------------------------------------- */

/* VResizeLinear<uchar, int, short> (scalar and SSE2 agree): with T = value * 2048 and
 * b = weight * 2048, the exact result would be (b0*T0 + b1*T1) / 2^22. OpenCV keeps 16-bit
 * lanes: T >> 4 fits int16 (255*2048 >> 4 = 32640), the 16x16 multiply keeps the high half
 * (>> 16, as _mm_mulhi_epi16), leaving value * 4; "+ 2 >> 2" rounds that to an integer.
 * The truncations (>> 4, >> 16 per product) make this differ from (sum + 2^21) >> 22. */
static inline uint8_t vlin_u8(int32_t t0, int32_t t1, int b0, int b1) {
    return xa_cv_sat_u8((((b0 * (t0 >> 4)) >> 16) + ((b1 * (t1 >> 4)) >> 16) + 2) >> 2);
}

/* FixedPtCast<int, uchar, 22>: (sum + 2^21) >> 22 with OpenCV's int arithmetic (wrapping on
 * overflow, which only the 8-tap Lanczos sums could approach), saturated to 0..255. */
static inline uint8_t fixed22_u8(uint32_t sum) {
    int32_t v = (int32_t)(sum + (1u << 21));
    return xa_cv_sat_u8(v >> 22);
}

/* One 8-bit output row. tmp: W floats of scratch. sse2: round the cubic SIMD body with
 * xa_cv_store_round_u8_sse2 (same bytes as the reference loop). */
static inline void vrow_u8(const xa_cv_sep *p, const int32_t *const *T, const int16_t *b,
                           uint8_t *D, float *tmp, const int sse2) {
    const int W = p->dw * p->cn, K = p->ksize;
    int x = 0;
    if (K == 2) {
        for (; x < W; x++) D[x] = vlin_u8(T[0][x], T[1][x], b[0], b[1]);
        return;
    }
    if (K == 4) {
        /* VResizeCubicVec_32s8u (8 lanes of int16 output a step): weights b * 2^-22 in float
         * (exact: a power of two), v = T0*b0 + (T1*b1 + (T2*b2 + T3*b3)) in float, rounded to
         * nearest even, saturated. The first floor(W/8)*8 elements take this form. */
        const float s = 1.f / (XA_CV_COEF_SCALE * XA_CV_COEF_SCALE);
        const float f0 = b[0] * s, f1 = b[1] * s, f2 = b[2] * s, f3 = b[3] * s;
        const int nv = W & ~7;
        for (; x < nv; x++)
            tmp[x] = (float)T[0][x] * f0 +
                     ((float)T[1][x] * f1 + ((float)T[2][x] * f2 + (float)T[3][x] * f3));
        if (sse2)
            xa_cv_store_round_u8_sse2(tmp, nv, D);
        else
            xa_cv_store_round_u8_ref(tmp, nv, D);
        /* the scalar tail of VResizeCubic: integer sum, FixedPtCast */
        for (; x < W; x++)
            D[x] =
                fixed22_u8((uint32_t)T[0][x] * (uint32_t)b[0] + (uint32_t)T[1][x] * (uint32_t)b[1] +
                           (uint32_t)T[2][x] * (uint32_t)b[2] + (uint32_t)T[3][x] * (uint32_t)b[3]);
        return;
    }
    /* VResizeLanczos4<uchar> has no SIMD: integer sum of 8 products, FixedPtCast */
    for (; x < W; x++) {
        uint32_t sum = 0;
        for (int k = 0; k < 8; k++) sum += (uint32_t)T[k][x] * (uint32_t)b[k];
        D[x] = fixed22_u8(sum);
    }
}

/* Float vertical pass with a constant tap count K (4 or 8). VResizeCubicVec_32f /
 * VResizeLanczos4Vec_32f, 4 float lanes a step, nest the sum from the last tap:
 * T0*b0 + (T1*b1 + (... + T[K-1]*b[K-1])) (v_muladd chains, no FMA on the SSE2 baseline); the
 * first floor(W/4)*4 elements take this form, the scalar tail sums left to right. */
static inline void vrow_f32_k(const float *const *T, const float *b, float *D, int W, const int K) {
    int x = 0;
    for (const int nv = W & ~3; x < nv; x++) {
        float v = T[K - 1][x] * b[K - 1];
        for (int k = K - 2; k >= 0; k--) v = T[k][x] * b[k] + v;
        D[x] = v;
    }
    for (; x < W; x++) {
        float v = T[0][x] * b[0];
        for (int k = 1; k < K; k++) v = v + T[k][x] * b[k];
        D[x] = v;
    }
}

static void vrow_f32(const xa_cv_sep *p, const float *const *T, const float *b, float *D) {
    const int W = p->dw * p->cn;
    if (p->ksize == 2)
        for (int x = 0; x < W; x++) D[x] = T[0][x] * b[0] + T[1][x] * b[1];
    else if (p->ksize == 4)
        vrow_f32_k(T, b, D, W, 4);
    else
        vrow_f32_k(T, b, D, W, 8);
}

static inline xa_status sep_u8(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err,
                               const int sse2) {
    int W = p->dw * p->cn;
    row_cache c;
    float *tmp = malloc(sizeof(float) * ((size_t)W + 1));
    if (!tmp || cache_init(&c, p->ksize, sizeof(int32_t) * (size_t)W)) {
        if (tmp) cache_free(&c);
        free(tmp);
        return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    }
    for (int dy = 0; dy < p->dh; dy++) {
        cache_fill(&c, p, dy, src, (size_t)p->sw * p->cn, hrow_u8);
        vrow_u8(p, (const int32_t *const *)c.rows, p->ibeta + (size_t)dy * p->ksize,
                dst + (size_t)dy * W, tmp, sse2);
    }
    cache_free(&c);
    free(tmp);
    return XA_OK;
}

xa_status xa_cv_sep_u8_ref(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err) {
    return sep_u8(p, src, dst, err, 0);
}

xa_status xa_cv_sep_u8_sse2(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err) {
    return sep_u8(p, src, dst, err, 1);
}

xa_status xa_cv_sep_f32(const xa_cv_sep *p, const float *src, float *dst, xa_error *err) {
    int W = p->dw * p->cn;
    row_cache c;
    if (cache_init(&c, p->ksize, sizeof(float) * (size_t)W)) {
        cache_free(&c);
        return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    }
    const size_t stride = (size_t)p->sw * p->cn;
    for (int dy = 0; dy < p->dh; dy++) {
        int s0 = p->yofs[dy], s1 = s0 + 1;
        if (p->ksize == 2 && s0 >= 0 && s1 < p->sh && c.tag[0] != s0 && c.tag[1] != s0 &&
            c.tag[0] != s1 && c.tag[1] != s1) { /* both rows new: compute them together */
            linear_rows_f32(p, src + s0 * stride, src + s1 * stride, c.buf[0], c.buf[1]);
            c.tag[0] = s0, c.tag[1] = s1;
        }
        cache_fill(&c, p, dy, (const uint8_t *)src, sizeof(float) * p->sw * p->cn, hrow_f32);
        vrow_f32(p, (const float *const *)c.rows, p->fbeta + (size_t)dy * p->ksize,
                 dst + (size_t)dy * W);
    }
    cache_free(&c);
    return XA_OK;
}

/* ---- INTER_LINEAR_EXACT (resize_bitExact, uint8) ---------------------------------------
 * Fixed point with 8 fraction bits (ufixedpoint16): the horizontal pass gives
 * H = c0*S[sx] + c1*S[sx+1] = value * 256 (at most 255*256, no saturation), and value << 8 on
 * the clamped edges. Interpolated rows: (H0*c0 + H1*c1 + 2^15) >> 16 (ufixedpoint32 rounded to
 * uint8). Rows above ymin / from ymax on are the edge row's H rounded alone: (H + 128) >> 8. */
static void exact_hrow(const xa_cv_exact *p, const uint8_t *S, uint32_t *D) {
    int cn = p->cn, dx = 0;
    for (; dx < p->xmin && dx < p->dw; dx++)
        for (int c = 0; c < cn; c++) D[dx * cn + c] = (uint32_t)S[c] << 8;
    for (; dx < p->xmax; dx++) {
        const uint8_t *px = S + (size_t)p->xofs[dx] * cn;
        for (int c = 0; c < cn; c++)
            D[dx * cn + c] = p->xc[2 * dx] * px[c] + p->xc[2 * dx + 1] * px[c + cn];
    }
    const uint8_t *last = S + (size_t)(p->sw - 1) * cn;
    for (; dx < p->dw; dx++)
        for (int c = 0; c < cn; c++) D[dx * cn + c] = (uint32_t)last[c] << 8;
}

xa_status xa_cv_exact_u8_ref(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst,
                             xa_error *err) {
    int W = p->dw * p->cn;
    size_t stride = (size_t)p->sw * p->cn;
    uint32_t *h = malloc(sizeof(uint32_t) * 2 * (size_t)W);
    if (!h) return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    uint32_t *h0 = h, *h1 = h + W;
    int have0 = -1, have1 = -1; /* source rows held by h0, h1 */
    for (int dy = 0; dy < p->dh; dy++) {
        uint8_t *D = dst + (size_t)dy * W;
        if (dy < p->ymin || dy >= p->ymax) {
            int sy = dy < p->ymin ? 0 : p->sh - 1;
            if (have0 != sy) exact_hrow(p, src + (size_t)sy * stride, h0), have0 = sy;
            for (int x = 0; x < W; x++) D[x] = (uint8_t)((h0[x] + 128) >> 8);
            continue;
        }
        int sy = p->yofs[dy];
        if (have0 != sy) {
            if (have1 == sy) { /* slide the window down one row */
                uint32_t *t = h0;
                h0 = h1, h1 = t;
                have0 = sy, have1 = -1;
            } else {
                exact_hrow(p, src + (size_t)sy * stride, h0), have0 = sy;
            }
        }
        if (have1 != sy + 1) exact_hrow(p, src + (size_t)(sy + 1) * stride, h1), have1 = sy + 1;
        uint32_t c0 = p->yc[2 * dy], c1 = p->yc[2 * dy + 1];
        for (int x = 0; x < W; x++) D[x] = (uint8_t)((h0[x] * c0 + h1[x] * c1 + 32768) >> 16);
    }
    free(h);
    return XA_OK;
}
