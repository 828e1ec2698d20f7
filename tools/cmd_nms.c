/* xalign nms: non-maximum suppression exactly as torchvision, cv2.dnn.NMSBoxes or YOLOv5 does
 * it, and the boxes on which two of them disagree. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign nms BOXES SCORES --like torchvision|cv2 --iou T [options]\n"
    "       xalign nms PRED --like yolov5 [--conf C] [--iou T] [options]\n\n"
    "Non-maximum suppression exactly as the named library does it (bit-exact kept indices):\n"
    "  torchvision  torchvision 0.14 ops.nms; with --idxs, ops.batched_nms\n"
    "  cv2          OpenCV 4.6 cv2.dnn.NMSBoxes (the Rect2d overload Python calls)\n"
    "  yolov5       YOLOv5 v7.0 utils/general.py non_max_suppression on the raw prediction\n"
    "BOXES is an N x 4 tensor (e.g. an .npy), SCORES has N values. The kept indices are printed\n"
    "in the order the library returns them (best score first).\n\n"
    "options for torchvision and cv2:\n"
    "  --iou T             required: torchvision drops boxes with IoU > T; cv2 keeps boxes with\n"
    "                      overlap <= T (T rounded to float, as the Python binding does)\n"
    "  --format F          what BOXES holds: xyxy (x1, y1, x2, y2; default for torchvision) or\n"
    "                      xywh (x, y, w, h; default for cv2). Each library gets its own format:\n"
    "                      torchvision gets x2 = x + w, cv2 gets w = x2 - x1, computed in the\n"
    "                      boxes' dtype (float32 arithmetic for float32 boxes), as numpy and\n"
    "                      torchvision.ops.box_convert compute them\n"
    "  --idxs IDX          torchvision: batched_nms with IDX the class (group) of each box\n"
    "  --path P            batched_nms path: auto (torchvision's choice: per-class above 1000\n"
    "                      boxes), offset (coordinate trick) or per-class\n"
    "  --score-threshold S cv2: candidates need score > S (default 0)\n"
    "  --eta E             cv2: adaptive threshold factor (default 1)\n"
    "  --top-k K           cv2: only the K best candidates enter suppression (default 0: all)\n"
    "  --compare-like L    also run L (torchvision or cv2) on the same boxes and list every box\n"
    "                      the two keep differently, with the overlap and score that decided it;\n"
    "                      exit 1 when the kept lists differ\n\n"
    "options for yolov5 (PRED: float32 B x N x (5 + classes), rows cx, cy, w, h, obj, classes):\n"
    "  --conf C            confidence threshold (default 0.25; val.py uses 0.001)\n"
    "  --iou T             IoU threshold (default 0.45; val.py uses 0.6)\n"
    "  --agnostic          class-agnostic NMS\n"
    "  --multi-label       every class above --conf is a detection (val.py uses it)\n"
    "  --max-det N         detections per image at most (default 300; detect.py uses 1000)\n"
    "  --classes 0,2       keep only these classes\n\n"
    "  --json              one JSON object: {\"schema\": \"xalign.nms/1\", \"keep\": [...]} or\n"
    "                      {\"schema\": \"xalign.nms/1\", \"detections\": [[[x1, y1, x2, y2, "
    "conf,\n"
    "                      cls], ...] per image]}\n"
    "  --help              this text\n\n"
    "Exit codes: 0 success (or both variants agree), 1 the variants disagree, 2 usage or input\n"
    "error. Semantics and the cases where the libraries differ: docs/postprocessing.md.\n";

static const char *CMD = "nms";

typedef enum { LIKE_NONE, LIKE_TV, LIKE_CV, LIKE_YOLO } like_t;

static int parse_like(const char *v, like_t *l) {
    if (!strcmp(v, "torchvision"))
        *l = LIKE_TV;
    else if (!strcmp(v, "cv2") || !strcmp(v, "opencv"))
        *l = LIKE_CV;
    else if (!strcmp(v, "yolov5"))
        *l = LIKE_YOLO;
    else
        return cli_error(CMD, "unknown library '%s' (torchvision, cv2 or yolov5)", v);
    return 0;
}

typedef struct {
    like_t like, cmp;
    double iou, score, eta, conf;
    long top_k, max_det;
    int have_iou, have_score, have_eta, have_topk, have_format, have_conf, have_max_det;
    int agnostic, multi, json;
    xa_box_format format;
    const char *idxs, *path;
    int64_t classes[XA_PARAM_MAX_VALUES];
    int nclasses; /* 0: all classes */
} nms_args;

