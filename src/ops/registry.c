/* The operation registry (include/xalign/registry.h): look-up by name, one parser per kind of
 * parameter value, handles that carry an operation's parameters, and the run entry point. The
 * operations themselves are in registry_ops.c. */
#include "registry_internal.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- start-up: the resize-method choice list ------------------------------------------------ */
static char resize_choices[1024];
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void registry_init(void) {
    size_t o = 0;
    for (int m = 0; m < XA_RESIZE_METHOD_COUNT; m++) {
        const char *nm = xa_resize_method_name((xa_resize_method)m);
        int w = snprintf(resize_choices + o, sizeof resize_choices - o, "%s%s", m ? "|" : "", nm);
        if (w < 0 || (size_t)w >= sizeof resize_choices - o) break; /* cannot happen: 1 KiB */
        o += (size_t)w;
    }
    for (size_t i = 0; i < xa_op_ndefs; i++) {
        xa_param_info *p = (xa_param_info *)xa_op_defs[i].info.params;
        for (size_t k = 0; k < xa_op_defs[i].info.nparams; k++)
            if (p[k].type == XA_PARAM_CHOICE && p[k].choices == xa_resize_choices_marker)
                p[k].choices = resize_choices;
    }
}
static void ensure_init(void) {
    pthread_once(&registry_once, registry_init);
}

const char *xa_param_type_name(xa_param_type t) {
    static const char *const n[] = {"int", "float", "bool", "choice", "floats", "ints", "size"};
    return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "invalid";
}

size_t xa_op_count(void) {
    ensure_init();
    return xa_op_ndefs;
}

const xa_op_info *xa_op_info_at(size_t i) {
    ensure_init();
    return i < xa_op_ndefs ? &xa_op_defs[i].info : NULL;
}

static const xa_op_def *find_def(const char *name) {
    ensure_init();
    for (size_t i = 0; name && i < xa_op_ndefs; i++)
        if (!strcmp(name, xa_op_defs[i].info.name) ||
            (xa_op_defs[i].info.alias && !strcmp(name, xa_op_defs[i].info.alias)))
            return &xa_op_defs[i];
    return NULL;
}

const xa_op_info *xa_op_find(const char *name) {
    const xa_op_def *d = find_def(name);
    return d ? &d->info : NULL;
}

const char *xa_param_choices(const xa_param_info *p) {
    ensure_init();
    return p && p->type == XA_PARAM_CHOICE ? p->choices : NULL;
}

const char *xa_op_suggest(const char *name) {
    ensure_init();
    const char *best = NULL;
    size_t bd = 4; /* at most 3 edits away, and less than half the name */
    for (size_t i = 0; name && i < xa_op_ndefs; i++) {
        size_t d = xa_edit_distance(name, xa_op_defs[i].info.name);
        if (d < bd && 2 * d < strlen(xa_op_defs[i].info.name))
            bd = d, best = xa_op_defs[i].info.name;
    }
    return best;
}

/* ---- handles ------------------------------------------------------------------------------- */
typedef struct pval {
    int has;      /* a value (explicit or the default) */
    int user_set; /* set by the caller */
    int n;        /* entries of v */
    double v[XA_PARAM_MAX_VALUES];
    int choice; /* index into the choices */
} pval;

struct xa_op {
    const xa_op_def *def;
    pval *vals;
    char *text; /* xa_op_get / xa_op_describe buffer */
    char note[512];
};

static const xa_param_info *param_of(const xa_op_def *d, const char *key, size_t *idx) {
    for (size_t k = 0; key && k < d->info.nparams; k++) {
        const xa_param_info *p = &d->info.params[k];
        if (!strcmp(key, p->name) || (p->alias && !strcmp(key, p->alias))) {
            if (idx) *idx = k;
            return p;
        }
    }
    return NULL;
}

/* index of `s` (length n) in "a|b|c", -1 if absent */
static int choice_index(const char *choices, const char *s, size_t n) {
    int i = 0;
    for (const char *c = choices; c && *c; i++) {
        const char *e = strchr(c, '|');
        size_t l = e ? (size_t)(e - c) : strlen(c);
        if (l == n && !strncmp(c, s, n)) return i;
        if (!e) break;
        c = e + 1;
    }
    return -1;
}

