#include "cpu.h"
#include "internal.h"
#include "xalign/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

xa_backing *xa_backing_heap(size_t size, int zero) {
    xa_backing *b = malloc(sizeof *b);
    if (!b) return NULL;
    /* one extra byte keeps malloc(0) meaningful and lets readers touch base safely */
    b->base = zero ? calloc(size + 1, 1) : malloc(size + 1);
    if (!b->base) {
        free(b);
        return NULL;
    }
    b->refs = 1;
    b->mapped = 0;
    b->size = size;
    return b;
}

xa_backing *xa_backing_map(void *base, size_t size) {
    xa_backing *b = malloc(sizeof *b);
    if (!b) return NULL;
    b->refs = 1;
    b->mapped = 1;
    b->base = base;
    b->size = size;
    return b;
}

void xa_backing_ref(xa_backing *b) {
    if (b) __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
}

void xa_backing_unref(xa_backing *b) {
    if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    if (b->mapped) {
        if (b->size) munmap(b->base, b->size);
    } else {
        free(b->base);
    }
    free(b);
}

int64_t xa_shape_count(int rank, const int64_t *shape) {
    if (rank < 0 || rank > XA_MAX_RANK) return -1;
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] < 0) return -1;
        if (__builtin_mul_overflow(n, shape[i], &n)) return -1;
    }
    return n;
}

int64_t xa_tensor_count(const xa_tensor *t) {
    return xa_shape_count(t->rank, t->shape);
}

xa_status xa_tensor_shell(xa_dtype dt, int rank, const int64_t *shape, xa_tensor **out,
                          xa_error *err) {
    *out = NULL;
    size_t es = xa_dtype_size(dt);
    if (!es) return xa_fail(err, XA_EINVAL, "invalid dtype %d", (int)dt);
    if (rank < 0 || rank > XA_MAX_RANK)
        return xa_fail(err, XA_ELIMIT, "rank %d is outside 0..%d", rank, XA_MAX_RANK);
    int64_t n = xa_shape_count(rank, shape);
    if (n < 0) return xa_fail(err, XA_ELIMIT, "shape overflows or has a negative dimension");
    if (n > XA_MAX_ELEMENTS)
        return xa_fail(err, XA_ELIMIT, "%lld elements exceed the limit of %lld", (long long)n,
                       (long long)XA_MAX_ELEMENTS);
    uint64_t nb;
    if (xa_mul_overflow_u64((uint64_t)n, es, &nb) || nb > SIZE_MAX)
        return xa_fail(err, XA_ELIMIT, "tensor byte size overflows");
    xa_tensor *t = calloc(1, sizeof *t);
    if (!t) return xa_fail(err, XA_ENOMEM, "out of memory");
    t->dtype = dt;
    t->rank = rank;
    for (int i = 0; i < rank; i++) t->shape[i] = shape[i];
    t->nbytes = (size_t)nb;
    *out = t;
    return XA_OK;
}

xa_status xa_tensor_new(xa_dtype dt, int rank, const int64_t *shape, xa_tensor **out,
                        xa_error *err) {
    xa_tensor *t;
    xa_status st = xa_tensor_shell(dt, rank, shape, &t, err);
    if (st) return st;
    t->backing = xa_backing_heap(t->nbytes, 1);
    if (!t->backing) {
        size_t nb = t->nbytes;
        free(t);
        *out = NULL;
        return xa_fail(err, XA_ENOMEM, "out of memory allocating %zu bytes", nb);
    }
    t->data = t->backing->base;
    *out = t;
    return XA_OK;
}

