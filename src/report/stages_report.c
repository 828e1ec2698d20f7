/* Text and JSON for `xalign stages` (single sample and dataset runs). */
#include "report_internal.h"
#include "xalign/report.h"
#include "xalign/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A shell carrying a stage tensor's reference shape, for coordinates. */
static xa_tensor shape_of(const xa_stage_tensor *t) {
    xa_tensor s;
    memset(&s, 0, sizeof s);
    s.dtype = t->ref_dtype;
    s.rank = t->ref_rank;
    memcpy(s.shape, t->ref_shape, sizeof s.shape);
    return s;
}

/* The tensor that decides the stage's status: the worst one. */
static const xa_stage_tensor *worst_tensor(const xa_stage_result *s) {
    const xa_stage_tensor *w = NULL;
    for (size_t i = 0; i < s->ntensors; i++) {
        const xa_stage_tensor *t = &s->tensors[i];
        if (!w || (t->status != XA_STAGE_ALIGNED && w->status == XA_STAGE_ALIGNED) ||
            (t->has_cmp && w->has_cmp && t->status == w->status &&
             t->cmp.total.max_abs > w->cmp.total.max_abs))
            w = t;
    }
    return w;
}

static void tensor_line(xa_sb *sb, const xa_stage_result *s, const xa_stage_tensor *t,
                        const char *lead) {
    char a[40], b[40], c[40], where[200] = "";
    /* a single-tensor stage is named by the line's head already; npz members name themselves */
    const char *label = t->name && t->name[0] ? t->name : "";
    const char *sp = label[0] ? " " : "";
    if (t->status == XA_STAGE_ERROR) {
        xa_sb_printf(sb, "%s%s%serror: %s\n", lead, label, sp, t->error ? t->error : "?");
        return;
    }
    if (t->status == XA_STAGE_SHAPE_MISMATCH) {
        char rs[160], ps[160];
        xa_sb_printf(sb, "%s%s%sshape mismatch! ref %s %s, port %s %s", lead, label, sp,
                     xa_dtype_name(t->ref_dtype),
                     xa_shape_format(t->ref_rank, t->ref_shape, rs, sizeof rs),
                     xa_dtype_name(t->port_dtype),
                     xa_shape_format(t->port_rank, t->port_shape, ps, sizeof ps));
        xa_perm_list_text(sb, t->nperms, t->perms, t->perm_aligned, t->perm_max_abs);
        if (t->error) xa_sb_printf(sb, " (%s)", t->error);
        xa_sb_printf(sb, "\n");
        return;
    }
    const xa_metrics *m = &t->cmp.total;
    xa_tensor sh = shape_of(t);
    if (m->max_abs_index >= 0) xa_coords_text(&sh, m->max_abs_index, where, sizeof where);
    /* the verdict names what decided it ("cosine 0.9812 < 0.99"); max_abs and the count of
     * differing elements follow when the verdict did not already say them */
    char vt[512];
    xa_decisive_text(m, &t->cmp.tol, t->cmp.failed, vt, sizeof vt);
    unsigned shown = t->cmp.failed ? t->cmp.failed : t->cmp.tol.active;
    if (t->status == XA_STAGE_ALIGNED) {
        xa_sb_printf(sb, "%s%s%saligned. %s", lead, label, sp, vt);
        if (!(shown & (XA_TOL_MAX_ABS | XA_TOL_EQUAL)))
            xa_sb_printf(sb, "; max_abs %s", xa_fmt_num(m->max_abs, 6, a, sizeof a));
    } else {
        xa_sb_printf(sb, "%s%s%sunaligned! %s", lead, label, sp, vt);
        if (!(shown & XA_TOL_MAX_ABS))
            xa_sb_printf(sb, "; max_abs %s", xa_fmt_num(m->max_abs, 9, a, sizeof a));
        if (m->max_abs_index >= 0 && m->max_abs > 0)
            xa_sb_printf(sb, " at %s: ref %s, port %s", where,
                         xa_fmt_num(m->max_abs_ref, 7, b, sizeof b),
                         xa_fmt_num(m->max_abs_port, 7, c, sizeof c));
        /* "not equal" counts every element that is not bit-equal; when the verdict was not
         * decided by atol/rtol, the elements beyond the mismatch rule follow, so the count is
         * never read as the number of failures */
        if (!(shown & XA_TOL_EQUAL)) {
            xa_sb_printf(sb, "; %lld of %lld not equal", (long long)(m->count - m->equal),
                         (long long)m->count);
            if (!(shown & XA_TOL_ATOL_RTOL) && m->mismatches != m->count - m->equal) {
                const xa_tolerance *tl = &t->cmp.tol;
                xa_sb_printf(sb, ", %lld beyond |d| <= %s", (long long)m->mismatches,
                             xa_fmt_num(tl->atol, 6, b, sizeof b));
                if (tl->rtol > 0)
                    xa_sb_printf(sb, " + %s*|ref|", xa_fmt_num(tl->rtol, 6, c, sizeof c));
            }
        }
        if (m->nonfinite_mismatch && !(shown & XA_CMP_FAIL_NONFINITE))
            xa_sb_printf(sb, "; %lld one-sided NaN/Inf", (long long)m->nonfinite_mismatch);
    }
    if (t->ref_dtype != t->port_dtype)
        xa_sb_printf(sb, " [dtypes differ: ref %s, port %s]", xa_dtype_name(t->ref_dtype),
                     xa_dtype_name(t->port_dtype));
    /* which rule decided, unless it is the plain default of float32 or integer pairs */
    if (t->rule.what[0] &&
        (t->rule.source != XA_TOL_FROM_DTYPE ||
         (t->ref_dtype != XA_F32 && t->ref_dtype != XA_F64 && !xa_dtype_is_integer(t->ref_dtype))))
        xa_sb_printf(sb, " [%s]", t->rule.what);
    xa_sb_printf(sb, "\n");
}

