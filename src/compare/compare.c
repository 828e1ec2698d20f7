/* The comparison driver: streaming context, chunking, threads, per-axis breakdown. */
#include "cmp_internal.h"

#include <stdlib.h>
#include <string.h>

#define XA_MAX_CHANNELS 65536
enum {
    CHUNK = 16384,            /* elements converted / folded at a time */
    MIN_PER_THREAD = 1 << 18, /* below this a second thread costs more than it gives */
    RELEASE_BYTES = 8 << 20,  /* drop consumed pages of a mapping every 8 MiB */
};

struct xa_cmp {
    xa_dtype rdt, pdt;
    int rank;
    int64_t shape[XA_MAX_RANK];
    xa_cmp_options opt;
    xa_tolerance tol; /* resolved */
    int64_t expected, offset;
    int64_t nch, inner; /* per-axis breakdown: channel of flat g is (g / inner) % nch */
    xa_acc total;
    xa_acc *ch;
    int poisoned;
};

void xa_cmp_options_init(xa_cmp_options *o) {
    memset(o, 0, sizeof *o);
    o->axis = -1;
}

xa_status xa_cmp_new(xa_dtype rdt, xa_dtype pdt, int rank, const int64_t *shape,
                     const xa_cmp_options *opt, xa_cmp **out, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_cmp_new: NULL result pointer");
    *out = NULL;
    if (rank > 0 && !shape) return xa_fail(err, XA_EINVAL, "xa_cmp_new: NULL shape");
    if (!xa_dtype_size(rdt) || !xa_dtype_size(pdt)) return xa_fail(err, XA_EINVAL, "invalid dtype");
    if (rank < 0 || rank > XA_MAX_RANK)
        return xa_fail(err, XA_EINVAL, "rank %d outside 0..%d", rank, XA_MAX_RANK);
    int64_t n = xa_shape_count(rank, shape);
    if (n < 0) return xa_fail(err, XA_EINVAL, "invalid shape");
    xa_cmp *c = calloc(1, sizeof *c);
    if (!c) return xa_fail(err, XA_ENOMEM, "out of memory");
    c->rdt = rdt;
    c->pdt = pdt;
    c->rank = rank;
    if (rank) memcpy(c->shape, shape, (size_t)rank * sizeof *shape);
    if (opt)
        c->opt = *opt;
    else
        xa_cmp_options_init(&c->opt);
    c->tol = xa_tolerance_resolve(&c->opt.tol, rdt, pdt);
    c->expected = n;
    xa_acc_init(&c->total);
    if (c->opt.axis >= 0) {
        int ax = c->opt.axis;
        if (ax >= rank) {
            free(c);
            return xa_fail(err, XA_EINVAL, "--axis %d is out of range for rank %d", ax, rank);
        }
        c->nch = shape[ax];
        if (c->nch > XA_MAX_CHANNELS) {
            free(c);
            return xa_fail(err, XA_ELIMIT, "axis %d has %lld entries; a breakdown takes at most %d",
                           ax, (long long)shape[ax], XA_MAX_CHANNELS);
        }
        c->inner = 1;
        int over = 0;
        if (c->opt.fortran_order)
            for (int k = 0; k < ax; k++)
                over |= __builtin_mul_overflow(c->inner, shape[k], &c->inner);
        else
            for (int k = ax + 1; k < rank; k++)
                over |= __builtin_mul_overflow(c->inner, shape[k], &c->inner);
        if (over || c->inner < 1)
            c->inner = 1; /* only when the element count is 0: nothing to visit */
        if (c->nch > 0) {
            c->ch = malloc((size_t)c->nch * sizeof *c->ch);
            if (!c->ch) {
                free(c);
                return xa_fail(err, XA_ENOMEM, "out of memory");
            }
            for (int64_t k = 0; k < c->nch; k++) xa_acc_init(&c->ch[k]);
        }
    }
    *out = c;
    return XA_OK;
}

