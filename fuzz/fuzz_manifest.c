/* Fuzz target: stage manifests (xa_manifest_parse) on arbitrary bytes. A parsed manifest must have
 * NUL-terminated names and specs and operation parameters within their declared counts. */
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
                   strlen(s->op.kind) + strlen(s->op.method) + strlen(s->op.input) +
                   strlen(s->op.text);
        if (s->op.nsize > 2 || s->op.nmean > 4 || s->op.nstd > 4) __builtin_trap();
    }
    (void)touched;
    xa_manifest_clear(&m);
    return 0;
}
