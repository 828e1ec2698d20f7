/* Fast 8-bit passes of Pillow's resample (AVX2), bit-identical to the scalar reference
 * xa_pil_{h,v}pass_u8_ref in resize_pil.c (tests/unit/test_resize_pil.c runs both).
 *
 * The arithmetic is Pillow's, unchanged: 32-bit integer products pixel * coefficient with the
 * 22-bit coefficients of normalize_coeffs_8bpc, summed from 1 << 21, shifted right by 22 and
 * clamped to 0..255. Integer sums are exact whatever their order (the final sum fits int32 and
 * wrapping partial sums cancel), so the vector code is free to regroup the taps:
 *  - horizontal, 3 and 4 channels: each pixel is widened to 4 int32 lanes (RGB gets a zero
 *    fourth byte, like Pillow's own 4-byte RGB storage) and one 256-bit multiply covers two taps,
 *    with a coefficient table expanded once per pass (each weight repeated over its pixel's 4
 *    lanes); two source rows go through together, sharing the coefficient loads; the two
 *    halves of the accumulator are added at the end;
 *  - horizontal, 1 channel: eight consecutive taps per multiply, then a horizontal sum;
 *  - vertical: 32 (then 16) neighbouring bytes of a row at once (channels do not matter
 *    vertically);
 *  - NEAREST: eight pixels per 32-bit gather.
 * Coefficient rows are zero-padded to a multiple of 8 taps (xa_pil_coeffs.kstride) and source
 * rows are copied into zero-padded scratch rows, so whole groups may be read past the last tap.
 * The fixed-point result is clamped by the saturating packs int32 -> int16 -> uint8, which
 * equals clip8() because the shifted sums lie within -640..639.
 */
#include "prefetch.h"
#include "resize_pil_impl.h"

#include <stdlib.h>
#include <string.h>

#ifdef XA_PIL_HAVE_X86
#include <immintrin.h>

#define XA_AVX2 __attribute__((target("avx2")))

/* acc += (the 8 bytes at p, widened to int32) * kv, lane by lane */
#define XA_MULADD8(acc, p, kv)                                                                     \
    acc = _mm256_add_epi32(                                                                        \
        acc, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))), kv))

/* Source rows y + 2 and y + 3 (those that exist): what the two-row loops read next. */
static inline xa_prefetch_cursor next_rows(const uint8_t *src, size_t sstride, int rows, int y,
                                           int w, int c) {
    const int n = rows - y - 2 < 0 ? 0 : rows - y - 2 > 2 ? 2 : rows - y - 2;
    return xa_prefetch_span(src + (size_t)(y + 2) * sstride,
                            n ? (size_t)(n - 1) * sstride + (size_t)w * c : 0);
}

/* Sum of 4 int32 lanes per pixel -> one 8-bit pixel in the low 4 bytes. */
XA_AVX2 static inline uint32_t finish4(__m256i acc) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_set1_epi32(XA_PIL_ROUND_HALF));
    s = _mm_srai_epi32(s, XA_PIL_PRECISION_BITS);
    s = _mm_packs_epi32(s, s);
    s = _mm_packus_epi16(s, s);
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/* Taps [0, n) of one output over 4-byte pixels p with the expanded coefficients kx (each
 * repeated over the 4 lanes of its pixel): 8 lanes whose two halves add up to the four channel
 * sums. n is the pass's tap count (a multiple of 4, the same for every output). */
XA_AVX2 static inline __m256i dot4(const uint8_t *p, const int32_t *kx, int n) {
    __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
    for (int t = 0; t < n; t += 4, p += 16, kx += 16) {
        XA_MULADD8(acc0, p, _mm256_loadu_si256((const __m256i *)kx));
        XA_MULADD8(acc1, p + 8, _mm256_loadu_si256((const __m256i *)(kx + 8)));
    }
    return _mm256_add_epi32(acc0, acc1);
}

