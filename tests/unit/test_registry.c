/* The operation registry's C API: the table is well formed (every default parses, names unique),
 * the resize-method choices are exactly the resize methods, each kind of value parses and prints
 * back canonically, handles are independent after xa_op_dup, and a run through the registry gives
 * the bytes of the direct call. */
#include "test.h"

#include <math.h>
#include <string.h>
#include <xalign/xalign.h>

static void table(void) {
    size_t n = xa_op_count();
    CHECK(n >= 20 && xa_op_info_at(n) == NULL);
    for (size_t i = 0; i < n; i++) {
        const xa_op_info *in = xa_op_info_at(i);
        xa_op *op = NULL;
        CHECKF(xa_op_new(in->name, &op, NULL) == XA_OK, "%s: defaults parse", in->name);
        xa_op_free(op);
        CHECKF(xa_op_find(in->name) == in, "%s found by name", in->name);
        if (in->alias) CHECKF(xa_op_find(in->alias) == in, "%s found by alias", in->alias);
        for (size_t j = 0; j < i; j++) CHECK(strcmp(xa_op_info_at(j)->name, in->name));
        CHECKF(in->min_inputs >= 1 && in->max_inputs >= in->min_inputs && in->summary &&
                   in->upstream && in->group && in->inputs,
               "%s: complete", in->name);
        for (size_t k = 0; k < in->nparams; k++)
            CHECKF(in->params[k].help &&
                       (in->params[k].type != XA_PARAM_CHOICE || xa_param_choices(&in->params[k])),
                   "%s.%s described", in->name, in->params[k].name);
    }
    /* the method list of every resize-method parameter is the method table itself */
    const xa_op_info *in = xa_op_find("resize");
    const char *ch = xa_param_choices(&in->params[0]);
    char want[1024] = "";
    for (int m = 0; m < XA_RESIZE_METHOD_COUNT; m++) {
        if (m) strcat(want, "|");
        strcat(want, xa_resize_method_name((xa_resize_method)m));
    }
    CHECKF(ch && !strcmp(ch, want), "%s", ch ? ch : "(null)");
}

static void values(void) {
    xa_op *op;
    xa_error err;
    CHECK(xa_op_new("letterbox-yolov5", &op, &err) == XA_OK);
    CHECK(xa_op_set(op, "size", "320", &err) == XA_OK && !strcmp(xa_op_get(op, "size"), "320x320"));
    CHECK(xa_op_set(op, "auto", "0", &err) == XA_OK && !strcmp(xa_op_get(op, "auto"), "false"));
    CHECK(xa_op_set(op, "color", "0.1,2e1,3", &err) == XA_OK &&
          !strcmp(xa_op_get(op, "color"), "0.1,20,3"));
    CHECK(xa_op_set(op, "color", "1,2,3,4,5", &err) == XA_EINVAL && strstr(err.message, "1 to 4"));
    CHECK(xa_op_set(op, "stride", "1.5", &err) == XA_EINVAL && strstr(err.message, "integer"));
    CHECK(xa_op_set(op, "method", "cv2-area", &err) == XA_OK);
    CHECK(xa_op_set(op, "nope", "1", &err) == XA_EINVAL && strstr(err.message, "its parameters"));
    CHECK(!strcmp(xa_op_describe(op),
                  "letterbox-yolov5 size=320x320 auto=false color=0.1,20,3 method=cv2-area"));
    xa_op *copy;
    CHECK(xa_op_dup(op, &copy, &err) == XA_OK);
    CHECK(xa_op_set(op, "size", "64x32", &err) == XA_OK);
    CHECK(!strcmp(xa_op_get(copy, "size"), "320x320") && !strcmp(xa_op_get(op, "size"), "64x32"));
    xa_letterbox_geom g;
    CHECK(xa_op_geometry(copy, 640, 480, &g, &err) == XA_OK && g.out_w == 320 && g.out_h == 320);
    xa_op_free(copy);
    xa_op_free(op);

    CHECK(xa_op_new("resize", &op, &err) == XA_OK);
    CHECK(xa_op_set(op, "size", "224", &err) == XA_EINVAL && strstr(err.message, "Resize(N)"));
    CHECK(xa_op_validate(op, &err) == XA_EINVAL && strstr(err.message, "resize needs 'method'"));
    double wh[2] = {20, 10};
    CHECK(xa_op_set_numbers(op, "size", wh, 2, &err) == XA_OK &&
          !strcmp(xa_op_get(op, "size"), "20x10"));
    CHECK(xa_op_set(op, "method", "pil-bilinear", &err) == XA_OK);
    /* a run through the registry is the direct call */
    int64_t shape[3] = {7, 9, 3};
    xa_tensor *img, *a = NULL, *b = NULL;
    CHECK(xa_tensor_new(XA_U8, 3, shape, &img, &err) == XA_OK);
    for (size_t i = 0; i < img->nbytes; i++)
        ((unsigned char *)img->data)[i] = (unsigned char)(i * 37);
    const xa_tensor *ci = img;
    CHECK(xa_op_run(op, &ci, 1, &a, &err) == XA_OK);
    CHECK(xa_resize(img, 20, 10, XA_RESIZE_PIL_BILINEAR, &b, &err) == XA_OK);
    CHECK(a && b && a->nbytes == b->nbytes && !memcmp(a->data, b->data, a->nbytes));
    xa_tensor *c = NULL; /* a failed run sets its output to NULL: not over `a`, which would leak */
    CHECK(xa_op_run(op, &ci, 2, &c, &err) == XA_EINVAL && strstr(err.message, "takes 1 input") &&
          !c);
    xa_tensor_free(a);
    xa_tensor_free(b);
    xa_tensor_free(img);
    xa_op_free(op);

    CHECK(xa_op_new("center_crop", &op, &err) == XA_OK); /* the older manifests' spelling */
    CHECK(!strcmp(xa_op_get_info(op)->name, "center-crop"));
    xa_op_free(op);
    CHECK(xa_op_new("centre-crop", &op, &err) == XA_EINVAL && strstr(err.message, "'center-crop'"));

    static const xa_param_info f = {
        .name = "x", .type = XA_PARAM_FLOATS, .min_count = 1, .max_count = 3};
    double v[XA_PARAM_MAX_VALUES];
    int n;
    CHECK(xa_param_parse(&f, "1,2.5,-3", v, &n, &err) == XA_OK && n == 3 && v[1] == 2.5);
    CHECK(xa_param_parse(&f, "1,,2", v, &n, &err) == XA_EINVAL);
    CHECK(xa_param_parse(&f, "nan", v, &n, &err) == XA_EINVAL && strstr(err.message, "finite"));
    CHECK(xa_param_parse(&f, "1e999", v, &n, &err) == XA_EINVAL);
}

int main(void) {
    table();
    values();
    TEST_DONE();
}