xa_status xa_tensor_view(xa_dtype dt, int rank, const int64_t *shape, void *data, size_t nbytes,
                         unsigned flags, xa_tensor **out, xa_error *err) {
    xa_status st = xa_tensor_shell(dt, rank, shape, out, err);
    if (st) return st;
    if ((*out)->nbytes != nbytes || (nbytes && !data)) {
        size_t want = (*out)->nbytes;
        free(*out);
        *out = NULL;
        return xa_fail(err, XA_ESHAPE, "a view of %zu bytes for a shape of %zu bytes", nbytes,
                       want);
    }
    (*out)->data = data;
    (*out)->fortran_order = (flags & XA_VIEW_FORTRAN) != 0;
    (*out)->swapped = (flags & XA_VIEW_SWAPPED) != 0;
    (*out)->readonly = (flags & XA_VIEW_READONLY) != 0;
    return XA_OK;
}

void xa_tensor_free(xa_tensor *t) {
    if (!t) return;
    xa_backing_unref(t->backing);
    free(t);
}

/* Reverse the bytes of each of n elements of es bytes (2, 4 or 8). */
static void swap_bytes(void *p, size_t es, size_t n) {
    unsigned char *b = p;
    if (es < 2) return;
    for (size_t i = 0; i < n; i++, b += es)
        for (size_t lo = 0, hi = es - 1; lo < hi; lo++, hi--) {
            unsigned char t = b[lo];
            b[lo] = b[hi];
            b[hi] = t;
        }
}

xa_status xa_tensor_dup_native(const xa_tensor *t, xa_tensor **out, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_tensor_dup_native: NULL result pointer");
    *out = NULL;
    if (!t) return xa_fail(err, XA_EINVAL, "xa_tensor_dup_native: NULL tensor");
    xa_tensor *c;
    xa_status st = xa_tensor_new(t->dtype, t->rank, t->shape, &c, err);
    if (st) return st;
    size_t es = xa_dtype_size(t->dtype);
    int64_t n = xa_tensor_count(t);
    if (!t->fortran_order || t->rank < 2) {
        if (t->nbytes) memcpy(c->data, t->data, t->nbytes);
    } else {
        /* Fortran -> C: walk the source in storage order with an odometer over reversed axes */
        int64_t idx[XA_MAX_RANK] = {0}, cstride[XA_MAX_RANK];
        cstride[t->rank - 1] = 1;
        for (int k = t->rank - 2; k >= 0; k--) cstride[k] = cstride[k + 1] * t->shape[k + 1];
        const unsigned char *s = t->data;
        unsigned char *d = c->data;
        for (int64_t i = 0; i < n; i++) {
            int64_t off = 0;
            for (int k = 0; k < t->rank; k++) off += idx[k] * cstride[k];
            memcpy(d + (size_t)off * es, s + (size_t)i * es, es);
            for (int k = 0; k < t->rank; k++) { /* Fortran: first axis fastest */
                if (++idx[k] < t->shape[k]) break;
                idx[k] = 0;
            }
        }
    }
    if (t->swapped) swap_bytes(c->data, es, (size_t)n);
    *out = c;
    return XA_OK;
}

#define LOADN(T, sw, bsw)                                                                          \
    do {                                                                                           \
        for (size_t i = 0; i < n; i++) {                                                           \
            T v;                                                                                   \
            memcpy(&v, s + i * sizeof(T), sizeof(T));                                              \
            if (sw) v = (T)bsw(v);                                                                 \
            dst[i] = (double)v;                                                                    \
        }                                                                                          \
    } while (0)

void xa_convert_to_f64(xa_dtype dt, int sw, const void *src, size_t n, double *dst) {
    const unsigned char *s = src;
    if (xa_dtype_fits_f32(dt)) { /* exact through float: one conversion routine for these */
        float tmp[256];
        size_t es = xa_dtype_size(dt);
        for (size_t i = 0; i < n; i += 256) {
            size_t m = n - i < 256 ? n - i : 256;
            xa_convert_to_f32(dt, sw, s + i * es, m, tmp);
            for (size_t k = 0; k < m; k++) dst[i + k] = tmp[k];
        }
        return;
    }
    switch (dt) {
    case XA_I32:
        LOADN(int32_t, sw, __builtin_bswap32);
        break;
    case XA_U32:
        LOADN(uint32_t, sw, __builtin_bswap32);
        break;
    case XA_I64:
        LOADN(int64_t, sw, __builtin_bswap64);
        break;
    case XA_U64:
        LOADN(uint64_t, sw, __builtin_bswap64);
        break;
    case XA_F64:
        for (size_t i = 0; i < n; i++) {
            uint64_t v;
            double f;
            memcpy(&v, s + 8 * i, 8);
            if (sw) v = __builtin_bswap64(v);
            memcpy(&f, &v, 8);
            dst[i] = f;
        }
        break;
    default:
        for (size_t i = 0; i < n; i++) dst[i] = 0;
    }
}

