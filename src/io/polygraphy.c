/* Polygraphy's JSON files: `polygraphy run --save-outputs` (a RunResults) and `--save-inputs`
 * (the data loader's list of feed dicts), read as multi-member files.
 *
 * The format, from Polygraphy's source (tools/Polygraphy/polygraphy/json/serde.py and
 * comparator/struct.py in NVIDIA/TensorRT):
 *  - an array is an object {"array": BASE64, "polygraphy_class": "ndarray"}, where BASE64 is the
 *    base64 text of the bytes np.save writes (serde.py, the encoder registered for np.ndarray).
 *    Older files mark the type with "__polygraphy_encoded_ndarray":
 *    "polygraphy_serialized_json_type" instead of "polygraphy_class"; their decoder also accepts
 *    the bytes as latin-1 text instead of base64 and an .npz image whose first member is the
 *    array -- both are read here too;
 *  - an output may be wrapped as {"values": ARRAY, "polygraphy_class": "LazyArray"} (alias
 *    "LazyNumpyArray"), struct.py's LazyArray;
 *  - IterationResult: {"outputs": {NAME: ARRAY, ...}, "runtime": ..., "runner_name": ...};
 *  - RunResults: {"lst": [[RUNNER_NAME, [ITERATION_RESULT, ...]], ...]};
 *  - --save-inputs: [{NAME: ARRAY, ...}, ...], one feed dict per iteration.
 * Member names (docs/formats.md): the output or input name, prefixed by "iterK/" when the file
 * holds several iterations and by "RUNNER/" when it holds several runners, so that two files of
 * one runner and one iteration each (the usual --save-outputs of two backends) pair by name.
 *
 * The JSON is parsed by a bounded scanner (depth XA_JSON_MAX_DEPTH, XA_JSON_MAX_NODES values)
 * that records where strings lie instead of copying them: a file of base64 arrays is mostly one
 * long string per array, decoded only when that member is read. */
#include "io_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct {
    unsigned char type, escaped;
    uint32_t first, next, key; /* child / sibling / key string (node indices; 0 = none) */
    size_t off, len;           /* strings: contents; others: the text of the value */
} jnode;

typedef struct {
    const unsigned char *b;
    size_t n, i;
    jnode *nodes;
    uint32_t count, cap;
    xa_error *err;
} jparse;

static xa_status jfail(jparse *p, const char *what) {
    return xa_fail(p->err, XA_EFORMAT, "invalid JSON at byte %zu: %s", p->i, what);
}

static void ws(jparse *p) {
    while (p->i < p->n &&
           (p->b[p->i] == ' ' || p->b[p->i] == '\n' || p->b[p->i] == '\r' || p->b[p->i] == '\t'))
        p->i++;
}

static xa_status new_node(jparse *p, int type, uint32_t *idx) {
    if (p->count + 1 >= XA_JSON_MAX_NODES)
        return xa_fail(p->err, XA_ELIMIT, "more than %u JSON values", (unsigned)XA_JSON_MAX_NODES);
    if (p->count + 1 >= p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 64;
        if (cap > XA_JSON_MAX_NODES) cap = XA_JSON_MAX_NODES;
        jnode *nn = realloc(p->nodes, (size_t)cap * sizeof *nn);
        if (!nn) return xa_fail(p->err, XA_ENOMEM, "out of memory");
        p->nodes = nn;
        p->cap = cap;
    }
    *idx = ++p->count; /* node 0 is "none" */
    memset(&p->nodes[*idx], 0, sizeof(jnode));
    p->nodes[*idx].type = (unsigned char)type;
    p->nodes[*idx].off = p->i;
    return XA_OK;
}

static int hexval(unsigned char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static xa_status parse_string(jparse *p, uint32_t *idx) {
    xa_status st = new_node(p, J_STR, idx);
    if (st) return st;
    p->i++; /* the opening quote */
    size_t start = p->i;
    int esc = 0;
    while (p->i < p->n && p->b[p->i] != '"') {
        unsigned char c = p->b[p->i];
        if (c < 0x20) return jfail(p, "control character in a string");
        if (c == '\\') {
            esc = 1;
            if (p->i + 1 >= p->n) return jfail(p, "unterminated escape");
            unsigned char e = p->b[p->i + 1];
            if (e == 'u') {
                if (p->i + 5 >= p->n) return jfail(p, "short \\u escape");
                for (int k = 2; k < 6; k++)
                    if (hexval(p->b[p->i + (size_t)k]) < 0) return jfail(p, "bad \\u escape");
                p->i += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || !e) return jfail(p, "bad escape");
            p->i += 2;
            continue;
        }
        p->i++;
    }
    if (p->i >= p->n) return jfail(p, "unterminated string");
    jnode *nd = &p->nodes[*idx];
    nd->off = start;
    nd->len = p->i - start;
    nd->escaped = (unsigned char)esc;
    p->i++;
    return XA_OK;
}

static int match_word(jparse *p, const char *w) {
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->b + p->i, w, l)) return 0;
    p->i += l;
    return 1;
}

