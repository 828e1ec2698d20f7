/* torch 1.13 F.interpolate(mode="area") on CPU: adaptive_avg_pool2d(input, (dh, dw)).
 *
 * General case: aten/src/ATen/native/cpu/AdaptiveAvgPoolKernel.cpp cpu_adaptive_avg_pool
 * (contiguous) and cpu_adaptive_avg_pool_channels_last, windows from start_index / end_index
 * (aten/src/ATen/native/AdaptivePooling.h). Per output and channel both sum the window in float
 * from 0, rows then columns, and divide by kh, then by kw: the two kernels give the same bytes.
 *
 * A 1 x 1 output is different: aten/src/ATen/native/AdaptiveAveragePooling.cpp adaptive_avg_pool2d
 * returns input.mean({-1, -2}) there, that is at::sum (SumKernel.cpp cascade_sum) divided by
 * H * W. cascade_sum's order of additions follows the memory layout:
 *  - contiguous N x C x H x W (and any C = 1 image): each channel is one contiguous row of H * W
 *    values: vectorized_inner_sum (H * W >= 8: 8-float vectors, as AVX2 and the default build
 *    both have 32-byte Vectorized<float>) or scalar_inner_sum;
 *  - channels-last (C > 1): the reduced values of a channel are C apart, the channels adjacent:
 *    scalar_outer_sum, which sums 4 channels at once (multi_row_sum) or, for fewer than 4, one
 *    channel at a time (row_sum).
 * All with float accumulators (acc_type<float, true>), then one float division by H * W. With
 * more than one torch thread and at least 32768 input values torch splits this reduction between
 * threads, which changes the order again; xalign reproduces torch.set_num_threads(1).
 */
#include "resize_torch_impl.h"

#include <stdlib.h>
#include <string.h>

/* AdaptivePooling.h: floor(a * c / b) and ceil((a + 1) * c / b) without overflow in the product */
static int64_t start_index(int64_t a, int64_t b, int64_t c) {
    return (a / b) * c + ((a % b) * c) / b;
}
static int64_t end_index(int64_t a, int64_t b, int64_t c) {
    return 1 + ((a + 1) * c - 1) / b;
}

/* utils::CeilLog2: ceil(log2(x)) for x > 2, 1 below */
static int64_t ceil_log2(int64_t x) {
    if (x <= 2) return 1;
    int64_t r = 0;
    for (uint64_t v = (uint64_t)x - 1; v; v >>= 1) r++;
    return r;
}

/* multi_row_sum<float, nrows> (SumKernel.cpp): nrows running sums at once over `size` steps,
 * element (i, k) at x[i * row_stride + k * col_stride]. Partial sums are kept on 4 levels: level 0
 * takes 2^level_power values at a time, then is added into level 1, and so on, so that only sums
 * of similar size meet. A vector accumulator of n lanes is n of these rows (lanes do not mix). */
#define SUM_LEVELS 4
#define SUM_MAX_ROWS 32 /* 4 vectors of 8 floats */
static void multi_row_sum(const float *x, int64_t row_stride, int64_t col_stride, int64_t size,
                          int nrows, float *ret) {
    float acc[SUM_LEVELS][SUM_MAX_ROWS];
    memset(acc, 0, sizeof acc);
    int64_t level_power = ceil_log2(size) / SUM_LEVELS;
    if (level_power < 4) level_power = 4;
    const int64_t level_step = (int64_t)1 << level_power, level_mask = level_step - 1;
    int64_t i = 0;
    while (i + level_step <= size) {
        for (int64_t j = 0; j < level_step; ++j, ++i)
            for (int k = 0; k < nrows; k++) acc[0][k] += x[i * row_stride + k * col_stride];
        for (int j = 1; j < SUM_LEVELS; j++) {
            for (int k = 0; k < nrows; k++) {
                acc[j][k] += acc[j - 1][k];
                acc[j - 1][k] = 0;
            }
            if ((i & (level_mask << (j * level_power))) != 0) break;
        }
    }
    for (; i < size; ++i)
        for (int k = 0; k < nrows; k++) acc[0][k] += x[i * row_stride + k * col_stride];
    for (int j = 1; j < SUM_LEVELS; j++)
        for (int k = 0; k < nrows; k++) acc[0][k] += acc[j][k];
    memcpy(ret, acc[0], sizeof(float) * (size_t)nrows);
}

/* row_sum<T> with ilp_factor 4: the row seen as (-1, 4) summed by multi_row_sum, the elements
 * past the last full group of 4 added to the first partial, then the partials 1..3 added to it.
 * `lanes` floats make one element (1: float; 8: a Vectorized<float>, lanes kept apart). */