/* Store output pixel xx of a row of c (3 or 4) byte pixels: one 4-byte store; for RGB its
 * zero fourth byte is overwritten by the next pixel, and the row's last pixel stores 3 bytes. */
static inline void store_px(uint8_t *d, int xx, int out_size, int c, uint32_t v) {
    if (c == 4 || xx + 1 < out_size) {
        memcpy(d + (size_t)c * xx, &v, 4);
    } else {
        d[3 * (size_t)xx] = (uint8_t)v;
        d[3 * (size_t)xx + 1] = (uint8_t)(v >> 8);
        d[3 * (size_t)xx + 2] = (uint8_t)(v >> 16);
    }
}

/* One row of 4-byte pixels (row4, zero-padded) -> out_size pixels of c (3 or 4) bytes; n taps
 * per output (see xa_pil_hpass_u8_avx2). */
XA_AVX2 static void hrow4(const uint8_t *row4, const xa_pil_coeffs *k, const int32_t *kx, int c,
                          int n, uint8_t *d) {
    for (int xx = 0; xx < k->out_size; xx++) {
        const uint8_t *p = row4 + 4 * (size_t)k->bounds[2 * xx];
        store_px(d, xx, k->out_size, c, finish4(dot4(p, kx + 4 * (size_t)xx * k->kstride, n)));
    }
}

/* Two rows at once with the expanded table: each coefficient load serves both rows, and the
 * two rows' sums share one shift-and-pack. */
XA_AVX2 static void hrow4x2(const uint8_t *r0, const uint8_t *r1, const xa_pil_coeffs *k,
                            const int32_t *kx, int c, int n, uint8_t *d0, uint8_t *d1,
                            xa_prefetch_cursor pf) {
    for (int xx = 0; xx < k->out_size; xx++) {
        xa_prefetch_step(&pf);
        const int32_t *kk = kx + 4 * (size_t)xx * k->kstride;
        const size_t off = 4 * (size_t)k->bounds[2 * xx];
        const uint8_t *p = r0 + off, *q = r1 + off;
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, b0 = a0, b1 = a0;
        for (int t = 0; t < n; t += 4, p += 16, q += 16, kk += 16) {
            const __m256i k01 = _mm256_loadu_si256((const __m256i *)kk);
            const __m256i k23 = _mm256_loadu_si256((const __m256i *)(kk + 8));
            XA_MULADD8(a0, p, k01);
            XA_MULADD8(a1, p + 8, k23);
            XA_MULADD8(b0, q, k01);
            XA_MULADD8(b1, q + 8, k23);
        }
        const __m256i a = _mm256_add_epi32(a0, a1), b = _mm256_add_epi32(b0, b1);
        const __m128i half = _mm_set1_epi32(XA_PIL_ROUND_HALF);
        __m128i sa = _mm_add_epi32(
            _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1)), half);
        __m128i sb = _mm_add_epi32(
            _mm_add_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1)), half);
        sa = _mm_srai_epi32(sa, XA_PIL_PRECISION_BITS);
        sb = _mm_srai_epi32(sb, XA_PIL_PRECISION_BITS);
        const __m128i px8 = _mm_packus_epi16(_mm_packs_epi32(sa, sb), _mm_setzero_si128());
        store_px(d0, xx, k->out_size, c, (uint32_t)_mm_cvtsi128_si32(px8));
        store_px(d1, xx, k->out_size, c, (uint32_t)_mm_extract_epi32(px8, 1));
    }
}

/* ---- flat filters (BOX): sum the pixels, multiply once -------------------------------------
 * filter_box is 1 inside the support and 0 outside, so after normalisation every nonzero
 * coefficient of an output is the same integer k, on consecutive taps. Pillow's sum of
 * pixel * k over the taps is then k * (the sum of those pixels): integer arithmetic, exact in any
 * grouping, and the same int32 value (it fits, as Pillow's sum does). The pixels are summed in
 * 16-bit lanes, exact up to XA_PIL_FLAT_MAX taps (255 * 257 = 65535), and each output costs one
 * multiply instead of one per tap. */