void xa_cmp_free(xa_cmp *c) {
    if (!c) return;
    free(c->ch);
    free(c);
}

/* ---- one part of the work, on one thread ---------------------------------------------- */
/* Equality of two stored 64-bit integers; `swap`: exactly one side is byte-swapped. */
/* Exact equality when a side is a 64-bit integer: doubles hold 53 bits, so int64/uint64 values
 * above 2^53 can round to the same double. An x86-64 long double holds 64 bits of mantissa:
 * every int64, uint64 and double converts exactly, so comparing there is exact. Elsewhere the
 * integers are compared as integers when both sides are 64-bit integers. */
static long double exact_at(xa_dtype dt, int sw, const unsigned char *p) {
    uint64_t u;
    memcpy(&u, p, 8);
    if (sw) u = __builtin_bswap64(u);
    if (dt == XA_I64) return (long double)(int64_t)u;
    if (dt == XA_U64) return (long double)u;
    double d;
    if (dt == XA_F64) {
        memcpy(&d, &u, 8);
        return d;
    }
    xa_convert_to_f64(dt, sw, p, 1, &d); /* narrower types are exact in double */
    return d;
}
static int exact_equal(xa_dtype rdt, int rsw, const unsigned char *r, xa_dtype pdt, int psw,
                       const unsigned char *p) {
#if __LDBL_MANT_DIG__ >= 64
    return exact_at(rdt, rsw, r) == exact_at(pdt, psw, p);
#else
    if ((rdt == XA_I64 || rdt == XA_U64) && (pdt == XA_I64 || pdt == XA_U64)) {
        uint64_t a, b;
        memcpy(&a, r, 8);
        memcpy(&b, p, 8);
        if (rsw) a = __builtin_bswap64(a);
        if (psw) b = __builtin_bswap64(b);
        if (rdt != pdt && ((rdt == XA_I64 && (int64_t)a < 0) || (pdt == XA_I64 && (int64_t)b < 0)))
            return 0;
        return a == b;
    }
    return exact_at(rdt, rsw, r) == exact_at(pdt, psw, p); /* double: exact below 2^53 only */
#endif
}

static void fold(const xa_cmp *c, xa_acc *tot, xa_acc *ch, const double *r, const double *p,
                 const float *rf, const float *pf, size_t m, int64_t g) {
    double atol = c->tol.atol, rtol = c->tol.rtol;
    const xa_cpu_path path = xa_cpu_path_get();
    if (!ch) {
        if (rf)
            xa_kernel_f32(tot, rf, pf, m, g, atol, rtol, path);
        else
            xa_kernel_f64(tot, r, p, m, g, atol, rtol);
        return;
    }
    size_t i = 0;
    while (i < m) {
        int64_t gi = g + (int64_t)i;
        int64_t k = (gi / c->inner) % c->nch;
        size_t run = (size_t)(c->inner - gi % c->inner);
        if (run > m - i) run = m - i;
        if (rf)
            xa_kernel_f32(&ch[k], rf + i, pf + i, run, gi, atol, rtol, path);
        else
            xa_kernel_f64(&ch[k], r + i, p + i, run, gi, atol, rtol);
        i += run;
    }
}

/* float32 elements at any address into an aligned buffer (a copy that stays in L1/L2) */
static void to_f32(xa_dtype dt, int sw, const unsigned char *src, size_t m, float *dst) {
    if (dt == XA_F32 && !sw)
        memcpy(dst, src, m * sizeof *dst);
    else
        xa_convert_to_f32(dt, sw, src, m, dst);
}

static void dequantise(const xa_dequant *q, double *v, size_t m) {
    for (size_t e = 0; e < m; e++) v[e] = (v[e] - (double)q->zero_point) * q->scale;
}

