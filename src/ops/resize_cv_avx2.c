/* cv2-linear (INTER_LINEAR, uint8, 3 or 4 channels) for the AVX2 path. The arithmetic is that
 * of xa_cv_linear_u8_sse2 and of the reference xa_cv_sep_u8_ref (resize_cv_sep.c, vlin_u8):
 * the horizontal pass keeps T >> 4 as int16 (T = S[sx]*a0 + S[sx+cn]*a1, weights out of 2048),
 * the vertical pass is OpenCV's 16-bit lane arithmetic ((b*H) >> 16 per tap, + 2 >> 2). What
 * changes is how the work is laid out:
 *  - horizontal, 4 output pixels a step: the 8 bytes at each pixel's first tap hold its pair
 *    (pixel, next pixel); one byte shuffle spreads two of them to int16 (r0 r1 g0 g1 b0 b1 ...)
 *    and pmaddwd multiplies by the weight pairs: exact int32 sums, then >> 4;
 *  - both source rows of an output row in one loop when both are new (every output row of a
 *    reduction), sharing the offsets and weights;
 *  - the next output row's two source rows prefetched a line per step meanwhile: reductions
 *    read scattered rows of a source that is not in cache;
 *  - vertical, 32 outputs a step.
 * tests/unit/test_resize_cv.c compares it with the reference on thousands of random sizes,
 * tests/oracle/test_resize_cv.py with OpenCV.
 */
#include "prefetch.h"
#include "resize_cv_internal.h"

#include <stdlib.h>
#include <string.h>

#ifdef XA_CV_HAVE_AVX2
#include <immintrin.h>

#define XA_AVX2 __attribute__((target("avx2")))

typedef struct {
    int32_t *ofs;    /* [dw]: element offset of each output pixel's first tap */
    uint32_t *wts;   /* [dw + 4]: its weight pair, a0 | a1 << 16 */
    int16_t *row[2]; /* two rows of W + 16 int16 (a step may write 2 past its last pixel) */
    int nvec;        /* pixels [0, nvec): 4 a step (their 8-byte loads stay inside the row) */
    int npair;       /* pixels [nvec, npair): one at a time; from npair (xmax) on: clamped */
} lin_tab;

static int lin_tab_init(lin_tab *t, const xa_cv_sep *p) {
    const int cn = p->cn, W = p->dw * cn;
    const size_t n = (size_t)p->dw + 4, nrow = (size_t)W + 16;
    t->ofs = malloc((sizeof(int32_t) + sizeof(uint32_t)) * n + sizeof(int16_t) * 2 * nrow);
    if (!t->ofs) return 0;
    t->wts = (uint32_t *)(t->ofs + n);
    t->row[0] = (int16_t *)(t->wts + n);
    t->row[1] = t->row[0] + nrow;
    t->npair = p->xmax / cn;
    /* an 8-byte load at the first tap reads bytes [ofs, ofs + 8) of the row */
    const int last = p->sw * cn - 8;
    int v = 0;
    for (int dx = 0; dx < p->dw; dx++) {
        t->ofs[dx] = p->xofs[dx * cn];
        t->wts[dx] = (uint32_t)(uint16_t)p->ialpha[2 * dx * cn] |
                     (uint32_t)(uint16_t)p->ialpha[2 * dx * cn + 1] << 16;
        if (dx < t->npair && t->ofs[dx] <= last) v = dx + 1; /* offsets never decrease */
    }
    memset(t->wts + p->dw, 0, 4 * sizeof(uint32_t));
    t->nvec = v & ~3;
    return 1;
}

/* Bytes of each pixel's (pixel, next pixel) pair, as int16 pairs per channel: from the first 8
 * bytes of a 128-bit lane (lo) or the last 8 (hi); channel 4 of RGB is unused (zero). */
XA_AVX2 static inline void pair_masks(int cn, __m256i *lo, __m256i *hi) {
    if (cn == 3) {
        *lo = _mm256_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1, 0, -1, 3,
                               -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1);
        *hi = _mm256_setr_epi8(8, -1, 11, -1, 9, -1, 12, -1, 10, -1, 13, -1, -1, -1, -1, -1, 8, -1,
                               11, -1, 9, -1, 12, -1, 10, -1, 13, -1, -1, -1, -1, -1);
    } else {
        *lo = _mm256_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1, 0, -1, 4, -1,
                               1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
        *hi = _mm256_setr_epi8(8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1, 8, -1,
                               12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1);
    }
}

