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
    int tag[8];           /* source row held, -1: none */
    const void *rows[8];  /* per tap: the buffer holding its row */
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
            for (j = 0; keep[j]; j++) {}
            h(p, src + (size_t)need[k] * src_stride, c->buf[j]);
            c->tag[j] = need[k];
            keep[j] = 1;
        }
        c->rows[k] = c->buf[j];
    }
}

/* Index of tap j of output element e, with the edge clamping of HResizeCubic/HResizeLanczos4
 * (their "while (sxj < 0) sxj += cn; while (sxj >= swidth) sxj -= cn" = clamp the pixel,
 * keep the channel). */
static inline int tap_index(const xa_cv_sep *p, int e, int j, int clamp) {
    int idx = p->xofs[e] + (j - p->ksize / 2 + 1) * p->cn;
    if (clamp) {
        int width = p->sw * p->cn;
        while (idx < 0) idx += p->cn;
        while (idx >= width) idx -= p->cn;
    }
    return idx;
}

/* Is element e outside [xmin, xmax) (its taps may leave the row)? HResizeCubic walks
 * [0, xmin) edge, [xmin, xmax) interior, [max(xmin, xmax), W) edge. */
static inline int is_edge(const xa_cv_sep *p, int e) { return e < p->xmin || e >= p->xmax; }

/* ---- horizontal passes ------------------------------------------------------------------ */

/* HResizeLinear<uchar, int, short, 2048>: T = S[sx]*a0 + S[sx+cn]*a1 (weights out of 2048, so
 * T = value * 2048); from xmax on the position was clamped to the last pixel: T = S[sx]*2048. */
static void hrow_u8(const xa_cv_sep *p, const void *srow, void *drow) {
    const uint8_t *S = srow;
    int32_t *D = drow;
    int W = p->dw * p->cn, K = p->ksize;
    const int16_t *a = p->ialpha;
    if (K == 2) {
        int e = 0;
        for (; e < p->xmax; e++) {
            int sx = p->xofs[e];
            D[e] = S[sx] * a[2 * e] + S[sx + p->cn] * a[2 * e + 1];
        }
        for (; e < W; e++) D[e] = S[p->xofs[e]] * XA_CV_COEF_SCALE;
        return;
    }
    /* HResizeCubic / HResizeLanczos4 on 8-bit: int sums, exact in any order */
    for (int e = 0; e < W; e++) {
        int edge = is_edge(p, e);
        int32_t v = 0;
        for (int j = 0; j < K; j++) v += S[tap_index(p, e, j, edge)] * a[e * K + j];
        D[e] = v;
    }
}

/* The float horizontal passes: the sum order matters. Interior: left to right from the first
 * product. Edge (HResizeCubic/Lanczos4): v = 0; v += each product (so 0 + first product).
 * Linear: S[sx]*a0 + S[sx+cn]*a1 everywhere below xmax (clamped positions have weights 1, 0),
 * and the plain value S[sx] (S*1) from xmax on. */
