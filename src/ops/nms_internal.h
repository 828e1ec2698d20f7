/* NMS (private): the sorts the libraries use and the shared input checks. */
#ifndef XA_NMS_INTERNAL_H
#define XA_NMS_INTERNAL_H

#include "internal.h"
#include "xalign/nms.h"

/* One element of torch's sort: the value and its position, as CompositeRandomAccessorCPU pairs
 * them. Scores of either float dtype are held as double (exact, same order). */
typedef struct xa_score_idx {
    double v;
    int64_t i;
} xa_score_idx;

/* torch 1.13 Tensor.sort(descending=True) with stable=False on CPU (also argsort): libstdc++'s
 * std::sort with KeyValueCompDesc (NaN first), element moves reproduced exactly, so equal values
 * end in the same order as in torch. */
void xa_torch_sort_desc(xa_score_idx *a, int64_t n);
/* The same algorithm with a plain int64 "less than" (the unit test checks the heapsort fallback
 * and the partition against sortedness on adversarial inputs). */
void xa_stl_sort_i64(int64_t *a, int64_t n);

/* Stable order of n values, descending, NaN first, equal values (and +0/-0) by index: what
 * torch's sort(stable=true, descending=true) and std::stable_sort with `a > b` give (the latter
 * never sees NaN). order receives 0..n-1 permuted. Returns XA_ENOMEM on allocation failure. */
xa_status xa_order_desc_stable(const double *v, int64_t n, int64_t *order, xa_error *err);
/* Stable sort of `val` by ascending int64 key (keys are permuted along). */
xa_status xa_sort_by_key_stable(int64_t *key, int64_t *val, int64_t n, xa_error *err);

/* Which kernels xa_tv_nms (float32) and xa_cv_nms_boxes run. Each has a scalar reference that
 * transcribes the upstream loop (also used whenever decisions are recorded) and a branch-free
 * version the compiler vectorises, built for the baseline ISA and, on x86-64, for AVX2. */
typedef enum {
    XA_NMS_PATH_AUTO = 0, /* the fastest the CPU has */
    XA_NMS_PATH_REF = 1,
    XA_NMS_PATH_GENERIC = 2, /* vectorisable code, baseline ISA */
    XA_NMS_PATH_AVX2 = 3,    /* falls back to GENERIC on a CPU without AVX2 */
} xa_nms_path;
extern xa_nms_path xa_nms_force_path; /* for tests; AUTO by default */
/* The path to run: REF when decisions are wanted, else the forced one, else the best. */
xa_nms_path xa_nms_pick_path(int explain);
/* Attributes of the AVX2 instances (empty where AVX2 cannot be targeted). */
#if defined(__x86_64__) && defined(__GNUC__)
#define XA_NMS_HAVE_AVX2_BUILD 1
#define XA_NMS_AVX2 __attribute__((target("avx2")))
#else
#define XA_NMS_HAVE_AVX2_BUILD 0
#define XA_NMS_AVX2
#endif
#define XA_NMS_INLINE static inline __attribute__((always_inline))

/* Validate N x 4 boxes and N scores (and, when given, N integer idxs): shapes, dtypes in the bit
 * set `box_dtypes` (1u << dtype), limits. *n receives N. */
xa_status xa_nms_check(const char *op, const xa_tensor *boxes, const xa_tensor *scores,
                       const xa_tensor *idxs, unsigned box_dtypes, int64_t *n, xa_error *err);
/* A C-order native view of t: t itself, or a copy in *tmp (freed by the caller). */
xa_status xa_nms_native(const xa_tensor *t, const xa_tensor **view, xa_tensor **tmp, xa_error *err);
/* A new int64 [n] tensor holding v. */
xa_status xa_nms_index_tensor(const int64_t *v, int64_t n, xa_tensor **out, xa_error *err);

#endif
