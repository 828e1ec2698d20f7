/* Renderings of NMS results (`xalign nms`): kept indices, the disagreements of two variants with
 * the overlap and score that decided each, and YOLOv5 detections. */
#include "report_internal.h"
#include "xalign/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int64_t *keep_of(const xa_nms_run *r, int64_t *k) {
    *k = r->keep ? r->keep->shape[0] : 0;
    return r->keep ? (const int64_t *)r->keep->data : NULL;
}

/* mark[i] |= bit for every box i the run keeps */
static void mark_kept(const xa_nms_run *r, int64_t n, unsigned char *mark, unsigned char bit) {
    int64_t k;
    const int64_t *v = keep_of(r, &k);
    for (int64_t i = 0; i < k; i++)
        if (v[i] >= 0 && v[i] < n) mark[v[i]] |= bit;
}

/* Boxes kept by exactly one side, ascending; NULL on out of memory (count in *m). */
static int64_t *disagreeing(const xa_nms_report *r, int64_t *m) {
    *m = 0;
    unsigned char *mark = calloc((size_t)(r->n ? r->n : 1), 1);
    int64_t *out = malloc((size_t)(r->n ? r->n : 1) * sizeof *out);
    if (!mark || !out) {
        free(mark), free(out);
        return NULL;
    }
    mark_kept(&r->a, r->n, mark, 1);
    mark_kept(&r->b, r->n, mark, 2);
    for (int64_t i = 0; i < r->n; i++)
        if (mark[i] == 1 || mark[i] == 2) out[(*m)++] = i;
    free(mark);
    return out;
}

int64_t xa_nms_disagreements(const xa_nms_report *r, int *same_order) {
    int64_t ka, kb, m;
    const int64_t *a = keep_of(&r->a, &ka), *b = keep_of(&r->b, &kb);
    *same_order = ka == kb && (ka == 0 || !memcmp(a, b, (size_t)ka * sizeof *a));
    int64_t *d = disagreeing(r, &m);
    free(d);
    return d ? m : -1;
}

static const char *fate_name(xa_nms_fate f) {
    switch (f) {
    case XA_NMS_KEPT:
        return "kept";
    case XA_NMS_SUPPRESSED:
        return "suppressed";
    case XA_NMS_BELOW_SCORE:
        return "below_score";
    case XA_NMS_TOP_K:
        return "top_k";
    }
    return "unknown";
}

static double score_of(const xa_nms_report *r, int64_t i) {
    return r->scores && i >= 0 && i < r->n ? r->scores[i] : NAN;
}

/* "suppressed it: IoU 0.50000006 > 0.5 with box 4 (score 0.7)" and the like. */
static void decision_text(xa_sb *b, const xa_nms_report *r, const xa_nms_run *run,
                          const xa_nms_decision *d) {
    char o[40], t[40], s[40];
    const char *metric = !strcmp(run->like, "cv2") ? "overlap" : "IoU";
    xa_fmt_num(d->overlap, 9, o, sizeof o);
    xa_fmt_num(d->threshold, 9, t, sizeof t);
    xa_fmt_num(score_of(r, d->by), 9, s, sizeof s);
    switch (d->fate) {
    case XA_NMS_SUPPRESSED:
        xa_sb_printf(b, "%s suppressed it: %s %s > %s with box %lld (score %s)", run->like, metric,
                     o, t, (long long)d->by, s);
        break;
    case XA_NMS_KEPT:
        if (d->by < 0)
            xa_sb_printf(b, "%s kept it: no kept box before it overlaps", run->like);
        else if (isnan(d->overlap))
            xa_sb_printf(b,
                         "%s kept it: %s nan with box %lld (score %s), and nan is never > %s "
                         "(0/0 from two zero-area boxes, or a NaN/inf coordinate)",
                         run->like, metric, (long long)d->by, s, t);
        else
            xa_sb_printf(b, "%s kept it: largest %s %s <= %s, with box %lld (score %s)", run->like,
                         metric, o, t, (long long)d->by, s);
        break;
    case XA_NMS_BELOW_SCORE:
        xa_sb_printf(b, "%s dropped it before suppression: score not above score_threshold %s",
                     run->like, t);
        break;
    case XA_NMS_TOP_K:
        xa_sb_printf(b, "%s dropped it before suppression: candidate %lld is past top_k", run->like,
                     (long long)d->rank);
        break;
    }
}