/* The 8 bytes at pixels a, b, c, d's first taps: lanes [a b | c d]. */
XA_AVX2 static inline __m256i load_pairs4(const uint8_t *S, const int32_t *o) {
    uint64_t v[4];
    for (int i = 0; i < 4; i++) memcpy(&v[i], S + o[i], 8);
    return _mm256_setr_epi64x((long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3]);
}

/* int16 H of 4 output pixels from one source row: lanes [a b | c d] of 4 channels each. */
XA_AVX2 static inline __m256i pairs4(__m256i v, __m256i mlo, __m256i mhi, __m256i wac,
                                     __m256i wbd) {
    const __m256i ac = _mm256_srai_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(v, mlo), wac), 4);
    const __m256i bd = _mm256_srai_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(v, mhi), wbd), 4);
    return _mm256_packs_epi32(ac, bd); /* T >> 4 <= 32640: no saturation */
}

/* Store the 4 pixels of h at H (3 or 4 int16 each). For RGB each 128-bit lane is compacted to
 * 6 values and stored as 8: the 2 extra are overwritten by the next store. */
XA_AVX2 static inline void store4(int16_t *H, __m256i h, int cn) {
    if (cn == 4) {
        _mm256_storeu_si256((__m256i *)H, h);
        return;
    }
    const __m256i pack3 = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 6, 7, 14, 15, 0,
                                           1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 6, 7, 14, 15);
    h = _mm256_shuffle_epi8(h, pack3);
    _mm_storeu_si128((__m128i *)H, _mm256_castsi256_si128(h));
    _mm_storeu_si128((__m128i *)(H + 6), _mm256_extracti128_si256(h, 1));
}

/* The horizontal pass of source row S0 into H0 and, when S1 is not NULL, of S1 into H1; the
 * two cursors advance a line each per step. */
XA_AVX2 static void hrows(const xa_cv_sep *p, const lin_tab *t, const uint8_t *S0,
                          const uint8_t *S1, int16_t *H0, int16_t *H1, xa_prefetch_cursor *pf0,
                          xa_prefetch_cursor *pf1) {
    const int cn = p->cn, W = p->dw * cn;
    __m256i mlo, mhi;
    pair_masks(cn, &mlo, &mhi);
    const __m256i iac = _mm256_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2);
    const __m256i ibd = _mm256_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3);
    int dx = 0;
    for (; dx < t->nvec; dx += 4) {
        xa_prefetch_step(pf0);
        xa_prefetch_step(pf1);
        const __m256i w4 = _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(t->wts + dx)));
        const __m256i wac = _mm256_permutevar8x32_epi32(w4, iac);
        const __m256i wbd = _mm256_permutevar8x32_epi32(w4, ibd);
        store4(H0 + dx * cn, pairs4(load_pairs4(S0, t->ofs + dx), mlo, mhi, wac, wbd), cn);
        if (S1) store4(H1 + dx * cn, pairs4(load_pairs4(S1, t->ofs + dx), mlo, mhi, wac, wbd), cn);
    }
    for (int r = 0; r < (S1 ? 2 : 1); r++) {
        const uint8_t *S = r ? S1 : S0;
        int16_t *H = r ? H1 : H0;
        for (int x = dx; x < t->npair; x++) {
            const uint8_t *s = S + t->ofs[x];
            const int a0 = (int16_t)(t->wts[x] & 0xffff), a1 = (int16_t)(t->wts[x] >> 16);
            for (int c = 0; c < cn; c++)
                H[x * cn + c] = (int16_t)((s[c] * a0 + s[c + cn] * a1) >> 4);
        }
        /* from xmax on the position was clamped to the last pixel: T = S*2048, T >> 4 = S*128 */
        for (int e = p->xmax; e < W; e++) H[e] = (int16_t)(S[p->xofs[e]] << 7);
    }
}

