/* Stage manifests (JSON): per-stage tolerance, raw dump specs, logits top-k, and the original's
 * operation to replay. Format: docs/stages.md. */
#include "internal.h"
#include "xalign/registry.h"
#include "xalign/stages.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xa_manifest_clear(xa_manifest *m) {
    if (!m) return;
    for (size_t i = 0; m->stages && i < m->nstages; i++) xa_op_free(m->stages[i].op.op);
    free(m->stages);
    memset(m, 0, sizeof *m);
}

/* Tolerance keys shared by "defaults" and each stage. */
/* Tolerance keys shared by "defaults" and each stage: the keys of xa_tolerance_set (kebab-case,
 * or the snake_case of older manifests), numbers as numbers, equal as a boolean, preset a name. */
static xa_status parse_tol(json_t *o, xa_tolerance *t, const char *where, xa_error *err) {
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        char text[64];
        int is_preset = !strcmp(key, "preset"), is_equal = !strcmp(key, "equal");
        if (is_preset ? !json_is_string(v) : is_equal ? !json_is_boolean(v) : !json_is_number(v))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: tolerance '%s' must be %s", where, key,
                           is_preset  ? "a name (f32, f16, bf16, int8)"
                           : is_equal ? "true or false"
                                      : "a number");
        if (is_preset)
            snprintf(text, sizeof text, "%.40s", json_string_value(v));
        else if (is_equal)
            snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
        else
            snprintf(text, sizeof text, "%.17g", json_number_value(v));
        xa_error e = {0};
        if (xa_tolerance_set(t, key, text, &e))
            return xa_fail(err, XA_EFORMAT, "manifest: %s: %s", where, e.message);
    }
    return XA_OK;
}

/* The keys of a stage that are not parameters of its operation. */
static const char *const stage_keys[] = {"tolerance", "topk", "ref",    "port",  "op",
                                         "input",     "kind", "format", "names", NULL};

static int is_stage_key(const char *k) {
    for (int i = 0; stage_keys[i]; i++)
        if (!strcmp(k, stage_keys[i])) return 1;
    return 0;
}

/* One operation parameter from its JSON value: strings and booleans in their text form, numbers
 * and lists of numbers as numbers -- the registry parses and checks all of them. */
static xa_status set_param(xa_op *op, const char *key, json_t *v, const char *where,
                           xa_error *err) {
    xa_error e = {0};
    xa_status st;
    if (json_is_string(v)) {
        st = xa_op_set(op, key, json_string_value(v), &e);
    } else if (json_is_boolean(v)) {
        st = xa_op_set(op, key, json_is_true(v) ? "true" : "false", &e);
    } else if (json_is_number(v)) {
        st = xa_op_set_number(op, key, json_number_value(v), &e);
    } else if (json_is_array(v)) {
        double a[XA_PARAM_MAX_VALUES];
        size_t n = json_array_size(v);
        if (n == 0 || n > XA_PARAM_MAX_VALUES)
            return xa_fail(err, XA_EFORMAT, "manifest: %s: '%s' must be a list of 1..%d numbers",
                           where, key, XA_PARAM_MAX_VALUES);
        for (size_t i = 0; i < n; i++) {
            if (!json_is_number(json_array_get(v, i)))
                return xa_fail(err, XA_EFORMAT, "manifest: %s: '%s' must hold numbers", where, key);
            a[i] = json_number_value(json_array_get(v, i));
        }
        st = xa_op_set_numbers(op, key, a, (int)n, &e);
    } else {
        return xa_fail(err, XA_EFORMAT,
                       "manifest: %s: '%s' must be a string, number, boolean or list of numbers",
                       where, key);
    }
    return st ? xa_fail(err, XA_EFORMAT, "manifest: %s: %s", where, e.message) : XA_OK;
}

/* "op" and its parameters: every key of the stage that is not a stage key. Older manifests'
 * spellings are read as they were meant: snake_case operation names are aliases of the
 * registry's names; "resize" with a one-number size was torchvision's Resize(N), now
 * "tv-resize" with "short"; "letterbox_yolov5" without "auto" meant auto = false (the registry's
 * default is YOLOv5's own, true). */