int xa_cmp_range(const xa_cmp *c, const unsigned char *r, int rsw, const unsigned char *p, int psw,
                 int64_t base, int64_t lo, int64_t hi, int release_r, int release_p, xa_acc *tot,
                 xa_acc *ch, uint32_t *crc_r, uint32_t *crc_p) {
    size_t rs = xa_dtype_size(c->rdt), ps = xa_dtype_size(c->pdt);
    const xa_dequant *rq = &c->opt.ref_dequant, *pq = &c->opt.port_dequant;
    int dq = rq->active || pq->active;
    int aligned = (uintptr_t)r % 4 == 0 && (uintptr_t)p % 4 == 0;
    int fast = c->rdt == XA_F32 && c->pdt == XA_F32 && !rsw && !psw && aligned;
    int exact64 = c->rdt == XA_I64 || c->rdt == XA_U64 || c->pdt == XA_I64 || c->pdt == XA_U64;
    /* dtypes whose values are all exact floats go through the float32 kernel: d = p - r in
     * double is the same whether the operands came from uint8 or from their float copies.
     * Dequantised values are computed in double. */
    int via_f32 = !fast && !dq && xa_dtype_fits_f32(c->rdt) && xa_dtype_fits_f32(c->pdt);
    double *rb = NULL, *pb = NULL;
    float *rf = NULL, *pf = NULL;
    if (via_f32) {
        rf = malloc(CHUNK * sizeof *rf);
        pf = malloc(CHUNK * sizeof *pf);
        if (!rf || !pf) {
            free(rf);
            free(pf);
            return 0;
        }
    } else if (!fast) {
        rb = malloc(CHUNK * sizeof *rb);
        pb = malloc(CHUNK * sizeof *pb);
        if (!rb || !pb) {
            free(rb);
            free(pb);
            return 0;
        }
    }
    int64_t released = lo;
    for (int64_t i = lo; i < hi; i += CHUNK) {
        size_t m = (size_t)(hi - i < CHUNK ? hi - i : CHUNK);
        const unsigned char *rc = r + (size_t)i * rs, *pc = p + (size_t)i * ps;
        int64_t g = base + i;
        /* the bytes are read here first, then compared from the cache */
        if (crc_r) *crc_r = xa_crc32(*crc_r, rc, m * rs);
        if (crc_p) *crc_p = xa_crc32(*crc_p, pc, m * ps);
        if (fast) {
            fold(c, tot, ch, NULL, NULL, (const float *)rc, (const float *)pc, m, g);
        } else if (via_f32) {
            to_f32(c->rdt, rsw, rc, m, rf);
            to_f32(c->pdt, psw, pc, m, pf);
            fold(c, tot, ch, NULL, NULL, rf, pf, m, g);
        } else {
            xa_convert_to_f64(c->rdt, rsw, rc, m, rb);
            xa_convert_to_f64(c->pdt, psw, pc, m, pb);
            if (rq->active) dequantise(rq, rb, m);
            if (pq->active) dequantise(pq, pb, m);
            fold(c, tot, ch, rb, pb, NULL, NULL, m, g);
            if (exact64 && !dq) {
                /* correct `equal` element by element where doubles and the exact values
                 * disagree (only possible beyond 2^53) */
                for (size_t e = 0; e < m; e++) {
                    int eqd = rb[e] == pb[e];
                    int eqx = exact_equal(c->rdt, rsw, rc + rs * e, c->pdt, psw, pc + ps * e);
                    if (eqd == eqx) continue;
                    int64_t ge = g + (int64_t)e;
                    xa_acc *dst = ch ? &ch[(ge / c->inner) % c->nch] : tot;
                    dst->equal += eqx - eqd;
                }
            }
        }
        int64_t done = i + (int64_t)m;
        if ((release_r || release_p) &&
            ((done - released) * (int64_t)(rs > ps ? rs : ps) >= RELEASE_BYTES || done == hi)) {
            if (release_r)
                xa_mapping_release(r + (size_t)released * rs, (size_t)(done - released) * rs);
            if (release_p)
                xa_mapping_release(p + (size_t)released * ps, (size_t)(done - released) * ps);
            released = done;
        }
    }
    free(rb);
    free(pb);
    free(rf);
    free(pf);
    return 1;
}

