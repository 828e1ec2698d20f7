/* OpenCV 4.6 cv::resize INTER_AREA with both scales >= 1 (imgproc/src/resize.cpp): scalar
 * references of resizeAreaFast_ (integer factors) and ResizeArea_Invoker (general), plus the
 * float32 versions. The tables come from resize_cv_coef.c.
 */
#include "resize_cv_internal.h"

#include <stdlib.h>
#include <string.h>

/* resizeAreaFast_ with ResizeAreaFastVec<uchar>: factor 2 x 2 is the exact rounded mean
 * (a + b + c + d + 2) >> 2 ("+ 2" rounds the quarter half up). Other factors: the int sum of
 * the kx*ky block times the float 1/(kx*ky), rounded to nearest even and saturated
 * (saturate_cast<uchar>(sum * scale)). OpenCV sums in int: a block of more than 2^31/255 pixels
 * wraps (a 1x1 output of a large white image), reproduced by summing in uint32. */
void xa_cv_area_fast_u8_ref(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw,
                            int dh, int kx, int ky) {
    size_t stride = (size_t)sw * cn;
    int W = dw * cn;
    float scale = 1.f / (float)(kx * ky);
    (void)sh;
    for (int dy = 0; dy < dh; dy++) {
        const uint8_t *S = src + (size_t)dy * ky * stride;
        uint8_t *D = dst + (size_t)dy * W;
        for (int e = 0; e < W; e++) {
            int c = e % cn, px = e / cn;
            const uint8_t *b = S + (size_t)px * kx * cn + c;
            if (kx == 2 && ky == 2) {
                D[e] = (uint8_t)((b[0] + b[cn] + b[stride] + b[stride + cn] + 2) >> 2);
                continue;
            }
            uint32_t sum = 0;
            for (int sy = 0; sy < ky; sy++)
                for (int sx = 0; sx < kx; sx++) sum += b[sy * stride + (size_t)sx * cn];
            D[e] = xa_cv_sat_u8(xa_cv_round_f32((float)(int32_t)sum * scale));
        }
    }
}

/* resizeAreaFast_<float, float>: the block is summed in float in the order of OpenCV's offset
 * table (row by row), four at a time: sum = 0; sum += ((a + b) + c) + d; ...; then the rest
 * one by one; times 1/(kx*ky). For 2 x 2 with 1 or 4 channels the SIMD kernel
 * (ResizeAreaFastVec_SIMD_32f) takes ((tl + tr) + (bl + br)) * 0.25 instead: for 4 channels
 * every element, for 1 channel the first floor(dw/4)*4 of each row (4 float lanes a step). */
void xa_cv_area_fast_f32(const float *src, int sw, int sh, int cn, float *dst, int dw, int dh,
                         int kx, int ky) {
    size_t stride = (size_t)sw * cn;
    int W = dw * cn, area = kx * ky;
    float scale = 1.f / (float)area;
    int simd = kx == 2 && ky == 2 && (cn == 1 || cn == 4);
    int nsimd = simd ? (cn == 4 ? W : W & ~3) : 0;
    /* OpenCV's offset table: block element k = (sy, sx) in row-major order. Blocks of more than
     * 65536 pixels (a huge reduction) are walked directly instead, in the same order. */
    size_t *ofs = area <= 65536 ? malloc(sizeof(size_t) * (size_t)area) : NULL;
    for (int sy = 0, k = 0; ofs && sy < ky; sy++)
        for (int sx = 0; sx < kx; sx++) ofs[k++] = sy * stride + (size_t)sx * cn;
    (void)sh;
    for (int dy = 0; dy < dh; dy++) {
        const float *S = src + (size_t)dy * ky * stride;
        float *D = dst + (size_t)dy * W;
        for (int e = 0, px = 0, c = 0; e < W; e++, c = c + 1 < cn ? c + 1 : (px++, 0)) {
            const float *b = S + (size_t)px * kx * cn + c;
            if (e < nsimd) {
                D[e] = ((b[0] + b[cn]) + (b[stride] + b[stride + cn])) * 0.25f;
                continue;
            }
            float sum = 0;
            int k = 0;
            if (ofs) {
                for (; k + 4 <= area; k += 4)
                    sum += ((b[ofs[k]] + b[ofs[k + 1]]) + b[ofs[k + 2]]) + b[ofs[k + 3]];
                for (; k < area; k++) sum += b[ofs[k]];
            } else {
                float v[4];
                int n = 0;
                for (int sy = 0; sy < ky; sy++)
                    for (int sx = 0; sx < kx; sx++) {
                        v[n++] = b[sy * stride + (size_t)sx * cn];
                        if (n == 4) sum += ((v[0] + v[1]) + v[2]) + v[3], n = 0;
                    }
                for (int i = 0; i < n; i++) sum += v[i];
            }
            D[e] = sum * scale;
        }
    }
    free(ofs);
}

/* ResizeArea_Invoker: for each ytab entry (source row sy feeding output row dy with weight
 * beta) the row is decimated horizontally in float, buf[dx] += S[sx]*alpha in xtab order
 * starting from 0, then folded into the output row: sum = beta*buf for the first source row of
 * an output row, sum += beta*buf for the next ones. OpenCV starts its (single) row range with
 * sum = 0 and "+=", which differs from "=" only by the sign of a zero. Output: the float sum
 * (float32) or its rounding to nearest even, saturated (uint8). */
static xa_status area_general(const xa_cv_area *p, const void *src, int u8, void *dst,
                              xa_error *err) {
    int W = p->dw * p->cn, cn = p->cn;
    size_t stride = (size_t)p->sw * cn;
    /* uint8 rows are widened to float first: (float)S * alpha is the product OpenCV forms */
    float *buf = malloc(sizeof(float) * (2 * (size_t)W + (u8 ? stride : 0)));
    if (!buf) return xa_cv_nomem(err, p->sw, p->sh, p->dw, p->dh);
    float *sum = buf + W, *row = sum + W;
    for (int dy = 0; dy < p->dh; dy++) {
        for (int j = p->yfirst[dy]; j < p->yfirst[dy + 1]; j++) {
            size_t at = (size_t)p->ytab[j].si * stride;
            const float *S = (const float *)src + at;
            if (u8) {
                for (size_t i = 0; i < stride; i++) row[i] = ((const uint8_t *)src)[at + i];
                S = row;
            }
            float beta = p->ytab[j].alpha;
            memset(buf, 0, sizeof(float) * W);
            for (int k = 0; k < p->xn; k++) {
                const xa_cv_area_tap *t = &p->xtab[k];
                for (int c = 0; c < cn; c++) buf[t->di + c] += S[t->si + c] * t->alpha;
            }
            if (j == p->yfirst[dy] && dy > 0)
                for (int x = 0; x < W; x++) sum[x] = beta * buf[x];
            else if (j == 0)
                for (int x = 0; x < W; x++) sum[x] = 0.f + beta * buf[x];
            else
                for (int x = 0; x < W; x++) sum[x] += beta * buf[x];
        }
        if (u8)
            xa_cv_store_round_u8_ref(sum, W, (uint8_t *)dst + (size_t)dy * W);
        else
            memcpy((float *)dst + (size_t)dy * W, sum, sizeof(float) * W);
    }
    free(buf);
    return XA_OK;
}

xa_status xa_cv_area_u8_ref(const xa_cv_area *p, const uint8_t *src, uint8_t *dst, xa_error *err) {
    return area_general(p, src, 1, dst, err);
}

xa_status xa_cv_area_f32_ref(const xa_cv_area *p, const float *src, float *dst, xa_error *err) {
    return area_general(p, src, 0, dst, err);
}
