/* xalign results: detections and classification results of whole programs, COCO results and
 * ground-truth files, COCO JSON writing with the seed's rounding, detection-aware comparison and
 * a COCOeval (bbox) that follows pycocotools' rules. See docs/results.md.
 *
 * Layers: the readers and writers are io (src/io/json_reader.c, coco_read.c, dets_read.c,
 * cls_read.c, coco_write.c), the comparison and COCOeval are compare (src/compare/results.c,
 * cocoeval.c), the renderings are report (src/report/results_report.c).
 */
#ifndef XALIGN_RESULTS_H
#define XALIGN_RESULTS_H

#include "core.h"
#include "nms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits of the JSON reader ----------------------------------------------------------------
 * Every JSON file xalign reads goes through one bounded pull parser (no DOM: the file is mapped
 * and walked once). A file that breaks a limit is refused with XA_ELIMIT and a message naming the
 * limit, the byte offset and the line. */
typedef struct xa_json_limits {
    uint64_t max_bytes;    /* size of the whole file (default 4 GiB) */
    int max_depth;         /* nesting of arrays and objects (default 64; COCO needs 5) */
    size_t max_string;     /* bytes of one string once unescaped (default 16 MiB: crowd RLEs) */
    uint64_t max_elements; /* elements of one array or members of one object (default 2^28) */
} xa_json_limits;
XA_API void xa_json_limits_init(xa_json_limits *lim);

/* ---- detections -------------------------------------------------------------------------------
 */
/* xa_box_format (XA_BOX_XYXY: x1, y1, x2, y2 -- torchvision's and YOLOv5's rows; XA_BOX_XYWH:
 * x, y, w, h -- COCO's bbox) is nms.h's. */

/* One image of a detection set. Its key (how two sets are joined) is the numeric id when it has
 * one (a COCO image_id, or a file name of digits as YOLOv5's int(path.stem)), else the name. */
typedef struct xa_det_image {
    int has_id;
    int64_t id;
    char *name; /* file stem or string image_id; NULL for numeric JSON ids */
} xa_det_image;

typedef struct xa_det {
    size_t image;        /* index into xa_dets.images */
    int64_t category_id; /* COCO category id, or a tensor's class index */
    double box[4];       /* in xa_dets.format */
    double score;
} xa_det;

typedef enum xa_dets_source {
    XA_DETS_COCO_JSON = 0, /* a COCO results file: a JSON list of objects */
    XA_DETS_NPY = 1,       /* .npy files, one per image ([N, 6] rows) */
    XA_DETS_TENSOR = 2,    /* built from a tensor by the caller */
} xa_dets_source;

typedef struct xa_dets {
    xa_dets_source source;
    xa_box_format format;
    size_t count; /* detections, in file order (a COCO results entry i has pycocotools id i+1) */
    xa_det *items;
    size_t nimages; /* images the source names: JSON ids in order of first appearance, or every
                       file of a folder (an empty file is an image without detections) */
    xa_det_image *images;
} xa_dets;

/* Limits of the detection readers. */
#define XA_DETS_MAX_FILES (1u << 22) /* .npy files in one folder */
#define XA_DETS_MAX_COUNT ((size_t)1 << 28)

/* A COCO results file: [{"image_id", "category_id", "bbox": [x, y, w, h], "score"}, ...].
 * Other keys are skipped. A missing key, a bbox that is not 4 numbers, a negative width or
 * height, a non-finite value or a non-integer id is an error naming the entry (index and
 * image_id), the byte offset and the line. `lim` may be NULL (defaults). */
XA_API xa_status xa_coco_results_load(const char *path, const xa_json_limits *lim, xa_dets **out,
                                      xa_error *err);
XA_API xa_status xa_coco_results_parse(const void *buf, size_t size, const char *name,
                                       const xa_json_limits *lim, xa_dets **out, xa_error *err);

