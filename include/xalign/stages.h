/* xalign stages: the seed's method as one call. Pair the stage dumps of the original (REF_DIR)
 * and the port (PORT_DIR) by name, compare each pair, name the first unaligned stage, and
 * replay the original's operation on the port's input to separate a stage's own error from
 * the error it inherits. Dumps are NN_name.npy / NN_name.npz (include/xalign/dump.h).
 */
#ifndef XALIGN_STAGES_H
#define XALIGN_STAGES_H

#include "compare.h"
#include "io.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XA_STAGES_MAX 4096 /* stage files in one folder */
#define XA_STAGES_MAX_SAMPLES 1000000
#define XA_MANIFEST_MAX_BYTES (16u << 20)

typedef enum xa_stage_status {
    XA_STAGE_ALIGNED = 0,
    XA_STAGE_UNALIGNED = 1,
    XA_STAGE_MISSING_REF = 2,
    XA_STAGE_MISSING_PORT = 3,
    XA_STAGE_SHAPE_MISMATCH = 4,
    XA_STAGE_ERROR = 5,
} xa_stage_status;
XA_API const char *xa_stage_status_name(xa_stage_status s); /* "aligned", "missing_ref", ... */

/* ---- manifest ------------------------------------------------------------------------------ */
/* The original's operation of a stage, replayed on the port's input (docs/stages.md). */
typedef struct xa_stage_op {
    xa_op *op;       /* a registered operation with its parameters (registry.h); NULL: none */
    char input[256]; /* the port dump to feed: stage name, or a path; "" = previous stage */
    char text[256];  /* "resize method=pil-bilinear size=224x224" */
} xa_stage_op;

typedef struct xa_manifest_stage {
    char name[128];
    int has_tol;
    xa_tolerance tol;
    int topk;           /* > 0: a logits stage; report top-k agreement */
    char ref_spec[512]; /* raw dump spec overriding the file lookup (PATH:DTYPE:SHAPE), "" */
    char port_spec[512];
    xa_stage_op op;
} xa_manifest_stage;

typedef struct xa_manifest {
    xa_tolerance defaults; /* active == 0: dtype defaults */
    size_t nstages;
    xa_manifest_stage *stages;
} xa_manifest;

XA_API xa_status xa_manifest_load(const char *path, xa_manifest *out, xa_error *err);
XA_API xa_status xa_manifest_parse(const char *json, size_t len, xa_manifest *out, xa_error *err);
XA_API void xa_manifest_clear(xa_manifest *m);

/* ---- one sample ---------------------------------------------------------------------------- */
typedef struct xa_stage_tensor {
    char *name; /* npz member name; "" for a single tensor */
    xa_stage_status status;
    xa_dtype ref_dtype, port_dtype;
    int ref_rank, port_rank;
    int64_t ref_shape[XA_MAX_RANK], port_shape[XA_MAX_RANK];
    int has_cmp;
    xa_cmp_result cmp; /* metrics of the values in storage order */
    size_t nperms;     /* shape mismatch: permutations of the port that fit */
    xa_permutation perms[8];
    int perm_aligned[8];
    double perm_max_abs[8];
    char *error;
} xa_stage_tensor;

typedef struct xa_topk {
    int k;
    int64_t ref_idx[16], port_idx[16];
    double ref_score[16], port_score[16];
    int overlap; /* |top-k(ref) ∩ top-k(port)| */
    int top1_equal;
    double top1_score_diff; /* port's score at ref's top-1 minus ref's */
} xa_topk;

typedef struct xa_stage_result {
    char *name;
    int ref_order, port_order; /* NN of each side, -1 when missing */
    char *ref_path, *port_path;
    xa_stage_status status; /* the worst of its tensors */
    size_t ntensors;
    xa_stage_tensor *tensors;
    size_t nunmatched; /* npz members present on one side only: "ref:NAME" "port:NAME" */
    char **unmatched;
    int inherited; /* 1: after the first unaligned stage (may be inherited error) */
    int has_own;   /* the original's op was replayed on the port's input */
    xa_stage_status own_status;
    xa_cmp_result own; /* replayed output vs the port's output: the stage's own error */
    char *own_desc;    /* "pil-bilinear 224x224 on port 01_resize" */
    int has_topk;
    xa_topk topk;
    char *error;
} xa_stage_result;

typedef struct xa_stages_report {
    size_t nstages;
    xa_stage_result *stages;
    long first_unaligned; /* index into stages, -1 if every stage is aligned */
} xa_stages_report;

typedef struct xa_stages_options {
    const xa_manifest *manifest; /* may be NULL */
    xa_tolerance tol;            /* default tolerance (manifest stages override) */
    int threads;                 /* comparison threads per stage; 0: all */
    /* with a bmodel, a stage's raw dump given without a dtype ("port": "output_ref_data.dat.bmrt",
     * optionally "#NAME") is a BMRT dump split into the model's named tensors (docs/bmodel.md) */
    const xa_bmodel *bmodel;
    /* dataset runs: called after each sample, from worker threads (must be thread-safe) */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} xa_stages_options;

XA_API xa_status xa_stages_run(const char *ref_dir, const char *port_dir,
                               const xa_stages_options *opt, xa_stages_report *out, xa_error *err);
XA_API void xa_stages_report_clear(xa_stages_report *r);
/* Exit code rule: 0 when every stage is aligned, else 1. */
XA_API int xa_stages_all_aligned(const xa_stages_report *r);

/* ---- datasets: one sub-folder per sample ----------------------------------------------------- */
/* 1 if `dir` holds per-sample sub-folders (and no NN_name stage files of its own). */
XA_API int xa_stages_is_dataset(const char *dir);

typedef struct xa_dataset_stage {
    char *name;
    size_t samples, unaligned, missing, errors;
    double worst_max_abs; /* over samples */
    char *worst_sample;
} xa_dataset_stage;

typedef struct xa_dataset_report {
    size_t nsamples;
    char **samples;            /* sample folder names, sorted */
    xa_stages_report *reports; /* one per sample */
    size_t nstages;
    xa_dataset_stage *stages; /* per stage name, in stage order */
    size_t unaligned_samples;
} xa_dataset_report;

XA_API xa_status xa_dataset_run(const char *ref_dir, const char *port_dir,
                                const xa_stages_options *opt, int parallel, xa_dataset_report *out,
                                xa_error *err);
XA_API void xa_dataset_report_clear(xa_dataset_report *r);

#ifdef __cplusplus
}
#endif
#endif