static void choice_name(const char *choices, int idx, char *buf, size_t size) {
    const char *c = choices;
    for (int i = 0; i < idx && c; i++) {
        c = strchr(c, '|');
        if (c) c++;
    }
    size_t l = 0;
    if (c) {
        const char *e = strchr(c, '|');
        l = e ? (size_t)(e - c) : strlen(c);
    }
    if (l >= size) l = size - 1;
    memcpy(buf, c ? c : "", l);
    buf[l] = 0;
}

/* who: the operation's name, or NULL for a parameter parsed on its own (xa_param_parse) */
static xa_status bad(xa_error *err, const char *who, const xa_param_info *p, const char *value,
                     const char *why) {
    if (!who) return xa_fail(err, XA_EINVAL, "%s '%s' %s", p->name, value, why);
    return xa_fail(err, XA_EINVAL, "%s: %s '%s' %s", who, p->name, value, why);
}

static int is_integral(double v) {
    return isfinite(v) && v == floor(v) && fabs(v) < 9007199254740992.0; /* 2^53 */
}

static xa_status check_range(const char *d, const xa_param_info *p, const char *text, double v,
                             xa_error *err) {
    if (!isfinite(v)) return bad(err, d, p, text, "is not a finite number");
    if ((p->type == XA_PARAM_INT || p->type == XA_PARAM_INTS || p->type == XA_PARAM_SIZE) &&
        !is_integral(v))
        return bad(err, d, p, text, "is not an integer");
    if (p->min < p->max && (v < p->min || v > p->max)) {
        char msg[128];
        snprintf(msg, sizeof msg, "is outside %.17g..%.17g", p->min, p->max);
        return bad(err, d, p, text, msg);
    }
    return XA_OK;
}

/* Parse `text` as parameter p into v (not touching the handle on failure). */
static xa_status parse_value(const char *d, const xa_param_info *p, const char *text, pval *v,
                             xa_error *err) {
    pval r = {0};
    r.has = 1;
    if (!text) text = "";
    switch (p->type) {
    case XA_PARAM_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes"))
            r.v[0] = 1;
        else if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no"))
            r.v[0] = 0;
        else
            return bad(err, d, p, text, "is not true or false");
        r.n = 1;
        break;
    case XA_PARAM_CHOICE:
        r.choice = choice_index(p->choices, text, strlen(text));
        if (r.choice < 0) {
            char msg[1200];
            snprintf(msg, sizeof msg, "is not one of: %s", p->choices);
            for (char *c = msg; *c; c++)
                if (*c == '|') *c = ' ';
            return bad(err, d, p, text, msg);
        }
        r.n = 1;
        break;
    case XA_PARAM_SIZE: {
        long long w, h;
        char tail;
        if (sscanf(text, "%lldx%lld%c", &w, &h, &tail) == 2) {
        } else if (sscanf(text, "%lld%c", &w, &tail) == 1) {
            if (!p->square_ok)
                return bad(err, d, p, text,
                           "is one number: give WIDTHxHEIGHT (a bare N would be ambiguous here; "
                           "torchvision's Resize(N) is the shorter side: tv-resize short=N)");
            h = w;
        } else {
            return bad(err, d, p, text,
                       p->square_ok ? "is not WIDTHxHEIGHT or N" : "is not WIDTHxHEIGHT");
        }
        xa_status st = check_range(d, p, text, (double)w, err);
        if (!st) st = check_range(d, p, text, (double)h, err);
        if (st) return st;
        r.v[0] = (double)w, r.v[1] = (double)h, r.n = 2;
        break;
    }
    case XA_PARAM_INT:
    case XA_PARAM_FLOAT:
    case XA_PARAM_FLOATS:
    case XA_PARAM_INTS: {
        int list = p->type == XA_PARAM_FLOATS || p->type == XA_PARAM_INTS;
        const char *s = text;
        for (;;) {
            char *e;
            errno = 0;
            double x = strtod(s, &e);
            if (e == s || errno == ERANGE || (*e && !(list && *e == ',')))
                return bad(err, d, p, text,
                           list ? "is not a comma-separated list of numbers" : "is not a number");
            if (r.n >= (list ? XA_PARAM_MAX_VALUES : 1))
                return bad(err, d, p, text, "has too many values");
            xa_status st = check_range(d, p, text, x, err);
            if (st) return st;
            r.v[r.n++] = x;
            if (!*e) break;
            s = e + 1;
        }
        if (list && (r.n < p->min_count || r.n > p->max_count)) {
            char msg[96];
            if (p->min_count == p->max_count)
                snprintf(msg, sizeof msg, "must hold %d values", p->min_count);
            else
                snprintf(msg, sizeof msg, "must hold %d to %d values", p->min_count, p->max_count);
            return bad(err, d, p, text, msg);
        }
        break;
    }
    }
    *v = r;
    return XA_OK;
}

