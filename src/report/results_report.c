/* Text and JSON renderings of results comparisons, COCOeval runs and the rounding check. */
#include "report_internal.h"
#include "strbuf.h"
#include "xalign/results.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *source_name(const xa_dets *d) {
    switch (d->source) {
    case XA_DETS_COCO_JSON:
        return "COCO results JSON";
    case XA_DETS_NPY:
        return d->format == XA_BOX_XYXY ? ".npy rows x1,y1,x2,y2,score,class"
                                        : ".npy rows x,y,w,h,score,class";
    default:
        return d->format == XA_BOX_XYXY ? "tensor rows x1,y1,x2,y2,score,class"
                                        : "tensor rows x,y,w,h,score,class";
    }
}

static const char *status_name(xa_res_status s) {
    switch (s) {
    case XA_RES_EXACT:
        return "exact";
    case XA_RES_ROUNDING:
        return "rounding";
    case XA_RES_WITHIN_TOL:
        return "tolerance";
    default:
        return "differs";
    }
}

/* "image 139" or "image 'cat.jpg'" */
static void image_label(const xa_res_image *ri, char *buf, size_t n) {
    const xa_det_image *im = ri->ref_image ? ri->ref_image : ri->port_image;
    if (!im)
        snprintf(buf, n, "image ?");
    else if (im->has_id)
        snprintf(buf, n, "image %lld", (long long)im->id);
    else
        snprintf(buf, n, "image '%s'", im->name ? im->name : "");
}

static json_t *jimage_key(const xa_res_image *ri) {
    const xa_det_image *im = ri->ref_image ? ri->ref_image : ri->port_image;
    if (!im) return json_null();
    if (im->has_id) return json_integer(im->id);
    return json_string(im->name ? im->name : "");
}

static const xa_det *unmatched_det(const xa_results_report *r, const xa_res_unmatched *u) {
    const xa_dets *d = u->port ? r->port : r->ref;
    return &d->items[u->det];
}

static void box_text(const double box[4], char *buf, size_t n) {
    char a[4][32];
    for (int k = 0; k < 4; k++) xa_fmt_num(box[k], 9, a[k], sizeof a[k]);
    snprintf(buf, n, "[%s, %s, %s, %s]", a[0], a[1], a[2], a[3]);
}

static void rounding_phrase(const xa_rounding_check *c, char *buf, size_t n) {
    if (c->count == 0)
        snprintf(buf, n, "no detections");
    else if (c->rounded)
        snprintf(buf, n, "rounded (bbox 3 decimals, score 5 decimals)");
    else
        snprintf(buf, n, "not rounded (%zu boxes, %zu scores with more decimals)", c->box_unrounded,
                 c->score_unrounded);
}

static void side_text(xa_sb *sb, const char *label, const char *path, const xa_dets *d,
                      const xa_rounding_check *c) {
    char rp[160];
    rounding_phrase(c, rp, sizeof rp);
    xa_sb_printf(sb, "%s: %s  %s, %zu detections, %zu images; %s\n", label, path, source_name(d),
                 d->count, d->nimages, rp);
}

static void cause_text(const xa_results_report *r, const xa_res_unmatched *u, char *buf, size_t n) {
    char s[32], o[32], iou[32];
    xa_fmt_num(u->iou, 8, iou, sizeof iou); /* enough digits to tell 0.45 from 0.45000002 */
    const double *b = u->box;               /* in the report's format */
    int empty = r->format == XA_BOX_XYXY ? b[2] == b[0] || b[3] == b[1] : b[2] == 0 || b[3] == 0;
    switch (u->cause) {
    case XA_RES_CAUSE_NMS_TIE:
        snprintf(buf, n, "nms-tie: %s kept another box of score %s (IoU %s with it)",
                 u->port ? "REF" : "PORT", xa_fmt_num(u->other, 7, s, sizeof s), iou);
        break;
    case XA_RES_CAUSE_SCORE_THRESHOLD:
        if (isnan(u->lowest_kept))
            snprintf(buf, n, "score-threshold: within the score noise of the threshold %s",
                     xa_fmt_num(r->score_threshold, 7, s, sizeof s));
        else
            snprintf(buf, n,
                     "score-threshold: at or below the given threshold %s, and the lowest score "
                     "%s kept %s is %s",
                     xa_fmt_num(r->score_threshold, 7, s, sizeof s), u->port ? "REF" : "PORT",
                     u->lowest_in_image ? "in this image" : "(none in this image; in all)",
                     xa_fmt_num(u->lowest_kept, 7, o, sizeof o));
        break;
    case XA_RES_CAUSE_NMS:
        snprintf(buf, n, "nms: overlaps (IoU %s) a box of score %s that %s kept%s", iou,
                 xa_fmt_num(u->other, 7, o, sizeof o), u->port ? "REF" : "PORT",
                 empty ? " (an empty box: torchvision's IoU of two is NaN and suppresses nothing; "
                         "OpenCV's NMSBoxes counts them as one)"
                       : "");
        break;
    default:
        snprintf(buf, n, "unexplained (best IoU with a %s box of its category: %s)",
                 u->port ? "REF" : "PORT", iou);
    }
}

