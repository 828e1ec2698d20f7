/* xalign ops: bit-exact reference operations of the libraries ports must match.
 * Semantics: docs/ops-*.md and docs/decode.md (from shared/spec/), each function cites the upstream
 * function it reproduces. Images are C-order tensors H x W x C (C = 1, 3 or 4) or H x W, of
 * uint8 or float32, native byte order.
 */
#ifndef XALIGN_OPS_H
#define XALIGN_OPS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XA_RESIZE_MAX_DIM 65536 /* output width/height limit */
/* The bytes of one output image of any operation are limited by xa_limits.op_output_bytes
 * (XA_OPS_MAX_OUTPUT_BYTES by default, core.h). */

typedef enum xa_resize_method {
    XA_RESIZE_CV_NEAREST = 0,       /* cv2.INTER_NEAREST */
    XA_RESIZE_CV_NEAREST_EXACT = 1, /* cv2.INTER_NEAREST_EXACT */
    XA_RESIZE_CV_LINEAR = 2,        /* cv2.INTER_LINEAR (default of cv2.resize) */
    XA_RESIZE_CV_LINEAR_EXACT = 3,  /* cv2.INTER_LINEAR_EXACT */
    XA_RESIZE_CV_AREA = 4,          /* cv2.INTER_AREA */
    XA_RESIZE_CV_CUBIC = 5,         /* cv2.INTER_CUBIC */
    XA_RESIZE_CV_LANCZOS4 = 6,      /* cv2.INTER_LANCZOS4 */
    XA_RESIZE_PIL_NEAREST = 7,      /* PIL Image.resize(NEAREST) */
    XA_RESIZE_PIL_BOX = 8,
    XA_RESIZE_PIL_BILINEAR = 9, /* also torchvision Resize on PIL images */
    XA_RESIZE_PIL_HAMMING = 10,
    XA_RESIZE_PIL_BICUBIC = 11, /* Pillow's default */
    XA_RESIZE_PIL_LANCZOS = 12,
    XA_RESIZE_TORCH_BILINEAR = 13, /* F.interpolate bilinear, align_corners=False, antialias=False,
                                      as torch 1.13's AVX2 kernel computes it (fused multiply-add);
                                      uint8 input takes torchvision's float round trip */
    XA_RESIZE_TORCH_BILINEAR_NOFMA = 14, /* the same on a CPU without AVX2 (no fusion) */
    /* torch 1.13 F.interpolate on CPU, align_corners=False where the mode has it, size= given.
     * "-cl": the tensor is channels-last (permuted from H x W x C without .contiguous()), where
     * torch runs another kernel that rounds differently; the other methods give the same bytes
     * for both memory formats. "-nofma": torch's kernels for CPUs without AVX2; the plain names
     * are its AVX2 kernels (what torch uses on any x86-64 CPU with AVX2). uint8 input takes
     * torchvision's float round trip (nearest modes: the same bytes as torch on uint8). */
    XA_RESIZE_TORCH_BILINEAR_CL = 15,       /* bilinear, channels-last tensor (any CPU) */
    XA_RESIZE_TORCH_NEAREST = 16,           /* mode="nearest" */
    XA_RESIZE_TORCH_NEAREST_EXACT = 17,     /* mode="nearest-exact" */
    XA_RESIZE_TORCH_BICUBIC = 18,           /* mode="bicubic" (A = -0.75), AVX2 kernel */
    XA_RESIZE_TORCH_BICUBIC_NOFMA = 19,     /* the same on a CPU without AVX2 */
    XA_RESIZE_TORCH_AREA = 20,              /* mode="area" (adaptive_avg_pool2d), contiguous */
    XA_RESIZE_TORCH_AREA_CL = 21,           /* the same on a channels-last tensor (differs only
                                               for a 1 x 1 output of C > 1) */
    XA_RESIZE_TORCH_BILINEAR_AA = 22,       /* bilinear, antialias=True, AVX2 kernel */
    XA_RESIZE_TORCH_BILINEAR_AA_NOFMA = 23, /* the same on a CPU without AVX2 */
    XA_RESIZE_TORCH_BICUBIC_AA = 24,        /* bicubic, antialias=True (a = -0.5), AVX2 kernel */
    XA_RESIZE_TORCH_BICUBIC_AA_NOFMA = 25,  /* the same on a CPU without AVX2 */
} xa_resize_method;
#define XA_RESIZE_METHOD_COUNT 26