/* The diagnosis under a stage: "cause: CODE -- evidence" and "fix: ..." for each finding. */
void xa_findings_text(xa_sb *sb, const xa_finding *fs, size_t n, const char *note,
                      const char *pad) {
    char a[40];
    for (size_t k = 0; k < n; k++) {
        const xa_finding *f = &fs[k];
        if (f->cause == XA_CAUSE_UNKNOWN)
            xa_sb_printf(sb, "%scause: unknown -- %s\n", pad, f->evidence);
        else
            xa_sb_printf(sb, "%scause: %s (confidence %.2f) -- %s\n", pad, xa_cause_name(f->cause),
                         f->confidence, f->evidence);
        if (!f->fix_text[0]) continue;
        xa_sb_printf(sb, "%sfix: %s", pad, f->fix_text);
        if (f->fix_op[0])
            xa_sb_printf(sb, " [%s%s%s on the %s]", f->fix_op, f->fix_params[0] ? " " : "",
                         f->fix_params,
                         !strcmp(f->fix_input, "port_output") ? "port's output"
                         : !strcmp(f->fix_input, "image")     ? "image file"
                                                              : "port's input");
        if (f->fix_verified)
            xa_sb_printf(sb, " -- with this fix: max_abs %s%s",
                         xa_fmt_num(f->max_abs_after, 6, a, sizeof a),
                         f->aligned_after   ? " (aligned)"
                         : f->input_differs ? " (still unaligned: the rest comes from the "
                                              "stage's input, which already differs)"
                                            : " (still unaligned)");
        xa_sb_printf(sb, "\n");
    }
    if (note) xa_sb_printf(sb, "%sdiagnosis: %s\n", pad, note);
}

