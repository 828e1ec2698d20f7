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
} diag_ctx;

/* Sum of squared differences and max |d| between two value arrays of n (finite pairs only). */
void xa_diff_energy(const double *a, const double *b, int64_t n, double *e, double *maxd);
/* Confidence from the energy left after a hypothesis: 1 - after / e0, in [0, 1]. */
double xa_explained(const diag_ctx *c, double e_after);

/* Add a finding; returns it (NULL when out of memory) for the fix to be filled. */
xa_finding *xa_add_finding(diag_ctx *c, xa_cause cause, double confidence, const char *fmt, ...)
    XA_PRINTF(4, 5);
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

/* The hypothesis families. Each adds zero or more findings. */
void xa_hyp_layout(diag_ctx *c);   /* axis permutations, batch axis (counts equal, shapes not) */
void xa_hyp_channels(diag_ctx *c); /* channel permutations */
void xa_hyp_affine(diag_ctx *c);   /* per-channel a*ref + b: normalisation, scale */
void xa_hyp_spatial(diag_ctx *c);  /* shift, padding, EXIF-like orientation */
void xa_hyp_values(diag_ctx *c);   /* rounding, saturation, precision */
void xa_hyp_resize(diag_ctx *c);   /* every resize method on the inputs */
void xa_hyp_window(diag_ctx *c);   /* crops and letterboxes on the inputs */
void xa_hyp_decode(diag_ctx *c);   /* decoders on the image file */
void xa_hyp_unknown(diag_ctx *c);  /* where the error sits, when nothing explains it */

#endif
