/* Fuzz target: the bmodel header and FlatBuffers walk (xa_bmodel_parse_ex). Whatever the bytes, it
 * must return a status without crashing, and a parsed model must hold what its limits promise
 * (small ones, set through the public options). */
#include "fuzz_target.h"
#include "xalign/io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_limits lim;
    xa_limits_init(&lim);
    lim.bmodel_nets = 64;
    lim.bmodel_stages = 256;
    lim.bmodel_tensors = 1024;
    lim.bmodel_string_bytes = 1024;
    lim.bmodel_text_bytes = 65536;
    xa_load_options o = {&lim, 1};
    xa_bmodel *m = NULL;
    xa_error err;
    if (xa_bmodel_parse_ex(data, size, &o, &m, &err) == XA_OK) {
        size_t stages = 0;
        size_t tensors = 0;
        for (size_t i = 0; i < m->nnets; i++) {
            stages += m->nets[i].nstages;
            for (size_t s = 0; s < m->nets[i].nstages; s++) {
                const xa_bmodel_stage *st = &m->nets[i].stages[s];
                tensors += st->ninputs + st->noutputs;
                for (size_t k = 0; k < st->ninputs; k++) {
                    const xa_bmodel_tensor *t = &st->inputs[k];
                    if (!t->name || t->rank < 0 || t->rank > XA_MAX_RANK) abort();
                    (void)xa_bmodel_tensor_nbytes(t);
                    if (strlen(t->name) > lim.bmodel_string_bytes) abort();
                }
            }
        }
        if (m->nnets > lim.bmodel_nets || stages > lim.bmodel_stages ||
            tensors > lim.bmodel_tensors || !m->chip || !m->type)
            abort();
        xa_bmodel_free(m);
    } else if (m) {
        abort(); /* a failed parse returns nothing */
    }
    return 0;
}
