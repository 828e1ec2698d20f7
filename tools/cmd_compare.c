/* xalign compare REF PORT : the one-pass metric set and a verdict. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign compare REF PORT [options]\n\n"
    "Compare the port's tensor with the reference's in one pass: max_abs (with where), mean_abs,\n"
    "rmse, max_rel, cosine, euclid_sim, rel_l2, sqnr_db, mismatches, NaN/Inf, min/max/mean.\n"
    "REF and PORT are tensor specs (see 'xalign info --help'); any dtype pair works.\n\n"
    "verdict (criteria combine with AND; a NaN/Inf on one side only always fails):\n"
    "  default             integer/bool pairs must be equal; otherwise max_abs <= "
    "1e-3\n" CLI_TOLERANCE_HELP "\n"
    "options:\n"
    "  --axis K            per-index breakdown along axis K of REF (e.g. 1 for NCHW channels;\n"
    "                      negative counts from the end)\n"
    "  --json              one JSON object: ref, port, metrics, tolerance, failed, aligned\n"
    "  --threads N         worker threads (default: all cores)\n" CLI_BMODEL_HELP
    "  --help              this text\n\n"
    "Shapes that differ only in size-1 axes compare as equal shapes. Other shapes with the same\n"
    "element count are a shape mismatch (exit 1); the axis permutations of PORT that give\n"
    "REF's shape are compared too, so NHWC vs NCHW shows as 'aligned after transpose'.\n\n"
    "BMRT dumps (BMRT_SAVE_IO_TENSORS=1): with --bmodel, name the tensor of the dump:\n"
    "  xalign compare ref.npz#logits output_ref_data.dat.bmrt#logits --bmodel m.bmodel\n"
    "The report names the net, stage and index the tensor came from.\n"
    "exit: 0 aligned, 1 unaligned, 2 usage or input error\n";

enum { MAX_PERMS = 24 };

/* One tensor of a spec, through the bmodel when given; `label` says where a split part came
 * from: "out.bmrt#logits (net 'resnet' stage 0 output 1)". */