static void hrow_f32(const xa_cv_sep *p, const void *srow, void *drow) {
    const float *S = srow;
    float *D = drow;
    int W = p->dw * p->cn, K = p->ksize;
    const float *a = p->falpha;
    if (K == 2) {
        int e = 0;
        for (; e < p->xmax; e++) {
            int sx = p->xofs[e];
            D[e] = S[sx] * a[2 * e] + S[sx + p->cn] * a[2 * e + 1];
        }
        for (; e < W; e++) D[e] = S[p->xofs[e]];
        return;
    }
    for (int e = 0; e < W; e++) {
        const float *w = a + (size_t)e * K;
        float v;
        if (is_edge(p, e)) {
            v = 0;
            for (int j = 0; j < K; j++) v += S[tap_index(p, e, j, 1)] * w[j];
        } else {
            v = S[tap_index(p, e, 0, 0)] * w[0];
            for (int j = 1; j < K; j++) v = v + S[tap_index(p, e, j, 0)] * w[j];
        }
        D[e] = v;
    }
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

static void vrow_u8(const xa_cv_sep *p, const int32_t *const *T, const int16_t *b, uint8_t *D) {
    int W = p->dw * p->cn, K = p->ksize, x = 0;
    if (K == 2) {
        for (; x < W; x++) D[x] = vlin_u8(T[0][x], T[1][x], b[0], b[1]);
        return;
    }
    if (K == 4) {
        /* VResizeCubicVec_32s8u (8 lanes of int16 output a step): weights b * 2^-22 in float
         * (exact: a power of two), v = T0*b0 + (T1*b1 + (T2*b2 + T3*b3)) in float, rounded to
         * nearest even, saturated. The first floor(W/8)*8 elements take this form. */
        const float s = 1.f / (XA_CV_COEF_SCALE * XA_CV_COEF_SCALE);
        float f0 = b[0] * s, f1 = b[1] * s, f2 = b[2] * s, f3 = b[3] * s;
        for (int nv = W & ~7; x < nv; x++) {
            float v = (float)T[0][x] * f0 +
                      ((float)T[1][x] * f1 + ((float)T[2][x] * f2 + (float)T[3][x] * f3));
            D[x] = xa_cv_sat_u8(xa_cv_round_f32(v));
        }
    }
    /* scalar VResizeCubic / VResizeLanczos4 (no SIMD for 8-bit Lanczos): integer sum */
    for (; x < W; x++) {
        uint32_t sum = 0;
        for (int k = 0; k < K; k++) sum += (uint32_t)T[k][x] * (uint32_t)(int32_t)b[k];
        D[x] = fixed22_u8(sum);
    }
}

static void vrow_f32(const xa_cv_sep *p, const float *const *T, const float *b, float *D) {
    int W = p->dw * p->cn, K = p->ksize, x = 0;
    if (K == 2) {
        for (; x < W; x++) D[x] = T[0][x] * b[0] + T[1][x] * b[1];
        return;
    }
    /* VResizeCubicVec_32f / VResizeLanczos4Vec_32f, 4 float lanes a step: the sum nests from
     * the last tap, T0*b0 + (T1*b1 + (... + T[K-1]*b[K-1])) (v_muladd chains without FMA on
     * the SSE2 baseline). The first floor(W/4)*4 elements take this form. */
    int nv = W & ~3;
    for (; x < nv; x++) {
        float v = T[K - 1][x] * b[K - 1];
        for (int k = K - 2; k >= 0; k--) v = T[k][x] * b[k] + v;
        D[x] = v;
    }
    /* scalar tail: left to right */
    for (; x < W; x++) {
        float v = T[0][x] * b[0];
        for (int k = 1; k < K; k++) v = v + T[k][x] * b[k];
        D[x] = v;
    }
}

int xa_cv_sep_u8_ref(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst) {
    int W = p->dw * p->cn;
    row_cache c;
    if (cache_init(&c, p->ksize, sizeof(int32_t) * (size_t)W)) {
        cache_free(&c);
        return -1;
    }
    for (int dy = 0; dy < p->dh; dy++) {
        cache_fill(&c, p, dy, src, (size_t)p->sw * p->cn, hrow_u8);
        vrow_u8(p, (const int32_t *const *)c.rows, p->ibeta + (size_t)dy * p->ksize,
                dst + (size_t)dy * W);
    }
    cache_free(&c);
    return 0;
}

int xa_cv_sep_f32(const xa_cv_sep *p, const float *src, float *dst) {
    int W = p->dw * p->cn;
    row_cache c;
    if (cache_init(&c, p->ksize, sizeof(float) * (size_t)W)) {
        cache_free(&c);
        return -1;
    }
    for (int dy = 0; dy < p->dh; dy++) {
        cache_fill(&c, p, dy, (const uint8_t *)src, sizeof(float) * p->sw * p->cn, hrow_f32);
        vrow_f32(p, (const float *const *)c.rows, p->fbeta + (size_t)dy * p->ksize,
                 dst + (size_t)dy * W);
    }
    cache_free(&c);
    return 0;
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

int xa_cv_exact_u8(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst) {
    int W = p->dw * p->cn;
    size_t stride = (size_t)p->sw * p->cn;
    uint32_t *h = malloc(sizeof(uint32_t) * 2 * (size_t)W);
    if (!h) return -1;
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
    return 0;
}
