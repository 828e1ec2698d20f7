/* Fast kernels for cv2-linear, cv2-linear-exact (uint8) and cv2-area (OpenCV 4.6 resize.cpp). Same
 * results as the scalar references in resize_cv_sep.c / resize_cv_area.c, which stay the
 * specification; tests/unit/test_resize_cv.c compares the two on many random sizes.
 *
 * Where the speed comes from:
 *  - INTER_LINEAR: the horizontal pass stores T >> 4 as int16 (the vertical pass only ever uses
 *    T >> 4, and 255*2048 >> 4 = 32640 fits), computed with pmaddwd on (S[sx], S[sx+cn]) x
 *    (a0, a1) pairs; the vertical pass is OpenCV's own 16-bit arithmetic (pmulhw = (a*b) >> 16,
 *    then + 2 >> 2), 16 outputs a step. SSE2 is the x86-64 baseline; elsewhere the same loops
 *    run in scalar C.
 *  - INTER_AREA, integer factors: column sums of ky rows first (vectorisable), then kx-wide
 *    horizontal sums; 2x2 is the rounded mean with 16-bit lanes.
 *  - INTER_AREA, general (uint8 and float32): each output element accumulates its taps in a
 *    register (same order, same float operations as OpenCV's buf[dx] += S*alpha), a decimated
 *    row is reused when two output rows share a source row, the vertical fold is a plain
 *    vectorisable loop.
 *  - INTER_LINEAR_EXACT: the bit-exact fixed point with the same pmaddwd building block.
 */
#include "resize_cv_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define XA_CV_SSE2 1
static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
#else
#define XA_CV_SSE2 0
#endif

/* D[x] = saturate_cast<uchar>(v[x]): round to nearest even, saturate. cvtps2dq rounds like
 * cvRound (MXCSR default) and gives 0x80000000 out of range like it; the two saturating packs
 * clamp to 0..255 as the scalar saturation does. */
void xa_cv_store_round_u8_sse2(const float *v, int n, uint8_t *D) {
    int x = 0;
#if XA_CV_SSE2
    for (; x + 16 <= n; x += 16) {
        __m128i a = _mm_packs_epi32(_mm_cvtps_epi32(_mm_loadu_ps(v + x)),
                                    _mm_cvtps_epi32(_mm_loadu_ps(v + x + 4)));
        __m128i b = _mm_packs_epi32(_mm_cvtps_epi32(_mm_loadu_ps(v + x + 8)),
                                    _mm_cvtps_epi32(_mm_loadu_ps(v + x + 12)));
        _mm_storeu_si128((__m128i *)(D + x), _mm_packus_epi16(a, b));
    }
#endif
    for (; x < n; x++) D[x] = xa_cv_sat_u8(xa_cv_round_f32(v[x]));
}

/* ---- INTER_LINEAR, uint8 ----------------------------------------------------------------- */

/* Per output pixel dx of [dx0, dx1): H[dx*cn + c] = ((S[o + c]*a0 + S[o + cn + c]*a1) >> shift)
 * - bias, with o = ofs[dx] (element offset of the pixel's first tap) and (a0, a1) the int16 pair
 * packed in wts[dx]. The products fit int32 and the result int16 for both users (linear:
 * shift 4, bias 0; linear-exact: shift 0, bias 32768). SIMD: pmaddwd on the byte pairs widened
 * to int16, 8 pixels a step for 1 channel, 2 for 3 or 4 (4-byte loads: with 3 channels a
 * pixel's load reads one byte of the next one, which must exist, and the 4th lane is junk that
 * the next store overwrites; H needs 8 spare elements). */
