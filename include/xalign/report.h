/* xalign report: text and JSON renderings of results. Strings are malloc'd; free with xa_free. */
#ifndef XALIGN_REPORT_H
#define XALIGN_REPORT_H

#include "compare.h"
#include "stages.h"
#include "io.h"
#include "ops.h"
#include "registry.h"
#include "diagnose.h"
#include "nms.h"

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
    const xa_tol_rule *rule; /* where the tolerance came from (may be NULL) */
    const char *note;        /* a line about how the tensors were read (may be NULL) */
} xa_compare_report;
XA_API char *xa_report_compare_text(const xa_compare_report *r);
XA_API char *xa_report_compare_json(const xa_compare_report *r);

/* `xalign compare` on multi-member files: one line per member in the reference's order (status,
 * name, dtype, shape, the verdict naming the metric that decided it with its value, max_abs,
 * cosine, euclid_sim, and the tolerance rule), the summary ("187/200 aligned; first unaligned:
 * NAME"), members on one side only, and a better pairing when one was found. JSON:
 * {"schema": "xalign.compare-members/1", "members": [...], "first_unaligned": NAME|null, ...}. */
XA_API char *xa_report_members_text(const xa_members_report *r, const char *ref_label,
                                    const char *port_label);
XA_API char *xa_report_members_json(const xa_members_report *r, const char *ref_label,
                                    const char *port_label);
/* `xalign info` on a multi-member file: one line per member and totals. `stats` may be NULL
 * (not computed). The JSON form is one object per member (an element of info's array). */
typedef struct xa_listing_entry {
    const char *name;
    xa_member_info info;
    const xa_stats *stats;
} xa_listing_entry;
XA_API char *xa_report_listing_text(const char *spec, xa_multi_kind kind, size_t n,
                                    const xa_listing_entry *e);
XA_API char *xa_report_listing_json(const char *spec, size_t index, const xa_listing_entry *e);

/* `xalign stages` output: one line per stage in the seed's style, then the first unaligned stage.
 */
XA_API char *xa_report_stages_text(const xa_stages_report *r, const char *ref_dir,
                                   const char *port_dir);
XA_API char *xa_report_stages_json(const xa_stages_report *r);
XA_API char *xa_report_dataset_text(const xa_dataset_report *r, const char *ref_dir,
                                    const char *port_dir);
XA_API char *xa_report_dataset_json(const xa_dataset_report *r);
/* The dataset text from its JSON (as xa_report_dataset_text prints it); NULL for bad JSON. */
XA_API char *xa_report_dataset_text_json(const char *json);
/* `xalign merge`: the JSON of a whole dataset run from the JSON of its shards (`stages --shard
 * K/N --json`), identical to one run over every sample. Every shard 0..N-1 exactly once, run the
 * same way (xalign version, manifest, tolerance, diagnosis, folders), no sample twice; otherwise
 * XA_EINVAL/XA_EFORMAT naming the part (names[i], may be NULL). *aligned (may be NULL): every
 * sample aligned, the exit code's rule. */
XA_API xa_status xa_report_merge(const char *const *parts, const char *const *names, size_t n,
                                 char **merged, int *aligned, xa_error *err);
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

/* `xalign diagnose`: the comparison of the two tensors, then the diagnosis. With r->result NULL
 * (element counts that differ: nothing to compare element by element) the two tensors are
 * described and the diagnosis follows; the JSON's "compare" then holds only "ref", "port" and
 * "element_counts_differ": true. */
XA_API char *xa_report_diagnose_text(const xa_compare_report *r, const xa_diagnosis *d);
XA_API char *xa_report_diagnose_json(const xa_compare_report *r, const xa_diagnosis *d);

/* ---- the HTML report (docs/report.md) ------------------------------------------------------
 * One self-contained page from the JSON of a run (xalign.stages/1, xalign.dataset/1 or
 * xalign.compare/1): verdicts, metrics, diagnosis and, for image-like tensors, the reference,
 * the port and the |difference| heatmap drawn from the dumps the JSON names (paths relative to
 * its ref_dir / port_dir), with the colour scale and a histogram. Pictures: the unaligned stages
 * of a run (every stage when none is), a dataset's samples' first unaligned stage. Tensors longer
 * than max_side are drawn downsampled by an integer factor, stated on the page. Pictures are
 * added while the page stays within max_bytes (a dataset's worst samples first, then page order;
 * the text is always whole), and the page says what it left out. *html is freed with xa_free. */
