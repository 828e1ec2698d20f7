/* Diagnosis internals: tensors viewed as images of doubles, the difference energy a hypothesis
 * must explain, the list of findings, and fixes replayed through the operation registry. */
#ifndef XA_DIAG_INTERNAL_H
#define XA_DIAG_INTERNAL_H

#include "internal.h"
#include "xalign/compare.h"
#include "xalign/diagnose.h"
#include "xalign/ops.h"

/* A tensor as N x H x W x C doubles in C order (channels last whatever the tensor's layout). */
typedef struct dimg {
    int64_t n, h, w, c;
    int chw;        /* the tensor holds channels before the spatial axes (CHW / NCHW) */
    int image;      /* it looks like an image (spatial axes >= 2, C in 1..4) */
    int integral;   /* every finite value is an integer */
    xa_dtype dtype; /* of the tensor */
    double *v;      /* n*h*w*c values */
    int64_t count;
    int rank; /* the tensor's shape */
    int64_t shape[XA_MAX_RANK];
} dimg;

/* The tensor's layout guess: HW, HWC (last axis <= 4), CHW / NCHW (axis -3 <= 4), NHWC. */
xa_status xa_dimg_of(const xa_tensor *t, dimg *d, xa_error *err);
void xa_dimg_clear(dimg *d);
/* The NHWC double view back as a tensor of the original layout and the given dtype (values
 * rounded to nearest, saturated, for integer dtypes) -- what registered operations take. */
xa_status xa_dimg_to_tensor(const dimg *d, xa_dtype dt, xa_tensor **out, xa_error *err);

typedef struct diag_ctx {
    const xa_diagnose_input *in;
    dimg r, p;         /* the outputs (same element count) */
    dimg ri, pi;       /* the inputs, when given (count 0 otherwise) */
    int same_shape;    /* r and p have the same N, H, W, C */
    double e0;         /* sum of squared differences between r and p (finite pairs) */
    double max0;       /* their max |d| */
    int64_t ndiff;     /* elements that differ */
    xa_tolerance tol;  /* resolved for the outputs' dtypes */
    xa_diagnosis *out; /* findings accumulate here */
    size_t cap;
    /* set when one operation reproduces each side from its own input: the stage's own operation
     * is the same on both sides and the difference is inherited */
    char inherited[512];
    /* both inputs are given and differ: the stage comes after an unaligned one, so a finding that
     * only looks at the outputs cannot tell the stage's own error from the inherited one */
    int inputs_differ;
    int inputs_same;       /* both inputs given, same shape and dtype, every value equal */
    char inputs_text[160]; /* "max_abs 86, 170721 of 271872 differ" */
    /* the original's operation (in->original) reproduces the reference from its own input but
     * not the port from its: the stage's own operation differs, whatever its input */
    int own_error;
    /* set by a family before xa_add_finding: the finding relates each side to its own input
     * (resize, window, decoder, each side's normalisation), not only the two outputs */
    int from_inputs;
    unsigned char *basis; /* per finding, from_inputs when it was added */
    /* what a family learnt without naming a cause (the original's operation reproduces the
     * reference but nothing reproduces the port): added to an `unknown` finding's evidence, with
     * the operation that aligns the stage as its fix */
    char hint[400];
    char hint_op[32];
    char hint_params[256];
} diag_ctx;

/* The hypothesis families in the order the driver runs them, for xa_diagnose_timed. */
enum { XA_DIAG_FAMILIES = 12 };
const char *xa_diag_family_name(int i);
/* xa_diagnose, adding each family's wall time in seconds to seconds[0..XA_DIAG_FAMILIES) (the
 * preparation of the tensors is family 0, "prepare"): the hook of bench/bench_diagnose.c. */
xa_status xa_diagnose_timed(const xa_diagnose_input *in, xa_diagnosis *out, double *seconds,
                            xa_error *err);

/* Sum of squared differences and max |d| between two value arrays of n (finite pairs only). */
void xa_diff_energy(const double *a, const double *b, int64_t n, double *e, double *maxd);
/* Confidence from the energy left after a hypothesis: 1 - after / e0, in [0, 1]. */
double xa_explained(const diag_ctx *c, double e_after);

