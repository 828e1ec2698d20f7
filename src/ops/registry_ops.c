/* The registered operations: one entry per operation (name, schema, function), each a thin
 * wrapper from a parameter handle to the bit-exact function of ops.h / io.h. The semantics and
 * the upstream function each reproduces are documented at those functions and in docs/ops-*.md;
 * the list, with every parameter and default, is printed by `xalign ops`. */
#include "registry_internal.h"
#include "xalign/io.h"
#include "xalign/nms.h"

#include <math.h>
#include <string.h>

const char xa_resize_choices_marker[] = "(resize methods)";

/* ---- shared parameter definitions ------------------------------------------------------------ */
#define DIM_RANGE .min = 1, .max = XA_RESIZE_MAX_DIM
#define P_LAYOUT                                                                                   \
    {                                                                                              \
        .name = "layout", .type = XA_PARAM_CHOICE, .dflt = "hwc", .choices = "hwc|chw",            \
        .help = "axis order of the input: hwc (numpy, cv2, PIL arrays) or chw (torch tensors)"     \
    }
#define P_MEAN(req)                                                                                \
    {                                                                                              \
        .name = "mean", .type = XA_PARAM_FLOATS, .dflt = (req), .min_count = 1, .max_count = 64,   \
        .help = "per-channel mean (one value applies to every channel)"                            \
    }
#define P_STD(req)                                                                                 \
    {                                                                                              \
        .name = "std", .type = XA_PARAM_FLOATS, .dflt = (req), .min_count = 1, .max_count = 64,    \
        .help = "per-channel standard deviation, in the order of mean"                             \
    }
#define P_METHOD(dflt_)                                                                            \
    {                                                                                              \
        .name = "method", .type = XA_PARAM_CHOICE, .dflt = (dflt_),                                \
        .choices = xa_resize_choices_marker, .help = "resize method ('xalign resize --help')"      \
    }
#define P_FILL(nm, dflt_, what)                                                                    \
    {                                                                                              \
        .name = (nm), .type = XA_PARAM_FLOATS, .dflt = (dflt_), .min_count = 1, .max_count = 64,   \
        .help = (what)                                                                             \
    }
#define NPARAMS(a) (sizeof(a) / sizeof((a)[0]))

static xa_layout layout_of(const xa_op *op) {
    return xa_op_choice_index(op, "layout") == 1 ? XA_LAYOUT_CHW : XA_LAYOUT_HWC;
}

static xa_status mean_std(const xa_op *op, xa_error *err) {
    int nm, ns;
    xa_op_floats(op, "mean", &nm);
    xa_op_floats(op, "std", &ns);
    if (nm != ns)
        return xa_fail(err, XA_EINVAL,
                       "%s: mean has %d values and std %d; give both with the same "
                       "number",
                       xa_op_get_info(op)->name, nm, ns);
    return XA_OK;
}

/* ---- decode ---------------------------------------------------------------------------------- */
static xa_param_info decode_params[] = {
    {.name = "like",
     .type = XA_PARAM_CHOICE,
     .dflt = "pil",
     .choices = "pil|cv2",
     .help =
         "pil: Image.open().convert('RGB'), RGB; cv2: cv2.imread, BGR, EXIF orientation applied",
     .alias = "method"},
    {.name = "gray",
     .type = XA_PARAM_BOOL,
     .dflt = "false",
     .help = "one channel: convert('L') or IMREAD_GRAYSCALE"},
    {.name = "fancy-upsampling",
     .type = XA_PARAM_BOOL,
     .dflt = "true",
     .help = "libjpeg's smooth chroma upsampling; false models hardware JPEG units"},
    {.name = "dct",
     .type = XA_PARAM_CHOICE,
     .dflt = "islow",
     .choices = "islow|ifast|float",
     .help = "libjpeg DCT method"},
    {.name = "ignore-orientation",
     .type = XA_PARAM_BOOL,
     .dflt = "false",
     .help = "cv2.IMREAD_IGNORE_ORIENTATION (cv2 only)"},
};
static xa_status run_decode(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                            xa_error *err) {
    const xa_tensor *t = in[0];
    if (t->dtype != XA_U8 || t->rank != 1)
        return xa_fail(err, XA_EINVAL,
                       "decode takes the file's bytes (a 1-D uint8 tensor), got %s "
                       "of rank %d",
                       xa_dtype_name(t->dtype), t->rank);
    xa_decode_options o;
    xa_decode_options_init(&o);
    o.like = xa_op_choice_index(op, "like") == 1 ? XA_DECODE_CV2 : XA_DECODE_PIL;
    o.gray = xa_op_bool(op, "gray");
    o.fancy_upsampling = xa_op_bool(op, "fancy-upsampling");
    o.dct = (xa_dct_method)xa_op_choice_index(op, "dct");
    o.ignore_orientation = xa_op_bool(op, "ignore-orientation");
    if (o.ignore_orientation && o.like != XA_DECODE_CV2)
        return xa_fail(err, XA_EINVAL,
                       "decode: ignore-orientation is a cv2 flag; PIL never applies "
                       "the EXIF orientation");
    xa_decode_info info;
    xa_status st = xa_image_decode_memory(t->data, t->nbytes, &o, out, &info, err);
    if (!st) xa_op_set_note(op, "%s", info.settings);
    return st;
}

