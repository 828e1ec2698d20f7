/* Whole preprocessing recipes (include/xalign/ops.h): each one is data, a list of registered
 * operations (registry.h) with their parameters, run in order; every step is logged with the
 * original program's call, the operation and parameters used, and the result's shape. */
#include "internal.h"
#include "xalign/ops.h"
#include "xalign/registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *label;  /* the original program's call; {size} {short} are substituted */
    const char *op;     /* registered operation */
    const char *params; /* "key=value ..."; {wxh} {short} {mean} {std} are substituted */
} recipe_step;

typedef struct {
    const char *name, *decoder, *summary;
    int64_t size;      /* default network input side */
    const char *order; /* channel order of the decoded input */
    recipe_step steps[8];
} recipe_def;

static const recipe_def recipes[] = {
    {"torchvision-resnet",
     "pil",
     "PIL decode, T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(mean, std)",
     224,
     "RGB",
     {{"T.Resize({short})", "tv-resize", "short={short} method=pil-bilinear"},
      {"T.CenterCrop({size})", "center-crop", "size={wxh}"},
      {"T.ToTensor()", "to-tensor", ""},
      {"T.Normalize(mean=[{mean}], std=[{std}])", "normalize", "mean={mean} std={std}"},
      {"x.unsqueeze(0)", "add-batch", ""}}},
    {"resnet-opencv",
     "cv2",
     "sophon-demo resnet_opencv.py: cv2.imread, cv2.resize to 224x224, BGR->RGB, "
     "(img/255 - mean)/std in numpy, CHW",
     224,
     "BGR",
     {{"cv2.resize(img, {size})", "resize", "method=cv2-linear size={wxh}"},
      {"cv2.cvtColor(img, cv2.COLOR_BGR2RGB)", "bgr2rgb", ""},
      {"img.astype('float32')", "to-f32", ""},
      {"(img / 255 - np.array([{mean}])) / np.array([{std}])", "numpy-normalize",
       "form=div const-dtype=f64 out-dtype=f32 mean={mean} std={std}"},
      {"np.transpose(img, (2, 0, 1))", "hwc2chw", ""},
      {"np.expand_dims(img, 0)", "add-batch", ""}}},
    {"yolov5-letterbox",
     "cv2",
     "cv2.imread, YOLOv5 letterbox 640 (auto=False, pad 114), RGB, CHW, /255",
     640,
     "BGR",
     {{"letterbox(im0, {size}, auto=False)", "letterbox-yolov5", "size={wxh} auto=false"},
      {"im[..., ::-1] (BGR -> RGB)", "bgr2rgb", ""},
      {"im.transpose((2, 0, 1)); torch.from_numpy(im).float() / 255", "to-tensor", ""},
      {"im[None]", "add-batch", ""}}},
};
#define NRECIPES (sizeof recipes / sizeof recipes[0])

static const recipe_def *find_recipe(const char *name) {
    for (size_t i = 0; name && i < NRECIPES; i++)
        if (!strcmp(name, recipes[i].name)) return &recipes[i];
    return NULL;
}

const char *xa_recipe_name(size_t i) {
    return i < NRECIPES ? recipes[i].name : NULL;
}
const char *xa_recipe_summary(const char *name) {
    const recipe_def *r = find_recipe(name);
    return r ? r->summary : NULL;
}
const char *xa_recipe_decoder(const char *name) {
    const recipe_def *r = find_recipe(name);
    return r ? r->decoder : NULL;
}

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

/* Copy `tmpl` into out with {size} {wxh} {short} {mean} {std} replaced. */
static void substitute(const char *tmpl, const char *const *keys, const char *const *vals,
                       size_t nkeys, char *out, size_t size) {
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 1 < size;) {
        size_t k = 0;
        if (*p == '{')
            for (; k < nkeys; k++)
                if (!strncmp(p + 1, keys[k], strlen(keys[k])) && p[1 + strlen(keys[k])] == '}')
                    break;
        if (*p == '{' && k < nkeys) {
            int w = snprintf(out + o, size - o, "%s", vals[k]);
            o += w > 0 ? (size_t)w : 0;
            if (o >= size) o = size - 1;
            p += strlen(keys[k]) + 2;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
}

static void join3(const double *v, char *buf, size_t size) {
    char a[32], b[32], c[32];
    snprintf(buf, size, "%s,%s,%s", xa_fmt_shortest(v[0], a, sizeof a),
             xa_fmt_shortest(v[1], b, sizeof b), xa_fmt_shortest(v[2], c, sizeof c));
}

/* One step: create the operation, set "key=value ..." parameters, run. */
static xa_status run_step(const char *opname, const char *params, const xa_tensor *in,
                          xa_tensor **out, xa_op **op_out, xa_error *err) {
    xa_op *op;
    xa_status st = xa_op_new(opname, &op, err);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", params);
    for (char *save = NULL, *kv = strtok_r(buf, " ", &save); !st && kv;
         kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            st = xa_fail(err, XA_EINVAL, "recipe step %s: '%s' is not key=value", opname, kv);
            break;
        }
        *eq = 0;
        st = xa_op_set(op, kv, eq + 1, err);
    }
    if (!st) st = xa_op_run(op, &in, 1, out, err);
    if (st) {
        xa_op_free(op);
        return st;
    }
    *op_out = op;
    return XA_OK;
}

