/* Renderings of transform geometry (`xalign transform --geometry-only`). */
#include "report_internal.h"
#include "xalign/report.h"

#include <jansson.h>

char *xa_report_letterbox_json(const xa_letterbox_geom *g, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const xa_letterbox_geom *x = g + i;
        json_t *o = json_object();
        json_object_set_new(o, "src_w", json_integer(x->src_w));
        json_object_set_new(o, "src_h", json_integer(x->src_h));
        json_object_set_new(o, "new_w", json_integer(x->new_w));
        json_object_set_new(o, "new_h", json_integer(x->new_h));
        json_object_set_new(o, "top", json_integer(x->top));
        json_object_set_new(o, "bottom", json_integer(x->bottom));
        json_object_set_new(o, "left", json_integer(x->left));
        json_object_set_new(o, "right", json_integer(x->right));
        json_object_set_new(o, "out_w", json_integer(x->out_w));
        json_object_set_new(o, "out_h", json_integer(x->out_h));
        json_object_set_new(o, "ratio_w", json_real(x->ratio_w));
        json_object_set_new(o, "ratio_h", json_real(x->ratio_h));
        json_object_set_new(o, "dw", json_real(x->dw));
        json_object_set_new(o, "dh", json_real(x->dh));
        json_object_set_new(o, "resized", json_boolean(x->resized));
        json_array_append_new(a, o);
    }
    return xa_jdump(a);
}

char *xa_report_letterbox_text(const xa_letterbox_geom *g, size_t n) {
    xa_sb b = {0};
    for (size_t i = 0; i < n; i++) {
        const xa_letterbox_geom *x = g + i;
        xa_sb_printf(&b,
                     "%lldx%lld -> %s %lldx%lld -> border top %lld bottom %lld left %lld right "
                     "%lld -> %lldx%lld"
                     " (ratio %.17g, %.17g; dw %.17g, dh %.17g)\n",
                     (long long)x->src_w, (long long)x->src_h,
                     x->resized ? "resize to" : "unchanged", (long long)x->new_w,
                     (long long)x->new_h, (long long)x->top, (long long)x->bottom,
                     (long long)x->left, (long long)x->right, (long long)x->out_w,
                     (long long)x->out_h, x->ratio_w, x->ratio_h, x->dw, x->dh);
    }
    return xa_sb_take(&b);
}

char *xa_report_sizes_json(const int64_t *wh, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array();
        json_array_append_new(p, json_integer(wh[2 * i]));
        json_array_append_new(p, json_integer(wh[2 * i + 1]));
        json_array_append_new(a, p);
    }
    return xa_jdump(a);
}