/* ---- resizes --------------------------------------------------------------------------------- */
static xa_param_info resize_params[] = {
    P_METHOD(NULL),
    {.name = "size", .type = XA_PARAM_SIZE, DIM_RANGE, .help = "output WIDTHxHEIGHT"},
};
static xa_status run_resize(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                            xa_error *err) {
    int64_t w, h;
    xa_op_size(op, "size", &w, &h);
    return xa_resize(in[0], w, h, xa_op_method(op, "method"), out, err);
}

static xa_param_info tv_resize_params[] = {
    {.name = "short",
     .type = XA_PARAM_INT,
     DIM_RANGE,
     .help = "torchvision Resize(N): the shorter side becomes N"},
    {.name = "max-size",
     .type = XA_PARAM_INT,
     .dflt = "0",
     .min = 0,
     .max = XA_RESIZE_MAX_DIM,
     .help = "Resize's max_size: the longer side's limit (0: none)"},
    P_METHOD("pil-bilinear"),
};
static xa_status geom_tv_resize(const xa_op *op, int64_t w, int64_t h, xa_letterbox_geom *g,
                                xa_error *err) {
    memset(g, 0, sizeof *g);
    g->src_w = w, g->src_h = h;
    xa_status st = xa_tv_resize_size(w, h, xa_op_int(op, "short"), xa_op_int(op, "max-size"),
                                     &g->new_w, &g->new_h, err);
    if (st) return st;
    g->out_w = g->new_w, g->out_h = g->new_h;
    g->ratio_w = (double)g->new_w / (double)w, g->ratio_h = (double)g->new_h / (double)h;
    g->resized = g->new_w != w || g->new_h != h;
    return XA_OK;
}
static xa_status run_tv_resize(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                               xa_error *err) {
    xa_status st = xa_tv_resize(in[0], xa_op_int(op, "short"), xa_op_int(op, "max-size"),
                                xa_op_method(op, "method"), out, err);
    if (!st && (*out)->rank >= 2)
        xa_op_set_note(op, "to %lldx%lld", (long long)(*out)->shape[1],
                       (long long)(*out)->shape[0]);
    return st;
}

/* ---- windows --------------------------------------------------------------------------------- */
static xa_param_info center_crop_params[] = {
    {.name = "size",
     .type = XA_PARAM_SIZE,
     DIM_RANGE,
     .square_ok = 1,
     .help = "crop WIDTHxHEIGHT (N: NxN, as CenterCrop(N))"},
    P_LAYOUT,
};
static xa_status run_center_crop(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                 xa_error *err) {
    int64_t w, h;
    xa_op_size(op, "size", &w, &h);
    return xa_tv_center_crop(in[0], layout_of(op), h, w, out, err);
}

static xa_param_info crop_params[] = {
    {.name = "top",
     .type = XA_PARAM_INT,
     .min = -XA_TRANSFORM_MAX_DIM,
     .max = XA_TRANSFORM_MAX_DIM,
     .help = "first row (may be outside the image)"},
    {.name = "left",
     .type = XA_PARAM_INT,
     .min = -XA_TRANSFORM_MAX_DIM,
     .max = XA_TRANSFORM_MAX_DIM,
     .help = "first column"},
    {.name = "size",
     .type = XA_PARAM_SIZE,
     DIM_RANGE,
     .square_ok = 1,
     .help = "window WIDTHxHEIGHT"},
    P_FILL("value", "0", "fill outside the image, per channel"),
    P_LAYOUT,
};
static xa_status run_crop(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                          xa_error *err) {
    int64_t w, h;
    int nv;
    xa_op_size(op, "size", &w, &h);
    const double *v = xa_op_floats(op, "value", &nv);
    return xa_crop(in[0], layout_of(op), xa_op_int(op, "top"), xa_op_int(op, "left"), h, w, v, nv,
                   out, err);
}

