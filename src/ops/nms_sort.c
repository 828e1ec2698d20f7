/* The sorts NMS depends on.
 *
 * torch's non-stable sort (Tensor.sort / argsort with stable=False on CPU,
 * aten/src/ATen/native/cpu/SortingKernel.cpp sort_kernel) calls std::sort on a composite
 * (value, index) iterator. Equal values end in an order that only the algorithm defines, so the
 * algorithm is reproduced here move for move: GCC's libstdc++ bits/stl_algo.h std::__sort =
 * __introsort_loop (depth limit 2*floor(log2 n), partitions down to _S_threshold = 16 elements,
 * median of (first+1, mid, last-1) moved to first, Hoare-style __unguarded_partition, heapsort
 * via __partial_sort when the depth limit runs out) followed by __final_insertion_sort (guarded
 * insertion sort of the first 16, unguarded for the rest). The heap functions follow
 * bits/stl_heap.h (__make_heap, __adjust_heap, __push_heap, __pop_heap, __sort_heap).
 *
 * Stable orders (torchvision's nms kernel sorts with stable=true; OpenCV uses std::stable_sort)
 * are defined by their result alone, so any stable algorithm gives them: an LSD radix sort here.
 */
#include "nms_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- libstdc++ std::sort, generic over the element type ----------------------------------------
 * STL_SORT(NAME, T, LESS) defines NAME(T *a, int64_t n) with LESS(pa, pb) the comparator on
 * pointers (the std::sort `comp(*a, *b)`). Every statement mirrors the libstdc++ function named
 * in the comment above it; indices replace iterators. */