/* "cv2-linear", "pil-bilinear", "torch-bilinear", ... */
XA_API const char *xa_resize_method_name(xa_resize_method m);
XA_API xa_status xa_resize_method_from_name(const char *name, xa_resize_method *m);

/* Resize an image to dw x dh (width x height, as cv2 takes it).
 * Pillow methods: uint8 with C = 1 (mode L), 3 (RGB), 4 (RGBA: premultiplied alpha, as Pillow);
 * float32 2-D is mode F; float32 with channels applies mode F to each channel. */
XA_API xa_status xa_resize(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                           xa_tensor **out, xa_error *err);

/* ==== Transforms other than resampling ==================================================
 * Crop, pad, letterbox geometry, ToTensor/Normalize and the normalisation forms ports use,
 * colour/layout changes, box scaling, INT8 input quantisation. Semantics, rounding and the
 * upstream function each one reproduces: docs/ops-transforms.md. Every function validates its
 * input (dtype, rank, C order, native byte order) and returns a new tensor in *out (NULL on
 * failure). Operations that contain a resize call xa_resize and nothing else.
 */
#define XA_TRANSFORM_MAX_DIM XA_RESIZE_MAX_DIM /* limit on any output width/height/padding */
#define XA_TRANSFORM_MAX_CHANNELS 64           /* per-channel constants accepted */

/* Axis order of an image tensor for spatial and per-channel operations. */
typedef enum xa_layout {
    XA_LAYOUT_HWC = 0, /* numpy/cv2/PIL arrays: H x W, H x W x C, or N x H x W x C */
    XA_LAYOUT_CHW = 1, /* torch tensors: H x W, C x H x W, or N x C x H x W */
} xa_layout;

/* -- torchvision 0.14 Resize(int size, max_size) output size (functional.py,
 *    _compute_resized_output_size): the shorter side becomes `size`, the longer one
 *    int(size * long / short) (truncated); with max_size > 0 a longer side above it gives
 *    (int(max_size * short' / long'), max_size). max_size <= size is an error, as in torchvision.
 *    Resize returns its input unchanged when (ow, oh) == (w, h). */
XA_API xa_status xa_tv_resize_size(int64_t w, int64_t h, int64_t size, int64_t max_size,
                                   int64_t *ow, int64_t *oh, xa_error *err);
/* T.Resize(size, max_size) on an H x W x C image: a copy when the size is unchanged, otherwise
 * xa_resize(m) (XA_RESIZE_PIL_BILINEAR for PIL images, XA_RESIZE_TORCH_BILINEAR for tensors). */
XA_API xa_status xa_tv_resize(const xa_tensor *src, int64_t size, int64_t max_size,
                              xa_resize_method m, xa_tensor **out, xa_error *err);

/* -- windows: crop and constant padding ------------------------------------------------------ */
/* Rows [top, top+h) and columns [left, left+w) of the image; positions outside it are filled with
 * fill[c] for channel c (c >= nfill or fill NULL: 0). Fill values are converted as cv::Scalar is
 * (uint8: round half to even, saturated; float32: nearest float). Any dtype with zero fill. */
XA_API xa_status xa_crop(const xa_tensor *src, xa_layout layout, int64_t top, int64_t left,
                         int64_t h, int64_t w, const double *fill, int nfill, xa_tensor **out,
                         xa_error *err);
/* cv2.copyMakeBorder(src, top, bottom, left, right, BORDER_CONSTANT, value): value[c] for channel
 * c, 0 for c >= nvalue (cv2's Scalar(114) pads only channel 0 with 114). */
XA_API xa_status xa_pad_constant(const xa_tensor *src, xa_layout layout, int64_t top,
                                 int64_t bottom, int64_t left, int64_t right, const double *value,
                                 int nvalue, xa_tensor **out, xa_error *err);

/* torchvision 0.14 F.center_crop geometry: the zero padding applied first when the crop is larger
 * than the image (left/top (d//2), right/bottom ((d+1)//2)), then the crop origin in the padded
 * image, int(round((H - th) / 2.0)) with Python's round half to even. */
typedef struct xa_center_crop_geom {
    int64_t pad_left, pad_top, pad_right, pad_bottom;
    int64_t top, left;     /* crop origin in the padded image */
    int64_t height, width; /* th, tw */
} xa_center_crop_geom;
XA_API xa_status xa_tv_center_crop_geometry(int64_t h, int64_t w, int64_t th, int64_t tw,
                                            xa_center_crop_geom *g, xa_error *err);
