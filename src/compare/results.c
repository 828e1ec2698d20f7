/* Detection-aware comparison of two programs' results, and classification results. */
#include "internal.h"
#include "hashmap.h"
#include "xalign/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xa_results_options_init(xa_results_options *o) {
    o->iou = 0.5;
    o->box_tol = 0;
    o->score_tol = 0;
    o->score_threshold = -1;
    o->nms_iou = -1;
    o->category_map = XA_CATEGORY_AS_IS;
    o->pair_single = 0;
}

const char *xa_res_cause_name(xa_res_cause c) {
    switch (c) {
    case XA_RES_CAUSE_SCORE_THRESHOLD:
        return "score-threshold";
    case XA_RES_CAUSE_NMS_TIE:
        return "nms-tie";
    case XA_RES_CAUSE_NMS:
        return "nms";
    case XA_RES_CAUSE_UNEXPLAINED:
        return "unexplained";
    default:
        return "none";
    }
}

/* An unmatched box counts as suppressed by a box of at least its score on the other side when
 * their IoU reaches the NMS threshold less NMS_IOU_WINDOW (the two sides compute IoU with
 * different arithmetic, and their boxes may differ slightly); without a given threshold, when it
 * reaches NMS_OVERLAP_DEFAULT (NMS thresholds in use are 0.45 to 0.7). */
#define NMS_OVERLAP_DEFAULT 0.3
#define NMS_IOU_WINDOW 0.01

/* A detection of one side, in the compared format. */
typedef struct sdet {
    size_t image; /* joined image index */
    int64_t cat;
    double box[4];  /* common format */
    double xyxy[4]; /* for IoU */
    double score;
    size_t orig; /* index into the side's items */
    int matched;
} sdet;

typedef struct side {
    const xa_dets *d;
    sdet *v;
    size_t n;
    size_t *group; /* per joined image: first index in v (sorted by image, category, score) */
} side;

static double iou_xyxy(const double *a, const double *b) {
    double iw = fmin(a[2], b[2]) - fmax(a[0], b[0]), ih = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    if (iw < 0 || ih < 0) return 0;
    double inter = iw * ih,
           ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if (ua <= 0) return memcmp(a, b, 4 * sizeof *a) == 0 ? 1 : 0; /* two empty boxes */
    return inter / ua;
}

static int cmp_sdet(const void *x, const void *y) {
    const sdet *a = x, *b = y;
    if (a->image != b->image) return a->image < b->image ? -1 : 1;
    if (a->cat != b->cat) return a->cat < b->cat ? -1 : 1;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->orig > b->orig) - (a->orig < b->orig);
}

/* Joined images: keys from both sides, ids ascending then names. */
typedef struct jimg {
    const xa_det_image *ref, *port;
    size_t old; /* index before sorting */
} jimg;

static int cmp_jimg(const void *x, const void *y) {
    const jimg *a = x, *b = y;
    const xa_det_image *p = a->ref ? a->ref : a->port, *q = b->ref ? b->ref : b->port;
    if (p->has_id != q->has_id) return p->has_id ? -1 : 1;
    if (p->has_id) return (p->id > q->id) - (p->id < q->id);
    return strcmp(p->name ? p->name : "", q->name ? q->name : "");
}

static xa_status load_side(side *s, const xa_dets *d, xa_box_format fmt, int map80,
                           const size_t *img_of, const char *which, xa_error *err) {
    s->d = d;
    s->n = d->count;
    s->v = malloc((d->count + 1) * sizeof *s->v);
    if (!s->v) return xa_fail(err, XA_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->count; i++) {
        const xa_det *x = &d->items[i];
        sdet *o = &s->v[i];
        o->image = img_of[x->image];
        o->cat = x->category_id;
        if (map80 && d->source != XA_DETS_COCO_JSON) {
            int c = xa_coco80_to_91(x->category_id);
            if (c < 0)
                return xa_fail(err, XA_EINVAL,
                               "%s detection %zu: class %lld has no COCO id (the 80 -> 91 map "
                               "takes classes 0..79)",
                               which, i, (long long)x->category_id);
            o->cat = c;
        }
        const double *b = x->box;
        if (d->format == XA_BOX_XYXY) {
            memcpy(o->xyxy, b, sizeof o->xyxy);
        } else {
            o->xyxy[0] = b[0];
            o->xyxy[1] = b[1];
            o->xyxy[2] = b[0] + b[2];
            o->xyxy[3] = b[1] + b[3];
        }
        if (fmt == d->format) {
            memcpy(o->box, b, sizeof o->box);
        } else { /* xyxy -> xywh (the seed's form) */
            o->box[0] = b[0];
            o->box[1] = b[1];
            o->box[2] = b[2] - b[0];
            o->box[3] = b[3] - b[1];
        }
        o->score = x->score;
        o->orig = i;
        o->matched = 0;
    }
    qsort(s->v, s->n, sizeof *s->v, cmp_sdet);
    return XA_OK;
}