static void keep_line(xa_sb *b, const xa_nms_run *run, int64_t n) {
    int64_t k;
    const int64_t *v = keep_of(run, &k);
    xa_sb_printf(b, "%s\n  kept %lld of %lld boxes, in the order it returns them:", run->call,
                 (long long)k, (long long)n);
    for (int64_t i = 0; i < k; i++)
        xa_sb_printf(b, "%s%lld", i % 20 == 0 ? "\n   " : " ", (long long)v[i]);
    xa_sb_printf(b, "\n");
}

char *xa_report_nms_text(const xa_nms_report *r) {
    xa_sb b = {0};
    xa_sb_printf(&b, "%s\n", r->input);
    keep_line(&b, &r->a, r->n);
    if (!r->b.keep) return xa_sb_take(&b);
    keep_line(&b, &r->b, r->n);
    int same;
    int64_t m;
    int64_t *d = disagreeing(r, &m);
    xa_nms_disagreements(r, &same);
    if (!d) {
        free(b.s);
        return NULL;
    }
    if (same) {
        xa_sb_printf(&b, "both keep the same boxes in the same order: aligned\n");
    } else if (m == 0) {
        xa_sb_printf(&b, "both keep the same boxes, in a different order (equal scores?): "
                         "unaligned\n");
    } else {
        xa_sb_printf(&b, "they disagree on %lld box%s: unaligned\n", (long long)m,
                     m == 1 ? "" : "es");
        for (int64_t k = 0; k < m; k++) {
            int64_t i = d[k];
            char s[40];
            xa_sb_printf(&b, "  box %lld (score %s):\n", (long long)i,
                         xa_fmt_num(score_of(r, i), 9, s, sizeof s));
            const xa_nms_run *runs[2] = {&r->a, &r->b};
            for (int q = 0; q < 2; q++) {
                xa_sb_printf(&b, "    ");
                if (runs[q]->why)
                    decision_text(&b, r, runs[q], &runs[q]->why[i]);
                else
                    xa_sb_printf(&b, "%s: no decision recorded", runs[q]->like);
                xa_sb_printf(&b, "\n");
            }
        }
    }
    free(d);
    return xa_sb_take(&b);
}