static void madd_pairs(const uint8_t *S, int cn, int sw, const int32_t *ofs, const uint32_t *wts,
                       int dx0, int dx1, int shift, int bias, int16_t *H) {
    int dx = dx0;
#if XA_CV_SSE2
    const __m128i z = _mm_setzero_si128(), sh = _mm_cvtsi32_si128(shift);
    const __m128i vbias = _mm_set1_epi32(bias);
    if (cn == 1) {
        for (; dx + 8 <= dx1; dx += 8) {
            uint16_t w[8]; /* the byte pairs (S[sx], S[sx+1]) */
            for (int i = 0; i < 8; i++) memcpy(&w[i], S + ofs[dx + i], 2);
            __m128i v = _mm_loadu_si128((const __m128i *)w);
            __m128i r0 = _mm_madd_epi16(_mm_unpacklo_epi8(v, z),
                                        _mm_loadu_si128((const __m128i *)(wts + dx)));
            __m128i r1 = _mm_madd_epi16(_mm_unpackhi_epi8(v, z),
                                        _mm_loadu_si128((const __m128i *)(wts + dx + 4)));
            r0 = _mm_sub_epi32(_mm_sra_epi32(r0, sh), vbias);
            r1 = _mm_sub_epi32(_mm_sra_epi32(r1, sh), vbias);
            _mm_storeu_si128((__m128i *)(H + dx), _mm_packs_epi32(r0, r1));
        }
    } else {
        const int last = cn == 3 ? (sw - 3) * cn : (sw - 2) * cn; /* largest ofs for the loads */
        for (; dx + 2 <= dx1 && ofs[dx + 1] <= last; dx += 2) {
            const uint8_t *s0 = S + ofs[dx], *s1 = S + ofs[dx + 1];
            __m128i v0 = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)load_u32(s0)),
                                           _mm_cvtsi32_si128((int)load_u32(s0 + cn)));
            __m128i v1 = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)load_u32(s1)),
                                           _mm_cvtsi32_si128((int)load_u32(s1 + cn)));
            __m128i v = _mm_unpacklo_epi64(v0, v1);
            __m128i r0 = _mm_madd_epi16(_mm_unpacklo_epi8(v, z), _mm_set1_epi32((int)wts[dx]));
            __m128i r1 = _mm_madd_epi16(_mm_unpackhi_epi8(v, z), _mm_set1_epi32((int)wts[dx + 1]));
            r0 = _mm_sub_epi32(_mm_sra_epi32(r0, sh), vbias);
            r1 = _mm_sub_epi32(_mm_sra_epi32(r1, sh), vbias);
            __m128i h = _mm_packs_epi32(r0, r1);
            _mm_storel_epi64((__m128i *)(H + dx * cn), h);
            _mm_storel_epi64((__m128i *)(H + (dx + 1) * cn), _mm_unpackhi_epi64(h, h));
        }
    }
#endif
    for (; dx < dx1; dx++) {
        const uint8_t *s0 = S + ofs[dx];
        int a0 = (int16_t)(wts[dx] & 0xffff), a1 = (int16_t)(wts[dx] >> 16);
        for (int c = 0; c < cn; c++)
            H[dx * cn + c] = (int16_t)(((s0[c] * a0 + s0[c + cn] * a1) >> shift) - bias);
    }
}

/* Working memory of the two pair kernels (linear, linear-exact): per output pixel the element
 * offset of its first tap and its weight pair (for madd_pairs), and two int16 row buffers of
 * W elements + 8 spare (one block; free t->ofs). */
typedef struct {
    int32_t *ofs;
    uint32_t *wts;
    int16_t *row[2];
} pair_tab;

static int pair_tab_init(pair_tab *t, int dw, int W) {
    size_t n = (size_t)dw + 1, nrow = (size_t)W + 8;
    t->ofs = malloc((sizeof(int32_t) + sizeof(uint32_t)) * n + sizeof(int16_t) * 2 * nrow);
    if (!t->ofs) return 0;
    t->wts = (uint32_t *)(t->ofs + n);
    t->row[0] = (int16_t *)(t->wts + n);
    t->row[1] = t->row[0] + nrow;
    return 1;
}

static inline uint32_t pack_pair(int a0, int a1) {
    return (uint32_t)(uint16_t)a0 | (uint32_t)(uint16_t)a1 << 16;
}

/* The horizontal pass of one source row into int16 H = T >> 4 (see vlin_u8 in resize_cv_sep.c
 * for why >> 4). From xmax on: T = S*2048, so H = S*128. */
static void lin_hrow(const xa_cv_sep *p, const pair_tab *t, const uint8_t *S, int16_t *H) {
    const int cn = p->cn, W = p->dw * cn;
    madd_pairs(S, cn, p->sw, t->ofs, t->wts, 0, p->xmax / cn, 4, 0, H);
    for (int e = p->xmax; e < W; e++) H[e] = (int16_t)(S[p->xofs[e]] << 7);
}

