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
/* manifests: at most xa_limits.manifest_bytes (XA_MANIFEST_MAX_BYTES by default, core.h) */

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
    char input[256]; /* the port dump to feed: stage name, or a path; "" = previous stage.
                        "{sample}" in a path is the sample's folder name (xa_stages_options) */
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
    /* "tensor" (default): element by element; "detections": matched by IoU as detections
     * (xa_results_compare), what a .json results stage is; "boxes": box coordinates before NMS,
     * judged in pixels (max_abs <= 0.01 px unless a tolerance is given) */
    char kind[16];
    char box_format[8]; /* detections in .npy: "xyxy" (default) or "xywh" */
    /* "names": the names of a split dump's parts (#0, #1, ... in order), so they pair by name with
     * the other side's members without a .bmodel */
    int nnames;
    char names[16][128];
} xa_manifest_stage;

typedef struct xa_manifest {
    xa_tolerance defaults; /* active == 0: dtype defaults */
    size_t nstages;
    xa_manifest_stage *stages;
    uint64_t fingerprint; /* FNV-1a 64 of the manifest's bytes: shards of one run must agree */
} xa_manifest;

XA_API xa_status xa_manifest_load(const char *path, xa_manifest *out, xa_error *err);
/* With limits (NULL: the defaults): at most limits->manifest_bytes bytes. */
XA_API xa_status xa_manifest_load_ex(const char *path, const xa_limits *limits, xa_manifest *out,
                                     xa_error *err);
XA_API xa_status xa_manifest_parse(const char *json, size_t len, xa_manifest *out, xa_error *err);
XA_API void xa_manifest_clear(xa_manifest *m);

/* ---- one sample ---------------------------------------------------------------------------- */
typedef struct xa_stage_tensor {
    char *name; /* npz member name; "" for a single tensor */
    xa_stage_status status;
    xa_dtype ref_dtype, port_dtype;
    int ref_rank, port_rank;
    int64_t ref_shape[XA_MAX_RANK], port_shape[XA_MAX_RANK];
    xa_tol_rule rule; /* which tolerance decided: command line, tolerance file, manifest, dtype */
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

/* ---- diagnosis: the cause of a divergence (include/xalign/diagnose.h fills these) ------------ */
typedef enum xa_cause {
    XA_CAUSE_UNKNOWN = 0,       /* no hypothesis explains it: `evidence` says where the error is */
    XA_CAUSE_CHANNEL_ORDER = 1, /* BGR vs RGB, any channel permutation */
    XA_CAUSE_LAYOUT = 2,        /* NCHW vs NHWC, any axis permutation, batch axis */
    XA_CAUSE_NORMALIZATION = 3, /* mean/std, convert_to alpha/beta */
    XA_CAUSE_SCALE = 4,         /* a missing or extra /255 or input scale */
    XA_CAUSE_RESIZE_METHOD = 5,
    XA_CAUSE_DECODE_METHOD = 6,  /* cv2 vs PIL decode, EXIF orientation, decoder variants */
    XA_CAUSE_PADDING = 7,        /* letterbox pad value and placement */
    XA_CAUSE_SHIFT = 8,          /* a spatial offset: crop origin, CenterCrop rounding */
    XA_CAUSE_ROUNDING = 9,       /* differences of one unit: round vs truncate, float vs fixed */
    XA_CAUSE_SATURATION = 10,    /* uint8 wrap-around vs clipping */
    XA_CAUSE_OUTPUT_ORDER = 11,  /* multi-tensor stages that match under another pairing */
    XA_CAUSE_PRECISION = 12,     /* the error a lower dtype explains (f16, bf16, int8) */
    XA_CAUSE_MEMORY_FORMAT = 13, /* torch's channels-last kernel vs the contiguous one */
    XA_CAUSE_MANIFEST = 14,      /* the manifest's operation does not reproduce the original */
    XA_CAUSE_SWAPPED = 15,       /* REF and PORT given the other way round */
    XA_CAUSE_RESIZE_SIZE = 16,   /* a resize to another output size */
} xa_cause;
#define XA_CAUSE_COUNT 17
XA_API const char *xa_cause_name(xa_cause c); /* "channel_order", ... */

/* One tested hypothesis that explains (part of) a stage's difference. */
typedef struct xa_finding {
    xa_cause cause;
    double confidence;  /* [0, 1]: the share of the difference it explains */
    char evidence[768]; /* one sentence with the numbers */
    char summary[128];  /* a short label, the same for the same cause found the same way in
                           another sample ("port = cv2-linear, original = pil-bilinear"): what a
                           dataset report counts */
    /* the fix: what to change, and the registered operation (registry.h) with its parameters
     * that aligns the stage, replayed to verify it */
    char fix_text[512];
    char fix_op[32];      /* "" when no single registered operation expresses it */
    char fix_params[512]; /* "method=pil-bilinear size=224x224" */
    char fix_input[16];   /* what the fix runs on: "port_input" or "port_output" */
    int fix_verified;     /* the fix was replayed */
    double max_abs_after; /* its max_abs against the reference */
    int aligned_after;    /* ... and whether that passes the stage's tolerance */
    int input_differs;    /* the fix runs on the port's input, which already differs from the
                             reference's: what it leaves comes from the input */
} xa_finding;

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
    /* the tensors pair better in another order than by name: "p3 <- #2, p4 <- #1" */
    char *pairing;
    int dump_order; /* pairing: a split raw dump read in another order aligns every part */
    /* how a side was found when it was not named: a BMRT dump paired by its size */
    char *note;
    /* the original's operation replayed on the reference's own input (manifest op): does the
     * manifest describe the original? */
    int has_self;
    xa_stage_status self_status;
    xa_cmp_result self;
    /* a detections stage: both sides' detections and their matching (results.h) */
    struct xa_dets *det_ref, *det_port;
    struct xa_results_report *det_report;
    char *self_error; /* why the replay on the reference's input failed (self_status error) */
    /* diagnosis (xa_diagnose_stage_hook): causes best first; `diag_note` says why there are none
     * (aligned, inherits its error, not diagnosed) or adds a conclusion */
    int diagnosed;
    /* the stage only inherits its difference: 1 proven (one operation reproduces each side from
     * its own input), 2 presumed (its input differs and no cause of its own was found) */
    int diag_inherited;
    size_t nfindings;
    xa_finding *findings;
    char *diag_note;
} xa_stage_result;

