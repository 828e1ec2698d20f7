/* xalign nms: non-maximum suppression exactly as torchvision, OpenCV and YOLOv5 do it.
 * Semantics, the upstream files each function reproduces, ties and the cases where the libraries
 * disagree: docs/postprocessing.md.
 *
 * Every function takes tensors and a small options struct and returns new tensors (caller frees):
 *   boxes  N x 4, scores N, idxs N (batched NMS: any integer dtype), any byte/memory order;
 *   kept indices: int64 tensor of shape [K], in the order the library returns them.
 * N is limited to XA_NMS_MAX_BOXES. The work is O(N * kept) IoU evaluations, as upstream.
 */
#ifndef XALIGN_NMS_H
#define XALIGN_NMS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limit on the number of boxes (and on B x N rows of a YOLOv5 prediction): 2^24. OpenCV indexes
 * boxes with int; the per-box working memory is about 40 bytes. */
#define XA_NMS_MAX_BOXES ((int64_t)1 << 24)

/* ---- torchvision 0.14: ops.nms and ops.batched_nms (CPU) --------------------------------------
 */
typedef enum xa_tv_batched_path {
    /* as batched_nms chooses on CPU: boxes.numel() > 4000 (more than 1000 boxes) takes the
     * per-class loop, otherwise the coordinate offset */
    XA_TV_BATCHED_AUTO = 0,
    XA_TV_BATCHED_OFFSET = 1,    /* _batched_nms_coordinate_trick */
    XA_TV_BATCHED_PER_CLASS = 2, /* _batched_nms_vanilla */
} xa_tv_batched_path;

typedef struct xa_tv_nms_opts {
    double iou_threshold;    /* a box is suppressed when IoU > iou_threshold (compared in double) */
    xa_tv_batched_path path; /* used only with idxs */
} xa_tv_nms_opts;
/* iou_threshold 0.5 (torchvision has no default), path AUTO. */
XA_API void xa_tv_nms_defaults(xa_tv_nms_opts *o);

/* torchvision.ops.nms(boxes, scores, iou) (idxs NULL) or batched_nms(boxes, scores, idxs, iou).
 * boxes x1, y1, x2, y2 and scores: float32, or float64 for both (computed in that dtype).
 * Processing order: scores descending, NaN first, equal scores by index (the CPU kernel sorts
 * with stable=true). The per-class path re-sorts the kept boxes with torch's non-stable sort
 * (libstdc++ std::sort), reproduced exactly. keep: int64 [K]. */
XA_API xa_status xa_tv_nms(const xa_tensor *boxes, const xa_tensor *scores, const xa_tensor *idxs,
                           const xa_tv_nms_opts *o, xa_tensor **keep, xa_error *err);
/* The path xa_tv_nms takes for n boxes with these options (never AUTO). */
XA_API xa_tv_batched_path xa_tv_batched_path_for(int64_t n, const xa_tv_nms_opts *o);

/* ---- OpenCV 4.6: cv2.dnn.NMSBoxes (Rect2d overload) -------------------------------------------
 */
typedef struct xa_cv_nms_opts {
    /* Python floats passed to the C++ float parameters: each is rounded to float first */
    double score_threshold; /* candidates need score > score_threshold (must be >= 0) */
    double nms_threshold;   /* kept when overlap <= threshold with every kept box (>= 0) */
    double eta;             /* > 0; below 1: threshold *= eta after each keep while > 0.5 */
    int64_t top_k;          /* > 0: only the top_k best candidates enter suppression */
} xa_cv_nms_opts;
/* score 0, nms 0.5 (OpenCV has no defaults for these two), eta 1, top_k 0. */
XA_API void xa_cv_nms_defaults(xa_cv_nms_opts *o);
/* cv2.dnn.NMSBoxes(bboxes, scores, score_threshold, nms_threshold, eta, top_k): boxes x, y, w, h
 * of any real or integer dtype (widened to double, as Rect2d holds them); scores rounded to float.
 * Two boxes whose areas sum to <= DBL_EPSILON have overlap 1 (they suppress each other). keep:
 * int64 [K] (Python gets int32), best score first. */
XA_API xa_status xa_cv_nms_boxes(const xa_tensor *boxes, const xa_tensor *scores,
                                 const xa_cv_nms_opts *o, xa_tensor **keep, xa_error *err);

/* ---- box formats ------------------------------------------------------------------------------
 */