xa_status xa_param_parse(const xa_param_info *p, const char *text, double *v, int *n,
                         xa_error *err) {
    ensure_init();
    pval r;
    xa_status st = parse_value(NULL, p, text, &r, err);
    if (st) return st;
    if (p->type == XA_PARAM_CHOICE) r.v[0] = r.choice;
    memcpy(v, r.v, (size_t)r.n * sizeof *v);
    *n = r.n;
    return XA_OK;
}

/* Canonical text of a value. */
static void value_text(const xa_param_info *p, const pval *v, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = 0;
    if (!v->has) return;
    switch (p->type) {
    case XA_PARAM_BOOL:
        snprintf(buf, size, "%s", v->v[0] ? "true" : "false");
        return;
    case XA_PARAM_CHOICE:
        choice_name(p->choices, v->choice, buf, size);
        return;
    case XA_PARAM_SIZE:
        snprintf(buf, size, "%.0fx%.0f", v->v[0], v->v[1]);
        return;
    default:
        for (int i = 0; i < v->n && o < size; i++) {
            int w = snprintf(buf + o, size - o, i ? ",%.17g" : "%.17g", v->v[i]);
            if (w < 0) return;
            o += (size_t)w;
        }
        /* shortest form that reads back the same double, as Python's repr */
        if (p->type == XA_PARAM_FLOAT || p->type == XA_PARAM_FLOATS) {
            o = 0;
            for (int i = 0; i < v->n && o < size; i++) {
                char t[40];
                int w = snprintf(buf + o, size - o, i ? ",%s" : "%s",
                                 xa_fmt_shortest(v->v[i], t, sizeof t));
                if (w < 0) return;
                o += (size_t)w;
            }
        }
        return;
    }
}

xa_status xa_op_new(const char *name, xa_op **out, xa_error *err) {
    *out = NULL;
    const xa_op_def *d = find_def(name);
    if (!d) {
        const char *s = xa_op_suggest(name ? name : "");
        if (s)
            return xa_fail(err, XA_EINVAL,
                           "unknown operation '%s' (did you mean '%s'? 'xalign ops' lists them)",
                           name ? name : "", s);
        return xa_fail(err, XA_EINVAL, "unknown operation '%s' ('xalign ops' lists them)",
                       name ? name : "");
    }
    xa_op *op = calloc(1, sizeof *op);
    if (!op) return xa_fail(err, XA_ENOMEM, "out of memory");
    op->def = d;
    op->vals = calloc(d->info.nparams ? d->info.nparams : 1, sizeof *op->vals);
    if (!op->vals) {
        free(op);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < d->info.nparams; k++) {
        const xa_param_info *p = &d->info.params[k];
        if (p->dflt && p->dflt[0] && parse_value(d->info.name, p, p->dflt, &op->vals[k], NULL)) {
            xa_op_free(op); /* a schema whose default does not parse: caught by the unit test */
            return xa_fail(err, XA_EINVAL, "%s: bad default for %s", d->info.name, p->name);
        }
    }
    *out = op;
    return XA_OK;
}

xa_status xa_op_dup(const xa_op *src, xa_op **out, xa_error *err) {
    xa_status st = xa_op_new(src->def->info.name, out, err);
    if (st) return st;
    memcpy((*out)->vals, src->vals, src->def->info.nparams * sizeof *src->vals);
    return XA_OK;
}

void xa_op_free(xa_op *op) {
    if (!op) return;
    free(op->vals);
    free(op->text);
    free(op);
}

const xa_op_info *xa_op_get_info(const xa_op *op) {
    return &op->def->info;
}

static xa_status unknown_key(const xa_op *op, const char *key, xa_error *err) {
    const xa_op_info *in = &op->def->info;
    if (!in->nparams)
        return xa_fail(err, XA_EINVAL, "%s: unknown parameter '%s' (it takes none)", in->name, key);
    char list[512];
    size_t o = 0;
    for (size_t k = 0; k < in->nparams && o < sizeof list; k++) {
        int w = snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "", in->params[k].name);
        if (w < 0) break;
        o += (size_t)w;
    }
    if (!strcmp(in->name, "tv-resize") && !strcmp(key, "size"))
        return xa_fail(err, XA_EINVAL,
                       "tv-resize: torchvision's Resize(N) takes the shorter side: give short=N "
                       "(for an exact WIDTHxHEIGHT use the resize operation)");
    return xa_fail(err, XA_EINVAL, "%s: unknown parameter '%s' (its parameters: %s)", in->name, key,
                   list);
}