/* Add a finding; returns it (NULL when out of memory) for the fix to be filled. */
xa_finding *xa_add_finding(diag_ctx *c, xa_cause cause, double confidence, const char *fmt, ...)
    XA_PRINTF(4, 5);
/* The finding's short label (xa_finding.summary); no-op on NULL. */
void xa_summary(xa_finding *f, const char *fmt, ...) XA_PRINTF(2, 3);
/* Set the finding's fix and verify it: run the registered operation `op` with "key=value ..."
 * parameters on `on` ("port_input" or "port_output") and compare with the reference. */
void xa_set_fix(diag_ctx *c, xa_finding *f, const char *on, const char *op, const char *params,
                const char *fmt, ...) XA_PRINTF(6, 7);
/* The image (batch 0) as an H x W x C tensor, uint8 when the dtype is uint8, else float32 --
 * what the resize and window operations take. */
xa_status xa_dimg_hwc(const dimg *d, xa_tensor **out, xa_error *err);
/* Sum of squared differences and max |d| between an H x W x C tensor and image d (batch 0). */
void xa_hwc_energy(const xa_tensor *t, const dimg *d, double *e, double *maxd);
/* Run a registered operation with "key=value ..." parameters on one tensor. */
xa_status xa_run_op(const char *op, const char *params, const xa_tensor *in, xa_tensor **out,
                    xa_error *err);
/* max |a - b| and whether it is within the stage's tolerance (NaN-safe); -1 when the shapes'
 * element counts differ. */
double xa_compare_to_ref(const diag_ctx *c, const xa_tensor *t, int *aligned);

/* Constant borders of an image (batch 0): rows/columns entirely of one colour, the colour of a
 * corner; found = they are a border (not the whole image, not a pixel of content). */
typedef struct xa_border {
    int64_t top, bottom, left, right;
    double value[4];
    int found;
} xa_border;
void xa_find_border(const dimg *d, xa_border *bo);

/* The hypothesis families. Each adds zero or more findings, or sets c->inherited. */
void xa_hyp_original(diag_ctx *c);    /* the manifest's operation replayed on both inputs */
void xa_hyp_same_op(diag_ctx *c);     /* one parameter-free operation reproduces both sides */
void xa_hyp_layout(diag_ctx *c);      /* axis permutations, batch axis (counts equal, shapes not) */
void xa_hyp_channels(diag_ctx *c);    /* channel permutations */
void xa_hyp_affine(diag_ctx *c);      /* per-channel a*ref + b: normalisation, scale */
void xa_hyp_spatial(diag_ctx *c);     /* shift, padding, EXIF-like orientation */
void xa_hyp_values(diag_ctx *c);      /* rounding, saturation, precision */
void xa_hyp_orientation(diag_ctx *c); /* EXIF orientations: flips, rotations (also H <-> W) */
void xa_hyp_resize(diag_ctx *c);      /* every resize method on the inputs */
void xa_hyp_window(diag_ctx *c);      /* crops and letterboxes on the inputs */
void xa_hyp_decode(diag_ctx *c);      /* decoders on the image file */
void xa_hyp_unknown(diag_ctx *c);     /* where the error sits, when nothing explains it */

/* A manifest's operation that does not reproduce the original: the variant of it, one parameter
 * changed (every other choice of a choice, the other value of a flag; a size set to the wanted
 * output's), that reproduces `want` from `in` under `tol`. 1 when found, with the variant's
 * description ("resize method=pil-bilinear size=160x121") and the change ("method=pil-bilinear").
 */
int xa_diag_correct_op(const xa_op *op, const xa_tensor *in, const xa_tensor *want,
                       const xa_tolerance *tol, char *desc, size_t dn, char *change, size_t cn);

/* output_order (diag_pairing.c): the pairing of two multi-tensor stages' members that aligns the
 * most of them (xa_pairing_search, up to XA_PAIRING_MAX a side), when it aligns more than pairing
 * by name; *found = 1 and *out filled then. */
xa_status xa_diag_pairing(const xa_tensor_list *ref, const xa_tensor_list *port,
                          const xa_tolerance *tol, xa_finding *out, int *found, xa_error *err);

#endif