static xa_param_info pad_params[] = {
    {.name = "pad",
     .type = XA_PARAM_INTS,
     .min_count = 4,
     .max_count = 4,
     .min = 0,
     .max = XA_TRANSFORM_MAX_DIM,
     .help = "border TOP,BOTTOM,LEFT,RIGHT in pixels"},
    P_FILL("value", "0", "border value per channel; channels beyond the list get 0, as cv::Scalar"),
    P_LAYOUT,
};
static xa_status run_pad(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                         xa_error *err) {
    int np, nv;
    const double *p = xa_op_floats(op, "pad", &np);
    const double *v = xa_op_floats(op, "value", &nv);
    return xa_pad_constant(in[0], layout_of(op), (int64_t)p[0], (int64_t)p[1], (int64_t)p[2],
                           (int64_t)p[3], v, nv, out, err);
}

/* ---- ToTensor / Normalize and the port forms ------------------------------------------------- */
static xa_status run_to_tensor(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                               xa_error *err) {
    return xa_tv_to_tensor(in[0], out, err);
}

static xa_param_info normalize_params[] = {P_MEAN(NULL), P_STD(NULL)};
static xa_status run_normalize(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                               xa_error *err) {
    int nm;
    const double *mean = xa_op_floats(op, "mean", &nm), *std = xa_op_floats(op, "std", &nm);
    return xa_tv_normalize(in[0], mean, std, nm, out, err);
}
static xa_status run_to_tensor_normalize(xa_op *op, const xa_tensor *const *in, size_t n,
                                         xa_tensor **out, xa_error *err) {
    xa_tensor *t = NULL;
    xa_status st = xa_tv_to_tensor(in[0], &t, err);
    if (!st) {
        const xa_tensor *tt = t;
        st = run_normalize(op, &tt, 1, out, err);
    }
    xa_tensor_free(t);
    return st;
}

static xa_param_info np_normalize_params[] = {
    P_MEAN(NULL),
    P_STD(NULL),
    {.name = "form",
     .type = XA_PARAM_CHOICE,
     .dflt = "seed",
     .choices = "seed|div|sub",
     .help = "seed: (img - mean*255) * (1/std/255); div: (img/255 - mean)/std; sub: (img - "
             "mean)/std on an image already in 0..1"},
    {.name = "const-dtype",
     .type = XA_PARAM_CHOICE,
     .dflt = "f64",
     .choices = "f64|f32",
     .help = "dtype of np.array(mean/std): f64 for Python floats, f32 with dtype=np.float32"},
    {.name = "out-dtype",
     .type = XA_PARAM_CHOICE,
     .dflt = "keep",
     .choices = "keep|f32|f64",
     .help = "astype of the result (keep: numpy's promoted dtype)"},
    P_LAYOUT,
};
static xa_status run_np_normalize(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                  xa_error *err) {
    int nm;
    const double *mean = xa_op_floats(op, "mean", &nm), *std = xa_op_floats(op, "std", &nm);
    static const xa_dtype outs[] = {XA_DTYPE_INVALID, XA_F32, XA_F64};
    return xa_np_normalize(in[0], layout_of(op), (xa_np_norm_form)xa_op_choice_index(op, "form"),
                           xa_op_choice_index(op, "const-dtype") ? XA_F32 : XA_F64, mean, std, nm,
                           outs[xa_op_choice_index(op, "out-dtype")], out, err);
}