char *xa_report_results_text(const xa_results_report *r, const char *ref_path,
                             const char *port_path, size_t max_images) {
    xa_sb sb = {0};
    side_text(&sb, "ref ", ref_path, r->ref, &r->ref_rounding);
    side_text(&sb, "port", port_path, r->port, &r->port_rounding);
    xa_sb_printf(&sb,
                 "matching: per image and category, greedy in descending REF score: pairs within "
                 "the tolerance, then IoU >= %g (boxes compared as %s)\n",
                 r->options.iou, r->format == XA_BOX_XYXY ? "x1, y1, x2, y2" : "x, y, w, h");
    if (r->options.pair_single && r->nimages == 1) {
        char a[160], b[160];
        xa_res_image one = {0};
        one.ref_image = r->images[0].ref_image;
        image_label(&one, a, sizeof a);
        one.ref_image = r->images[0].port_image;
        image_label(&one, b, sizeof b);
        xa_sb_printf(&sb, "one image on each side: paired (REF's %s with PORT's %s)\n", a, b);
    }
    size_t al = r->exact + r->rounding + r->within_tol;
    double share = r->nimages ? 100.0 * (double)al / (double)r->nimages : 100.0;
    char tol[160] = "";
    if (r->within_tol)
        snprintf(tol, sizeof tol, ", %zu within the tolerance (box <= %g px, score <= %g)",
                 r->within_tol, fmax(XA_ROUND_BOX_TOL, r->options.box_tol),
                 fmax(XA_ROUND_SCORE_TOL, r->options.score_tol));
    xa_sb_printf(&sb,
                 "%s %zu of %zu images aligned (%.1f%%): %zu exact, %zu within the seed's "
                 "rounding (box <= 0.0005 px, score <= 0.000005)%s%s",
                 r->aligned ? "aligned." : "differs!", al, r->nimages, share, r->exact, r->rounding,
                 tol, r->differs ? "; " : "\n");
    if (r->differs) xa_sb_printf(&sb, "%zu differ\n", r->differs);
    char bd[32], sd[32];
    xa_sb_printf(&sb, "  %zu matched pairs: max box diff %s px, max score diff %s", r->matched,
                 xa_fmt_num(r->max_box_diff, 6, bd, sizeof bd),
                 xa_fmt_num(r->max_score_diff, 6, sd, sizeof sd));
    if (r->pairs_beyond) xa_sb_printf(&sb, "; %zu beyond the tolerance", r->pairs_beyond);
    xa_sb_printf(&sb, "\n");
    if (r->only_ref || r->only_port)
        xa_sb_printf(&sb, "  detections only in REF: %zu, only in PORT: %zu\n", r->only_ref,
                     r->only_port);
    if (r->differs) {
        xa_sb_printf(&sb, "  differing images by cause:");
        const char *sep = " ";
        static const char *what[XA_RES_CAUSE_COUNT] = {
            "",
            "score-threshold (an unmatched box within the score noise of the threshold, or at or "
            "below the given threshold where the other side kept only higher scores)",
            "nms-tie (each side kept another of two overlapping boxes of equal score)",
            "nms (the side without it kept an overlapping box of at least its score, which "
            "suppressed it there)",
            "unexplained (no rule explains it)"};
        for (int c = 1; c < XA_RES_CAUSE_COUNT; c++)
            if (r->images_by_cause[c]) {
                xa_sb_printf(&sb, "%s%s %zu", sep, what[c], r->images_by_cause[c]);
                sep = "; ";
            }
        if (r->images_numeric)
            xa_sb_printf(&sb, "%snumeric (matched pairs beyond the tolerance) %zu", sep,
                         r->images_numeric);
        xa_sb_printf(&sb, "\n");
        char th[32];
        if (r->images_by_cause[XA_RES_CAUSE_SCORE_THRESHOLD])
            xa_sb_printf(&sb, "  score threshold: %s (%s)\n",
                         xa_fmt_num(r->score_threshold, 7, th, sizeof th),
                         r->options.score_threshold >= 0 ? "given"
                                                         : "estimated: the lowest score kept");
    }
    size_t shown = 0;
    for (size_t w = 0; w < r->nimages && shown < max_images; w++) {
        const xa_res_image *ri = &r->images[r->worst[w]];
        if (ri->status != XA_RES_DIFFERS) break;
        if (!shown) xa_sb_printf(&sb, "worst images:\n");
        shown++;
        char lab[160];
        image_label(ri, lab, sizeof lab);
        xa_sb_printf(&sb,
                     "  %s: %zu only in REF, %zu only in PORT, %zu matched (max box diff %s, "
                     "score %s)%s%s\n",
                     lab, ri->only_ref, ri->only_port, ri->matched,
                     xa_fmt_num(ri->max_box_diff, 6, bd, sizeof bd),
                     xa_fmt_num(ri->max_score_diff, 6, sd, sizeof sd),
                     !ri->ref_image ? "; not in REF" : "", !ri->port_image ? "; not in PORT" : "");
        size_t lim = ri->nunmatched < 8 ? ri->nunmatched : 8;
        for (size_t k = 0; k < lim; k++) {
            const xa_res_unmatched *u = &r->unmatched[ri->first_unmatched + k];
            const xa_det *d = unmatched_det(r, u);
            char bx[160], cs[300], sc[32];
            box_text(u->box, bx, sizeof bx);
            cause_text(r, u, cs, sizeof cs);
            xa_sb_printf(&sb, "    only %s cat %lld %s score %s: %s\n", u->port ? "PORT" : "REF ",
                         (long long)u->category_id, bx, xa_fmt_num(d->score, 7, sc, sizeof sc), cs);
        }
        if (ri->nunmatched > lim) xa_sb_printf(&sb, "    ... %zu more\n", ri->nunmatched - lim);
    }
    if (r->differs > shown && shown)
        xa_sb_printf(&sb, "  ... %zu more differing images (--json lists all)\n",
                     r->differs - shown);
    return xa_sb_take(&sb);
}