/* Detection tensors: rows [x1, y1, x2, y2, score, class] (XA_BOX_XYXY) or [x, y, w, h, score,
 * class] (XA_BOX_XYWH), any real dtype, shape [N, 6] or [1, N, 6] (N may be 0); columns past
 * the sixth are refused. The class must be a whole number >= 0; scores finite; no negative
 * width or height. `path` is an .npy file (one image, keyed by its file name) or a folder of
 * them (every *.npy, sorted by name; two files of one key, 139.npy and 000000000139.npy, are an
 * error naming both). */
XA_API xa_status xa_dets_load_npy(const char *path, xa_box_format format, xa_dets **out,
                                  xa_error *err);
/* One image from a tensor already loaded (a stage dump): `name` keys the image (digits -> id). */
XA_API xa_status xa_dets_from_tensor(const xa_tensor *t, xa_box_format format, const char *name,
                                     xa_dets **out, xa_error *err);
/* A COCO results JSON file, an .npy file or a folder of .npy files, told apart by content. */
XA_API xa_status xa_dets_load(const char *path, xa_box_format npy_format, xa_dets **out,
                              xa_error *err);
XA_API void xa_dets_free(xa_dets *d);

/* The 80 -> 91 category ids of COCO (YOLOv5's coco80_to_coco91_class): class 0..79 -> 1..90
 * with the gaps of COCO's 91 ids; -1 for any other class. */
XA_API int xa_coco80_to_91(int64_t cls);

/* ---- COCO ground truth ------------------------------------------------------------------------
 */
typedef struct xa_coco_image {
    int64_t id;
    int64_t width, height; /* -1 when absent */
} xa_coco_image;
typedef struct xa_coco_ann {
    int64_t id, image_id, category_id;
    double bbox[4]; /* x, y, w, h */
    double area;    /* the file's "area" (a segment's area for COCO, not w*h) */
    int iscrowd;
} xa_coco_ann;
typedef struct xa_coco_category {
    int64_t id;
    char *name; /* "" when absent */
} xa_coco_category;
typedef struct xa_coco_gt {
    size_t nimages, nanns, ncats;
    xa_coco_image *images;
    xa_coco_ann *anns;
    xa_coco_category *cats;
    size_t anns_unknown_category; /* annotations whose category is not listed (pycocotools
                                     evaluates without them; so does xalign) */
} xa_coco_gt;
/* instances.json: "images" (required: a file without it is not a ground truth), "annotations"
 * with id, image_id, category_id, bbox, area, iscrowd (all required, as pycocotools reads them),
 * "categories" (required, as pycocotools' loadRes copies it; [] allowed). Unknown image ids,
 * duplicate image, category or annotation ids (pycocotools would evaluate the last annotation of
 * an id in place of the others), negative sizes or areas and iscrowd other than 0/1 are errors
 * naming the entry. */
XA_API xa_status xa_coco_gt_load(const char *path, const xa_json_limits *lim, xa_coco_gt **out,
                                 xa_error *err);
XA_API xa_status xa_coco_gt_parse(const void *buf, size_t size, const char *name,
                                  const xa_json_limits *lim, xa_coco_gt **out, xa_error *err);
XA_API void xa_coco_gt_free(xa_coco_gt *gt);

/* ---- classification results ------------------------------------------------------------------
 * CSV lines `file,top1,score[,c2,c3,c4,c5]` (an optional header line; after the score either the
 * remaining top-5 classes or the whole top-5 list starting with top1) or JSON lines
 * `{"file": ..., "top1": ..., "score": ..., "top5": [...]}` ("top5" optional, starts with top1). */
#define XA_CLS_TOPK 5
typedef struct xa_cls_entry {
    char *file;
    int64_t top[XA_CLS_TOPK]; /* top[0] is top-1 */
    int ntop;                 /* 1..5 */
    double score;             /* top-1 score */
} xa_cls_entry;
typedef struct xa_cls_results {
    size_t count;
    xa_cls_entry *items;
} xa_cls_results;
XA_API xa_status xa_cls_results_load(const char *path, const xa_json_limits *lim,
                                     xa_cls_results **out, xa_error *err);
