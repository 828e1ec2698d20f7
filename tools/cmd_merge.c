/* xalign merge PART.json... [--json] [--html FILE]: the report of a whole dataset run from the
 * --json of its shards (`xalign stages REF PORT --shard K/N --json > part-K.json`). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign merge PART.json... [--json] [--html FILE [--bmodel FILE]]\n\n"
    "Join the parts of a sharded dataset run -- the --json of 'xalign stages REF_DIR PORT_DIR\n"
    "--shard K/N' for K = 0..N-1, run on one machine each (GNU parallel, a Slurm job array) --\n"
    "into the report one run over every sample gives: the same JSON, text and HTML, and the same\n"
    "exit code. Refused (exit 2): a missing or repeated shard, parts of different N, run with\n"
    "another manifest, tolerance, diagnosis setting, xalign version or other folders, a sample in\n"
    "two parts.\n\n"
    "options:\n"
    "  --json              the merged JSON (xalign.dataset/1) instead of text\n" CLI_HTML_HELP
    "                      (pictures are drawn from the dumps the parts name, so the folders\n"
    "                      must be readable here; the same page as 'stages --html')\n"
    "  --bmodel FILE       the .bmodel the shards were run with, for the HTML report's pictures\n"
    "                      of raw BMRT dumps named without a dtype\n"
    "  --help              this text\n\n"
    "exit: 0 every sample aligned, 1 otherwise, 2 usage or input error\n";

/* a whole file, NUL-terminated (parts are JSON text) */
static char *slurp(const char *path, size_t limit, const char **why) {
    FILE *f = cli_fopen_regular(path, why);
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            char *nb = cap >= limit ? NULL : realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (!r) break;
    }
    if (b) b[n] = 0;
    fclose(f);
    return b;
}

int cmd_merge(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "merge");
    char **pos = a.pos;
    int json = 0, r;
    cli_html html = {0};
    cli_bmodel bm = CLI_BMODEL_INIT;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if ((r = cli_html_option(&a, &html)) != 0) {
            if (r < 0) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--bmodel")) {
            if (!(bm.path = cli_value(&a))) return XA_EXIT_USAGE;
        } else {
            return cli_error("merge", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (!a.npos) {
        fputs(help, stderr);
        return XA_EXIT_USAGE;
    }
    if (bm.path && !html.path)
        return cli_error("merge",
                         "--bmodel is for the pictures of --html FILE, which is not given");
    char **parts = calloc((size_t)a.npos, sizeof *parts);
    if (!parts) return cli_error("merge", "out of memory");
    int rc = XA_EXIT_OK;
    const char *why = NULL;
    for (int i = 0; i < a.npos && !rc; i++)
        if (!(parts[i] = slurp(pos[i], (size_t)1 << 34, &why)))
            rc = cli_error("merge", "%s: cannot read it%s%s", pos[i], why ? ": " : "",
                           why ? why : "");
    char *merged = NULL;
    int aligned = 0;
    xa_error err = {0};
    if (!rc) {
        xa_status st = xa_report_merge((const char *const *)parts, (const char *const *)pos,
                                       (size_t)a.npos, &merged, &aligned, &err);
        if (st) rc = cli_lib_error("merge", &err, st);
    }
    for (int i = 0; i < a.npos; i++) free(parts[i]);
    free(parts);
    if (rc) return rc;
    if (html.path && !(rc = cli_bmodel_open(&bm, "merge"))) {
        rc = cli_write_html(merged, &html, bm.model, "merge");
        cli_bmodel_close(&bm);
    }
    if (!rc) {
        char *text = json ? merged : xa_report_dataset_text_json(merged);
        if (text != merged) xa_free(merged);
        merged = NULL;
        rc = cli_emit(text, "merge"); /* frees text */
    }
    xa_free(merged);
    return rc ? rc : aligned ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
}