#define XA_HTML_DEFAULT_BUDGET 5000000 /* bytes: the page stays under 5 MB */
typedef struct xa_html_options {
    int64_t max_side;        /* 0: 256 (a dataset's sample sections use half) */
    const char *title;       /* NULL: the kind of run */
    const xa_bmodel *bmodel; /* splits raw BMRT dumps named without a dtype, as the run did */
    int64_t max_bytes;       /* 0: XA_HTML_DEFAULT_BUDGET */
} xa_html_options;
XA_API xa_status xa_report_html(const char *json, const xa_html_options *o, char **html,
                                xa_error *err);

/* ---- one call each, for bindings and scripts ----------------------------------------------
 * Options are "key=value ..." text (one per line when a value holds spaces): the tolerance keys of
 * xa_tolerance_set (atol, rtol, max-abs, min-cosine, min-euclid, min-sqnr, equal, preset) and axis,
 * threads, jobs, diagnose, manifest, bmodel where they apply. *json receives the object the command
 * line's --json prints (free with xa_free). */
XA_API xa_status xa_compare_to_json(const xa_tensor *ref, const xa_tensor *port,
                                    const char *options, char **json, xa_error *err);
XA_API xa_status xa_stages_to_json(const char *ref_dir, const char *port_dir, const char *options,
                                   char **json, xa_error *err);
XA_API xa_status xa_diagnose_to_json(const xa_tensor *ref, const xa_tensor *port,
                                     const xa_tensor *ref_in, const xa_tensor *port_in,
                                     const char *image, const char *options, char **json,
                                     xa_error *err);

/* `xalign preprocess --json`: the recipe, the decoder settings (may be NULL), the step lines of
 * xa_recipe_run's log, and the output tensor's dtype and shape. */
XA_API char *xa_report_recipe_json(const char *recipe, const char *decoder_settings,
                                   const char *log, const xa_tensor *out);

/* ---- heatmap of |port - ref| (docs/heatmap.md) ------------------------------------------------
 * One pixel per spatial element of an image-like tensor: H x W, H x W x C, C x H x W,
 * 1 x C x H x W or 1 x H x W x C. Per element, d = 0 where the values are equal (NaN and NaN,
 * equal infinities included), otherwise |port - ref| in double; a pixel's value v is d of the
 * chosen channel, or the maximum over the channels (not finite if any channel's is not). Colour:
 *   v == 0          XA_HEATMAP_EXACT_RGB (black): exact agreement
 *   v not finite    XA_HEATMAP_NONFINITE_RGB (magenta): NaN/Inf on one side, or differing
 *                   infinities
 *   otherwise       entry k of a 256-colour perceptual map (xa_heatmap_color), k from the scale:
 *     abs  k = floor(v / max * 255)                              (max = largest finite v)
 *     log  k = floor((log(v) - log(min)) / (log(max) - log(min)) * 255), clamped to 0..255
 *          (min = smallest nonzero finite v; k = 255 for every v when min == max)
 * computed in double in this order of operations, so numpy (and math.log) reproduce it. */
typedef enum xa_heatmap_scale { XA_HEATMAP_ABS = 0, XA_HEATMAP_LOG = 1 } xa_heatmap_scale;
#define XA_HEATMAP_GUESS_LAYOUT (-1) /* xa_heatmap_options.layout: last axis <= 4 is HWC */
typedef struct xa_heatmap_options {
    xa_heatmap_scale scale;
    int layout;      /* XA_LAYOUT_HWC, XA_LAYOUT_CHW or XA_HEATMAP_GUESS_LAYOUT */
    int64_t channel; /* -1: maximum over the channels; otherwise that channel */
    int64_t block;   /* > 1: downsampled, each output pixel the largest value of block x block
                        input pixels (a NaN/Inf on one side wins); 0 or 1: full resolution */
} xa_heatmap_options;
XA_API void xa_heatmap_options_init(xa_heatmap_options *o); /* abs, guessed layout, max */