XA_API xa_status xa_cls_results_parse(const void *buf, size_t size, const char *name,
                                      const xa_json_limits *lim, xa_cls_results **out,
                                      xa_error *err);
XA_API void xa_cls_results_free(xa_cls_results *r);

/* ---- COCO results JSON writing ----------------------------------------------------------------
 */
/* Python's round(x, ndigits) on a double: the exact binary value rounded to ndigits decimals,
 * half to even (CPython float.__round__: _Py_dg_dtoa mode 3, then back with _Py_dg_strtod).
 * round(2.675, 2) is 2.67 because 2.675 is stored as 2.67499999999999982236431605997495353221893.
 * Non-finite x and ndigits > 323 return x. */
XA_API double xa_py_round(double x, int ndigits);
/* Python's repr(x) (float.__repr__, what json.dumps writes): the shortest string that reads back
 * as x, fixed notation for 1e-4 <= |x| < 1e16 ("0.1", "3.0"), else "1e-05", "1.5e+16".
 * Non-finite: "NaN", "Infinity", "-Infinity" (json.dumps's spelling). Returns the length. */
#define XA_PY_REPR_SIZE 32
XA_API size_t xa_py_repr(double x, char buf[XA_PY_REPR_SIZE]);

typedef enum xa_xyxy_to_xywh {
    XA_XYWH_SEED = 0,   /* the seed: [x1, y1, x2 - x1, y2 - y1] in double (Python floats) */
    XA_XYWH_YOLOV5 = 1, /* YOLOv5 save_one_json: xyxy2xywh then xy -= wh / 2, in float32 */
} xa_xyxy_to_xywh;
typedef enum xa_category_map {
    XA_CATEGORY_AS_IS = 0,  /* category_id = the class */
    XA_CATEGORY_COCO80 = 1, /* category_id = xa_coco80_to_91(class) */
} xa_category_map;
typedef struct xa_coco_write_options {
    int round;            /* 1: the seed's round(x, 3) for bbox and round(s, 5) for score */
    xa_xyxy_to_xywh xyxy; /* for XA_BOX_XYXY sets */
    xa_category_map categories;
} xa_coco_write_options;
XA_API void xa_coco_write_options_init(xa_coco_write_options *o); /* round, seed, coco80 */
/* The bytes Python's json.dump(list_of_dicts, f) writes for these detections, keys in YOLOv5's
 * order: [{"image_id": 42, "category_id": 18, "bbox": [258.15, 41.29, 348.26, 243.78], "score":
 * 0.236}, ...]. Images without a numeric id are written with their name as a string id (as
 * YOLOv5 does for non-numeric file names). `*out` is malloc'd (free with xa_free). */
XA_API xa_status xa_coco_results_encode(const xa_dets *d, const xa_coco_write_options *o,
                                        char **out, size_t *size, xa_error *err);
XA_API xa_status xa_coco_results_save(const char *path, const xa_dets *d,
                                      const xa_coco_write_options *o, xa_error *err);

/* Whether a results set was rounded as the seed does: every bbox value has at most 3 decimals
 * and every score at most 5 (xa_py_round(v, n) == v). */
typedef struct xa_rounding_check {
    size_t count;                          /* detections checked */
    size_t box_unrounded, score_unrounded; /* detections with a value not rounded */
    int rounded;                           /* 1: no such detection */
    int64_t first_entry;                   /* first offending detection, -1 if none */
    int first_field;                       /* 0..3 bbox[k], 4 score */
    double first_value;
} xa_rounding_check;
XA_API void xa_rounding_check_run(const xa_dets *d, xa_rounding_check *out);

/* ---- detection-aware comparison (compare layer) -----------------------------------------------
 */
