/* Tensor specs of the command line (PATH, PATH#MEMBER, PATH:DTYPE[:SHAPES][#K]) and loading. */
#include "io_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* 1 when text[0..n) names an existing file. */
static int prefix_exists(const char *text, size_t n) {
    char *p = malloc(n + 1);
    if (!p) return 0;
    memcpy(p, text, n);
    p[n] = 0;
    int r = file_exists(p);
    free(p);
    return r;
}

/* "f32 f16 ..." : the short names of every dtype. */
static const char *dtype_list(char *buf, size_t size) {
    size_t o = 0;
    buf[0] = 0;
    for (int d = 1; d < XA_DTYPE_COUNT && o < size; d++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? " " : "", xa_dtype_short((xa_dtype)d));
    return buf;
}

size_t xa_spec_format_split(char *buf, size_t size, const char *path, const xa_member_info *parts,
                            size_t n) {
    if (!n) return 0;
    for (size_t i = 1; i < n; i++)
        if (parts[i].dtype != parts[0].dtype) return 0;
    size_t o = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(buf && o < size ? buf + o : NULL, buf && o < size ? size - o : 0,        \
                          __VA_ARGS__);                                                            \
        o += w_ > 0 ? (size_t)w_ : 0;                                                              \
    } while (0)
    PUT("%s:%s:", path, xa_dtype_short(parts[0].dtype));
    for (size_t i = 0; i < n; i++) {
        if (i) PUT(",");
        if (!parts[i].rank) PUT("scalar");
        for (int d = 0; d < parts[i].rank; d++)
            PUT(d ? "x%lld" : "%lld", (long long)parts[i].shape[d]);
    }
#undef PUT
    return o;
}

void xa_spec_clear(xa_spec *s) {
    if (!s) return;
    free(s->path);
    free(s->member);
    free(s->ranks);
    free(s->shapes);
    memset(s, 0, sizeof *s);
    s->select = -1;
}

/* "1x3x224x224" or "scalar" into one shape. */
static xa_status parse_shape(const char *txt, size_t len, int *rank, int64_t *shape,
                             xa_error *err) {
    if (len == 6 && !memcmp(txt, "scalar", 6)) {
        *rank = 0;
        return XA_OK;
    }
    int r = 0;
    size_t i = 0;
    if (len == 0) return xa_fail(err, XA_EINVAL, "empty shape");
    while (i < len) {
        if (txt[i] < '0' || txt[i] > '9')
            return xa_fail(err, XA_EINVAL, "bad shape '%.*s': expected digits at '%.*s'", (int)len,
                           txt, (int)(len - i), txt + i);
        int64_t v = 0;
        while (i < len && txt[i] >= '0' && txt[i] <= '9') {
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, txt[i] - '0', &v))
                return xa_fail(err, XA_ELIMIT, "shape '%.*s': dimension overflows", (int)len, txt);
            i++;
        }
        if (r >= XA_MAX_RANK)
            return xa_fail(err, XA_ELIMIT, "shape '%.*s': rank above %d", (int)len, txt,
                           XA_MAX_RANK);
        shape[r++] = v;
        if (i < len) {
            if (txt[i] != 'x' && txt[i] != 'X')
                return xa_fail(err, XA_EINVAL, "bad shape '%.*s': dimensions are separated by 'x'",
                               (int)len, txt);
            i++;
            if (i == len)
                return xa_fail(err, XA_EINVAL, "bad shape '%.*s': ends with 'x'", (int)len, txt);
        }
    }
    *rank = r;
    return XA_OK;
}

xa_status xa_spec_parse(const char *text, xa_spec *out, xa_error *err) {
    return xa_spec_parse_ex(text, NULL, out, err);
}