#define XA_PIL_FLAT_MAX 257

typedef struct {
    int groups;     /* 4-pixel groups summed per output: the same for all (a loop exit that does
                       not vary from output to output) */
    int32_t *start; /* [out_size]: first pixel of each output's nonzero taps; one block with: */
    int32_t *k;     /* [out_size]: their coefficient */
    uint16_t *mask; /* [out_size * groups * 16]: 16-bit lanes of the pixels inside the window */
} flat_tab;

/* Fills f and returns 1 when every output of the pass is flat (above); 0 otherwise, or when the
 * masks would pass XA_PIL_EXPANDED_MAX entries or cannot be allocated. */
static int flat_init(const xa_pil_coeffs *k, flat_tab *f) {
    const int out = k->out_size;
    int maxcnt = 0;
    for (int xx = 0; xx < out; xx++) {
        const int32_t *kk = k->ki + (size_t)xx * k->kstride;
        int first = 0, last = k->bounds[2 * xx + 1] - 1;
        while (first <= last && kk[first] == 0) first++;
        while (last >= first && kk[last] == 0) last--;
        for (int t = first; t <= last; t++)
            if (kk[t] != kk[first]) return 0;
        if (last - first + 1 > maxcnt) maxcnt = last - first + 1;
    }
    f->groups = maxcnt ? (maxcnt + 3) / 4 : 1;
    const size_t nmask = (size_t)out * f->groups * 16;
    if (maxcnt > XA_PIL_FLAT_MAX || nmask > XA_PIL_EXPANDED_MAX) return 0;
    if (!(f->start = malloc(sizeof(int32_t) * 2 * (size_t)out + sizeof(uint16_t) * nmask)))
        return 0;
    f->k = f->start + out;
    f->mask = (uint16_t *)(f->k + out);
    for (int xx = 0; xx < out; xx++) {
        const int32_t *kk = k->ki + (size_t)xx * k->kstride;
        int first = 0, cnt = 0;
        while (first < k->bounds[2 * xx + 1] && kk[first] == 0) first++;
        while (first + cnt < k->bounds[2 * xx + 1] && kk[first + cnt] != 0) cnt++;
        f->start[xx] = k->bounds[2 * xx] + first;
        f->k[xx] = cnt ? kk[first] : 0;
        uint16_t *m = f->mask + (size_t)xx * f->groups * 16;
        for (int lane = 0; lane < f->groups * 16; lane++) m[lane] = lane / 4 < cnt ? 0xffff : 0;
    }
    return 1;
}

/* Two rows of 4-byte pixels (r1, d1 may repeat r0 with d1 NULL) with a flat table. */
XA_AVX2 static void hrow4x2_flat(const uint8_t *r0, const uint8_t *r1, const xa_pil_coeffs *k,
                                 const flat_tab *f, int c, uint8_t *d0, uint8_t *d1,
                                 xa_prefetch_cursor pf) {
    const __m256i half = _mm256_set1_epi32(XA_PIL_ROUND_HALF);
    const uint16_t *m = f->mask;
    for (int xx = 0; xx < k->out_size; xx++) {
        xa_prefetch_step(&pf);
        const size_t off = 4 * (size_t)f->start[xx];
        const uint8_t *p = r0 + off, *q = r1 + off;
        __m256i a = _mm256_setzero_si256(), b = a;
        for (int g = 0; g < f->groups; g++, p += 16, q += 16, m += 16) {
            const __m256i mk = _mm256_loadu_si256((const __m256i *)m);
            a = _mm256_add_epi16(
                a, _mm256_and_si256(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p)), mk));
            b = _mm256_add_epi16(
                b, _mm256_and_si256(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)q)), mk));
        }
        /* 4 pixels of 4 channels -> 4 channel sums (16-bit: at most 65535, see above) */
        __m128i sa = _mm_add_epi16(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
        __m128i sb = _mm_add_epi16(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
        sa = _mm_add_epi16(sa, _mm_srli_si128(sa, 8));
        sb = _mm_add_epi16(sb, _mm_srli_si128(sb, 8));
        __m256i s = _mm256_cvtepu16_epi32(_mm_unpacklo_epi64(sa, sb));
        s = _mm256_mullo_epi32(s, _mm256_set1_epi32(f->k[xx]));
        s = _mm256_srai_epi32(_mm256_add_epi32(s, half), XA_PIL_PRECISION_BITS);
        __m128i px8 = _mm_packs_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        px8 = _mm_packus_epi16(px8, px8);
        store_px(d0, xx, k->out_size, c, (uint32_t)_mm_cvtsi128_si32(px8));
        if (d1) store_px(d1, xx, k->out_size, c, (uint32_t)_mm_extract_epi32(px8, 1));
    }
}

