/* Tolerances: criteria by name (the one parser behind the command line's tolerance options, the
 * manifest's "tolerance" objects, tolerance files and the bindings' keyword arguments), presets,
 * dtype-aware defaults, --tolerance-file patterns, and the one function that decides which of
 * them a comparison uses (docs/metrics.md "Verdicts"). */
#include "cmp_internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int number(const char *s, double *v) {
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    return s[0] && !*e && !errno && !isnan(*v);
}

xa_status xa_tolerance_set(xa_tolerance *t, const char *key, const char *value, xa_error *err) {
    char k[32];
    size_t n = strlen(key ? key : "");
    if (!n || n >= sizeof k)
        return xa_fail(err, XA_EINVAL, "tolerance: no such key '%s'", key ? key : "");
    for (size_t i = 0; i <= n; i++) k[i] = key[i] == '_' ? '-' : key[i]; /* older snake_case */
    const char *v = value ? value : "";
    if (!strcmp(k, "preset")) {
        if (xa_tolerance_preset(v, t))
            return xa_fail(err, XA_EINVAL, "tolerance: unknown preset '%s' (f32, f16, bf16, int8)",
                           v);
        return XA_OK;
    }
    if (!strcmp(k, "equal")) {
        if (!strcmp(v, "true") || !strcmp(v, "1") || !*v)
            t->active |= XA_TOL_EQUAL;
        else if (!strcmp(v, "false") || !strcmp(v, "0"))
            t->active &= ~(unsigned)XA_TOL_EQUAL;
        else
            return xa_fail(err, XA_EINVAL, "tolerance: equal is true or false, not '%s'", v);
        return XA_OK;
    }
    static const struct {
        const char *key;
        unsigned bit;
        size_t off;
        int nonneg;
    } num[] = {
        {"atol", XA_TOL_ATOL_RTOL, offsetof(xa_tolerance, atol), 1},
        {"rtol", XA_TOL_ATOL_RTOL, offsetof(xa_tolerance, rtol), 1},
        {"max-abs", XA_TOL_MAX_ABS, offsetof(xa_tolerance, max_abs), 1},
        {"min-cosine", XA_TOL_COSINE, offsetof(xa_tolerance, min_cosine), 0},
        {"min-euclid", XA_TOL_EUCLID, offsetof(xa_tolerance, min_euclid), 0},
        {"min-sqnr", XA_TOL_SQNR, offsetof(xa_tolerance, min_sqnr_db), 0},
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
        if (strcmp(k, num[i].key)) continue;
        double d;
        if (!number(v, &d))
            return xa_fail(err, XA_EINVAL, "tolerance: %s '%s' is not a number", k, v);
        if (num[i].nonneg && d < 0)
            return xa_fail(err, XA_EINVAL, "tolerance: %s must not be negative", k);
        /* atol and rtol go together: setting one makes the other 0 unless it was set */
        if (num[i].bit == XA_TOL_ATOL_RTOL && !(t->active & XA_TOL_ATOL_RTOL))
            t->atol = t->rtol = 0;
        *(double *)((char *)t + num[i].off) = d;
        t->active |= num[i].bit;
        return XA_OK;
    }
    return xa_fail(err, XA_EINVAL,
                   "tolerance: unknown key '%s' (atol, rtol, max-abs, min-cosine, min-euclid, "
                   "min-sqnr, equal, preset; with underscores too: max_abs, min_cosine, ...)",
                   key);
}

static const struct {
    const char *name;
    double cosine, euclid;
} presets[] = {
    /* tpu-mlir regression defaults per quantisation (spec/sophon.md) */
    {"f32", 0.99, 0.99},
    {"f16", 0.95, 0.85},
    {"bf16", 0.95, 0.80},
    {"int8", 0.8, 0.5},
};

xa_status xa_tolerance_preset(const char *name, xa_tolerance *tol) {
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (name && !strcasecmp(name, presets[i].name)) {
            tol->active |= XA_TOL_COSINE | XA_TOL_EUCLID;
            tol->min_cosine = presets[i].cosine;
            tol->min_euclid = presets[i].euclid;
            tol->preset = presets[i].name;
            return XA_OK;
        }
    return XA_EINVAL;
}

/* ---- dtype defaults ------------------------------------------------------------------------- */
/* torch.testing.assert_close's default (rtol, atol) per dtype (torch/testing/_comparison.py,
 * _DTYPE_PRECISIONS): float16 (1e-3, 1e-5), bfloat16 (1.6e-2, 1e-5). */
#define XA_F16_RTOL 1e-3
#define XA_BF16_RTOL 1.6e-2
#define XA_HALF_ATOL 1e-5

