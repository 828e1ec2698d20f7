/* ToTensor / Normalize and the normalisation forms ports write instead (numpy, sail convert_to),
 * plus the INT8 input quantisation. Each form is reproduced in its own precision and order, so
 * that xalign can tell which one produced a tensor: they differ in the last bits of float32. */
#include "transform_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- torchvision ToTensor ----------------------------------------------------------------------
 */
/* torchvision 0.14 F.to_tensor on an ndarray: pic[:, :, None] for 2-D, transpose (2, 0, 1), and for
 * uint8 `.to(float32).div(255)`: a float32 true division by 255.0f (x * (1/255.f) differs on 126
 * of the 256 values). Other dtypes come back transposed, unchanged. */
xa_status xa_tv_to_tensor(const xa_tensor *src, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_status st =
        xa_img_view_of(src, XA_LAYOUT_HWC, XA_DT(XA_U8) | XA_DT(XA_F32), "to-tensor", &v, err);
    if (st) return st;
    if (v.rank == 4)
        return xa_fail(err, XA_EINVAL, "to-tensor: pic should be 2/3 dimensional, got 4");
    int64_t shape[3] = {v.c, v.h, v.w};
    if ((st = xa_tensor_new(XA_F32, 3, shape, out, err))) return st;
    float *d = (*out)->data;
    int64_t hw = v.h * v.w;
    if (v.dtype == XA_U8) {
        const uint8_t *s = src->data;
        for (int64_t i = 0; i < hw; i++)
            for (int64_t c = 0; c < v.c; c++) d[c * hw + i] = (float)s[i * v.c + c] / 255.0f;
    } else {
        const float *s = src->data;
        for (int64_t i = 0; i < hw; i++)
            for (int64_t c = 0; c < v.c; c++) d[c * hw + i] = s[i * v.c + c];
    }
    return XA_OK;
}

/* ---- torchvision Normalize ------------------------------------------------------------------- */
/* torchvision 0.14 F.normalize -> F_t.normalize: mean/std become float32 tensors
 * (torch.as_tensor(..., dtype=float32): nearest float), (std == 0).any() raises, then
 * tensor.sub_(mean).div_(std): two float32 operations, a true division. */
xa_status xa_tv_normalize(const xa_tensor *src, const double *mean, const double *std, int n,
                          xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_status st = xa_img_view_of(src, XA_LAYOUT_CHW, XA_DT(XA_F32), "normalize", &v, err);
    if (st) return st;
    if (v.rank < 3)
        return xa_fail(err, XA_EINVAL,
                       "normalize: expected a tensor image of size (..., C, H, W), got rank %d",
                       v.rank);
    if ((st = xa_check_channel_consts(&v, n, mean, std, "normalize", err))) return st;
    float m[XA_TRANSFORM_MAX_CHANNELS], s[XA_TRANSFORM_MAX_CHANNELS];
    for (int k = 0; k < n; k++) {
        m[k] = (float)mean[k], s[k] = (float)std[k];
        if (s[k] == 0.0f)
            return xa_fail(err, XA_EINVAL,
                           "normalize: std evaluated to zero after conversion to float32, "
                           "leading to division by zero (std[%d] = %g)",
                           k, std[k]);
    }
    if ((st = xa_tensor_dup_native(src, out, err))) return st;
    float *d = (*out)->data;
    int64_t count = xa_tensor_count(src);
    xa_chan_iter it = xa_chan_start(&v);
    for (int64_t i = 0; i < count; i++, xa_chan_next(&it)) {
        int64_t k = n == 1 ? 0 : it.c;
        d[i] = (d[i] - m[k]) / s[k];
    }
    return XA_OK;
}

/* ---- numpy forms
 * --------------------------------------------------------------------------------- */
/* Element i of a uint8 or float32 tensor as double (exact). */
static inline double in_f64(const void *data, xa_dtype dt, int64_t i) {
    return dt == XA_U8 ? (double)((const uint8_t *)data)[i] : (double)((const float *)data)[i];
}

static void store(void *data, xa_dtype dt, int64_t i, double v) {
    if (dt == XA_F64)
        ((double *)data)[i] = v;
    else
        ((float *)data)[i] = (float)v;
}