/* VResizeLinear's lane arithmetic, 32 outputs a step (then 16, then one at a time). */
XA_AVX2 static void vrow(const int16_t *H0, const int16_t *H1, int b0, int b1, uint8_t *D, int W) {
    const __m256i vb0 = _mm256_set1_epi16((short)b0), vb1 = _mm256_set1_epi16((short)b1);
    const __m256i two = _mm256_set1_epi16(2);
    int x = 0;
    for (; x + 32 <= W; x += 32) {
        __m256i s0 = _mm256_adds_epi16(
            _mm256_mulhi_epi16(_mm256_loadu_si256((const __m256i *)(H0 + x)), vb0),
            _mm256_mulhi_epi16(_mm256_loadu_si256((const __m256i *)(H1 + x)), vb1));
        __m256i s1 = _mm256_adds_epi16(
            _mm256_mulhi_epi16(_mm256_loadu_si256((const __m256i *)(H0 + x + 16)), vb0),
            _mm256_mulhi_epi16(_mm256_loadu_si256((const __m256i *)(H1 + x + 16)), vb1));
        s0 = _mm256_srai_epi16(_mm256_adds_epi16(s0, two), 2);
        s1 = _mm256_srai_epi16(_mm256_adds_epi16(s1, two), 2);
        /* packus works within 128-bit lanes: restore the order of the 4 quarters */
        const __m256i d = _mm256_permute4x64_epi64(_mm256_packus_epi16(s0, s1), 0xd8);
        _mm256_storeu_si256((__m256i *)(D + x), d);
    }
    for (; x < W; x++) D[x] = xa_cv_sat_u8((((b0 * H0[x]) >> 16) + ((b1 * H1[x]) >> 16) + 2) >> 2);
}

/* Source row of tap k (0, 1) of output row dy, clamped (resizeGeneric_Invoker). */
static inline int tap_row(const xa_cv_sep *p, int dy, int k) {
    const int s = p->yofs[dy] + k;
    return s < 0 ? 0 : s >= p->sh ? p->sh - 1 : s;
}

XA_AVX2 xa_status xa_cv_linear_u8_avx2(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst,
                                       xa_error *err) {
    if (p->cn != 3 && p->cn != 4) return xa_cv_linear_u8_sse2(p, src, dst, err);
    const int W = p->dw * p->cn;
    const size_t stride = (size_t)p->sw * p->cn;
    lin_tab t;
    if (!lin_tab_init(&t, p)) return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    const int span0 = p->xofs[0], span1 = p->xofs[W - 1] + p->cn; /* bytes of a row the taps use */
    int tag[2] = {-1, -1};                                        /* source row held by row[i] */
    for (int dy = 0; dy < p->dh; dy++) {
        const int sy0 = tap_row(p, dy, 0), sy1 = tap_row(p, dy, 1);
        /* the next output row's rows, when it moves on to others */
        xa_prefetch_cursor pf[2] = {{NULL, 0}, {NULL, 0}};
        if (dy + 1 < p->dh && p->yofs[dy + 1] != p->yofs[dy])
            for (int k = 0; k < 2; k++)
                pf[k] = xa_prefetch_span(src + (size_t)tap_row(p, dy + 1, k) * stride + span0,
                                         (size_t)(span1 - span0));
        int i0 = tag[0] == sy0 ? 0 : tag[1] == sy0 ? 1 : -1;
        int i1 = tag[0] == sy1 ? 0 : tag[1] == sy1 ? 1 : -1;
        if (i0 < 0 && i1 < 0) {
            const int both = sy1 != sy0;
            hrows(p, &t, src + (size_t)sy0 * stride, both ? src + (size_t)sy1 * stride : NULL,
                  t.row[0], t.row[1], &pf[0], &pf[1]);
            tag[0] = sy0, tag[1] = both ? sy1 : -1;
            i0 = 0, i1 = both;
        } else if (i0 < 0 || i1 < 0) { /* one new row, into the buffer the other tap leaves */
            const int k = i0 < 0 ? 0 : 1, i = 1 - (i0 < 0 ? i1 : i0);
            hrows(p, &t, src + (size_t)(k ? sy1 : sy0) * stride, NULL, t.row[i], NULL, &pf[0],
                  &pf[1]);
            tag[i] = k ? sy1 : sy0;
            if (k)
                i1 = i;
            else
                i0 = i;
        }
        vrow(t.row[i0], t.row[i1], p->ibeta[2 * dy], p->ibeta[2 * dy + 1], dst + (size_t)dy * W, W);
    }
    free(t.ofs);
    return XA_OK;
}

#endif
