/* Tensor specs of the command line (PATH, PATH#MEMBER, PATH:DTYPE[:SHAPES][#K]) and loading. */
#include "internal.h"
#include "xalign/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
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
            return xa_fail(err, XA_ELIMIT, "shape '%.*s': rank above %d", (int)len, txt, XA_MAX_RANK);
        shape[r++] = v;
        if (i < len) {
            if (txt[i] != 'x' && txt[i] != 'X')
                return xa_fail(err, XA_EINVAL, "bad shape '%.*s': dimensions are separated by 'x'",
                               (int)len, txt);
            i++;
            if (i == len) return xa_fail(err, XA_EINVAL, "bad shape '%.*s': ends with 'x'", (int)len, txt);
        }
    }
    *rank = r;
    return XA_OK;
}

xa_status xa_spec_parse(const char *text, xa_spec *out, xa_error *err) {
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
        if (text[c] != ':') continue;
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
                if (!hash[1] || *e || k < 0 || k >= XA_SPEC_MAX_SHAPES || errno) {
                    xa_spec_clear(out);
                    return xa_fail(err, XA_EINVAL, "%s: bad tensor index '%s' (want #0, #1, ...)",
                                   text, hash);
                }
                out->select = (int)k;
            }
            /* count shapes */
            int n = 1;
            for (size_t i = 0; i < slen; i++) n += p[i] == ',';
            if (n > XA_SPEC_MAX_SHAPES) {
                xa_spec_clear(out);
                return xa_fail(err, XA_ELIMIT, "%s: more than %d shapes", text, XA_SPEC_MAX_SHAPES);
            }
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
                return xa_fail(err, XA_EINVAL, "%s: tensor #%d selected but only %d shapes given",
                               text, sel, n);
            }
        } else if (*p == '#') {
            xa_spec_clear(out);
            return xa_fail(err, XA_EINVAL, "%s: '#K' selects a part of a split and needs shapes "
                           "(PATH:DTYPE:S1,S2#K)", text);
        }
        return XA_OK;
    }
    const char *hash = strrchr(text, '#');
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

xa_status xa_raw_load(const char *path, xa_dtype dt, int nshapes, const int *ranks,
                      const int64_t (*shapes)[XA_MAX_RANK], xa_tensor_list *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    size_t es = xa_dtype_size(dt);
    if (!es) return xa_fail(err, XA_EINVAL, "%s: invalid dtype", path);
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    int n = nshapes > 0 ? nshapes : 1;
    uint64_t total = 0;
    size_t *sizes = calloc((size_t)n, sizeof *sizes);
    if (!sizes) {
        xa_file_close(&f);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    if (nshapes <= 0) {
        if (f.size % es) {
            free(sizes);
            st = xa_fail(err, XA_ESHAPE, "%s: %zu bytes is not a whole number of %s elements (%zu "
                         "bytes each)", path, f.size, xa_dtype_short(dt), es);
            xa_file_close(&f); /* after the message: closing clears f.size */
            return st;
        }
        sizes[0] = f.size;
        total = f.size;
    } else {
        for (int k = 0; k < n; k++) {
            int64_t c = xa_shape_count(ranks[k], shapes[k]);
            uint64_t b;
            if (c < 0 || c > XA_MAX_ELEMENTS || xa_mul_overflow_u64((uint64_t)c, es, &b) ||
                __builtin_add_overflow(total, b, &total)) {
                free(sizes);
                xa_file_close(&f);
                return xa_fail(err, XA_ELIMIT, "%s: shape %d is too large", path, k);
            }
            sizes[k] = (size_t)b;
        }
        if (total != f.size) {
            free(sizes);
            st = xa_fail(err, XA_ESHAPE, "%s: the shapes need %llu bytes of %s, the file has %zu",
                         path, (unsigned long long)total, xa_dtype_short(dt), f.size);
            xa_file_close(&f); /* after the message: closing clears f.size */
            return st;
        }
    }
    st = list_alloc(out, (size_t)n, err);
    size_t off = 0;
    for (int k = 0; st == XA_OK && k < n; k++) {
        xa_tensor *t;
        int64_t flat = (int64_t)(sizes[k] / es);
        st = nshapes > 0 ? xa_tensor_shell(dt, ranks[k], shapes[k], &t, err)
                         : xa_tensor_shell(dt, 1, &flat, &t, err);
        if (st) break;
        t->data = (void *)(f.data + off);
        t->readonly = f.backing->mapped;
        t->backing = f.backing;
        xa_backing_ref(f.backing);
        off += sizes[k];
        char name[24] = "";
        if (nshapes > 1) snprintf(name, sizeof name, "#%d", k);
        st = list_push(out, name, t, err);
    }
    free(sizes);
    xa_file_close(&f);
    if (st) xa_tensor_list_clear(out);
    return st;
}

/* Sniff the kind of file by its first bytes. */
typedef enum { KIND_UNKNOWN, KIND_NPY, KIND_NPZ, KIND_IMAGE } file_kind;
static file_kind sniff(const char *path) {
    unsigned char b[8] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp) return KIND_UNKNOWN;
    size_t n = fread(b, 1, sizeof b, fp);
    fclose(fp);
    if (n >= 6 && b[0] == 0x93 && !memcmp(b + 1, "NUMPY", 5)) return KIND_NPY;
    if (n >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 || b[2] == 5)) return KIND_NPZ;
    if (xa_image_sniff(b, n)) return KIND_IMAGE;
    return KIND_UNKNOWN;
}

