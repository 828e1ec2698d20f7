/* Renderings of operations: what `xalign transform` / `resize` did, the registry's list
 * (`xalign ops`), and geometry (`transform --geometry-only`). */
#include "report_internal.h"
#include "xalign/report.h"

#include <jansson.h>
#include <string.h>

/* ---- operations (`xalign transform`, `resize`, `ops`) --------------------------------------- */
static json_t *jparams(const xa_op *op, int user_only) {
    const xa_op_info *in = xa_op_get_info(op);
    json_t *o = json_object();
    for (size_t k = 0; k < in->nparams; k++) {
        const char *name = in->params[k].name;
        if (user_only && !xa_op_is_set(op, name)) continue;
        const char *v = xa_op_get(op, name);
        json_object_set_new(o, name, v ? json_string(v) : json_null());
    }
    return o;
}

static json_t *jtensor_brief(const char *path, const xa_tensor *t) {
    json_t *o = json_object();
    json_object_set_new(o, "path", path ? json_string(path) : json_null());
    json_object_set_new(o, "dtype", json_string(xa_dtype_name(t->dtype)));
    json_object_set_new(o, "shape", xa_jshape(t->rank, t->shape));
    return o;
}

static json_t *jgeometry(const xa_letterbox_geom *x) {
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
    return o;
}

char *xa_report_op_json(const xa_op_report *r) {
    json_t *o = xa_jobject("xalign.transform/1");
    json_object_set_new(o, "op", json_string(xa_op_get_info(r->op)->name));
    json_object_set_new(o, "params", jparams(r->op, 0));
    json_object_set_new(o, "describe", json_string(xa_op_describe(r->op)));
    json_object_set_new(o, "note", json_string(xa_op_note(r->op)));
    json_object_set_new(o, "input", jtensor_brief(r->in_spec, r->in));
    json_object_set_new(o, "output", jtensor_brief(r->out_path, r->out));
    if (r->geometry) json_object_set_new(o, "geometry", jgeometry(r->geometry));
    return xa_jdump(o);
}

static json_t *jop_info(const xa_op_info *in) {
    json_t *o = json_object(), *ps = json_array();
    json_object_set_new(o, "name", json_string(in->name));
    json_object_set_new(o, "alias", in->alias ? json_string(in->alias) : json_null());
    json_object_set_new(o, "group", json_string(in->group));
    json_object_set_new(o, "summary", json_string(in->summary));
    json_object_set_new(o, "upstream", json_string(in->upstream));
    json_object_set_new(o, "inputs", json_string(in->inputs));
    json_object_set_new(o, "min_inputs", json_integer(in->min_inputs));
    json_object_set_new(o, "max_inputs", json_integer(in->max_inputs));
    json_object_set_new(o, "geometry", json_boolean(in->has_geometry));
    for (size_t k = 0; k < in->nparams; k++) {
        const xa_param_info *p = &in->params[k];
        json_t *j = json_object();
        json_object_set_new(j, "name", json_string(p->name));
        json_object_set_new(j, "type", json_string(xa_param_type_name(p->type)));
        json_object_set_new(j, "required", json_boolean(p->dflt == NULL));
        json_object_set_new(j, "default",
                            p->dflt && p->dflt[0] ? json_string(p->dflt) : json_null());
        json_object_set_new(j, "help", json_string(p->help));
        const char *ch = xa_param_choices(p);
        if (ch) {
            json_t *c = json_array();
            for (const char *s = ch; *s;) {
                const char *e = strchr(s, '|');
                size_t l = e ? (size_t)(e - s) : strlen(s);
                json_array_append_new(c, json_stringn(s, l));
                s += l + (e != NULL);
            }
            json_object_set_new(j, "choices", c);
        }
        if (p->type == XA_PARAM_FLOATS || p->type == XA_PARAM_INTS) {
            json_object_set_new(j, "min_count", json_integer(p->min_count));
            json_object_set_new(j, "max_count", json_integer(p->max_count));
        }
        if (p->min < p->max) {
            json_object_set_new(j, "min", json_real(p->min));
            json_object_set_new(j, "max", json_real(p->max));
        }
        if (p->type == XA_PARAM_SIZE)
            json_object_set_new(j, "square_ok", json_boolean(p->square_ok));
        if (p->alias) json_object_set_new(j, "alias", json_string(p->alias));
        json_array_append_new(ps, j);
    }
    json_object_set_new(o, "params", ps);
    return o;
}

char *xa_report_ops_json(void) {
    json_t *o = xa_jobject("xalign.ops/1"), *a = json_array();
    for (size_t i = 0; i < xa_op_count(); i++) json_array_append_new(a, jop_info(xa_op_info_at(i)));
    json_object_set_new(o, "ops", a);
    return xa_jdump(o);
}

char *xa_report_letterbox_json(const xa_letterbox_geom *g, size_t n) {
    json_t *o = xa_jobject("xalign.geometry/1"), *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, jgeometry(g + i));
    json_object_set_new(o, "geometry", a);
    return xa_jdump(o);
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
    json_t *o = xa_jobject("xalign.sizes/1"), *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array();
        json_array_append_new(p, json_integer(wh[2 * i]));
        json_array_append_new(p, json_integer(wh[2 * i + 1]));
        json_array_append_new(a, p);
    }
    json_object_set_new(o, "sizes", a);
    return xa_jdump(o);
}
