/* xalign results REF PORT : compare two programs' detections (or classification results). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *help =
    "usage: xalign results REF PORT [options]\n\n"
    "Compare two programs' results over a dataset: detections are matched per image and\n"
    "category by IoU (greedy in descending REF score), never row by row; classification\n"
    "results are joined by file name.\n\n"
    "REF and PORT, each told apart by its content:\n"
    "  results.json       a COCO results file: [{\"image_id\", \"category_id\", \"bbox\": [x, y, "
    "w, "
    "h],\n"
    "                     \"score\"}, ...] (as YOLOv5's val.py and the seed write it)\n"
    "  DIR                a folder of .npy files, one per image, named after it\n"
    "                     (000000000139.npy is image 139), rows [N, 6]: x1, y1, x2, y2, score, "
    "class\n"
    "  FILE.npy           one image's detections (two FILE.npy: one image, paired whatever\n"
    "                     their names)\n"
    "  FILE (CSV)         classification: lines file,top1,score[,c2,c3,c4,c5] (header optional)\n"
    "  FILE (JSON lines)  classification: {\"file\", \"top1\", \"score\"[, \"top5\": [...]]} per "
    "line\n\n"
    "A pair of detections is aligned when equal, or within the seed's rounding (box 0.0005 px,\n"
    "score 0.000005: round(x, 3), round(s, 5)); an image is aligned when all its detections pair\n"
    "up that way. Detections found on one side only are explained: nms-tie (each side kept\n"
    "another of two overlapping boxes of equal score), score-threshold (score within the score\n"
    "noise of the threshold; or, with --score-threshold S, a score <= S while the other side\n"
    "kept only higher scores, at least S, in that image), nms (overlaps, above the NMS\n"
    "threshold, a box of at least its score that the other side kept), or unexplained (no rule\n"
    "explains it).\n\n"
    "options:\n"
    "  --iou T                pairs need IoU >= T (default 0.5)\n"
    "  --format xyxy|xywh     layout of .npy rows (default xyxy; xywh: x, y, w, h, score, class)\n"
    "  --category-map coco80|none\n"
    "                         coco80: .npy classes 0..79 become COCO ids 1..90 (to compare with "
    "a\n"
    "                         COCO results file); default none\n"
    "  --box-tol PX           also accept boxes within PX (default 0: equal or the rounding)\n"
    "  --score-tol S          also accept scores within S (default 0)\n"
    "  --score-threshold S    the programs' score threshold (default: the lowest score kept;\n"
    "                         given, it also explains one-sided detections at or below it)\n"
    "  --nms-iou T            the NMS IoU threshold, if known (sharpens the nms causes)\n"
    "  --max-images N         differing images listed in the text (default 10)\n"
    "  --json                 one JSON object: images (worst first) and summary\n"
    "  --help                 this text\n\n"
    "exit: 0 every image (file) aligned, 1 differences, 2 usage or input error\n";

/* 1 when the file holds classification results (CSV or JSON lines), 0 for detections; -1 and an
 * error printed for a COCO ground truth. */
static int is_classification(const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISDIR(sb.st_mode)) return 0;
    FILE *f = cli_fopen_regular(path, NULL); /* a FIFO must not hang: the loader explains */
    if (!f) return 0;
    char head[4097];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = 0;
    if (n >= 6 && !memcmp(head, "\x93NUMPY", 6)) return 0;
    size_t i = n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3) ? 3 : 0; /* a BOM: the reader says so */
    while (i < n && strchr(" \t\r\n", head[i])) i++;
    if (i >= n || head[i] == '[') return 0;
    if (head[i] == '{') {
        if (strstr(head, "\"annotations\"") || strstr(head, "\"images\"")) {
            cli_error("results",
                      "%s: looks like a COCO ground-truth file; results compares two results "
                      "files (evaluate against the ground truth with 'xalign cocoeval --gt %s')",
                      path, path);
            return -1;
        }
        return 1;
    }
    return 1;
}

static int run_cls(const char *ref, const char *port, double score_tol, int json, long max) {
    xa_error err = {0};
    xa_cls_results *a = NULL, *b = NULL;
    xa_status st = xa_cls_results_load(ref, NULL, &a, &err);
    if (!st) st = xa_cls_results_load(port, NULL, &b, &err);
    if (st) {
        xa_cls_results_free(a);
        return cli_lib_error("results", &err, st);
    }
    xa_cls_report *r;
    st = xa_cls_compare(a, b, score_tol > 0 ? score_tol : -1, &r, &err);
    if (st) {
        xa_cls_results_free(a);
        xa_cls_results_free(b);
        return cli_lib_error("results", &err, st);
    }
    int rc = cli_emit(json ? xa_report_cls_json(r, ref, port)
                           : xa_report_cls_text(r, ref, port, (size_t)max),
                      "results");
    if (!rc) rc = r->all_aligned ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
    xa_cls_report_free(r);
    xa_cls_results_free(a);
    xa_cls_results_free(b);
    return rc;
}

