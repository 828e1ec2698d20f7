/* xalign info SPEC... : what a dump holds. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign info [--json] SPEC...\n\n"
    "Describe each tensor: dtype, shape, memory order, byte order, size, min/max/mean and\n"
    "NaN/Inf counts. An .npz without '#MEMBER' lists every member.\n\n"
    "SPEC forms:\n"
    "  PATH                    .npy, .npz, JPEG or PNG (detected by content)\n"
    "  PATH#MEMBER             one member of an .npz\n"
    "  PATH:DTYPE:SHAPE        raw bytes, e.g. input_ref_data.dat.bmrt:f32:1x3x224x224\n"
    "  PATH:DTYPE:S1,S2[#K]    a concatenated BMRT dump split into tensors #0, #1, ...\n"
    "  PATH:DTYPE              raw bytes as 1-D; for .npy, view elements as DTYPE (e.g. bf16)\n"
    "DTYPE: f32 f16 bf16 f64 i8 u8 i16 u16 i32 u32 i64 u64 bool\n\n"
    "options:\n"
    "  --json     one JSON object per tensor, in a JSON array\n"
    "  --help     this text\n";

int cmd_info(int argc, char **argv) {
    char *pos[argc > 0 ? argc : 1];
    cli_args a = {argc, 1, argv, "info", NULL, NULL, 0, pos};
    int json = 0;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else {
            return cli_error("info", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (a.npos == 0) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    int rc = XA_EXIT_OK, first = 1;
    if (json) printf("[");
    for (int i = 0; i < a.npos; i++) {
        xa_error err = {0};
        xa_tensor_list l;
        xa_status st = xa_load_all(pos[i], &l, &err);
        if (st) {
            rc = cli_lib_error("info", &err, st);
            continue;
        }
        for (size_t k = 0; k < l.count; k++) {
            char spec[4096];
            const char *nm = l.names[k];
            size_t pl = strlen(pos[i]), nl = strlen(nm);
            if (nm[0] == '#' || !nm[0] ||
                (pl > nl && pos[i][pl - nl - 1] == '#' && !strcmp(pos[i] + pl - nl, nm)))
                snprintf(spec, sizeof spec, "%s", pos[i]); /* PATH#MEMBER names itself */
            else
                snprintf(spec, sizeof spec, "%s#%s", pos[i], nm);
            if (nm[0] == '#' && !strchr(pos[i], '#')) /* a part of a split: name it */
                snprintf(spec, sizeof spec, "%s%s", pos[i], nm);
            xa_stats s;
            st = xa_tensor_stats(l.tensors[k], &s, &err);
            if (st) {
                rc = cli_lib_error("info", &err, st);
                continue;
            }
            xa_tensor_info ti = {spec, l.tensors[k]};
            if (json) {
                char *t = xa_report_info_json(&ti, &s);
                if (!t) {
                    rc = cli_error("info", "out of memory");
                    continue;
                }
                size_t n = strlen(t);
                while (n && t[n - 1] == '\n') t[--n] = 0;
                printf("%s\n%s", first ? "" : ",", t);
                xa_free(t);
            } else {
                cli_emit(xa_report_info_text(&ti, &s), "info");
            }
            first = 0;
        }
        xa_tensor_list_clear(&l);
    }
    if (json) printf("\n]\n");
    return rc;
}