/* VResizeLinear<uchar> on int16 rows holding T >> 4: ((b0*H0) >> 16) + ((b1*H1) >> 16), then
 * + 2 >> 2, saturated: the lane arithmetic of VResizeLinearVec_32s8u. */
static void lin_vrow(const int16_t *H0, const int16_t *H1, int b0, int b1, uint8_t *D, int W) {
    int x = 0;
#if XA_CV_SSE2
    const __m128i vb0 = _mm_set1_epi16((short)b0), vb1 = _mm_set1_epi16((short)b1);
    const __m128i two = _mm_set1_epi16(2);
    for (; x + 16 <= W; x += 16) {
        __m128i s0 =
            _mm_adds_epi16(_mm_mulhi_epi16(_mm_loadu_si128((const __m128i *)(H0 + x)), vb0),
                           _mm_mulhi_epi16(_mm_loadu_si128((const __m128i *)(H1 + x)), vb1));
        __m128i s1 =
            _mm_adds_epi16(_mm_mulhi_epi16(_mm_loadu_si128((const __m128i *)(H0 + x + 8)), vb0),
                           _mm_mulhi_epi16(_mm_loadu_si128((const __m128i *)(H1 + x + 8)), vb1));
        s0 = _mm_srai_epi16(_mm_adds_epi16(s0, two), 2);
        s1 = _mm_srai_epi16(_mm_adds_epi16(s1, two), 2);
        _mm_storeu_si128((__m128i *)(D + x), _mm_packus_epi16(s0, s1));
    }
#endif
    for (; x < W; x++) D[x] = xa_cv_sat_u8((((b0 * H0[x]) >> 16) + ((b1 * H1[x]) >> 16) + 2) >> 2);
}

xa_status xa_cv_linear_u8_sse2(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst,
                               xa_error *err) {
    const int W = p->dw * p->cn, cn = p->cn;
    const size_t stride = (size_t)p->sw * p->cn;
    pair_tab t;
    if (!pair_tab_init(&t, p->dw, W)) return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    for (int dx = 0; dx < p->dw; dx++) {
        t.ofs[dx] = p->xofs[dx * cn];
        t.wts[dx] = pack_pair(p->ialpha[2 * dx * cn], p->ialpha[2 * dx * cn + 1]);
    }
    int16_t **row = t.row;
    int tag[2] = {-1, -1};                                     /* source row held by row[i] */
    const int span0 = p->xofs[0], span1 = p->xofs[W - 1] + cn; /* bytes of a row the taps use */
    for (int dy = 0; dy < p->dh; dy++) {
        /* reductions touch scattered rows: start fetching the next output row's two rows */
        if (dy + 1 < p->dh && p->yofs[dy + 1] != p->yofs[dy])
            for (int k = 0; k < 2; k++) {
                int s = p->yofs[dy + 1] + k;
                const uint8_t *r = src + (size_t)(s < 0 ? 0 : s >= p->sh ? p->sh - 1 : s) * stride;
                for (int b = span0; b < span1; b += 64) __builtin_prefetch(r + b);
            }
        /* taps: rows yofs and yofs+1, clamped (resizeGeneric_Invoker) */
        int sy[2];
        for (int k = 0; k < 2; k++) {
            int s = p->yofs[dy] + k;
            sy[k] = s < 0 ? 0 : s >= p->sh ? p->sh - 1 : s;
        }
        const int16_t *h[2];
        for (int k = 0; k < 2; k++) {
            int i = tag[0] == sy[k] ? 0 : tag[1] == sy[k] ? 1 : -1;
            if (i < 0) { /* compute into the buffer the other tap does not need */
                i = k == 1 ? (tag[0] == sy[0] ? 1 : 0) : (tag[0] == sy[1] ? 1 : 0);
                lin_hrow(p, &t, src + (size_t)sy[k] * stride, row[i]);
                tag[i] = sy[k];
            }
            h[k] = row[i];
        }
        lin_vrow(h[0], h[1], p->ibeta[2 * dy], p->ibeta[2 * dy + 1], dst + (size_t)dy * W, W);
    }
    free(t.ofs);
    return XA_OK;
}

