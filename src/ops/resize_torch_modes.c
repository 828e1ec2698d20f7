/* torch 1.13 F.interpolate modes nearest, nearest-exact, bicubic, area and antialiased
 * bilinear/bicubic, and torchvision 0.14's uint8 round trip around them
 * (docs/ops-resize-pillow-torch.md). The kernels are in resize_torch_cubic.c,
 * resize_torch_aa.c and resize_torch_area.c; nearest is here.
 *
 * uint8 (torchvision functional_tensor.resize, _cast_squeeze_in/_cast_squeeze_out): torch 1.13
 * refuses uint8 for every mode but nearest ("compute_indices_weights_cubic" not implemented for
 * 'Byte'), so torchvision converts to float32, interpolates, clamps bicubic to [0, 255], rounds
 * with torch.round (half to even) and casts back. xalign does the same for every float mode (the
 * clamp changes nothing where torchvision does not clamp: bilinear and area stay in range).
 * Nearest copies samples, so it runs on the uint8 bytes directly, which gives the same bytes as
 * the round trip and as torch's own uint8 nearest.
 */
#include "resize_torch_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Source index of output o for nearest and nearest-exact (UpSample.h, UpSampleKernel.cpp), the
 * same for both memory formats:
 *  - nearest: HelperInterpNearest::compute_indices_weights (contiguous tensors) floors the float
 *    product scale * o (area_pixel_compute_source_index with align_corners=true), scale =
 *    (float)in / out; nearest_idx (cpu_upsample_nearest_channels_last) computes the same product
 *    after two shortcuts (in == out: o; out == 2 in: o >> 1) that give the same index because the
 *    scale is then exactly 1 or 0.5.
 *  - nearest-exact: nearest_exact_idx (channels-last) floors (float)((o + 0.5) * scale), the
 *    product in double. HelperInterpNearestExact (contiguous) floors (float)(src + 0.5) with
 *    src = max(scale * (o + 0.5) - 0.5, 0) kept in double: subtracting and adding 0.5 back is
 *    exact in double (the product has at most 24 + 25 significant bits), so both give the same
 *    index. (Rounding src to float first would pick another pixel for 45 of the 13.5 million
 *    indices of sizes up to 300, tests/unit/test_resize_torch.c -- e.g. 2 -> 41, output 20 --
 *    where torch's contiguous kernel agrees with the form above; tests/oracle runs that size.)
 * Both clamp at in - 1. */
int64_t xa_torch_nearest_index(int64_t in, int64_t out, int64_t o, int exact) {
    const float scale = xa_torch_scale(in, out);
    const int64_t i = exact ? (int64_t)floorf((float)(((double)o + 0.5) * (double)scale))
                            : (int64_t)floorf(scale * (float)o);
    return i < in - 1 ? i : in - 1;
}

/* Nearest: copy the selected pixel (all its channels) for every output position. */
static xa_status torch_nearest(const xa_tensor *src, const xa_img_view *g, int64_t dw, int64_t dh,
                               int exact, xa_tensor *out, xa_error *err) {
    int64_t *xs = malloc(sizeof(int64_t) * (size_t)dw);
    if (!xs) return xa_fail(err, XA_ENOMEM, "out of memory for %lld indices", (long long)dw);
    const size_t px = (size_t)g->c * xa_dtype_size(g->dtype);
    for (int64_t ow = 0; ow < dw; ow++)
        xs[ow] = xa_torch_nearest_index(g->w, dw, ow, exact) * (int64_t)px;
    const unsigned char *s = src->data;
    unsigned char *d = out->data;
    for (int64_t oh = 0; oh < dh; oh++) {
        const unsigned char *row =
            s + (size_t)xa_torch_nearest_index(g->h, dh, oh, exact) * (size_t)g->w * px;
        for (int64_t ow = 0; ow < dw; ow++, d += px) memcpy(d, row + xs[ow], px);
    }
    free(xs);
    return XA_OK;
}

xa_status xa_resize_torch_modes(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                                xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view g;
    xa_status st = xa_resize_view_of(src, &g, err);
    if (st) return st;
    if ((st = xa_img_new(&g, g.dtype, dh, dw, 0, out, err))) return st;
    if (m == XA_RESIZE_TORCH_NEAREST || m == XA_RESIZE_TORCH_NEAREST_EXACT) {
        st = torch_nearest(src, &g, dw, dh, m == XA_RESIZE_TORCH_NEAREST_EXACT, *out, err);
    } else {
        /* the float32 destination: the output itself, or for uint8 a float32 image rounded
         * into it at the end (uint8 sources are read as float32 by the kernels) */
        const size_t nout = (size_t)(dh * dw * g.c);
        float *fout = NULL;
        if (g.dtype == XA_U8 && sizeof(float) * (uint64_t)nout > XA_OPS_MAX_OUTPUT_BYTES)
            st = xa_fail(err, XA_ELIMIT,
                         "the float32 %lldx%lld image of the uint8 round trip exceeds the limit "
                         "of %llu bytes",
                         (long long)dw, (long long)dh, (unsigned long long)XA_OPS_MAX_OUTPUT_BYTES);
        else if (g.dtype == XA_U8 && !(fout = malloc(sizeof(float) * nout)))
            st = xa_fail(err, XA_ENOMEM, "out of memory for a %lldx%lld float32 image",
                         (long long)dw, (long long)dh);
        const xa_torch_img im = {
            src->data, g.dtype == XA_U8, g.h, g.w, g.c, fout ? fout : (*out)->data, dh, dw, 0};
        if (!st) {
            switch (m) {
            case XA_RESIZE_TORCH_BICUBIC:
            case XA_RESIZE_TORCH_BICUBIC_NOFMA:
                st = xa_torch_bicubic(&im, m == XA_RESIZE_TORCH_BICUBIC, err);
                break;
            case XA_RESIZE_TORCH_AREA:
            case XA_RESIZE_TORCH_AREA_CL:
                st = xa_torch_area(&im, m == XA_RESIZE_TORCH_AREA_CL, err);
                break;
            case XA_RESIZE_TORCH_BILINEAR_AA:
            case XA_RESIZE_TORCH_BILINEAR_AA_NOFMA:
                st = xa_torch_aa(&im, 0, m == XA_RESIZE_TORCH_BILINEAR_AA, err);
                break;
            case XA_RESIZE_TORCH_BICUBIC_AA:
            case XA_RESIZE_TORCH_BICUBIC_AA_NOFMA:
                st = xa_torch_aa(&im, 1, m == XA_RESIZE_TORCH_BICUBIC_AA, err);
                break;
            default:
                st = xa_fail(err, XA_EINVAL, "%s is not a torch method", xa_resize_method_name(m));
            }
        }
        if (!st && fout) {
            /* clamp(0, 255) (bicubic), torch.round (half to even), .to(torch.uint8) */
            uint8_t *d = (*out)->data;
            for (size_t i = 0; i < nout; i++) {
                const float v = fout[i] < 0 ? 0 : fout[i] > 255 ? 255 : fout[i];
                d[i] = (uint8_t)nearbyintf(v);
            }
        }
        free(fout);
    }
    if (st) {
        xa_tensor_free(*out);
        *out = NULL;
    }
    return st;
}