#define STL_SORT(NAME, T, LESS)                                                                    \
    /* __adjust_heap + __push_heap: sift the hole down to a leaf, then push value up */            \
    static void NAME##_adjust_heap(T *first, int64_t hole, int64_t len, T value) {                 \
        const int64_t top = hole;                                                                  \
        int64_t second = hole;                                                                     \
        while (second < (len - 1) / 2) {                                                           \
            second = 2 * (second + 1);                                                             \
            if (LESS(&first[second], &first[second - 1])) second--;                                \
            first[hole] = first[second];                                                           \
            hole = second;                                                                         \
        }                                                                                          \
        if ((len & 1) == 0 && second == (len - 2) / 2) {                                           \
            second = 2 * (second + 1);                                                             \
            first[hole] = first[second - 1];                                                       \
            hole = second - 1;                                                                     \
        }                                                                                          \
        int64_t parent = (hole - 1) / 2;                                                           \
        while (hole > top && LESS(&first[parent], &value)) {                                       \
            first[hole] = first[parent];                                                           \
            hole = parent;                                                                         \
            parent = (hole - 1) / 2;                                                               \
        }                                                                                          \
        first[hole] = value;                                                                       \
    }                                                                                              \
    /* __partial_sort(first, last, last) = __heap_select (only __make_heap when middle == last)    \
     * + __sort_heap */                                                                            \
    static void NAME##_heapsort(T *first, int64_t len) {                                           \
        if (len >= 2) {                                                                            \
            for (int64_t parent = (len - 2) / 2;; parent--) {                                      \
                NAME##_adjust_heap(first, parent, len, first[parent]);                             \
                if (parent == 0) break;                                                            \
            }                                                                                      \
        }                                                                                          \
        for (int64_t last = len; last > 1;) { /* __sort_heap: __pop_heap(first, last, last) */     \
            --last;                                                                                \
            T value = first[last];                                                                 \
            first[last] = first[0];                                                                \
            NAME##_adjust_heap(first, 0, last, value);                                             \
        }                                                                                          \
    }                                                                                              \
    static void NAME##_swap(T *a, T *b) {                                                          \
        T t = *a;                                                                                  \
        *a = *b;                                                                                   \
        *b = t;                                                                                    \
    }                                                                                              \
    /* __move_median_to_first(result, a, b, c) */                                                  \
    static void NAME##_median_to_first(T *result, T *a, T *b, T *c) {                              \
        if (LESS(a, b)) {                                                                          \
            if (LESS(b, c))                                                                        \
                NAME##_swap(result, b);                                                            \
            else if (LESS(a, c))                                                                   \
                NAME##_swap(result, c);                                                            \
            else                                                                                   \
                NAME##_swap(result, a);                                                            \
        } else if (LESS(a, c))                                                                     \
            NAME##_swap(result, a);                                                                \
        else if (LESS(b, c))                                                                       \
            NAME##_swap(result, c);                                                                \
        else                                                                                       \
            NAME##_swap(result, b);                                                                \
    }                                                                                              \
    /* __unguarded_partition(first, last, pivot) */                                                \
    static T *NAME##_partition(T *first, T *last, T *pivot) {                                      \
        for (;;) {                                                                                 \
            while (LESS(first, pivot)) ++first;                                                    \
            --last;                                                                                \
            while (LESS(pivot, last)) --last;                                                      \
            if (!(first < last)) return first;                                                     \
            NAME##_swap(first, last);                                                              \
            ++first;                                                                               \
        }                                                                                          \
    }                                                                                              \
    /* __introsort_loop(first, last, depth_limit) with _S_threshold = 16 */                        \
    static void NAME##_introsort(T *first, T *last, int64_t depth) {                               \
        while (last - first > 16) {                                                                \
            if (depth == 0) {                                                                      \
                NAME##_heapsort(first, last - first);                                              \
                return;                                                                            \
            }                                                                                      \
            --depth;                                                                               \
            T *mid = first + (last - first) / 2; /* __unguarded_partition_pivot */                 \
            NAME##_median_to_first(first, first + 1, mid, last - 1);                               \
            T *cut = NAME##_partition(first + 1, last, first);                                     \
            NAME##_introsort(cut, last, depth);                                                    \
            last = cut;                                                                            \
        }                                                                                          \
    }                                                                                              \
    /* __unguarded_linear_insert(last) */                                                          \
    static void NAME##_linear_insert(T *last) {                                                    \
        T val = *last;                                                                             \
        T *next = last - 1;                                                                        \
        while (LESS(&val, next)) {                                                                 \
            *last = *next;                                                                         \
            last = next;                                                                           \
            --next;                                                                                \
        }                                                                                          \
        *last = val;                                                                               \
    }                                                                                              \
    /* __insertion_sort(first, last) */                                                            \
    static void NAME##_insertion(T *first, T *last) {                                              \
        if (first == last) return;                                                                 \
        for (T *i = first + 1; i != last; ++i) {                                                   \
            if (LESS(i, first)) {                                                                  \
                T val = *i;                                                                        \
                memmove(first + 1, first, (size_t)(i - first) * sizeof(T)); /* move_backward */    \
                *first = val;                                                                      \
            } else                                                                                 \
                NAME##_linear_insert(i);                                                           \
        }                                                                                          \
    }                                                                                              \
    /* std::__sort: introsort, then __final_insertion_sort */                                      \
    static void NAME(T *a, int64_t n) {                                                            \
        if (n <= 1) return; /* first == last (and one element: nothing moves) */                   \
        int lg = 63 - __builtin_clzll((unsigned long long)n); /* std::__lg */                      \
        NAME##_introsort(a, a + n, (int64_t)lg * 2);                                               \
        if (n > 16) {                                                                              \
            NAME##_insertion(a, a + 16);                                                           \
            for (T *i = a + 16; i != a + n; ++i) NAME##_linear_insert(i);                          \
        } else {                                                                                   \
            NAME##_insertion(a, a + n);                                                            \
        }                                                                                          \
    }

/* KeyValueCompDesc (SortingKernel.cpp): (isnan(a) && !isnan(b)) || a > b */
#define TORCH_DESC_LESS(a, b) ((isnan((a)->v) && !isnan((b)->v)) || (a)->v > (b)->v)
STL_SORT(torch_sort_desc, xa_score_idx, TORCH_DESC_LESS)
#define I64_LESS(a, b) (*(a) < *(b))
STL_SORT(stl_sort_i64, int64_t, I64_LESS)