static void row_sum(const float *x, int64_t stride, int64_t size, int lanes, float *ret) {
    float p[SUM_MAX_ROWS];
    const int64_t size_ilp = size / 4;
    /* 4 elements of `lanes` floats make 4 * lanes rows; element k's lane l is row k * lanes + l */
    if (lanes == 1) {
        multi_row_sum(x, stride * 4, stride, size_ilp, 4, p);
    } else {
        multi_row_sum(x, stride * 4, 1, size_ilp, 4 * lanes, p);
    }
    for (int64_t i = size_ilp * 4; i < size; ++i)
        for (int l = 0; l < lanes; l++) p[l] += x[i * stride + l];
    for (int k = 1; k < 4; k++)
        for (int l = 0; l < lanes; l++) p[l] += p[k * lanes + l];
    memcpy(ret, p, sizeof(float) * (size_t)lanes);
}

/* Sum of one contiguous row of n floats as cascade_sum takes it for a contiguous tensor. */
static float inner_sum(const float *x, int64_t n) {
    float acc = 0;
    if (n >= 8) {
        /* vectorized_inner_sum: row_sum over n / 8 vectors, then the n % 8 remaining values from
         * 0, then the 8 lanes of the vector sum in order */
        float lanes[8];
        const int64_t nvec = n / 8;
        row_sum(x, 8, nvec, 8, lanes);
        for (int64_t k = nvec * 8; k < n; k++) acc += x[k];
        for (int l = 0; l < 8; l++) acc += lanes[l];
    } else {
        row_sum(x, 1, n, 1, &acc); /* scalar_inner_sum */
    }
    return acc;
}

/* input.mean({-1, -2}): sums as above, stored into the zero-filled output (0 + sum), then
 * div_(H * W): one float division. */
static xa_status torch_mean(const xa_torch_img *im, int channels_last, xa_error *err) {
    const int64_t n = im->h * im->w, c = im->c;
    const int planar = !(channels_last && c > 1);
    /* the summation reads float32 values in torch's order: a contiguous plane per channel
     * (gathered from the interleaved image), or the interleaved image itself (channels-last);
     * uint8 converts exactly */
    float *buf = NULL;
    if (planar ? c > 1 || im->u8 : im->u8) {
        if (!(buf = malloc(sizeof(float) * (size_t)(planar ? n : n * c))))
            return xa_fail(err, XA_ENOMEM, "out of memory for %lld float32 values",
                           (long long)(planar ? n : n * c));
    }
    const float *x = buf ? buf : im->src;
    float sums[4];
    if (!planar) {
        if (buf)
            for (int64_t i = 0; i < n * c; i++) buf[i] = xa_torch_at(im, i);
        /* scalar_outer_sum: rows of 4 channels by multi_row_sum, the rest one by one */
        int64_t ch = 0;
        for (; ch + 3 < c; ch += 4) multi_row_sum(x + ch, c, 1, n, 4, sums + ch);
        for (; ch < c; ch++) row_sum(x + ch, c, n, 1, sums + ch);
    } else {
        for (int64_t ch = 0; ch < c; ch++) {
            if (buf)
                for (int64_t i = 0; i < n; i++) buf[i] = xa_torch_at(im, i * c + ch);
            sums[ch] = inner_sum(x, n);
        }
    }
    free(buf);
    for (int64_t ch = 0; ch < c; ch++) im->dst[ch] = (0.0f + sums[ch]) / (float)n;
    return XA_OK;
}

/* cpu_adaptive_avg_pool: per output and channel the window summed in float from 0, rows then
 * columns, divided by its height, then by its width (scalar_t(sum / kh / kw), two float
 * divisions). The channels of one output are summed side by side, each in that order. */
XA_TORCH_INLINE void adaptive_avg(const xa_torch_img *im, int u8) {
    const int64_t c = im->c;
    float *d = im->dst;
    for (int64_t oh = 0; oh < im->dh; oh++) {
        const int64_t ih0 = start_index(oh, im->dh, im->h), ih1 = end_index(oh, im->dh, im->h);
        for (int64_t ow = 0; ow < im->dw; ow++) {
            const int64_t iw0 = start_index(ow, im->dw, im->w), iw1 = end_index(ow, im->dw, im->w);
            float sum[4] = {0, 0, 0, 0};
            for (int64_t ih = ih0; ih < ih1; ih++)
                for (int64_t i = (ih * im->w + iw0) * c, e = (ih * im->w + iw1) * c; i < e; i += c)
                    for (int64_t ch = 0; ch < c; ch++)
                        sum[ch] += u8 ? (float)((const uint8_t *)im->src)[i + ch]
                                      : ((const float *)im->src)[i + ch];
            for (int64_t ch = 0; ch < c; ch++)
                *d++ = sum[ch] / (float)(ih1 - ih0) / (float)(iw1 - iw0);
        }
    }
}

xa_status xa_torch_area(const xa_torch_img *im, int channels_last, xa_error *err) {
    if (im->dh == 1 && im->dw == 1) return torch_mean(im, channels_last, err);
    if (im->u8)
        adaptive_avg(im, 1);
    else
        adaptive_avg(im, 0);
    return XA_OK;
}
