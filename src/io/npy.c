/* .npy reader and writer. Format: numpy/lib/format.py (versions 1.0, 2.0, 3.0).
 * The header is a Python dict literal; we parse the subset numpy writes (and literal_eval
 * accepts for these keys) with explicit limits, never evaluating anything. */
#include "internal.h"
#include "io_internal.h"
#include "xalign/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* ---- a tiny Python-literal scanner ------------------------------------------------------- */
typedef struct {
    const char *p, *end;
} scan;

static void skip_ws(scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}
static int accept(scan *s, char c) {
    skip_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}
/* A quoted string (single or double quotes, no escapes needed for our keys/descr). */
static int read_str(scan *s, char *out, size_t cap) {
    skip_ws(s);
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"')) return 0;
    char q = *s->p++;
    size_t n = 0;
    while (s->p < s->end && *s->p != q) {
        if (*s->p == '\\') return 0; /* escapes never occur in valid descr/keys */
        if (n + 1 >= cap) return 0;
        out[n++] = *s->p++;
    }
    if (s->p >= s->end) return 0;
    s->p++;
    out[n] = 0;
    return 1;
}
static int read_word(scan *s, const char *w) {
    skip_ws(s);
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) >= n && !memcmp(s->p, w, n)) {
        const char *q = s->p + n;
        if (q < s->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_'))
            return 0;
        s->p = q;
        return 1;
    }
    return 0;
}
static int read_int(scan *s, int64_t *v) {
    skip_ws(s);
    const char *q = s->p;
    if (q >= s->end || *q < '0' || *q > '9') return 0;
    int64_t x = 0;
    while (q < s->end && *q >= '0' && *q <= '9') {
        if (__builtin_mul_overflow(x, 10, &x) || __builtin_add_overflow(x, *q - '0', &x)) return -1;
        q++;
    }
    if (q < s->end && (*q == 'L' || *q == 'l')) q++; /* Python 2 long literal */
    s->p = q;
    *v = x;
    return 1;
}

/* descr -> dtype and byte order. */
static xa_status parse_descr(const char *d, xa_tensor *t, xa_error *err) {
    char order = d[0];
    const char *k = d;
    if (order == '<' || order == '>' || order == '|' || order == '=')
        k++;
    else
        order = '=';
    char kind = k[0];
    char *end = NULL;
    long sz = (kind && k[1]) ? strtol(k + 1, &end, 10) : -1;
    if (kind == 'O')
        return xa_fail(err, XA_EUNSUPPORTED,
                       "object arrays (descr '%s', pickled Python objects) "
                       "cannot be read; save a numeric array",
                       d);
    if (!end || *end || sz <= 0)
        return xa_fail(err, XA_EUNSUPPORTED, "unsupported dtype descr '%s'", d);
    xa_dtype dt = XA_DTYPE_INVALID;
    switch (kind) {
    case 'b':
        dt = sz == 1 ? XA_BOOL : XA_DTYPE_INVALID;
        break;
    case 'i':
        dt = sz == 1 ? XA_I8 : sz == 2 ? XA_I16 : sz == 4 ? XA_I32 : sz == 8 ? XA_I64 : 0;
        break;
    case 'u':
        dt = sz == 1 ? XA_U8 : sz == 2 ? XA_U16 : sz == 4 ? XA_U32 : sz == 8 ? XA_U64 : 0;
        break;
    case 'f':
        dt = sz == 2 ? XA_F16 : sz == 4 ? XA_F32 : sz == 8 ? XA_F64 : 0;
        break;
    case 'V':
        dt = sz == 2 ? XA_BF16 : 0;
        break; /* ml_dtypes' bfloat16 saves as void, 2 bytes */
    default:
        break;
    }
    if (!dt) {
        const char *what = kind == 'c'                  ? "complex "
                           : kind == 'U' || kind == 'S' ? "string "
                           : kind == 'M' || kind == 'm' ? "datetime "
                                                        : "";
        return xa_fail(err, XA_EUNSUPPORTED, "unsupported %sdtype descr '%s'", what, d);
    }
    t->dtype = dt;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    t->swapped = order == '>' && sz > 1;
#else
    t->swapped = order == '<' && sz > 1;
#endif
    return XA_OK;
}

