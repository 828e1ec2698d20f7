/* Fuzz target: the bmodel header and FlatBuffers walk (xa_bmodel_parse). Whatever the bytes, it
 * must return a status without crashing, and a parsed model must hold what its limits promise. */
#include "xalign/io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_bmodel *m = NULL;
    xa_error err;
    if (xa_bmodel_parse(data, size, &m, &err) == XA_OK) {
        size_t tensors = 0;
        for (size_t i = 0; i < m->nnets; i++)
            for (size_t s = 0; s < m->nets[i].nstages; s++) {
                const xa_bmodel_stage *st = &m->nets[i].stages[s];
                tensors += st->ninputs + st->noutputs;
                for (size_t k = 0; k < st->ninputs; k++) {
                    const xa_bmodel_tensor *t = &st->inputs[k];
                    if (!t->name || t->rank < 0 || t->rank > XA_MAX_RANK) abort();
                    (void)xa_bmodel_tensor_nbytes(t);
                    (void)strlen(t->name);
                }
            }
        if (tensors > XA_BMODEL_MAX_TENSORS || !m->chip || !m->type) abort();
        xa_bmodel_free(m);
    } else if (m) {
        abort(); /* a failed parse returns nothing */
    }
    return 0;
}