void xa_results_report_free(xa_results_report *r) {
    if (!r) return;
    free(r->images);
    free(r->worst);
    free(r->unmatched);
    free(r);
}

typedef struct pairinfo {
    double box, score;
} pairinfo;

static double box_diff(const sdet *a, const sdet *b) {
    double m = 0;
    for (int k = 0; k < 4; k++) {
        double d = fabs(a->box[k] - b->box[k]);
        if (d > m || isnan(d)) m = d;
    }
    return m;
}

/* Sort keys for "worst first": differing images, then more unmatched detections, more pairs
 * beyond the tolerance, larger box and score differences; then key order. */
typedef struct worst_key {
    int differs;
    size_t unmatched, beyond;
    double box, score;
    size_t idx;
} worst_key;

static int cmp_worst(const void *x, const void *y) {
    const worst_key *a = x, *b = y;
    if (a->differs != b->differs) return a->differs ? -1 : 1;
    if (a->unmatched != b->unmatched) return a->unmatched > b->unmatched ? -1 : 1;
    if (a->beyond != b->beyond) return a->beyond > b->beyond ? -1 : 1;
    if (a->box != b->box) return a->box > b->box ? -1 : 1;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Explain one unmatched detection u of side x against side y (same image and category in
 * [y0, y1) of y's sorted list). thr_given: the threshold is the user's; ymin: y's lowest kept
 * score in the image (ymin_image 1), or in the whole set when it kept none there (INFINITY: none
 * at all). */
static void explain(const side *x, const sdet *u, const side *y, size_t y0, size_t y1, double ds,
                    double thr, int thr_given, double ymin, int ymin_image, double nms_iou,
                    xa_res_unmatched *o) {
    o->cause = XA_RES_CAUSE_UNEXPLAINED;
    o->iou = 0;
    o->other = 0;
    o->other_det = SIZE_MAX;
    o->category_id = u->cat;
    memcpy(o->box, u->box, sizeof o->box);
    o->lowest_kept = NAN;
    o->lowest_in_image = 0;
    (void)x;
    double best_tie = -1, best_any = 0, best_nms = -1;
    size_t tie = SIZE_MAX, nms = SIZE_MAX;
    double overlap = nms_iou >= 0 ? nms_iou - NMS_IOU_WINDOW : NMS_OVERLAP_DEFAULT;
    for (size_t j = y0; j < y1; j++) {
        const sdet *v = &y->v[j];
        double iou = iou_xyxy(u->xyxy, v->xyxy);
        if (iou > best_any) best_any = iou;
        if (iou < overlap) continue;
        /* a tie: the other side kept an unmatched box of equal score in its place */
        if (!v->matched && fabs(u->score - v->score) <= ds && iou > best_tie) {
            best_tie = iou;
            tie = j;
        }
        /* suppression: the other side kept a box of at least this score over it */
        if (v->score >= u->score - ds && iou > best_nms) {
            best_nms = iou;
            nms = j;
        }
    }
    o->iou = best_any;
    if (tie != SIZE_MAX) {
        o->cause = XA_RES_CAUSE_NMS_TIE;
        o->iou = best_tie;
        o->other = y->v[tie].score;
        o->other_det = y->v[tie].orig;
    } else if (u->score - thr <= ds && u->score >= thr - ds) {
        o->cause = XA_RES_CAUSE_SCORE_THRESHOLD;
        o->other = thr;
    } else if (thr_given && u->score <= thr && isfinite(ymin) && ymin >= thr && ymin > u->score) {
        /* the stated threshold separates it from everything the other program kept: that
         * program dropped it there (whether it keeps scores > thr or >= thr) */
        o->cause = XA_RES_CAUSE_SCORE_THRESHOLD;
        o->other = thr;
        o->lowest_kept = ymin;
        o->lowest_in_image = ymin_image;
    } else if (nms != SIZE_MAX) {
        o->cause = XA_RES_CAUSE_NMS;
        o->iou = best_nms;
        o->other = y->v[nms].score;
        o->other_det = y->v[nms].orig;
    }
}

xa_status xa_results_compare(const xa_dets *ref, const xa_dets *port, const xa_results_options *opt,
                             xa_results_report **out, xa_error *err) {
    *out = NULL;
    xa_results_options o;
    if (opt)
        o = *opt;
    else
        xa_results_options_init(&o);
    if (!(o.iou > 0 && o.iou <= 1))
        return xa_fail(err, XA_EINVAL, "the IoU threshold must be in (0, 1]");
    xa_status st = XA_ENOMEM;
    xa_results_report *r = calloc(1, sizeof *r);
    side sr = {0}, sp = {0};
    xa_imap ids = {0};
    xa_smap names = {0};
    jimg *ji = NULL;
    size_t nj = 0, *ref_img = NULL, *port_img = NULL, *remap = NULL, *gr = NULL, *gp = NULL;
    size_t ucap = 0;
    if (!r) goto oom;
    r->ref = ref;
    r->port = port;
    r->options = o;
    r->format = ref->format == port->format ? ref->format : XA_BOX_XYWH;
    /* join the images by key */
    ji = malloc((ref->nimages + port->nimages + 1) * sizeof *ji);
    ref_img = malloc((ref->nimages + 1) * sizeof *ref_img);
    port_img = malloc((port->nimages + 1) * sizeof *port_img);
    if (!ji || !ref_img || !port_img) goto oom;
    if (o.pair_single && (ref->nimages != 1 || port->nimages != 1)) {
        st = xa_fail(err, XA_EINVAL,
                     "pairing one image on each side needs one image on each side (REF has %zu, "
                     "PORT %zu)",
                     ref->nimages, port->nimages);
        goto fail;
    }
    if (o.pair_single) { /* one image each: paired whatever their keys */
        ji[0].ref = &ref->images[0];
        ji[0].port = &port->images[0];
        ref_img[0] = port_img[0] = 0;
        nj = 1;
    }
    for (int pass = 0; pass < 2 && !o.pair_single; pass++) {
        const xa_dets *d = pass ? port : ref;
        size_t *map = pass ? port_img : ref_img;
        for (size_t i = 0; i < d->nimages; i++) {
            const xa_det_image *im = &d->images[i];
            size_t old, len = im->name ? strlen(im->name) : 0;
            int p = im->has_id ? xa_imap_put(&ids, im->id, nj, &old)
                               : xa_smap_put(&names, im->name ? im->name : "", len, nj, &old);
            if (p < 0) goto oom;
            if (p == 1) {
                ji[nj].ref = pass ? NULL : im;
                ji[nj].port = pass ? im : NULL;
                map[i] = nj++;
            } else {
                if (pass) ji[old].port = im;
                map[i] = old;
            }
        }
    }
    /* sort the joined images (ids, then names) and renumber */
    remap = malloc((nj + 1) * sizeof *remap);
    if (!remap) goto oom;
    for (size_t i = 0; i < nj; i++) ji[i].old = i;
    qsort(ji, nj, sizeof *ji, cmp_jimg);
    for (size_t i = 0; i < nj; i++) remap[ji[i].old] = i;
    for (size_t i = 0; i < ref->nimages; i++) ref_img[i] = remap[ref_img[i]];
    for (size_t i = 0; i < port->nimages; i++) port_img[i] = remap[port_img[i]];
    int map80 = o.category_map == XA_CATEGORY_COCO80;
    if ((st = load_side(&sr, ref, r->format, map80, ref_img, "REF", err)) ||
        (st = load_side(&sp, port, r->format, map80, port_img, "PORT", err)))
        goto fail;
    st = XA_ENOMEM;
    r->nimages = nj;
    r->images = calloc(nj + 1, sizeof *r->images);
    r->worst = malloc((nj + 1) * sizeof *r->worst);
    gr = calloc(nj + 2, sizeof *gr);
    gp = calloc(nj + 2, sizeof *gp);
    if (!r->images || !r->worst || !gr || !gp) goto oom;
    for (size_t i = 0; i < sr.n; i++) gr[sr.v[i].image + 1]++;
    for (size_t i = 0; i < sp.n; i++) gp[sp.v[i].image + 1]++;
    for (size_t i = 0; i < nj; i++) {
        gr[i + 1] += gr[i];
        gp[i + 1] += gp[i];
    }
    double box_lim = fmax(XA_ROUND_BOX_TOL, o.box_tol),
           score_lim = fmax(XA_ROUND_SCORE_TOL, o.score_tol);
    /* matching: per image, per category; REF in descending score */
    for (size_t im = 0; im < nj; im++) {
        xa_res_image *ri = &r->images[im];
        ri->ref_image = ji[im].ref;
        ri->port_image = ji[im].port;
        ri->ref_count = gr[im + 1] - gr[im];
        ri->port_count = gp[im + 1] - gp[im];
        ri->status = XA_RES_EXACT;
        size_t a = gr[im], b = gp[im];
        while (a < gr[im + 1] || b < gp[im + 1]) {
            int64_t cat = a < gr[im + 1] && (b >= gp[im + 1] || sr.v[a].cat <= sp.v[b].cat)
                              ? sr.v[a].cat
                              : sp.v[b].cat;
            size_t a1 = a, b1 = b;
            while (a1 < gr[im + 1] && sr.v[a1].cat == cat) a1++;
            while (b1 < gp[im + 1] && sp.v[b1].cat == cat) b1++;
            /* pass 1: pairs within the tolerance (the same detection, rounded or not) match
             * whatever their IoU (tiny boxes change IoU a lot under rounding); pass 2: IoU */
            for (int pass = 0; pass < 2; pass++)
                for (size_t i = a; i < a1; i++) {
                    sdet *u = &sr.v[i];
                    if (u->matched) continue;
                    double best = -1, bestds = 0, bestbd = 0;
                    size_t bj = SIZE_MAX;
                    for (size_t j = b; j < b1; j++) {
                        sdet *v = &sp.v[j];
                        if (v->matched) continue;
                        double ds = fabs(u->score - v->score);
                        if (pass == 0) {
                            double bd = box_diff(u, v);
                            if (!(bd <= box_lim && ds <= score_lim)) continue;
                            if (bj == SIZE_MAX || bd < bestbd || (bd == bestbd && ds < bestds)) {
                                bestbd = bd;
                                bestds = ds;
                                bj = j;
                            }
                            continue;
                        }
                        double iou = iou_xyxy(u->xyxy, v->xyxy);
                        if (iou < o.iou) continue;
                        if (iou > best || (iou == best && ds < bestds)) {
                            best = iou;
                            bestds = ds;
                            bj = j;
                        }
                    }
                    if (bj == SIZE_MAX) continue;
                    sdet *v = &sp.v[bj];
                    u->matched = v->matched = 1;
                    double bd = box_diff(u, v), sd = fabs(u->score - v->score);
                    ri->matched++;
                    if (bd > ri->max_box_diff) ri->max_box_diff = bd;
                    if (sd > ri->max_score_diff) ri->max_score_diff = sd;
                    xa_res_status ps;
                    if (bd == 0 && sd == 0)
                        ps = XA_RES_EXACT;
                    else if (bd <= XA_ROUND_BOX_TOL && sd <= XA_ROUND_SCORE_TOL)
                        ps = XA_RES_ROUNDING;
                    else if (bd <= box_lim && sd <= score_lim)
                        ps = XA_RES_WITHIN_TOL;
                    else
                        ps = XA_RES_DIFFERS;
                    if (ps == XA_RES_DIFFERS) ri->pairs_beyond++;
                    if (ps > ri->status) ri->status = ps;
                }
            a = a1;
            b = b1;
        }
        for (size_t i = gr[im]; i < gr[im + 1]; i++) ri->only_ref += !sr.v[i].matched;
        for (size_t j = gp[im]; j < gp[im + 1]; j++) ri->only_port += !sp.v[j].matched;
        if (ri->only_ref || ri->only_port) ri->status = XA_RES_DIFFERS;
        r->matched += ri->matched;
        r->only_ref += ri->only_ref;
        r->only_port += ri->only_port;
        r->pairs_beyond += ri->pairs_beyond;
        if (ri->max_box_diff > r->max_box_diff) r->max_box_diff = ri->max_box_diff;
        if (ri->max_score_diff > r->max_score_diff) r->max_score_diff = ri->max_score_diff;
    }
    /* explanations of the unmatched detections, with what the whole set shows */
    double ds = fmax(score_lim, r->max_score_diff), thr = o.score_threshold;
    if (thr < 0) {
        thr = INFINITY;
        for (size_t i = 0; i < sr.n; i++) thr = fmin(thr, sr.v[i].score);
        for (size_t i = 0; i < sp.n; i++) thr = fmin(thr, sp.v[i].score);
        if (isinf(thr)) thr = 0;
    }
    r->score_threshold = thr;
    int thr_given = o.score_threshold >= 0;
    double set_min[2] = {INFINITY, INFINITY}; /* lowest kept score of REF, PORT */
    for (size_t i = 0; i < sr.n; i++) set_min[0] = fmin(set_min[0], sr.v[i].score);
    for (size_t i = 0; i < sp.n; i++) set_min[1] = fmin(set_min[1], sp.v[i].score);
    for (size_t im = 0; im < nj; im++) {
        xa_res_image *ri = &r->images[im];
        ri->first_unmatched = r->nunmatched;
        for (int pass = 0; pass < 2; pass++) {
            side *x = pass ? &sp : &sr, *y = pass ? &sr : &sp;
            size_t *gx = pass ? gp : gr, *gy = pass ? gr : gp;
            /* the other program's lowest kept score in this image (in the set if none here) */
            double ymin = INFINITY;
            for (size_t j = gy[im]; j < gy[im + 1]; j++) ymin = fmin(ymin, y->v[j].score);
            int ymin_image = gy[im + 1] > gy[im];
            if (!ymin_image) ymin = set_min[pass ? 0 : 1];
            for (size_t i = gx[im]; i < gx[im + 1]; i++) {
                sdet *u = &x->v[i];
                if (u->matched) continue;
                size_t y0 = gy[im], y1;
                while (y0 < gy[im + 1] && y->v[y0].cat < u->cat) y0++;
                y1 = y0;
                while (y1 < gy[im + 1] && y->v[y1].cat == u->cat) y1++;
                if (r->nunmatched >= ucap) {
                    size_t c = ucap ? ucap * 2 : 256;
                    xa_res_unmatched *q = realloc(r->unmatched, c * sizeof *q);
                    if (!q) goto oom;
                    r->unmatched = q;
                    ucap = c;
                }
                xa_res_unmatched *un = &r->unmatched[r->nunmatched++];
                un->port = pass;
                un->det = u->orig;
                explain(x, u, y, y0, y1, ds, thr, thr_given, ymin, ymin_image, o.nms_iou, un);
                ri->causes |= 1u << un->cause;
            }
        }
        ri->nunmatched = r->nunmatched - ri->first_unmatched;
        switch (ri->status) {
        case XA_RES_EXACT:
            r->exact++;
            break;
        case XA_RES_ROUNDING:
            r->rounding++;
            break;
        case XA_RES_WITHIN_TOL:
            r->within_tol++;
            break;
        default:
            r->differs++;
            for (int c = 1; c < XA_RES_CAUSE_COUNT; c++)
                if (ri->causes & (1u << c)) r->images_by_cause[c]++;
            if (ri->pairs_beyond) r->images_numeric++;
        }
    }
    {
        worst_key *wk = malloc((nj + 1) * sizeof *wk);
        if (!wk) goto oom;
        for (size_t i = 0; i < nj; i++) {
            const xa_res_image *ri = &r->images[i];
            wk[i] = (worst_key){ri->status == XA_RES_DIFFERS,
                                ri->only_ref + ri->only_port,
                                ri->pairs_beyond,
                                ri->max_box_diff,
                                ri->max_score_diff,
                                i};
        }
        qsort(wk, nj, sizeof *wk, cmp_worst);
        for (size_t i = 0; i < nj; i++) r->worst[i] = wk[i].idx;
        free(wk);
    }
    r->aligned = r->differs == 0;
    xa_rounding_check_run(ref, &r->ref_rounding);
    xa_rounding_check_run(port, &r->port_rounding);
    st = XA_OK;
    goto done;
oom:
    st = xa_fail(err, XA_ENOMEM, "out of memory comparing detections");
fail:
    xa_results_report_free(r);
    r = NULL;
done:
    free(sr.v);
    free(sp.v);
    free(ji);
    free(ref_img);
    free(port_img);
    free(remap);
    free(gr);
    free(gp);
    xa_imap_clear(&ids);
    xa_smap_clear(&names);
    *out = r;
    return st;
}

/* ---- classification ------------------------------------------------------------------------ */
void xa_cls_report_free(xa_cls_report *r) {
    if (!r) return;
    free(r->files);
    free(r->worst);
    free(r);
}

static int cmp_cls_file(const void *x, const void *y) {
    const xa_cls_file *a = x, *b = y;
    const char *p = a->ref ? a->ref->file : a->port->file,
               *q = b->ref ? b->ref->file : b->port->file;
    return strcmp(p, q);
}

typedef struct cls_key {
    int aligned, one_side, top1_equal;
    double diff;
    size_t idx;
} cls_key;

static int cmp_cls_worst(const void *x, const void *y) {
    const cls_key *a = x, *b = y;
    if (a->aligned != b->aligned) return a->aligned ? 1 : -1;
    if (a->one_side != b->one_side) return a->one_side ? -1 : 1;
    if (a->top1_equal != b->top1_equal) return a->top1_equal ? 1 : -1;
    if (a->diff != b->diff) return a->diff > b->diff ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

xa_status xa_cls_compare(const xa_cls_results *ref, const xa_cls_results *port, double score_tol,
                         xa_cls_report **out, xa_error *err) {
    *out = NULL;
    xa_cls_report *r = calloc(1, sizeof *r);
    xa_smap m = {0};
    if (!r) return xa_fail(err, XA_ENOMEM, "out of memory");
    r->score_tol = score_tol < 0 ? XA_ROUND_SCORE_TOL : score_tol;
    r->files = calloc(ref->count + port->count + 1, sizeof *r->files);
    r->worst = malloc((ref->count + port->count + 1) * sizeof *r->worst);
    if (!r->files || !r->worst) goto oom;
    r->topk = XA_CLS_TOPK;
    for (size_t i = 0; i < ref->count; i++) {
        const xa_cls_entry *e = &ref->items[i];
        if (xa_smap_put(&m, e->file, strlen(e->file), r->nfiles, NULL) < 0) goto oom;
        r->files[r->nfiles++].ref = e;
        if (e->ntop < r->topk) r->topk = e->ntop;
    }
    for (size_t i = 0; i < port->count; i++) {
        const xa_cls_entry *e = &port->items[i];
        size_t k = xa_smap_get(&m, e->file, strlen(e->file));
        if (k == SIZE_MAX) k = r->nfiles++;
        r->files[k].port = e;
        if (e->ntop < r->topk) r->topk = e->ntop;
    }
    qsort(r->files, r->nfiles, sizeof *r->files, cmp_cls_file);
    double sum = 0;
    for (size_t i = 0; i < r->nfiles; i++) {
        xa_cls_file *f = &r->files[i];
        if (!f->ref || !f->port) {
            if (f->ref)
                r->only_ref++;
            else
                r->only_port++;
            continue;
        }
        r->both++;
        int n = f->ref->ntop < f->port->ntop ? f->ref->ntop : f->port->ntop;
        f->top1_equal = f->ref->top[0] == f->port->top[0];
        f->top5_same_order = 1;
        for (int a = 0; a < n; a++) {
            if (f->ref->top[a] != f->port->top[a]) f->top5_same_order = 0;
            for (int b = 0; b < n; b++)
                if (f->ref->top[a] == f->port->top[b]) {
                    f->top5_overlap++;
                    break;
                }
        }
        f->score_diff = f->port->score - f->ref->score;
        f->aligned = f->top1_equal && fabs(f->score_diff) <= r->score_tol;
        r->top1_agree += (size_t)f->top1_equal;
        r->top5_agree += (size_t)(f->top5_overlap == n);
        r->aligned += (size_t)f->aligned;
        if (fabs(f->score_diff) > r->max_score_diff) r->max_score_diff = fabs(f->score_diff);
        sum += fabs(f->score_diff);
    }
    r->mean_abs_score_diff = r->both ? sum / (double)r->both : 0;
    r->all_aligned = r->aligned == r->nfiles;
    cls_key *ck = malloc((r->nfiles + 1) * sizeof *ck);
    if (!ck) goto oom;
    for (size_t i = 0; i < r->nfiles; i++) {
        const xa_cls_file *f = &r->files[i];
        ck[i] = (cls_key){f->aligned, !f->ref || !f->port, f->top1_equal, fabs(f->score_diff), i};
    }
    qsort(ck, r->nfiles, sizeof *ck, cmp_cls_worst);
    for (size_t i = 0; i < r->nfiles; i++) r->worst[i] = ck[i].idx;
    free(ck);
    xa_smap_clear(&m);
    *out = r;
    return XA_OK;
oom:
    xa_smap_clear(&m);
    xa_cls_report_free(r);
    return xa_fail(err, XA_ENOMEM, "out of memory");
}
