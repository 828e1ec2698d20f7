/* xalign stages REF_DIR PORT_DIR : the seed's stage-by-stage method in one command. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "samples 120/500" on stderr, only on a terminal and at most every 1% */
static void progress(void *ctx, size_t done, size_t total) {
    (void)ctx;
    size_t step = total / 100 ? total / 100 : 1;
    if (done % step && done != total) return;
    fprintf(stderr, "\rsamples %zu/%zu", done, total);
    if (done == total) fputs("\r\033[K", stderr);
}

/* --manifest -: the manifest read from standard input, as large as a manifest file may be. */
static xa_status manifest_stdin(xa_manifest *m, xa_error *err) {
    xa_limits lim;
    xa_limits_init(&lim);
    const size_t max = lim.manifest_bytes;
    size_t n = 0, cap = 0;
    char *buf = NULL, why[96] = "";
    xa_status st = XA_OK;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!nb) {
                st = XA_ENOMEM;
                snprintf(why, sizeof why, "out of memory");
                break;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, stdin);
        n += r;
        if (n > max) {
            st = XA_ELIMIT;
            snprintf(why, sizeof why, "manifest larger than %zu bytes", max);
            break;
        }
        if (!r) break;
    }
    if (!st && ferror(stdin)) {
        st = XA_EIO;
        snprintf(why, sizeof why, "read failed");
    }
    if (!st) st = xa_manifest_parse(buf, n, m, err);
    free(buf);
    if (st) { /* name the source, as a file's path names it */
        char msg[sizeof err->message + 16];
        snprintf(msg, sizeof msg, "standard input: %s", why[0] ? why : err->message);
        memcpy(err->message, msg, sizeof err->message - 1);
        err->message[sizeof err->message - 1] = 0;
        err->status = st;
    }
    return st;
}

static const char *help =
    "usage: xalign stages REF_DIR PORT_DIR [--manifest FILE] [options]\n\n"
    "Pair the stage dumps of the original (REF_DIR) and the port (PORT_DIR) by name, compare\n"
    "each pair in stage order, and name the first unaligned stage; later stages are marked as\n"
    "possibly inherited. Dumps are NN_name.npy, or NN_name.npz for a stage with several named\n"
    "tensors (matched by name, never by order), as xa_dump() and python/xalign_dump.py write "
    "them.\n"
    "If REF_DIR holds one sub-folder per sample, every sample is compared (in parallel) and the\n"
    "report counts unaligned samples per stage and names the worst ones.\n\n"
    "A manifest (JSON, see docs/stages.md) gives per-stage tolerances, raw dumps with dtype and\n"
    "shape (e.g. BMRT input_ref_data.dat.bmrt), top-k for logits, and the original's operation of\n"
    "a stage: xalign replays it on the port's input and reports the stage's own error apart from\n"
    "the error it inherits.\n\n"
    "default tolerance (a manifest's stage tolerance overrides it):\n"
    "  integer/bool stages must be equal; others max_abs <= 1e-3\n" CLI_TOLERANCE_HELP
    "\noptions:\n"
    "  --manifest FILE     per-stage tolerances, raw dumps, top-k, operations to replay\n"
    "                      ('-' reads it from standard input)\n"
    "  --bmodel FILE       a SOPHON .bmodel: the manifest's raw dumps given without a dtype\n"
    "                      (\"port\": \"output_ref_data.dat.bmrt\") are split into its named "
    "tensors\n"
    "  --json              one JSON object: {\"stages\": [...], \"first_unaligned\": ...}\n"
    "  --no-diagnose       compare only; do not look for the cause of each difference\n"
    "  --tolerance-file F  per-tensor tolerances: JSON {\"glob pattern\": {\"atol\": ..., ...}}\n"
    "                      (precedence: command line > this file > manifest > dtype "
    "default)\n" CLI_HTML_HELP
    "  --jobs N            samples compared at once in a dataset run (default: all cores)\n"
    "  --shard K/N         a dataset run's K-th of N parts (K = 0..N-1; by a hash of the sample\n"
    "                      name); 'xalign merge part-*.json' joins the --json of every part\n"
    "  --threads N         threads per comparison (default: all cores for one sample, 1 per\n"
    "                      sample in a dataset run)\n"
    "  --help              this text\n\n"
    "exit: 0 every stage aligned, 1 otherwise, 2 usage or input error\n";