xa_status xa_spec_parse_ex(const char *text, const xa_load_options *o, xa_spec *out,
                           xa_error *err) {
    uint64_t max_shapes = xa_load_limits(o)->spec_shapes;
    memset(out, 0, sizeof *out);
    out->select = -1;
    if (!text || !*text) return xa_fail(err, XA_EINVAL, "empty tensor spec");
    if (file_exists(text)) {
        out->path = xa_strdup(text);
        return out->path ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    }
    /* PATH:DTYPE[:SHAPES][#K] -- the dtype is the first ':' field that names a dtype and
     * leaves an existing path before it; otherwise PATH#MEMBER. */
    size_t len = strlen(text);
    for (size_t c = len; c-- > 0;) {
        if (text[c] != ':' || c == 0) continue; /* ":f32" names no file */
        const char *rest = text + c + 1;
        const char *colon2 = strchr(rest, ':');
        size_t dlen = colon2 ? (size_t)(colon2 - rest) : strcspn(rest, "#");
        char dname[16];
        if (dlen == 0 || dlen >= sizeof dname) continue;
        memcpy(dname, rest, dlen);
        dname[dlen] = 0;
        xa_dtype dt = xa_dtype_from_name(dname);
        if (!dt) continue;
        char *path = malloc(c + 1);
        if (!path) return xa_fail(err, XA_ENOMEM, "out of memory");
        memcpy(path, text, c);
        path[c] = 0;
        out->path = path;
        out->dtype = dt;
        const char *p = rest + dlen;
        if (*p == ':') {
            p++;
            const char *hash = strrchr(p, '#');
            size_t slen = hash ? (size_t)(hash - p) : strlen(p);
            if (hash) {
                char *e;
                errno = 0;
                long k = strtol(hash + 1, &e, 10);
                if (!hash[1] || *e || k < 0 || (uint64_t)k >= max_shapes || errno) {
                    xa_spec_clear(out);
                    return xa_fail(err, XA_EINVAL, "%s: bad tensor index '%s' (want #0, #1, ...)",
                                   text, hash);
                }
                out->select = (int)k;
            }
            /* count shapes */
            size_t count = 1;
            for (size_t i = 0; i < slen; i++) count += p[i] == ',';
            if (count > max_shapes || count > INT_MAX) {
                xa_spec_clear(out);
                return xa_fail(err, XA_ELIMIT, "%s: %zu shapes exceed the limit of %llu", text,
                               count, (unsigned long long)max_shapes);
            }
            int n = (int)count;
            out->ranks = calloc((size_t)n, sizeof *out->ranks);
            out->shapes = calloc((size_t)n, sizeof *out->shapes);
            if (!out->ranks || !out->shapes) {
                xa_spec_clear(out);
                return xa_fail(err, XA_ENOMEM, "out of memory");
            }
            size_t i = 0;
            for (int k = 0; k < n; k++) {
                size_t j = i;
                while (j < slen && p[j] != ',') j++;
                xa_status st = parse_shape(p + i, j - i, &out->ranks[k], out->shapes[k], err);
                if (st) {
                    xa_error_prefix(err, text);
                    xa_spec_clear(out);
                    return st;
                }
                i = j + 1;
            }
            out->nshapes = n;
            if (out->select >= n) {
                int sel = out->select;
                xa_spec_clear(out);
                return xa_fail(err, XA_EINVAL, "%s: tensor #%d selected but only %d shape%s given",
                               text, sel, n, n == 1 ? " is" : "s are");
            }
        } else if (*p == '#') {
            xa_spec_clear(out);
            return xa_fail(err, XA_EINVAL,
                           "%s: '#K' selects a part of a split and needs shapes "
                           "(PATH:DTYPE:S1,S2#K)",
                           text);
        }
        return XA_OK;
    }
    const char *hash = strrchr(text, '#');
    if (!hash || hash == text || !prefix_exists(text, (size_t)(hash - text))) {
        /* PATH:FIELD where PATH exists but FIELD names no dtype: say so rather than "no such
         * file" for the whole text */
        for (size_t c = 0; c < len; c++) {
            if (text[c] != ':' || !prefix_exists(text, c)) continue;
            size_t dlen = strcspn(text + c + 1, ":#");
            char names[128];
            return xa_fail(err, XA_EINVAL, "%s: unknown dtype '%.*s' (dtypes: %s)", text,
                           (int)(dlen < 32 ? dlen : 32), text + c + 1,
                           dtype_list(names, sizeof names));
        }
    }
    if (hash && hash != text) {
        out->path = malloc((size_t)(hash - text) + 1);
        out->member = xa_strdup(hash + 1);
        if (!out->path || !out->member) {
            xa_spec_clear(out);
            return xa_fail(err, XA_ENOMEM, "out of memory");
        }
        memcpy(out->path, text, (size_t)(hash - text));
        out->path[hash - text] = 0;
        return XA_OK;
    }
    out->path = xa_strdup(text);
    return out->path ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
}