xa_status xa_npy_parse_header_lim(const void *buf, size_t size, const xa_limits *lim, xa_tensor *t,
                                  size_t *data_offset, xa_error *err) {
    const unsigned char *b = buf;
    lim = xa_limits_or_default(lim);
    memset(t, 0, sizeof *t);
    if (size == 0) return xa_fail(err, XA_EFORMAT, "empty file (0 bytes)"); /* as spec.c says */
    if (size < 10 || memcmp(b, npy_magic, 6) != 0)
        return size < 10 && size > 0 && !memcmp(b, npy_magic, size < 6 ? size : 6)
                   ? xa_fail(err, XA_ETRUNC, "truncated .npy header (%zu bytes)", size)
                   : xa_fail(err, XA_EFORMAT, "not an .npy file (bad magic)");
    unsigned major = b[6], minor = b[7];
    size_t hlen, pre;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        pre = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) return xa_fail(err, XA_ETRUNC, "truncated .npy header (%zu bytes)", size);
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        pre = 12;
    } else {
        return xa_fail(err, XA_EUNSUPPORTED, "unsupported .npy format version %u.%u", major, minor);
    }
    if (minor != 0)
        return xa_fail(err, XA_EUNSUPPORTED, "unsupported .npy format version %u.%u", major, minor);
    if (hlen > lim->npy_header_bytes)
        return xa_fail(err, XA_ELIMIT, ".npy header of %zu bytes exceeds the limit of %llu", hlen,
                       (unsigned long long)lim->npy_header_bytes);
    if (size - pre < hlen)
        return xa_fail(err, XA_ETRUNC,
                       ".npy header says %zu bytes but the file has %zu after the "
                       "preamble",
                       hlen, size - pre);
    scan s = {(const char *)b + pre, (const char *)b + pre + hlen};
    char key[32], descr[64];
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    if (!accept(&s, '{')) return xa_fail(err, XA_EFORMAT, ".npy header is not a dict");
    for (;;) {
        if (accept(&s, '}')) break;
        if (!read_str(&s, key, sizeof key))
            return xa_fail(err, XA_EFORMAT, ".npy header: expected a key at byte %zu",
                           (size_t)(s.p - (const char *)b));
        if (!accept(&s, ':'))
            return xa_fail(err, XA_EFORMAT, ".npy header: expected ':' after '%s'", key);
        if (!strcmp(key, "descr")) {
            skip_ws(&s);
            if (s.p < s.end && (*s.p == '[' || *s.p == '('))
                return xa_fail(err, XA_EUNSUPPORTED,
                               "structured dtypes (record arrays) are not supported");
            if (!read_str(&s, descr, sizeof descr))
                return xa_fail(err, XA_EFORMAT, ".npy header: bad 'descr' value");
            have_descr = 1;
        } else if (!strcmp(key, "fortran_order")) {
            if (read_word(&s, "True"))
                t->fortran_order = 1;
            else if (read_word(&s, "False"))
                t->fortran_order = 0;
            else
                return xa_fail(err, XA_EFORMAT,
                               ".npy header: 'fortran_order' must be True or False");
            have_fortran = 1;
        } else if (!strcmp(key, "shape")) {
            if (!accept(&s, '('))
                return xa_fail(err, XA_EFORMAT, ".npy header: 'shape' must be a tuple");
            int r = 0;
            for (;;) {
                if (accept(&s, ')')) break;
                int64_t v;
                int ok = read_int(&s, &v);
                if (ok < 0)
                    return xa_fail(err, XA_ELIMIT, ".npy header: a dimension overflows int64");
                if (!ok) return xa_fail(err, XA_EFORMAT, ".npy header: bad dimension in 'shape'");
                if (r >= XA_MAX_RANK)
                    return xa_fail(err, XA_ELIMIT, ".npy header: rank above the limit of %d",
                                   XA_MAX_RANK);
                t->shape[r++] = v;
                if (!accept(&s, ',')) {
                    if (!accept(&s, ')'))
                        return xa_fail(err, XA_EFORMAT, ".npy header: bad 'shape' tuple");
                    if (r == 1)
                        return xa_fail(err, XA_EFORMAT, ".npy header: '(n)' is not a tuple");
                    break;
                }
            }
            t->rank = r;
            have_shape = 1;
        } else {
            return xa_fail(err, XA_EFORMAT, ".npy header: unexpected key '%s'", key);
        }
        if (!accept(&s, ',')) {
            if (!accept(&s, '}'))
                return xa_fail(err, XA_EFORMAT, ".npy header: expected ',' or '}'");
            break;
        }
    }
    if (!have_descr || !have_fortran || !have_shape)
        return xa_fail(err, XA_EFORMAT, ".npy header lacks '%s'",
                       !have_descr     ? "descr"
                       : !have_fortran ? "fortran_order"
                                       : "shape");
    xa_status st = parse_descr(descr, t, err);
    if (st) return st;
    int64_t n = xa_shape_count(t->rank, t->shape);
    if (n < 0) return xa_fail(err, XA_ELIMIT, ".npy header: the shape's element count overflows");
    if (n > xa_limits_max_elements(lim))
        return xa_fail(err, XA_ELIMIT, ".npy header: %lld elements exceed the limit of %lld",
                       (long long)n, (long long)xa_limits_max_elements(lim));
    uint64_t nb;
    if (xa_mul_overflow_u64((uint64_t)n, xa_dtype_size(t->dtype), &nb) || nb > SIZE_MAX)
        return xa_fail(err, XA_ELIMIT, ".npy header: byte size overflows");
    t->nbytes = (size_t)nb;
    *data_offset = pre + hlen;
    return XA_OK;
}