static xa_param_info convert_to_params[] = {
    P_FILL("alpha", "", "per-channel scale a of y = a*x + b (float)"),
    P_FILL("beta", "", "per-channel offset b"),
    P_MEAN(""),
    P_STD(""),
    {.name = "input-scale",
     .type = XA_PARAM_FLOAT,
     .dflt = "1",
     .help = "the model's input scale folded into alpha/beta (from mean/std)"},
    {.name = "ab-form",
     .type = XA_PARAM_CHOICE,
     .dflt = "seed",
     .choices = "seed|demo",
     .help = "how the port derives alpha/beta from mean/std (docs/ops-transforms.md)"},
    {.name = "fused",
     .type = XA_PARAM_BOOL,
     .dflt = "false",
     .help = "one rounding (fmaf), in case the device fuses"},
    P_LAYOUT,
};
static xa_status check_convert_to(const xa_op *op, xa_error *err) {
    int na, nb, nm, ns;
    xa_op_floats(op, "alpha", &na);
    xa_op_floats(op, "beta", &nb);
    xa_op_floats(op, "mean", &nm);
    xa_op_floats(op, "std", &ns);
    if (nm || ns) {
        if (na || nb)
            return xa_fail(err, XA_EINVAL, "convert-to: give alpha/beta or mean/std, not both");
        return mean_std(op, err);
    }
    if (!na || na != nb)
        return xa_fail(err, XA_EINVAL,
                       "convert-to needs alpha and beta with the same number of "
                       "values, or mean and std");
    return XA_OK;
}
static xa_status run_convert_to(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                xa_error *err) {
    float a[XA_PARAM_MAX_VALUES], b[XA_PARAM_MAX_VALUES];
    int na, nm;
    const double *alpha = xa_op_floats(op, "alpha", &na), *beta = xa_op_floats(op, "beta", &na);
    const double *mean = xa_op_floats(op, "mean", &nm), *std = xa_op_floats(op, "std", &nm);
    if (nm) {
        xa_status st = xa_sail_alpha_beta(
            mean, std, nm, xa_op_float(op, "input-scale"),
            xa_op_choice_index(op, "ab-form") ? XA_SAIL_AB_DEMO : XA_SAIL_AB_SEED, a, b, err);
        if (st) return st;
        na = nm;
    } else {
        for (int k = 0; k < na; k++) a[k] = (float)alpha[k], b[k] = (float)beta[k];
    }
    return xa_sail_convert_to(in[0], layout_of(op), a, b, na, xa_op_bool(op, "fused"), out, err);
}

/* ---- colour and layout ----------------------------------------------------------------------- */
static xa_param_info layout_only_params[] = {P_LAYOUT};
static xa_status run_swap_rb(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                             xa_error *err) {
    return xa_swap_rb(in[0], layout_of(op), out, err);
}
static xa_status run_hwc2chw(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                             xa_error *err) {
    return xa_hwc_to_chw(in[0], out, err);
}
static xa_status run_chw2hwc(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                             xa_error *err) {
    return xa_chw_to_hwc(in[0], out, err);
}
static xa_status run_add_batch(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                               xa_error *err) {
    return xa_add_batch(in[0], out, err);
}
static xa_status run_to_f32(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                            xa_error *err) {
    return xa_to_f32(in[0], out, err);
}

/* ---- letterboxes ----------------------------------------------------------------------------- */
#define P_COLOR                                                                                    \
    {                                                                                              \
        .name = "color", .type = XA_PARAM_FLOATS, .dflt = "114,114,114", .min_count = 1,           \
        .max_count = 4, .help = "border colour per channel (cv::Scalar)"                           \
    }
static xa_param_info yolov5_params[] = {
    {.name = "size",
     .type = XA_PARAM_SIZE,
     .dflt = "640x640",
     DIM_RANGE,
     .square_ok = 1,
     .help = "new_shape as WIDTHxHEIGHT (N: NxN, as new_shape=N)"},
    {.name = "auto",
     .type = XA_PARAM_BOOL,
     .dflt = "true",
     .help = "pad only to a multiple of stride (detect.py for .pt models); false: the full size"},
    {.name = "scale-fill",
     .type = XA_PARAM_BOOL,
     .dflt = "false",
     .help = "stretch to the size, no padding"},
    {.name = "scaleup",
     .type = XA_PARAM_BOOL,
     .dflt = "true",
     .help = "false: never enlarge (ratio capped at 1)"},
    {.name = "stride", .type = XA_PARAM_INT, .dflt = "32", DIM_RANGE, .help = "for auto"},
    P_COLOR,
    P_METHOD("cv2-linear"),
};
static xa_status yolov5_opts(const xa_op *op, xa_yolov5_letterbox_opts *o) {
    xa_yolov5_letterbox_defaults(o);
    xa_op_size(op, "size", &o->new_w, &o->new_h);
    o->auto_pad = xa_op_bool(op, "auto");
    o->scale_fill = xa_op_bool(op, "scale-fill");
    o->scaleup = xa_op_bool(op, "scaleup");
    o->stride = xa_op_int(op, "stride");
    const double *c = xa_op_floats(op, "color", &o->ncolor);
    memcpy(o->color, c, (size_t)o->ncolor * sizeof *c);
    o->method = xa_op_method(op, "method");
    return XA_OK;
}
static void note_geometry(xa_op *op, const xa_letterbox_geom *g) {
    xa_op_set_note(op,
                   "resize %lldx%lld -> %lldx%lld, pad top %lld bottom %lld left %lld right "
                   "%lld -> %lldx%lld",
                   (long long)g->src_w, (long long)g->src_h, (long long)g->new_w,
                   (long long)g->new_h, (long long)g->top, (long long)g->bottom, (long long)g->left,
                   (long long)g->right, (long long)g->out_w, (long long)g->out_h);
}
static xa_status geom_yolov5(const xa_op *op, int64_t w, int64_t h, xa_letterbox_geom *g,
                             xa_error *err) {
    xa_yolov5_letterbox_opts o;
    yolov5_opts(op, &o);
    return xa_yolov5_letterbox_geometry(w, h, &o, g, err);
}
static xa_status run_yolov5(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                            xa_error *err) {
    xa_yolov5_letterbox_opts o;
    xa_letterbox_geom g;
    yolov5_opts(op, &o);
    xa_status st = xa_yolov5_letterbox(in[0], &o, out, &g, err);
    if (!st) note_geometry(op, &g);
    return st;
}

