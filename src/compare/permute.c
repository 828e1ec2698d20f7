/* Shape-mismatch analysis: axis permutations that turn the port's shape into the reference's
 * (NHWC vs NCHW shows up as "aligned after transpose (0, 3, 1, 2)"). */
#include "internal.h"
#include "xalign/compare.h"

#include <stdlib.h>
#include <string.h>

static int squeeze(const xa_tensor *t, int64_t *shape, int *axes) {
    int r = 0;
    for (int k = 0; k < t->rank; k++)
        if (t->shape[k] != 1) {
            axes[r] = k;
            shape[r++] = t->shape[k];
        }
    return r;
}

int xa_shape_same_layout(int ra, const int64_t *a, int rb, const int64_t *b) {
    int i = 0, j = 0;
    for (;;) {
        while (i < ra && a[i] == 1) i++;
        while (j < rb && b[j] == 1) j++;
        if (i == ra || j == rb) return i == ra && j == rb;
        if (a[i++] != b[j++]) return 0;
    }
}

typedef struct {
    int rank;
    const int64_t *want, *have;
    int perm[XA_MAX_RANK];
    xa_permutation *out;
    size_t n, max;
    int squeezed;
} search;

static void dfs(search *s, int k, unsigned used) {
    if (s->n >= s->max) return;
    if (k == s->rank) {
        xa_permutation *p = &s->out[s->n++];
        p->rank = s->rank;
        p->squeezed = s->squeezed;
        memcpy(p->perm, s->perm, sizeof p->perm);
        return;
    }
    for (int a = 0; a < s->rank; a++)
        if (!(used & (1u << a)) && s->have[a] == s->want[k]) {
            s->perm[k] = a;
            dfs(s, k + 1, used | (1u << a));
        }
}

size_t xa_shape_permutations(const xa_tensor *ref, const xa_tensor *port, xa_permutation *perms,
                             size_t max) {
    if (!ref || !port || !perms) return 0;
    if (xa_tensor_count(ref) != xa_tensor_count(port) || max == 0) return 0;
    search s = {0};
    int64_t rs[XA_MAX_RANK], ps[XA_MAX_RANK];
    int ra[XA_MAX_RANK], pa[XA_MAX_RANK];
    s.out = perms;
    s.max = max;
    if (ref->rank == port->rank) {
        s.rank = ref->rank;
        s.want = ref->shape;
        s.have = port->shape;
    } else {
        int a = squeeze(ref, rs, ra), b = squeeze(port, ps, pa);
        if (a != b) return 0;
        s.rank = a;
        s.want = rs;
        s.have = ps;
        s.squeezed = 1;
    }
    dfs(&s, 0, 0);
    return s.n;
}

xa_status xa_tensor_permute(const xa_tensor *t, const xa_permutation *p, xa_tensor **out,
                            xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_tensor_permute: NULL result pointer");
    *out = NULL;
    if (!t || !p)
        return xa_fail(err, XA_EINVAL, "xa_tensor_permute: NULL %s", t ? "permutation" : "tensor");
    xa_tensor *src = NULL;
    xa_status st = xa_tensor_dup_native(t, &src, err); /* C order, native bytes */
    if (st) return st;
    int64_t sshape[XA_MAX_RANK];
    int axes[XA_MAX_RANK];
    int rank = src->rank;
    if (p->squeezed) {
        rank = squeeze(src, sshape, axes);
    } else {
        memcpy(sshape, src->shape, sizeof sshape);
    }
    if (rank != p->rank) {
        xa_tensor_free(src);
        return xa_fail(err, XA_EINVAL, "permutation of rank %d for a tensor of rank %d", p->rank,
                       rank);
    }
    int64_t sstride[XA_MAX_RANK], oshape[XA_MAX_RANK];
    if (rank) sstride[rank - 1] = 1;
    for (int k = rank - 2; k >= 0; k--) sstride[k] = sstride[k + 1] * sshape[k + 1];
    for (int k = 0; k < rank; k++) oshape[k] = sshape[p->perm[k]];
    xa_tensor *o;
    st = xa_tensor_new(src->dtype, rank, oshape, &o, err);
    if (st) {
        xa_tensor_free(src);
        return st;
    }
    size_t es = xa_dtype_size(src->dtype);
    int64_t n = xa_tensor_count(o), idx[XA_MAX_RANK] = {0};
    const unsigned char *s = src->data;
    unsigned char *d = o->data;
    for (int64_t i = 0; i < n; i++) {
        int64_t off = 0;
        for (int k = 0; k < rank; k++) off += idx[k] * sstride[p->perm[k]];
        memcpy(d + (size_t)i * es, s + (size_t)off * es, es);
        for (int k = rank - 1; k >= 0; k--) {
            if (++idx[k] < oshape[k]) break;
            idx[k] = 0;
        }
    }
    xa_tensor_free(src);
    *out = o;
    return XA_OK;
}

xa_status xa_compare_permutations(const xa_tensor *ref, const xa_tensor *port,
                                  const xa_cmp_options *opt, xa_permutation *perms,
                                  xa_cmp_result *results, size_t max, size_t *n, xa_error *err) {
    *n = 0;
    if (!ref || !port || !perms || !results)
        return xa_fail(err, XA_EINVAL, "xa_compare_permutations: a NULL argument");
    if (xa_shape_same_layout(ref->rank, ref->shape, port->rank, port->shape)) return XA_OK;
    size_t np = xa_shape_permutations(ref, port, perms, max);
    xa_cmp_options po;
    if (opt)
        po = *opt;
    else
        xa_cmp_options_init(&po);
    po.axis = -1;
    for (size_t i = 0; i < np; i++) {
        xa_tensor *pp = NULL;
        xa_status st = xa_tensor_permute(port, &perms[i], &pp, err);
        if (!st) st = xa_compare(ref, pp, &po, &results[i], err);
        xa_tensor_free(pp);
        if (st) {
            for (size_t k = 0; k < i; k++) xa_cmp_result_clear(&results[k]);
            return st;
        }
    }
    *n = np;
    return XA_OK;
}
