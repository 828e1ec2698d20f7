/* Classification results: CSV lines `file,top1,score[,classes...]` or JSON lines
 * `{"file", "top1", "score", "top5"}`. */
#include "results_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cls_build {
    xa_cls_results *r;
    size_t cap;
    xa_smap names;
} cls_build;

void xa_cls_results_free(xa_cls_results *r) {
    if (!r) return;
    for (size_t i = 0; i < r->count; i++) free(r->items[i].file);
    free(r->items);
    free(r);
}

/* Append an entry (file copied); a file named twice is an error. */
static xa_status push_entry(cls_build *b, const char *name, const char *file, size_t flen,
                            const xa_cls_entry *e, size_t line, xa_error *err) {
    xa_cls_results *r = b->r;
    if (flen == 0) return xa_fail(err, XA_EFORMAT, "%s: line %zu: an empty file name", name, line);
    if (xa_grow((void **)&r->items, &b->cap, r->count, sizeof *r->items))
        return xa_fail(err, XA_ENOMEM, "out of memory");
    xa_cls_entry *x = &r->items[r->count];
    *x = *e;
    x->file = malloc(flen + 1);
    if (!x->file) return xa_fail(err, XA_ENOMEM, "out of memory");
    memcpy(x->file, file, flen);
    x->file[flen] = 0;
    size_t old;
    int p = xa_smap_put(&b->names, x->file, flen, r->count, &old);
    if (p < 0) {
        free(x->file);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    if (p == 0) {
        xa_status st = xa_fail(err, XA_EFORMAT, "%s: line %zu: file '%s' is listed twice", name,
                               line, x->file);
        free(x->file);
        return st;
    }
    r->count++;
    return XA_OK;
}

/* The rest of a top-k list after top1: either the 4 next classes or the whole list (its first
 * equal to top1). */
static xa_status set_topk(xa_cls_entry *e, const int64_t *cls, int n, const char *name, size_t line,
                          xa_error *err) {
    int start = 0;
    if (n == XA_CLS_TOPK) {
        if (cls[0] != e->top[0])
            return xa_fail(err, XA_EFORMAT,
                           "%s: line %zu: a top-5 list of 5 classes must start with top1 (%lld), "
                           "found %lld",
                           name, line, (long long)e->top[0], (long long)cls[0]);
        start = 1;
    } else if (n > XA_CLS_TOPK) {
        return xa_fail(err, XA_EFORMAT, "%s: line %zu: more than 5 classes", name, line);
    }
    e->ntop = 1;
    for (int k = start; k < n; k++) e->top[e->ntop++] = cls[k];
    return XA_OK;
}

/* ---- CSV ----------------------------------------------------------------------------- */
/* Next field of a line: plain or double-quoted ("" is a quote). Unquoted into `buf` when quoted. */
static int csv_field(const char **p, const char *e, const char **s, size_t *n, char *buf,
                     size_t cap) {
    const char *q = *p;
    if (q < e && *q == '"') {
        size_t o = 0;
        q++;
        for (;;) {
            if (q >= e) return -1;
            if (*q == '"') {
                if (q + 1 < e && q[1] == '"') {
                    if (o < cap) buf[o++] = '"';
                    q += 2;
                    continue;
                }
                q++;
                break;
            }
            if (o < cap) buf[o++] = *q;
            q++;
        }
        if (o >= cap) return -1;
        *s = buf;
        *n = o;
    } else {
        const char *f = q;
        while (q < e && *q != ',') q++;
        *s = f;
        *n = (size_t)(q - f);
    }
    if (q < e) {
        if (*q != ',') return -1;
        q++;
    }
    *p = q;
    return 0;
}

static void trim(const char **s, size_t *n) {
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* A first line whose top1 field is not a number is a header ("file,top1,score,..."). */
static int line_is_header(const char *const *fs, const size_t *fn, int nf) {
    xa_jnum num;
    if (nf < 2) return 0;
    return xa_jr_parse_number(fs[1], fs[1] + fn[1], &num) != fn[1] || fn[1] == 0;
}

static int parse_num_field(const char *s, size_t n, double *v, int *is_int, int64_t *iv) {
    xa_jnum num;
    if (n == 0) return -1;
    size_t used = xa_jr_parse_number(s, s + n, &num);
    if (used != n) return -1;
    *v = num.v;
    *is_int = xa_jnum_to_id(&num, iv);
    return 0;
}

static xa_status parse_csv(cls_build *b, const char *buf, size_t size, const char *name,
                           const xa_json_limits *lim, xa_error *err) {
    const char *p = buf, *end = buf + size;
    size_t line = 0;
    int seen_line = 0;
    char *fbuf = NULL; /* unquoted fields of one line: never longer than the line */
    size_t fcap = 0;
    xa_status st = XA_OK;
    while (p < end && !st) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        line++;
        if (le > p && le[-1] == '\r') le--;
        const char *q = p;
        p = next;
        if ((size_t)(le - q) > lim->max_string) {
            st = xa_fail(err, XA_ELIMIT, "%s: line %zu is longer than %zu bytes", name, line,
                         lim->max_string);
            break;
        }
        if (q == le) continue; /* blank line */
        const char *fs[3 + XA_CLS_TOPK + 1];
        size_t fn[3 + XA_CLS_TOPK + 1];
        int nf = 0;
        size_t len = (size_t)(le - q);
        if (len + 1 > fcap) {
            char *nb = realloc(fbuf, len + 1);
            if (!nb) {
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
            fbuf = nb;
            fcap = len + 1;
        }
        char *fb = fbuf;
        size_t room = len + 1;
        while (q <= le && nf < 3 + XA_CLS_TOPK + 1) {
            if (csv_field(&q, le, &fs[nf], &fn[nf], fb, room)) {
                st = xa_fail(err, XA_EFORMAT, "%s: line %zu: a malformed quoted field", name, line);
                break;
            }
            if (fs[nf] == fb) { /* quoted: keep its bytes apart from the next field's */
                fb += fn[nf];
                room -= fn[nf];
            }
            trim(&fs[nf], &fn[nf]);
            nf++;
            if (q >= le) break;
        }
        if (st) break;
        if (q < le) {
            st = xa_fail(err, XA_EFORMAT,
                         "%s: line %zu: more than %d fields (file, top1, score "
                         "and at most 5 classes)",
                         name, line, 3 + XA_CLS_TOPK);
            break;
        }
        int first = !seen_line;
        seen_line = 1;
        if (first && line_is_header(fs, fn, nf)) continue;
        if (nf < 3) {
            st = xa_fail(err, XA_EFORMAT, "%s: line %zu: %d field%s; want file,top1,score[,top5]",
                         name, line, nf, nf == 1 ? "" : "s");
            break;
        }
        xa_cls_entry e;
        memset(&e, 0, sizeof e);
        double v;
        int isint;
        int64_t cls[XA_CLS_TOPK + 1];
        if (parse_num_field(fs[1], fn[1], &v, &isint, &e.top[0]) || !isint) {
            st = xa_fail(err, XA_EFORMAT, "%s: line %zu: top1 '%.*s' is not a class index", name,
                         line, (int)(fn[1] < 40 ? fn[1] : 40), fs[1]);
            break;
        }
        int64_t dummy;
        if (parse_num_field(fs[2], fn[2], &e.score, &isint, &dummy) || !isfinite(e.score)) {
            st = xa_fail(err, XA_EFORMAT, "%s: line %zu: score '%.*s' is not a finite number", name,
                         line, (int)(fn[2] < 40 ? fn[2] : 40), fs[2]);
            break;
        }
        int nc = 0;
        for (int k = 3; k < nf && !st; k++) {
            if (parse_num_field(fs[k], fn[k], &v, &isint, &cls[nc]) || !isint)
                st = xa_fail(err, XA_EFORMAT, "%s: line %zu: field %d '%.*s' is not a class index",
                             name, line, k + 1, (int)(fn[k] < 40 ? fn[k] : 40), fs[k]);
            nc++;
        }
        if (st) break;
        if ((st = set_topk(&e, cls, nc, name, line, err))) break;
        st = push_entry(b, name, fs[0], fn[0], &e, line, err);
    }
    free(fbuf);
    return st;
}

/* ---- JSON lines ----------------------------------------------------------------------- */
static xa_status parse_jsonl(cls_build *b, const char *buf, size_t size, const char *name,
                             const xa_json_limits *lim, xa_error *err) {
    xa_jr j;
    xa_status st = xa_jr_init(&j, buf, size, name, lim, err);
    if (st) return st;
    char *file = NULL;
    for (uint64_t i = 0;; i++) {
        xa_jtype t = xa_jr_peek(&j);
        if (t == XA_J_EOF) break;
        size_t at = xa_jr_offset(&j), line = xa_jr_line(&j, at);
        if (t != XA_J_OBJECT) {
            if (t != XA_J_ERROR)
                xa_jr_fail_at(&j, at, XA_EFORMAT,
                              "record %llu is not an object {\"file\", \"top1\", \"score\"}",
                              (unsigned long long)i);
            break;
        }
        if (i >= lim->max_elements) {
            xa_jr_fail_at(&j, at, XA_ELIMIT, "more than %llu records",
                          (unsigned long long)lim->max_elements);
            break;
        }
        xa_jr_entry(&j, "record", i);
        xa_jr_object(&j);
        xa_cls_entry e;
        memset(&e, 0, sizeof e);
        int64_t cls[XA_CLS_TOPK + 1];
        int nc = 0, have_top1 = 0, have_score = 0;
        size_t flen = 0;
        xa_jstr key, s;
        int r;
        for (uint64_t k = 0; (r = xa_jr_next_key(&j, k, &key)) == 1; k++) {
            if (xa_jkey(&key, "file")) {
                xa_jr_key(&j, "file", -1);
                if (xa_jr_string(&j, &s, NULL)) break;
                j.ctx.idkey = "file";
                free(file);
                file = malloc(s.n + 1);
                if (!file) {
                    xa_jr_fail_at(&j, at, XA_ENOMEM, "out of memory");
                    break;
                }
                memcpy(file, s.s, s.n);
                file[s.n] = 0;
                flen = s.n;
                j.ctx.idstr = file;
            } else if (xa_jkey(&key, "top1") || xa_jkey(&key, "score")) {
                int is_top1 = xa_jkey(&key, "top1");
                xa_jnum n;
                size_t vat = xa_jr_value_offset(&j);
                xa_jr_key(&j, is_top1 ? "top1" : "score", -1);
                if (xa_jr_number(&j, &n, NULL)) break;
                if (is_top1) {
                    if (!xa_jnum_to_id(&n, &e.top[0])) {
                        xa_jr_fail_at(&j, vat, XA_EFORMAT, "top1 is not a class index");
                        break;
                    }
                    have_top1 = 1;
                } else {
                    if (!isfinite(n.v)) {
                        xa_jr_fail_at(&j, vat, XA_EFORMAT, "score is %s",
                                      isnan(n.v) ? "NaN" : "infinite");
                        break;
                    }
                    e.score = n.v;
                    have_score = 1;
                }
            } else if (xa_jkey(&key, "top5")) {
                size_t vat = xa_jr_value_offset(&j);
                xa_jr_key(&j, "top5", -1);
                if (xa_jr_array(&j)) break;
                nc = 0;
                int r2;
                for (uint64_t q = 0; (r2 = xa_jr_next_elem(&j, q)) == 1; q++) {
                    xa_jnum n;
                    xa_jr_key(&j, "top5", (int)q);
                    if (xa_jr_number(&j, &n, NULL)) break;
                    if (nc >= XA_CLS_TOPK || !xa_jnum_to_id(&n, &cls[nc])) {
                        xa_jr_key(&j, NULL, -1);
                        xa_jr_fail_at(&j, vat, XA_EFORMAT, "top5 must be at most 5 class indices");
                        break;
                    }
                    nc++;
                }
                if (j.st) break;
            } else if (xa_jr_skip(&j)) {
                break;
            }
            xa_jr_key(&j, NULL, -1);
        }
        if (j.st) break;
        if (!file || !have_top1 || !have_score) {
            xa_jr_fail_at(&j, at, XA_EFORMAT,
                          "no \"%s\" (records are {\"file\", \"top1\", \"score\"[, \"top5\"]})",
                          !file        ? "file"
                          : !have_top1 ? "top1"
                                       : "score");
            break;
        }
        if (nc > 0 && cls[0] != e.top[0]) {
            xa_jr_fail_at(&j, at, XA_EFORMAT, "top5 must start with top1 (%lld)",
                          (long long)e.top[0]);
            break;
        }
        e.ntop = nc > 0 ? nc : 1;
        for (int k = 1; k < nc; k++) e.top[k] = cls[k];
        if ((st = push_entry(b, name, file, flen, &e, line, err))) {
            j.st = st;
            break;
        }
        free(file);
        file = NULL;
        xa_jr_entry(&j, NULL, 0); /* the context named the freed file */
    }
    free(file);
    st = j.st;
    xa_jr_done(&j);
    return st;
}

xa_status xa_cls_results_parse(const void *buf, size_t size, const char *name,
                               const xa_json_limits *lim, xa_cls_results **out, xa_error *err) {
    *out = NULL;
    xa_json_limits l;
    if (lim)
        l = *lim;
    else
        xa_json_limits_init(&l);
    if ((uint64_t)size > l.max_bytes)
        return xa_fail(err, XA_ELIMIT, "%s: %zu bytes exceed the limit of %llu", name, size,
                       (unsigned long long)l.max_bytes);
    cls_build b = {0};
    b.r = calloc(1, sizeof *b.r);
    if (!b.r) return xa_fail(err, XA_ENOMEM, "out of memory");
    const char *s = buf ? buf : "";
    size_t i = 0;
    while (i < size && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
    xa_status st = i < size && s[i] == '{' ? parse_jsonl(&b, s, size, name, &l, err)
                                           : parse_csv(&b, s, size, name, &l, err);
    if (!st && b.r->count == 0)
        st = xa_fail(err, XA_EFORMAT, "%s: no results (lines file,top1,score[,top5...])", name);
    xa_smap_clear(&b.names);
    if (st) {
        xa_cls_results_free(b.r);
        return st;
    }
    *out = b.r;
    return XA_OK;
}

xa_status xa_cls_results_load(const char *path, const xa_json_limits *lim, xa_cls_results **out,
                              xa_error *err) {
    xa_file f;
    *out = NULL;
    xa_status st = xa_file_open(path, (size_t)1 << 16, &f, err);
    if (st) return st;
    st = xa_cls_results_parse(f.data, f.size, path, lim, out, err);
    xa_file_close(&f);
    return st;
}
