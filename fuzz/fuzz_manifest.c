/* Fuzz target: stage manifests (xa_manifest_parse) on arbitrary bytes. A parsed manifest must have
 * NUL-terminated names and specs, and every operation must be valid as parsed: its description
 * and every parameter's canonical value are readable, and a parameter's text form parses back to
 * the same value (the registry's one parser per kind of value). */
#include "fuzz_target.h"
#include <stdint.h>
#include <string.h>
#include <xalign/xalign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_error err;
    xa_manifest m;
    if (xa_manifest_parse((const char *)data, size, &m, &err) != XA_OK) return 0;
    size_t touched = 0;
    for (size_t i = 0; i < m.nstages; i++) {
        const xa_manifest_stage *s = &m.stages[i];
        touched += strlen(s->name) + strlen(s->ref_spec) + strlen(s->port_spec) +
                   strlen(s->op.input) + strlen(s->op.text);
        if (!s->op.op) continue;
        if (xa_op_validate(s->op.op, NULL) != XA_OK) __builtin_trap();
        const xa_op_info *in = xa_op_get_info(s->op.op);
        xa_op *copy;
        if (xa_op_new(in->name, &copy, NULL) != XA_OK) __builtin_trap();
        for (size_t k = 0; k < in->nparams; k++) {
            const char *v = xa_op_get(s->op.op, in->params[k].name);
            if (!v) continue;
            char text[4096];
            strncpy(text, v, sizeof text - 1);
            text[sizeof text - 1] = 0;
            if (xa_op_set(copy, in->params[k].name, text, NULL) != XA_OK) __builtin_trap();
            const char *back = xa_op_get(copy, in->params[k].name);
            if (!back || strcmp(back, text)) __builtin_trap();
        }
        xa_op_free(copy);
    }
    (void)touched;
    xa_manifest_clear(&m);
    return 0;
}