static xa_status parse_op(json_t *o, xa_stage_op *sop, const char *where, xa_error *err) {
    json_t *kind = json_object_get(o, "op");
    const char *key;
    json_t *v;
    if (!kind) {
        json_object_foreach(o, key, v) {
            if (!is_stage_key(key))
                return xa_fail(err, XA_EFORMAT,
                               "manifest: %s: unknown key '%s' (stage keys: tolerance, topk, ref, "
                               "port, op, input, kind, format, names; an operation's parameters "
                               "need an \"op\")",
                               where, key);
        }
        return XA_OK;
    }
    if (!json_is_string(kind))
        return xa_fail(err, XA_EFORMAT, "manifest: %s: 'op' must be an operation name", where);
    const char *name = json_string_value(kind);
    json_t *size = json_object_get(o, "size");
    int legacy_resize =
        !strcmp(name, "resize") &&
        ((json_is_array(size) && json_array_size(size) == 1) || json_is_number(size));
    xa_error e2 = {0};
    xa_status st = xa_op_new(legacy_resize ? "tv-resize" : name, &sop->op, &e2);
    if (st) return xa_fail(err, XA_EFORMAT, "manifest: %s: %s", where, e2.message);
    if (!strcmp(name, "letterbox_yolov5") && !json_object_get(o, "auto"))
        xa_op_set(sop->op, "auto", "false", NULL);
    json_object_foreach(o, key, v) {
        if (is_stage_key(key)) continue;
        if (legacy_resize && !strcmp(key, "size")) {
            if ((st = set_param(sop->op, "short", json_is_array(v) ? json_array_get(v, 0) : v,
                                where, err)))
                return st;
            continue;
        }
        if (strchr(key, '_')) { /* one spelling: kebab-case, as on the command line */
            char kebab[64];
            snprintf(kebab, sizeof kebab, "%s", key);
            for (char *c = kebab; *c; c++)
                if (*c == '_') *c = '-';
            const xa_op_info *in = xa_op_get_info(sop->op);
            for (size_t k = 0; k < in->nparams; k++)
                if (!strcmp(in->params[k].name, kebab))
                    return xa_fail(err, XA_EFORMAT,
                                   "manifest: %s: parameter keys are kebab-case: '%s', not '%s'",
                                   where, kebab, key);
        }
        if ((st = set_param(sop->op, key, v, where, err))) return st;
    }
    if ((st = xa_op_validate(sop->op, &e2)))
        return xa_fail(err, XA_EFORMAT, "manifest: %s: %s", where, e2.message);
    json_t *in = json_object_get(o, "input");
    if (in) {
        if (!json_is_string(in) || strlen(json_string_value(in)) >= sizeof sop->input)
            return xa_fail(err, XA_EFORMAT, "manifest: %s: 'input' must be a stage name or path",
                           where);
        snprintf(sop->input, sizeof sop->input, "%s", json_string_value(in));
    }
    snprintf(sop->text, sizeof sop->text, "%s", xa_op_describe(sop->op));
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
        json_t *kind = json_object_get(v, "kind"), *fmt = json_object_get(v, "format");
        const char *ks = json_is_string(kind) ? json_string_value(kind) : "";
        if (kind && strcmp(ks, "tensor") && strcmp(ks, "detections") && strcmp(ks, "boxes")) {
            st = xa_fail(err, XA_EFORMAT,
                         "manifest: %s: 'kind' is \"tensor\", \"detections\" or \"boxes\"", where);
            goto done;
        }
        snprintf(s->kind, sizeof s->kind, "%s", kind ? ks : "tensor");
        const char *fs = json_is_string(fmt) ? json_string_value(fmt) : "";
        if (fmt && strcmp(fs, "xyxy") && strcmp(fs, "xywh")) {
            st = xa_fail(err, XA_EFORMAT, "manifest: %s: 'format' is \"xyxy\" or \"xywh\"", where);
            goto done;
        }
        snprintf(s->box_format, sizeof s->box_format, "%s", fmt ? fs : "xyxy");
        json_t *nm = json_object_get(v, "names");
        if (nm) {
            size_t nn = json_is_array(nm) ? json_array_size(nm) : 0;
            int ok = nn >= 1 && nn <= sizeof s->names / sizeof s->names[0];
            for (size_t i = 0; ok && i < nn; i++) {
                json_t *e = json_array_get(nm, i);
                ok = json_is_string(e) && json_string_value(e)[0] &&
                     strlen(json_string_value(e)) < sizeof s->names[0];
                if (ok) snprintf(s->names[i], sizeof s->names[i], "%s", json_string_value(e));
            }
            if (!ok) {
                st = xa_fail(err, XA_EFORMAT,
                             "manifest: %s: 'names' must be a list of 1..%zu non-empty names (the "
                             "parts of a split dump, in order)",
                             where, sizeof s->names / sizeof s->names[0]);
                goto done;
            }
            s->nnames = (int)nn;
        }
        if ((st = parse_op(v, &s->op, where, err))) {
            xa_op_free(s->op.op); /* not counted yet, so not freed by the clear below */
            goto done;
        }
        out->nstages++;
    }
done:
    json_decref(root);
    if (st)
        xa_manifest_clear(out);
    else
        out->fingerprint = xa_fnv1a64(text, len);
    return st;
}

xa_status xa_manifest_load(const char *path, xa_manifest *out, xa_error *err) {
    return xa_manifest_load_ex(path, NULL, out, err);
}

xa_status xa_manifest_load_ex(const char *path, const xa_limits *limits, xa_manifest *out,
                              xa_error *err) {
    memset(out, 0, sizeof *out);
    uint64_t max = xa_limits_or_default(limits)->manifest_bytes, size = 0;
    xa_status st = xa_check_regular(path, &size, err);
    if (!st && size > max) /* refused before it is read */
        st = xa_fail(err, XA_ELIMIT, "%s: manifest of %llu bytes is larger than the limit of %llu",
                     path, (unsigned long long)size, (unsigned long long)max);
    xa_file f;
    if (!st) st = xa_file_open(path, (size_t)-1, &f, err);
    if (st) return st;
    if (f.size > max) { /* grew since the check */
        xa_file_close(&f);
        return xa_fail(err, XA_ELIMIT, "%s: manifest larger than the limit of %llu bytes", path,
                       (unsigned long long)max);
    }
    st = xa_manifest_parse((const char *)f.data, f.size, out, err);
    xa_file_close(&f);
    if (st) xa_error_prefix(err, path);
    return st;
}