typedef struct {
    const xa_cmp *c;
    const unsigned char *r, *p;
    int rsw, psw, release_r, release_p;
    int64_t base; /* global flat index of element 0 of r/p */
    int64_t n;
    int parts;
    xa_acc *accs; /* parts * (1 + nch) */
    int failed;
} job;

static void run_part(void *arg, int part) {
    job *j = arg;
    const xa_cmp *c = j->c;
    int64_t lo = j->n * part / j->parts, hi = j->n * (part + 1) / j->parts;
    xa_acc *tot = &j->accs[(size_t)part * (size_t)(1 + c->nch)];
    xa_acc *ch = c->nch ? tot + 1 : NULL;
    if (!xa_cmp_range(c, j->r, j->rsw, j->p, j->psw, j->base, lo, hi, j->release_r, j->release_p,
                      tot, ch, NULL, NULL))
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
}

static xa_status process(xa_cmp *c, const void *r, int rsw, int rel_r, const void *p, int psw,
                         int rel_p, int64_t n, xa_error *err) {
    if (n == 0) return XA_OK;
    int threads = c->opt.threads > 0 ? c->opt.threads : xa_threads_get();
    int64_t maxp = n / MIN_PER_THREAD + 1;
    int parts = threads < maxp ? threads : (int)maxp;
    if (parts < 1) parts = 1;
    size_t per = (size_t)(1 + c->nch);
    job j = {c, r, p, rsw, psw, rel_r, rel_p, c->offset, n, parts, NULL, 0};
    j.accs = malloc((size_t)parts * per * sizeof *j.accs);
    if (!j.accs) return xa_fail(err, XA_ENOMEM, "out of memory");
    for (size_t k = 0; k < (size_t)parts * per; k++) xa_acc_init(&j.accs[k]);
    xa_parallel(parts, parts, run_part, &j);
    if (j.failed) {
        free(j.accs);
        return xa_fail(err, XA_ENOMEM, "out of memory in a comparison thread");
    }
    for (int t = 0; t < parts; t++) { /* merge in index order: ties keep the first index */
        xa_acc *a = &j.accs[(size_t)t * per];
        if (c->nch)
            for (int64_t k = 0; k < c->nch; k++) xa_acc_merge(&c->ch[k], &a[1 + k]);
        else
            xa_acc_merge(&c->total, a);
    }
    free(j.accs);
    c->offset += n;
    return XA_OK;
}

xa_status xa_cmp_update(xa_cmp *c, const void *ref, int ref_swapped, const void *port,
                        int port_swapped, size_t n, xa_error *err) {
    if (!c) return xa_fail(err, XA_EINVAL, "NULL comparison context");
    if (c->poisoned) return xa_fail(err, XA_EPOISONED, "comparison context failed earlier");
    if ((uint64_t)n > (uint64_t)(c->expected - c->offset)) {
        c->poisoned = 1;
        return xa_fail(err, XA_ESHAPE,
                       "%zu more elements than the shape holds (%lld expected, "
                       "%lld seen)",
                       n, (long long)c->expected, (long long)c->offset);
    }
    xa_status st = process(c, ref, ref_swapped, 0, port, port_swapped, 0, (int64_t)n, err);
    if (st) c->poisoned = 1;
    return st;
}

void xa_cmp_absorb(xa_cmp *c, const xa_acc *parts, size_t nparts, int64_t n) {
    for (size_t t = 0; t < nparts; t++) xa_acc_merge(&c->total, &parts[t]);
    c->offset += n;
}

int64_t xa_cmp_part_elements(void) {
    return MIN_PER_THREAD;
}