/* A parameter of the registered yolov5-nms operation: the CLI takes the same values with the same
 * limits as a manifest or the Python package. */
static const xa_param_info *yolo_param(const char *name) {
    const xa_op_info *op = xa_op_find("yolov5-nms");
    for (size_t k = 0; op && k < op->nparams; k++)
        if (!strcmp(op->params[k].name, name)) return &op->params[k];
    return NULL;
}

/* --classes 0,2,5 and --max-det N, parsed as the registry's yolov5-nms parses them. */
static int parse_classes(cli_args *a, int64_t *out, int *n) {
    double v[XA_PARAM_MAX_VALUES];
    const xa_param_info *p = yolo_param("classes");
    if (!p || !cli_param(a, p, v, n)) return XA_EXIT_USAGE;
    for (int k = 0; k < *n; k++) out[k] = (int64_t)v[k];
    return 0;
}

static int parse_max_det(cli_args *a, long *out) {
    double v[XA_PARAM_MAX_VALUES];
    int n = 0;
    const xa_param_info *p = yolo_param("max-det");
    if (!p || !cli_param(a, p, v, &n) || n != 1) return XA_EXIT_USAGE;
    *out = (long)v[0];
    return 0;
}

static xa_status load(const char *spec, xa_tensor **t, int *rc) {
    xa_error err = {0};
    xa_status st = xa_load(spec, t, &err);
    if (st) *rc = cli_lib_error(CMD, &err, st);
    return st;
}

/* ---- YOLOv5 ------------------------------------------------------------------------------------
 */
static int run_yolov5(const nms_args *o, const char *pred_spec) {
    xa_yolov5_nms_opts yo;
    xa_yolov5_nms_defaults(&yo);
    if (o->have_conf) yo.conf_thres = o->conf;
    if (o->have_iou) yo.iou_thres = o->iou;
    if (o->have_max_det) yo.max_det = o->max_det;
    yo.agnostic = o->agnostic, yo.multi_label = o->multi;
    int rc = XA_EXIT_OK, ncls = o->nclasses;
    const int64_t *cls = o->classes;
    if (ncls) yo.classes = cls, yo.nclasses = ncls;
    xa_tensor *pred = NULL, *dets = NULL;
    xa_error err = {0};
    if (load(pred_spec, &pred, &rc)) goto done;
    xa_status st = xa_yolov5_nms(pred, &yo, &dets, &err);
    if (st) {
        rc = cli_lib_error(CMD, &err, st);
        goto done;
    }
    if (o->json) {
        rc = cli_emit(xa_report_yolov5_nms_json(dets, xa_yolov5_batch(pred)), CMD);
    } else {
        char call[512], cl[160] = "None", shp[96];
        if (ncls) {
            size_t len = 0;
            for (int k = 0; k < ncls && len < sizeof cl - 24; k++)
                len += (size_t)snprintf(cl + len, sizeof cl - len, "%s%lld", k ? ", " : "[",
                                        (long long)cls[k]);
            snprintf(cl + len, sizeof cl - len, "]");
        }
        int64_t w = pred->shape[pred->rank - 1];
        snprintf(call, sizeof call,
                 "%s: %s %s (%lld classes)\nYOLOv5 v7.0 non_max_suppression(conf_thres=%.9g, "
                 "iou_thres=%.9g, classes=%s, agnostic=%s, multi_label=%s, max_det=%lld)",
                 pred_spec, xa_dtype_name(pred->dtype),
                 xa_shape_format(pred->rank, pred->shape, shp, sizeof shp), (long long)(w - 5),
                 yo.conf_thres, yo.iou_thres, cl, yo.agnostic ? "True" : "False",
                 yo.multi_label ? "True" : "False", (long long)yo.max_det);
        rc = cli_emit(xa_report_yolov5_nms_text(call, dets, xa_yolov5_batch(pred)), CMD);
    }
done:
    xa_tensor_free(dets);
    xa_tensor_free(pred);
    return rc;
}