xa_tolerance xa_tolerance_dtype_default(xa_dtype ref, xa_dtype port, int quantised,
                                        xa_tol_rule *rule) {
    xa_tolerance t;
    memset(&t, 0, sizeof t);
    xa_tol_rule r = {XA_TOL_FROM_DTYPE, ""};
    if (quantised) {
        xa_tolerance_preset("int8", &t);
        t.preset = NULL; /* the rule says where it came from */
        snprintf(r.what, sizeof r.what, "int8 quantised default (tpu-mlir)");
    } else if (ref == XA_BF16 || port == XA_BF16) {
        t.active = XA_TOL_ATOL_RTOL;
        t.atol = XA_HALF_ATOL;
        t.rtol = XA_BF16_RTOL;
        snprintf(r.what, sizeof r.what, "bfloat16 default (torch assert_close)");
    } else if (ref == XA_F16 || port == XA_F16) {
        t.active = XA_TOL_ATOL_RTOL;
        t.atol = XA_HALF_ATOL;
        t.rtol = XA_F16_RTOL;
        snprintf(r.what, sizeof r.what, "float16 default (torch assert_close)");
    } else if (xa_dtype_is_integer(ref) && xa_dtype_is_integer(port)) {
        t.active = XA_TOL_EQUAL;
        snprintf(r.what, sizeof r.what, "integer default (exact)");
    } else {
        t.active = XA_TOL_MAX_ABS;
        t.max_abs = XA_DEFAULT_MAX_ABS;
        snprintf(r.what, sizeof r.what, "float default (the seed's FP32 criterion)");
    }
    if (rule) *rule = r;
    return t;
}

/* The elementwise rule behind the mismatch count when the tolerance sets none. */
static void mismatch_rule(xa_tolerance *t, xa_dtype ref, xa_dtype port) {
    if (t->active & XA_TOL_ATOL_RTOL) return;
    int ints = xa_dtype_is_integer(ref) && xa_dtype_is_integer(port);
    if (t->active & XA_TOL_MAX_ABS) {
        t->atol = t->max_abs;
        t->rtol = 0;
    } else {
        t->atol = ints || (t->active & XA_TOL_EQUAL) ? 0 : XA_DEFAULT_MAX_ABS;
        t->rtol = 0;
    }
}

xa_tolerance xa_tolerance_choose(const xa_tol_sources *s, const char *name, xa_dtype ref,
                                 xa_dtype port, int quantised, xa_tol_rule *rule) {
    xa_tolerance t;
    xa_tol_rule r = {XA_TOL_FROM_DTYPE, ""};
    const xa_tolerance *cli = s ? s->cli : NULL, *man = s ? s->manifest : NULL;
    const char *pattern = NULL;
    xa_tolerance ft;
    if (cli && cli->active) {
        t = *cli;
        r.source = XA_TOL_FROM_CLI;
        snprintf(r.what, sizeof r.what, "command line");
    } else if (s && s->file && name && xa_tolerance_file_match(s->file, name, &ft, &pattern) >= 0) {
        t = ft;
        r.source = XA_TOL_FROM_FILE;
        snprintf(r.what, sizeof r.what, "tolerance file '%.100s'", pattern);
    } else if (man && man->active) {
        t = *man;
        r.source = XA_TOL_FROM_MANIFEST;
        snprintf(r.what, sizeof r.what, "manifest");
    } else {
        t = xa_tolerance_dtype_default(ref, port, quantised, &r);
    }
    mismatch_rule(&t, ref, port);
    if (rule) *rule = r;
    return t;
}

xa_tolerance xa_tolerance_resolve(const xa_tolerance *user, xa_dtype ref, xa_dtype port) {
    xa_tol_sources s = {user, NULL, NULL};
    return xa_tolerance_choose(&s, NULL, ref, port, 0, NULL);
}

/* ---- tolerance files ------------------------------------------------------------------------ */
struct xa_tolerance_file {
    size_t n;
    char **patterns;
    xa_tolerance *tols;
};

void xa_tolerance_file_free(xa_tolerance_file *f) {
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) free(f->patterns[i]);
    free(f->patterns);
    free(f->tols);
    free(f);
}

long xa_tolerance_file_match(const xa_tolerance_file *f, const char *name, xa_tolerance *tol,
                             const char **pattern) {
    for (size_t i = 0; f && i < f->n; i++)
        if (fnmatch(f->patterns[i], name, 0) == 0) {
            if (tol) *tol = f->tols[i];
            if (pattern) *pattern = f->patterns[i];
            return (long)i;
        }
    return -1;
}

size_t xa_tolerance_file_count(const xa_tolerance_file *f) {
    return f ? f->n : 0;
}