xa_status xa_np_normalize(const xa_tensor *src, xa_layout layout, xa_np_norm_form form,
                          xa_dtype const_dtype, const double *mean, const double *std, int n,
                          xa_dtype out_dtype, xa_tensor **out, xa_error *err) {
    *out = NULL;
    const char *op = "numpy-normalize";
    xa_img_view v;
    xa_status st = xa_img_view_of(src, layout, XA_DT(XA_U8) | XA_DT(XA_F32), op, &v, err);
    if (st) return st;
    if ((st = xa_check_channel_consts(&v, n, mean, std, op, err))) return st;
    if (form != XA_NP_NORM_SEED && form != XA_NP_NORM_DIV && form != XA_NP_NORM_SUB)
        return xa_fail(err, XA_EINVAL, "%s: unknown form %d", op, (int)form);
    if (const_dtype != XA_F64 && const_dtype != XA_F32)
        return xa_fail(err, XA_EINVAL, "%s: the constants are float64 or float32 arrays", op);
    if (out_dtype != XA_DTYPE_INVALID && out_dtype != XA_F32 && out_dtype != XA_F64)
        return xa_fail(err, XA_EINVAL, "%s: output dtype must be float32 or float64", op);
    /* numpy 1.24 promotion. SEED: img - mean with uint8/float32 img and float32/float64 mean.
     * DIV: img / 255 is float64 for uint8 (true_divide of integers), float32 for float32 (the
     * Python int 255 takes the array's type); then (t - mean) / std promotes with the constants.
     * SUB: img - mean promotes uint8/float32 img with the constants' dtype. */
    int wide;
    if (form == XA_NP_NORM_SEED || form == XA_NP_NORM_SUB)
        wide = const_dtype == XA_F64;
    else
        wide = v.dtype == XA_U8 || const_dtype == XA_F64;
    xa_dtype natural = wide ? XA_F64 : XA_F32;
    /* the constants as the arrays hold them */
    double m64[XA_TRANSFORM_MAX_CHANNELS], s64[XA_TRANSFORM_MAX_CHANNELS];
    float m32[XA_TRANSFORM_MAX_CHANNELS], s32[XA_TRANSFORM_MAX_CHANNELS];
    for (int k = 0; k < n; k++) {
        if (form == XA_NP_NORM_SEED) {
            /* mean = np.array(mean) * 255.0; scale = np.array([1/std, ...]) * 1 / 255.0, where
             * 1/std is a Python double; "* 1" is exact, "/ 255.0" runs in the array's dtype */
            m64[k] = mean[k] * 255.0, s64[k] = (1.0 / std[k]) / 255.0;
            m32[k] = (float)mean[k] * 255.0f, s32[k] = (float)(1.0 / std[k]) / 255.0f;
        } else {
            m32[k] = (float)mean[k], s32[k] = (float)std[k];
            /* float32 arrays are promoted to float64 by a float64 operand */
            m64[k] = const_dtype == XA_F32 ? m32[k] : mean[k];
            s64[k] = const_dtype == XA_F32 ? s32[k] : std[k];
        }
    }
    if ((st = xa_img_new(&v, out_dtype ? out_dtype : natural, v.h, v.w, 1, out, err))) return st;
    void *d = (*out)->data;
    xa_dtype od = (*out)->dtype;
    int64_t count = xa_tensor_count(src);
    xa_chan_iter it = xa_chan_start(&v);
    for (int64_t i = 0; i < count; i++, xa_chan_next(&it)) {
        int64_t k = n == 1 ? 0 : it.c;
        double x = in_f64(src->data, v.dtype, i), r;
        if (form == XA_NP_NORM_SEED) {
            r = wide ? (x - m64[k]) * s64[k] : ((float)x - m32[k]) * s32[k];
        } else if (form == XA_NP_NORM_SUB) {
            r = wide ? (x - m64[k]) / s64[k] : (double)(((float)x - m32[k]) / s32[k]);
        } else if (!wide) {
            float t = (float)x / 255.0f;
            r = (t - m32[k]) / s32[k];
        } else {
            /* uint8: x / 255 in float64; float32 input: the float32 quotient, promoted to
             * float64 by the float64 constants */
            double t = v.dtype == XA_U8 ? x / 255.0 : (double)((float)x / 255.0f);
            r = (t - m64[k]) / s64[k];
        }
        store(d, od, i, r);
    }
    return XA_OK;
}

/* ---- sail convert_to ---------------------------------------------------------------------------
 */
/* libsophon bmcv_image_convert_to: y = alpha_c * x + beta_c per channel plane, float attributes.
 * Its CPU reference (bmvid/bmcv/test/test_convert_to.cpp convert_to_ref) computes
 * ((float)x) * alpha + beta in float. */