xa_status xa_op_set(xa_op *op, const char *key, const char *value, xa_error *err) {
    size_t k;
    const xa_param_info *p = param_of(op->def, key, &k);
    if (!p) return unknown_key(op, key, err);
    pval v;
    xa_status st = parse_value(op->def->info.name, p, value, &v, err);
    if (st) return st;
    v.user_set = 1;
    op->vals[k] = v;
    return XA_OK;
}

xa_status xa_op_set_numbers(xa_op *op, const char *key, const double *v, int n, xa_error *err) {
    size_t k;
    const xa_param_info *p = param_of(op->def, key, &k);
    if (!p) return unknown_key(op, key, err);
    if (n < 1 || n > XA_PARAM_MAX_VALUES)
        return xa_fail(err, XA_EINVAL, "%s: %s needs 1 to %d numbers", op->def->info.name, p->name,
                       XA_PARAM_MAX_VALUES);
    /* through the text form, so every check is the one parser's */
    char text[XA_PARAM_MAX_VALUES * 26];
    size_t o = 0;
    const char *sep = p->type == XA_PARAM_SIZE ? "x" : ",";
    if (p->type == XA_PARAM_SIZE && n > 2)
        return xa_fail(err, XA_EINVAL, "%s: %s is [width, height]%s", op->def->info.name, p->name,
                       p->square_ok ? " or [n]" : "");
    if (p->type != XA_PARAM_FLOATS && p->type != XA_PARAM_INTS && p->type != XA_PARAM_SIZE && n > 1)
        return xa_fail(err, XA_EINVAL, "%s: %s takes one value, not a list", op->def->info.name,
                       p->name);
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return xa_fail(err, XA_EINVAL, "%s: %s holds a value that is not finite",
                           op->def->info.name, p->name);
        int w = snprintf(text + o, sizeof text - o, "%s%.17g", i ? sep : "", v[i]);
        if (w < 0 || (size_t)w >= sizeof text - o) return xa_fail(err, XA_EINVAL, "value too long");
        o += (size_t)w;
    }
    if (p->type == XA_PARAM_BOOL) snprintf(text, sizeof text, "%s", v[0] != 0 ? "true" : "false");
    return xa_op_set(op, key, text, err);
}

xa_status xa_op_set_number(xa_op *op, const char *key, double v, xa_error *err) {
    return xa_op_set_numbers(op, key, &v, 1, err);
}

int xa_op_is_set(const xa_op *op, const char *key) {
    size_t k;
    return param_of(op->def, key, &k) ? op->vals[k].user_set : 0;
}

static char *grow_text(xa_op *op, size_t need) {
    char *t = realloc(op->text, need);
    if (t) op->text = t;
    return t;
}

const char *xa_op_get(const xa_op *op, const char *key) {
    size_t k;
    const xa_param_info *p = param_of(op->def, key, &k);
    if (!p || !op->vals[k].has) return NULL;
    xa_op *m = (xa_op *)op; /* the text buffer is a cache */
    char *t = grow_text(m, XA_PARAM_MAX_VALUES * 26 + 1100);
    if (!t) return NULL;
    value_text(p, &op->vals[k], t, XA_PARAM_MAX_VALUES * 26 + 1100);
    return t;
}

const char *xa_op_describe(const xa_op *op) {
    xa_op *m = (xa_op *)op;
    size_t cap = 256;
    for (size_t k = 0; k < op->def->info.nparams; k++)
        cap += strlen(op->def->info.params[k].name) + XA_PARAM_MAX_VALUES * 26 + 64;
    char *t = grow_text(m, cap);
    if (!t) return "";
    size_t o = (size_t)snprintf(t, cap, "%s", op->def->info.name);
    char v[XA_PARAM_MAX_VALUES * 26 + 1100];
    for (size_t k = 0; k < op->def->info.nparams && o < cap; k++) {
        if (!op->vals[k].user_set) continue;
        value_text(&op->def->info.params[k], &op->vals[k], v, sizeof v);
        o += (size_t)snprintf(t + o, cap - o, " %s=%s", op->def->info.params[k].name, v);
    }
    return t;
}