/* The coefficient table with each entry repeated 4 times (16 bytes a tap), or NULL when it
 * would pass XA_PIL_EXPANDED_MAX entries or cannot be allocated. */
XA_AVX2 static int32_t *expand_coeffs(const xa_pil_coeffs *k) {
    const size_t ents = (size_t)k->out_size * k->kstride;
    if (ents > XA_PIL_EXPANDED_MAX) return NULL;
    int32_t *kx = malloc(ents * 4 * sizeof(int32_t));
    if (kx)
        for (size_t e = 0; e < ents; e++)
            _mm_storeu_si128((__m128i *)(kx + 4 * e), _mm_set1_epi32(k->ki[e]));
    return kx;
}

/* One row of 1-byte pixels (zero-padded) -> out_size bytes; n taps per output (a multiple of 8,
 * or at most 4). */
XA_AVX2 static void hrow1(const uint8_t *row, const xa_pil_coeffs *k, int n, uint8_t *d) {
    for (int xx = 0; xx < k->out_size; xx++) {
        const int32_t *kk = k->ki + (size_t)xx * k->kstride;
        const uint8_t *p = row + k->bounds[2 * xx];
        __m128i s;
        if (n <= 4) {
            int32_t four;
            memcpy(&four, p, 4);
            s = _mm_mullo_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(four)),
                                _mm_loadu_si128((const __m128i *)kk));
        } else {
            __m256i acc = _mm256_setzero_si256();
            for (int t = 0; t < n; t += 8)
                XA_MULADD8(acc, p + t, _mm256_loadu_si256((const __m256i *)(kk + t)));
            s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        }
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
        d[xx] = xa_pil_clip8(_mm_cvtsi128_si32(s) + XA_PIL_ROUND_HALF);
    }
}

/* RGB -> RGB0, 4 pixels per shuffle while 16 source bytes can be read inside the row. */
XA_AVX2 static void expand_rgb(const uint8_t *s, int w, uint8_t *d) {
    const __m128i sh = _mm_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
    int x = 0;
    for (; 3 * x + 16 <= 3 * w; x += 4)
        _mm_storeu_si128((__m128i *)(d + 4 * x),
                         _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(s + 3 * x)), sh));
    for (; x < w; x++) {
        d[4 * x] = s[3 * x];
        d[4 * x + 1] = s[3 * x + 1];
        d[4 * x + 2] = s[3 * x + 2];
        d[4 * x + 3] = 0;
    }
}

/* A source row into a zero-padded scratch row (RGB widened to 4 bytes a pixel). */
XA_AVX2 static void load_row(const uint8_t *s, int w, int c, uint8_t *row) {
    if (c == 3)
        expand_rgb(s, w, row);
    else
        memcpy(row, s, (c == 1 ? 1 : 4) * (size_t)w);
}