void xa_tensor_list_clear(xa_tensor_list *l) {
    if (!l) return;
    for (size_t i = 0; i < l->count; i++) {
        if (l->names) free(l->names[i]);
        if (l->tensors) xa_tensor_free(l->tensors[i]);
    }
    free(l->names);
    free(l->tensors);
    memset(l, 0, sizeof *l);
}

static xa_status list_alloc(xa_tensor_list *l, size_t n, xa_error *err) {
    memset(l, 0, sizeof *l);
    l->names = calloc(n ? n : 1, sizeof *l->names);
    l->tensors = calloc(n ? n : 1, sizeof *l->tensors);
    if (!l->names || !l->tensors) {
        free(l->names);
        free(l->tensors);
        memset(l, 0, sizeof *l);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    return XA_OK;
}

static xa_status list_push(xa_tensor_list *l, const char *name, xa_tensor *t, xa_error *err) {
    l->names[l->count] = xa_strdup(name);
    l->tensors[l->count] = t;
    l->count++;
    if (!l->names[l->count - 1]) return xa_fail(err, XA_ENOMEM, "out of memory");
    return XA_OK;
}

xa_status xa_raw_split(const xa_file *f, const char *path, size_t n, const xa_dtype *dts,
                       const int *ranks, const int64_t (*shapes)[XA_MAX_RANK],
                       const char *const *names, const char *what, const xa_limits *lim,
                       xa_tensor_list *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    uint64_t total = 0, b;
    int64_t max = xa_limits_max_elements(lim);
    for (size_t k = 0; k < n; k++) {
        int64_t c = xa_shape_count(ranks[k], shapes[k]);
        if (!xa_dtype_size(dts[k]))
            return xa_fail(err, XA_EINVAL, "%s: tensor %zu: invalid dtype", path, k);
        if (c > max)
            return xa_fail(err, XA_ELIMIT, "%s: shape %zu: %lld elements exceed the limit of %lld",
                           path, k, (long long)c, (long long)max);
        if (c < 0 || xa_mul_overflow_u64((uint64_t)c, xa_dtype_size(dts[k]), &b) ||
            __builtin_add_overflow(total, b, &total) || total > (uint64_t)INT64_MAX)
            return xa_fail(err, XA_ELIMIT, "%s: shape %zu is too large", path, k);
    }
    if (total != f->size)
        return xa_fail(err, XA_ESHAPE, "%s: %s need %llu bytes, the file has %zu", path, what,
                       (unsigned long long)total, f->size);
    xa_status st = list_alloc(out, n, err);
    size_t off = 0;
    for (size_t k = 0; st == XA_OK && k < n; k++) {
        xa_tensor *t;
        st = xa_tensor_shell(dts[k], ranks[k], shapes[k], &t, err);
        if (st) break;
        t->data = (void *)(f->data + off);
        t->readonly = f->backing->mapped;
        t->backing = f->backing;
        xa_backing_ref(f->backing);
        off += t->nbytes;
        char name[24] = "";
        if (n > 1) snprintf(name, sizeof name, "#%zu", k);
        st = list_push(out, names ? names[k] : name, t, err);
    }
    if (st) xa_tensor_list_clear(out);
    return st;
}

static xa_status raw_load(const char *path, xa_dtype dt, int nshapes, const int *ranks,
                          const int64_t (*shapes)[XA_MAX_RANK], const xa_limits *lim,
                          xa_tensor_list *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    size_t es = xa_dtype_size(dt);
    if (!es) return xa_fail(err, XA_EINVAL, "%s: invalid dtype", path);
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    int n = nshapes > 0 ? nshapes : 1;
    int flat_rank = 1;
    int64_t flat[XA_MAX_RANK] = {(int64_t)(f.size / es)};
    xa_dtype *dts = malloc((size_t)n * sizeof *dts);
    if (!dts) {
        xa_file_close(&f);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (int k = 0; k < n; k++) dts[k] = dt;
    char what[48];
    snprintf(what, sizeof what, "the shapes of %s", xa_dtype_short(dt));
    if (nshapes <= 0 && f.size % es)
        st = xa_fail(err, XA_ESHAPE,
                     "%s: %zu bytes is not a whole number of %s elements (%zu "
                     "bytes each)",
                     path, f.size, xa_dtype_short(dt), es);
    else if (nshapes <= 0)
        st = xa_raw_split(&f, path, 1, dts, &flat_rank, (const int64_t(*)[XA_MAX_RANK]) & flat,
                          NULL, what, lim, out, err);
    else
        st = xa_raw_split(&f, path, (size_t)n, dts, ranks, shapes, NULL, what, lim, out, err);
    free(dts);
    xa_file_close(&f);
    return st;
}

xa_status xa_raw_load(const char *path, xa_dtype dt, int nshapes, const int *ranks,
                      const int64_t (*shapes)[XA_MAX_RANK], xa_tensor_list *out, xa_error *err) {
    return raw_load(path, dt, nshapes, ranks, shapes, NULL, out, err);
}

/* Sniff the kind of file by its first bytes. */
/* A JSON document of objects: optional whitespace, then '{' and (after whitespace) '"' or '}',
 * or '[' and '{', '[' or ']' -- and nothing but printable ASCII and whitespace in the bytes
 * read. Strict enough that a raw dump whose first float happens to start with '{' is not taken
 * for JSON. */
static int json_sniff(const unsigned char *b, size_t n) {
    size_t i = 0;
    for (size_t k = 0; k < n; k++)
        if (!(b[k] >= 0x20 && b[k] < 0x7F) && b[k] != '\n' && b[k] != '\r' && b[k] != '\t')
            return 0;
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
    if (i >= n || (b[i] != '{' && b[i] != '[')) return 0;
    unsigned char open = b[i++];
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
    if (i >= n) return 0;
    return open == '{' ? b[i] == '"' || b[i] == '}' : b[i] == '{' || b[i] == '[' || b[i] == ']';
}

xa_file_kind xa_sniff_path(const char *path) {
    unsigned char b[64] = {0};
    size_t n = xa_file_head(path, b, sizeof b);
    if (n >= 6 && b[0] == 0x93 && !memcmp(b + 1, "NUMPY", 5)) return XA_KIND_NPY;
    if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 || b[2] == 5)) return XA_KIND_NPZ;
    if (xa_image_sniff(b, n)) return XA_KIND_IMAGE;
    if (xa_bmodel_sniff(b, n)) return XA_KIND_BMODEL;
    if (json_sniff(b, n)) return XA_KIND_JSON;
    return XA_KIND_UNKNOWN;
}