xa_status xa_sail_convert_to(const xa_tensor *src, xa_layout layout, const float *alpha,
                             const float *beta, int n, int fused, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_status st = xa_img_view_of(src, layout, XA_DT(XA_U8) | XA_DT(XA_F32), "convert-to", &v, err);
    if (st) return st;
    if ((st = xa_check_channel_consts(&v, n, alpha, beta, "convert-to", err))) return st;
    if ((st = xa_img_new(&v, XA_F32, v.h, v.w, 1, out, err))) return st;
    float *d = (*out)->data;
    int64_t count = xa_tensor_count(src);
    xa_chan_iter it = xa_chan_start(&v);
    for (int64_t i = 0; i < count; i++, xa_chan_next(&it)) {
        int64_t k = n == 1 ? 0 : it.c;
        float x = (float)in_f64(src->data, v.dtype, i);
        d[i] = fused ? fmaf(alpha[k], x, beta[k])
                     : alpha[k] * x + beta[k]; /* -ffp-contract=off: two roundings */
    }
    return XA_OK;
}

xa_status xa_sail_alpha_beta(const double *mean, const double *std, int n, double input_scale,
                             xa_sail_ab_form form, float *alpha, float *beta, xa_error *err) {
    if (!mean || !std || !alpha || !beta || n < 1 || n > XA_TRANSFORM_MAX_CHANNELS)
        return xa_fail(err, XA_EINVAL, "alpha-beta: need 1..%d means and stds",
                       XA_TRANSFORM_MAX_CHANNELS);
    if (form != XA_SAIL_AB_SEED && form != XA_SAIL_AB_DEMO)
        return xa_fail(err, XA_EINVAL, "alpha-beta: unknown form %d", (int)form);
    for (int k = 0; k < n; k++) {
        if (std[k] == 0) return xa_fail(err, XA_EINVAL, "alpha-beta: std[%d] is zero", k);
        /* Python evaluates left to right in doubles; pybind11 rounds to the float parameter */
        double a = form == XA_SAIL_AB_SEED ? 1 / std[k] / 255.0 : 1 / (255. * std[k]);
        double b = -mean[k] / std[k];
        alpha[k] = (float)(a * input_scale);
        beta[k] = (float)(b * input_scale);
    }
    return XA_OK;
}

xa_status xa_sail_mean_std(const float *alpha, const float *beta, int n, double input_scale,
                           double *mean, double *std, xa_error *err) {
    if (!mean || !std || !alpha || !beta || n < 1 || n > XA_TRANSFORM_MAX_CHANNELS)
        return xa_fail(err, XA_EINVAL, "mean-std: need 1..%d alphas and betas",
                       XA_TRANSFORM_MAX_CHANNELS);
    for (int k = 0; k < n; k++) {
        if (alpha[k] == 0) return xa_fail(err, XA_EINVAL, "mean-std: alpha[%d] is zero", k);
        std[k] = input_scale / (255.0 * (double)alpha[k]);
        mean[k] = -(double)beta[k] / (255.0 * (double)alpha[k]);
    }
    return XA_OK;
}

/* ---- INT8 input quantisation
 * ----------------------------------------------------------------------- */
/* x86 float -> int32 conversions (cvtss2si / cvttss2si, cvtps2dq): NaN and values outside int32
 * give the "integer indefinite" INT32_MIN. */
static int32_t x86_cvt(float r) { /* r already integral */
    return (r >= -2147483648.0f && r < 2147483648.0f) ? (int32_t)r : INT32_MIN;
}
/* AArch64 FCVTZS/FCVTNS: saturating, NaN -> 0. */
static int32_t arm_cvt(float r) {
    if (isnan(r)) return 0;
    if (r >= 2147483648.0f) return INT32_MAX;
    if (r < -2147483648.0f) return INT32_MIN;
    return (int32_t)r;
}
static int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* sophon-sail src/internal.h. p = x * scale is a float product everywhere.
 *  - AnyScale / TRANSFER_INT (builds without SIMD): v = std::round(p) as float, clamped in float
 *    with SAIL_MAX/SAIL_MIN ((v >= lo) ? v : lo: NaN -> lo), converted: int8 [-127, 127].
 *  - scale_fp32_to_int8/uint8 (x86-64): blocks of 4 with _mm_mul_ps, _mm_cvtps_epi32 (half to
 *    even), _mm_packs_epi32 + _mm_packs_epi16 (int8 saturation [-128, 127]) or _mm_packus_epi32 +
 *    _mm_packus_epi16 (uint8: the second pack reads the unsigned 16-bit result as signed, so values
 *    of 32768..65535 become 0); the last n % 4 elements: int v = std::round(p) (cvttss2si) then
 *    clamped to [-127, 127] / [0, 255].
 *  - aarch64: blocks of 8 with vcvtnq_s32_f32 / vcvtnq_u32_f32 (ties to even, saturating, NaN 0)
 *    clamped to [-128, 127] / [0, 255]; the same scalar tail (fcvtzs saturates). */
