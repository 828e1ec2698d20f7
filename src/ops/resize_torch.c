/* torch 1.13 F.interpolate(mode="bilinear", align_corners=False, antialias=False) on CPU, and
 * torchvision 0.14's tensor Resize around it for uint8 (docs/ops-resize-pillow-torch.md).
 *
 * Reproduces aten/src/ATen/native/UpSample.h (area_pixel_compute_scale,
 * area_pixel_compute_source_index, compute_source_index_and_lambda) and the two CPU kernels of
 * aten/src/ATen/native/cpu/UpSampleKernel.cpp that a contiguous N x C x H x W float tensor meets:
 *  - upsample_generic_Nd_kernel_impl (Interpolate<2, ..., 2>), for every tensor that is not also
 *    "channels-last contiguous": out = t0 * h0 + t1 * h1 with t = x0 * w0 + x1 * w1 per source
 *    row, all in float. torch compiles this file once per CPU capability; the AVX2 build (this
 *    machine's) lets the compiler contract each `a * b + c * d` into fmaf(a, b, c * d), the
 *    default (non-AVX) build does not: XA_RESIZE_TORCH_BILINEAR vs _NOFMA.
 *  - cpu_upsample_linear_channels_last, for tensors with C = 1 (and any 1 x 1 source), which
 *    count as channels-last contiguous too: weights h_i * w_j rounded to float, then the four
 *    products summed left to right in double (acc_type<float> on CPU) and stored as float. The
 *    products of two floats are exact in double, so contraction cannot change this form: both
 *    methods use it.
 * Images here are H x W x C; torch sees the same numbers as C planes of a contiguous tensor.
 * uint8 (torchvision functional_tensor.resize): to float32, interpolate, torch.round (half to
 * even), cast back; the values never leave 0..255, the clamp below only states it.
 */
#include "resize_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t i0, i1; /* the two source indices (equal at the last pixel) */
    float l0, l1;   /* their weights */
} torch_tap;

/* compute_source_index_and_lambda for align_corners=False and no scale factor. */
static void torch_taps(int64_t in, int64_t out, torch_tap *t) {
    /* area_pixel_compute_scale -> compute_scales_value: (float)in / out in float */
    const float scale = (float)in / (float)out;
    for (int64_t o = 0; o < out; o++) {
        if (in == out) { /* "scale_factor = 1": a plain copy, weights (1, 0) */
            t[o] = (torch_tap){o, o, 1.0f, 0.0f};
            continue;
        }
        /* area_pixel_compute_source_index: the float scale times a double (o + 0.5), in double,
         * clamped at 0 for linear modes */
        double src = (double)scale * ((double)o + 0.5) - 0.5;
        if (src < 0) src = 0;
        int64_t i0 = (int64_t)src;
        if (i0 > in - 1) i0 = in - 1;
        double l1 = src - (double)i0;
        l1 = l1 < 0 ? 0 : l1 > 1 ? 1 : l1;
        const float l1f = (float)l1;
        t[o] = (torch_tap){i0, i0 + (i0 < in - 1 ? 1 : 0), 1.0f - l1f, l1f};
    }
}

typedef struct {
    const void *data; /* the source samples: float32, or uint8 when u8 */
    int u8;
    const torch_tap *th, *tw;
    int64_t w, c;      /* source width, channels */
    int fma;           /* generic kernel as the AVX2 build computes it */
    int channels_last; /* cpu_upsample_linear_channels_last */
} torch_job;

/* Source sample (y, x, ch) as float: uint8 converts exactly, as torchvision's .to(float32). */
static inline float sample(const torch_job *j, int64_t y, int64_t x, int64_t ch) {
    const size_t i = (size_t)((y * j->w + x) * j->c + ch);
    return j->u8 ? (float)((const uint8_t *)j->data)[i] : ((const float *)j->data)[i];
}

/* Value of output (oh, ow) of channel ch. */
static inline float torch_value(const torch_job *j, int64_t oh, int64_t ow, int64_t ch) {
    const torch_tap h = j->th[oh], w = j->tw[ow];
    const float x00 = sample(j, h.i0, w.i0, ch), x01 = sample(j, h.i0, w.i1, ch);
    const float x10 = sample(j, h.i1, w.i0, ch), x11 = sample(j, h.i1, w.i1, ch);
    if (j->channels_last) {
        const double w00 = (float)(h.l0 * w.l0), w01 = (float)(h.l0 * w.l1);
        const double w10 = (float)(h.l1 * w.l0), w11 = (float)(h.l1 * w.l1);
        return (float)((((double)x00 * w00 + (double)x01 * w01) + (double)x10 * w10) +
                       (double)x11 * w11);
    }
    if (j->fma) {
        const float t0 = fmaf(x00, w.l0, x01 * w.l1), t1 = fmaf(x10, w.l0, x11 * w.l1);
        return fmaf(t0, h.l0, t1 * h.l1);
    }
    /* -ffp-contract=off keeps every product and sum separately rounded here */
    const float t0 = x00 * w.l0 + x01 * w.l1, t1 = x10 * w.l0 + x11 * w.l1;
    return t0 * h.l0 + t1 * h.l1;
}

xa_status xa_resize_torch(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                          xa_tensor **out, xa_error *err) {
    *out = NULL;
    if (m != XA_RESIZE_TORCH_BILINEAR && m != XA_RESIZE_TORCH_BILINEAR_NOFMA &&
        m != XA_RESIZE_TORCH_BILINEAR_CL)
        return xa_fail(err, XA_EINVAL, "%s is not a torch method", xa_resize_method_name(m));
    xa_img_view g;
    xa_status st = xa_resize_view_of(src, &g, err);
    if (st) return st;
    torch_tap *taps = malloc(sizeof(torch_tap) * (size_t)(dh + dw));
    if (!taps) return xa_fail(err, XA_ENOMEM, "out of memory for %lld taps", (long long)(dh + dw));
    if ((st = xa_img_new(&g, g.dtype, dh, dw, 1, out, err))) {
        free(taps);
        return st;
    }
    torch_taps(g.h, dh, taps);
    torch_taps(g.w, dw, taps + dh);
    const torch_job j = {src->data,
                         g.dtype == XA_U8,
                         taps,
                         taps + dh,
                         g.w,
                         g.c,
                         m == XA_RESIZE_TORCH_BILINEAR,
                         m == XA_RESIZE_TORCH_BILINEAR_CL || g.c == 1 || (g.h == 1 && g.w == 1)};
    float *of = (*out)->data;
    uint8_t *ou = (*out)->data;
    for (int64_t oh = 0; oh < dh; oh++)
        for (int64_t ow = 0; ow < dw; ow++)
            for (int64_t ch = 0; ch < g.c; ch++) {
                const float v = torch_value(&j, oh, ow, ch);
                const size_t i = (size_t)((oh * dw + ow) * g.c + ch);
                if (g.dtype == XA_F32) {
                    of[i] = v;
                } else {
                    const float r = nearbyintf(v); /* torch.round: half to even */
                    ou[i] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
                }
            }
    free(taps);
    return XA_OK;
}