/* ---- INTER_LINEAR_EXACT, uint8 -------------------------------------------------------------
 * The reference is xa_cv_exact_u8_ref. Rows hold the horizontal result H (0..65280, 8 fraction
 * bits) biased to int16 as H - 32768, so both passes can use pmaddwd: the vertical
 * (H0*c0 + H1*c1 + 2^15) >> 16 becomes ((H0-2^15)*c0 + (H1-2^15)*c1 + 2^23 + 2^15) >> 16,
 * since c0 + c1 = 256 puts 2^15*256 = 2^23 back. Edge rows: (H + 128) >> 8. */
static void exact_hrow_sse2(const xa_cv_exact *p, const pair_tab *t, const uint8_t *S, int16_t *H) {
    const int cn = p->cn, W = p->dw * cn, x0 = p->xmin < p->dw ? p->xmin : p->dw;
    for (int e = 0; e < x0 * cn; e++) H[e] = (int16_t)((S[e % cn] << 8) - 32768);
    int x1 = p->xmax > x0 ? p->xmax : x0;
    madd_pairs(S, cn, p->sw, t->ofs, t->wts, x0, x1, 0, 32768, H);
    const uint8_t *last = S + (size_t)(p->sw - 1) * cn;
    for (int e = x1 * cn; e < W; e++) H[e] = (int16_t)((last[e % cn] << 8) - 32768);
}

static void exact_vrow_sse2(const int16_t *H0, const int16_t *H1, int c0, int c1, uint8_t *D,
                            int W) {
    int x = 0;
#if XA_CV_SSE2
    const __m128i w = _mm_set1_epi32((int)pack_pair(c0, c1)),
                  rnd = _mm_set1_epi32((1 << 23) + (1 << 15));
    for (; x + 16 <= W; x += 16) {
        __m128i r[4];
        for (int i = 0; i < 2; i++) {
            __m128i h0 = _mm_loadu_si128((const __m128i *)(H0 + x + 8 * i));
            __m128i h1 = _mm_loadu_si128((const __m128i *)(H1 + x + 8 * i));
            r[2 * i] = _mm_srai_epi32(
                _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(h0, h1), w), rnd), 16);
            r[2 * i + 1] = _mm_srai_epi32(
                _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(h0, h1), w), rnd), 16);
        }
        _mm_storeu_si128((__m128i *)(D + x), _mm_packus_epi16(_mm_packs_epi32(r[0], r[1]),
                                                              _mm_packs_epi32(r[2], r[3])));
    }
#endif
    for (; x < W; x++)
        D[x] = (uint8_t)(((H0[x] + 32768) * c0 + (H1[x] + 32768) * c1 + 32768) >> 16);
}

xa_status xa_cv_exact_u8_sse2(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst,
                              xa_error *err) {
    const int W = p->dw * p->cn, cn = p->cn;
    const size_t stride = (size_t)p->sw * cn;
    pair_tab t;
    if (!pair_tab_init(&t, p->dw, W)) return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    for (int dx = 0; dx < p->dw; dx++) {
        t.ofs[dx] = p->xofs[dx] * cn;
        t.wts[dx] = pack_pair(p->xc[2 * dx], p->xc[2 * dx + 1]);
    }
    int16_t *h0 = t.row[0], *h1 = t.row[1];
    int have0 = -1, have1 = -1; /* source rows held by h0, h1 */
    for (int dy = 0; dy < p->dh; dy++) {
        uint8_t *D = dst + (size_t)dy * W;
        if (dy < p->ymin || dy >= p->ymax) { /* vlineSet: the edge row alone, rounded */
            int sy = dy < p->ymin ? 0 : p->sh - 1;
            if (have0 != sy) exact_hrow_sse2(p, &t, src + (size_t)sy * stride, h0), have0 = sy;
            for (int x = 0; x < W; x++) D[x] = (uint8_t)((h0[x] + 32768 + 128) >> 8);
            continue;
        }
        int sy = p->yofs[dy];
        if (have0 != sy) {
            if (have1 == sy) { /* slide the window down one row */
                int16_t *tmp = h0;
                h0 = h1, h1 = tmp, have0 = sy, have1 = -1;
            } else {
                exact_hrow_sse2(p, &t, src + (size_t)sy * stride, h0), have0 = sy;
            }
        }
        if (have1 != sy + 1)
            exact_hrow_sse2(p, &t, src + (size_t)(sy + 1) * stride, h1), have1 = sy + 1;
        exact_vrow_sse2(h0, h1, p->yc[2 * dy], p->yc[2 * dy + 1], D, W);
    }
    free(t.ofs);
    return XA_OK;
}