static xa_param_info sail_params[] = {
    {.name = "size",
     .type = XA_PARAM_SIZE,
     .dflt = "640x640",
     DIM_RANGE,
     .square_ok = 1,
     .help = "network WIDTHxHEIGHT"},
    P_COLOR,
    P_METHOD("cv2-nearest"),
};
static void sail_opts(const xa_op *op, xa_sail_letterbox_opts *o) {
    xa_sail_letterbox_defaults(o);
    xa_op_size(op, "size", &o->net_w, &o->net_h);
    const double *c = xa_op_floats(op, "color", &o->ncolor);
    memcpy(o->color, c, (size_t)o->ncolor * sizeof *c);
    o->method = xa_op_method(op, "method");
}
static xa_status geom_sail(const xa_op *op, int64_t w, int64_t h, xa_letterbox_geom *g,
                           xa_error *err) {
    xa_sail_letterbox_opts o;
    sail_opts(op, &o);
    return xa_sail_letterbox_geometry(w, h, &o, g, err);
}
static xa_status run_sail(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                          xa_error *err) {
    xa_sail_letterbox_opts o;
    xa_letterbox_geom g;
    sail_opts(op, &o);
    xa_status st = xa_sail_letterbox(in[0], &o, out, &g, err);
    if (!st) note_geometry(op, &g);
    return st;
}

/* ---- boxes and quantisation ------------------------------------------------------------------ */
static xa_param_info scale_boxes_params[] = {
    {.name = "from",
     .type = XA_PARAM_SIZE,
     DIM_RANGE,
     .help = "WIDTHxHEIGHT of the letterboxed image the boxes are in (img1_shape)"},
    {.name = "to",
     .type = XA_PARAM_SIZE,
     DIM_RANGE,
     .help = "WIDTHxHEIGHT of the original image (img0_shape)"},
    {.name = "ratio-pad",
     .type = XA_PARAM_FLOATS,
     .dflt = "",
     .min_count = 3,
     .max_count = 3,
     .help = "GAIN,PADX,PADY as val.py passes ratio_pad"},
    {.name = "round",
     .type = XA_PARAM_BOOL,
     .dflt = "false",
     .help = "detect.py's .round() (half to even)"},
};
static xa_status run_scale_boxes(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                 xa_error *err) {
    int64_t fw, fh, tw, th;
    int nr;
    xa_op_size(op, "from", &fw, &fh);
    xa_op_size(op, "to", &tw, &th);
    const double *rp = xa_op_floats(op, "ratio-pad", &nr);
    return xa_yolov5_scale_boxes(in[0], fw, fh, tw, th, nr ? rp : NULL, xa_op_bool(op, "round"),
                                 out, err);
}

static xa_param_info quantize_params[] = {
    {.name = "scale", .type = XA_PARAM_FLOAT, .help = "the input tensor's scale (bmodel)"},
    {.name = "dtype",
     .type = XA_PARAM_CHOICE,
     .dflt = "int8",
     .choices = "int8|uint8",
     .help = "output dtype"},
    {.name = "rounding",
     .type = XA_PARAM_CHOICE,
     .dflt = "half-away",
     .choices = "half-away|half-even|sail-x86|sail-arm",
     .help = "std::round, rint, or sail's scale_from on x86 / aarch64 (docs/ops-transforms.md)"},
};
static xa_status run_quantize(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                              xa_error *err) {
    return xa_quantize_input(in[0], (float)xa_op_float(op, "scale"),
                             xa_op_choice_index(op, "dtype") ? XA_U8 : XA_I8,
                             (xa_quant_mode)xa_op_choice_index(op, "rounding"), out, err);
}

