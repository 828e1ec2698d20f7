/* Stage manifests (JSON): per-stage tolerance, raw dump specs, logits top-k, and the original's
 * operation to replay. Format: docs/stages.md. */
#include "internal.h"
#include "xalign/stages.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void xa_manifest_clear(xa_manifest *m) {
    if (!m) return;
    free(m->stages);
    memset(m, 0, sizeof *m);
}

/* Tolerance keys shared by "defaults" and each stage. */
static xa_status parse_tol(json_t *o, xa_tolerance *t, const char *where, xa_error *err) {
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (!strcmp(key, "preset")) {
            if (!json_is_string(v) || xa_tolerance_preset(json_string_value(v), t))
                return xa_fail(err, XA_EFORMAT,
                               "manifest: %s: unknown preset (f32, f16, bf16, int8)", where);
            continue;
        }
        if (!strcmp(key, "equal")) {
            if (!json_is_boolean(v))
                return xa_fail(err, XA_EFORMAT, "manifest: %s: 'equal' must be true/false", where);
            if (json_is_true(v)) t->active |= XA_TOL_EQUAL;
            continue;
        }
        if (!json_is_number(v))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: tolerance '%s' must be a number", where,
                           key);
        double d = json_number_value(v);
        if (!strcmp(key, "atol")) {
            t->atol = d;
            t->active |= XA_TOL_ATOL_RTOL;
        } else if (!strcmp(key, "rtol")) {
            t->rtol = d;
            t->active |= XA_TOL_ATOL_RTOL;
        } else if (!strcmp(key, "max_abs")) {
            t->max_abs = d;
            t->active |= XA_TOL_MAX_ABS;
        } else if (!strcmp(key, "min_cosine")) {
            t->min_cosine = d;
            t->active |= XA_TOL_COSINE;
        } else if (!strcmp(key, "min_euclid")) {
            t->min_euclid = d;
            t->active |= XA_TOL_EUCLID;
        } else if (!strcmp(key, "min_sqnr")) {
            t->min_sqnr_db = d;
            t->active |= XA_TOL_SQNR;
        } else {
            return xa_fail(err, XA_EFORMAT,
                           "manifest: %s: unknown tolerance '%s' (atol, rtol, max_abs, "
                           "min_cosine, min_euclid, min_sqnr, equal, preset)",
                           where, key);
        }
        if (d < 0 && strcmp(key, "min_sqnr") && strncmp(key, "min_", 4))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: '%s' must not be negative", where, key);
    }
    return XA_OK;
}

static xa_status parse_numbers(json_t *a, double *out, int max, int *n, const char *what,
                               const char *where, xa_error *err) {
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > (size_t)max)
        return xa_fail(err, XA_EFORMAT, "manifest: %s: '%s' must be a list of 1..%d numbers", where,
                       what, max);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_number(v))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: '%s' must hold numbers", where, what);
        out[i] = json_number_value(v);
    }
    *n = (int)json_array_size(a);
    return XA_OK;
}

/* The operations stages can replay (stages.c replay_op / replay_decode). */
static const char *const replay_ops[] = {
    "decode",  "resize",  "center_crop", "to_tensor", "normalize", "to_tensor_normalize", "bgr2rgb",
    "rgb2bgr", "hwc2chw", "chw2hwc",     "add_batch", "to_f32",    "letterbox_yolov5",    NULL};
static const char *const op_params[] = {"method", "size",   "mean", "std",
                                        "input",  "layout", "auto", NULL};