xa_status xa_npy_parse_header(const void *buf, size_t size, xa_tensor *t, size_t *data_offset,
                              xa_error *err) {
    return xa_npy_parse_header_lim(buf, size, NULL, t, data_offset, err);
}

xa_status xa_npy_from_backing(xa_backing *bk, const unsigned char *base, size_t size, int readonly,
                              const char *what, const xa_limits *lim, xa_tensor **out,
                              xa_error *err) {
    *out = NULL;
    xa_tensor h;
    size_t off;
    xa_status st = xa_npy_parse_header_lim(base, size, lim, &h, &off, err);
    if (st) return st;
    if (size - off < h.nbytes) {
        char sb[160];
        return xa_fail(err, XA_ETRUNC, "header says %s %s = %zu data bytes, the %s has %zu",
                       xa_dtype_name(h.dtype), xa_shape_format(h.rank, h.shape, sb, sizeof sb),
                       h.nbytes, what, size - off);
    }
    xa_tensor *t = malloc(sizeof *t);
    if (!t) return xa_fail(err, XA_ENOMEM, "out of memory");
    *t = h;
    const unsigned char *data = base + off;
    if ((uintptr_t)data % xa_dtype_size(h.dtype) != 0) {
        xa_backing *own = xa_backing_heap(h.nbytes, 0);
        if (!own) {
            free(t);
            return xa_fail(err, XA_ENOMEM, "out of memory copying %zu unaligned data bytes",
                           h.nbytes);
        }
        /* in slices, dropping the mapping's pages once copied, so a big member is not held
         * twice in memory */
        const size_t slice = (size_t)64 << 20;
        for (size_t o = 0; o < h.nbytes; o += slice) {
            size_t n = h.nbytes - o < slice ? h.nbytes - o : slice;
            memcpy((unsigned char *)own->base + o, data + o, n);
            if (bk->mapped) xa_mapping_release(data + o, n);
        }
        t->data = own->base;
        t->readonly = 0;
        t->backing = own;
    } else {
        t->data = (void *)data;
        t->readonly = readonly;
        t->backing = bk;
        xa_backing_ref(bk);
    }
    *out = t;
    return XA_OK;
}

xa_status xa_npy_load(const char *path, xa_tensor **out, xa_error *err) {
    return xa_npy_load_ex(path, NULL, out, err);
}

xa_status xa_npy_load_ex(const char *path, const xa_load_options *o, xa_tensor **out,
                         xa_error *err) {
    *out = NULL;
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    st = xa_npy_from_backing(f.backing, f.data, f.size, f.backing->mapped, "file",
                             xa_load_limits(o), out, err);
    xa_file_close(&f);
    if (st) xa_error_prefix(err, path);
    return st;
}

xa_status xa_npy_from_memory(const void *buf, size_t size, const char *name, xa_tensor **out,
                             xa_error *err) {
    return xa_npy_from_memory_ex(buf, size, name, NULL, out, err);
}

xa_status xa_npy_from_memory_ex(const void *buf, size_t size, const char *name,
                                const xa_load_options *o, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_backing *bk = xa_backing_heap(size, 0);
    if (!bk) return xa_fail(err, XA_ENOMEM, "out of memory");
    if (size) memcpy(bk->base, buf, size);
    xa_status st = xa_npy_from_backing(bk, bk->base, size, 0, "file", xa_load_limits(o), out, err);
    xa_backing_unref(bk);
    if (st && name) xa_error_prefix(err, name);
    return st;
}