/* ---- non-maximum suppression (include/xalign/nms.h) ------------------------------------------ */
static xa_param_info tv_nms_params[] = {
    {.name = "iou",
     .type = XA_PARAM_FLOAT,
     .min = 0,
     .max = 1,
     .help = "iou_threshold: suppressed when IoU > iou"},
    {.name = "path",
     .type = XA_PARAM_CHOICE,
     .dflt = "auto",
     .choices = "auto|offset|per-class",
     .help = "batched_nms's path with idxs: as torchvision chooses, the coordinate offset, or the "
             "per-class loop"},
};
static xa_status run_tv_nms(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                            xa_error *err) {
    xa_tv_nms_opts o;
    xa_tv_nms_defaults(&o);
    o.iou_threshold = xa_op_float(op, "iou");
    o.path = (xa_tv_batched_path)xa_op_choice_index(op, "path");
    return xa_tv_nms(in[0], in[1], n > 2 ? in[2] : NULL, &o, out, err);
}

static xa_param_info cv_nms_params[] = {
    {.name = "iou",
     .type = XA_PARAM_FLOAT,
     .min = 0,
     .max = 1,
     .help = "nms_threshold: kept when overlap <= iou with every kept box"},
    {.name = "score-threshold",
     .type = XA_PARAM_FLOAT,
     .dflt = "0",
     .min = 0,
     .max = 1e300,
     .help = "candidates need score > score_threshold"},
    {.name = "eta",
     .type = XA_PARAM_FLOAT,
     .dflt = "1",
     .min = 1e-300,
     .max = 1e300,
     .help = "adaptive threshold factor (< 1: threshold *= eta after each keep while > 0.5)"},
    {.name = "top-k",
     .type = XA_PARAM_INT,
     .dflt = "0",
     .min = 0,
     .max = 1 << 24,
     .help = "> 0: only the top_k best candidates enter suppression"},
};
static xa_status run_cv_nms(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                            xa_error *err) {
    xa_cv_nms_opts o;
    xa_cv_nms_defaults(&o);
    o.nms_threshold = xa_op_float(op, "iou");
    o.score_threshold = xa_op_float(op, "score-threshold");
    o.eta = xa_op_float(op, "eta");
    o.top_k = xa_op_int(op, "top-k");
    return xa_cv_nms_boxes(in[0], in[1], &o, out, err);
}

static xa_param_info yolov5_nms_params[] = {
    {.name = "conf",
     .type = XA_PARAM_FLOAT,
     .dflt = "0.25",
     .min = 0,
     .max = 1,
     .help = "conf_thres"},
    {.name = "iou",
     .type = XA_PARAM_FLOAT,
     .dflt = "0.45",
     .min = 0,
     .max = 1,
     .help = "iou_thres"},
    {.name = "agnostic", .type = XA_PARAM_BOOL, .dflt = "false", .help = "class-agnostic NMS"},
    {.name = "multi-label",
     .type = XA_PARAM_BOOL,
     .dflt = "false",
     .help = "every class above conf is a detection"},
    {.name = "max-det",
     .type = XA_PARAM_INT,
     .dflt = "300",
     .min = 0, /* YOLOv5's output[xi] = x[i][:max_det]: 0 keeps none */
     .max = 1 << 24,
     .help = "detections per image at most"},
    {.name = "classes",
     .type = XA_PARAM_INTS,
     .dflt = "",
     .min_count = 1,
     .max_count = 64,
     .min = 0,
     .max = 1 << 24,
     .help = "keep only these classes"},
};
static xa_status run_yolov5_nms(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                xa_error *err) {
    xa_yolov5_nms_opts o;
    xa_yolov5_nms_defaults(&o);
    o.conf_thres = xa_op_float(op, "conf");
    o.iou_thres = xa_op_float(op, "iou");
    o.agnostic = xa_op_bool(op, "agnostic");
    o.multi_label = xa_op_bool(op, "multi-label");
    o.max_det = xa_op_int(op, "max-det");
    int nc;
    const double *cl = xa_op_floats(op, "classes", &nc);
    int64_t classes[64];
    for (int k = 0; k < nc; k++) classes[k] = (int64_t)cl[k];
    o.classes = nc ? classes : NULL;
    o.nclasses = nc;
    return xa_yolov5_nms(in[0], &o, out, err);
}

