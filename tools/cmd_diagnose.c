/* xalign diagnose REF PORT [--input-ref F] [--input-port F] [--image F]: why two tensors differ --
 * every cause hypothesis tested, with evidence and a verified fix (docs/diagnose.md). */
#include "cli.h"

#include <string.h>

static const char *help =
    "usage: xalign diagnose REF PORT [--input-ref FILE] [--input-port FILE] [--image FILE]\n"
    "                       [--op OP --PARAM VALUE ...] [--json] [tolerance options]\n\n"
    "Compare two tensors (one stage's output of the original and of the port) and name the\n"
    "cause of their difference: channel order, layout, normalisation, scale, resize method,\n"
    "decoder, padding, shift, rounding, saturation, precision, memory format -- each an explicit\n"
    "hypothesis with a confidence (the share of the difference it explains), the evidence, and\n"
    "the fix: a registered operation with its parameters, replayed to show the max_abs it leaves.\n"
    "The stage's inputs (the previous stage of each side) and the source image make more\n"
    "hypotheses testable (which resize, crop, letterbox or decoder reproduces each side).\n\n"
    "options:\n"
    "  --input-ref FILE    the reference's input of this stage (tensor spec)\n"
    "  --input-port FILE   the port's input of this stage\n"
    "  --image FILE        the source image both sides decoded\n"
    "  --op OP             the original's operation (xalign ops), with its --PARAM VALUE options\n"
    "  --json              one JSON object {\"schema\": \"xalign.diagnose/1\", \"compare\", "
    "\"diagnosis\"}\n" CLI_TOLERANCE_HELP "  --help              this text\n\n"
    "exit: 0 aligned, 1 unaligned (diagnosed), 2 usage or input error\n";

int cmd_diagnose(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "diagnose");
    char **pos = a.pos;
    const char *in_ref = NULL, *in_port = NULL, *image = NULL;
    int json = 0, bad = 0, rc = XA_EXIT_OK, r;
    cli_tolerance tol = {0};
    xa_op *op = NULL;
    xa_error err = {0};
    for (int i = 1; i < argc; i++) /* --op first: its parameters are options too */
        if (!strcmp(argv[i], "--op") && i + 1 < argc) {
            xa_status st = xa_op_new(argv[i + 1], &op, &err);
            if (st) return cli_lib_error("diagnose", &err, st);
        }
    while (!rc && cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            xa_op_free(op);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if (!strcmp(a.opt, "--input-ref")) {
            if (!(in_ref = cli_value(&a))) rc = XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--input-port")) {
            if (!(in_port = cli_value(&a))) rc = XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--image")) {
            if (!(image = cli_value(&a))) rc = XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--op")) {
            if (!cli_value(&a)) rc = XA_EXIT_USAGE;
        } else if (cli_tolerance_option(&a, &tol, &bad)) {
            if (bad) rc = XA_EXIT_USAGE;
        } else if (op && (r = cli_op_option(&a, op)) != 0) {
            if (r < 0) rc = XA_EXIT_USAGE;
        } else {
            rc = cli_error("diagnose", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (!rc) rc = cli_positionals(&a, 2, "REF and PORT", help);
    if (rc) {
        xa_op_free(op);
        return rc;
    }
    xa_tensor *t[4] = {NULL, NULL, NULL, NULL};
    const char *specs[4] = {pos[0], pos[1], in_ref, in_port};
    xa_status st = XA_OK;
    for (int k = 0; k < 4 && !st; k++)
        if (specs[k]) st = xa_load(specs[k], &t[k], &err);
    xa_diagnosis d = {0};
    xa_cmp_result res = {0};
    if (!st) {
        xa_diagnose_input in = {t[0], t[1], t[2], t[3], image, op, tol.tol, NULL};
        st = xa_diagnose(&in, &d, &err);
    }
    int counts_equal = !st && xa_tensor_count(t[0]) == xa_tensor_count(t[1]);
    xa_permutation perms[8];
    xa_cmp_result pres[8];
    size_t nperms = 0;
    if (counts_equal) {
        xa_cmp_options o;
        xa_cmp_options_init(&o);
        o.tol = tol.tol;
        st = xa_compare(t[0], t[1], &o, &res, &err);
        if (!st) st = xa_compare_permutations(t[0], t[1], &o, perms, pres, 8, &nperms, &err);
    }
    if (st) {
        rc = cli_lib_error("diagnose", &err, st);
    } else {
        int same_shape = xa_shape_same_layout(t[0]->rank, t[0]->shape, t[1]->rank, t[1]->shape);
        xa_compare_report rep = {{pos[0], t[0]}, {pos[1], t[1]}, &res, !same_shape, nperms,
                                 perms,          pres,           NULL, NULL};
        if (!counts_equal) rep.result = NULL; /* described, then diagnosed */
        if (cli_emit(json ? xa_report_diagnose_json(&rep, &d) : xa_report_diagnose_text(&rep, &d),
                     "diagnose")) {
            rc = XA_EXIT_USAGE;
        } else {
            rc = d.aligned ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
        }
    }
    xa_cmp_result_clear(&res);
    for (size_t i = 0; i < nperms; i++) xa_cmp_result_clear(&pres[i]);
    xa_diagnosis_clear(&d);
    for (int k = 0; k < 4; k++) xa_tensor_free(t[k]);
    xa_op_free(op);
    return rc;
}
