/* Whole preprocessing recipes (include/xalign/ops.h): compositions of the bit-exact operations,
 * recording every step's parameters. */
#include "internal.h"
#include "xalign/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t size, len;
} steplog;

static void note(steplog *l, const char *fmt, ...) XA_PRINTF(2, 3);
static void note(steplog *l, const char *fmt, ...) {
    if (!l->buf || l->len + 1 >= l->size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
    va_end(ap);
    if (n > 0) l->len = l->len + (size_t)n < l->size ? l->len + (size_t)n : l->size - 1;
}

static const double imagenet_mean[3] = {0.485, 0.456, 0.406},
                    imagenet_std[3] = {0.229, 0.224, 0.225};

static const struct {
    const char *name, *decoder;
} recipes[] = {
    {"torchvision-resnet", "pil"}, {"resnet-opencv", "cv2"}, {"yolov5-letterbox", "cv2"}};

const char *xa_recipe_decoder(const char *name) {
    for (size_t i = 0; name && i < sizeof recipes / sizeof recipes[0]; i++)
        if (!strcmp(name, recipes[i].name)) return recipes[i].decoder;
    return NULL;
}

/* Run one step writing `n`; on success it replaces `t` (freeing the previous intermediate, never
 * the caller's input). */
#define STEP(call)                                                                                 \
    do {                                                                                           \
        if (!st) {                                                                                 \
            st = (call);                                                                           \
            if (!st) {                                                                             \
                if (t != image) xa_tensor_free(t);                                                 \
                t = n;                                                                             \
                n = NULL;                                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static char *shape_text(const xa_tensor *t, char *b, size_t n) {
    return xa_shape_format(t->rank, t->shape, b, n);
}

xa_status xa_recipe_run(const char *name, const xa_tensor *image, const xa_recipe_params *p,
                        xa_tensor **out, char *log, size_t log_size, xa_error *err) {
    *out = NULL;
    if (log && log_size) log[0] = 0;
    steplog L = {log, log_size, 0};
    if (!xa_recipe_decoder(name))
        return xa_fail(err, XA_EINVAL,
                       "unknown recipe '%s' (torchvision-resnet, resnet-opencv, yolov5-letterbox)",
                       name ? name : "(null)");
    xa_recipe_params d = {0};
    if (p) d = *p;
    const double *mean = d.has_mean_std ? d.mean : imagenet_mean,
                 *std = d.has_mean_std ? d.std : imagenet_std;
    xa_tensor *t = (xa_tensor *)image, *n = NULL;
    xa_status st = XA_OK;
    char sb[128];
    if (image->rank != 3 || image->shape[2] != 3 || image->dtype != XA_U8)
        return xa_fail(err, XA_EINVAL, "recipe %s: expects an H x W x 3 uint8 image, got %s %s",
                       name, xa_dtype_name(image->dtype), shape_text(image, sb, sizeof sb));
    note(&L, "recipe %s on %s uint8 (%s order)\n", name, shape_text(image, sb, sizeof sb),
         !strcmp(xa_recipe_decoder(name), "pil") ? "RGB" : "BGR");
    if (!strcmp(name, "torchvision-resnet")) {
        int64_t size = d.size ? d.size : 224, rs = d.resize ? d.resize : 256, ow = 0, oh = 0;
        st = xa_tv_resize_size(image->shape[1], image->shape[0], rs, 0, &ow, &oh, err);
        if (!st)
            note(&L, "  T.Resize(%lld): Pillow bilinear (antialiased) to %lldx%lld\n",
                 (long long)rs, (long long)ow, (long long)oh);
        STEP(xa_tv_resize(t, rs, 0, XA_RESIZE_PIL_BILINEAR, &n, err));
        STEP(xa_tv_center_crop(t, XA_LAYOUT_HWC, size, size, &n, err));
        if (!st)
            note(&L, "  T.CenterCrop(%lld): top = round((H - %lld)/2), half to even\n",
                 (long long)size, (long long)size);
        STEP(xa_tv_to_tensor(t, &n, err));
        if (!st) note(&L, "  T.ToTensor(): HWC -> CHW, x / 255.0f\n");
        STEP(xa_tv_normalize(t, mean, std, 3, &n, err));
        if (!st)
            note(&L, "  T.Normalize(mean=[%g, %g, %g], std=[%g, %g, %g]) in float32\n", mean[0],
                 mean[1], mean[2], std[0], std[1], std[2]);
    } else if (!strcmp(name, "resnet-opencv")) {
        int64_t size = d.size ? d.size : 224;
        STEP(xa_resize(t, size, size, XA_RESIZE_CV_LINEAR, &n, err));
        if (!st)
            note(&L, "  cv2.resize(img, (%lld, %lld)): INTER_LINEAR, no aspect ratio, no crop\n",
                 (long long)size, (long long)size);
        STEP(xa_swap_rb(t, XA_LAYOUT_HWC, &n, err));
        if (!st) note(&L, "  cv2.cvtColor(BGR2RGB)\n");
        STEP(xa_to_f32(t, &n, err));
        STEP(xa_np_normalize(t, XA_LAYOUT_HWC, XA_NP_NORM_DIV, XA_F64, mean, std, 3, XA_F32, &n,
                             err));
        if (!st)
            note(&L,
                 "  astype(float32); (img/255 - mean)/std with float64 numpy mean=[%g, %g, %g] "
                 "std=[%g, %g, %g]; astype(float32)\n",
                 mean[0], mean[1], mean[2], std[0], std[1], std[2]);
        STEP(xa_hwc_to_chw(t, &n, err));
        if (!st) note(&L, "  np.transpose(img, (2, 0, 1))\n");
    } else { /* yolov5-letterbox */
        xa_yolov5_letterbox_opts o;
        xa_yolov5_letterbox_defaults(&o);
        o.new_w = o.new_h = d.size ? d.size : 640;
        o.auto_pad = 0; /* exported models take full squares (detect.py: auto only for .pt) */
        xa_letterbox_geom g;
        STEP(xa_yolov5_letterbox(t, &o, &n, &g, err));
        if (!st)
            note(&L,
                 "  letterbox(new_shape=%lld, auto=False, color=114): resize %lldx%lld -> "
                 "%lldx%lld (INTER_LINEAR), "
                 "pad top %lld bottom %lld left %lld right %lld\n",
                 (long long)o.new_w, (long long)g.src_w, (long long)g.src_h, (long long)g.new_w,
                 (long long)g.new_h, (long long)g.top, (long long)g.bottom, (long long)g.left,
                 (long long)g.right);
        STEP(xa_swap_rb(t, XA_LAYOUT_HWC, &n, err));
        STEP(xa_tv_to_tensor(t, &n, err));
        if (!st)
            note(&L, "  im.transpose((2, 0, 1))[::-1] (BGR -> RGB, CHW); torch float32 / 255\n");
    }
    STEP(xa_add_batch(t, &n, err));
    if (!st) note(&L, "  batch axis: %s float32\n", shape_text(t, sb, sizeof sb));
    if (st) {
        if (t != image) xa_tensor_free(t);
        xa_error_prefix(err, name);
        return st;
    }
    *out = t;
    return XA_OK;
}
