/* Diagnosis inside `xalign stages`: the hook that diagnoses each compared stage while its dumps
 * are loaded, with the manifest's replays taken into account, and the conclusions over the whole
 * run that keep the verdicts from contradicting each other. */
#include "diag_internal.h"
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
        if (self_bad) {
            xa_finding f = {.cause = XA_CAUSE_MANIFEST, .confidence = 1};
            snprintf(f.evidence, sizeof f.evidence,
                     "the stage is aligned, but the manifest's %s does not reproduce the "
                     "reference from its own input (max_abs %.6g): the manifest does not describe "
                     "the original",
                     d->manifest->op.text, s->self.total.max_abs);
            snprintf(f.fix_text, sizeof f.fix_text,
                     "correct the manifest's operation for this stage ('xalign diagnose' on the "
                     "reference's input and output names the one that does)");
            push(s, &f);
        } else {
            s->diag_note = xa_strdup("aligned: no cause to look for");
        }
        return;
    }
    if (self_bad && own_ok) {
        xa_finding f = {.cause = XA_CAUSE_SWAPPED, .confidence = 1};
        snprintf(f.evidence, sizeof f.evidence,
                 "the manifest's %s reproduces the port's stage from the port's input exactly but "
                 "not the reference's (max_abs %.6g): REF and PORT are probably given the other "
                 "way round",
                 d->manifest->op.text, s->self.total.max_abs);
        snprintf(f.fix_text, sizeof f.fix_text,
                 "run 'xalign stages PORT_DIR REF_DIR' the other way round, or correct the "
                 "manifest");
        push(s, &f);
        return;
    }
    if (own_ok && (!s->has_self || self_ok)) {
        s->diag_note = dupf("inherits its difference: the original's %s reproduces the port's "
                            "stage from the port's own input",
                            d->manifest->op.text);
        return;
    }
    const xa_tensor *ref = single(d->ref), *port = single(d->port);
    if (!ref || !port) { /* multi-tensor stages: the worst member */
        const xa_stage_tensor *w = NULL;
        size_t wi = 0;
        for (size_t i = 0; i < s->ntensors; i++)
            if (s->tensors[i].status != XA_STAGE_ALIGNED &&
                (!w || (s->tensors[i].has_cmp && w->has_cmp &&
                        s->tensors[i].cmp.total.max_abs > w->cmp.total.max_abs)))
                w = &s->tensors[i], wi = i;
        if (!w) {
            s->diag_note = xa_strdup("not diagnosed: the stage's tensors are aligned member by "
                                     "member; its names differ");
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
    if (xa_diagnose(&in, &dg, &err)) {
        s->diag_note = dupf("not diagnosed: %s", err.message);
        return;
    }
    if (self_bad) {
        xa_finding f = {.cause = XA_CAUSE_MANIFEST, .confidence = 1};
        snprintf(f.evidence, sizeof f.evidence,
                 "the manifest's %s does not reproduce the reference from its own input (max_abs "
                 "%.6g): the manifest describes the original wrongly, so its replay cannot tell "
                 "this stage's own error from what it inherits",
                 d->manifest->op.text, s->self.total.max_abs);
        snprintf(f.fix_text, sizeof f.fix_text, "correct the manifest's operation for this stage%s",
                 dg.n && dg.findings[0].fix_op[0] ? " (the fix below names the original's)" : "");
        push(s, &f);
    }
    for (size_t i = 0; i < dg.n; i++) push(s, &dg.findings[i]);
    if (dg.note[0]) s->diag_note = xa_strdup(dg.note);
    xa_diagnosis_clear(&dg);
}

/* ---- conclusions over the whole run -------------------------------------------------------------
 */
static void conclude(xa_stages_report *r, const char *fmt, ...) XA_PRINTF(2, 3);
static void conclude(xa_stages_report *r, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **a = realloc(r->conclusions, (r->nconclusions + 1) * sizeof *a);
    if (!a) return;
    r->conclusions = a;
    if ((a[r->nconclusions] = xa_strdup(buf))) r->nconclusions++;
}

static size_t distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
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
            if (t->status != XA_STAGE_ALIGNED && t->has_own && t->own_status == XA_STAGE_ALIGNED)
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
                size_t dd = distance(s->name, t->name);
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