static xa_status parse_entry(const char *label, const char *pattern, json_t *o, xa_tolerance *t,
                             xa_error *err) {
    if (!json_is_object(o))
        return xa_fail(err, XA_EFORMAT, "%s: pattern '%.200s': expected an object of tolerances",
                       label, pattern);
    if (json_object_size(o) == 0)
        return xa_fail(err, XA_EFORMAT, "%s: pattern '%.200s': no tolerance given", label, pattern);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        /* JSON values as the text xa_tolerance_set parses: numbers exactly (%.17g), booleans as
         * true/false, strings (a preset) as they are */
        char text[64];
        if (json_is_number(v))
            snprintf(text, sizeof text, "%.17g", json_number_value(v));
        else if (json_is_boolean(v))
            snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
        else if (json_is_string(v) && !strcmp(key, "preset") &&
                 strlen(json_string_value(v)) < sizeof text)
            snprintf(text, sizeof text, "%s", json_string_value(v));
        else
            snprintf(text, sizeof text, "(not a number)");
        if (xa_tolerance_set(t, key, text, err)) {
            char where[300];
            snprintf(where, sizeof where, "%s: pattern '%.200s'", label, pattern);
            xa_error_prefix(err, where);
            return XA_EFORMAT;
        }
    }
    if (!t->active)
        return xa_fail(err, XA_EFORMAT, "%s: pattern '%.200s': 'equal: false' alone sets nothing",
                       label, pattern);
    return XA_OK;
}

xa_status xa_tolerance_file_parse(const char *json, size_t len, const char *label,
                                  xa_tolerance_file **out, xa_error *err) {
    *out = NULL;
    if (!label) label = "tolerance file";
    if (len > XA_TOLFILE_MAX_BYTES)
        return xa_fail(err, XA_ELIMIT, "%s: %zu bytes exceed the limit of %u", label, len,
                       (unsigned)XA_TOLFILE_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return xa_fail(err, XA_EFORMAT, "%s: invalid JSON at line %d: %s", label, je.line, je.text);
    xa_status st = XA_OK;
    xa_tolerance_file *f = calloc(1, sizeof *f);
    size_t n = json_is_object(root) ? json_object_size(root) : 0;
    if (!f) {
        st = xa_fail(err, XA_ENOMEM, "out of memory");
    } else if (!json_is_object(root)) {
        st = xa_fail(err, XA_EFORMAT,
                     "%s: expected an object of glob patterns, e.g. {\"/layer3*\": {\"atol\": "
                     "1e-4}}",
                     label);
    } else if (n > XA_TOLFILE_MAX_PATTERNS) {
        st = xa_fail(err, XA_ELIMIT, "%s: %zu patterns exceed the limit of %d", label, n,
                     XA_TOLFILE_MAX_PATTERNS);
    } else {
        f->patterns = calloc(n ? n : 1, sizeof *f->patterns);
        f->tols = calloc(n ? n : 1, sizeof *f->tols);
        if (!f->patterns || !f->tols) st = xa_fail(err, XA_ENOMEM, "out of memory");
    }
    const char *key;
    json_t *v;
    if (!st) json_object_foreach(root, key, v) {
            if (!key[0] || strlen(key) > XA_TOLFILE_MAX_PATTERN) {
                st = xa_fail(err, XA_EFORMAT, "%s: a pattern must have 1..%d bytes", label,
                             XA_TOLFILE_MAX_PATTERN);
                break;
            }
            st = parse_entry(label, key, v, &f->tols[f->n], err);
            if (st) break;
            f->patterns[f->n] = xa_strdup(key);
            if (!f->patterns[f->n]) {
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
            f->n++;
        }
    json_decref(root);
    if (st) {
        xa_tolerance_file_free(f);
        return st;
    }
    *out = f;
    return XA_OK;
}

/* A whole small file (JSON settings) into memory, at most `limit` bytes. */
xa_status xa_read_small_file(const char *path, size_t limit, char **out, size_t *n, xa_error *err) {
    *out = NULL;
    *n = 0;
    FILE *fp = xa_fopen_regular(path, err);
    if (!fp) return XA_EIO;
    char *buf = malloc(limit + 1);
    if (!buf) {
        fclose(fp);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    size_t got = fread(buf, 1, limit + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return xa_fail(err, XA_EIO, "%s: read failed", path);
    }
    if (got > limit) {
        free(buf);
        return xa_fail(err, XA_ELIMIT, "%s: larger than the limit of %zu bytes", path, limit);
    }
    buf[got] = 0;
    *out = buf;
    *n = got;
    return XA_OK;
}

xa_status xa_tolerance_file_load(const char *path, xa_tolerance_file **out, xa_error *err) {
    *out = NULL;
    char *buf;
    size_t n;
    xa_status st = xa_read_small_file(path, XA_TOLFILE_MAX_BYTES, &buf, &n, err);
    if (st) return st;
    st = xa_tolerance_file_parse(buf, n, path, out, err);
    free(buf);
    return st;
}