static xa_param_info box_convert_params[] = {
    {.name = "from", .type = XA_PARAM_CHOICE, .choices = "xyxy|xywh", .help = "the boxes' format"},
    {.name = "to", .type = XA_PARAM_CHOICE, .choices = "xyxy|xywh", .help = "the format wanted"},
};
static xa_status run_box_convert(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                                 xa_error *err) {
    return xa_boxes_convert(in[0], (xa_box_format)xa_op_choice_index(op, "from"),
                            (xa_box_format)xa_op_choice_index(op, "to"), out, err);
}

/* ---- the table ------------------------------------------------------------------------------- */
#define OP(nm, al, grp, sum, up, ins, nin, params_, run_)                                          \
    {                                                                                              \
        .info = {.name = (nm),                                                                     \
                 .alias = (al),                                                                    \
                 .summary = (sum),                                                                 \
                 .upstream = (up),                                                                 \
                 .inputs = (ins),                                                                  \
                 .min_inputs = (nin),                                                              \
                 .max_inputs = (nin),                                                              \
                 .nparams = NPARAMS(params_),                                                      \
                 .params = (params_),                                                              \
                 .group = (grp)},                                                                  \
        .run = (run_)                                                                              \
    }
#define OP0(nm, al, grp, sum, up, run_)                                                            \
    {                                                                                              \
        .info = {.name = (nm),                                                                     \
                 .alias = (al),                                                                    \
                 .summary = (sum),                                                                 \
                 .upstream = (up),                                                                 \
                 .inputs = "image",                                                                \
                 .min_inputs = 1,                                                                  \
                 .max_inputs = 1,                                                                  \
                 .group = (grp)},                                                                  \
        .run = (run_)                                                                              \
    }