/* F.center_crop on a PIL image (HWC array) or a tensor (CHW), any dtype. */
XA_API xa_status xa_tv_center_crop(const xa_tensor *src, xa_layout layout, int64_t th, int64_t tw,
                                   xa_tensor **out, xa_error *err);

/* -- torchvision ToTensor / Normalize --------------------------------------------------------- */
/* F.to_tensor on an array: H x W (x C) uint8 -> C x H x W float32 x / 255.0f (a true division);
 * float32 input is only transposed, as torchvision does for non-uint8 arrays. */
XA_API xa_status xa_tv_to_tensor(const xa_tensor *src, xa_tensor **out, xa_error *err);
/* F.normalize on a float32 C x H x W or N x C x H x W tensor: (x - (float)mean[c]) / (float)std[c]
 * in float32; n is 1 (broadcast) or C. A zero std is an error, as in torchvision. */
XA_API xa_status xa_tv_normalize(const xa_tensor *src, const double *mean, const double *std, int n,
                                 xa_tensor **out, xa_error *err);

/* -- normalisation as ports write it in numpy ---------------------------------------------------
 */
typedef enum xa_np_norm_form {
    /* the seed, section 3: mean = np.array(mean) * 255.0; scale = np.array(1/std) * 1 / 255.0;
     * img = img - mean; img = img * scale */
    XA_NP_NORM_SEED = 0,
    /* sophon-demo resnet_opencv.py: (img / 255 - mean) / std */
    XA_NP_NORM_DIV = 1,
    /* (img - mean) / std on an image already scaled to 0..1 (img = img / 255.0 earlier) */
    XA_NP_NORM_SUB = 2,
} xa_np_norm_form;
/* Reproduces numpy 1.24's dtypes: const_dtype XA_F64 for np.array(python floats) (the usual
 * case), XA_F32 for np.array(..., dtype=np.float32); the arithmetic runs in the type numpy
 * promotes to (uint8 input with float64 constants: float64; img/255 of uint8: float64; float32
 * input with float32 constants: float32). out_dtype XA_DTYPE_INVALID keeps numpy's result dtype;
 * XA_F32 / XA_F64 convert it (astype). src is uint8 or float32, channels on the layout's axis;
 * n is 1 or C. */
XA_API xa_status xa_np_normalize(const xa_tensor *src, xa_layout layout, xa_np_norm_form form,
                                 xa_dtype const_dtype, const double *mean, const double *std, int n,
                                 xa_dtype out_dtype, xa_tensor **out, xa_error *err);

/* -- sophon-sail Bmcv.convert_to: y = alpha[c] * x + beta[c] in float32 ------------------------ */
/* src uint8 or float32 (RGB_PLANAR is CHW). alpha/beta are float as bmcv_convert_to_attr holds
 * them. fused = 0: the product is rounded to float before the addition (bmcv's CPU reference
 * test_convert_to.cpp); fused = 1: one rounding (fmaf), in case the device fuses. Output float32.
 */
XA_API xa_status xa_sail_convert_to(const xa_tensor *src, xa_layout layout, const float *alpha,
                                    const float *beta, int n, int fused, xa_tensor **out,
                                    xa_error *err);
/* torchvision mean/std -> convert_to (alpha, beta), evaluated in Python doubles in the port's
 * order, then rounded to float as pybind11 passes them to the C++ float parameters. */
typedef enum xa_sail_ab_form {
    XA_SAIL_AB_SEED = 0, /* the seed: [x * input_scale for x in [1/std/255.0, -mean/std, ...]] */
    XA_SAIL_AB_DEMO =
        1, /* sophon-demo resnet_bmcv.py: a = 1/(255.*std) * scale, b = -mean/std * scale */
} xa_sail_ab_form;
XA_API xa_status xa_sail_alpha_beta(const double *mean, const double *std, int n,
                                    double input_scale, xa_sail_ab_form form, float *alpha,
                                    float *beta, xa_error *err);
/* The inverse, for diagnosis: std = input_scale / (255 * alpha), mean = -beta / (255 * alpha), in
 * double. Exact up to the float rounding of alpha and beta (relative 2^-23 or so). */
XA_API xa_status xa_sail_mean_std(const float *alpha, const float *beta, int n, double input_scale,
                                  double *mean, double *std, xa_error *err);

/* -- colour and layout --------------------------------------------------------------------------
 */