typedef struct xa_stages_report {
    size_t nstages;
    xa_stage_result *stages;
    /* conclusions over the whole run (xa_diagnose_report): verdicts that cannot both be true,
     * REF and PORT swapped, names that differ by a typo; NULL-terminated lines, may be NULL */
    size_t nconclusions;
    char **conclusions;
    long first_unaligned;     /* index into stages, -1 if every stage is aligned */
    char *ref_dir, *port_dir; /* the folders compared (dump paths relative to them) */
} xa_stages_report;

/* What a stage hook sees while a stage's dumps are loaded: the tensors of each side, the previous
 * stage's (its input, NULL for the first stage or when unreadable), the manifest's stage, the
 * source image when a manifest decode names one, and the comparison options in force. */
typedef struct xa_stage_data {
    const xa_tensor_list *ref, *port;
    const xa_tensor_list *ref_in, *port_in;
    const char *ref_in_name, *port_in_name; /* the input stages' names */
    const xa_manifest_stage *manifest;      /* may be NULL */
    const char *image;                      /* may be NULL */
    const xa_cmp_options *cmp;
} xa_stage_data;
/* Called for every compared stage from the thread that ran it (dataset samples run in parallel:
 * a hook must be thread-safe); it may fill the result's diagnosis fields. */
typedef void (*xa_stage_hook)(void *ctx, xa_stage_result *s, const xa_stage_data *d);

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
    /* after each compared stage (diagnosis: xa_diagnose_stage_hook); may be NULL */
    xa_stage_hook after_stage;
    void *hook_ctx;
    /* per-tensor tolerances by name pattern (--tolerance-file); may be NULL */
    const xa_tolerance_file *tolerance_file;
    /* dataset runs: compare only the samples of shard k of n (0 <= k < n), assigned by the
     * FNV-1a 64 hash of the sample's name modulo n, so every shard of a run agrees; n = 0: all */
    int shard_k, shard_n;
    /* what "{sample}" in a manifest's "input" stands for; NULL: the name of REF_DIR's folder
     * (a dataset run sets each sample's) */
    const char *sample;
    /* limits on the stage dumps read (NULL: the defaults); `threads` also bounds the threads one
     * load may use (the CRC-32 of large .npz members) */
    const xa_limits *limits;
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
    /* what the run was, for merging shards: every part must have been run the same way */
    size_t samples_all; /* sample folders before sharding */
    int shard_k, shard_n;
    int has_manifest;
    uint64_t manifest_fingerprint;
    xa_tolerance tol; /* the run's tolerance options */
    int diagnosed;    /* a stage hook ran */
} xa_dataset_report;

/* FNV-1a 64 of n bytes: the hash of shard assignment and manifest fingerprints. */
XA_API uint64_t xa_fnv1a64(const void *p, size_t n);

XA_API xa_status xa_dataset_run(const char *ref_dir, const char *port_dir,
                                const xa_stages_options *opt, int parallel, xa_dataset_report *out,
                                xa_error *err);
XA_API void xa_dataset_report_clear(xa_dataset_report *r);

#ifdef __cplusplus
}
#endif
#endif