static json_t *jside(const char *path, const xa_dets *d, const xa_rounding_check *c) {
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(path ? path : ""));
    json_object_set_new(o, "source", json_string(source_name(d)));
    json_object_set_new(o, "detections", json_integer((json_int_t)d->count));
    json_object_set_new(o, "images", json_integer((json_int_t)d->nimages));
    json_object_set_new(o, "rounded", json_boolean(c->rounded && c->count));
    json_object_set_new(o, "boxes_unrounded", json_integer((json_int_t)c->box_unrounded));
    json_object_set_new(o, "scores_unrounded", json_integer((json_int_t)c->score_unrounded));
    return o;
}

/* An unmatched detection as compared: the category after --category-map, the box in the
 * matching's box_format (both sides alike). */
static json_t *jdet(const xa_res_unmatched *u, const xa_det *d) {
    json_t *o = json_object(), *b = json_array();
    json_object_set_new(o, "category_id", json_integer(u->category_id));
    for (int k = 0; k < 4; k++) json_array_append_new(b, xa_jnum(u->box[k]));
    json_object_set_new(o, "box", b);
    json_object_set_new(o, "score", xa_jnum(d->score));
    return o;
}

char *xa_report_results_json(const xa_results_report *r, const char *ref_path,
                             const char *port_path) {
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string("xalign.results/1"));
    json_object_set_new(o, "kind", json_string("detections"));
    json_object_set_new(o, "ref", jside(ref_path, r->ref, &r->ref_rounding));
    json_object_set_new(o, "port", jside(port_path, r->port, &r->port_rounding));
    json_t *m = json_object();
    json_object_set_new(m, "method",
                        json_string("greedy by descending REF score: pairs within the "
                                    "tolerance first, then by IoU"));
    json_object_set_new(m, "iou", json_real(r->options.iou));
    json_object_set_new(m, "per", json_string("image and category"));
    json_object_set_new(m, "box_format", json_string(r->format == XA_BOX_XYXY ? "xyxy" : "xywh"));
    json_object_set_new(m, "one_image_each_paired", json_boolean(r->options.pair_single));
    json_object_set_new(o, "matching", m);
    json_t *imgs = json_array();
    for (size_t w = 0; w < r->nimages; w++) {
        const xa_res_image *ri = &r->images[r->worst[w]];
        json_t *j = json_object();
        json_object_set_new(j, "image_id", jimage_key(ri));
        json_object_set_new(j, "status",
                            json_string(ri->status == XA_RES_DIFFERS ? "differs" : "aligned"));
        json_object_set_new(j, "reason", json_string(status_name(ri->status)));
        json_object_set_new(j, "matched", json_integer((json_int_t)ri->matched));
        json_object_set_new(j, "only_ref", json_integer((json_int_t)ri->only_ref));
        json_object_set_new(j, "only_port", json_integer((json_int_t)ri->only_port));
        json_object_set_new(j, "max_box_diff", xa_jnum(ri->max_box_diff));
        json_object_set_new(j, "max_score_diff", xa_jnum(ri->max_score_diff));
        json_object_set_new(j, "pairs_beyond", json_integer((json_int_t)ri->pairs_beyond));
        if (!ri->ref_image || !ri->port_image)
            json_object_set_new(j, "missing", json_string(!ri->ref_image ? "ref" : "port"));
        if (ri->nunmatched) {
            json_t *c = json_array(), *u = json_array();
            for (int k = 1; k < XA_RES_CAUSE_COUNT; k++)
                if (ri->causes & (1u << k))
                    json_array_append_new(c, json_string(xa_res_cause_name((xa_res_cause)k)));
            json_object_set_new(j, "causes", c);
            for (size_t k = 0; k < ri->nunmatched; k++) {
                const xa_res_unmatched *un = &r->unmatched[ri->first_unmatched + k];
                json_t *d = jdet(un, unmatched_det(r, un));
                json_object_set_new(d, "side", json_string(un->port ? "port" : "ref"));
                json_object_set_new(d, "index", json_integer((json_int_t)un->det));
                json_object_set_new(d, "cause", json_string(xa_res_cause_name(un->cause)));
                json_object_set_new(d, "iou", xa_jnum(un->iou));
                if (un->cause == XA_RES_CAUSE_NMS_TIE || un->cause == XA_RES_CAUSE_NMS)
                    json_object_set_new(d, "other_score", xa_jnum(un->other));
                if (un->cause == XA_RES_CAUSE_SCORE_THRESHOLD) {
                    json_object_set_new(d, "threshold", xa_jnum(un->other));
                    if (!isnan(un->lowest_kept)) {
                        json_object_set_new(d, "other_lowest_kept", xa_jnum(un->lowest_kept));
                        json_object_set_new(d, "other_lowest_kept_in",
                                            json_string(un->lowest_in_image ? "image" : "set"));
                    }
                }
                json_array_append_new(u, d);
            }
            json_object_set_new(j, "unmatched", u);
        }
        json_array_append_new(imgs, j);
    }
    json_object_set_new(o, "images", imgs);
    json_t *s = json_object();
    size_t al = r->exact + r->rounding + r->within_tol;
    json_object_set_new(s, "images", json_integer((json_int_t)r->nimages));
    json_object_set_new(s, "aligned", json_integer((json_int_t)al));
    json_object_set_new(s, "aligned_share",
                        json_real(r->nimages ? (double)al / (double)r->nimages : 1.0));
    json_object_set_new(s, "exact", json_integer((json_int_t)r->exact));
    json_object_set_new(s, "rounding", json_integer((json_int_t)r->rounding));
    json_object_set_new(s, "within_tolerance", json_integer((json_int_t)r->within_tol));
    json_object_set_new(s, "differs", json_integer((json_int_t)r->differs));
    json_object_set_new(s, "matched", json_integer((json_int_t)r->matched));
    json_object_set_new(s, "only_ref", json_integer((json_int_t)r->only_ref));
    json_object_set_new(s, "only_port", json_integer((json_int_t)r->only_port));
    json_object_set_new(s, "pairs_beyond", json_integer((json_int_t)r->pairs_beyond));
    json_object_set_new(s, "max_box_diff", xa_jnum(r->max_box_diff));
    json_object_set_new(s, "max_score_diff", xa_jnum(r->max_score_diff));
    json_t *c = json_object();
    for (int k = 1; k < XA_RES_CAUSE_COUNT; k++)
        json_object_set_new(c, xa_res_cause_name((xa_res_cause)k),
                            json_integer((json_int_t)r->images_by_cause[k]));
    json_object_set_new(c, "numeric", json_integer((json_int_t)r->images_numeric));
    json_object_set_new(s, "differing_images_by_cause", c);
    json_object_set_new(s, "score_threshold", xa_jnum(r->score_threshold));
    json_object_set_new(s, "score_threshold_estimated",
                        json_boolean(r->options.score_threshold < 0));
    json_t *t = json_object();
    json_object_set_new(t, "box", json_real(fmax(XA_ROUND_BOX_TOL, r->options.box_tol)));
    json_object_set_new(t, "score", json_real(fmax(XA_ROUND_SCORE_TOL, r->options.score_tol)));
    json_object_set_new(s, "tolerance", t);
    json_object_set_new(s, "aligned_all", json_boolean(r->aligned));
    json_object_set_new(o, "summary", s);
    return xa_jdump(o);
}

