/* Fuzz target: the command line's tensor spec parser (xa_spec_parse_ex, at most 64 shapes through
 * the public limits) on arbitrary strings. The input is cut at its first NUL, as a shell argument
 * would be. */
#include "fuzz_target.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xalign/xalign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    xa_limits lim;
    xa_limits_init(&lim);
    lim.spec_shapes = 64;
    xa_load_options o = {&lim, 1};
    xa_error err;
    xa_spec spec;
    if (xa_spec_parse_ex(s, &o, &spec, &err) == XA_OK) {
        if (spec.nshapes > 64 || spec.select >= 64) __builtin_trap();
        /* every parsed shape must be readable in full */
        int64_t total = 0;
        for (int k = 0; k < spec.nshapes; k++)
            for (int r = 0; r < spec.ranks[k]; r++) total += spec.shapes[k][r] & 1;
        (void)total;
        xa_spec_clear(&spec);
    }
    free(s);
    return 0;
}