char *xa_report_stages_text(const xa_stages_report *r, const char *ref_dir, const char *port_dir) {
    xa_sb sb = {0};
    char a[40], b[40];
    xa_sb_printf(&sb, "stages: ref %s, port %s\n", ref_dir, port_dir);
    size_t w = 4;
    for (size_t i = 0; i < r->nstages; i++)
        if (strlen(r->stages[i].name) > w) w = strlen(r->stages[i].name);
    for (size_t i = 0; i < r->nstages; i++) {
        const xa_stage_result *s = &r->stages[i];
        int ord = s->ref_order >= 0 ? s->ref_order : s->port_order;
        char head[200];
        if (ord >= 0 && ord < 1000000)
            snprintf(head, sizeof head, "%02d %-*s ", ord, (int)w, s->name);
        else
            snprintf(head, sizeof head, "-- %-*s ", (int)w, s->name);
        if (s->status == XA_STAGE_MISSING_REF || s->status == XA_STAGE_MISSING_PORT) {
            xa_sb_printf(&sb, "%smissing in the %s dumps\n", head,
                         s->status == XA_STAGE_MISSING_REF ? "reference" : "port");
            if (s->note) xa_sb_printf(&sb, "%*s(%s)\n", (int)strlen(head), "", s->note);
            continue;
        }
        if (s->ntensors == 0 && s->error && !s->has_own) {
            xa_sb_printf(&sb, "%serror: %s\n", head, s->error);
            continue;
        }
        if (s->det_report) { /* detections: matched by IoU, then each image's verdict */
            const xa_results_report *d = s->det_report;
            char pad2[220];
            snprintf(pad2, sizeof pad2, "%*s", (int)w + 4, "");
            xa_sb_printf(
                &sb,
                "%s%s detections of %zu images: %zu exact, %zu within the seed's rounding, "
                "%zu differ; %zu matched, %zu only in ref, %zu only in port; max box "
                "difference %s px, max score difference %s\n",
                head, d->aligned ? "aligned." : "unaligned!", d->nimages, d->exact, d->rounding,
                d->differs, d->matched, d->only_ref, d->only_port,
                xa_fmt_num(d->max_box_diff, 6, a, sizeof a),
                xa_fmt_num(d->max_score_diff, 6, b, sizeof b));
            if (!d->aligned) {
                char *t = xa_report_results_text(d, s->ref_path, s->port_path, 5);
                for (char *line = t, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                    nl = strchr(line, '\n');
                    if (nl) *nl = 0;
                    if (line != t) xa_sb_printf(&sb, "%s%s\n", pad2, line); /* after the summary */
                    if (!nl) break;
                }
                xa_free(t);
            }
            continue;
        }
        if (s->ntensors == 0) {
            xa_sb_printf(&sb, "%sunaligned! no tensor name in common\n", head);
        } else if (s->ntensors == 1 && !s->tensors[0].name[0]) {
            tensor_line(&sb, s, &s->tensors[0], head);
        } else {
            xa_sb_printf(&sb, "%s%s (%zu tensor%s matched by name)\n", head,
                         s->status == XA_STAGE_ALIGNED          ? "aligned."
                         : s->status == XA_STAGE_SHAPE_MISMATCH ? "shape mismatch!"
                         : s->status == XA_STAGE_ERROR          ? "error!"
                                                                : "unaligned!",
                         s->ntensors, s->ntensors == 1 ? "" : "s");
            char ind[220];
            snprintf(ind, sizeof ind, "%*s  - ", (int)w + 3, "");
            for (size_t t = 0; t < s->ntensors; t++) tensor_line(&sb, s, &s->tensors[t], ind);
        }
        char pad[220];
        snprintf(pad, sizeof pad, "%*s", (int)w + 4, "");
        for (size_t k = 0; k < s->nunmatched; k++)
            xa_sb_printf(
                &sb,
                "%s%s only in the %s dump: '%s' (tensors are matched by name, never by order)\n",
                pad, strncmp(s->unmatched[k], "ref:", 4) ? "tensor" : "tensor",
                strncmp(s->unmatched[k], "ref:", 4) ? "port" : "reference",
                strchr(s->unmatched[k], ':') + 1);
        if (s->note) xa_sb_printf(&sb, "%s(%s)\n", pad, s->note);
        if (s->pairing)
            xa_sb_printf(&sb, "%sthe tensors pair better in another order: %s\n", pad, s->pairing);
        if (s->has_topk) {
            const xa_topk *k = &s->topk;
            xa_sb_printf(&sb,
                         "%stop-1: ref %lld, port %lld (res %s); ref's top-1 score: ref %s, port "
                         "%s (score %s); top-%d overlap %d/%d\n",
                         pad, (long long)k->ref_idx[0], (long long)k->port_idx[0],
                         k->top1_equal ? "aligned" : "unaligned",
                         xa_fmt_num(k->ref_score[0], 7, a, sizeof a),
                         xa_fmt_num(k->ref_score[0] + k->top1_score_diff, 7, b, sizeof b),
                         s->tensors[0].status == XA_STAGE_ALIGNED ? "aligned" : "unaligned", k->k,
                         k->overlap, k->k);
        }
        if (s->has_own) {
            if (s->has_self && s->self_status == XA_STAGE_UNALIGNED) {
                /* a replay that does not reproduce the reference proves nothing about the port */
                xa_sb_printf(&sb,
                             "%sreplay: the manifest's %s does not reproduce the reference from "
                             "its own input (max_abs %s) -- the manifest does not describe the "
                             "original; own error not determined\n",
                             pad, s->own_desc ? s->own_desc : "",
                             xa_fmt_num(s->self.total.max_abs, 6, a, sizeof a));
            } else if (s->own_status == XA_STAGE_ERROR) {
                xa_sb_printf(&sb, "%sown error: replay failed (%s): %s\n", pad,
                             s->own_desc ? s->own_desc : "", s->error ? s->error : "?");
            } else {
                char vt[512], mx[64] = "";
                xa_decisive_text(&s->own.total, &s->own.tol, s->own.failed, vt, sizeof vt);
                unsigned shown = s->own.failed ? s->own.failed : s->own.tol.active;
                if (!(shown & (XA_TOL_MAX_ABS | (s->own.failed ? 0 : XA_TOL_EQUAL))))
                    snprintf(mx, sizeof mx, "; max_abs %s",
                             xa_fmt_num(s->own.total.max_abs, 9, a, sizeof a));
                if (s->own_status == XA_STAGE_ALIGNED)
                    xa_sb_printf(&sb, "%sown error: none (%s%s) when the original's %s -- %s\n",
                                 pad, vt, mx, s->own_desc,
                                 s->status == XA_STAGE_ALIGNED ? "the stage matches"
                                                               : "inherited only");
                else
                    xa_sb_printf(&sb,
                                 "%sown error: %s%s on identical input (the original's %s) -- "
                                 "this operation differs\n",
                                 pad, vt, mx, s->own_desc);
            }
            if (s->has_self && s->self_status == XA_STAGE_ERROR && s->own_status != XA_STAGE_ERROR)
                xa_sb_printf(&sb,
                             "%sreplay on the reference's own input failed: %s -- whether the "
                             "manifest describes the original is not known\n",
                             pad, s->self_error ? s->self_error : "?");
        }
        xa_findings_text(&sb, s->findings, s->nfindings,
                         s->status != XA_STAGE_ALIGNED ? s->diag_note : NULL, pad);
        if (s->inherited && s->status != XA_STAGE_ALIGNED &&
            !(s->has_own && s->own_status != XA_STAGE_ERROR) && !s->diag_inherited)
            xa_sb_printf(&sb, "%s(after the first unaligned stage: may be inherited)\n", pad);
    }
    if (r->first_unaligned >= 0) {
        const xa_stage_result *s = &r->stages[r->first_unaligned];
        int ord = s->ref_order >= 0 ? s->ref_order : s->port_order;
        xa_sb_printf(&sb, "first unaligned stage: %s", s->name);
        if (ord >= 0 && ord < 1000000) xa_sb_printf(&sb, " (%02d)", ord);
        xa_sb_printf(&sb, ", %s\n", xa_stage_status_name(s->status));
    } else if (xa_stages_all_aligned(r)) {
        xa_sb_printf(&sb, "all %zu stages aligned.\n", r->nstages);
    } else {
        xa_sb_printf(&sb, "no compared stage differs, but not every stage was compared:");
        for (size_t i = 0, k = 0; i < r->nstages; i++)
            if (r->stages[i].status != XA_STAGE_ALIGNED)
                xa_sb_printf(&sb, "%s %s (%s)", k++ ? "," : "", r->stages[i].name,
                             xa_stage_status_name(r->stages[i].status));
        xa_sb_printf(&sb, "\n");
    }
    for (size_t i = 0; i < r->nconclusions; i++)
        xa_sb_printf(&sb, "conclusion: %s\n", r->conclusions[i]);
    return xa_sb_take(&sb);
}