xa_status xa_recipe_run(const char *name, const xa_tensor *image, const xa_recipe_params *p,
                        xa_tensor **out, char *log, size_t log_size, xa_error *err) {
    static const double imagenet_mean[3] = {0.485, 0.456, 0.406};
    static const double imagenet_std[3] = {0.229, 0.224, 0.225};
    *out = NULL;
    if (log && log_size) log[0] = 0;
    steplog L = {log, log_size, 0};
    const recipe_def *r = find_recipe(name);
    if (!r)
        return xa_fail(err, XA_EINVAL,
                       "unknown recipe '%s' (torchvision-resnet, resnet-opencv, "
                       "yolov5-letterbox)",
                       name ? name : "(null)");
    xa_recipe_params d = {0};
    if (p) d = *p;
    if ((d.width > 0) != (d.height > 0) || d.width < 0 || d.height < 0 || d.short_side < 0)
        return xa_fail(err, XA_EINVAL, "recipe %s: give both width and height (or neither)", name);
    char sb[128];
    if (image->rank != 3 || image->shape[2] != 3 || image->dtype != XA_U8)
        return xa_fail(err, XA_EINVAL, "recipe %s: expects an H x W x 3 uint8 image, got %s %s",
                       name, xa_dtype_name(image->dtype),
                       xa_shape_format(image->rank, image->shape, sb, sizeof sb));
    int64_t w = d.width ? d.width : r->size, h = d.height ? d.height : r->size;
    char size[48], wxh[48], shrt[24], mean[80], std[80];
    if (w == h)
        snprintf(size, sizeof size, "%lld", (long long)w);
    else
        snprintf(size, sizeof size, "(%lld, %lld)", (long long)w, (long long)h);
    snprintf(wxh, sizeof wxh, "%lldx%lld", (long long)w, (long long)h);
    snprintf(shrt, sizeof shrt, "%lld", (long long)(d.short_side ? d.short_side : 256));
    join3(d.has_mean_std ? d.mean : imagenet_mean, mean, sizeof mean);
    join3(d.has_mean_std ? d.std : imagenet_std, std, sizeof std);
    static const char *const keys[] = {"size", "wxh", "short", "mean", "std"};
    const char *vals[] = {size, wxh, shrt, mean, std};
    note(&L, "recipe %s on %s uint8 (%s order)\n", name,
         xa_shape_format(image->rank, image->shape, sb, sizeof sb), r->order);
    const xa_tensor *t = image;
    xa_tensor *owned = NULL;
    xa_status st = XA_OK;
    for (size_t i = 0; i < sizeof r->steps / sizeof r->steps[0] && r->steps[i].op; i++) {
        char label[256], params[512];
        substitute(r->steps[i].label, keys, vals, 5, label, sizeof label);
        substitute(r->steps[i].params, keys, vals, 5, params, sizeof params);
        xa_tensor *n = NULL;
        xa_op *op = NULL;
        st = run_step(r->steps[i].op, params, t, &n, &op, err);
        if (st) break;
        note(&L, "  %s: %s -> %s %s%s%s\n", label, xa_op_describe(op), xa_dtype_name(n->dtype),
             xa_shape_format(n->rank, n->shape, sb, sizeof sb), xa_op_note(op)[0] ? "; " : "",
             xa_op_note(op));
        xa_op_free(op);
        xa_tensor_free(owned);
        owned = n;
        t = n;
    }
    if (st) {
        xa_tensor_free(owned);
        xa_error_prefix(err, name);
        return st;
    }
    *out = owned;
    return XA_OK;
}
