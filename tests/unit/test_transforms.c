/* Transforms: argument validation and error messages (the oracle test covers the values), the
 * convert_to alpha/beta inverse, and pad/crop as inverses of each other. */
#include "test.h"
#include "xalign/xalign.h"

#include <math.h>
#include <string.h>

static xa_tensor *img_u8(int rank, const int64_t *shape) {
    xa_tensor *t = NULL;
    if (xa_tensor_new(XA_U8, rank, shape, &t, NULL)) return NULL;
    for (size_t i = 0; i < t->nbytes; i++) ((uint8_t *)t->data)[i] = (uint8_t)(i * 37 + 11);
    return t;
}

static int fails_with(xa_status st, const xa_error *e, xa_status want, const char *text) {
    return st == want && e->status == want && strstr(e->message, text) != NULL;
}

int main(void) {
    xa_error e;
    xa_tensor *out = (xa_tensor *)1;
    int64_t s3[3] = {5, 7, 3}, s1[1] = {9};
    xa_tensor *img = img_u8(3, s3), *vec = img_u8(1, s1);
    CHECK(img && vec);

    /* NULL and wrong ranks: an error naming the operation, *out NULL */
    memset(&e, 0, sizeof e);
    xa_status st = xa_crop(NULL, XA_LAYOUT_HWC, 0, 0, 1, 1, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "crop: no input") && out == NULL);
    st = xa_tv_center_crop(vec, XA_LAYOUT_HWC, 2, 2, &out, &e);
    CHECKF(fails_with(st, &e, XA_EINVAL, "center-crop: an image is") && out == NULL, "%s",
           e.message);
    st = xa_swap_rb(vec, XA_LAYOUT_CHW, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "rank 1"));
    st = xa_crop(img, (xa_layout)7, 0, 0, 1, 1, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "unknown layout"));

    /* storage the transforms refuse: Fortran order, swapped bytes */
    img->fortran_order = 1;
    st = xa_pad_constant(img, XA_LAYOUT_HWC, 1, 1, 1, 1, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "C order"));
    img->fortran_order = 0;
    img->swapped = 1;
    st = xa_tv_to_tensor(img, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "native byte order"));
    img->swapped = 0;

    /* sizes and limits */
    st = xa_crop(img, XA_LAYOUT_HWC, 0, 0, 0, 3, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "outside 1.."));
    st = xa_crop(img, XA_LAYOUT_HWC, 0, 0, XA_TRANSFORM_MAX_DIM + 1, 3, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "outside 1.."));
    st = xa_crop(img, XA_LAYOUT_HWC, INT64_MIN, 0, 2, 2, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "out of range"));
    st = xa_pad_constant(img, XA_LAYOUT_HWC, -1, 0, 0, 0, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "border sizes"));
    int64_t ow, oh;
    st = xa_tv_resize_size(500, 375, 256, 256, &ow, &oh, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "strictly greater"));
    st = xa_tv_resize_size(0, 375, 256, 0, &ow, &oh, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "image size"));

    /* a non-zero fill needs a dtype cv::Scalar converts to */
    xa_tensor *i16 = NULL;
    CHECK(xa_tensor_new(XA_I16, 3, s3, &i16, NULL) == XA_OK);
    double v114 = 114, zero = 0;
    st = xa_pad_constant(i16, XA_LAYOUT_HWC, 1, 0, 0, 0, &v114, 1, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "non-zero fill"));
    st = xa_pad_constant(i16, XA_LAYOUT_HWC, 1, 0, 0, 0, &zero, 1, &out, &e);
    CHECK(st == XA_OK && out && out->shape[0] == 6);
    xa_tensor_free(out);

    /* per-channel constants */
    xa_tensor *chw = NULL;
    int64_t sc[3] = {3, 4, 4};
    CHECK(xa_tensor_new(XA_F32, 3, sc, &chw, NULL) == XA_OK);
    double mean[3] = {0.5, 0.5, 0.5}, std0[3] = {0.2, 1e-50, 0.2};
    st = xa_tv_normalize(chw, mean, std0, 3, &out, &e);
    CHECKF(fails_with(st, &e, XA_EINVAL, "std evaluated to zero"), "%s", e.message);
    st = xa_tv_normalize(chw, mean, std0, 2, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "2 constants for 3 channels"));
    st = xa_tv_normalize(img, mean, std0, 3, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "uint8 input is not supported"));
    st = xa_np_normalize(img, XA_LAYOUT_HWC, XA_NP_NORM_SEED, XA_I32, mean, std0, 3,
                         XA_DTYPE_INVALID, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "float64 or float32"));

    /* quantisation arguments */
    st = xa_quantize_input(img, 1.0f, XA_I8, XA_QUANT_HALF_AWAY, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "float32 input expected"));
    st = xa_quantize_input(chw, 1.0f, XA_I16, XA_QUANT_HALF_AWAY, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "int8 or uint8"));
    st = xa_quantize_input(chw, 1.0f, XA_I8, (xa_quant_mode)9, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "unknown rounding mode"));

    /* boxes */
    st = xa_yolov5_scale_boxes(chw, 640, 640, 500, 375, NULL, 0, &out, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "N x K"));

    /* letterbox geometry: options required, empty resize refused */
    xa_letterbox_geom g;
    st = xa_yolov5_letterbox_geometry(640, 480, NULL, &g, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "missing options"));
    xa_sail_letterbox_opts so;
    xa_sail_letterbox_defaults(&so);
    st = xa_sail_letterbox_geometry(100000, 1, &so, &g, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "(empty)"));

    /* alpha/beta and back: the inverse is exact up to the float rounding of alpha and beta
     * (2^-24 relative each), so 2^-22 relative bounds the recovered mean and std */
    double m[3] = {0.485, 0.456, 0.406}, s[3] = {0.229, 0.224, 0.225}, m2[3], s2[3];
    float a[3], b[3];
    for (int form = 0; form < 2; form++)
        for (double scale = 0.5; scale < 200; scale *= 3.7) {
            CHECK(xa_sail_alpha_beta(m, s, 3, scale, (xa_sail_ab_form)form, a, b, &e) == XA_OK);
            CHECK(xa_sail_mean_std(a, b, 3, scale, m2, s2, &e) == XA_OK);
            for (int k = 0; k < 3; k++)
                CHECKF(fabs(m2[k] - m[k]) <= m[k] * 0x1p-22 && fabs(s2[k] - s[k]) <= s[k] * 0x1p-22,
                       "form %d scale %g channel %d: mean %.17g std %.17g", form, scale, k, m2[k],
                       s2[k]);
        }
    float zero_a[1] = {0}, one_b[1] = {1};
    st = xa_sail_mean_std(zero_a, one_b, 1, 1.0, m2, s2, &e);
    CHECK(fails_with(st, &e, XA_EINVAL, "alpha[0] is zero"));

    /* pad then crop back is the identity, in both layouts */
    for (int layout = 0; layout < 2; layout++) {
        xa_tensor *p = NULL, *c = NULL;
        double fill[3] = {9, 8, 7};
        CHECK(xa_pad_constant(img, (xa_layout)layout, 2, 3, 4, 1, fill, 3, &p, &e) == XA_OK);
        CHECK(xa_crop(p, (xa_layout)layout, 2, 4, img->shape[layout ? 1 : 0],
                      img->shape[layout ? 2 : 1], NULL, 0, &c, &e) == XA_OK);
        CHECK(c && c->nbytes == img->nbytes && memcmp(c->data, img->data, img->nbytes) == 0);
        xa_tensor_free(p);
        xa_tensor_free(c);
    }

    xa_tensor_free(img);
    xa_tensor_free(vec);
    xa_tensor_free(i16);
    xa_tensor_free(chw);
    TEST_DONE();
}