/* BGR <-> RGB (C = 3) or BGRA <-> RGBA (C = 4; alpha stays): channels 0 and 2 swapped. Any dtype.
 */
XA_API xa_status xa_swap_rb(const xa_tensor *src, xa_layout layout, xa_tensor **out, xa_error *err);
/* np.transpose(img, (2, 0, 1)) of H x W x C; N x H x W x C -> N x C x H x W. Any dtype. */
XA_API xa_status xa_hwc_to_chw(const xa_tensor *src, xa_tensor **out, xa_error *err);
/* The inverse: C x H x W -> H x W x C; N x C x H x W -> N x H x W x C. */
XA_API xa_status xa_chw_to_hwc(const xa_tensor *src, xa_tensor **out, xa_error *err);
/* np.expand_dims(x, 0) / tensor.unsqueeze(0): a leading axis of 1. Any dtype. */
XA_API xa_status xa_add_batch(const xa_tensor *src, xa_tensor **out, xa_error *err);
/* x.astype(np.float32): nearest float (exact for 8/16-bit integers); int64/uint64 refused. */
XA_API xa_status xa_to_f32(const xa_tensor *src, xa_tensor **out, xa_error *err);

/* -- letterbox ----------------------------------------------------------------------------------
 */
typedef struct xa_letterbox_geom {
    int64_t src_w, src_h;
    int64_t new_w, new_h; /* size the image is resized to (YOLOv5's new_unpad; sail's tw, th) */
    int64_t top, bottom, left, right; /* constant border */
    int64_t out_w, out_h;             /* new + borders */
    double ratio_w, ratio_h;          /* the ratio the function returns */
    double dw, dh; /* YOLOv5: the (dw, dh) it returns (halves); sail: txy = (tx1, ty1) */
    int resized;   /* 1 when (new_w, new_h) != (src_w, src_h), i.e. a resize runs */
} xa_letterbox_geom;

/* ultralytics YOLOv5 v7.0 utils/augmentations.py letterbox(im, new_shape, color, auto, scaleFill,
 * scaleup, stride). */
typedef struct xa_yolov5_letterbox_opts {
    int64_t new_w, new_h; /* new_shape = (new_h, new_w) */
    int auto_pad;   /* auto: pad only to a multiple of stride (takes precedence over scale_fill) */
    int scale_fill; /* scaleFill: stretch to (new_w, new_h), no padding */
    int scaleup;    /* 0: never enlarge (r capped at 1) */
    int64_t stride;
    double color[4]; /* border colour, cv::Scalar style */
    int ncolor;
    xa_resize_method method; /* XA_RESIZE_CV_LINEAR in YOLOv5 */
} xa_yolov5_letterbox_opts;
/* 640 x 640, auto 1, scale_fill 0, scaleup 1, stride 32, colour (114, 114, 114), cv2-linear. */
XA_API void xa_yolov5_letterbox_defaults(xa_yolov5_letterbox_opts *o);
XA_API xa_status xa_yolov5_letterbox_geometry(int64_t w, int64_t h,
                                              const xa_yolov5_letterbox_opts *o,
                                              xa_letterbox_geom *g, xa_error *err);
/* The image (H x W x C, uint8 or float32): xa_resize(o->method) when the size changes, then
 * cv2.copyMakeBorder(BORDER_CONSTANT, color). `g` (may be NULL) receives the geometry. */
XA_API xa_status xa_yolov5_letterbox(const xa_tensor *src, const xa_yolov5_letterbox_opts *o,
                                     xa_tensor **out, xa_letterbox_geom *g, xa_error *err);

/* sophon-demo YOLOv5 yolov5_bmcv.py resize_bmcv with use_resize_padding: tw/th by int(r * size)
 * truncation, the image centred with int((net - t) / 2), the rest filled with the colour. */
typedef struct xa_sail_letterbox_opts {
    int64_t net_w, net_h;
    double color[4];
    int ncolor;
    xa_resize_method method; /* Python crop_and_resize_padding defaults to NEAREST; bmcv's own
                                nearest is modelled by cv2-nearest (unverified against hardware) */
} xa_sail_letterbox_opts;
XA_API void xa_sail_letterbox_defaults(xa_sail_letterbox_opts *o); /* 640x640, 114, cv2-nearest */
XA_API xa_status xa_sail_letterbox_geometry(int64_t w, int64_t h, const xa_sail_letterbox_opts *o,
                                            xa_letterbox_geom *g, xa_error *err);