/* ---- classification -------------------------------------------------------------------------- */
char *xa_report_cls_text(const xa_cls_report *r, const char *ref_path, const char *port_path,
                         size_t max_files) {
    xa_sb sb = {0};
    xa_sb_printf(&sb, "ref : %s  classification results\n", ref_path);
    xa_sb_printf(&sb, "port: %s  classification results\n", port_path);
    double n = r->both ? (double)r->both : 1;
    xa_sb_printf(&sb, "%zu files in both", r->both);
    if (r->only_ref || r->only_port)
        xa_sb_printf(&sb, ", %zu only in REF, %zu only in PORT", r->only_ref, r->only_port);
    xa_sb_printf(&sb, "\ntop-1 agreement: %zu of %zu (%.2f%%); top-%d sets equal: %zu (%.2f%%)\n",
                 r->top1_agree, r->both, 100.0 * (double)r->top1_agree / n, r->topk, r->top5_agree,
                 100.0 * (double)r->top5_agree / n);
    char a[32], b[32], c[32];
    xa_sb_printf(&sb,
                 "top-1 score: max |diff| %s, mean |diff| %s (aligned: top-1 equal and "
                 "|diff| <= %s)\n",
                 xa_fmt_num(r->max_score_diff, 6, a, sizeof a),
                 xa_fmt_num(r->mean_abs_score_diff, 6, b, sizeof b),
                 xa_fmt_num(r->score_tol, 6, c, sizeof c));
    xa_sb_printf(&sb, "%s %zu of %zu files aligned\n", r->all_aligned ? "aligned." : "differs!",
                 r->aligned, r->nfiles);
    size_t shown = 0;
    for (size_t w = 0; w < r->nfiles && shown < max_files; w++) {
        const xa_cls_file *f = &r->files[r->worst[w]];
        if (f->aligned) break;
        if (!shown) xa_sb_printf(&sb, "worst files:\n");
        shown++;
        if (!f->ref || !f->port) {
            xa_sb_printf(&sb, "  %s: only in %s\n", f->ref ? f->ref->file : f->port->file,
                         f->ref ? "REF" : "PORT");
            continue;
        }
        int k = f->ref->ntop < f->port->ntop ? f->ref->ntop : f->port->ntop;
        xa_sb_printf(&sb,
                     "  %s: top-1 ref %lld, port %lld; score %s vs %s (diff %s); top-%d "
                     "overlap %d/%d\n",
                     f->ref->file, (long long)f->ref->top[0], (long long)f->port->top[0],
                     xa_fmt_num(f->ref->score, 7, a, sizeof a),
                     xa_fmt_num(f->port->score, 7, b, sizeof b),
                     xa_fmt_num(f->score_diff, 4, c, sizeof c), k, f->top5_overlap, k);
    }
    return xa_sb_take(&sb);
}