int cmd_stages(int argc, char **argv) {
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "stages");
    char **pos = a.pos;
    const char *manifest = NULL;
    int json = 0, bad = 0, diagnose = 1, shard_k = 0, shard_n = 0;
    const char *tolfile = NULL;
    xa_tolerance_file *tf = NULL;
    cli_html html = {0};
    long jobs = 0, threads = 0;
    cli_tolerance tol = {0};
    cli_bmodel bm = CLI_BMODEL_INIT;
    int r;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if (!strcmp(a.opt, "--shard")) {
            const char *v = cli_value(&a);
            char tail;
            if (!v || sscanf(v, "%d/%d%c", &shard_k, &shard_n, &tail) != 2 || shard_n < 1 ||
                shard_n > 1000000 || shard_k < 0 || shard_k >= shard_n)
                return cli_error("stages", "--shard K/N: K from 0 to N-1 (e.g. 0/4), not '%s'",
                                 v ? v : "");
        } else if (!strcmp(a.opt, "--tolerance-file")) {
            if (!(tolfile = cli_value(&a))) return XA_EXIT_USAGE;
        } else if ((r = cli_html_option(&a, &html)) != 0) {
            if (r < 0) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--no-diagnose")) {
            diagnose = 0;
        } else if (!strcmp(a.opt, "--manifest")) {
            if (!(manifest = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--jobs")) {
            if (!cli_parse_int(&a, &jobs)) return XA_EXIT_USAGE;
            if (jobs < 1 || jobs > 64) return cli_error("stages", "--jobs must be 1..64");
        } else if (!strcmp(a.opt, "--threads")) {
            if (!cli_parse_int(&a, &threads)) return XA_EXIT_USAGE;
            if (threads < 1 || threads > 64) return cli_error("stages", "--threads must be 1..64");
        } else if (cli_tolerance_option(&a, &tol, &bad)) {
            if (bad) return XA_EXIT_USAGE;
        } else if ((r = cli_bmodel_option(&a, &bm)) != 0) {
            if (r < 0) return XA_EXIT_USAGE;
        } else {
            return cli_error("stages", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if ((rc0 = cli_positionals(&a, 2, "REF_DIR and PORT_DIR", help))) return rc0;
    xa_error err = {0};
    xa_manifest m = {0};
    if (bm.net || bm.stage >= 0)
        return cli_error("stages", "--net and --stage are not used by stages");
    if ((r = cli_bmodel_open(&bm, "stages"))) return r;
    if (manifest) {
        xa_status st = !strcmp(manifest, "-") ? manifest_stdin(&m, &err)
                                              : xa_manifest_load(manifest, &m, &err);
        if (st) {
            cli_bmodel_close(&bm);
            return cli_lib_error("stages", &err, st);
        }
    }
    xa_stages_options opt = {.manifest = manifest ? &m : NULL,
                             .tol = tol.tol,
                             .threads = (int)threads,
                             .bmodel = bm.model};
    if (diagnose) opt.after_stage = xa_diagnose_stage_hook;
    if (tolfile) {
        xa_status st = xa_tolerance_file_load(tolfile, &tf, &err);
        if (st) {
            xa_manifest_clear(&m);
            cli_bmodel_close(&bm);
            return cli_lib_error("stages", &err, st);
        }
        opt.tolerance_file = tf;
    }
    opt.shard_k = shard_k;
    opt.shard_n = shard_n;
    if (isatty(2)) opt.progress = progress;
    int rc;
    if (xa_stages_is_dataset(pos[0])) {
        xa_dataset_report dr;
        xa_status st = xa_dataset_run(pos[0], pos[1], &opt, (int)jobs, &dr, &err);
        if (st) {
            rc = cli_lib_error("stages", &err, st);
            goto out;
        }
        for (size_t i = 0; diagnose && i < dr.nsamples; i++) xa_diagnose_report(&dr.reports[i]);
        rc = cli_emit(json ? xa_report_dataset_json(&dr)
                           : xa_report_dataset_text(&dr, pos[0], pos[1]),
                      "stages");
        if (!rc && html.path) {
            char *j = xa_report_dataset_json(&dr);
            rc = cli_write_html(j, &html, bm.model, "stages");
            xa_free(j);
        }
        if (!rc) rc = dr.unaligned_samples ? XA_EXIT_UNALIGNED : XA_EXIT_OK;
        xa_dataset_report_clear(&dr);
    } else if (shard_n) {
        rc = cli_error("stages",
                       "--shard splits the samples of a dataset run, and %s holds no "
                       "sample folders",
                       pos[0]);
    } else {
        xa_stages_report rep;
        xa_status st = xa_stages_run(pos[0], pos[1], &opt, &rep, &err);
        if (!st && diagnose) xa_diagnose_report(&rep);
        if (st) {
            rc = cli_lib_error("stages", &err, st);
            goto out;
        }
        rc = cli_emit(json ? xa_report_stages_json(&rep)
                           : xa_report_stages_text(&rep, pos[0], pos[1]),
                      "stages");
        if (!rc && html.path) {
            char *j = xa_report_stages_json(&rep);
            rc = cli_write_html(j, &html, bm.model, "stages");
            xa_free(j);
        }
        if (!rc) rc = xa_stages_all_aligned(&rep) ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
        xa_stages_report_clear(&rep);
    }
out:
    xa_tolerance_file_free(tf);
    xa_manifest_clear(&m);
    cli_bmodel_close(&bm);
    return rc;
}
