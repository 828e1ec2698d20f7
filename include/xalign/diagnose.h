/* xalign diagnose: name the cause of a divergence, with evidence and a verified fix.
 *
 * Each cause (xa_cause in stages.h) is an explicit hypothesis tested on the tensors: the
 * difference vanishes after permuting channels, a per-channel affine map explains it, one of the
 * registered resize methods reproduces a side from its input, a spatial offset, a constant border,
 * one unit of rounding, a lower dtype's rounding, ... A hypothesis reports a confidence in [0, 1]:
 * the share of the difference (sum of squared differences) it explains. Findings below one half
 * are not findings: when nothing explains the difference, the cause is `unknown` with where the
 * error sits. The fix names the registered operation and parameters that align the stage and is
 * replayed to verify it (docs/diagnose.md).
 */
#ifndef XALIGN_DIAGNOSE_H
#define XALIGN_DIAGNOSE_H

#include "registry.h"
#include "stages.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Inputs of one diagnosis. ref/port are the stage's outputs; the inputs (the previous stage of
 * each side) and the image file are optional and enable the hypotheses that need them. */
typedef struct xa_diagnose_input {
    const xa_tensor *ref, *port;
    const xa_tensor *ref_in, *port_in; /* may be NULL */
    const char *image;                 /* the source image file, may be NULL */
    const xa_op *original;             /* the original's operation (manifest), may be NULL */
    xa_tolerance tol;                  /* active == 0: dtype defaults */
    const char *stage;                 /* name, for messages; may be NULL */
} xa_diagnose_input;

typedef struct xa_diagnosis {
    int aligned; /* the two tensors already agree: no cause to look for */
    size_t n;    /* findings, best first */
    xa_finding *findings;
    char note[512]; /* why there are no findings, or a conclusion beyond them */
    /* no findings because the stage only inherits its difference: 1 proven (one operation
     * reproduces each side from its own input), 2 presumed (the inputs differ and no cause of
     * the stage's own explains the difference) */
    int inherited;
} xa_diagnosis;

XA_API xa_status xa_diagnose(const xa_diagnose_input *in, xa_diagnosis *out, xa_error *err);
XA_API void xa_diagnosis_clear(xa_diagnosis *d);

/* A stage hook (xa_stages_options.after_stage) that diagnoses every compared stage that differs
 * and fills the result's findings; ctx is unused (NULL). Thread-safe. */
XA_API void xa_diagnose_stage_hook(void *ctx, xa_stage_result *s, const xa_stage_data *d);

/* Conclusions over a whole run that no single stage can draw: verdicts that cannot both be true
 * (an exactly aligned stage followed by one that only "inherits" a difference), a manifest that
 * does not describe the original, REF and PORT given the other way round, stage names that
 * differ by a typo. Adds notes and findings to the report's stages. */
XA_API void xa_diagnose_report(xa_stages_report *r);

#ifdef __cplusplus
}
#endif
#endif
