/* xalign compare: the one-pass metric engine, tolerances and verdicts.
 * Definitions: docs/metrics.md (from shared/spec/metrics.md). r = reference, p = port,
 * d = p - r, everything computed in double from the stored values.
 */
#ifndef XALIGN_COMPARE_H
#define XALIGN_COMPARE_H

#include "core.h"
#include "io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tolerance. A criterion is active when its flag bit is set in `active`. With no bit set the
 * defaults apply: integer/bool pairs must be equal element for element; pairs with a float side
 * pass when max_abs <= 1e-3 (the seed's FP32 BModel criterion). Active criteria are ANDed, and a
 * pair never passes with a NaN/Inf on one side only. */
enum {
    XA_TOL_ATOL_RTOL = 1 << 0, /* no element with |d| > atol + rtol*|r| (numpy's allclose rule) */
    XA_TOL_MAX_ABS = 1 << 1,   /* max_abs <= max_abs */
    XA_TOL_COSINE = 1 << 2,    /* cosine >= min_cosine */
    XA_TOL_EUCLID = 1 << 3,    /* euclid_sim >= min_euclid */
    XA_TOL_SQNR = 1 << 4,      /* sqnr_db >= min_sqnr_db */
    XA_TOL_EQUAL = 1 << 5,     /* every element equal */
};
typedef struct xa_tolerance {
    unsigned active;
    double atol, rtol;
    double max_abs;
    double min_cosine, min_euclid, min_sqnr_db;
    const char *preset; /* name of the preset that set this, or NULL */
} xa_tolerance;

#define XA_DEFAULT_MAX_ABS 1e-3

/* tpu-mlir's per-type cosine/euclid defaults: "f32" 0.99/0.99, "f16" 0.95/0.85,
 * "bf16" 0.95/0.80, "int8" 0.8/0.5. Returns XA_EINVAL for an unknown name. */
XA_API xa_status xa_tolerance_preset(const char *name, xa_tolerance *tol);
/* Set one criterion by the name the command line, manifests and bindings use: atol, rtol,
 * max-abs, min-cosine, min-euclid, min-sqnr (numbers), equal (true/false), preset (f32, f16,
 * bf16, int8); the snake_case keys of older manifests are accepted. atol and rtol activate
 * numpy's allclose rule together (the one not given is 0). */
XA_API xa_status xa_tolerance_set(xa_tolerance *t, const char *key, const char *value,
                                  xa_error *err);

/* ---- which tolerance a comparison uses --------------------------------------------------------
 * Precedence, highest first (docs/metrics.md "Verdicts"): the command line, then the first
 * matching pattern of a tolerance file, then the manifest, then the dtype default:
 *   - a side is float16/bfloat16: torch.testing.assert_close's defaults for that dtype
 *     (|d| <= atol + rtol*|ref| with float16 rtol 1e-3, bfloat16 rtol 1.6e-2, atol 1e-5; with
 *     both, bfloat16's);
 *   - a quantised int8/uint8 side (a scale from the bmodel), compared dequantised: tpu-mlir's
 *     int8 thresholds, cosine >= 0.8 and euclid_sim >= 0.5;
 *   - integer/bool pairs (int8 without a scale, uint8, ...): exact;
 *   - anything else (float32/float64, mixed): max_abs <= 1e-3, the seed's FP32 criterion. */
typedef enum xa_tol_source {
    XA_TOL_FROM_DTYPE = 0,
    XA_TOL_FROM_MANIFEST = 1,
    XA_TOL_FROM_FILE = 2,
    XA_TOL_FROM_CLI = 3,
} xa_tol_source;
typedef struct xa_tol_rule {
    xa_tol_source source;
    char what[160]; /* "float16 default (torch assert_close)", "tolerance file '/layer3*'",
                       "command line", "manifest" */
} xa_tol_rule;

/* --tolerance-file: a JSON object of glob patterns (fnmatch, '*' also matches '/') to tolerance
 * objects with the keys of xa_tolerance_set plus "preset"; patterns are tried in file order. */
#define XA_TOLFILE_MAX_BYTES (16u << 20)
#define XA_TOLFILE_MAX_PATTERNS 65536
#define XA_TOLFILE_MAX_PATTERN 4096 /* bytes of one pattern */
typedef struct xa_tolerance_file xa_tolerance_file;
XA_API xa_status xa_tolerance_file_load(const char *path, xa_tolerance_file **out, xa_error *err);
/* `label` names the text in messages (NULL: "tolerance file"). */
XA_API xa_status xa_tolerance_file_parse(const char *json, size_t len, const char *label,
                                         xa_tolerance_file **out, xa_error *err);
XA_API void xa_tolerance_file_free(xa_tolerance_file *f);
XA_API size_t xa_tolerance_file_count(const xa_tolerance_file *f);
/* Index of the first pattern matching `name` (its tolerance in *tol, its text in *pattern, both
 * optional), or -1. */
XA_API long xa_tolerance_file_match(const xa_tolerance_file *f, const char *name, xa_tolerance *tol,
                                    const char **pattern);

typedef struct xa_tol_sources {
    const xa_tolerance *cli;       /* NULL or active == 0: none given */
    const xa_tolerance_file *file; /* NULL: none */
    const xa_tolerance *manifest;  /* a stage's tolerance, else the manifest's defaults */
} xa_tol_sources;
/* THE resolution: the tolerance member `name` (NULL: unnamed) of dtypes ref/port gets, with the
 * elementwise rule of the mismatch count filled in; `quantised`: a side is dequantised int8.
 * *rule (optional) says which source decided. */
XA_API xa_tolerance xa_tolerance_choose(const xa_tol_sources *s, const char *name, xa_dtype ref,
                                        xa_dtype port, int quantised, xa_tol_rule *rule);
/* The dtype default alone (the last step of the precedence). */
XA_API xa_tolerance xa_tolerance_dtype_default(xa_dtype ref, xa_dtype port, int quantised,
                                               xa_tol_rule *rule);
/* xa_tolerance_choose with only a command-line tolerance (kept for existing callers). */
XA_API xa_tolerance xa_tolerance_resolve(const xa_tolerance *user, xa_dtype ref, xa_dtype port);

/* Metrics of one comparison (or of one channel). Sums cover finite pairs only; pairs where
 * either side is NaN/Inf are counted in the nan/inf fields and never enter a sum. */
typedef struct xa_metrics {
    int64_t count;         /* elements compared */
    int64_t equal;         /* identical values (NaN==NaN and equal infinities count as equal) */
    int64_t finite;        /* pairs with both sides finite */
    double max_abs;        /* max |d| over finite pairs; 0 when there are none */
    int64_t max_abs_index; /* flat index of the first max_abs element; -1 if none */
    double max_abs_ref, max_abs_port; /* the two values there */
    double mean_abs, rmse;
    double max_rel; /* max |d|/|r| over finite pairs with r != 0 */
    int64_t max_rel_index;
    int64_t zero_ref_diff;       /* finite pairs with r == 0 and d != 0 (excluded from max_rel) */
    double cosine;               /* sum(rp)/sqrt(sum r^2 sum p^2); 1 if both all-zero, 0 if one */
    double euclid_sim;           /* 1 - ||d|| / (||(r+p)/2|| + 1e-7), tpu-mlir's definition */
    double rel_l2;               /* ||d|| / ||r||; 0 if d == 0, +inf if r == 0 and d != 0 */
    double sqnr_db;              /* 10 log10(sum r^2 / sum d^2); +inf when d is all zero */
    int64_t mismatches;          /* elements failing |d| <= atol + rtol*|r| (non-finite mismatches
                                    included) under the active tolerance's atol/rtol */
    double mism_atol, mism_rtol; /* the rule the mismatch count used */
    int64_t nan_ref, nan_port, inf_ref, inf_port;
    int64_t nonfinite_mismatch; /* positions where one side is NaN/Inf and the other is not the
                                   same value (NaN vs NaN and +inf vs +inf are equal) */
    int64_t first_nonfinite_mismatch;  /* flat index, -1 if none */
    double ref_min, ref_max, ref_mean; /* over finite values of each side */
    double port_min, port_max, port_mean;
    int64_t ref_finite, port_finite;
    /* the raw sums (finite pairs) the ratio metrics are derived from (xa_metrics_derive) */
    double sum_abs, sum_d2, sum_r2, sum_p2, sum_rp, sum_r, sum_p, sum_h2; /* h = (r+p)/2 */
    double sum_r_all, sum_p_all; /* sums over each side's own finite values (for the means) */
} xa_metrics;

/* A quantised side is compared dequantised: value = (stored - zero_point) * scale. */
typedef struct xa_dequant {
    int active;
    double scale;
    int64_t zero_point;
} xa_dequant;

/* Options of one comparison. */
typedef struct xa_cmp_options {
    xa_tolerance tol;  /* user tolerance (active == 0: defaults by dtype) */
    int axis;          /* per-channel breakdown along this axis of the reference; -1: none */
    int threads;       /* 0: xa_threads_get() */
    int fortran_order; /* the shape is in Fortran order (for --axis and coordinates) */
    xa_dequant ref_dequant, port_dequant; /* inactive by default */
} xa_cmp_options;

XA_API void xa_cmp_options_init(xa_cmp_options *o);

/* Streaming interface: feed matching chunks in order, then finalise.
 * A context is created for a pair of dtypes and the reference shape (for per-axis breakdown and
 * coordinates). Any failure poisons the context: later calls return XA_EPOISONED. */
typedef struct xa_cmp xa_cmp;

XA_API xa_status xa_cmp_new(xa_dtype ref_dtype, xa_dtype port_dtype, int rank, const int64_t *shape,
                            const xa_cmp_options *opt, xa_cmp **out, xa_error *err);
/* `n` elements of each side, stored natively unless the *_swapped flag is set. */
XA_API xa_status xa_cmp_update(xa_cmp *c, const void *ref, int ref_swapped, const void *port,
                               int port_swapped, size_t n, xa_error *err);
XA_API void xa_cmp_free(xa_cmp *c);

typedef struct xa_cmp_result {
    xa_metrics total;
    xa_tolerance tol; /* the resolved tolerance the verdict used */
    int aligned;      /* 1 aligned, 0 not */
    unsigned failed;  /* XA_TOL_* bits of the criteria that failed (+ XA_CMP_FAIL_*) */
    int axis;         /* -1 if none */
    int64_t nchannels;
    xa_metrics *channels; /* nchannels entries, owned by the result */
} xa_cmp_result;
#define XA_CMP_FAIL_NONFINITE (1u << 16) /* a NaN/Inf on one side only */

XA_API xa_status xa_cmp_final(xa_cmp *c, xa_cmp_result *out, xa_error *err);
XA_API void xa_cmp_result_clear(xa_cmp_result *r);

/* Compare two whole tensors (any dtypes, byte orders, memory orders) with the same element count
 * and shape. Splits the work over threads; mapped files are read once, front to back. */
XA_API xa_status xa_compare(const xa_tensor *ref, const xa_tensor *port, const xa_cmp_options *opt,
                            xa_cmp_result *out, xa_error *err);

/* Shape mismatch analysis: for tensors with the same element count and different shapes, the
 * axis permutations of `port` that give `ref`'s shape (after dropping size-1 axes when the ranks
 * differ). perms[i][k] is the port axis that becomes axis k. At most `max` are returned. */
typedef struct xa_permutation {
    int rank;
    int perm[XA_MAX_RANK];
    int squeezed; /* 1: the axes are those of the shapes with size-1 axes removed */
} xa_permutation;
/* 1 when two shapes are the same up to size-1 axes ([1, 3, 224, 224] and [3, 224, 224]). */
XA_API int xa_shape_same_layout(int rank_a, const int64_t *a, int rank_b, const int64_t *b);
XA_API size_t xa_shape_permutations(const xa_tensor *ref, const xa_tensor *port,
                                    xa_permutation *perms, size_t max);
/* The permutations of xa_shape_permutations, each applied to `port` and compared with `ref`
 * under `opt` (its axis ignored): results[i] belongs to perms[i], *n of each are filled (0 when
 * the shapes have the same layout). On failure nothing is left to clear. */
XA_API xa_status xa_compare_permutations(const xa_tensor *ref, const xa_tensor *port,
                                         const xa_cmp_options *opt, xa_permutation *perms,
                                         xa_cmp_result *results, size_t max, size_t *n,
                                         xa_error *err);
/* A C-order native copy of `t` with axes permuted (squeezed first if p->squeezed). */
XA_API xa_status xa_tensor_permute(const xa_tensor *t, const xa_permutation *p, xa_tensor **out,
                                   xa_error *err);

/* Derive the ratio metrics (mean_abs, rmse, cosine, ...) from the raw sums. */
XA_API void xa_metrics_derive(xa_metrics *m);
/* Apply a resolved tolerance to metrics; returns the failing criteria bits (0: aligned). */
XA_API unsigned xa_verdict(const xa_metrics *m, const xa_tolerance *tol);

/* ---- pairing tensors ------------------------------------------------------------------------
 * Which port tensor belongs to which reference tensor when names cannot say (the parts #0, #1,
 * ... of a split dump, outputs written in another order): candidates are pairs with the same
 * element count (shapes equal up to size-1 axes, or a 1-D side); each is compared, and the
 * pairing kept is the one with the most aligned pairs, then the smallest total rel_l2. Exhaustive
 * (dynamic programming over the port subsets) for up to XA_PAIRING_MAX tensors a side. */
#define XA_PAIRING_MAX 16
typedef struct xa_pairing {
    size_t nref, nport;
    long *port_of;          /* nref entries: the port index paired with ref i, -1 for none */
    int *aligned;           /* nref entries */
    xa_cmp_result *results; /* nref entries, valid where port_of[i] >= 0 */
    size_t naligned;
    int identity; /* 1: ref i is paired with port i for every i (the order as given) */
} xa_pairing;
XA_API xa_status xa_pairing_search(const xa_tensor *const *ref, size_t nref,
                                   const xa_tensor *const *port, size_t nport,
                                   const xa_cmp_options *opt, xa_pairing *out, xa_error *err);
XA_API void xa_pairing_clear(xa_pairing *p);

/* ---- name maps -------------------------------------------------------------------------------
 * The port's name of a reference member: an explicit map (JSON {"ref name": "port name"}),
 * else the reference name through the renames, in the order added (sed syntax
 * "s/REGEX/REPLACEMENT/" or ".../g", POSIX extended regex, \1..\9 and & in the replacement,
 * any delimiter after the s). */
#define XA_NAMEMAP_MAX_BYTES (16u << 20)
#define XA_NAMEMAP_MAX_ENTRIES 65536
#define XA_NAMEMAP_MAX_RULE 8192 /* bytes of one rename */
typedef struct xa_name_map xa_name_map;
XA_API xa_status xa_name_map_new(xa_name_map **out, xa_error *err);
XA_API xa_status xa_name_map_load(xa_name_map *m, const char *path, xa_error *err);
XA_API xa_status xa_name_map_parse(xa_name_map *m, const char *json, size_t len, const char *label,
                                   xa_error *err);
XA_API xa_status xa_name_map_add_rename(xa_name_map *m, const char *sed, xa_error *err);
/* *out: the port name (malloc'd, free with xa_free). */
XA_API xa_status xa_name_map_port_name(const xa_name_map *m, const char *ref, char **out,
                                       xa_error *err);
XA_API int xa_name_map_empty(const xa_name_map *m);
XA_API void xa_name_map_free(xa_name_map *m);
/* The explicit entries (--map), sorted by reference name: *from and *to of entry i; 0 past the
 * end. */
XA_API int xa_name_map_entry(const xa_name_map *m, size_t i, const char **from, const char **to);

/* ---- comparing multi-member files ----------------------------------------------------------
 * Every member of the reference against its port member, in the reference's order (the order the
 * model wrote its layers), streaming: members are read one batch at a time, each byte once, its
 * CRC checked on the way, over all threads; memory stays near the largest member. Members are
 * paired by name (through the name map), or by position when asked or when either side's
 * members are positional (the parts "#0", "#1", ... of a split dump, or a single tensor). */
typedef enum xa_member_status {
    XA_MEMBER_ALIGNED = 0,
    XA_MEMBER_UNALIGNED = 1,
    XA_MEMBER_SHAPE_MISMATCH = 2, /* same element count, other shape; or other counts (no cmp) */
    XA_MEMBER_ONLY_REF = 3,
    XA_MEMBER_ONLY_PORT = 4,
    XA_MEMBER_ERROR = 5,
} xa_member_status;
XA_API const char *xa_member_status_name(xa_member_status s); /* "aligned", "only_ref", ... */

typedef struct xa_member_result {
    char *name;                 /* the reference's name (the port's for XA_MEMBER_ONLY_PORT) */
    char *port_name;            /* the port member compared with it, NULL if none */
    long ref_index, port_index; /* -1 when absent */
    xa_member_status status;
    xa_member_info ref, port; /* as compared: a viewed dtype (u16_as), an adopted shape */
    int reshaped; /* 1: the port (2: the reference) was raw without a shape and took the other's */
    int viewed;   /* 1: uint16 members read as options.u16_as */
    int has_cmp;
    xa_cmp_result cmp;
    xa_tol_rule rule; /* which rule decided the tolerance */
    size_t nperms;    /* shape mismatch: axis permutations of the port that give the ref's shape */
    xa_permutation perms[8];
    int perm_aligned[8];
    double perm_max_abs[8];
    char *error;
} xa_member_result;

typedef struct xa_members_report {
    size_t count;
    xa_member_result *members; /* the reference's order, then members only in the port */
    long first_unaligned;      /* index of the first compared member not aligned, -1 if none */
    size_t compared, aligned, unaligned, shape_mismatch, only_ref, only_port, errors;
    int by_position;    /* members were paired by position */
    int has_pairing;    /* a search found a pairing that aligns more members than the one used */
    int named_map;      /* a name map (--map entries or --rename rules) was given */
    size_t nnotes;      /* map entries that could not apply: "--map: 'a' -> 'b': ..." */
    char **notes;       /* one line each (the reference name, the port name, the reason) */
    xa_pairing pairing; /* over the members in order (ref i <-> port pairing.port_of[i]) */
} xa_members_report;

typedef struct xa_members_options {
    int threads;                             /* 0: xa_threads_get() */
    xa_tolerance tol;                        /* command line (active == 0: none) */
    const xa_tolerance_file *tolerance_file; /* may be NULL */
    const xa_tolerance *manifest;            /* may be NULL */
    const xa_name_map *names;                /* may be NULL */
    int by_position;                         /* pair the i-th members, whatever their names */
    xa_dtype u16_as;       /* XA_BF16 or XA_F16: read uint16 members as that dtype (tpu-mlir's npz
                              files keep bfloat16 as uint16); XA_DTYPE_INVALID: as stored */
    int no_pairing_search; /* 1: do not look for a better pairing of failing members */
} xa_members_options;
XA_API void xa_members_options_init(xa_members_options *o);
XA_API xa_status xa_compare_members(xa_multi *ref, xa_multi *port, const xa_members_options *o,
                                    xa_members_report *out, xa_error *err);
XA_API void xa_members_report_clear(xa_members_report *r);
/* Exit-code rule: 1 when every pair is aligned and no member is on one side only. */
XA_API int xa_members_all_aligned(const xa_members_report *r);

#ifdef __cplusplus
}
#endif
#endif