xa_status xa_op_validate(const xa_op *op, xa_error *err) {
    const xa_op_info *in = &op->def->info;
    for (size_t k = 0; k < in->nparams; k++)
        if (!in->params[k].dflt && !op->vals[k].has)
            return xa_fail(err, XA_EINVAL, "%s needs '%s': %s", in->name, in->params[k].name,
                           in->params[k].help);
    return op->def->check ? op->def->check(op, err) : XA_OK;
}

xa_status xa_op_run(xa_op *op, const xa_tensor *const *in, size_t n, xa_tensor **out,
                    xa_error *err) {
    *out = NULL;
    op->note[0] = 0;
    const xa_op_info *info = &op->def->info;
    if (n < (size_t)info->min_inputs || n > (size_t)info->max_inputs) {
        if (info->min_inputs == info->max_inputs)
            return xa_fail(err, XA_EINVAL, "%s takes %d input%s (%s), got %zu", info->name,
                           info->min_inputs, info->min_inputs == 1 ? "" : "s", info->inputs, n);
        return xa_fail(err, XA_EINVAL, "%s takes %d to %d inputs (%s), got %zu", info->name,
                       info->min_inputs, info->max_inputs, info->inputs, n);
    }
    for (size_t i = 0; i < n; i++)
        if (!in[i]) return xa_fail(err, XA_EINVAL, "%s: input %zu is NULL", info->name, i);
    xa_status st = xa_op_validate(op, err);
    return st ? st : op->def->run(op, in, n, out, err);
}

const char *xa_op_note(const xa_op *op) {
    return op->note;
}

void xa_op_set_note(xa_op *op, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->note, sizeof op->note, fmt, ap);
    va_end(ap);
}

xa_status xa_op_geometry(const xa_op *op, int64_t w, int64_t h, xa_letterbox_geom *g,
                         xa_error *err) {
    if (!op->def->geometry)
        return xa_fail(err, XA_EINVAL,
                       "%s has no geometry of its own (letterbox-yolov5, "
                       "letterbox-sail and tv-resize do)",
                       op->def->info.name);
    xa_status st = xa_op_validate(op, err);
    return st ? st : op->def->geometry(op, w, h, g, err);
}

/* ---- accessors for the operation wrappers --------------------------------------------------- */
static const pval *val_of(const xa_op *op, const char *key, const xa_param_info **p) {
    size_t k;
    const xa_param_info *pi = param_of(op->def, key, &k);
    if (p) *p = pi;
    return pi ? &op->vals[k] : NULL;
}

int xa_op_has(const xa_op *op, const char *key) {
    const pval *v = val_of(op, key, NULL);
    return v && v->has;
}
int64_t xa_op_int(const xa_op *op, const char *key) {
    const pval *v = val_of(op, key, NULL);
    return v && v->has ? (int64_t)v->v[0] : 0;
}
double xa_op_float(const xa_op *op, const char *key) {
    const pval *v = val_of(op, key, NULL);
    return v && v->has ? v->v[0] : 0;
}
int xa_op_bool(const xa_op *op, const char *key) {
    const pval *v = val_of(op, key, NULL);
    return v && v->has && v->v[0] != 0;
}
int xa_op_choice_index(const xa_op *op, const char *key) {
    const pval *v = val_of(op, key, NULL);
    return v && v->has ? v->choice : -1;
}
const char *xa_op_choice(const xa_op *op, const char *key) {
    const xa_param_info *p;
    const pval *v = val_of(op, key, &p);
    if (!v || !v->has) return "";
    static _Thread_local char buf[128];
    choice_name(p->choices, v->choice, buf, sizeof buf);
    return buf;
}
const double *xa_op_floats(const xa_op *op, const char *key, int *n) {
    const pval *v = val_of(op, key, NULL);
    *n = v && v->has ? v->n : 0;
    return v ? v->v : NULL;
}
void xa_op_size(const xa_op *op, const char *key, int64_t *w, int64_t *h) {
    const pval *v = val_of(op, key, NULL);
    *w = v && v->has ? (int64_t)v->v[0] : 0;
    *h = v && v->has ? (int64_t)v->v[1] : 0;
}
xa_resize_method xa_op_method(const xa_op *op, const char *key) {
    xa_resize_method m = XA_RESIZE_PIL_BILINEAR;
    xa_resize_method_from_name(xa_op_choice(op, key), &m);
    return m;
}