/* ---- INTER_AREA, integer factors (area fast), uint8 ---------------------------------------- */

/* 2x2: (a + b + c + d + 2) >> 2 per element, on column sums of the two rows. */
static void area2_row(const uint8_t *r0, const uint8_t *r1, int cn, uint8_t *D, int W,
                      uint16_t *col) {
    int n = 2 * W, i = 0; /* source elements used */
    for (i = 0; i < n; i++) col[i] = (uint16_t)(r0[i] + r1[i]);
    int e = 0;
#if XA_CV_SSE2
    if (cn == 1) {
        /* pairs of adjacent columns: 8 outputs from 16 column sums */
        const __m128i two = _mm_set1_epi32(2), one = _mm_set1_epi16(1);
        for (; e + 8 <= W; e += 8) {
            __m128i s0 = _mm_madd_epi16(_mm_loadu_si128((const __m128i *)(col + 2 * e)), one);
            __m128i s1 = _mm_madd_epi16(_mm_loadu_si128((const __m128i *)(col + 2 * e + 8)), one);
            s0 = _mm_srai_epi32(_mm_add_epi32(s0, two), 2);
            s1 = _mm_srai_epi32(_mm_add_epi32(s1, two), 2);
            __m128i r = _mm_packs_epi32(s0, s1);
            _mm_storel_epi64((__m128i *)(D + e), _mm_packus_epi16(r, r));
        }
    } else if (cn == 4) {
        /* pixels 2j and 2j+1 are lanes 0-3 and 4-7 of one 128-bit load of column sums */
        const __m128i two = _mm_set1_epi16(2);
        for (; e + 16 <= W; e += 16) {
            __m128i c0 = _mm_loadu_si128((const __m128i *)(col + 2 * e));
            __m128i c1 = _mm_loadu_si128((const __m128i *)(col + 2 * e + 8));
            __m128i c2 = _mm_loadu_si128((const __m128i *)(col + 2 * e + 16));
            __m128i c3 = _mm_loadu_si128((const __m128i *)(col + 2 * e + 24));
            __m128i s0 = _mm_unpacklo_epi64(_mm_add_epi16(c0, _mm_srli_si128(c0, 8)),
                                            _mm_add_epi16(c1, _mm_srli_si128(c1, 8)));
            __m128i s1 = _mm_unpacklo_epi64(_mm_add_epi16(c2, _mm_srli_si128(c2, 8)),
                                            _mm_add_epi16(c3, _mm_srli_si128(c3, 8)));
            s0 = _mm_srli_epi16(_mm_add_epi16(s0, two), 2);
            s1 = _mm_srli_epi16(_mm_add_epi16(s1, two), 2);
            _mm_storeu_si128((__m128i *)(D + e), _mm_packus_epi16(s0, s1));
        }
    }
#endif
    for (; e < W; e++) {
        int c = e % cn, j = (e - c) * 2 + c;
        D[e] = (uint8_t)((col[j] + col[j + cn] + 2) >> 2);
    }
}

void xa_cv_area_fast_u8_sse2(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw,
                             int dh, int kx, int ky) {
    const size_t stride = (size_t)sw * cn;
    const int W = dw * cn, n = W * kx; /* source elements a row of output uses */
    uint32_t *col = malloc(sizeof(uint32_t) * ((size_t)n + 8) + sizeof(float) * W);
    if (!col) { /* no scratch memory: the reference needs none */
        xa_cv_area_fast_u8_ref(src, sw, sh, cn, dst, dw, dh, kx, ky);
        return;
    }
    const float scale = 1.f / (float)(kx * ky);
    for (int dy = 0; dy < dh; dy++) {
        const uint8_t *S = src + (size_t)dy * ky * stride;
        uint8_t *D = dst + (size_t)dy * W;
        if (kx == 2 && ky == 2) {
            area2_row(S, S + stride, cn, D, W, (uint16_t *)col);
            continue;
        }
        /* int sums as OpenCV (wrapping past 2^31 like its int accumulator) */
        for (int i = 0; i < n; i++) col[i] = S[i];
        for (int sy = 1; sy < ky; sy++) {
            const uint8_t *r = S + (size_t)sy * stride;
            for (int i = 0; i < n; i++) col[i] += r[i];
        }
        float *v = (float *)(col + n + 8);
        for (int px = 0, e = 0; px < dw; px++)
            for (int c = 0; c < cn; c++, e++) {
                const uint32_t *b = col + (size_t)px * kx * cn + c;
                uint32_t sum = 0;
                for (int sx = 0; sx < kx; sx++) sum += b[sx * cn];
                v[e] = (float)(int32_t)sum * scale;
            }
        xa_cv_store_round_u8_sse2(v, W, D);
    }
    free(col);
}