typedef struct xa_heatmap_info {
    xa_heatmap_scale scale;
    xa_layout layout;   /* resolved */
    int layout_guessed; /* 1: from the shape */
    int batch;          /* 1: the shape had a leading axis of 1 (NCHW / NHWC) */
    int64_t height, width, channels;
    int64_t channel;                  /* as requested: -1 for the maximum over channels */
    double max;                       /* largest finite v; 0 when every pixel is exact */
    double min_nonzero;               /* smallest nonzero finite v; 0 when there is none */
    int64_t pixels, exact, nonfinite; /* counts of pixels (at full resolution) */
    int64_t block;                    /* the downsampling factor used (1: none) */
} xa_heatmap_info;

#define XA_HEATMAP_EXACT_RGB                                                                       \
    { 0, 0, 0 }
#define XA_HEATMAP_NONFINITE_RGB                                                                   \
    { 255, 0, 255 }
/* Colour k (0..255) of the map: a helix in OKLCh, lightness 0.40 -> 0.95, hue 290 -> 100 deg
 * (violet, blue, cyan, green, yellow), chroma 0.10 (scripts/heatmap_colormap.py). k outside
 * 0..255 is clamped. */
XA_API void xa_heatmap_color(int k, uint8_t rgb[3]);
/* The smallest v that gets colour k (the scale's numbers: k = 0 .. 255); on the abs scale k = 0
 * gives 0, the bound from above: every v > 0 below the next step gets colour 0, v = 0 is black. */
XA_API double xa_heatmap_value(const xa_heatmap_info *info, int k);

/* The heatmap as a new H x W x 3 uint8 RGB tensor (xa_png_save writes it). ref and port have
 * the same shape and any dtypes. `o` may be NULL (defaults); `info` may be NULL. */
XA_API xa_status xa_heatmap_new(const xa_tensor *ref, const xa_tensor *port,
                                const xa_heatmap_options *o, xa_tensor **out, xa_heatmap_info *info,
                                xa_error *err);

/* `xalign heatmap` output: what was drawn, the scale's numbers, and compare's verdict. */
typedef struct xa_heatmap_report {
    xa_tensor_info ref, port;
    const char *output; /* the PNG's path (may be NULL) */
    const xa_heatmap_info *info;
    const xa_cmp_result *result; /* the comparison of the whole tensors */
} xa_heatmap_report;
XA_API char *xa_report_heatmap_text(const xa_heatmap_report *r);
XA_API char *xa_report_heatmap_json(const xa_heatmap_report *r);
/* `xalign nms`: one NMS variant's kept indices, or two variants side by side with the boxes they
 * disagree on (the decisions say why each side kept or dropped them). */
typedef struct xa_nms_run {
    const char *like;           /* "torchvision", "cv2": names the variant in text and JSON */
    const char *call;           /* the call as its user writes it, with the values in force */
    const xa_tensor *keep;      /* int64 [K] */
    const xa_nms_decision *why; /* N entries, or NULL */
} xa_nms_run;
typedef struct xa_nms_report {
    const char *input;    /* what the boxes are ("boxes.npy: 6 boxes, float32 x1, y1, x2, y2") */
    int64_t n;            /* boxes */
    const double *scores; /* N scores as given (for the disagreement lines), or NULL */
    xa_nms_run a, b;      /* b.keep NULL: a single run */
} xa_nms_report;
XA_API char *xa_report_nms_text(const xa_nms_report *r);
XA_API char *xa_report_nms_json(const xa_nms_report *r);
/* Number of boxes the two runs of a comparison treat differently (kept by one only), and
 * whether the kept lists are equal element for element (same boxes, same order). */
XA_API int64_t xa_nms_disagreements(const xa_nms_report *r, int *same_order);
/* `xalign nms --like yolov5`: the detections of each of `nimages` images, from the [M, 7] rows
 * of xa_yolov5_nms. `call` as in xa_nms_run. */
XA_API char *xa_report_yolov5_nms_text(const char *call, const xa_tensor *dets, int64_t nimages);
XA_API char *xa_report_yolov5_nms_json(const xa_tensor *dets, int64_t nimages);

#ifdef __cplusplus
}
#endif
#endif