static int32_t q_half_away(float p, int32_t lo, int32_t hi) {
    float v = roundf(p);
    v = v >= (float)lo ? v : (float)lo; /* SAIL_MAX */
    v = v <= (float)hi ? v : (float)hi; /* SAIL_MIN */
    return (int32_t)v;
}
static int32_t q_half_even(float p, int32_t lo, int32_t hi) {
    if (isnan(p)) return 0;
    float v = rintf(p);
    return v < (float)lo ? lo : v > (float)hi ? hi : (int32_t)v;
}
static int32_t q_sse_block(float p, int u8) {
    int32_t v = x86_cvt(rintf(p)); /* cvtps2dq in the default MXCSR mode: round half to even */
    if (!u8) return clamp_i32(v, -128, 127); /* packs_epi32 to int16, packs_epi16 to int8 */
    int32_t h = clamp_i32(v, 0, 65535);      /* packus_epi32: unsigned 16-bit */
    int16_t hs = (int16_t)(uint16_t)h;       /* packus_epi16 reads it as signed 16-bit */
    return clamp_i32(hs, 0, 255);
}
static int32_t q_neon_block(float p, int u8) {
    if (!u8) return clamp_i32(arm_cvt(rintf(p)), -128, 127);
    if (isnan(p) || rintf(p) <= 0) return 0; /* vcvtnq_u32_f32: negative and NaN give 0 */
    return rintf(p) >= 255.0f ? 255 : (int32_t)rintf(p);
}
static int32_t q_tail(float p, int u8, int arm) { /* int v = std::round(p); min(max(v, lo), hi) */
    float r = roundf(p);
    int32_t v = arm ? arm_cvt(r) : x86_cvt(r);
    return u8 ? clamp_i32(v, 0, 255) : clamp_i32(v, -127, 127);
}

xa_status xa_quantize_input(const xa_tensor *src, float scale, xa_dtype out_dtype,
                            xa_quant_mode mode, xa_tensor **out, xa_error *err) {
    *out = NULL;
    if (!src) return xa_fail(err, XA_EINVAL, "quantize: no input tensor");
    if (src->dtype != XA_F32)
        return xa_fail(err, XA_EINVAL, "quantize: float32 input expected, got %s",
                       xa_dtype_name(src->dtype));
    if (src->fortran_order && src->rank > 1)
        return xa_fail(err, XA_EINVAL, "quantize: data must be in C order");
    if (src->swapped) return xa_fail(err, XA_EINVAL, "quantize: data must be in native byte order");
    if (out_dtype != XA_I8 && out_dtype != XA_U8)
        return xa_fail(err, XA_EINVAL, "quantize: output is int8 or uint8");
    if ((unsigned)mode >= XA_QUANT_MODE_COUNT)
        return xa_fail(err, XA_EINVAL, "quantize: unknown rounding mode %d", (int)mode);
    xa_status st = xa_tensor_new(out_dtype, src->rank, src->shape, out, err);
    if (st) return st;
    int64_t n = xa_tensor_count(src);
    const float *s = src->data;
    int u8 = out_dtype == XA_U8;
    int32_t lo = u8 ? 0 : -127, hi = u8 ? 255 : 127;
    int64_t block = mode == XA_QUANT_SAIL_X86 ? 4 : mode == XA_QUANT_SAIL_ARM ? 8 : 0;
    int64_t nblock =
        block ? n / block * block : 0; /* for (i = 0; i < size - (block-1); i += block) */
    for (int64_t i = 0; i < n; i++) {
        float p = s[i] * scale;
        int32_t q;
        if (mode == XA_QUANT_HALF_AWAY)
            q = q_half_away(p, lo, hi);
        else if (mode == XA_QUANT_HALF_EVEN)
            q = q_half_even(p, lo, hi);
        else if (i < nblock)
            q = mode == XA_QUANT_SAIL_X86 ? q_sse_block(p, u8) : q_neon_block(p, u8);
        else
            q = q_tail(p, u8, mode == XA_QUANT_SAIL_ARM);
        if (u8)
            ((uint8_t *)(*out)->data)[i] = (uint8_t)q;
        else
            ((int8_t *)(*out)->data)[i] = (int8_t)q;
    }
    return XA_OK;
}
