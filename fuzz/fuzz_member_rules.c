/* Fuzz target: the per-member rule files of `xalign compare` on arbitrary bytes -- a
 * --tolerance-file (glob patterns to tolerances), a --map file (JSON name map), and the bytes as
 * a --rename rule -- each then applied to a few member names. */
#include "fuzz_target.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xalign/xalign.h>

static const char *const names[] = {
    "", "/layer3/conv0/Conv_output_0", "onnx::Add_12", "#0", "a/b/c.npy", "\xc3\xa9t\xc3\xa9"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_error err;
    size_t nn = sizeof names / sizeof names[0];
    xa_tolerance_file *f;
    if (xa_tolerance_file_parse((const char *)data, size, "fuzz", &f, &err) == XA_OK) {
        for (size_t i = 0; i < nn; i++) {
            xa_tolerance t;
            const char *pat = NULL;
            long k = xa_tolerance_file_match(f, names[i], &t, &pat);
            if (k >= 0 && (!pat || (size_t)k >= xa_tolerance_file_count(f))) __builtin_trap();
            xa_tol_sources s = {NULL, f, NULL};
            xa_tol_rule rule;
            xa_tolerance_choose(&s, names[i], XA_F16, XA_F32, 0, &rule);
            if (!memchr(rule.what, 0, sizeof rule.what)) __builtin_trap();
        }
        xa_tolerance_file_free(f);
    }
    xa_name_map *m;
    if (xa_name_map_new(&m, &err) != XA_OK) return 0;
    int have = xa_name_map_parse(m, (const char *)data, size, "fuzz", &err) == XA_OK;
    if (size <= XA_NAMEMAP_MAX_RULE) { /* the bytes as a rename rule */
        char *rule = malloc(size + 1);
        if (rule) {
            memcpy(rule, data, size);
            rule[size] = 0;
            have |= xa_name_map_add_rename(m, rule, &err) == XA_OK;
            free(rule);
        }
    }
    for (size_t i = 0; have && i < nn; i++) {
        char *out;
        if (xa_name_map_port_name(m, names[i], &out, &err) == XA_OK) {
            if (strlen(out) > XA_NPZ_MAX_NAME) __builtin_trap();
            xa_free(out);
        }
    }
    xa_name_map_free(m);
    return 0;
}