char *xa_report_cls_json(const xa_cls_report *r, const char *ref_path, const char *port_path) {
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string("xalign.results/1"));
    json_object_set_new(o, "kind", json_string("classification"));
    json_object_set_new(o, "ref", json_string(ref_path));
    json_object_set_new(o, "port", json_string(port_path));
    json_t *fs = json_array();
    for (size_t w = 0; w < r->nfiles; w++) {
        const xa_cls_file *f = &r->files[r->worst[w]];
        json_t *j = json_object();
        json_object_set_new(j, "file", json_string(f->ref ? f->ref->file : f->port->file));
        json_object_set_new(j, "status", json_string(f->aligned ? "aligned" : "differs"));
        if (!f->ref || !f->port) {
            json_object_set_new(j, "missing", json_string(!f->ref ? "ref" : "port"));
        } else {
            json_object_set_new(
                j, "top1",
                json_pack("[II]", (json_int_t)f->ref->top[0], (json_int_t)f->port->top[0]));
            json_object_set_new(j, "score",
                                json_pack("[oo]", xa_jnum(f->ref->score), xa_jnum(f->port->score)));
            json_object_set_new(j, "score_diff", xa_jnum(f->score_diff));
            json_object_set_new(j, "top5_overlap", json_integer(f->top5_overlap));
            json_object_set_new(j, "top5_same_order", json_boolean(f->top5_same_order));
        }
        json_array_append_new(fs, j);
    }
    json_object_set_new(o, "files", fs);
    json_t *s = json_object();
    json_object_set_new(s, "files", json_integer((json_int_t)r->nfiles));
    json_object_set_new(s, "both", json_integer((json_int_t)r->both));
    json_object_set_new(s, "only_ref", json_integer((json_int_t)r->only_ref));
    json_object_set_new(s, "only_port", json_integer((json_int_t)r->only_port));
    json_object_set_new(s, "top1_agree", json_integer((json_int_t)r->top1_agree));
    json_object_set_new(s, "top1_share",
                        json_real(r->both ? (double)r->top1_agree / (double)r->both : 1.0));
    json_object_set_new(s, "topk", json_integer(r->topk));
    json_object_set_new(s, "topk_agree", json_integer((json_int_t)r->top5_agree));
    json_object_set_new(s, "max_score_diff", xa_jnum(r->max_score_diff));
    json_object_set_new(s, "mean_abs_score_diff", xa_jnum(r->mean_abs_score_diff));
    json_object_set_new(s, "score_tolerance", json_real(r->score_tol));
    json_object_set_new(s, "aligned", json_integer((json_int_t)r->aligned));
    json_object_set_new(s, "aligned_all", json_boolean(r->all_aligned));
    json_object_set_new(o, "summary", s);
    return xa_jdump(o);
}