int xa_dtype_fits_f32(xa_dtype dt) {
    return dt == XA_BOOL || dt == XA_I8 || dt == XA_U8 || dt == XA_I16 || dt == XA_U16 ||
           dt == XA_F16 || dt == XA_BF16 || dt == XA_F32;
}

void xa_convert_to_f32(xa_dtype dt, int sw, const void *src, size_t n, float *dst) {
    xa_convert_to_f32_path(dt, sw, src, n, dst, xa_cpu_path_get());
}

void xa_convert_to_f32_path(xa_dtype dt, int sw, const void *src, size_t n, float *dst, int path) {
    const unsigned char *s = src;
    if (dt == XA_F16 && !sw && xa_f16_to_f32_avx2(s, n, dst, path)) return;
    switch (dt) {
    case XA_BOOL:
        for (size_t i = 0; i < n; i++) dst[i] = s[i] != 0;
        break;
    case XA_I8:
        for (size_t i = 0; i < n; i++) dst[i] = (float)(int8_t)s[i];
        break;
    case XA_U8:
        for (size_t i = 0; i < n; i++) dst[i] = (float)s[i];
        break;
    case XA_I16:
    case XA_U16:
    case XA_F16:
    case XA_BF16:
        for (size_t i = 0; i < n; i++) {
            uint16_t v;
            memcpy(&v, s + 2 * i, 2);
            if (sw) v = __builtin_bswap16(v);
            dst[i] = dt == XA_I16   ? (float)(int16_t)v
                     : dt == XA_U16 ? (float)v
                     : dt == XA_F16 ? xa_f16_to_f32(v)
                                    : xa_bf16_to_f32(v);
        }
        break;
    case XA_F32:
        for (size_t i = 0; i < n; i++) {
            uint32_t v;
            memcpy(&v, s + 4 * i, 4);
            if (sw) v = __builtin_bswap32(v);
            memcpy(&dst[i], &v, 4);
        }
        break;
    default:
        for (size_t i = 0; i < n; i++) dst[i] = 0;
    }
}

double xa_tensor_get(const xa_tensor *t, int64_t i) {
    double v = 0;
    size_t es = xa_dtype_size(t->dtype);
    if (i < 0 || (uint64_t)i * es >= t->nbytes) return 0;
    xa_convert_to_f64(t->dtype, t->swapped, (const unsigned char *)t->data + (size_t)i * es, 1, &v);
    return v;
}

void xa_tensor_unravel(const xa_tensor *t, int64_t i, int64_t *coords) {
    if (t->fortran_order) {
        for (int k = 0; k < t->rank; k++) {
            int64_t s = t->shape[k] ? t->shape[k] : 1;
            coords[k] = i % s;
            i /= s;
        }
    } else {
        for (int k = t->rank - 1; k >= 0; k--) {
            int64_t s = t->shape[k] ? t->shape[k] : 1;
            coords[k] = i % s;
            i /= s;
        }
    }
}

char *xa_shape_format(int rank, const int64_t *shape, char *buf, size_t size) {
    size_t o = 0;
    if (size == 0) return buf;
    buf[0] = 0;
    o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "[");
    for (int k = 0; k < rank && o < size; k++)
        o += (size_t)snprintf(buf + o, size - o, k ? ", %lld" : "%lld", (long long)shape[k]);
    if (o < size) snprintf(buf + o, size - o, "]");
    return buf;
}