XA_AVX2 void xa_pil_hpass_u8_avx2(const uint8_t *src, size_t sstride, int rows, int w, int c,
                                  const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    /* Every output runs the same number of taps: the largest count of the pass, rounded up to
     * whole vector steps (the coefficients past an output's own taps are 0). A count that
     * changes from one output to the next (8, 9, 8, ... for a box at 1/8.57) would otherwise
     * make the loop exit unpredictable, which costs more than the extra zero taps. */
    int n = 0;
    for (int xx = 0; xx < k->out_size; xx++)
        if (k->bounds[2 * xx + 1] > n) n = k->bounds[2 * xx + 1];
    n = c == 1 && n <= 4 ? 4 : (n + (c == 1 ? 7 : 3)) & (c == 1 ? ~7 : ~3); /* <= kstride */
    /* two scratch rows, each followed by n + 16 zero pixels: an output's n taps may start at
     * any pixel of the row */
    const size_t px = c == 1 ? 1 : 4, row_bytes = px * ((size_t)w + n + 16);
    uint8_t *r0 = malloc(2 * row_bytes), *r1 = r0 + row_bytes;
    flat_tab flat = {0};
    const int is_flat = c != 1 && flat_init(k, &flat);
    int32_t *kx = c == 1 || is_flat ? NULL : expand_coeffs(k);
    if (!r0 || (c != 1 && !is_flat && !kx)) { /* only for absurd sizes (or no memory) */
        free(r0);
        free(kx);
        free(flat.start);
        xa_pil_hpass_u8_ref(src, sstride, rows, c, k, dst, dstride);
        return;
    }
    memset(r0 + px * (size_t)w, 0, px * ((size_t)n + 16));
    memset(r1 + px * (size_t)w, 0, px * ((size_t)n + 16));
    int y = 0;
    if (is_flat) { /* (4 * flat.groups <= n: the reads stay within the padding) */
        for (; y < rows; y += 2) {
            const int two = y + 1 < rows;
            load_row(src + (size_t)y * sstride, w, c, r0);
            if (two) load_row(src + (size_t)(y + 1) * sstride, w, c, r1);
            hrow4x2_flat(r0, two ? r1 : r0, k, &flat, c, dst + (size_t)y * dstride,
                         two ? dst + (size_t)(y + 1) * dstride : NULL,
                         next_rows(src, sstride, rows, y, w, c));
        }
        free(r0);
        free(flat.start);
        return;
    }
    if (c != 1)
        for (; y + 2 <= rows; y += 2) {
            load_row(src + (size_t)y * sstride, w, c, r0);
            load_row(src + (size_t)(y + 1) * sstride, w, c, r1);
            hrow4x2(r0, r1, k, kx, c, n, dst + (size_t)y * dstride, dst + (size_t)(y + 1) * dstride,
                    next_rows(src, sstride, rows, y, w, c));
        }
    for (; y < rows; y++) {
        uint8_t *d = dst + (size_t)y * dstride;
        load_row(src + (size_t)y * sstride, w, c, r0);
        if (c == 1)
            hrow1(r0, k, n, d);
        else
            hrow4(r0, k, kx, c, n, d);
    }
    free(r0);
    free(kx);
}

/* 8 int32 sums of 2^22-scaled values -> 8 int16 of value (shift, still unclamped) */
XA_AVX2 static inline __m128i vfinish8(__m256i acc) {
    acc = _mm256_srai_epi32(acc, XA_PIL_PRECISION_BITS);
    return _mm_packs_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
}