/* ---- INTER_AREA, general ------------------------------------------------------------------ */

static inline float load_f(const void *S, size_t i, int u8) {
    return u8 ? (float)((const uint8_t *)S)[i] : ((const float *)S)[i];
}

/* Decimate one source row: out[e] = ((0 + S*a_0) + S*a_1) + ... over the taps of output pixel
 * e / cn, in xtab order (OpenCV: buf = 0, then buf[dx] += S[sx]*alpha per tap). The taps of
 * one output pixel are consecutive in xtab, so the sum stays in a register. Inlined with u8
 * constant for each element type. */
static inline void area_hrow(const xa_cv_area *p, const void *S, int u8, float *out) {
    const int cn = p->cn;
    const xa_cv_area_tap *t = p->xtab, *end = p->xtab + p->xn;
    memset(out, 0, sizeof(float) * p->dw * cn); /* (every output pixel has taps when scale >= 1) */
    while (t < end) {
        int di = t->di;
        float v0 = 0.f, v1 = 0.f, v2 = 0.f, v3 = 0.f;
        for (; t < end && t->di == di; t++) {
            float al = t->alpha;
            v0 += load_f(S, t->si, u8) * al;
            if (cn > 1) {
                v1 += load_f(S, t->si + 1, u8) * al;
                v2 += load_f(S, t->si + 2, u8) * al;
                if (cn > 3) v3 += load_f(S, t->si + 3, u8) * al;
            }
        }
        out[di] = v0;
        if (cn > 1) {
            out[di + 1] = v1;
            out[di + 2] = v2;
            if (cn > 3) out[di + 3] = v3;
        }
    }
}

static inline xa_status area_general(const xa_cv_area *p, const void *src, int u8, void *dst,
                                     xa_error *err) {
    const int W = p->dw * p->cn;
    const size_t stride = (size_t)p->sw * p->cn;
    float *buf = malloc(sizeof(float) * 2 * (size_t)W);
    if (!buf) return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    float *sum = buf + W;
    int have = -1; /* source row decimated in buf */
    for (int dy = 0; dy < p->dh; dy++) {
        for (int j = p->yfirst[dy]; j < p->yfirst[dy + 1]; j++) {
            int sy = p->ytab[j].si;
            if (sy != have) {
                area_hrow(p,
                          u8 ? (const void *)((const uint8_t *)src + sy * stride)
                             : (const void *)((const float *)src + sy * stride),
                          u8, buf);
                have = sy;
            }
            const float beta = p->ytab[j].alpha;
            /* first row of an output row: sum = beta*buf; OpenCV's very first one is
             * 0 + beta*buf (its sum starts at 0), which differs only for a -0 product */
            if (j == 0)
                for (int x = 0; x < W; x++) sum[x] = 0.f + beta * buf[x];
            else if (j == p->yfirst[dy])
                for (int x = 0; x < W; x++) sum[x] = beta * buf[x];
            else
                for (int x = 0; x < W; x++) sum[x] += beta * buf[x];
        }
        if (u8)
            xa_cv_store_round_u8_sse2(sum, W, (uint8_t *)dst + (size_t)dy * W);
        else
            memcpy((float *)dst + (size_t)dy * W, sum, sizeof(float) * W);
    }
    free(buf);
    return XA_OK;
}

xa_status xa_cv_area_u8_sse2(const xa_cv_area *p, const uint8_t *src, uint8_t *dst, xa_error *err) {
    return area_general(p, src, 1, dst, err);
}

xa_status xa_cv_area_f32_sse2(const xa_cv_area *p, const float *src, float *dst, xa_error *err) {
    return area_general(p, src, 0, dst, err);
}