/* Reinterpret a tensor's elements as another dtype of the same size (PATH.npy:bf16). */
static xa_status reinterpret(xa_tensor *t, xa_dtype dt, const char *path, xa_error *err) {
    if (xa_dtype_size(dt) != xa_dtype_size(t->dtype))
        return xa_fail(err, XA_EINVAL, "%s: cannot view %s elements as %s (sizes %zu and %zu)",
                       path, xa_dtype_name(t->dtype), xa_dtype_name(dt),
                       xa_dtype_size(t->dtype), xa_dtype_size(dt));
    t->dtype = dt;
    return XA_OK;
}

xa_status xa_load_all(const char *text, xa_tensor_list *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    xa_spec s;
    xa_status st = xa_spec_parse(text, &s, err);
    if (st) return st;
    struct stat sb;
    if (stat(s.path, &sb) != 0) {
        st = xa_fail(err, XA_EIO, "%s: no such file", s.path);
        goto done;
    }
    if (S_ISDIR(sb.st_mode)) {
        st = xa_fail(err, XA_EIO, "%s: is a directory, not a tensor file", s.path);
        goto done;
    }
    file_kind kind = sniff(s.path);
    if (s.dtype && s.nshapes > 0) { /* raw with shapes */
        st = xa_raw_load(s.path, s.dtype, s.nshapes, s.ranks, (const int64_t(*)[XA_MAX_RANK])s.shapes,
                         out, err);
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
    if (kind == KIND_NPZ) {
        xa_npz *z;
        st = xa_npz_open(s.path, &z, err);
        if (st) goto done;
        size_t n = xa_npz_count(z);
        if (s.member) {
            xa_tensor *t;
            st = xa_npz_load(z, s.member, &t, err);
            if (!st) st = list_alloc(out, 1, err);
            if (!st) st = list_push(out, s.member, t, err);
            else xa_tensor_free(t);
        } else {
            st = list_alloc(out, n, err);
            for (size_t i = 0; !st && i < n; i++) {
                xa_tensor *t;
                st = xa_npz_load(z, xa_npz_name(z, i), &t, err);
                if (!st) st = list_push(out, xa_npz_name(z, i), t, err);
            }
        }
        xa_npz_free(z);
    } else if (s.member) {
        st = xa_fail(err, XA_EINVAL, "%s: '#%s' selects an .npz member, but this is not an .npz "
                     "file", s.path, s.member);
    } else if (kind == KIND_NPY) {
        xa_tensor *t;
        st = xa_npy_load(s.path, &t, err);
        if (!st && s.dtype) {
            st = reinterpret(t, s.dtype, s.path, err);
            if (st) xa_tensor_free(t);
        }
        if (!st) st = list_alloc(out, 1, err);
        if (!st) st = list_push(out, "", t, err);
    } else if (s.dtype) { /* raw, 1-D */
        st = xa_raw_load(s.path, s.dtype, 0, NULL, NULL, out, err);
    } else if (kind == KIND_IMAGE) {
        xa_tensor *t;
        st = xa_image_load(s.path, &t, err);
        if (!st) st = list_alloc(out, 1, err);
        if (!st) st = list_push(out, "", t, err);
    } else if (sb.st_size == 0) {
        st = xa_fail(err, XA_EFORMAT, "%s: empty file (0 bytes)", s.path);
    } else {
        st = xa_fail(err, XA_EFORMAT, "%s: not an .npy, .npz, JPEG or PNG file; for raw bytes "
                     "give a dtype and shape: %s:f32:1x3x224x224", s.path, s.path);
    }
done:
    if (st) xa_tensor_list_clear(out);
    xa_spec_clear(&s);
    return st;
}

xa_status xa_load(const char *text, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_tensor_list l;
    xa_status st = xa_load_all(text, &l, err);
    if (st) return st;
    if (l.count != 1) {
        size_t n = l.count;
        xa_tensor_list_clear(&l);
        if (n == 0) return xa_fail(err, XA_EFORMAT, "%s: holds no tensor", text);
        return xa_fail(err, XA_EINVAL, "%s: holds %zu tensors; select one with #NAME (npz) or #K "
                       "(split)", text, n);
    }
    *out = l.tensors[0];
    l.tensors[0] = NULL;
    xa_tensor_list_clear(&l);
    return XA_OK;
}