/* The seed's rounding: round(x, 3) moves a box value by at most 0.0005 and round(s, 5) a score
 * by at most 0.000005; the slack covers the binary representation of the rounded values. */
#define XA_ROUND_BOX_TOL (0.0005 + 1e-9)
#define XA_ROUND_SCORE_TOL (0.000005 + 1e-12)

typedef struct xa_results_options {
    double iou;             /* pairs need IoU >= this (default 0.5) */
    double box_tol;         /* px; 0 (default): pairs must be equal or within the rounding */
    double score_tol;       /* likewise for scores */
    double score_threshold; /* < 0 (default): estimated as the lowest score either side kept */
    double nms_iou;         /* the NMS IoU threshold if known; < 0 (default): unknown */
    xa_category_map category_map; /* XA_CATEGORY_COCO80: .npy sides' classes to COCO ids */
    int pair_single; /* 1: each side is one image's detections (one .npy file each): their only
                        images are paired whatever their keys (each side must hold one image) */
} xa_results_options;
XA_API void xa_results_options_init(xa_results_options *o);

typedef enum xa_res_cause {
    XA_RES_CAUSE_NONE = 0,
    XA_RES_CAUSE_SCORE_THRESHOLD = 1, /* score within the observed score noise of the threshold;
                                         or, the threshold given, at or below it while the other
                                         side kept only scores at or above it, and above this one
                                         (in the image; in the whole set if it kept none there) */
    XA_RES_CAUSE_NMS_TIE = 2, /* each side kept another of two overlapping boxes of equal score */
    XA_RES_CAUSE_NMS = 3, /* suppressed on one side: the other kept an overlapping box of at least
                             its score (IoU over the NMS threshold, or >= 0.3 when not given) */
    XA_RES_CAUSE_UNEXPLAINED = 4,
} xa_res_cause;
#define XA_RES_CAUSE_COUNT 5
XA_API const char *xa_res_cause_name(xa_res_cause c); /* "score-threshold", "nms-tie", ... */

/* A detection found on one side only, with what explains it. */
typedef struct xa_res_unmatched {
    int port;   /* 0: only in REF, 1: only in PORT */
    size_t det; /* index into that side's items */
    xa_res_cause cause;
    double iou;       /* NMS causes: IoU with the other box; else the best IoU on the other side */
    double other;     /* NMS causes: the other box's score; threshold: the threshold used */
    size_t other_det; /* index of that box in the other side's items (SIZE_MAX if none) */
    /* the detection as compared: category after --category-map, box in the report's format */
    int64_t category_id;
    double box[4];
    /* score-threshold by the given threshold (not the noise): the other side's lowest kept
     * score, in this image (lowest_in_image 1) or in the whole set; NaN otherwise */
    double lowest_kept;
    int lowest_in_image;
} xa_res_unmatched;

typedef enum xa_res_status {
    XA_RES_EXACT = 0,      /* same detections, bit for bit */
    XA_RES_ROUNDING = 1,   /* matched one to one, every pair within the seed's rounding */
    XA_RES_WITHIN_TOL = 2, /* within the user's --box-tol/--score-tol */
    XA_RES_DIFFERS = 3,
} xa_res_status;

typedef struct xa_res_image {
    const xa_det_image *ref_image, *port_image; /* NULL when that side has no such image */
    xa_res_status status;
    size_t ref_count, port_count, matched, only_ref, only_port;
    size_t pairs_beyond;                 /* matched pairs beyond the tolerance */
    double max_box_diff, max_score_diff; /* over matched pairs; 0 if none */
    unsigned causes; /* bit (1 << xa_res_cause) for every cause of an unmatched detection */
    size_t first_unmatched, nunmatched; /* range in xa_results_report.unmatched */
} xa_res_image;