typedef enum xa_box_format {
    XA_BOX_XYXY = 0, /* x1, y1, x2, y2 (torchvision, YOLOv5 output) */
    XA_BOX_XYWH = 1, /* x, y, w, h (cv2.dnn.NMSBoxes, COCO) */
} xa_box_format;
/* N x 4 boxes from one format to the other, in the boxes' dtype as numpy/torch compute it:
 * xywh -> xyxy is torchvision box_convert's (x, y, x + w, y + h); xyxy -> xywh is
 * (x1, y1, x2 - x1, y2 - y1). float32 stays float32; integer boxes become float64 (exact below
 * 2^53). The same format gives a copy. */
XA_API xa_status xa_boxes_convert(const xa_tensor *boxes, xa_box_format from, xa_box_format to,
                                  xa_tensor **out, xa_error *err);

/* ---- why each box was kept or dropped ---------------------------------------------------------
 */
typedef enum xa_nms_fate {
    XA_NMS_KEPT = 0,
    XA_NMS_SUPPRESSED = 1,  /* by a kept box with a higher place in the order */
    XA_NMS_BELOW_SCORE = 2, /* cv2: score <= score_threshold (or NaN) */
    XA_NMS_TOP_K = 3,       /* cv2: a candidate past top_k */
} xa_nms_fate;
typedef struct xa_nms_decision {
    xa_nms_fate fate;
    int64_t rank; /* place in the processing order (0 = first); -1 if the box never entered it */
    /* SUPPRESSED: the kept box that suppressed it and their overlap; KEPT: the earlier kept box
     * with the largest overlap (-1 and NaN when there is none). Overlap as the library computed
     * it (torchvision: float IoU; cv2: 1 - (float)jaccardDistance). */
    int64_t by;
    double overlap;
    double threshold; /* the threshold in force for this box: the NMS threshold (cv2's eta lowers
                         it), or for BELOW_SCORE the score threshold (as the float cv2 compares) */
} xa_nms_decision;
/* xa_tv_nms / xa_cv_nms_boxes that also fill why[i] for every box i (why: N entries). The
 * per-class batched path reports by/overlap within the box's class. */
XA_API xa_status xa_tv_nms_explain(const xa_tensor *boxes, const xa_tensor *scores,
                                   const xa_tensor *idxs, const xa_tv_nms_opts *o, xa_tensor **keep,
                                   xa_nms_decision *why, xa_error *err);
XA_API xa_status xa_cv_nms_boxes_explain(const xa_tensor *boxes, const xa_tensor *scores,
                                         const xa_cv_nms_opts *o, xa_tensor **keep,
                                         xa_nms_decision *why, xa_error *err);

/* ---- YOLOv5 v7.0 utils/general.py non_max_suppression ------------------------------------------
 */
#define XA_YOLOV5_MAX_WH 7680      /* max_wh: the class offset of batched NMS */
#define XA_YOLOV5_MAX_NMS 30000    /* max_nms: boxes into torchvision.ops.nms at most */
#define XA_YOLOV5_MAX_CLASSES 4096 /* limit on the `classes` filter list */
typedef struct xa_yolov5_nms_opts {
    double conf_thres; /* 0..1; compared in float32 as torch compares a float tensor */
    double iou_thres;  /* 0..1 */
    int agnostic;      /* 1: one class offset for all (class-agnostic NMS) */
    int multi_label;   /* 1: every class above conf_thres is a detection (needs >= 2 classes) */
    int64_t max_det;   /* detections per image at most */
    const int64_t *classes; /* keep only these classes (NULL: all, YOLOv5's classes=None) */
    int nclasses;
} xa_yolov5_nms_opts;
/* conf 0.25, iou 0.45, not agnostic, single label, max_det 300, all classes (YOLOv5's defaults;
 * detect.py uses max_det 1000, val.py conf 0.001, iou 0.6, multi_label). */
XA_API void xa_yolov5_nms_defaults(xa_yolov5_nms_opts *o);
/* pred: float32 B x N x (5 + nc) (or N x (5 + nc) as B = 1), rows cx, cy, w, h, obj, class
 * scores; nc >= 1. *out: a float32 [M, 7] tensor of every image's detections, image by image in
 * YOLOv5's order: rows (image, x1, y1, x2, y2, conf, cls), the image index as a float (exact: B is
 * at most 2^24), as YOLOv5's own output_to_target puts the batch index first. The time limit
 * YOLOv5 applies is not modelled. */
XA_API xa_status xa_yolov5_nms(const xa_tensor *pred, const xa_yolov5_nms_opts *o, xa_tensor **out,
                               xa_error *err);
/* Number of images of a prediction (its leading axis, 1 for N x (5 + nc)); 0 if not one. */
XA_API int64_t xa_yolov5_batch(const xa_tensor *pred);

#ifdef __cplusplus
}
#endif
#endif