static json_t *keep_json(const xa_nms_run *run) {
    int64_t k;
    const int64_t *v = keep_of(run, &k);
    json_t *a = json_array();
    for (int64_t i = 0; i < k; i++) json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *decision_json(const xa_nms_report *r, const xa_nms_decision *d) {
    json_t *o = json_object();
    json_object_set_new(o, "fate", json_string(fate_name(d->fate)));
    json_object_set_new(o, "rank", d->rank >= 0 ? json_integer(d->rank) : json_null());
    json_object_set_new(o, "by", d->by >= 0 ? json_integer(d->by) : json_null());
    json_object_set_new(o, "overlap", d->by >= 0 ? xa_jnum(d->overlap) : json_null());
    json_object_set_new(o, "by_score",
                        d->by >= 0 && r->scores ? xa_jnum(score_of(r, d->by)) : json_null());
    json_object_set_new(o, "threshold", xa_jnum(d->threshold));
    return o;
}

char *xa_report_nms_json(const xa_nms_report *r) {
    json_t *o = xa_jobject("xalign.nms/1");
    json_object_set_new(o, "like", json_string(r->a.like));
    json_object_set_new(o, "call", json_string(r->a.call));
    json_object_set_new(o, "boxes", json_integer(r->n));
    json_object_set_new(o, "keep", keep_json(&r->a));
    if (r->b.keep) {
        int same;
        int64_t m;
        int64_t *d = disagreeing(r, &m);
        if (!d) {
            json_decref(o);
            return NULL;
        }
        xa_nms_disagreements(r, &same);
        json_t *c = json_object(), *dis = json_array();
        json_object_set_new(c, "like", json_string(r->b.like));
        json_object_set_new(c, "call", json_string(r->b.call));
        json_object_set_new(c, "keep", keep_json(&r->b));
        json_object_set_new(c, "same", json_boolean(same));
        for (int64_t k = 0; k < m; k++) {
            json_t *e = json_object();
            json_object_set_new(e, "box", json_integer(d[k]));
            json_object_set_new(e, "score", r->scores ? xa_jnum(score_of(r, d[k])) : json_null());
            json_object_set_new(e, r->a.like,
                                r->a.why ? decision_json(r, &r->a.why[d[k]]) : json_null());
            json_object_set_new(e, r->b.like,
                                r->b.why ? decision_json(r, &r->b.why[d[k]]) : json_null());
            json_array_append_new(dis, e);
        }
        json_object_set_new(c, "disagree", dis);
        json_object_set_new(o, "compare", c);
        free(d);
    }
    return xa_jdump(o);
}

/* ---- YOLOv5 ------------------------------------------------------------------------------------
 */
/* Rows [first, *end) of image `img` in the [M, 7] detections (rows are grouped by image). */
static int64_t image_rows(const xa_tensor *dets, int64_t img, int64_t first, int64_t *end) {
    const float *v = dets->data;
    int64_t m = dets->shape[0], e = first;
    while (e < m && v[e * 7] == (float)img) e++;
    *end = e;
    return e - first;
}

char *xa_report_yolov5_nms_text(const char *call, const xa_tensor *dets, int64_t nimages) {
    xa_sb b = {0};
    xa_sb_printf(&b, "%s\n", call);
    const float *v = dets->data;
    for (int64_t i = 0, r = 0; i < nimages; i++) {
        int64_t end, k = image_rows(dets, i, r, &end);
        xa_sb_printf(&b, "image %lld: %lld detection%s%s\n", (long long)i, (long long)k,
                     k == 1 ? "" : "s", k ? " (x1, y1, x2, y2 in the network input's pixels)" : "");
        if (k)
            xa_sb_printf(&b, "  %12s %12s %12s %12s %12s %5s\n", "x1", "y1", "x2", "y2", "conf",
                         "cls");
        for (; r < end; r++) {
            char c[5][40];
            for (int q = 0; q < 5; q++) xa_fmt_num(v[r * 7 + 1 + q], 8, c[q], sizeof c[q]);
            xa_sb_printf(&b, "  %12s %12s %12s %12s %12s %5.0f\n", c[0], c[1], c[2], c[3], c[4],
                         (double)v[r * 7 + 6]);
        }
    }
    return xa_sb_take(&b);
}

char *xa_report_yolov5_nms_json(const xa_tensor *dets, int64_t nimages) {
    json_t *o = xa_jobject("xalign.nms/1"), *imgs = json_array();
    json_object_set_new(o, "like", json_string("yolov5"));
    const float *v = dets->data;
    for (int64_t i = 0, r = 0; i < nimages; i++) {
        int64_t end;
        image_rows(dets, i, r, &end);
        json_t *rows = json_array();
        for (; r < end; r++) {
            json_t *row = json_array();
            for (int q = 1; q < 7; q++) json_array_append_new(row, xa_jnum(v[r * 7 + q]));
            json_array_append_new(rows, row);
        }
        json_array_append_new(imgs, rows);
    }
    json_object_set_new(o, "detections", imgs);
    return xa_jdump(o);
}