int cmd_results(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "results");
    xa_results_options o;
    xa_results_options_init(&o);
    xa_box_format fmt = XA_BOX_XYXY;
    xa_category_map catmap = XA_CATEGORY_AS_IS;
    int json = 0, rc, opt_r;
    long max = 10;
    while (cli_next(&a)) {
        const char *opt = a.opt;
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(opt, "--json")) {
            json = 1;
        } else if (!strcmp(opt, "--iou")) {
            if (!cli_parse_double(&a, &o.iou)) return XA_EXIT_USAGE;
            if (!(o.iou > 0 && o.iou <= 1)) return cli_error("results", "--iou must be in (0, 1]");
        } else if (!strcmp(opt, "--box-tol") || !strcmp(opt, "--score-tol")) {
            double *d = opt[2] == 'b' ? &o.box_tol : &o.score_tol;
            if (!cli_parse_double(&a, d)) return XA_EXIT_USAGE;
            if (*d < 0) return cli_error("results", "%s must not be negative", opt);
        } else if (!strcmp(opt, "--score-threshold")) {
            if (!cli_parse_double(&a, &o.score_threshold)) return XA_EXIT_USAGE;
        } else if (!strcmp(opt, "--nms-iou")) {
            if (!cli_parse_double(&a, &o.nms_iou)) return XA_EXIT_USAGE;
            if (!(o.nms_iou >= 0 && o.nms_iou <= 1))
                return cli_error("results", "--nms-iou must be in [0, 1]");
        } else if (!strcmp(opt, "--max-images")) {
            if (!cli_parse_int(&a, &max)) return XA_EXIT_USAGE;
            if (max < 0) return cli_error("results", "--max-images must not be negative");
        } else if ((opt_r = cli_dets_option(&a, &fmt, &catmap)) != 0) {
            if (opt_r < 0) return XA_EXIT_USAGE;
        } else {
            return cli_error("results", "unknown option '%s' (see --help)", opt);
        }
    }
    if ((rc = cli_positionals(&a, 2, "REF and PORT", help))) return rc;
    o.category_map = catmap;
    const char *ref = a.pos[0], *port = a.pos[1];
    int cr = is_classification(ref), cp = is_classification(port);
    if (cr < 0 || cp < 0) return XA_EXIT_USAGE;
    if (cr != cp)
        return cli_error("results", "%s holds %s but %s holds %s: both sides must be of one kind",
                         ref, cr ? "classification results" : "detections", port,
                         cp ? "classification results" : "detections");
    if (cr) return run_cls(ref, port, o.score_tol, json, max);

    xa_error err = {0};
    xa_dets *dr = NULL, *dp = NULL;
    xa_status st = xa_dets_load(ref, fmt, &dr, &err);
    if (!st) st = xa_dets_load(port, fmt, &dp, &err);
    if (st) {
        xa_dets_free(dr);
        return cli_lib_error("results", &err, st);
    }
    /* FILE.npy against FILE.npy: each is one image's detections, whatever the files are called
     * (one_ref.npy vs one_port.npy, or two numeric names): pair them */
    struct stat sr, sp;
    o.pair_single = dr->source == XA_DETS_NPY && dp->source == XA_DETS_NPY && !stat(ref, &sr) &&
                    !stat(port, &sp) && !S_ISDIR(sr.st_mode) && !S_ISDIR(sp.st_mode);
    xa_results_report *r;
    st = xa_results_compare(dr, dp, &o, &r, &err);
    if (st) {
        xa_dets_free(dr);
        xa_dets_free(dp);
        return cli_lib_error("results", &err, st);
    }
    if (!r->aligned && (dr->source == XA_DETS_COCO_JSON) != (dp->source == XA_DETS_COCO_JSON) &&
        o.category_map == XA_CATEGORY_AS_IS && r->matched * 2 < r->only_ref + r->only_port)
        fprintf(stderr, "xalign results: note: one side is a COCO results file, the other .npy "
                        "classes, and most detections found no partner: if the classes are "
                        "0..79, add --category-map coco80\n");
    rc = cli_emit(json ? xa_report_results_json(r, ref, port)
                       : xa_report_results_text(r, ref, port, (size_t)max),
                  "results");
    if (!rc) rc = r->aligned ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
    xa_results_report_free(r);
    xa_dets_free(dr);
    xa_dets_free(dp);
    return rc;
}