static xa_status parse_op(json_t *o, xa_stage_op *op, const char *where, xa_error *err) {
    json_t *kind = json_object_get(o, "op");
    if (!kind) {
        for (int i = 0; op_params[i]; i++)
            if (json_object_get(o, op_params[i]))
                return xa_fail(err, XA_EFORMAT,
                               "manifest: %s: '%s' is a parameter of an operation, but "
                               "no \"op\" is given",
                               where, op_params[i]);
        return XA_OK;
    }
    if (!json_is_string(kind) || strlen(json_string_value(kind)) >= sizeof op->kind)
        return xa_fail(err, XA_EFORMAT, "manifest: %s: 'op' must be an operation name", where);
    int known = 0;
    for (int i = 0; replay_ops[i]; i++) known |= !strcmp(json_string_value(kind), replay_ops[i]);
    if (!known)
        return xa_fail(
            err, XA_EFORMAT,
            "manifest: %s: unknown operation '%s' (decode, resize, center_crop, "
            "to_tensor, normalize, to_tensor_normalize, bgr2rgb, rgb2bgr, hwc2chw, chw2hwc, "
            "add_batch, to_f32, letterbox_yolov5)",
            where, json_string_value(kind));
    snprintf(op->kind, sizeof op->kind, "%s", json_string_value(kind));
    json_t *m = json_object_get(o, "method");
    if (m) {
        if (!json_is_string(m) || strlen(json_string_value(m)) >= sizeof op->method)
            return xa_fail(err, XA_EFORMAT, "manifest: %s: 'method' must be a name", where);
        snprintf(op->method, sizeof op->method, "%s", json_string_value(m));
    }
    json_t *sz = json_object_get(o, "size");
    if (sz) {
        double v[2];
        int n;
        xa_status st = parse_numbers(sz, v, 2, &n, "size", where, err);
        if (st) return st;
        for (int i = 0; i < n; i++) {
            if (v[i] < 1 || v[i] > 1e6 || v[i] != (double)(int64_t)v[i])
                return xa_fail(err, XA_EFORMAT,
                               "manifest: %s: 'size' entries must be positive integers", where);
            op->size[i] = (int64_t)v[i];
        }
        op->nsize = n;
    }
    if (json_object_get(o, "mean")) {
        xa_status st =
            parse_numbers(json_object_get(o, "mean"), op->mean, 4, &op->nmean, "mean", where, err);
        if (st) return st;
    }
    if (json_object_get(o, "std")) {
        xa_status st =
            parse_numbers(json_object_get(o, "std"), op->std, 4, &op->nstd, "std", where, err);
        if (st) return st;
    }
    json_t *lay = json_object_get(o, "layout");
    if (lay) {
        const char *l = json_is_string(lay) ? json_string_value(lay) : "";
        if (strcmp(l, "hwc") && strcmp(l, "chw"))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: 'layout' must be \"hwc\" or \"chw\"",
                           where);
        op->chw = !strcmp(l, "chw");
    }
    json_t *au = json_object_get(o, "auto");
    if (au) {
        if (!json_is_boolean(au))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: 'auto' must be true/false", where);
        op->auto_pad = json_is_true(au);
    }
    json_t *in = json_object_get(o, "input");
    if (in) {
        if (!json_is_string(in) || strlen(json_string_value(in)) >= sizeof op->input)
            return xa_fail(err, XA_EFORMAT, "manifest: %s: 'input' must be a stage name or path",
                           where);
        snprintf(op->input, sizeof op->input, "%s", json_string_value(in));
    }
    size_t o2 = (size_t)snprintf(op->text, sizeof op->text, "%s", op->kind);
    if (op->method[0] && o2 < sizeof op->text)
        o2 += (size_t)snprintf(op->text + o2, sizeof op->text - o2, " %s", op->method);
    if (op->nsize == 2 && o2 < sizeof op->text)
        snprintf(op->text + o2, sizeof op->text - o2, " %lldx%lld", (long long)op->size[0],
                 (long long)op->size[1]);
    else if (op->nsize == 1 && o2 < sizeof op->text)
        snprintf(op->text + o2, sizeof op->text - o2, " %lld", (long long)op->size[0]);
    return XA_OK;
}

static xa_status parse_spec_field(json_t *o, const char *key, char *dst, size_t cap,
                                  const char *where, xa_error *err) {
    json_t *v = json_object_get(o, key);
    if (!v) return XA_OK;
    if (!json_is_string(v) || strlen(json_string_value(v)) >= cap)
        return xa_fail(err, XA_EFORMAT, "manifest: %s: '%s' must be a tensor spec string", where,
                       key);
    snprintf(dst, cap, "%s", json_string_value(v));
    return XA_OK;
}

static const char *const stage_keys[] = {"tolerance", "topk", "ref",  "port", "op",
                                         "method",    "size", "mean", "std",  "input",
                                         "layout",    "auto", NULL};