/* ---- torchvision / cv2 --------------------------------------------------------------------------
 */
typedef struct {
    like_t like;
    char call[512];
    xa_tensor *boxes; /* in the variant's own format (owned when converted) */
    int owned;
    xa_tensor *keep;
    xa_nms_decision *why;
} variant;

static const char *fmt_name(xa_box_format f) {
    return f == XA_BOX_XYXY ? "xyxy" : "xywh";
}

/* Boxes in the format the variant's library takes. */
static xa_status variant_boxes(variant *v, xa_tensor *boxes, xa_box_format given, xa_error *err) {
    xa_box_format want = v->like == LIKE_TV ? XA_BOX_XYXY : XA_BOX_XYWH;
    v->owned = want != given;
    if (!v->owned) {
        v->boxes = boxes;
        return XA_OK;
    }
    return xa_boxes_convert(boxes, given, want, &v->boxes, err);
}

static xa_status run_variant(variant *v, const nms_args *o, xa_tensor *boxes, xa_tensor *scores,
                             xa_tensor *idxs, int explain, int64_t n, xa_error *err) {
    xa_status st = variant_boxes(v, boxes, o->format, err);
    if (st) return st;
    if (explain && !(v->why = malloc((size_t)(n ? n : 1) * sizeof *v->why))) return XA_ENOMEM;
    if (v->like == LIKE_TV) {
        xa_tv_nms_opts to;
        xa_tv_nms_defaults(&to);
        to.iou_threshold = o->iou;
        if (o->path)
            to.path = !strcmp(o->path, "offset")      ? XA_TV_BATCHED_OFFSET
                      : !strcmp(o->path, "per-class") ? XA_TV_BATCHED_PER_CLASS
                                                      : XA_TV_BATCHED_AUTO;
        if (idxs) {
            xa_tv_batched_path p = xa_tv_batched_path_for(n, &to);
            snprintf(v->call, sizeof v->call,
                     "torchvision.ops.batched_nms(boxes, scores, idxs, iou_threshold=%.17g) on "
                     "the %s path%s",
                     o->iou, p == XA_TV_BATCHED_OFFSET ? "coordinate-offset" : "per-class",
                     to.path != XA_TV_BATCHED_AUTO ? " (forced by --path)"
                     : p == XA_TV_BATCHED_OFFSET   ? " (1000 boxes or fewer)"
                                                   : " (more than 1000 boxes)");
        } else {
            snprintf(v->call, sizeof v->call,
                     "torchvision.ops.nms(boxes, scores, iou_threshold=%.17g)", o->iou);
        }
        return xa_tv_nms_explain(v->boxes, scores, idxs, &to, &v->keep, v->why, err);
    }
    xa_cv_nms_opts co;
    xa_cv_nms_defaults(&co);
    co.nms_threshold = o->iou;
    if (o->have_score) co.score_threshold = o->score;
    if (o->have_eta) co.eta = o->eta;
    if (o->have_topk) co.top_k = o->top_k;
    snprintf(v->call, sizeof v->call,
             "cv2.dnn.NMSBoxes(bboxes, scores, score_threshold=%.9g, nms_threshold=%.9g, eta=%.9g, "
             "top_k=%lld) (thresholds as the float values it receives)",
             (double)(float)co.score_threshold, (double)(float)co.nms_threshold,
             (double)(float)co.eta, (long long)co.top_k);
    return xa_cv_nms_boxes_explain(v->boxes, scores, &co, &v->keep, v->why, err);
}

static void variant_clear(variant *v) {
    if (v->owned) xa_tensor_free(v->boxes);
    xa_tensor_free(v->keep);
    free(v->why);
}

