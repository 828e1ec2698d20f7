/* xalign report: text and JSON renderings of results. Strings are malloc'd; free with xa_free. */
#ifndef XALIGN_REPORT_H
#define XALIGN_REPORT_H

#include "compare.h"
#include "stages.h"
#include "io.h"
#include "ops.h"
#include "registry.h"
#include "diagnose.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Describe a tensor as it was loaded: spec, dtype, shape, order, byte order, size. */
typedef struct xa_tensor_info {
    const char *spec;
    const xa_tensor *tensor;
} xa_tensor_info;

/* Summary statistics of one tensor (one pass): min/max/mean over finite values, NaN/Inf counts. */
typedef struct xa_stats {
    int64_t count, finite, nan, inf;
    double min, max, mean, sum;
} xa_stats;
XA_API xa_status xa_tensor_stats(const xa_tensor *t, xa_stats *out, xa_error *err);

/* `xalign info` output for one tensor. */
XA_API char *xa_report_info_text(const xa_tensor_info *ti, const xa_stats *st);
XA_API char *xa_report_info_json(const xa_tensor_info *ti, const xa_stats *st);

/* `xalign compare` output. `perms`/`perm_results` list the permutation analysis of a shape
 * mismatch (may be 0/NULL). `shape_mismatch`: the shapes differ (same element count). */
typedef struct xa_compare_report {
    xa_tensor_info ref, port;
    const xa_cmp_result *result; /* comparison of the flat element sequences */
    int shape_mismatch;
    size_t nperms;
    const xa_permutation *perms;
    const xa_cmp_result *perm_results;
} xa_compare_report;
XA_API char *xa_report_compare_text(const xa_compare_report *r);
XA_API char *xa_report_compare_json(const xa_compare_report *r);

/* `xalign stages` output: one line per stage in the seed's style, then the first unaligned stage.
 */
XA_API char *xa_report_stages_text(const xa_stages_report *r, const char *ref_dir,
                                   const char *port_dir);
XA_API char *xa_report_stages_json(const xa_stages_report *r);
XA_API char *xa_report_dataset_text(const xa_dataset_report *r, const char *ref_dir,
                                    const char *port_dir);
XA_API char *xa_report_dataset_json(const xa_dataset_report *r);
/* `xalign info` output for a bmodel: the text follows `tpu_model --info` (libsophon
 * tpu-bmodel/tools/tpu_model.cpp, show()) after a first line naming `spec`, plus each stage's
 * BMRT dump sizes; the JSON object holds every field xa_bmodel reads. */
XA_API char *xa_report_bmodel_text(const char *spec, const xa_bmodel *m);
XA_API char *xa_report_bmodel_json(const char *spec, const xa_bmodel *m);
/* `xalign transform` / `resize --json`: the operation with its parameters (all, defaults
 * included), the input and output tensors, and the geometry when the operation has one. */
typedef struct xa_op_report {
    const xa_op *op; /* after xa_op_run: its note is included */
    const char *in_spec;
    const xa_tensor *in;
    const char *out_path;
    const xa_tensor *out;
    const xa_letterbox_geom *geometry; /* may be NULL */
} xa_op_report;
XA_API char *xa_report_op_json(const xa_op_report *r);
/* `xalign ops --json`: every registered operation with its parameters, defaults and choices. */
XA_API char *xa_report_ops_json(void);
/* `xalign transform --geometry-only`: letterbox geometries (a JSON array of objects with the
 * xa_letterbox_geom fields; text: one line each) and torchvision Resize sizes ([w, h] pairs). */
XA_API char *xa_report_letterbox_json(const xa_letterbox_geom *g, size_t n);
XA_API char *xa_report_letterbox_text(const xa_letterbox_geom *g, size_t n);
XA_API char *xa_report_sizes_json(const int64_t *wh, size_t n);
/* `xalign decode` output: what was decoded, how, and into what. */
typedef struct xa_decode_report {
    const char *input, *output; /* paths (output may be NULL) */
    const xa_decode_options *options;
    const xa_decode_info *info;
    const xa_tensor *tensor;
} xa_decode_report;
XA_API char *xa_report_decode_text(const xa_decode_report *r);
XA_API char *xa_report_decode_json(const xa_decode_report *r);

/* `xalign diagnose`: the comparison of the two tensors, then the diagnosis. */
XA_API char *xa_report_diagnose_text(const xa_compare_report *r, const xa_diagnosis *d);
XA_API char *xa_report_diagnose_json(const xa_compare_report *r, const xa_diagnosis *d);

/* `xalign preprocess --json`: the recipe, the decoder settings (may be NULL), the step lines of
 * xa_recipe_run's log, and the output tensor's dtype and shape. */
XA_API char *xa_report_recipe_json(const char *recipe, const char *decoder_settings,
                                   const char *log, const xa_tensor *out);

#ifdef __cplusplus
}
#endif
#endif
