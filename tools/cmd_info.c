/* xalign info SPEC... : what a dump holds. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign info [--json] [--stats] [--bmodel FILE [--net NAME] [--stage K]] SPEC...\n\n"
    "Describe each tensor: dtype, shape, memory order, byte order, size, min/max/mean and\n"
    "NaN/Inf counts. A file of several tensors -- an .npz without '#MEMBER', a folder of .npy\n"
    "files, Polygraphy's --save-outputs/--save-inputs JSON -- is listed one line per member\n"
    "with totals, from the members' headers alone (instant on a 1 GB per-layer npz); --stats\n"
    "adds min/max/mean and NaN/Inf per member, reading every byte (and checking the CRCs).\n"
    "A SOPHON .bmodel (detected by its magic) is listed as tpu_model --info does: chip, nets,\n"
    "stages, and each input and output tensor with shape, dtype, scale and zero point.\n\n"
    "SPEC forms:\n"
    "  PATH                    .npy, .npz, JPEG or PNG (detected by content)\n"
    "  PATH#MEMBER             one member of an .npz\n"
    "  PATH:DTYPE:SHAPE        raw bytes, e.g. input_ref_data.dat.bmrt:f32:1x3x224x224\n"
    "  PATH:DTYPE:S1,S2[#K]    a concatenated BMRT dump split into tensors #0, #1, ...\n"
    "  PATH:DTYPE              raw bytes as 1-D; for .npy, view elements as DTYPE (e.g. bf16)\n"
    "DTYPE: f32 f16 bf16 f64 i8 u8 i16 u16 i32 u32 i64 u64 bool\n\n"
    "options:\n"
    "  --json              one JSON object {\"schema\": \"xalign.info/1\", \"items\": [...]}, an "
    "item\n"
    "                      per tensor, member (of a multi-member file) or bmodel\n"
    "  --stats             min/max/mean and NaN/Inf of each member of a multi-member "
    "file\n" CLI_BMODEL_HELP "  --help              this text\n";

/* Print one rendered report: as an element of the JSON array, or as text. */
static int emit(char *t, int json, int *first) {
    if (!t) return cli_error("info", "out of memory");
    if (json) {
        size_t n = strlen(t);
        while (n && t[n - 1] == '\n') t[--n] = 0;
        printf("%s\n%s", *first ? "" : ",", t);
        xa_free(t);
    } else {
        cli_emit(t, "info");
    }
    *first = 0;
    return XA_EXIT_OK;
}

/* `xalign info model.bmodel`. */
static int info_bmodel(const char *path, int json, int *first) {
    xa_error err = {0};
    xa_bmodel *m;
    xa_status st = xa_bmodel_load(path, &m, &err);
    if (st) return cli_lib_error("info", &err, st);
    int rc =
        emit(json ? xa_report_bmodel_json(path, m) : xa_report_bmodel_text(path, m), json, first);
    xa_bmodel_free(m);
    return rc;
}

/* A multi-member file: one line (or object) per member from its header; stats when asked. */
static int info_listing(xa_multi *m, const char *spec, int json, int stats, int *first) {
    size_t n = xa_multi_count(m);
    xa_listing_entry *e = calloc(n ? n : 1, sizeof *e);
    xa_stats *st = calloc(n ? n : 1, sizeof *st);
    int rc = XA_EXIT_OK;
    if (!e || !st) {
        free(e);
        free(st);
        return cli_error("info", "out of memory");
    }
    xa_error err = {0};
    for (size_t i = 0; i < n && !rc; i++) {
        e[i].name = xa_multi_name(m, i);
        xa_status s = xa_multi_info(m, i, &e[i].info, &err);
        if (!s && stats) { /* one member in memory at a time */
            xa_tensor *t;
            s = xa_multi_load(m, i, &t, &err);
            if (!s) s = xa_tensor_stats(t, &st[i], &err);
            xa_tensor_free(t);
            e[i].stats = &st[i];
        }
        if (s)
            rc = cli_lib_error("info", &err, s);
        else if (json && emit(xa_report_listing_json(spec, i, &e[i]), 1, first))
            rc = XA_EXIT_USAGE;
    }
    if (!rc && !json) rc = emit(xa_report_listing_text(spec, xa_multi_get_kind(m), n, e), 0, first);
    free(e);
    free(st);
    return rc;
}

int cmd_info(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "info");
    char **pos = a.pos;
    int json = 0, stats = 0, r;
    cli_bmodel bm = CLI_BMODEL_INIT;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if (!strcmp(a.opt, "--stats")) {
            stats = 1;
        } else if ((r = cli_bmodel_option(&a, &bm)) != 0) {
            if (r < 0) return XA_EXIT_USAGE;
        } else {
            return cli_error("info", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (a.npos == 0) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    int rc = cli_bmodel_open(&bm, "info"), first = 1;
    if (rc) return rc;
    if (json) printf("{\"schema\":\"xalign.info/1\",\"items\":[");
    for (int i = 0; i < a.npos; i++) {
        if (cli_is_bmodel(pos[i])) {
            int e = info_bmodel(pos[i], json, &first);
            if (e) rc = e;
            continue;
        }
        xa_error err = {0};
        xa_multi *m;
        xa_status st = xa_multi_open_bmodel(pos[i], bm.model, bm.net, (int)bm.stage, &m, &err);
        if (st) {
            rc = cli_lib_error("info", &err, st);
            continue;
        }
        if (xa_multi_get_kind(m) != XA_MULTI_LIST) {
            int e = info_listing(m, pos[i], json, stats, &first);
            xa_multi_free(m);
            if (e) rc = e;
            continue;
        }
        xa_multi_free(m);
        xa_tensor_list l;
        st = cli_load_all(&bm, pos[i], &l, NULL, &err);
        if (st) {
            rc = cli_lib_error("info", &err, st);
            continue;
        }
        if (l.count == 0 && !json) printf("%s: holds no tensors\n", pos[i]);
        for (size_t k = 0; k < l.count; k++) {
            char spec[4096];
            const char *nm = l.names[k];
            size_t pl = strlen(pos[i]), nl = strlen(nm);
            int named =
                nm[0] && pl > nl && pos[i][pl - nl - 1] == '#' && !strcmp(pos[i] + pl - nl, nm);
            if (nm[0] == '#' || !nm[0] || named) /* named: the spec already selects it */
                snprintf(spec, sizeof spec, "%s", pos[i]);
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
            if (emit(json ? xa_report_info_json(&ti, &s) : xa_report_info_text(&ti, &s), json,
                     &first))
                rc = XA_EXIT_USAGE;
        }
        xa_tensor_list_clear(&l);
    }
    if (json) printf("\n]}\n");
    cli_bmodel_close(&bm);
    return rc;
}