static int check_options(const nms_args *o) {
    int tv = o->like == LIKE_TV || o->cmp == LIKE_TV, cv = o->like == LIKE_CV || o->cmp == LIKE_CV;
    if (o->have_conf || o->agnostic || o->multi || o->have_max_det || o->nclasses)
        return cli_error(CMD, "--conf, --agnostic, --multi-label, --max-det and --classes are "
                              "options of --like yolov5");
    if (!o->have_iou) return cli_error(CMD, "--iou T is required (the libraries have no default)");
    if (o->cmp == LIKE_YOLO)
        return cli_error(CMD, "--compare-like takes torchvision or cv2 (yolov5 runs on PRED)");
    if (o->cmp != LIKE_NONE && o->cmp == o->like)
        return cli_error(CMD, "--compare-like names the same library as --like");
    if (!cv && (o->have_score || o->have_eta || o->have_topk))
        return cli_error(CMD, "--score-threshold, --eta and --top-k are cv2.dnn.NMSBoxes options; "
                              "torchvision.ops.nms has none (filter scores first, or add "
                              "--compare-like cv2)");
    if (o->idxs && cv)
        return cli_error(CMD, "--idxs: cv2.dnn.NMSBoxes in OpenCV 4.6 has no class index "
                              "(NMSBoxesBatched came in 4.7); compare per class instead");
    if (o->path && !o->idxs) return cli_error(CMD, "--path chooses a batched_nms path: add --idxs");
    if (o->path && strcmp(o->path, "auto") && strcmp(o->path, "offset") &&
        strcmp(o->path, "per-class"))
        return cli_error(CMD, "--path '%s' is not auto, offset or per-class", o->path);
    if (!tv && o->path) return cli_error(CMD, "--path is a torchvision option");
    return 0;
}

static int run_boxes(const nms_args *o, char **pos) {
    int rc = check_options(o);
    if (rc) return rc;
    xa_tensor *boxes = NULL, *scores = NULL, *idxs = NULL;
    variant va = {o->like, "", NULL, 0, NULL, NULL}, vb = {o->cmp, "", NULL, 0, NULL, NULL};
    double *sc = NULL;
    xa_error err = {0};
    xa_status st;
    if (load(pos[0], &boxes, &rc) || load(pos[1], &scores, &rc) ||
        (o->idxs && load(o->idxs, &idxs, &rc)))
        goto done;
    if (boxes->rank != 2 || boxes->shape[1] != 4) {
        char s[96];
        rc = cli_error(CMD, "%s: boxes must be N x 4, got %s %s", pos[0],
                       xa_dtype_name(boxes->dtype),
                       xa_shape_format(boxes->rank, boxes->shape, s, sizeof s));
        goto done;
    }
    int64_t n = boxes->shape[0];
    int explain = o->cmp != LIKE_NONE;
    if ((st = run_variant(&va, o, boxes, scores, idxs, explain, n, &err)) ||
        (explain && (st = run_variant(&vb, o, boxes, scores, idxs, explain, n, &err)))) {
        rc = cli_lib_error(CMD, &err, st);
        goto done;
    }
    if (scores->rank == 1 && scores->shape[0] == n && (sc = malloc((size_t)(n ? n : 1) * 8)))
        for (int64_t i = 0; i < n; i++) sc[i] = xa_tensor_get(scores, i);
    char input[1024];
    int len = snprintf(input, sizeof input, "%s: %lld boxes, %s %s; scores %s: %s", pos[0],
                       (long long)n, xa_dtype_name(boxes->dtype),
                       o->format == XA_BOX_XYXY ? "x1, y1, x2, y2" : "x, y, w, h", pos[1],
                       xa_dtype_name(scores->dtype));
    if (idxs && len > 0 && (size_t)len < sizeof input)
        len += snprintf(input + len, sizeof input - (size_t)len, "; idxs %s: %s", o->idxs,
                        xa_dtype_name(idxs->dtype));
    const variant *vs[2] = {&va, &vb};
    for (int q = 0; q < 2; q++) {
        if (vs[q]->like == LIKE_NONE || !vs[q]->owned || len <= 0 || (size_t)len >= sizeof input)
            continue;
        len += snprintf(
            input + len, sizeof input - (size_t)len, "\n%s gets them as %s: %s, computed in %s",
            vs[q]->like == LIKE_TV ? "torchvision" : "cv2",
            fmt_name(o->format == XA_BOX_XYXY ? XA_BOX_XYWH : XA_BOX_XYXY),
            o->format == XA_BOX_XYXY ? "x1, y1, x2 - x1, y2 - y1" : "x, y, x + w, y + h",
            xa_dtype_name(vs[q]->boxes->dtype));
    }
    xa_nms_report r = {input,
                       n,
                       sc,
                       {va.like == LIKE_TV ? "torchvision" : "cv2", va.call, va.keep, va.why},
                       {vb.like == LIKE_TV ? "torchvision" : "cv2", vb.call, vb.keep, vb.why}};
    rc = cli_emit(o->json ? xa_report_nms_json(&r) : xa_report_nms_text(&r), CMD);
    if (!rc && explain) {
        int same;
        int64_t m = xa_nms_disagreements(&r, &same);
        rc = m == 0 && same ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
    }
done:
    variant_clear(&va), variant_clear(&vb);
    xa_tensor_free(boxes), xa_tensor_free(scores), xa_tensor_free(idxs);
    free(sc);
    return rc;
}