typedef struct xa_results_report {
    const xa_dets *ref, *port;
    xa_results_options options;
    xa_box_format format;   /* the format boxes were compared in */
    double score_threshold; /* used for the threshold cause (given or estimated) */
    size_t nimages;
    xa_res_image *images; /* in key order (ids ascending, then names) */
    size_t *worst;        /* nimages indices into images, worst first */
    size_t nunmatched;
    xa_res_unmatched *unmatched;
    /* summary */
    size_t exact, rounding, within_tol, differs;
    size_t matched, only_ref, only_port, pairs_beyond;
    size_t images_by_cause[XA_RES_CAUSE_COUNT]; /* differing images having a cause (an image can
                                               have several) */
    size_t images_numeric; /* differing images with matched pairs beyond the tolerance */
    double max_box_diff, max_score_diff;
    int aligned; /* 1: no image differs */
    xa_rounding_check ref_rounding, port_rounding;
} xa_results_report;

/* Match REF and PORT per image and category, greedy in descending REF score (ties in file
 * order): first each REF detection takes the unmatched PORT detection within the tolerance (the
 * same detection, rounded or not: tiny boxes lose their IoU to rounding) with the smallest box
 * difference, then each one left takes the unmatched PORT detection with the highest IoU >=
 * options->iou (ties: the closer score, then PORT's score order). Boxes are compared in the
 * sides' common format (XYWH when they differ). `opt` may be NULL. */
XA_API xa_status xa_results_compare(const xa_dets *ref, const xa_dets *port,
                                    const xa_results_options *opt, xa_results_report **out,
                                    xa_error *err);
XA_API void xa_results_report_free(xa_results_report *r);

/* Classification: files joined by name; top-1 and top-5 agreement and top-1 score differences. */
typedef struct xa_cls_file {
    const xa_cls_entry *ref, *port; /* NULL when only on one side */
    int top1_equal;
    int top5_overlap;    /* classes in both top-k lists */
    int top5_same_order; /* identical lists */
    double score_diff;   /* port - ref of the top-1 score */
    int aligned;         /* top-1 equal and |score_diff| <= the tolerance */
} xa_cls_file;
typedef struct xa_cls_report {
    size_t nfiles;
    xa_cls_file *files; /* by name */
    size_t *worst;
    size_t both, only_ref, only_port, top1_agree, top5_agree, aligned;
    int topk; /* the smaller top-k length of the two sides */
    double score_tol, max_score_diff, mean_abs_score_diff;
    int all_aligned;
} xa_cls_report;
/* score_tol < 0: the seed's XA_ROUND_SCORE_TOL. */
XA_API xa_status xa_cls_compare(const xa_cls_results *ref, const xa_cls_results *port,
                                double score_tol, xa_cls_report **out, xa_error *err);
XA_API void xa_cls_report_free(xa_cls_report *r);

/* ---- COCOeval (bbox) --------------------------------------------------------------------------
 * pycocotools' COCOeval(gt, dt, 'bbox').evaluate(); accumulate(); summarize() with the default
 * parameters; the rules are listed in docs/results.md. */
#define XA_COCO_T 10                                /* IoU thresholds 0.50:0.05:0.95 */
#define XA_COCO_R 101                               /* recall thresholds 0:0.01:1 */
#define XA_COCO_A 4                                 /* area ranges all, small, medium, large */
#define XA_COCO_M 3                                 /* maxDets 1, 10, 100 */
typedef struct xa_cocoeval_state xa_cocoeval_state; /* private: per image evaluations */
typedef struct xa_cocoeval {
    double stats[12]; /* AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl */
    double iou_thrs[XA_COCO_T], rec_thrs[XA_COCO_R];
    size_t ncats;
    const xa_coco_category *cats; /* the GT's categories, ids ascending (K = ncats) */
    double *precision;            /* [T][R][K][A][M], -1 where undefined */
    double *recall;               /* [T][K][A][M] */
    size_t nimages;
    size_t dets_used;             /* detections of the GT's images and categories */
    size_t dets_unknown_category; /* dropped: category not in the GT (as pycocotools) */
    xa_cocoeval_state *state;
} xa_cocoeval;
/* threads <= 0: xa_threads_get(). Detections whose image is not in the GT are an error
 * (pycocotools: "Results do not correspond to current coco set"), naming the entry. */