void xa_torch_sort_desc(xa_score_idx *a, int64_t n) {
    torch_sort_desc(a, n);
}
void xa_stl_sort_i64(int64_t *a, int64_t n) {
    stl_sort_i64(a, n);
}

/* ---- stable orders: LSD radix sort on 64-bit keys, 11-bit digits ------------------------------
 */
#define RADIX_BITS 11
#define RADIX_SIZE (1 << RADIX_BITS)

static xa_status radix_sort(uint64_t *key, int64_t *val, int64_t n, xa_error *err) {
    if (n < 2) return XA_OK;
    uint64_t *tk = malloc((size_t)n * sizeof *tk);
    int64_t *tv = malloc((size_t)n * sizeof *tv);
    int64_t *count = malloc(RADIX_SIZE * sizeof *count);
    if (!tk || !tv || !count) {
        free(tk), free(tv), free(count);
        return xa_fail(err, XA_ENOMEM, "nms: out of memory sorting %lld scores", (long long)n);
    }
    uint64_t *k = key, *k2 = tk;
    int64_t *v = val, *v2 = tv;
    for (int shift = 0; shift < 64; shift += RADIX_BITS) {
        memset(count, 0, RADIX_SIZE * sizeof *count);
        for (int64_t i = 0; i < n; i++) count[(k[i] >> shift) & (RADIX_SIZE - 1)]++;
        if (count[(k[0] >> shift) & (RADIX_SIZE - 1)] == n) continue; /* one digit: no change */
        int64_t sum = 0;
        for (int d = 0; d < RADIX_SIZE; d++) {
            int64_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t p = count[(k[i] >> shift) & (RADIX_SIZE - 1)]++;
            k2[p] = k[i];
            v2[p] = v[i];
        }
        uint64_t *sk = k;
        k = k2, k2 = sk;
        int64_t *sv = v;
        v = v2, v2 = sv;
    }
    if (k != key) {
        memcpy(key, k, (size_t)n * sizeof *key);
        memcpy(val, v, (size_t)n * sizeof *val);
    }
    free(tk), free(tv), free(count);
    return XA_OK;
}

/* Ascending unsigned key of a double in descending order: NaN (any sign or payload) smallest,
 * then +inf ... -inf; -0.0 and +0.0 share one key, as they compare equal. */
static uint64_t desc_key(double x) {
    if (isnan(x)) return 0;
    if (x == 0) x = 0.0; /* -0.0 -> +0.0 */
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    uint64_t asc = (b >> 63) ? ~b : (b | ((uint64_t)1 << 63));
    return ~asc; /* a non-NaN never maps to 0: that would need asc == ~0, the bits of a NaN */
}

xa_status xa_order_desc_stable(const double *v, int64_t n, int64_t *order, xa_error *err) {
    uint64_t *key = malloc((size_t)(n ? n : 1) * sizeof *key);
    if (!key)
        return xa_fail(err, XA_ENOMEM, "nms: out of memory sorting %lld scores", (long long)n);
    for (int64_t i = 0; i < n; i++) {
        key[i] = desc_key(v[i]);
        order[i] = i;
    }
    xa_status st = radix_sort(key, order, n, err);
    free(key);
    return st;
}

xa_status xa_sort_by_key_stable(int64_t *key, int64_t *val, int64_t n, xa_error *err) {
    uint64_t *k = malloc((size_t)(n ? n : 1) * sizeof *k);
    if (!k) return xa_fail(err, XA_ENOMEM, "nms: out of memory sorting %lld keys", (long long)n);
    for (int64_t i = 0; i < n; i++) k[i] = (uint64_t)key[i] ^ ((uint64_t)1 << 63);
    xa_status st = radix_sort(k, val, n, err);
    for (int64_t i = 0; i < n; i++) key[i] = (int64_t)(k[i] ^ ((uint64_t)1 << 63));
    free(k);
    return st;
}
