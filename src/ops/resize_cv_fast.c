/* Fast uint8 kernels for cv2-linear and cv2-area (OpenCV 4.6 resize.cpp). Same results as the
 * scalar references in resize_cv_sep.c / resize_cv_area.c, which stay the specification;
 * tests/unit/test_resize_cv.c compares the two on many random sizes.
 *
 * Where the speed comes from:
 *  - INTER_LINEAR: the horizontal pass stores T >> 4 as int16 (the vertical pass only ever uses
 *    T >> 4, and 255*2048 >> 4 = 32640 fits), computed with pmaddwd on (S[sx], S[sx+cn]) x
 *    (a0, a1) pairs; the vertical pass is OpenCV's own 16-bit arithmetic (pmulhw = (a*b) >> 16,
 *    then + 2 >> 2), 16 outputs a step. SSE2 is the x86-64 baseline; elsewhere the same loops
 *    run in scalar C.
 *  - INTER_AREA, integer factors: column sums of ky rows first (vectorisable), then kx-wide
 *    horizontal sums; 2x2 is the rounded mean with 16-bit lanes.
 *  - INTER_AREA, general: each output element accumulates its taps in a register (same order,
 *    same float operations as OpenCV's buf[dx] += S*alpha), a decimated row is reused when two
 *    output rows share a source row, and the vertical fold is a plain vectorisable loop.
 */
#include "resize_cv_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define XA_CV_SSE2 1
#else
#define XA_CV_SSE2 0
#endif

static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* D[x] = saturate_cast<uchar>(v[x]): round to nearest even, saturate. cvtps2dq rounds like
 * cvRound (MXCSR default) and gives 0x80000000 out of range like it; the two saturating packs
 * clamp to 0..255 as the scalar saturation does. */
static void store_round_u8(const float *v, int n, uint8_t *D) {
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

/* The horizontal pass of one source row into int16 H = T >> 4 (see vlin_u8 in resize_cv_sep.c
 * for why >> 4). From xmax on: T = S*2048, so H = S*128. */
static void lin_hrow(const xa_cv_sep *p, const uint8_t *S, int16_t *H) {
    const int cn = p->cn, W = p->dw * cn, xmax = p->xmax;
    const int32_t *xofs = p->xofs;
    const int16_t *a = p->ialpha;
    int e = 0;
#if XA_CV_SSE2
    const __m128i z = _mm_setzero_si128();
    if (cn == 1) {
        /* 8 outputs: gather the byte pairs (S[sx], S[sx+1]) as 16-bit words, widen to
         * (S[sx], S[sx+1]) int16 pairs, multiply-add with (a0, a1). */
        for (; e + 8 <= xmax; e += 8) {
            uint16_t w[8];
            for (int i = 0; i < 8; i++) memcpy(&w[i], S + xofs[e + i], 2);
            __m128i v = _mm_loadu_si128((const __m128i *)w);
            __m128i r0 = _mm_madd_epi16(_mm_unpacklo_epi8(v, z),
                                        _mm_loadu_si128((const __m128i *)(a + 2 * e)));
            __m128i r1 = _mm_madd_epi16(_mm_unpackhi_epi8(v, z),
                                        _mm_loadu_si128((const __m128i *)(a + 2 * e + 8)));
            _mm_storeu_si128((__m128i *)(H + e),
                             _mm_packs_epi32(_mm_srai_epi32(r0, 4), _mm_srai_epi32(r1, 4)));
        }
    } else {
        /* 2 pixels: 4 bytes at pixel sx and 4 at sx+1, interleaved bytewise into the pairs
         * (S[sx*cn+c], S[(sx+1)*cn+c]), widened, multiply-added with the pixel's (a0, a1).
         * With 3 channels the 4th lane is junk, overwritten by the next pixel's store; its load
         * reads one byte of pixel sx+2, so that pixel must exist. H has 8 spare elements. */
        const int last = cn == 3 ? p->sw - 3 : p->sw - 2; /* largest sx for the 4-byte loads */
        int dx = 0, npx = xmax / cn;
        for (; dx + 2 <= npx && xofs[(dx + 1) * cn] / cn <= last; dx += 2) {
            const uint8_t *s0 = S + xofs[dx * cn], *s1 = S + xofs[(dx + 1) * cn];
            __m128i v0 = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)load_u32(s0)),
                                           _mm_cvtsi32_si128((int)load_u32(s0 + cn)));
            __m128i v1 = _mm_unpacklo_epi8(_mm_cvtsi32_si128((int)load_u32(s1)),
                                           _mm_cvtsi32_si128((int)load_u32(s1 + cn)));
            __m128i v = _mm_unpacklo_epi64(v0, v1);
            int32_t w0, w1; /* the pixel's (a0, a1) pair as one 32-bit word */
            memcpy(&w0, a + 2 * dx * cn, 4);
            memcpy(&w1, a + 2 * (dx + 1) * cn, 4);
            __m128i r0 = _mm_madd_epi16(_mm_unpacklo_epi8(v, z), _mm_set1_epi32(w0));
            __m128i r1 = _mm_madd_epi16(_mm_unpackhi_epi8(v, z), _mm_set1_epi32(w1));
            __m128i h = _mm_packs_epi32(_mm_srai_epi32(r0, 4), _mm_srai_epi32(r1, 4));
            _mm_storel_epi64((__m128i *)(H + dx * cn), h);
            _mm_storel_epi64((__m128i *)(H + (dx + 1) * cn), _mm_unpackhi_epi64(h, h));
        }
        e = dx * cn;
    }