/* ---- writer -------------------------------------------------------------------------------- */
static const char *descr_of(const xa_tensor *t, char *buf) {
    static const char kinds[XA_DTYPE_COUNT] = {
        [XA_BOOL] = 'b', [XA_I8] = 'i',  [XA_U8] = 'u',  [XA_I16] = 'i', [XA_U16] = 'u',
        [XA_I32] = 'i',  [XA_U32] = 'u', [XA_I64] = 'i', [XA_U64] = 'u', [XA_F16] = 'f',
        [XA_BF16] = 'V', [XA_F32] = 'f', [XA_F64] = 'f'};
    size_t es = xa_dtype_size(t->dtype);
    char order;
    if (es == 1 || t->dtype == XA_BF16)
        order = '|'; /* numpy writes '|' for 1-byte types and for void */
    else {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        order = t->swapped ? '>' : '<';
#else
        order = t->swapped ? '<' : '>';
#endif
    }
    sprintf(buf, "%c%c%zu", order, kinds[t->dtype], es);
    return buf;
}

/* numpy/lib/format.py: ARRAY_ALIGN = 64, GROWTH_AXIS_MAX_DIGITS = 21 (header spare space). */
enum { ARRAY_ALIGN = 64, GROWTH_AXIS_MAX_DIGITS = 21 };

static size_t build_header(const xa_tensor *t, char *h, size_t cap) {
    char descr[16], shape[XA_MAX_RANK * 24 + 8], growth_dim[24] = "";
    size_t o = 0;
    o += (size_t)snprintf(shape + o, sizeof shape - o, "(");
    for (int k = 0; k < t->rank; k++)
        o += (size_t)snprintf(shape + o, sizeof shape - o, k ? ", %lld" : "%lld",
                              (long long)t->shape[k]);
    snprintf(shape + o, sizeof shape - o, t->rank == 1 ? ",)" : ")");
    /* _write_array_header: sorted keys, "'%s': %s, " each, then spare spaces so the growth
     * axis (first in C order, last in Fortran order) can reach 21 digits in place. */
    size_t n = (size_t)snprintf(h, cap, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                                descr_of(t, descr), t->fortran_order ? "True" : "False", shape);
    if (t->rank > 0) {
        int ax = t->fortran_order ? t->rank - 1 : 0;
        int len = snprintf(growth_dim, sizeof growth_dim, "%lld", (long long)t->shape[ax]);
        for (int i = len; i < GROWTH_AXIS_MAX_DIGITS && n + 1 < cap; i++) h[n++] = ' ';
        h[n] = 0;
    }
    return n;
}

xa_status xa_npy_preamble(const xa_tensor *t, unsigned char *pre, size_t *pre_len, xa_error *err) {
    char h[512];
    size_t n = build_header(t, h, sizeof h);
    /* _wrap_header: hlen = len(header) + 1 (newline); padlen = ALIGN - ((MAGIC + lenfield + hlen)
     * % ALIGN), so a header that already aligns still gets a full 64 spaces. Version 1 holds a
     * 16-bit length; our headers are always far below that. */
    size_t hlen = n + 1, pad = ARRAY_ALIGN - ((8 + 2 + hlen) % ARRAY_ALIGN);
    size_t total = hlen + pad;
    if (total > 65535) return xa_fail(err, XA_ELIMIT, "npy header too long");
    memcpy(pre, npy_magic, 6);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char)(total & 0xff);
    pre[9] = (unsigned char)(total >> 8);
    memcpy(pre + 10, h, n);
    memset(pre + 10 + n, ' ', pad);
    pre[10 + n + pad] = '\n';
    *pre_len = 10 + total;
    return XA_OK;
}

xa_status xa_npy_save(const char *path, const xa_tensor *t, xa_error *err) {
    unsigned char pre[XA_NPY_PREAMBLE_MAX];
    size_t pl;
    if (!t) return xa_fail(err, XA_EINVAL, "xa_npy_save: NULL tensor");
    xa_status st = xa_npy_preamble(t, pre, &pl, err);
    if (st) return st;
    return xa_write_file(path, pre, pl, t->data, t->nbytes, err);
}

xa_status xa_npy_encode(const xa_tensor *t, void **out, size_t *out_size, xa_error *err) {
    unsigned char pre[XA_NPY_PREAMBLE_MAX];
    size_t pl;
    if (!out || !out_size) return xa_fail(err, XA_EINVAL, "xa_npy_encode: NULL result pointer");
    *out = NULL;
    if (!t) return xa_fail(err, XA_EINVAL, "xa_npy_encode: NULL tensor");
    xa_status st = xa_npy_preamble(t, pre, &pl, err);
    if (st) return st;
    unsigned char *b = malloc(pl + t->nbytes + 1);
    if (!b) return xa_fail(err, XA_ENOMEM, "out of memory");
    memcpy(b, pre, pl);
    if (t->nbytes) memcpy(b + pl, t->data, t->nbytes);
    *out = b;
    *out_size = pl + t->nbytes;
    return XA_OK;
}