XA_API xa_status xa_sail_letterbox(const xa_tensor *src, const xa_sail_letterbox_opts *o,
                                   xa_tensor **out, xa_letterbox_geom *g, xa_error *err);

/* YOLOv5 v7.0 utils/general.py scale_boxes(img1_shape, boxes, img0_shape, ratio_pad) on a float32
 * N x K tensor (K >= 4, xyxy in columns 0..3, other columns copied) as torch computes it:
 * gain = min(h1/h0, w1/w0), pad = ((w1 - w0*gain)/2, (h1 - h0*gain)/2) in double, then in float32
 * x - (float)pad, / (float)gain, clamp to [0, w0] / [0, h0] (clip_boxes). ratio_pad (NULL for
 * none) is {gain, pad_x, pad_y} as val.py passes it. round: detect.py's .round() (half to even). */
XA_API xa_status xa_yolov5_scale_boxes(const xa_tensor *boxes, int64_t img1_w, int64_t img1_h,
                                       int64_t img0_w, int64_t img0_h, const double *ratio_pad,
                                       int round, xa_tensor **out, xa_error *err);

/* -- INT8 input quantisation: q = round(x * scale) saturated ----------------------------------- */
typedef enum xa_quant_mode {
    XA_QUANT_HALF_AWAY = 0, /* std::round: sail AnyScale (builds without SIMD), tpu-mlir CastOp
                               requant; int8 [-127, 127], uint8 [0, 255]; NaN -> -127 / 0 */
    XA_QUANT_HALF_EVEN = 1, /* rint; int8 [-127, 127], uint8 [0, 255]; NaN -> 0 */
    XA_QUANT_SAIL_X86 = 2,  /* sail Tensor.scale_from on x86-64: elements in blocks of 4 take SSE
                               (cvtps: half to even, int8 saturated to [-128, 127]), the last
                               n % 4 the scalar tail (half away, [-127, 127]) */
    XA_QUANT_SAIL_ARM = 3,  /* the same on aarch64: NEON blocks of 8 (ties to even) + tail */
} xa_quant_mode;
#define XA_QUANT_MODE_COUNT 4
/* src float32 (any shape); scale is the float input_scale; out_dtype XA_I8 or XA_U8. */
XA_API xa_status xa_quantize_input(const xa_tensor *src, float scale, xa_dtype out_dtype,
                                   xa_quant_mode mode, xa_tensor **out, xa_error *err);

/* ---- whole preprocessing recipes ------------------------------------------------------------ */
/* The preprocessing of common original programs and ports, each a list of registered operations
 * (registry.h) run in order:
 *   "torchvision-resnet": T.Resize(256) (Pillow bilinear), T.CenterCrop(224), T.ToTensor(),
 *                         T.Normalize(mean, std), unsqueeze(0)            -- input decoded like PIL
 *   "resnet-opencv":      sophon-demo resnet_opencv.py: cv2.resize to 224x224 (INTER_LINEAR),
 *                         BGR->RGB, astype(float32), (img/255 - mean)/std with float64 numpy
 *                         constants, HWC->CHW, float32, batch axis          -- decoded like cv2
 *   "yolov5-letterbox":   YOLOv5 v7.0 letterbox(640, auto=False, pad 114, cv2 INTER_LINEAR),
 *                         BGR->RGB, HWC->CHW, float / 255, batch axis     -- decoded like cv2
 * `log` receives a first line naming the input, then one line per step: the original's call, the
 * registered operation with its parameters, and the result (may be NULL). */
typedef struct xa_recipe_params {
    int64_t width, height; /* network input (CenterCrop / cv2.resize / letterbox size); 0: the
                              recipe's default (224x224, yolov5 640x640) */
    int64_t short_side;    /* torchvision-resnet's Resize(N), the shorter side; 0: 256 */
    double mean[3], std[3];
    int has_mean_std; /* 0: ImageNet's (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225) */
} xa_recipe_params;
/* The i-th recipe's name, NULL past the end; a one-line summary; "pil" or "cv2", how the
 * recipe's program decodes an image file. NULL for an unknown recipe. */
XA_API const char *xa_recipe_name(size_t i);
XA_API const char *xa_recipe_summary(const char *name);
XA_API const char *xa_recipe_decoder(const char *name);
XA_API xa_status xa_recipe_run(const char *name, const xa_tensor *image, const xa_recipe_params *p,
                               xa_tensor **out, char *log, size_t log_size, xa_error *err);

#ifdef __cplusplus
}
#endif
#endif