xa_status xa_manifest_parse(const char *text, size_t len, xa_manifest *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return xa_fail(err, XA_EFORMAT, "manifest: line %d column %d: %s", je.line, je.column,
                       je.text);
    xa_status st = XA_OK;
    if (!json_is_object(root)) {
        st = xa_fail(err, XA_EFORMAT, "manifest: the top level must be an object");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "defaults") && strcmp(key, "stages")) {
            st = xa_fail(err, XA_EFORMAT, "manifest: unknown top-level key '%s' (defaults, stages)",
                         key);
            goto done;
        }
    }
    json_t *defs = json_object_get(root, "defaults");
    if (defs) {
        if (!json_is_object(defs)) {
            st = xa_fail(err, XA_EFORMAT, "manifest: 'defaults' must be an object of tolerances");
            goto done;
        }
        if ((st = parse_tol(defs, &out->defaults, "defaults", err))) goto done;
    }
    json_t *stages = json_object_get(root, "stages");
    if (stages && !json_is_object(stages)) {
        st = xa_fail(err, XA_EFORMAT, "manifest: 'stages' must be an object keyed by stage name");
        goto done;
    }
    size_t n = stages ? json_object_size(stages) : 0;
    if (n > XA_STAGES_MAX) {
        st = xa_fail(err, XA_ELIMIT, "manifest: more than %d stages", XA_STAGES_MAX);
        goto done;
    }
    out->stages = calloc(n ? n : 1, sizeof *out->stages);
    if (!out->stages) {
        st = xa_fail(err, XA_ENOMEM, "out of memory");
        goto done;
    }
    json_object_foreach(stages, key, v) {
        xa_manifest_stage *s = &out->stages[out->nstages];
        if (strlen(key) >= sizeof s->name || !*key) {
            st = xa_fail(err, XA_EFORMAT, "manifest: stage name '%.40s' is empty or too long", key);
            goto done;
        }
        snprintf(s->name, sizeof s->name, "%s", key);
        char where[160];
        snprintf(where, sizeof where, "stage '%s'", key);
        if (!json_is_object(v)) {
            st = xa_fail(err, XA_EFORMAT, "manifest: %s must be an object", where);
            goto done;
        }
        const char *k2;
        json_t *v2;
        json_object_foreach(v, k2, v2) {
            int known = 0;
            for (int i = 0; stage_keys[i]; i++) known |= !strcmp(k2, stage_keys[i]);
            if (!known) {
                st = xa_fail(err, XA_EFORMAT, "manifest: %s: unknown key '%s'", where, k2);
                goto done;
            }
        }
        json_t *tol = json_object_get(v, "tolerance");
        if (tol) {
            if (!json_is_object(tol)) {
                st = xa_fail(err, XA_EFORMAT, "manifest: %s: 'tolerance' must be an object", where);
                goto done;
            }
            if ((st = parse_tol(tol, &s->tol, where, err))) goto done;
            s->has_tol = 1;
        }
        json_t *tk = json_object_get(v, "topk");
        if (tk) {
            if (!json_is_integer(tk) || json_integer_value(tk) < 1 || json_integer_value(tk) > 16) {
                st = xa_fail(err, XA_EFORMAT, "manifest: %s: 'topk' must be an integer 1..16",
                             where);
                goto done;
            }
            s->topk = (int)json_integer_value(tk);
        }
        if ((st = parse_spec_field(v, "ref", s->ref_spec, sizeof s->ref_spec, where, err)))
            goto done;
        if ((st = parse_spec_field(v, "port", s->port_spec, sizeof s->port_spec, where, err)))
            goto done;
        if ((st = parse_op(v, &s->op, where, err))) goto done;
        out->nstages++;
    }
done:
    json_decref(root);
    if (st) xa_manifest_clear(out);
    return st;
}

xa_status xa_manifest_load(const char *path, xa_manifest *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > XA_MANIFEST_MAX_BYTES)
        return xa_fail(err, XA_ELIMIT, "%s: manifest larger than %u bytes", path,
                       XA_MANIFEST_MAX_BYTES);
    xa_file f;
    xa_status st = xa_file_open(path, (size_t)-1, &f, err);
    if (st) return st;
    if (f.size > XA_MANIFEST_MAX_BYTES) { /* grew since the stat */
        xa_file_close(&f);
        return xa_fail(err, XA_ELIMIT, "%s: manifest larger than %u bytes", path,
                       XA_MANIFEST_MAX_BYTES);
    }
    st = xa_manifest_parse((const char *)f.data, f.size, out, err);
    xa_file_close(&f);
    if (st) xa_error_prefix(err, path);
    return st;
}