XA_API xa_status xa_cocoeval_run(const xa_coco_gt *gt, const xa_dets *dt, int threads,
                                 xa_cocoeval **out, xa_error *err);
XA_API void xa_cocoeval_free(xa_cocoeval *e);
/* The mean of precision[t, :, k, area 0, maxDets 100] > -1 over t (iou_index < 0: all ten
 * thresholds, else that one), as summarize() would for one category; -1 if none. */
XA_API double xa_cocoeval_category_ap(const xa_cocoeval *e, size_t k, int iou_index);
/* The summarize() line of stat i (0..11), without a newline. */
XA_API void xa_cocoeval_stat_line(const xa_cocoeval *e, int i, char *buf, size_t size);

/* What moves AP between two runs on the same GT. Categories: each category's AP in both runs.
 * Images: AP of run B with that one image's detections taken from run A, minus AP of run B,
 * computed exactly for the images whose matches changed most (at most `max_images`). */
typedef struct xa_cocoeval_mover {
    int is_image;
    int64_t id;   /* category id or image id */
    size_t index; /* category index or GT image index */
    double a, b;  /* categories: AP in A and B; images: AP of B with the image from A, AP B */
    double delta; /* categories: b - a; images: a - b (what fixing the image gains B) */
} xa_cocoeval_mover;
typedef struct xa_cocoeval_movers {
    size_t ncats, nimages;
    xa_cocoeval_mover *cats;   /* every category whose AP moved, largest |delta| first */
    xa_cocoeval_mover *images; /* largest |delta| first */
    size_t images_changed;     /* images whose detections differ between the runs */
    size_t images_checked;     /* of those, evaluated exactly */
} xa_cocoeval_movers;
XA_API xa_status xa_cocoeval_movers_new(const xa_coco_gt *gt, const xa_cocoeval *a,
                                        const xa_cocoeval *b, size_t max_images, int threads,
                                        xa_cocoeval_movers **out, xa_error *err);
XA_API void xa_cocoeval_movers_free(xa_cocoeval_movers *m);

/* ---- renderings (report layer) ----------------------------------------------------------------
 * Strings are malloc'd; free with xa_free. */
XA_API char *xa_report_results_text(const xa_results_report *r, const char *ref_path,
                                    const char *port_path, size_t max_images);
XA_API char *xa_report_results_json(const xa_results_report *r, const char *ref_path,
                                    const char *port_path);
XA_API char *xa_report_cls_text(const xa_cls_report *r, const char *ref_path, const char *port_path,
                                size_t max_files);
XA_API char *xa_report_cls_json(const xa_cls_report *r, const char *ref_path,
                                const char *port_path);
/* One run: pycocotools' summarize() lines; per_class adds a table of per-category AP. */
XA_API char *xa_report_cocoeval_text(const xa_cocoeval *e, int per_class);
/* Two runs (b may be NULL, movers may be NULL). */
XA_API char *xa_report_cocoeval_json(const xa_cocoeval *a, const char *a_path, const xa_cocoeval *b,
                                     const char *b_path, const xa_cocoeval_movers *m,
                                     int per_class);
XA_API char *xa_report_cocoeval_diff_text(const xa_cocoeval *a, const char *a_path,
                                          const xa_cocoeval *b, const char *b_path,
                                          const xa_cocoeval_movers *m, int per_class,
                                          size_t max_movers);
XA_API char *xa_report_rounding_text(const char *path, const xa_dets *d,
                                     const xa_rounding_check *c);
XA_API char *xa_report_rounding_json(const char *path, const xa_rounding_check *c);

#ifdef __cplusplus
}
#endif
#endif