#endif
    for (; e < xmax; e++) {
        int sx = xofs[e];
        H[e] = (int16_t)((S[sx] * a[2 * e] + S[sx + cn] * a[2 * e + 1]) >> 4);
    }
    for (; e < W; e++) H[e] = (int16_t)(S[xofs[e]] << 7);
}

/* VResizeLinear<uchar> on int16 rows holding T >> 4: ((b0*H0) >> 16) + ((b1*H1) >> 16), then
 * + 2 >> 2, saturated: the lane arithmetic of VResizeLinearVec_32s8u. */
static void lin_vrow(const int16_t *H0, const int16_t *H1, int b0, int b1, uint8_t *D, int W) {
    int x = 0;
#if XA_CV_SSE2
    const __m128i vb0 = _mm_set1_epi16((short)b0), vb1 = _mm_set1_epi16((short)b1);
    const __m128i two = _mm_set1_epi16(2);
    for (; x + 16 <= W; x += 16) {
        __m128i s0 = _mm_adds_epi16(_mm_mulhi_epi16(_mm_loadu_si128((const __m128i *)(H0 + x)), vb0),
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

int xa_cv_linear_u8_fast(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst) {
    const int W = p->dw * p->cn;
    const size_t stride = (size_t)p->sw * p->cn;
    int16_t *buf = malloc(sizeof(int16_t) * 2 * ((size_t)W + 8));
    if (!buf) return -1;
    int16_t *row[2] = {buf, buf + W + 8};
    int tag[2] = {-1, -1}; /* source row held by row[i] */
    for (int dy = 0; dy < p->dh; dy++) {
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
                lin_hrow(p, src + (size_t)sy[k] * stride, row[i]);
                tag[i] = sy[k];
            }
            h[k] = row[i];
        }
        lin_vrow(h[0], h[1], p->ibeta[2 * dy], p->ibeta[2 * dy + 1], dst + (size_t)dy * W, W);
    }
    free(buf);
    return 0;
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

void xa_cv_area_fast_u8_fast(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw,
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
        store_round_u8(v, W, D);
    }
    free(col);
}

/* ---- INTER_AREA, general, uint8 ------------------------------------------------------------ */

/* Decimate one source row: out[e] = ((0 + S*a_0) + S*a_1) + ... over the taps of output pixel
 * e / cn, in xtab order. The taps of one output pixel are consecutive in xtab. */
static void area_hrow(const xa_cv_area *p, const uint8_t *S, float *out) {
    const int cn = p->cn;
    const xa_cv_area_tap *t = p->xtab, *end = p->xtab + p->xn;
    memset(out, 0, sizeof(float) * p->dw * cn); /* (every output pixel has taps when scale >= 1) */
    while (t < end) {
        int di = t->di;
        float v0 = 0.f, v1 = 0.f, v2 = 0.f, v3 = 0.f;
        for (; t < end && t->di == di; t++) {
            const uint8_t *s = S + t->si;
            float al = t->alpha;
            v0 += (float)s[0] * al;
            if (cn > 1) {
                v1 += (float)s[1] * al;
                v2 += (float)s[2] * al;
                if (cn > 3) v3 += (float)s[3] * al;
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

int xa_cv_area_u8_fast(const xa_cv_area *p, const uint8_t *src, uint8_t *dst) {
    const int W = p->dw * p->cn;
    const size_t stride = (size_t)p->sw * p->cn;
    float *buf = malloc(sizeof(float) * 2 * (size_t)W);
    if (!buf) return -1;
    float *sum = buf + W;
    int have = -1; /* source row decimated in buf */
    for (int dy = 0; dy < p->dh; dy++) {
        for (int j = p->yfirst[dy]; j < p->yfirst[dy + 1]; j++) {
            int sy = p->ytab[j].si;
            if (sy != have) area_hrow(p, src + (size_t)sy * stride, buf), have = sy;
            const float beta = p->ytab[j].alpha;
            /* first row of an output row: sum = beta*buf (0 + beta*buf for the very first, as
             * OpenCV; identical for uint8, whose products are never -0) */
            if (j == p->yfirst[dy])
                for (int x = 0; x < W; x++) sum[x] = beta * buf[x];
            else
                for (int x = 0; x < W; x++) sum[x] += beta * buf[x];
        }
        store_round_u8(sum, W, dst + (size_t)dy * W);
    }
    free(buf);
    return 0;
}