xa_op_def xa_op_defs[] = {
    OP("decode", NULL, "decode", "decode JPEG/PNG bytes as cv2.imread or PIL does",
       "cv2.imread / PIL Image.open().convert()", "file", 1, decode_params, run_decode),
    OP("resize", NULL, "resize", "resize to WIDTHxHEIGHT exactly as the named library does",
       "cv2.resize / PIL Image.resize / torch F.interpolate", "image", 1, resize_params,
       run_resize),
    {.info = {.name = "tv-resize",
              .alias = "tv_resize",
              .group = "resize",
              .summary = "torchvision Resize(N): the shorter side becomes N, then the resize",
              .upstream = "torchvision F.resize (_compute_resized_output_size)",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(tv_resize_params),
              .params = tv_resize_params,
              .has_geometry = 1},
     .run = run_tv_resize,
     .geometry = geom_tv_resize},
    OP("center-crop", "center_crop", "window", "torchvision CenterCrop (zero padding when larger)",
       "torchvision F.center_crop", "image", 1, center_crop_params, run_center_crop),
    OP("crop", NULL, "window", "a window of the image, filled outside it", "numpy slicing", "image",
       1, crop_params, run_crop),
    OP("pad", NULL, "window", "constant border", "cv2.copyMakeBorder(BORDER_CONSTANT)", "image", 1,
       pad_params, run_pad),
    OP0("to-tensor", "to_tensor", "normalize", "HWC uint8 -> CHW float32 x / 255",
        "torchvision F.to_tensor", run_to_tensor),
    {.info = {.name = "normalize",
              .group = "normalize",
              .summary = "(x - mean) / std in float32",
              .upstream = "torchvision F.normalize",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(normalize_params),
              .params = normalize_params},
     .run = run_normalize,
     .check = mean_std},
    {.info = {.name = "to-tensor-normalize",
              .alias = "to_tensor_normalize",
              .group = "normalize",
              .summary = "ToTensor then Normalize, as one stage",
              .upstream = "torchvision T.Compose([ToTensor(), Normalize()])",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(normalize_params),
              .params = normalize_params},
     .run = run_to_tensor_normalize,
     .check = mean_std},
    {.info = {.name = "numpy-normalize",
              .alias = "numpy_normalize",
              .group = "normalize",
              .summary = "the numpy normalisation forms ports write",
              .upstream = "numpy (the seed's and sophon-demo's forms)",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(np_normalize_params),
              .params = np_normalize_params},
     .run = run_np_normalize,
     .check = mean_std},
    {.info = {.name = "convert-to",
              .alias = "convert_to",
              .group = "normalize",
              .summary = "y = alpha*x + beta per channel in float32",
              .upstream = "sophon-sail Bmcv.convert_to",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(convert_to_params),
              .params = convert_to_params},
     .run = run_convert_to,
     .check = check_convert_to},
    OP("bgr2rgb", NULL, "layout", "swap channels 0 and 2", "cv2.cvtColor(COLOR_BGR2RGB)", "image",
       1, layout_only_params, run_swap_rb),
    OP("rgb2bgr", NULL, "layout", "swap channels 0 and 2", "cv2.cvtColor(COLOR_RGB2BGR)", "image",
       1, layout_only_params, run_swap_rb),
    OP0("hwc2chw", NULL, "layout", "H x W x C -> C x H x W (a leading batch axis is kept)",
        "np.transpose(img, (2, 0, 1))", run_hwc2chw),
    OP0("chw2hwc", NULL, "layout", "C x H x W -> H x W x C", "np.transpose(img, (1, 2, 0))",
        run_chw2hwc),
    OP0("add-batch", "add_batch", "layout", "a leading axis of 1",
        "np.expand_dims(x, 0) / tensor.unsqueeze(0)", run_add_batch),
    OP0("to-f32", "to_f32", "layout", "convert to float32", "x.astype(np.float32)", run_to_f32),
    {.info = {.name = "letterbox-yolov5",
              .alias = "letterbox_yolov5",
              .group = "geometry",
              .summary = "YOLOv5 v7.0 letterbox: resize keeping the aspect ratio, then pad",
              .upstream = "ultralytics YOLOv5 utils/augmentations.py letterbox",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(yolov5_params),
              .params = yolov5_params,
              .has_geometry = 1},
     .run = run_yolov5,
     .geometry = geom_yolov5},
    {.info = {.name = "letterbox-sail",
              .alias = "letterbox_sail",
              .group = "geometry",
              .summary = "sophon-demo YOLOv5 bmcv letterbox (centred, truncated sizes)",
              .upstream = "sophon-demo yolov5_bmcv.py resize_bmcv (use_resize_padding)",
              .inputs = "image",
              .min_inputs = 1,
              .max_inputs = 1,
              .nparams = NPARAMS(sail_params),
              .params = sail_params,
              .has_geometry = 1},
     .run = run_sail,
     .geometry = geom_sail},
    OP("scale-boxes", "scale_boxes", "boxes",
       "map xyxy boxes from the letterboxed image back to the original",
       "YOLOv5 utils/general.py scale_boxes", "boxes", 1, scale_boxes_params, run_scale_boxes),
    OP("quantize-int8", "quantize_int8", "quantize", "q = round(x * scale), saturated",
       "sophon-sail Tensor.scale_from / tpu-mlir input cast", "image", 1, quantize_params,
       run_quantize),
    {.info = {.name = "torchvision-nms",
              .alias = "nms",
              .group = "postprocess",
              .summary = "kept box indices as torchvision.ops.nms / batched_nms (with idxs)",
              .upstream = "torchvision 0.14 ops.nms, ops.batched_nms (CPU)",
              .inputs = "boxes scores [idxs]",
              .min_inputs = 2,
              .max_inputs = 3,
              .nparams = NPARAMS(tv_nms_params),
              .params = tv_nms_params},
     .run = run_tv_nms},
    {.info = {.name = "cv2-nms",
              .group = "postprocess",
              .summary = "kept box indices as cv2.dnn.NMSBoxes (xywh boxes)",
              .upstream = "OpenCV 4.6 cv2.dnn.NMSBoxes (Rect2d)",
              .inputs = "boxes scores",
              .min_inputs = 2,
              .max_inputs = 2,
              .nparams = NPARAMS(cv_nms_params),
              .params = cv_nms_params},
     .run = run_cv_nms},
    OP("yolov5-nms", NULL, "postprocess",
       "YOLOv5 non_max_suppression: rows (image, x1, y1, x2, y2, conf, cls)",
       "ultralytics YOLOv5 v7.0 utils/general.py non_max_suppression", "pred", 1, yolov5_nms_params,
       run_yolov5_nms),
    OP("box-convert", NULL, "postprocess", "N x 4 boxes between xyxy and xywh",
       "torchvision ops.box_convert", "boxes", 1, box_convert_params, run_box_convert),
};
const size_t xa_op_ndefs = sizeof xa_op_defs / sizeof xa_op_defs[0];