xa_status xa_cmp_final(xa_cmp *c, xa_cmp_result *out, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_cmp_final: NULL result pointer");
    memset(out, 0, sizeof *out);
    out->axis = -1;
    if (!c) return xa_fail(err, XA_EINVAL, "NULL comparison context");
    if (c->poisoned) return xa_fail(err, XA_EPOISONED, "comparison context failed earlier");
    if (c->offset != c->expected) {
        c->poisoned = 1;
        return xa_fail(err, XA_ESHAPE, "%lld elements fed, the shape holds %lld",
                       (long long)c->offset, (long long)c->expected);
    }
    out->tol = c->tol;
    if (c->opt.axis >= 0) {
        out->axis = c->opt.axis;
        out->nchannels = c->nch;
        out->channels = calloc(c->nch ? (size_t)c->nch : 1, sizeof *out->channels);
        if (!out->channels) return xa_fail(err, XA_ENOMEM, "out of memory");
        xa_acc tot;
        xa_acc_init(&tot);
        for (int64_t k = 0; k < c->nch; k++) {
            xa_acc_to_metrics(&c->ch[k], &out->channels[k]);
            xa_acc_merge(&tot, &c->ch[k]);
        }
        xa_acc_to_metrics(&tot, &out->total);
    } else {
        xa_acc_to_metrics(&c->total, &out->total);
    }
    out->total.mism_atol = out->tol.atol;
    out->total.mism_rtol = out->tol.rtol;
    for (int64_t k = 0; k < out->nchannels; k++) {
        out->channels[k].mism_atol = out->tol.atol;
        out->channels[k].mism_rtol = out->tol.rtol;
    }
    out->failed = xa_verdict(&out->total, &out->tol);
    out->aligned = out->failed == 0;
    return XA_OK;
}

void xa_cmp_result_clear(xa_cmp_result *r) {
    if (!r) return;
    free(r->channels);
    memset(r, 0, sizeof *r);
    r->axis = -1;
}

xa_status xa_compare(const xa_tensor *ref, const xa_tensor *port, const xa_cmp_options *opt,
                     xa_cmp_result *out, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_compare: NULL result pointer");
    memset(out, 0, sizeof *out);
    out->axis = -1;
    if (!ref || !port)
        return xa_fail(err, XA_EINVAL, "xa_compare: NULL %s tensor", ref ? "port" : "reference");
    int64_t nr = xa_tensor_count(ref), np = xa_tensor_count(port);
    if (nr != np)
        return xa_fail(err, XA_ESHAPE, "element counts differ: ref %lld, port %lld", (long long)nr,
                       (long long)np);
    xa_tensor *tmp = NULL;
    xa_status st;
    /* Fortran-order tensors are copied into C order first (rare): flat indices are then numpy's
     * (C-order, logical) on both sides, whatever the storage, and coordinates follow the shape. */
    xa_tensor *rtmp = NULL;
    if (ref->fortran_order && ref->rank > 1) {
        st = xa_tensor_dup_native(ref, &rtmp, err);
        if (st) return st;
        ref = rtmp;
    }
    if (port->fortran_order && port->rank > 1) {
        st = xa_tensor_dup_native(port, &tmp, err);
        if (st) {
            xa_tensor_free(rtmp);
            return st;
        }
        port = tmp;
    }
    xa_cmp_options o;
    if (opt)
        o = *opt;
    else
        xa_cmp_options_init(&o);
    o.fortran_order = 0;
    xa_cmp *c;
    st = xa_cmp_new(ref->dtype, port->dtype, ref->rank, ref->shape, &o, &c, err);
    if (!st)
        st = process(c, ref->data, ref->swapped, ref->readonly && ref->nbytes >= RELEASE_BYTES,
                     port->data, port->swapped, port->readonly && port->nbytes >= RELEASE_BYTES, nr,
                     err);
    if (!st) st = xa_cmp_final(c, out, err);
    xa_cmp_free(c);
    xa_tensor_free(tmp);
    xa_tensor_free(rtmp);
    return st;
}
