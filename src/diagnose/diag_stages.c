/* Diagnosis inside `xalign stages`: the hook that diagnoses each compared stage while its dumps
 * are loaded, with the manifest's replays taken into account, and the conclusions over the whole
 * run that keep the verdicts from contradicting each other. */
#include "diag_internal.h"
#include "xalign/io.h"
#include "xalign/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dupf(const char *fmt, ...) XA_PRINTF(1, 2);
static char *dupf(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return xa_strdup(buf);
}

/* Append a finding to a stage result (the copy is the caller's). */
static xa_finding *push(xa_stage_result *s, const xa_finding *f) {
    xa_finding *a = realloc(s->findings, (s->nfindings + 1) * sizeof *a);
    if (!a) return NULL;
    s->findings = a;
    a[s->nfindings] = *f;
    return &a[s->nfindings++];
}

static const xa_tensor *single(const xa_tensor_list *l) {
    return l && l->count == 1 ? l->tensors[0] : NULL;
}

/* The manifest's operation does not reproduce the reference from the reference's own input: say
 * so, and search the variant of it (one parameter changed) that does, verified on the port's
 * input. `aligned` says the stage itself is aligned. */
static void manifest_wrong(xa_stage_result *s, const xa_stage_data *d, int aligned) {
    const xa_op *mop = d->manifest->op.op;
    int file = !strcmp(xa_op_get_info(mop)->inputs, "file");
    const char *want_in = d->manifest->op.input;
    xa_tensor *bytes = NULL;
    const xa_tensor *rin = NULL, *pin = NULL;
    if (file && d->image && !xa_load_bytes(d->image, &bytes, NULL)) {
        rin = pin = bytes;
    } else if (!file && (!want_in[0] || (d->ref_in_name && !strcmp(want_in, d->ref_in_name)))) {
        rin = single(d->ref_in);
        pin = single(d->port_in);
    }
    const xa_tensor *ref = single(d->ref);
    xa_tolerance tol = d->cmp ? d->cmp->tol : (xa_tolerance){0};
    char desc[300], change[160];
    int found = rin && ref &&
                xa_diag_correct_op(mop, rin, ref, &tol, desc, sizeof desc, change, sizeof change);
    xa_finding f = {.cause = XA_CAUSE_MANIFEST, .confidence = 1};
    char found_text[480] = "";
    if (found)
        snprintf(found_text, sizeof found_text, "; with %.150s it does (%.290s)", change, desc);
    snprintf(f.evidence, sizeof f.evidence,
             "%sthe manifest's %.200s does not reproduce the reference from its own input (max_abs "
             "%.6g)%.300s: the manifest describes the original wrongly%s",
             aligned ? "the stage is aligned, but " : "", d->manifest->op.text,
             s->self.total.max_abs, found_text,
             aligned ? ""
                     : ", so its replay cannot tell this stage's own error from what it "
                       "inherits");
    snprintf(f.summary, sizeof f.summary, "manifest: %.100s", found ? change : "wrong operation");
    if (found) {
        snprintf(f.fix_text, sizeof f.fix_text,
                 "correct the manifest: %s (the original's operation for this stage)", desc);
        const char *sp = strchr(desc, ' ');
        snprintf(f.fix_op, sizeof f.fix_op, "%.*s", (int)(sp ? (size_t)(sp - desc) : strlen(desc)),
                 desc);
        snprintf(f.fix_params, sizeof f.fix_params, "%s", sp ? sp + 1 : "");
        snprintf(f.fix_input, sizeof f.fix_input, "%s", file ? "image" : "port_input");
        /* verified: the corrected operation on the port's input against the reference */
        xa_op *op = NULL;
        xa_tensor *out = NULL;
        if (pin && !xa_op_new(f.fix_op, &op, NULL)) {
            int ok = 1;
            char buf[sizeof f.fix_params];
            snprintf(buf, sizeof buf, "%s", f.fix_params);
            for (char *save = NULL, *kv = strtok_r(buf, " ", &save); kv && ok;
                 kv = strtok_r(NULL, " ", &save)) {
                char *eq = strchr(kv, '=');
                if (eq) *eq = 0;
                ok = eq && !xa_op_set(op, kv, eq + 1, NULL);
            }
            xa_cmp_options o;
            xa_cmp_options_init(&o);
            o.tol = tol;
            o.threads = 1;
            xa_cmp_result res;
            if (ok && !xa_op_run(op, &pin, 1, &out, NULL) &&
                xa_tensor_count(out) == xa_tensor_count(ref) &&
                !xa_compare(ref, out, &o, &res, NULL)) {
                f.fix_verified = 1;
                f.max_abs_after = res.total.max_abs;
                f.aligned_after = res.aligned;
                xa_cmp_result_clear(&res);
            }
        }
        xa_tensor_free(out);
        xa_op_free(op);
    } else {
        snprintf(f.fix_text, sizeof f.fix_text,
                 "correct the manifest's operation for this stage (no variant of %s with one "
                 "parameter changed reproduces the reference%s)",
                 xa_op_get_info(mop)->name,
                 aligned ? "; 'xalign diagnose' on the reference's input and output" : "");
    }
    xa_tensor_free(bytes);
    push(s, &f);
}