/* ---- COCOeval ----------------------------------------------------------------------------------
 */
static const char *cat_name(const xa_cocoeval *e, size_t k) {
    return e->cats[k].name && e->cats[k].name[0] ? e->cats[k].name : "-";
}

static void notes_text(xa_sb *sb, const xa_cocoeval *e, const char *path) {
    if (e->dets_unknown_category)
        xa_sb_printf(sb,
                     "note: %s: %zu detections of categories the ground truth does not list were "
                     "ignored (as pycocotools does)\n",
                     path ? path : "results", e->dets_unknown_category);
}

static void per_class_text(xa_sb *sb, const xa_cocoeval *e) {
    xa_sb_printf(sb, "per category (area all, maxDets 100):\n  %8s  %-20s %8s %8s\n", "id", "name",
                 "AP", "AP50");
    for (size_t k = 0; k < e->ncats; k++)
        xa_sb_printf(sb, "  %8lld  %-20s %8.3f %8.3f\n", (long long)e->cats[k].id, cat_name(e, k),
                     xa_cocoeval_category_ap(e, k, -1), xa_cocoeval_category_ap(e, k, 0));
}

char *xa_report_cocoeval_text(const xa_cocoeval *e, int per_class) {
    xa_sb sb = {0};
    char line[160];
    for (int i = 0; i < 12; i++) {
        xa_cocoeval_stat_line(e, i, line, sizeof line);
        xa_sb_printf(&sb, "%s\n", line);
    }
    notes_text(&sb, e, NULL);
    if (per_class) per_class_text(&sb, e);
    return xa_sb_take(&sb);
}

static json_t *jstats(const xa_cocoeval *e) {
    json_t *a = json_array();
    for (int i = 0; i < 12; i++) json_array_append_new(a, json_real(e->stats[i]));
    return a;
}

static json_t *jper_class(const xa_cocoeval *e) {
    json_t *a = json_array();
    for (size_t k = 0; k < e->ncats; k++) {
        json_t *c = json_object();
        json_object_set_new(c, "category_id", json_integer(e->cats[k].id));
        json_object_set_new(c, "name", json_string(e->cats[k].name ? e->cats[k].name : ""));
        json_object_set_new(c, "ap", json_real(xa_cocoeval_category_ap(e, k, -1)));
        json_object_set_new(c, "ap50", json_real(xa_cocoeval_category_ap(e, k, 0)));
        json_array_append_new(a, c);
    }
    return a;
}

static json_t *jparams(const xa_cocoeval *e) {
    json_t *p = json_object(), *t = json_array(), *r = json_array();
    for (int i = 0; i < XA_COCO_T; i++) json_array_append_new(t, json_real(e->iou_thrs[i]));
    for (int i = 0; i < XA_COCO_R; i++) json_array_append_new(r, json_real(e->rec_thrs[i]));
    json_object_set_new(p, "iou_thrs", t);
    json_object_set_new(p, "rec_thrs", r);
    json_object_set_new(p, "max_dets", json_pack("[iii]", 1, 10, 100));
    json_object_set_new(
        p, "area_rng",
        json_pack("[[ff][ff][ff][ff]]", 0.0, 1e10, 0.0, 1024.0, 1024.0, 9216.0, 9216.0, 1e10));
    return p;
}