static xa_status parse_value(jparse *p, int depth, uint32_t *idx);

static xa_status parse_container(jparse *p, int depth, int obj, uint32_t *idx) {
    if (depth >= XA_JSON_MAX_DEPTH)
        return xa_fail(p->err, XA_ELIMIT, "JSON nested deeper than %d levels", XA_JSON_MAX_DEPTH);
    xa_status st = new_node(p, obj ? J_OBJ : J_ARR, idx);
    if (st) return st;
    p->i++;
    uint32_t last = 0;
    ws(p);
    if (p->i < p->n && p->b[p->i] == (obj ? '}' : ']')) {
        p->i++;
        return XA_OK;
    }
    for (;;) {
        uint32_t key = 0, v;
        ws(p);
        if (obj) {
            if (p->i >= p->n || p->b[p->i] != '"') return jfail(p, "expected a key");
            st = parse_string(p, &key);
            if (st) return st;
            ws(p);
            if (p->i >= p->n || p->b[p->i] != ':') return jfail(p, "expected ':'");
            p->i++;
        }
        st = parse_value(p, depth + 1, &v);
        if (st) return st;
        p->nodes[v].key = key;
        if (last)
            p->nodes[last].next = v;
        else
            p->nodes[*idx].first = v;
        last = v;
        ws(p);
        if (p->i < p->n && p->b[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->b[p->i] == (obj ? '}' : ']')) {
            p->i++;
            return XA_OK;
        }
        return jfail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static xa_status parse_value(jparse *p, int depth, uint32_t *idx) {
    ws(p);
    if (p->i >= p->n) return jfail(p, "unexpected end");
    unsigned char c = p->b[p->i];
    if (c == '{' || c == '[') return parse_container(p, depth, c == '{', idx);
    if (c == '"') return parse_string(p, idx);
    xa_status st;
    if (match_word(p, "true") || match_word(p, "false")) {
        st = new_node(p, J_BOOL, idx);
        return st;
    }
    if (match_word(p, "null")) return new_node(p, J_NULL, idx);
    /* numbers, and the NaN / Infinity / -Infinity Python's json writes for floats */
    st = new_node(p, J_NUM, idx);
    if (st) return st;
    if (match_word(p, "NaN") || match_word(p, "Infinity") || match_word(p, "-Infinity"))
        return XA_OK;
    size_t s = p->i;
    if (p->i < p->n && p->b[p->i] == '-') p->i++;
    size_t d = p->i;
    while (p->i < p->n && p->b[p->i] >= '0' && p->b[p->i] <= '9') p->i++;
    if (p->i == d) return jfail(p, "expected a value");
    if (p->i < p->n && p->b[p->i] == '.') {
        p->i++;
        d = p->i;
        while (p->i < p->n && p->b[p->i] >= '0' && p->b[p->i] <= '9') p->i++;
        if (p->i == d) return jfail(p, "bad number");
    }
    if (p->i < p->n && (p->b[p->i] == 'e' || p->b[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->b[p->i] == '+' || p->b[p->i] == '-')) p->i++;
        d = p->i;
        while (p->i < p->n && p->b[p->i] >= '0' && p->b[p->i] <= '9') p->i++;
        if (p->i == d) return jfail(p, "bad number");
    }
    p->nodes[*idx].len = p->i - s;
    return XA_OK;
}

/* ---- strings ------------------------------------------------------------------------------ */
static void put_utf8(unsigned char *o, size_t *k, uint32_t cp) {
    if (cp < 0x80) {
        o[(*k)++] = (unsigned char)cp;
    } else if (cp < 0x800) {
        o[(*k)++] = (unsigned char)(0xC0 | cp >> 6);
        o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o[(*k)++] = (unsigned char)(0xE0 | cp >> 12);
        o[(*k)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        o[(*k)++] = (unsigned char)(0xF0 | cp >> 18);
        o[(*k)++] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        o[(*k)++] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
}

/* Unescape a string's contents (already validated by the scanner) into code points. With
 * `latin1`, every code point must be below 256 and becomes one byte (Polygraphy's "latin-1"
 * mode); otherwise the result is UTF-8, and a NUL or a lone surrogate is an error. *out is
 * malloc'd (NUL-terminated). */
static xa_status unescape(const unsigned char *s, size_t n, int latin1, unsigned char **out,
                          size_t *outn, xa_error *err) {
    unsigned char *o = malloc(n + 1); /* escapes never lengthen: \uXXXX is 6 bytes, UTF-8 <= 4 */
    if (!o) return xa_fail(err, XA_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        if (s[i] != '\\') {
            if (latin1) {
                /* a raw (unescaped) non-ASCII character is UTF-8 in the file */
                if (s[i] < 0x80) {
                    cp = s[i++];
                } else if ((s[i] & 0xE0) == 0xC0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
                    cp = (uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
                    i += 2;
                } else {
                    free(o);
                    return xa_fail(err, XA_EFORMAT, "a character above U+00FF in latin-1 text");
                }
                if (cp > 0xFF) {
                    free(o);
                    return xa_fail(err, XA_EFORMAT, "a character above U+00FF in latin-1 text");
                }
                o[k++] = (unsigned char)cp;
                continue;
            }
            o[k++] = s[i++];
            continue;
        }
        unsigned char e = s[i + 1];
        if (e != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            o[k++] = (unsigned char)to[strchr(from, e) - from];
            i += 2;
            continue;
        }
        cp = (uint32_t)(hexval(s[i + 2]) << 12 | hexval(s[i + 3]) << 8 | hexval(s[i + 4]) << 4 |
                        hexval(s[i + 5]));
        i += 6;
        if (latin1) {
            if (cp > 0xFF) {
                free(o);
                return xa_fail(err, XA_EFORMAT, "a character above U+00FF in latin-1 text");
            }
            o[k++] = (unsigned char)cp;
            continue;
        }
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
            uint32_t lo = (uint32_t)(hexval(s[i + 2]) << 12 | hexval(s[i + 3]) << 8 |
                                     hexval(s[i + 4]) << 4 | hexval(s[i + 5]));
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (cp == 0 || (cp >= 0xD800 && cp < 0xE000)) {
            free(o);
            return xa_fail(err, XA_EFORMAT, "a name holds %s",
                           cp ? "a lone UTF-16 surrogate" : "a NUL character");
        }
        put_utf8(o, &k, cp);
    }
    o[k] = 0;
    *out = o;
    *outn = k;
    return XA_OK;
}

static int str_is(const jparse *p, uint32_t idx, const char *w) {
    const jnode *nd = &p->nodes[idx];
    return idx && nd->type == J_STR && !nd->escaped && nd->len == strlen(w) &&
           !memcmp(p->b + nd->off, w, nd->len);
}

/* The member of object `obj` with key `key` (unescaped keys only: Polygraphy's own keys), or 0. */
static uint32_t member(const jparse *p, uint32_t obj, const char *key) {
    if (!obj || p->nodes[obj].type != J_OBJ) return 0;
    uint32_t found = 0;
    for (uint32_t c = p->nodes[obj].first; c; c = p->nodes[c].next)
        if (str_is(p, p->nodes[c].key, key)) found = c; /* Python's dict: the last one wins */
    return found;
}

/* The type name an object declares, for messages ("" if none). */
static void class_of(const jparse *p, uint32_t obj, char *buf, size_t cap) {
    buf[0] = 0;
    uint32_t c = member(p, obj, "polygraphy_class");
    if (c && p->nodes[c].type == J_STR)
        snprintf(buf, cap, "%.*s", (int)(p->nodes[c].len < 64 ? p->nodes[c].len : 64),
                 (const char *)p->b + p->nodes[c].off);
    for (uint32_t k = p->nodes[obj].first; k && !buf[0]; k = p->nodes[k].next) {
        const jnode *kn = &p->nodes[p->nodes[k].key];
        const char *pre = "__polygraphy_encoded_";
        if (kn->len > strlen(pre) && !memcmp(p->b + kn->off, pre, strlen(pre)))
            snprintf(buf, cap, "%.*s",
                     (int)(kn->len - strlen(pre) < 64 ? kn->len - strlen(pre) : 64),
                     (const char *)p->b + kn->off + strlen(pre));
    }
}

/* The base64 string node of an encoded array (ndarray, or a LazyArray around one). */
static xa_status array_string(jparse *p, uint32_t v, const char *name, uint32_t *out) {
    for (int hops = 0; hops < 4 && v && p->nodes[v].type == J_OBJ; hops++) {
        uint32_t a = member(p, v, "array");
        if (a && p->nodes[a].type == J_STR) {
            *out = a;
            return XA_OK;
        }
        uint32_t inner = member(p, v, "values"); /* LazyArray / LazyNumpyArray */
        if (!inner) break;
        v = inner;
    }
    char cls[80] = "";
    if (v && p->nodes[v].type == J_OBJ) class_of(p, v, cls, sizeof cls);
    if (!strcmp(cls, "Tensor"))
        return xa_fail(p->err, XA_EUNSUPPORTED,
                       "'%s' is a torch tensor (saved with torch.save, a pickle, which xalign does "
                       "not run); save the outputs as numpy arrays",
                       name);
    return xa_fail(p->err, XA_EFORMAT,
                   "not a Polygraphy --save-outputs/--save-inputs file: '%s' is not an encoded "
                   "array%s%s%s",
                   name, cls[0] ? " (polygraphy_class '" : "", cls, cls[0] ? "')" : "");
}

typedef struct {
    uint32_t runner, iter; /* indices */
    char *key;             /* output/input name, UTF-8 */
    uint32_t str;          /* the base64 string node */
} raw_member;

typedef struct {
    raw_member *m;
    size_t n, cap;
} raw_list;

static xa_status add_dict(jparse *p, uint32_t dict, uint32_t runner, uint32_t iter, raw_list *l) {
    if (!dict || p->nodes[dict].type != J_OBJ)
        return xa_fail(p->err, XA_EFORMAT, "expected an object of named arrays");
    for (uint32_t c = p->nodes[dict].first; c; c = p->nodes[c].next) {
        const jnode *k = &p->nodes[p->nodes[c].key];
        if (k->len > XA_NPZ_MAX_NAME)
            return xa_fail(p->err, XA_ELIMIT, "a name of %zu bytes exceeds the limit of %d", k->len,
                           XA_NPZ_MAX_NAME);
        if (l->n >= XA_NPZ_MAX_MEMBERS)
            return xa_fail(p->err, XA_ELIMIT, "more than %d arrays", XA_NPZ_MAX_MEMBERS);
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 16;
            raw_member *nm = realloc(l->m, cap * sizeof *nm);
            if (!nm) return xa_fail(p->err, XA_ENOMEM, "out of memory");
            l->m = nm;
            l->cap = cap;
        }
        raw_member *r = &l->m[l->n];
        memset(r, 0, sizeof *r);
        size_t kn;
        xa_status st = unescape(p->b + k->off, k->len, 0, (unsigned char **)&r->key, &kn, p->err);
        if (st) return st;
        l->n++;
        r->runner = runner;
        r->iter = iter;
        st = array_string(p, c, r->key, &r->str);
        if (st) return st;
    }
    return XA_OK;
}

/* Walk the document: RunResults, one IterationResult, a list of feed dicts, or one feed dict.
 * Runner names go to *runners (malloc'd strings), one per runner. */
static xa_status walk(jparse *p, uint32_t root, raw_list *l, char ***runners, size_t *nrunners) {
    const jnode *r = &p->nodes[root];
    if (r->type == J_ARR) { /* --save-inputs: [{name: array}, ...] */
        uint32_t it = 0;
        for (uint32_t c = r->first; c; c = p->nodes[c].next, it++) {
            xa_status st = add_dict(p, c, 0, it, l);
            if (st) return st;
        }
        return XA_OK;
    }
    if (r->type != J_OBJ) return xa_fail(p->err, XA_EFORMAT, "not a Polygraphy JSON document");
    uint32_t lst = member(p, root, "lst");
    if (!lst) {
        uint32_t outs = member(p, root, "outputs"); /* one IterationResult */
        return add_dict(p, outs ? outs : root, 0, 0, l);
    }
    if (p->nodes[lst].type != J_ARR)
        return xa_fail(p->err, XA_EFORMAT, "RunResults: 'lst' is not a list");
    size_t nr = 0;
    for (uint32_t c = p->nodes[lst].first; c; c = p->nodes[c].next) nr++;
    *runners = calloc(nr ? nr : 1, sizeof **runners);
    if (!*runners) return xa_fail(p->err, XA_ENOMEM, "out of memory");
    uint32_t ri = 0;
    for (uint32_t c = p->nodes[lst].first; c; c = p->nodes[c].next, ri++) {
        uint32_t nm = p->nodes[c].first, its = nm ? p->nodes[nm].next : 0;
        if (p->nodes[c].type != J_ARR || !nm || p->nodes[nm].type != J_STR || !its ||
            p->nodes[its].type != J_ARR || p->nodes[its].next)
            return xa_fail(p->err, XA_EFORMAT,
                           "RunResults: entry %u of 'lst' is not [runner name, [iterations]]", ri);
        size_t len;
        xa_status st = unescape(p->b + p->nodes[nm].off, p->nodes[nm].len, 0,
                                (unsigned char **)&(*runners)[ri], &len, p->err);
        if (st) return st;
        (*nrunners)++;
        uint32_t it = 0;
        for (uint32_t ir = p->nodes[its].first; ir; ir = p->nodes[ir].next, it++) {
            uint32_t outs = member(p, ir, "outputs");
            if (!outs)
                return xa_fail(p->err, XA_EFORMAT,
                               "RunResults: iteration %u of runner '%s' has no 'outputs'", it,
                               (*runners)[ri]);
            st = add_dict(p, outs, ri, it, l);
            if (st) return st;
        }
    }
    return XA_OK;
}

void xa_pg_index_clear(xa_pg_index *ix) {
    if (!ix) return;
    for (size_t i = 0; i < ix->count; i++) free(ix->members[i].name);
    free(ix->members);
    memset(ix, 0, sizeof *ix);
}

static int by_name(const void *a, const void *b) {
    const xa_pg_member *x = *(const xa_pg_member *const *)a, *y = *(const xa_pg_member *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : x < y ? -1 : x > y;
}

xa_status xa_polygraphy_index(const unsigned char *buf, size_t size, xa_pg_index *out,
                              xa_error *err) {
    memset(out, 0, sizeof *out);
    jparse p = {buf, size, 0, NULL, 0, 0, err};
    raw_list l = {0};
    char **runners = NULL;
    size_t nrunners = 0;
    uint32_t root = 0;
    xa_status st = parse_value(&p, 0, &root);
    if (!st) {
        ws(&p);
        if (p.i != p.n) st = jfail(&p, "text after the document");
    }
    if (!st) st = walk(&p, root, &l, &runners, &nrunners);
    uint32_t maxit = 0;
    for (size_t i = 0; i < l.n; i++)
        if (l.m[i].iter > maxit) maxit = l.m[i].iter;
    if (!st) {
        out->members = calloc(l.n ? l.n : 1, sizeof *out->members);
        if (!out->members) st = xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !st && i < l.n; i++) {
        const raw_member *r = &l.m[i];
        size_t need = strlen(r->key) + 32 + (nrunners > 1 ? strlen(runners[r->runner]) : 0);
        char *nm = malloc(need);
        if (!nm) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
            break;
        }
        size_t o = 0;
        if (nrunners > 1) o += (size_t)snprintf(nm + o, need - o, "%s/", runners[r->runner]);
        if (maxit > 0) o += (size_t)snprintf(nm + o, need - o, "iter%u/", r->iter);
        snprintf(nm + o, need - o, "%s", r->key);
        xa_pg_member *m = &out->members[out->count++];
        m->name = nm;
        m->off = p.nodes[r->str].off;
        m->len = p.nodes[r->str].len;
        m->escaped = p.nodes[r->str].escaped;
    }
    /* A name given twice in one dict: Python's dict keeps the first position with the last
     * value. Keep the first entry, give it the last one's array, drop the others. */
    if (!st && out->count > 1) {
        xa_pg_member **sorted = malloc(out->count * sizeof *sorted);
        if (!sorted) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < out->count; i++) sorted[i] = &out->members[i];
            qsort(sorted, out->count, sizeof *sorted, by_name);
            int dup = 0;
            for (size_t i = 0; i + 1 < out->count; i++) {
                size_t j = i;
                while (j + 1 < out->count && !strcmp(sorted[j + 1]->name, sorted[i]->name)) j++;
                if (j > i) {
                    dup = 1;
                    sorted[i]->off = sorted[j]->off;
                    sorted[i]->len = sorted[j]->len;
                    sorted[i]->escaped = sorted[j]->escaped;
                    for (size_t k = i + 1; k <= j; k++) {
                        free(sorted[k]->name);
                        sorted[k]->name = NULL;
                    }
                    i = j;
                }
            }
            free(sorted);
            if (dup) {
                size_t k = 0;
                for (size_t i = 0; i < out->count; i++)
                    if (out->members[i].name) out->members[k++] = out->members[i];
                out->count = k;
            }
        }
    }
    for (size_t i = 0; i < l.n; i++) free(l.m[i].key);
    free(l.m);
    for (size_t i = 0; i < nrunners; i++) free(runners[i]);
    free(runners);
    free(p.nodes);
    if (st) xa_pg_index_clear(out);
    return st;
}

/* ---- base64 ------------------------------------------------------------------------------- */
static int b64val(unsigned char c) {
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

/* Python's base64.b64decode(s, validate=True): only the alphabet, then at most two '=', and
 * whole groups of four. Decodes the groups needed for the first `limit` bytes (all if 0).
 * Returns 0 when s is not such text. */
static int b64_decode(const unsigned char *s, size_t n, size_t limit, unsigned char *o,
                      size_t *outn) {
    if (n % 4) return 0;
    size_t pad = 0;
    while (pad < 2 && pad < n && s[n - 1 - pad] == '=') pad++;
    size_t groups = n / 4, total = groups * 3 - pad;
    size_t want = limit && limit < total ? (limit + 2) / 3 : groups;
    size_t k = 0;
    for (size_t g = 0; g < want; g++) {
        const unsigned char *q = s + 4 * g;
        int last = g == groups - 1;
        int v[4];
        for (int j = 0; j < 4; j++) {
            v[j] = b64val(q[j]);
            if (v[j] < 0 && !(last && q[j] == '=' && j >= 4 - (int)pad)) return 0;
        }
        uint32_t w = (uint32_t)(v[0] << 18 | v[1] << 12 | (v[2] < 0 ? 0 : v[2]) << 6 |
                                (v[3] < 0 ? 0 : v[3]));
        o[k++] = (unsigned char)(w >> 16);
        if (!(last && pad == 2)) o[k++] = (unsigned char)(w >> 8);
        if (!(last && pad >= 1)) o[k++] = (unsigned char)w;
    }
    if (want == groups) {
        /* the characters of the groups not decoded are still checked (validate=True) */
    } else {
        for (size_t i = 4 * want; i < n - pad; i++)
            if (b64val(s[i]) < 0) return 0;
    }
    *outn = limit && k > limit ? limit : k;
    return 1;
}

xa_status xa_pg_decode(const unsigned char *buf, const xa_pg_member *m, size_t limit,
                       unsigned char **out, size_t *n, xa_error *err) {
    *out = NULL;
    *n = 0;
    const unsigned char *s = buf + m->off;
    size_t len = m->len;
    unsigned char *text = NULL;
    int ok = 1;
    if (m->escaped) { /* base64 never needs escapes, but an encoder may write "\/" */
        size_t tl;
        xa_error ignored = {0};
        ok = !unescape(s, len, 0, &text, &tl, &ignored); /* a \u0000: latin-1 text, below */
        s = text;
        len = ok ? tl : 0;
    }
    unsigned char *o = malloc(len / 4 * 3 + 3);
    if (!o) {
        free(text);
        return xa_fail(err, XA_ENOMEM, "out of memory decoding %zu bytes of base64", len);
    }
    size_t k = 0;
    ok = ok && b64_decode(s, len, limit, o, &k);
    free(text);
    if (!ok) { /* Polygraphy's fallback: the bytes as latin-1 text */
        free(o);
        size_t tl;
        xa_status st = unescape(buf + m->off, m->len, 1, &o, &tl, err);
        if (st) {
            xa_error_prefix(err, "neither base64 nor latin-1 text");
            return st;
        }
        k = limit && tl > limit ? limit : tl;
    }
    *out = o;
    *n = k;
    return XA_OK;
}