/* 32, then 16 bytes of each output row per step; the last width % 16 bytes take the scalar sum. */
XA_AVX2 void xa_pil_vpass_u8_avx2(const uint8_t *src, size_t sstride, int width, int row_shift,
                                  const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    const __m256i half = _mm256_set1_epi32(XA_PIL_ROUND_HALF);
    for (int yy = 0; yy < k->out_size; yy++) {
        const int n = k->bounds[2 * yy + 1];
        const int32_t *kk = k->ki + (size_t)yy * k->kstride;
        const uint8_t *s = src + (size_t)(k->bounds[2 * yy] - row_shift) * sstride;
        uint8_t *d = dst + (size_t)yy * dstride;
        int x = 0;
        for (; x + 32 <= width; x += 32) {
            __m256i a0 = half, a1 = half, a2 = half, a3 = half;
            const uint8_t *p = s + x;
            for (int t = 0; t < n; t++, p += sstride) {
                const __m256i kv = _mm256_set1_epi32(kk[t]);
                XA_MULADD8(a0, p, kv);
                XA_MULADD8(a1, p + 8, kv);
                XA_MULADD8(a2, p + 16, kv);
                XA_MULADD8(a3, p + 24, kv);
            }
            _mm_storeu_si128((__m128i *)(d + x), _mm_packus_epi16(vfinish8(a0), vfinish8(a1)));
            _mm_storeu_si128((__m128i *)(d + x + 16), _mm_packus_epi16(vfinish8(a2), vfinish8(a3)));
        }
        for (; x + 16 <= width; x += 16) {
            __m256i a0 = half, a1 = half;
            const uint8_t *p = s + x;
            for (int t = 0; t < n; t++, p += sstride) {
                const __m256i kv = _mm256_set1_epi32(kk[t]);
                XA_MULADD8(a0, p, kv);
                XA_MULADD8(a1, p + 8, kv);
            }
            _mm_storeu_si128((__m128i *)(d + x), _mm_packus_epi16(vfinish8(a0), vfinish8(a1)));
        }
        for (; x < width; x++) {
            int32_t acc = XA_PIL_ROUND_HALF;
            for (int t = 0; t < n; t++) acc += s[(size_t)t * sstride + x] * kk[t];
            d[x] = xa_pil_clip8(acc);
        }
    }
}

/* Eight pixels per 32-bit gather; RGB keeps 3 of each 4 gathered bytes (one 4-byte read past a
 * pixel, hence `avail`), L keeps 1 of 4. */
XA_AVX2 int xa_pil_gather_avx2(uint8_t *d, const uint8_t *s, size_t avail, const int32_t *offs,
                               int n, size_t pix, const uint8_t *next, size_t next_bytes) {
    xa_prefetch_cursor pf = xa_prefetch_span(next, next_bytes);
    const __m256i pack3 = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                           0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    const __m256i pack1 =
        _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i lanes1 = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
    if (pix != 1 && pix != 3 && pix != 4) return 0;
    /* RGB stores 16 bytes at 3 * i + 12: the block must leave 4 bytes of the row after it */
    const int slack = pix == 3 ? 2 : 0;
    int i = 0;
    for (; i + 8 + slack <= n && (size_t)offs[i + 7] + 4 <= avail; i += 8) {
        xa_prefetch_step(&pf); /* up to 128 source bytes per 8 pixels: a 1/3 reduction reads 72 */
        xa_prefetch_step(&pf);
        const __m256i idx = _mm256_loadu_si256((const __m256i *)(offs + i));
        const __m256i g = _mm256_i32gather_epi32((const int *)s, idx, 1);
        if (pix == 4) {
            _mm256_storeu_si256((__m256i *)(d + 4 * (size_t)i), g);
        } else if (pix == 3) {
            const __m256i p = _mm256_shuffle_epi8(g, pack3);
            _mm_storeu_si128((__m128i *)(d + 3 * (size_t)i), _mm256_castsi256_si128(p));
            _mm_storeu_si128((__m128i *)(d + 3 * (size_t)i + 12), _mm256_extracti128_si256(p, 1));
        } else {
            const __m256i p = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(g, pack1), lanes1);
            _mm_storel_epi64((__m128i *)(d + (size_t)i), _mm256_castsi256_si128(p));
        }
    }
    return i;
}

#endif