static json_t *jrun(const xa_cocoeval *e, const char *path, int per_class) {
    json_t *o = json_object();
    json_object_set_new(o, "dt", json_string(path ? path : ""));
    json_object_set_new(o, "stats", jstats(e));
    json_object_set_new(o, "dets_used", json_integer((json_int_t)e->dets_used));
    json_object_set_new(o, "dets_unknown_category",
                        json_integer((json_int_t)e->dets_unknown_category));
    if (per_class) json_object_set_new(o, "per_class", jper_class(e));
    return o;
}

char *xa_report_cocoeval_json(const xa_cocoeval *a, const char *a_path, const xa_cocoeval *b,
                              const char *b_path, const xa_cocoeval_movers *m, int per_class) {
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string("xalign.cocoeval/1"));
    if (!b) {
        json_object_set_new(o, "stats", jstats(a));
        json_object_set_new(o, "dt", json_string(a_path ? a_path : ""));
        json_object_set_new(o, "dets_used", json_integer((json_int_t)a->dets_used));
        json_object_set_new(o, "dets_unknown_category",
                            json_integer((json_int_t)a->dets_unknown_category));
        if (per_class) json_object_set_new(o, "per_class", jper_class(a));
        json_object_set_new(o, "params", jparams(a));
        return xa_jdump(o);
    }
    json_object_set_new(o, "runs",
                        json_pack("[oo]", jrun(a, a_path, per_class), jrun(b, b_path, per_class)));
    json_t *d = json_array();
    for (int i = 0; i < 12; i++) json_array_append_new(d, json_real(b->stats[i] - a->stats[i]));
    json_object_set_new(o, "diff", d);
    json_t *mv = json_array();
    if (m) {
        for (size_t i = 0; i < m->ncats; i++) {
            const xa_cocoeval_mover *x = &m->cats[i];
            json_t *j = json_object();
            json_object_set_new(j, "kind", json_string("category"));
            json_object_set_new(j, "category_id", json_integer(x->id));
            json_object_set_new(j, "name",
                                json_string(a->cats[x->index].name ? a->cats[x->index].name : ""));
            json_object_set_new(j, "ap", json_pack("[ff]", x->a, x->b));
            json_object_set_new(j, "delta", json_real(x->delta));
            json_array_append_new(mv, j);
        }
        for (size_t i = 0; i < m->nimages; i++) {
            const xa_cocoeval_mover *x = &m->images[i];
            json_t *j = json_object();
            json_object_set_new(j, "kind", json_string("image"));
            json_object_set_new(j, "image_id", json_integer(x->id));
            json_object_set_new(j, "ap_with_ref_image", json_real(x->a));
            json_object_set_new(j, "delta", json_real(x->delta));
            json_array_append_new(mv, j);
        }
    }
    json_object_set_new(o, "movers", mv);
    if (m) {
        json_t *mi = json_object();
        json_object_set_new(mi, "category_delta",
                            json_string("AP of the category in the second run minus the first (IoU "
                                        "0.50:0.95, area all, maxDets 100)"));
        json_object_set_new(
            mi, "image_delta",
            json_string("AP (stats[0]) of the second run with this image's detections taken from "
                        "the first, minus AP of the second run"));
        json_object_set_new(mi, "images_changed", json_integer((json_int_t)m->images_changed));
        json_object_set_new(mi, "images_checked", json_integer((json_int_t)m->images_checked));
        json_object_set_new(o, "movers_method", mi);
    }
    json_object_set_new(o, "params", jparams(a));
    return xa_jdump(o);
}