/* Reinterpret a tensor's elements as another dtype of the same size (PATH.npy:bf16). */
static xa_status reinterpret(xa_tensor *t, xa_dtype dt, const char *path, xa_error *err) {
    if (xa_dtype_size(dt) != xa_dtype_size(t->dtype))
        return xa_fail(err, XA_EINVAL, "%s: cannot view %s elements as %s (sizes %zu and %zu)",
                       path, xa_dtype_name(t->dtype), xa_dtype_name(dt), xa_dtype_size(t->dtype),
                       xa_dtype_size(dt));
    t->dtype = dt;
    return XA_OK;
}

/* A one-tensor list; `t` is owned by the list afterwards, or freed if the list cannot be made. */
static xa_status list_single(xa_tensor_list *out, const char *name, xa_tensor *t, xa_error *err) {
    xa_status st = list_alloc(out, 1, err);
    if (st) {
        xa_tensor_free(t);
        return st;
    }
    return list_push(out, name, t, err);
}

xa_status xa_load_all(const char *text, xa_tensor_list *out, xa_error *err) {
    return xa_load_all_ex(text, NULL, out, err);
}

xa_status xa_load_all_ex(const char *text, const xa_load_options *o, xa_tensor_list *out,
                         xa_error *err) {
    memset(out, 0, sizeof *out);
    const xa_limits *lim = xa_load_limits(o);
    xa_spec s;
    xa_status st = xa_spec_parse_ex(text, o, &s, err);
    if (st) return st;
    uint64_t fsize = 0;
    if ((st = xa_check_regular(s.path, &fsize, err))) goto done;
    xa_file_kind kind = xa_sniff_path(s.path);
    if (s.dtype && s.nshapes > 0) { /* raw with shapes */
        st = raw_load(s.path, s.dtype, s.nshapes, s.ranks, (const int64_t(*)[XA_MAX_RANK])s.shapes,
                      lim, out, err);
        if (st == XA_ESHAPE && kind != XA_KIND_UNKNOWN && err) /* a self-describing file */
            xa_msg_append(err->message, sizeof err->message,
                          " (this is %s file: PATH:DTYPE:SHAPE reads its bytes raw, header "
                          "included)",
                          kind == XA_KIND_NPY     ? "an .npy"
                          : kind == XA_KIND_NPZ   ? "an .npz"
                          : kind == XA_KIND_IMAGE ? "an image"
                                                  : "a bmodel");
        if (!st && s.select >= 0) { /* keep only #K */
            xa_tensor_list keep;
            st = list_alloc(&keep, 1, err);
            if (!st) {
                char name[24];
                snprintf(name, sizeof name, "#%d", s.select);
                st = list_push(&keep, name, out->tensors[s.select], err);
                out->tensors[s.select] = NULL;
                xa_tensor_list_clear(out);
                *out = keep;
            }
        }
        goto done;
    }
    if (kind == XA_KIND_NPZ && s.dtype) {
        st = xa_fail(err, XA_EINVAL,
                     "%s: ':%s' views the elements of an .npy or raw file; this is an .npz "
                     "(select a member with #NAME)",
                     s.path, xa_dtype_short(s.dtype));
    } else if (kind == XA_KIND_NPZ) {
        xa_npz *z;
        st = xa_npz_open_ex(s.path, o, &z, err);
        if (st) goto done;
        size_t n = xa_npz_count(z);
        if (s.member) {
            xa_tensor *t;
            st = xa_npz_load(z, s.member, &t, err);
            if (!st) st = list_single(out, s.member, t, err);
        } else {
            st = list_alloc(out, n, err);
            for (size_t i = 0; !st && i < n; i++) {
                xa_tensor *t;
                st = xa_npz_load(z, xa_npz_name(z, i), &t, err);
                if (!st) st = list_push(out, xa_npz_name(z, i), t, err);
            }
        }
        xa_npz_free(z);
    } else if (kind == XA_KIND_JSON && !s.dtype) { /* Polygraphy's JSON */
        xa_multi *m;
        st = xa_multi_open(s.path, &m, err);
        if (st) goto done;
        size_t n = xa_multi_count(m);
        if (s.member) {
            long k = xa_multi_find(m, s.member);
            xa_tensor *t;
            if (k < 0)
                st = xa_fail(err, XA_ENOTFOUND, "%s: no array '%s' (%zu arrays%s%s%s)", s.path,
                             s.member, n, n ? ", the first '" : "", n ? xa_multi_name(m, 0) : "",
                             n ? "'" : "");
            else
                st = xa_multi_load(m, (size_t)k, &t, err);
            if (!st) st = list_single(out, s.member, t, err);
        } else {
            st = list_alloc(out, n, err);
            for (size_t i = 0; !st && i < n; i++) {
                xa_tensor *t;
                st = xa_multi_load(m, i, &t, err);
                if (!st) st = list_push(out, xa_multi_name(m, i), t, err);
            }
        }
        xa_multi_free(m);
    } else if (s.member) {
        st = xa_fail(err, XA_EINVAL,
                     "%s: '#%s' selects an .npz member, but this is not an .npz "
                     "file",
                     s.path, s.member);
    } else if (kind == XA_KIND_NPY) {
        xa_tensor *t;
        st = xa_npy_load_ex(s.path, o, &t, err);
        if (!st && s.dtype) {
            st = reinterpret(t, s.dtype, s.path, err);
            if (st) xa_tensor_free(t);
        }
        if (!st) st = list_single(out, "", t, err);
    } else if (s.dtype) { /* raw, 1-D */
        st = raw_load(s.path, s.dtype, 0, NULL, NULL, lim, out, err);
    } else if (kind == XA_KIND_IMAGE) {
        xa_tensor *t;
        st = xa_image_load_ex(s.path, o, &t, err);
        if (!st) st = list_single(out, "", t, err);
    } else if (kind == XA_KIND_BMODEL) {
        st = xa_fail(err, XA_EINVAL,
                     "%s: a SOPHON bmodel holds no tensor to compare; it describes "
                     "the tensors of BMRT dumps (see docs/bmodel.md)",
                     s.path);
    } else if (fsize == 0) {
        st = xa_fail(err, XA_EFORMAT, "%s: empty file (0 bytes)", s.path);
    } else {
        st = xa_fail(
            err, XA_EFORMAT,
            "%s: not an .npy, .npz, JPEG or PNG file; for raw bytes give a "
            "dtype and shape (PATH:DTYPE:SHAPE, e.g. %s:f32:1x1000), or a .bmodel for BMRT dumps",
            s.path, s.path);
    }
done:
    if (st) xa_tensor_list_clear(out);
    xa_spec_clear(&s);
    return st;
}

xa_status xa_load(const char *text, xa_tensor **out, xa_error *err) {
    return xa_load_ex(text, NULL, out, err);
}

xa_status xa_load_ex(const char *text, const xa_load_options *o, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_tensor_list l;
    xa_status st = xa_load_all_ex(text, o, &l, err);
    if (st) return st;
    if (l.count != 1) {
        size_t n = l.count;
        xa_tensor_list_clear(&l);
        if (n == 0) return xa_fail(err, XA_EFORMAT, "%s: holds no tensor", text);
        return xa_fail(err, XA_EINVAL,
                       "%s: holds %zu tensors; select one with #NAME (npz) or #K "
                       "(split)",
                       text, n);
    }
    *out = l.tensors[0];
    l.tensors[0] = NULL;
    xa_tensor_list_clear(&l);
    return XA_OK;
}

xa_status xa_load_bytes(const char *path, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_file f;
    xa_status st = xa_file_open(path, (size_t)-1, &f, err);
    if (st) return st;
    int64_t n = (int64_t)f.size;
    st = xa_tensor_new(XA_U8, 1, &n, out, err);
    if (!st && f.size) memcpy((*out)->data, f.data, f.size);
    xa_file_close(&f);
    return st;
}