void xa_diagnose_stage_hook(void *ctx, xa_stage_result *s, const xa_stage_data *d) {
    (void)ctx;
    if (s->status == XA_STAGE_MISSING_REF || s->status == XA_STAGE_MISSING_PORT ||
        s->status == XA_STAGE_ERROR)
        return;
    s->diagnosed = 1;
    const xa_op *mop = d->manifest && d->manifest->op.op ? d->manifest->op.op : NULL;
    /* the manifest's operation, replayed on each side's own input (stages.c), decides first */
    int self_ok = s->has_self && s->self_status == XA_STAGE_ALIGNED;
    int self_bad = s->has_self && s->self_status == XA_STAGE_UNALIGNED;
    int own_ok = s->has_own && s->own_status == XA_STAGE_ALIGNED;
    if (s->status == XA_STAGE_ALIGNED) {
        if (self_bad)
            manifest_wrong(s, d, 1);
        else
            s->diag_note = xa_strdup("aligned: no cause to look for");
        return;
    }
    if (self_bad && own_ok) {
        /* the manifest describes the port's side, not the reference's: the two folders the
         * other way round, or a manifest written from the port's code */
        xa_finding f = {.cause = XA_CAUSE_SWAPPED, .confidence = 1};
        snprintf(f.evidence, sizeof f.evidence,
                 "the manifest's %s reproduces the port's stage from the port's input exactly but "
                 "not the reference's from its own (max_abs %.6g): REF and PORT are given the "
                 "other way round, or the manifest describes the port's operation instead of the "
                 "original's",
                 d->manifest->op.text, s->self.total.max_abs);
        snprintf(f.fix_text, sizeof f.fix_text,
                 "run 'xalign stages PORT_DIR REF_DIR' the other way round, or correct the "
                 "manifest");
        snprintf(f.summary, sizeof f.summary, "REF and PORT swapped?");
        push(s, &f);
    } else if (own_ok && (!s->has_self || self_ok)) {
        s->diag_inherited = 1;
        s->diag_note = dupf("inherits its difference: the original's %s reproduces the port's "
                            "stage from the port's own input",
                            d->manifest->op.text);
        return;
    }
    const xa_tensor *ref = single(d->ref), *port = single(d->port);
    if (!ref || !port) { /* multi-tensor stages: another pairing, else the worst member */
        xa_finding pf;
        int found = 0;
        if (s->dump_order) { /* the stage found the order in which the dump aligns */
            memset(&pf, 0, sizeof pf);
            pf.cause = XA_CAUSE_OUTPUT_ORDER;
            pf.confidence = 1;
            snprintf(pf.evidence, sizeof pf.evidence,
                     "%.600s: the runtime writes the outputs in the model's order, not the "
                     "reference's",
                     s->pairing);
            snprintf(pf.summary, sizeof pf.summary, "raw dump in another order");
            snprintf(pf.fix_text, sizeof pf.fix_text,
                     "read the dump's parts in the model's output order: give --bmodel (it names "
                     "each output), or a manifest \"port\" spec with the parts' shapes in that "
                     "order and their \"names\"");
            push(s, &pf);
            return;
        }
        xa_tolerance tol = d->cmp ? d->cmp->tol : (xa_tolerance){0};
        if (d->ref && d->port && !xa_diag_pairing(d->ref, d->port, &tol, &pf, &found, NULL) &&
            found && pf.confidence >= 0.5) {
            push(s, &pf);
            return;
        }
        const xa_stage_tensor *w = NULL;
        size_t wi = 0;
        for (size_t i = 0; i < s->ntensors; i++)
            if (s->tensors[i].status != XA_STAGE_ALIGNED &&
                (!w || (s->tensors[i].has_cmp && w->has_cmp &&
                        s->tensors[i].cmp.total.max_abs > w->cmp.total.max_abs)))
                w = &s->tensors[i], wi = i;
        if (!w) { /* what differs are the members on one side only: name them */
            char only[2][300] = {"", ""};
            size_t n[2] = {0, 0};
            for (size_t i = 0; i < s->nunmatched; i++) {
                const char *u = s->unmatched[i];
                int side = strncmp(u, "ref:", 4) != 0;
                const char *nm = strchr(u, ':') ? strchr(u, ':') + 1 : u;
                if (n[side] < sizeof only[side])
                    n[side] += (size_t)snprintf(only[side] + n[side], sizeof only[side] - n[side],
                                                "%s'%s'", n[side] ? ", " : "", nm);
            }
            s->diag_note = dupf("not diagnosed: the members both sides have are aligned; the "
                                "stage differs by its members on one side only (reference: %s; "
                                "port: %s)",
                                only[0][0] ? only[0] : "none", only[1][0] ? only[1] : "none");
            return;
        }
        for (size_t i = 0; i < d->ref->count; i++)
            if (!strcmp(d->ref->names[i], s->tensors[wi].name)) ref = d->ref->tensors[i];
        for (size_t i = 0; i < d->port->count; i++)
            if (!strcmp(d->port->names[i], s->tensors[wi].name)) port = d->port->tensors[i];
        if (!ref || !port) return;
    }
    xa_diagnose_input in = {ref,
                            port,
                            single(d->ref_in),
                            single(d->port_in),
                            d->image,
                            self_bad ? NULL : mop,
                            d->cmp ? d->cmp->tol : (xa_tolerance){0},
                            s->name};
    xa_diagnosis dg;
    xa_error err = {0};
    char image_note[600] = "";
    if (xa_diagnose(&in, &dg, &err) && in.image) { /* without the image that cannot be read */
        snprintf(image_note, sizeof image_note,
                 "the image could not be read (%.500s): diagnosed from the dumps alone",
                 err.message);
        in.image = NULL;
        memset(&err, 0, sizeof err);
        xa_diagnose(&in, &dg, &err);
    }
    if (err.status) {
        s->diag_note = dupf("not diagnosed: %s", err.message);
        return;
    }
    if (self_bad && !own_ok) manifest_wrong(s, d, 0);
    for (size_t i = 0; i < dg.n; i++) push(s, &dg.findings[i]);
    if (dg.note[0] || image_note[0])
        s->diag_note = dupf("%s%s%s", dg.note, dg.note[0] && image_note[0] ? "; " : "", image_note);
    s->diag_inherited = dg.n ? 0 : dg.inherited;
    xa_diagnosis_clear(&dg);
}

