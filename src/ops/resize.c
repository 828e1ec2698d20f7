/* Resize dispatch: method names and the common argument checks. */
#include "ops_internal.h"
#include "resize_internal.h"

#include <string.h>

static const char *const names[XA_RESIZE_METHOD_COUNT] = {
    [XA_RESIZE_CV_NEAREST] = "cv2-nearest",
    [XA_RESIZE_CV_NEAREST_EXACT] = "cv2-nearest-exact",
    [XA_RESIZE_CV_LINEAR] = "cv2-linear",
    [XA_RESIZE_CV_LINEAR_EXACT] = "cv2-linear-exact",
    [XA_RESIZE_CV_AREA] = "cv2-area",
    [XA_RESIZE_CV_CUBIC] = "cv2-cubic",
    [XA_RESIZE_CV_LANCZOS4] = "cv2-lanczos4",
    [XA_RESIZE_PIL_NEAREST] = "pil-nearest",
    [XA_RESIZE_PIL_BOX] = "pil-box",
    [XA_RESIZE_PIL_BILINEAR] = "pil-bilinear",
    [XA_RESIZE_PIL_HAMMING] = "pil-hamming",
    [XA_RESIZE_PIL_BICUBIC] = "pil-bicubic",
    [XA_RESIZE_PIL_LANCZOS] = "pil-lanczos",
    [XA_RESIZE_TORCH_BILINEAR] = "torch-bilinear",
    [XA_RESIZE_TORCH_BILINEAR_NOFMA] = "torch-bilinear-nofma",
    [XA_RESIZE_TORCH_BILINEAR_CL] = "torch-bilinear-cl",
    [XA_RESIZE_TORCH_NEAREST] = "torch-nearest",
    [XA_RESIZE_TORCH_NEAREST_EXACT] = "torch-nearest-exact",
    [XA_RESIZE_TORCH_BICUBIC] = "torch-bicubic",
    [XA_RESIZE_TORCH_BICUBIC_NOFMA] = "torch-bicubic-nofma",
    [XA_RESIZE_TORCH_AREA] = "torch-area",
    [XA_RESIZE_TORCH_AREA_CL] = "torch-area-cl",
    [XA_RESIZE_TORCH_BILINEAR_AA] = "torch-bilinear-aa",
    [XA_RESIZE_TORCH_BILINEAR_AA_NOFMA] = "torch-bilinear-aa-nofma",
    [XA_RESIZE_TORCH_BICUBIC_AA] = "torch-bicubic-aa",
    [XA_RESIZE_TORCH_BICUBIC_AA_NOFMA] = "torch-bicubic-aa-nofma",
};

const char *xa_resize_method_name(xa_resize_method m) {
    return (unsigned)m < XA_RESIZE_METHOD_COUNT ? names[m] : "invalid";
}

xa_status xa_resize_method_from_name(const char *name, xa_resize_method *m) {
    for (int i = 0; name && i < XA_RESIZE_METHOD_COUNT; i++)
        if (!strcmp(name, names[i])) {
            *m = (xa_resize_method)i;
            return XA_OK;
        }
    return XA_EINVAL;
}

xa_status xa_resize_view_of(const xa_tensor *t, xa_img_view *v, xa_error *err) {
    xa_status st = xa_img_view_of(t, XA_LAYOUT_HWC, XA_DT(XA_U8) | XA_DT(XA_F32), "resize", v, err);
    if (st) return st;
    if (v->rank == 4) return xa_fail(err, XA_EINVAL, "resize: one image (H x W x C), not a batch");
    if (v->c != 1 && v->c != 3 && v->c != 4)
        return xa_fail(err, XA_EINVAL, "resize: images have 1, 3 or 4 channels; got %lld",
                       (long long)v->c);
    return XA_OK;
}

xa_status xa_resize(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                    xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view g;
    xa_status st = xa_resize_view_of(src, &g, err);
    if (st) return st;
    if (dw < 1 || dh < 1 || dw > XA_RESIZE_MAX_DIM || dh > XA_RESIZE_MAX_DIM)
        return xa_fail(err, XA_EINVAL, "output size %lldx%lld is outside 1..%d", (long long)dw,
                       (long long)dh, XA_RESIZE_MAX_DIM);
    if ((unsigned)m >= XA_RESIZE_METHOD_COUNT)
        return xa_fail(err, XA_EINVAL, "unknown resize method %d", (int)m);
    uint64_t bytes = (uint64_t)dw * (uint64_t)dh * (uint64_t)g.c * xa_dtype_size(g.dtype);
    if ((st = xa_ops_check_output(bytes, dw, dh, err))) return st;
    if (m <= XA_RESIZE_CV_LANCZOS4) return xa_resize_cv(src, dw, dh, m, out, err);
    if (m <= XA_RESIZE_PIL_LANCZOS) return xa_resize_pil(src, dw, dh, m, out, err);
    if (m <= XA_RESIZE_TORCH_BILINEAR_CL) return xa_resize_torch(src, dw, dh, m, out, err);
    return xa_resize_torch_modes(src, dw, dh, m, out, err);
}
