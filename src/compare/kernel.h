/* The one-pass metric kernel (private). A kernel call folds n element pairs into an accumulator;
 * accumulators of disjoint ranges merge exactly (counts, extrema with first-index ties) and
 * their sums add with compensation. */
#ifndef XA_KERNEL_H
#define XA_KERNEL_H

#include "cpu.h"
#include "internal.h"
#include "xalign/compare.h"

/* sums over finite pairs: |d|, d^2, r^2, p^2, r*p, r, p, ((r+p)/2)^2; then each side's own
 * finite values (for the means) */
enum { S_ABS, S_D2, S_R2, S_P2, S_RP, S_R, S_P, S_H2, S_RALL, S_PALL, S_COUNT };

typedef struct xa_acc {
    int64_t count, equal, finite, mism, zero_ref_diff;
    int64_t nan_r, nan_p, inf_r, inf_p, nonfinite_mism, first_nonfinite;
    int64_t rfin, pfin;
    double max_abs; /* -1 until a finite pair is seen */
    int64_t max_abs_index;
    double max_abs_ref, max_abs_port;
    double max_rel; /* -1 until a finite pair with r != 0 is seen */
    int64_t max_rel_index;
    double rmin, rmax, pmin, pmax;
    double sum[S_COUNT], comp[S_COUNT]; /* Neumaier-compensated running sums */
} xa_acc;

/* Sums are folded every XA_KERNEL_BLOCK elements so block sums stay short (accuracy). */
#define XA_KERNEL_BLOCK 4096

/* Whether (v, i) beats the best (bv, bi) so far: larger, or equal at an earlier index (the first
 * index of the maximum wins, as in numpy's argmax). */
static inline int xa_acc_better(double v, int64_t i, double bv, int64_t bi) {
    return v > bv || (v == bv && i >= 0 && (bi < 0 || i < bi));
}

void xa_acc_init(xa_acc *a);
void xa_acc_merge(xa_acc *a, const xa_acc *b);
void xa_acc_to_metrics(const xa_acc *a, xa_metrics *m);
/* Add v to sum k with Neumaier compensation. */
void xa_acc_add(xa_acc *a, int k, double v);

/* Reference kernel on doubles: element k has flat index base + k. */
void xa_kernel_f64(xa_acc *a, const double *r, const double *p, size_t n, int64_t base, double atol,
                   double rtol);
/* The reference on float32 pairs (native byte order), in plain C: one() per element for counts
 * and extrema; sums formed in the association of the vector kernels (kernel.c), so that every
 * path gives the same bytes. */
void xa_kernel_f32_ref(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                       double atol, double rtol);
/* float32 pairs on the best kernel `path` allows (AVX2, AVX-512VL, NEON): the same results as
 * xa_kernel_f32_ref, bit for bit. */
void xa_kernel_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base, double atol,
                   double rtol, xa_cpu_path path);

/* The sums of a float32 block, in the order block_f32_ref (kernel.c) forms them: |d|, d^2, r^2,
 * p^2, r*p, r, p, and (r + p)^2 (four times the sum of the squared means). */
enum { L_ABS, L_D2, L_R2, L_P2, L_RP, L_R, L_P, L_H2, L_COUNT };

/* What a vector block (kernel_avx2.c, kernel_neon.c) has after reducing its lanes: n finite pairs
 * from flat index `base`, their counts, largest |p - r|, extrema and folded sums. */
typedef struct xa_block {
    size_t n;
    int64_t base;
    int64_t equal, zero_ref_diff, mism;
    double max_abs;
    float rmin, rmax, pmin, pmax;
    double sum[L_COUNT];
} xa_block;
/* Folds a vector block into the accumulator as block_f32_ref would have: the first index of the
 * block's largest |p - r| is found by rescanning r and p. */
void xa_kernel_block_commit(xa_acc *a, const float *r, const float *p, const xa_block *b);
/* Offers one lane's (max_rel, index) to the accumulator (index -1: the lane saw no candidate). */
static inline void xa_acc_offer_rel(xa_acc *a, double v, int64_t i) {
    if (i >= 0 && xa_acc_better(v, i, a->max_rel, a->max_rel_index)) {
        a->max_rel = v;
        a->max_rel_index = i;
    }
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define XA_KERNEL_X86 1
/* kernel_avx2.c: one block of n (a multiple of 8, at most XA_KERNEL_BLOCK) finite pairs, as
 * block_f32_ref (kernel.c) computes it; returns 0, leaving `a` half-updated, if a value was not
 * finite (the caller restores it and goes element by element). */
int xa_kernel_block_f32_avx2(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                             double atol, double rtol);
int xa_kernel_block_f32_avx512(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                               double atol, double rtol);
#endif
#if defined(__aarch64__) && defined(__GNUC__)
#define XA_KERNEL_NEON 1
/* kernel_neon.c: the same block with AArch64 Advanced SIMD. */
int xa_kernel_block_f32_neon(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                             double atol, double rtol);
#endif

#endif