char *xa_report_cocoeval_diff_text(const xa_cocoeval *a, const char *a_path, const xa_cocoeval *b,
                                   const char *b_path, const xa_cocoeval_movers *m, int per_class,
                                   size_t max_movers) {
    xa_sb sb = {0};
    char line[160];
    xa_sb_printf(&sb, "A: %s\nB: %s\n", a_path, b_path);
    xa_sb_printf(&sb, "%-76s %9s %9s %10s\n", "", "A", "B", "B - A");
    for (int i = 0; i < 12; i++) {
        xa_cocoeval_stat_line(a, i, line, sizeof line);
        char *eq = strstr(line, " = ");
        if (eq) *eq = 0;
        if (a->stats[i] == b->stats[i])
            xa_sb_printf(&sb, "%-76s %9.5f %9.5f %10s\n", line, a->stats[i], b->stats[i], "0");
        else
            xa_sb_printf(&sb, "%-76s %9.5f %9.5f %+10.6f\n", line, a->stats[i], b->stats[i],
                         b->stats[i] - a->stats[i]);
    }
    notes_text(&sb, a, a_path);
    notes_text(&sb, b, b_path);
    if (m) {
        if (m->ncats) {
            xa_sb_printf(&sb, "categories whose AP moved (IoU 0.50:0.95, area all, maxDets 100), "
                              "largest first:\n");
            for (size_t i = 0; i < m->ncats && i < max_movers; i++) {
                const xa_cocoeval_mover *x = &m->cats[i];
                xa_sb_printf(&sb, "  %6lld %-20s %.5f -> %.5f (%+.6f)\n", (long long)x->id,
                             cat_name(a, x->index), x->a, x->b, x->delta);
            }
            if (m->ncats > max_movers) xa_sb_printf(&sb, "  ... %zu more\n", m->ncats - max_movers);
        } else {
            xa_sb_printf(&sb, "no category's AP moved\n");
        }
        if (m->nimages) {
            xa_sb_printf(&sb,
                         "images that move AP most: AP of B with the image's detections taken "
                         "from A, minus AP of B (%zu images differ, %zu checked):\n",
                         m->images_changed, m->images_checked);
            for (size_t i = 0; i < m->nimages && i < max_movers; i++)
                xa_sb_printf(&sb, "  image %lld: %+.6f\n", (long long)m->images[i].id,
                             m->images[i].delta);
        } else {
            xa_sb_printf(&sb, "no image's detections were evaluated differently\n");
        }
    }
    if (per_class) {
        xa_sb_printf(&sb, "per category (area all, maxDets 100):\n  %8s  %-20s %8s %8s %8s %8s\n",
                     "id", "name", "AP A", "AP B", "AP50 A", "AP50 B");
        for (size_t k = 0; k < a->ncats; k++)
            xa_sb_printf(&sb, "  %8lld  %-20s %8.3f %8.3f %8.3f %8.3f\n", (long long)a->cats[k].id,
                         cat_name(a, k), xa_cocoeval_category_ap(a, k, -1),
                         xa_cocoeval_category_ap(b, k, -1), xa_cocoeval_category_ap(a, k, 0),
                         xa_cocoeval_category_ap(b, k, 0));
    }
    return xa_sb_take(&sb);
}

/* ---- the rounding check ------------------------------------------------------------------------
 */
char *xa_report_rounding_text(const char *path, const xa_dets *d, const xa_rounding_check *c) {
    xa_sb sb = {0};
    if (c->count == 0) {
        xa_sb_printf(&sb, "%s: no detections\n", path);
    } else if (c->rounded) {
        xa_sb_printf(&sb, "%s: rounded (bbox 3 decimals, score 5 decimals): all %zu detections\n",
                     path, c->count);
    } else {
        char v[XA_PY_REPR_SIZE], field[24];
        if (c->first_field < 4)
            snprintf(field, sizeof field, "bbox[%d]", c->first_field);
        else
            snprintf(field, sizeof field, "score");
        (void)d;
        xa_sb_printf(&sb,
                     "%s: not rounded (bbox 3 decimals, score 5 decimals): %zu of %zu boxes and "
                     "%zu scores have more decimals; first: entry %lld %s = %s\n",
                     path, c->box_unrounded, c->count, c->score_unrounded,
                     (long long)c->first_entry, field, (xa_py_repr(c->first_value, v), v));
    }
    return xa_sb_take(&sb);
}

char *xa_report_rounding_json(const char *path, const xa_rounding_check *c) {
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string("xalign.coco-json/1"));
    json_object_set_new(o, "path", json_string(path));
    json_object_set_new(o, "detections", json_integer((json_int_t)c->count));
    json_object_set_new(o, "rounded", json_boolean(c->rounded));
    json_object_set_new(o, "boxes_unrounded", json_integer((json_int_t)c->box_unrounded));
    json_object_set_new(o, "scores_unrounded", json_integer((json_int_t)c->score_unrounded));
    if (c->first_entry >= 0) {
        json_t *f = json_object();
        json_object_set_new(f, "entry", json_integer(c->first_entry));
        json_object_set_new(f, "field", json_string(c->first_field < 4 ? "bbox" : "score"));
        if (c->first_field < 4) json_object_set_new(f, "index", json_integer(c->first_field));
        json_object_set_new(f, "value", xa_jnum(c->first_value));
        json_object_set_new(o, "first_unrounded", f);
    }
    return xa_jdump(o);
}