static xa_status load_one(const cli_bmodel *bm, const char *spec, xa_tensor **out, char *label,
                          size_t size, xa_error *err) {
    xa_tensor_list l;
    xa_bmrt_where w;
    *out = NULL;
    snprintf(label, size, "%s", spec);
    if (!bm->model) return xa_load(spec, out, err);
    xa_status st = cli_load_all(bm, spec, &l, &w, err);
    if (st) return st;
    if (l.count != 1) {
        char names[256] = "";
        for (size_t k = 0, o = 0; k < l.count && o < sizeof names; k++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", k ? ", " : "", l.names[k]);
        size_t n = l.count;
        xa_tensor_list_clear(&l);
        err->status = XA_EINVAL;
        snprintf(err->message, sizeof err->message,
                 "%s holds %zu tensors (%s): select one with "
                 "%s#NAME",
                 spec, n, names, spec);
        return XA_EINVAL;
    }
    if (w.net != SIZE_MAX) {
        const xa_bmodel_stage *s = &bm->model->nets[w.net].stages[w.stage];
        const xa_bmodel_tensor *t = w.outputs ? s->outputs : s->inputs;
        size_t n = w.outputs ? s->noutputs : s->ninputs, k = w.tensor >= 0 ? (size_t)w.tensor : 0;
        if (k < n)
            snprintf(label, size, "%s (net '%s' stage %zu %s %zu '%s')", spec,
                     bm->model->nets[w.net].name, w.stage, w.outputs ? "output" : "input", k,
                     t[k].name);
    }
    *out = l.tensors[0];
    l.tensors[0] = NULL;
    xa_tensor_list_clear(&l);
    return XA_OK;
}

static int squeezed_equal(const xa_tensor *a, const xa_tensor *b) {
    int i = 0, j = 0;
    for (;;) {
        while (i < a->rank && a->shape[i] == 1) i++;
        while (j < b->rank && b->shape[j] == 1) j++;
        if (i == a->rank || j == b->rank) return i == a->rank && j == b->rank;
        if (a->shape[i++] != b->shape[j++]) return 0;
    }
}

int cmd_compare(int argc, char **argv) {
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "compare");
    char **pos = a.pos;
    xa_cmp_options opt;
    xa_cmp_options_init(&opt);
    int json = 0, bad = 0, r;
    cli_tolerance tol = {0};
    cli_bmodel bm = CLI_BMODEL_INIT;
    long axis = 0, threads = 0;
    int have_axis = 0;
    while (cli_next(&a)) {
        const char *o = a.opt;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(o, "--json")) {
            json = 1;
        } else if (cli_tolerance_option(&a, &tol, &bad)) {
            if (bad) return XA_EXIT_USAGE;
        } else if (!strcmp(o, "--axis")) {
            if (!cli_parse_int(&a, &axis)) return XA_EXIT_USAGE;
            have_axis = 1;
        } else if (!strcmp(o, "--threads")) {
            if (!cli_parse_int(&a, &threads)) return XA_EXIT_USAGE;
            if (threads < 1 || threads > 64) return cli_error("compare", "--threads must be 1..64");
            opt.threads = (int)threads;
        } else if ((r = cli_bmodel_option(&a, &bm)) != 0) {
            if (r < 0) return XA_EXIT_USAGE;
        } else {
            return cli_error("compare", "unknown option '%s' (see --help)", o);
        }
    }
    if ((rc0 = cli_positionals(&a, 2, "REF and PORT", help))) return rc0;
    opt.tol = tol.tol;

    int rc = cli_bmodel_open(&bm, "compare");
    if (rc) return rc;
    xa_error err = {0};
    xa_tensor *ref = NULL, *port = NULL;
    char lref[1024], lport[1024];
    xa_status st = load_one(&bm, pos[0], &ref, lref, sizeof lref, &err);
    if (!st) st = load_one(&bm, pos[1], &port, lport, sizeof lport, &err);
    if (st) {
        xa_tensor_free(ref);
        cli_bmodel_close(&bm);
        return cli_lib_error("compare", &err, st);
    }
    rc = XA_EXIT_USAGE;
    int64_t nr = xa_tensor_count(ref), np = xa_tensor_count(port);
    xa_cmp_result res = {0};
    xa_permutation perms[MAX_PERMS];
    xa_cmp_result pres[MAX_PERMS];
    size_t nperms = 0;
    char s1[256], s2[256];
    if (nr != np) {
        cli_error("compare", "element counts differ: %s is %s %s (%lld), %s is %s %s (%lld)",
                  pos[0], xa_dtype_name(ref->dtype),
                  xa_shape_format(ref->rank, ref->shape, s1, sizeof s1), (long long)nr, pos[1],
                  xa_dtype_name(port->dtype),
                  xa_shape_format(port->rank, port->shape, s2, sizeof s2), (long long)np);
        goto out;
    }
    if (have_axis) {
        if (axis < 0) axis += ref->rank;
        if (axis < 0 || axis >= ref->rank) {
            cli_error("compare", "--axis is out of range for %s of rank %d", pos[0], ref->rank);
            goto out;
        }
        opt.axis = (int)axis;
    }
    st = xa_compare(ref, port, &opt, &res, &err);
    if (st) {
        rc = cli_lib_error("compare", &err, st);
        goto out;
    }
    int mismatch = !squeezed_equal(ref, port);
    if (mismatch) {
        nperms = xa_shape_permutations(ref, port, perms, MAX_PERMS);
        xa_cmp_options po = opt;
        po.axis = -1;
        for (size_t i = 0; i < nperms; i++) {
            xa_tensor *pp;
            st = xa_tensor_permute(port, &perms[i], &pp, &err);
            if (!st) st = xa_compare(ref, pp, &po, &pres[i], &err);
            xa_tensor_free(pp);
            if (st) {
                for (size_t k = 0; k < i; k++) xa_cmp_result_clear(&pres[k]);
                nperms = 0;
                rc = cli_lib_error("compare", &err, st);
                goto out;
            }
        }
    }
    xa_compare_report rep = {{lref, ref}, {lport, port}, &res, mismatch, nperms, perms, pres};
    if (cli_emit(json ? xa_report_compare_json(&rep) : xa_report_compare_text(&rep), "compare"))
        rc = XA_EXIT_USAGE;
    else
        rc = res.aligned && !mismatch ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
    for (size_t i = 0; i < nperms; i++) xa_cmp_result_clear(&pres[i]);
out:
    xa_cmp_result_clear(&res);
    xa_tensor_free(ref);
    xa_tensor_free(port);
    cli_bmodel_close(&bm);
    return rc;
}