json_t *xa_jfindings(const xa_finding *fs, size_t n) {
    json_t *a = json_array();
    for (size_t k = 0; k < n; k++) {
        const xa_finding *f = &fs[k];
        json_t *o = json_object(), *fx = json_object();
        json_object_set_new(o, "cause", json_string(xa_cause_name(f->cause)));
        json_object_set_new(o, "confidence", xa_jnum(f->confidence));
        json_object_set_new(o, "evidence", json_string(f->evidence));
        json_object_set_new(o, "summary", json_string(f->summary));
        json_object_set_new(fx, "text", json_string(f->fix_text));
        json_object_set_new(fx, "op", f->fix_op[0] ? json_string(f->fix_op) : json_null());
        json_t *params = json_object();
        char buf[sizeof f->fix_params];
        snprintf(buf, sizeof buf, "%s", f->fix_params);
        for (char *save = NULL, *kv = strtok_r(buf, " ", &save); kv;
             kv = strtok_r(NULL, " ", &save)) {
            char *eq = strchr(kv, '=');
            if (eq) *eq = 0;
            json_object_set_new(params, kv, json_string(eq ? eq + 1 : ""));
        }
        json_object_set_new(fx, "params", params);
        json_object_set_new(fx, "input", f->fix_op[0] ? json_string(f->fix_input) : json_null());
        json_object_set_new(fx, "max_abs_after",
                            f->fix_verified ? xa_jnum(f->max_abs_after) : json_null());
        json_object_set_new(fx, "aligned_after",
                            f->fix_verified ? json_boolean(f->aligned_after) : json_null());
        json_object_set_new(fx, "input_differs", json_boolean(f->input_differs));
        json_object_set_new(o, "fix", fx);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *jstage(const xa_stage_result *s) {
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "status", json_string(xa_stage_status_name(s->status)));
    json_object_set_new(o, "ref_order",
                        s->ref_order >= 0 && s->ref_order < 1000000 ? json_integer(s->ref_order)
                                                                    : json_null());
    json_object_set_new(o, "port_order",
                        s->port_order >= 0 && s->port_order < 1000000 ? json_integer(s->port_order)
                                                                      : json_null());
    json_object_set_new(o, "ref", s->ref_path ? json_string(s->ref_path) : json_null());
    json_object_set_new(o, "port", s->port_path ? json_string(s->port_path) : json_null());
    const xa_stage_tensor *w = worst_tensor(s);
    if (w && w->has_cmp) {
        xa_tensor sh = shape_of(w);
        json_object_set_new(o, "metrics", xa_jmetrics(&w->cmp.total, &sh));
        json_object_set_new(o, "tolerance", xa_jtolerance(&w->cmp.tol));
    } else {
        json_object_set_new(o, "metrics", json_null());
    }
    json_t *ta = json_array();
    for (size_t i = 0; i < s->ntensors; i++) {
        const xa_stage_tensor *t = &s->tensors[i];
        json_t *to = json_object();
        json_object_set_new(to, "name", json_string(t->name));
        json_object_set_new(to, "status", json_string(xa_stage_status_name(t->status)));
        json_object_set_new(to, "ref_dtype", json_string(xa_dtype_name(t->ref_dtype)));
        json_object_set_new(to, "port_dtype", json_string(xa_dtype_name(t->port_dtype)));
        json_object_set_new(to, "ref_shape", xa_jshape(t->ref_rank, t->ref_shape));
        json_object_set_new(to, "port_shape", xa_jshape(t->port_rank, t->port_shape));
        if (t->rule.what[0]) json_object_set_new(to, "rule", xa_jrule(&t->rule));
        if (t->has_cmp) {
            xa_tensor sh = shape_of(t);
            json_object_set_new(to, "metrics", xa_jmetrics(&t->cmp.total, &sh));
            json_object_set_new(to, "failed", xa_jfailed(t->cmp.failed));
        }
        if (t->nperms)
            json_object_set_new(
                to, "permutations",
                xa_jperms_max_abs(t->nperms, t->perms, t->perm_aligned, t->perm_max_abs));
        if (t->error) json_object_set_new(to, "error", json_string(t->error));
        json_array_append_new(ta, to);
    }
    json_object_set_new(o, "tensors", ta);
    json_t *um = json_array();
    for (size_t k = 0; k < s->nunmatched; k++)
        json_array_append_new(um, json_string(s->unmatched[k]));
    json_object_set_new(o, "unmatched", um);
    json_object_set_new(o, "pairing", s->pairing ? json_string(s->pairing) : json_null());
    json_object_set_new(o, "note", s->note ? json_string(s->note) : json_null());
    if (s->has_own) {
        json_t *ow = json_object();
        json_object_set_new(ow, "op", json_string(s->own_desc ? s->own_desc : ""));
        json_object_set_new(ow, "status", json_string(xa_stage_status_name(s->own_status)));
        json_object_set_new(ow, "metrics",
                            s->own_status != XA_STAGE_ERROR ? xa_jmetrics(&s->own.total, NULL)
                                                            : json_null());
        json_object_set_new(o, "own_error", ow);
    } else {
        json_object_set_new(o, "own_error", json_null());
    }
    if (s->has_topk) {
        json_t *tk = json_object(), *ri = json_array(), *pi = json_array(), *rs = json_array(),
               *ps = json_array();
        for (int k = 0; k < s->topk.k; k++) {
            json_array_append_new(ri, json_integer(s->topk.ref_idx[k]));
            json_array_append_new(pi, json_integer(s->topk.port_idx[k]));
            json_array_append_new(rs, xa_jnum(s->topk.ref_score[k]));
            json_array_append_new(ps, xa_jnum(s->topk.port_score[k]));
        }
        json_object_set_new(tk, "k", json_integer(s->topk.k));
        json_object_set_new(tk, "ref_index", ri);
        json_object_set_new(tk, "port_index", pi);
        json_object_set_new(tk, "ref_score", rs);
        json_object_set_new(tk, "port_score", ps);
        json_object_set_new(tk, "overlap", json_integer(s->topk.overlap));
        json_object_set_new(tk, "top1_equal", json_boolean(s->topk.top1_equal));
        json_object_set_new(tk, "top1_score_diff", xa_jnum(s->topk.top1_score_diff));
        json_object_set_new(o, "topk", tk);
    }
    json_object_set_new(o, "inherited", json_boolean(s->inherited));
    if (s->det_report) {
        char *dj = xa_report_results_json(s->det_report, s->ref_path, s->port_path);
        json_t *d = dj ? json_loads(dj, 0, NULL) : NULL;
        xa_free(dj);
        if (d) json_object_del(d, "schema");
        json_object_set_new(o, "detections", d ? d : json_null());
    }
    json_object_set_new(o, "diagnosis", xa_jfindings(s->findings, s->nfindings));
    json_object_set_new(o, "diagnosis_note",
                        s->diag_note ? json_string(s->diag_note) : json_null());
    json_object_set_new(o, "diagnosis_inherits",
                        s->diag_inherited == 1   ? json_string("proven")
                        : s->diag_inherited == 2 ? json_string("presumed")
                                                 : json_null());
    if (s->has_self) {
        json_t *sf = json_object();
        json_object_set_new(sf, "status", json_string(xa_stage_status_name(s->self_status)));
        json_object_set_new(sf, "metrics",
                            s->self_status != XA_STAGE_ERROR ? xa_jmetrics(&s->self.total, NULL)
                                                             : json_null());
        if (s->self_error) json_object_set_new(sf, "error", json_string(s->self_error));
        json_object_set_new(o, "replay_on_reference", sf);
    }
    json_object_set_new(o, "error", s->error ? json_string(s->error) : json_null());
    return o;
}

/* The stages of one sample into `o`. */
static json_t *jstages(const xa_stages_report *r, json_t *o) {
    json_t *a = json_array();
    json_object_set_new(o, "ref_dir", r->ref_dir ? json_string(r->ref_dir) : json_null());
    json_object_set_new(o, "port_dir", r->port_dir ? json_string(r->port_dir) : json_null());
    for (size_t i = 0; i < r->nstages; i++) json_array_append_new(a, jstage(&r->stages[i]));
    json_object_set_new(o, "stages", a);
    json_object_set_new(o, "first_unaligned",
                        r->first_unaligned >= 0 ? json_string(r->stages[r->first_unaligned].name)
                                                : json_null());
    json_t *miss = json_array();
    for (size_t i = 0; i < r->nstages; i++)
        if (r->stages[i].status == XA_STAGE_MISSING_REF ||
            r->stages[i].status == XA_STAGE_MISSING_PORT)
            json_array_append_new(miss, json_string(r->stages[i].name));
    json_object_set_new(o, "missing", miss);
    json_t *cc = json_array();
    for (size_t i = 0; i < r->nconclusions; i++)
        json_array_append_new(cc, json_string(r->conclusions[i]));
    json_object_set_new(o, "conclusions", cc);
    json_object_set_new(o, "aligned", json_boolean(xa_stages_all_aligned(r)));
    return o;
}

char *xa_report_stages_json(const xa_stages_report *r) {
    return xa_jdump(jstages(r, xa_jobject("xalign.stages/1")));
}

/* The samples of a dataset run as the JSON objects of their stages; rendered into the dataset
 * object by dataset_report.c, the one path of one runs and merged shards. */
json_t *xa_jdataset_samples(const xa_dataset_report *r) {
    json_t *sa = json_array();
    for (size_t i = 0; i < r->nsamples; i++) {
        json_t *so = jstages(&r->reports[i], json_object());
        json_object_set_new(so, "sample", json_string(r->samples[i]));
        json_array_append_new(sa, so);
    }
    return sa;
}