int cmd_nms(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, CMD);
    nms_args o = {0};
    o.like = o.cmp = LIKE_NONE;
    while (cli_next(&a)) {
        const char *opt = a.opt, *v;
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(opt, "--like") || !strcmp(opt, "--compare-like")) {
            if (!(v = cli_value(&a))) return XA_EXIT_USAGE;
            int rc = parse_like(v, !strcmp(opt, "--like") ? &o.like : &o.cmp);
            if (rc) return rc;
        } else if (!strcmp(opt, "--iou")) {
            if (!cli_parse_double(&a, &o.iou)) return XA_EXIT_USAGE;
            o.have_iou = 1;
        } else if (!strcmp(opt, "--score-threshold")) {
            if (!cli_parse_double(&a, &o.score)) return XA_EXIT_USAGE;
            o.have_score = 1;
        } else if (!strcmp(opt, "--eta")) {
            if (!cli_parse_double(&a, &o.eta)) return XA_EXIT_USAGE;
            o.have_eta = 1;
        } else if (!strcmp(opt, "--conf")) {
            if (!cli_parse_double(&a, &o.conf)) return XA_EXIT_USAGE;
            o.have_conf = 1;
        } else if (!strcmp(opt, "--top-k")) {
            if (!cli_parse_int(&a, &o.top_k)) return XA_EXIT_USAGE;
            o.have_topk = 1;
        } else if (!strcmp(opt, "--max-det")) {
            if (parse_max_det(&a, &o.max_det)) return XA_EXIT_USAGE;
            o.have_max_det = 1;
        } else if (!strcmp(opt, "--format")) {
            if (!(v = cli_value(&a))) return XA_EXIT_USAGE;
            if (!strcmp(v, "xyxy"))
                o.format = XA_BOX_XYXY;
            else if (!strcmp(v, "xywh"))
                o.format = XA_BOX_XYWH;
            else
                return cli_error(CMD, "--format '%s' is not xyxy or xywh", v);
            o.have_format = 1;
        } else if (!strcmp(opt, "--idxs")) {
            if (!(o.idxs = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(opt, "--path")) {
            if (!(o.path = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(opt, "--classes")) {
            if (parse_classes(&a, o.classes, &o.nclasses)) return XA_EXIT_USAGE;
        } else if (!strcmp(opt, "--agnostic")) {
            o.agnostic = 1;
        } else if (!strcmp(opt, "--multi-label")) {
            o.multi = 1;
        } else if (!strcmp(opt, "--json")) {
            o.json = 1;
        } else {
            return cli_error(CMD, "unknown option '%s' (see --help)", opt);
        }
    }
    if (a.npos == 0) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    if (o.like == LIKE_NONE)
        return cli_error(CMD, "--like torchvision, cv2 or yolov5 is required (see --help)");
    if (o.like == LIKE_YOLO) {
        int rc = cli_positionals(&a, 1, "one PRED tensor (B x N x (5 + classes))", help);
        if (rc) return rc;
        if (o.cmp != LIKE_NONE || o.idxs || o.path || o.have_format || o.have_score || o.have_eta ||
            o.have_topk)
            return cli_error(CMD, "--compare-like, --idxs, --path, --format, --score-threshold, "
                                  "--eta and --top-k are not options of --like yolov5");
        return run_yolov5(&o, a.pos[0]);
    }
    int rc = cli_positionals(&a, 2, "BOXES and SCORES", help);
    if (rc) return rc;
    if (!o.have_format) o.format = o.like == LIKE_TV ? XA_BOX_XYXY : XA_BOX_XYWH;
    return run_boxes(&o, a.pos);
}