/* ---- conclusions over the whole run -------------------------------------------------------------
 */
static void conclude(xa_stages_report *r, const char *fmt, ...) XA_PRINTF(2, 3);
static void conclude(xa_stages_report *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    (void)xa_strlist_vaddf(&r->conclusions, &r->nconclusions, fmt,
                           ap); /* none when out of memory */
    va_end(ap);
}

void xa_diagnose_report(xa_stages_report *r) {
    int swapped = 0;
    for (size_t i = 0; i < r->nstages; i++) {
        xa_stage_result *s = &r->stages[i];
        for (size_t k = 0; k < s->nfindings; k++)
            swapped |= s->findings[k].cause == XA_CAUSE_SWAPPED;
        /* an exactly aligned stage followed by one that only inherits a difference: impossible */
        if (i + 1 < r->nstages && s->status == XA_STAGE_ALIGNED && s->ntensors == 1 &&
            s->tensors[0].has_cmp && s->tensors[0].cmp.total.max_abs == 0) {
            xa_stage_result *t = &r->stages[i + 1];
            if (t->status != XA_STAGE_ALIGNED && t->has_own && t->own_status == XA_STAGE_ALIGNED &&
                !(t->has_self && t->self_status == XA_STAGE_UNALIGNED))
                conclude(r,
                         "'%s' is aligned exactly, so '%s' cannot only inherit a difference: the "
                         "manifest's operation for '%s' does not describe the original, or REF "
                         "and PORT are swapped",
                         s->name, t->name, t->name);
        }
        /* names that differ by a typo: one stage missing on each side */
        if (s->status == XA_STAGE_MISSING_PORT)
            for (size_t j = 0; j < r->nstages; j++) {
                const xa_stage_result *t = &r->stages[j];
                size_t dd = xa_edit_distance(s->name, t->name);
                if (t->status == XA_STAGE_MISSING_REF && dd <= 2 && 2 * dd < strlen(s->name))
                    conclude(r,
                             "stage '%s' is only in the reference and '%s' only in the port: the "
                             "same stage under two names? (did you mean '%s'?)",
                             s->name, t->name, s->name);
            }
    }
    if (swapped)
        conclude(r, "REF and PORT swapped? the manifest's operations reproduce the port's stages "
                    "from the port's inputs but not the reference's");
}
