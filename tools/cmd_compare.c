/* xalign compare REF PORT : the one-pass metric set and a verdict, for one tensor pair or for
 * every member of two multi-member files (per-layer npz, folders of .npy, Polygraphy JSON). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign compare REF PORT [options]\n\n"
    "Compare the port's tensor with the reference's in one pass: max_abs (with where), mean_abs,\n"
    "rmse, max_rel, cosine, euclid_sim, rel_l2, sqnr_db, mismatches, NaN/Inf, min/max/mean.\n"
    "REF and PORT are tensor specs (see 'xalign info --help'); any dtype pair works.\n\n"
    "Whole models: when REF or PORT holds several tensors -- an .npz (tpu-mlir's per-layer\n"
    "ref_outputs.npz / model_outputs.npz), a folder of .npy files (ordered by file name),\n"
    "Polygraphy's --save-outputs/--save-inputs JSON, a split dump PATH:DTYPE:S1,S2,... -- every\n"
    "member of REF is compared with the port's member of the same name, in REF's order (the\n"
    "order the model wrote its layers): one line per member, then '187/200 aligned; first\n"
    "unaligned: NAME'. Every member is compared (no sampling), streaming: memory stays near the\n"
    "largest member. Split parts (#0, #1, ...) pair by position; when pairs fail, the pairing\n"
    "that aligns them is searched and reported.\n\n"
    "verdict (criteria combine with AND; a NaN/Inf on one side only always fails). Each line\n"
    "names the metric that decided it ('cosine 0.9812 < 0.99') and the rule it came from.\n"
    "Precedence: command line > --tolerance-file > dtype default. Defaults by dtype:\n"
    "  float16/bfloat16 on a side: torch.testing.assert_close's defaults, |d| <= atol + "
    "rtol*|ref|\n"
    "                      with atol 1e-5 and rtol 1e-3 (float16) or 1.6e-2 (bfloat16)\n"
    "  int8 with a scale (from --bmodel): dequantised, cosine >= 0.8 and euclid_sim >= 0.5\n"
    "                      (tpu-mlir's int8 thresholds)\n"
    "  other integers/bool: exact; anything else: max_abs <= 1e-3\n" CLI_TOLERANCE_HELP
    "  --tolerance-file F  per-member tolerances: JSON {\"GLOB\": {\"atol\": 1e-4, ...}, ...}, "
    "the\n"
    "                      first matching pattern (in file order) applies\n\n"
    "options:\n"
    "  --map FILE          JSON {\"ref name\": \"port name\", ...}: pair differently named "
    "members;\n"
    "                      an entry naming a missing member, or a port member already paired,\n"
    "                      is reported as a 'map note' (JSON map_notes)\n"
    "  --rename s/RE/REPL/ rename reference names into port names (POSIX extended regex, "
    "\\1..\\9,\n"
    "                      '/g' for every match); several apply in order, after --map misses\n"
    "  --by-position       pair the i-th members whatever their names\n"
    "  --u16-as bf16|f16   read uint16 members as bfloat16/float16 (tpu-mlir keeps bf16 as "
    "uint16)\n"
    "  --axis K            per-index breakdown along axis K of REF (one tensor pair only)\n"
    "  --json              one JSON object (for several members: schema "
    "xalign.compare-members/1)\n"
    "  --html FILE         one tensor pair only (not with .npz, folders or other multi-member\n"
    "                      files: exit 2): also write a self-contained HTML report: verdict,\n"
    "                      metrics, diagnosis and, for an image-like pair, reference, port and\n"
    "                      |difference| heatmap\n"
    "  --html-budget MB    pictures are added while the page stays under MB megabytes (default\n"
    "                      5); the page says what it left out\n"
    "  --threads N         worker threads (default: all cores)\n" CLI_BMODEL_HELP
    "  --help              this text\n\n"
    "Raw bytes given as PATH:DTYPE (no shape) are read in the other side's shape when the element\n"
    "counts agree; against a file of several members of that dtype whose sizes add up to the\n"
    "raw file's, they are split in those members' shapes and order. Shapes that differ only in "
    "size-1 axes compare as equal shapes. Other shapes\n"
    "with the same element count are a shape mismatch (exit 1); the axis permutations of PORT\n"
    "that give REF's shape are compared too, so NHWC vs NCHW shows as 'aligned after "
    "transpose'.\n\n"
    "BMRT dumps (BMRT_SAVE_IO_TENSORS=1): with --bmodel, the dump is split into the model's\n"
    "named tensors, quantised ones dequantised with their scale:\n"
    "  xalign compare ref.npz output_ref_data.dat.bmrt --bmodel m.bmodel\n"
    "  xalign compare ref.npz#logits output_ref_data.dat.bmrt#logits --bmodel m.bmodel\n"
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
    xa_status st = cli_load_all(bm, spec, &l, &w, err);
    if (st) return st;
    if (l.count != 1) {
        size_t n = l.count;
        xa_tensor_list_clear(&l);
        err->status = XA_EINVAL;
        snprintf(err->message, sizeof err->message, "%s holds %zu tensors", spec, n);
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

typedef struct {
    int json;
    xa_cmp_options opt;
    long axis;
    int have_axis;
    const xa_tolerance_file *tolfile;
    xa_dtype u16_as;
    cli_html html; /* --html FILE: the page of the pair (docs/report.md) */
} settings;

/* PATH:DTYPE without a shape against a file of several members whose byte sizes add up to the
 * raw file's (a BMRT dump of several outputs against the reference's npz): the raw file is
 * reopened split in those members' shapes, in that order (what `stages` does by itself). The
 * spec used goes to *spec; nothing happens when the sizes or dtypes do not fit. */
static xa_status split_shapeless(char **pos, xa_multi **rm, xa_multi **pm, char *spec, size_t size,
                                 xa_error *err) {
    for (int side = 0; side < 2; side++) {
        xa_multi *one = side ? *pm : *rm, *many = side ? *rm : *pm;
        xa_member_info oi;
        if (xa_multi_count(one) != 1 || xa_multi_count(many) < 2 ||
            xa_multi_info(one, 0, &oi, NULL) || !oi.shapeless)
            continue;
        const char *colon = strrchr(pos[side], ':');
        size_t cnt = xa_multi_count(many);
        xa_member_info *parts = colon ? calloc(cnt, sizeof *parts) : NULL;
        uint64_t bytes = 0;
        int ok = parts != NULL;
        for (size_t i = 0; ok && i < cnt; i++) {
            ok = !xa_multi_info(many, i, &parts[i], NULL) && parts[i].dtype == oi.dtype;
            bytes += ok ? parts[i].nbytes : 0;
        }
        char path[4096];
        snprintf(path, sizeof path, "%.*s", colon ? (int)(colon - pos[side]) : 0, pos[side]);
        size_t n =
            ok && bytes == oi.nbytes ? xa_spec_format_split(spec, size, path, parts, cnt) : 0;
        free(parts);
        if (!n || n >= size) {
            spec[0] = 0;
            return XA_OK;
        }
        xa_multi *split = NULL;
        xa_status st = xa_multi_open(spec, &split, err);
        if (st) return st;
        xa_multi_free(one);
        if (side)
            *pm = split;
        else
            *rm = split;
        return XA_OK;
    }
    spec[0] = 0;
    return XA_OK;
}

/* One tensor pair: today's report with the verdict's rule, and the shape rules. */
static int compare_pair(const settings *cs, const cli_bmodel *bm, char **pos, xa_multi *rm,
                        xa_multi *pm) {
    xa_error err = {0};
    xa_tensor *ref = NULL, *port = NULL;
    char lref[1024], lport[1024];
    xa_member_info ri, pi;
    xa_status st = load_one(bm, pos[0], &ref, lref, sizeof lref, &err);
    if (!st) st = load_one(bm, pos[1], &port, lport, sizeof lport, &err);
    if (!st) st = xa_multi_info(rm, 0, &ri, &err);
    if (!st) st = xa_multi_info(pm, 0, &pi, &err);
    if (st) {
        xa_tensor_free(ref);
        xa_tensor_free(port);
        return cli_lib_error("compare", &err, st);
    }
    xa_cmp_options opt = cs->opt;
    char note[600] = "";
    if (ref->dtype == XA_U16 && cs->u16_as) ref->dtype = cs->u16_as;
    if (port->dtype == XA_U16 && cs->u16_as) port->dtype = cs->u16_as;
    int64_t nr = xa_tensor_count(ref), np = xa_tensor_count(port);
    char s1[256], s2[256];
    /* raw bytes without a shape: the other side's shape, when the counts agree */
    if (nr == np && pi.shapeless != ri.shapeless) {
        xa_tensor *raw = pi.shapeless ? port : ref, *other = pi.shapeless ? ref : port;
        raw->rank = other->rank;
        memcpy(raw->shape, other->shape, sizeof raw->shape);
        snprintf(note, sizeof note,
                 "%s is raw %s without a shape: read in the %s's shape %s (%lld elements each)",
                 pi.shapeless ? "port" : "ref", xa_dtype_short(raw->dtype),
                 pi.shapeless ? "reference" : "port",
                 xa_shape_format(raw->rank, raw->shape, s1, sizeof s1), (long long)nr);
    }
    /* a quantised side is read dequantised against real values or another quantised side */
    ri.has_scale = ri.has_scale && (xa_dtype_is_float(port->dtype) || pi.has_scale);
    pi.has_scale = pi.has_scale && (xa_dtype_is_float(ref->dtype) || ri.has_scale);
    if (ri.has_scale) opt.ref_dequant = (xa_dequant){1, ri.scale, ri.zero_point};
    if (pi.has_scale) opt.port_dequant = (xa_dequant){1, pi.scale, pi.zero_point};
    if (ri.has_scale || pi.has_scale)
        snprintf(note + strlen(note), sizeof note - strlen(note),
                 "%s%s dequantised: (q - %lld) * %g", note[0] ? "\n" : "",
                 pi.has_scale ? "port" : "ref",
                 (long long)(pi.has_scale ? pi.zero_point : ri.zero_point),
                 pi.has_scale ? pi.scale : ri.scale);
    xa_tol_rule rule;
    xa_tol_sources src = {&cs->opt.tol, cs->tolfile, NULL};
    const char *name = xa_multi_name(rm, 0);
    opt.tol = xa_tolerance_choose(&src, name && name[0] ? name : pos[0], ref->dtype, port->dtype,
                                  ri.has_scale || pi.has_scale, &rule);
    int rc = XA_EXIT_USAGE;
    xa_cmp_result res = {0};
    xa_permutation perms[MAX_PERMS];
    xa_cmp_result pres[MAX_PERMS];
    size_t nperms = 0;
    if (nr != np) {
        cli_error("compare", "element counts differ: %s is %s %s (%lld), %s is %s %s (%lld)",
                  pos[0], xa_dtype_name(ref->dtype),
                  xa_shape_format(ref->rank, ref->shape, s1, sizeof s1), (long long)nr, pos[1],
                  xa_dtype_name(port->dtype),
                  xa_shape_format(port->rank, port->shape, s2, sizeof s2), (long long)np);
        goto out;
    }
    if (cs->have_axis) {
        long axis = cs->axis < 0 ? cs->axis + ref->rank : cs->axis;
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
    int mismatch = !xa_shape_same_layout(ref->rank, ref->shape, port->rank, port->shape);
    st = xa_compare_permutations(ref, port, &opt, perms, pres, MAX_PERMS, &nperms, &err);
    if (st) {
        rc = cli_lib_error("compare", &err, st);
        goto out;
    }
    xa_compare_report rep = {{lref, ref}, {lport, port},        &res, mismatch, nperms, perms, pres,
                             &rule,       note[0] ? note : NULL};
    int failed =
        cli_emit(cs->json ? xa_report_compare_json(&rep) : xa_report_compare_text(&rep), "compare");
    if (!failed && cs->html.path) {
        char *j = xa_report_compare_json(&rep);
        failed = cli_write_html(j, &cs->html, bm->model, "compare");
        xa_free(j);
    }
    if (failed)
        rc = XA_EXIT_USAGE;
    else
        rc = res.aligned && !mismatch ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
    for (size_t i = 0; i < nperms; i++) xa_cmp_result_clear(&pres[i]);
out:
    xa_cmp_result_clear(&res);
    xa_tensor_free(ref);
    xa_tensor_free(port);
    return rc;
}

int cmd_compare(int argc, char **argv) {
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "compare");
    char **pos = a.pos;
    settings cs;
    memset(&cs, 0, sizeof cs);
    xa_cmp_options_init(&cs.opt);
    int bad = 0, r, by_position = 0;
    cli_tolerance tol = {0};
    cli_bmodel bm = CLI_BMODEL_INIT;
    long threads = 0;
    const char *tolfile = NULL, *mapfile = NULL;
    xa_name_map *names = NULL;
    xa_error err = {0};
    int rc = XA_EXIT_USAGE;
    if (xa_name_map_new(&names, &err)) return cli_lib_error("compare", &err, err.status);
    while (cli_next(&a)) {
        const char *o = a.opt;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            rc = XA_EXIT_OK;
            goto done;
        } else if (!strcmp(o, "--json")) {
            cs.json = 1;
        } else if (cli_tolerance_option(&a, &tol, &bad)) {
            if (bad) goto done;
        } else if (!strcmp(o, "--axis")) {
            if (!cli_parse_int(&a, &cs.axis)) goto done;
            cs.have_axis = 1;
        } else if (!strcmp(o, "--threads")) {
            if (!cli_parse_int(&a, &threads)) goto done;
            if (threads < 1 || threads > 64) {
                cli_error("compare", "--threads must be 1..64");
                goto done;
            }
            cs.opt.threads = (int)threads;
        } else if (!strcmp(o, "--tolerance-file")) {
            if (!(tolfile = cli_value(&a))) goto done;
        } else if (!strcmp(o, "--map")) {
            if (!(mapfile = cli_value(&a))) goto done;
        } else if (!strcmp(o, "--rename")) {
            const char *v = cli_value(&a);
            if (!v) goto done;
            if (xa_name_map_add_rename(names, v, &err)) {
                rc = cli_lib_error("compare", &err, err.status);
                goto done;
            }
        } else if (!strcmp(o, "--by-position")) {
            by_position = 1;
        } else if (!strcmp(o, "--u16-as")) {
            const char *v = cli_value(&a);
            if (!v) goto done;
            cs.u16_as = xa_dtype_from_name(v);
            if (cs.u16_as != XA_BF16 && cs.u16_as != XA_F16) {
                cli_error("compare", "--u16-as takes bf16 or f16, not '%s'", v);
                goto done;
            }
        } else if ((r = cli_bmodel_option(&a, &bm)) != 0 || (r = cli_html_option(&a, &cs.html))) {
            if (r < 0) goto done;
        } else {
            cli_error("compare", "unknown option '%s' (see --help)", o);
            goto done;
        }
    }
    if ((rc0 = cli_positionals(&a, 2, "REF and PORT", help))) {
        rc = rc0;
        goto done;
    }
    cs.opt.tol = tol.tol;
    xa_tolerance_file *tf = NULL;
    if (tolfile && xa_tolerance_file_load(tolfile, &tf, &err)) {
        rc = cli_lib_error("compare", &err, err.status);
        goto done;
    }
    cs.tolfile = tf;
    if (mapfile && xa_name_map_load(names, mapfile, &err)) {
        rc = cli_lib_error("compare", &err, err.status);
        xa_tolerance_file_free(tf);
        goto done;
    }
    rc = cli_bmodel_open(&bm, "compare");
    if (rc) {
        xa_tolerance_file_free(tf);
        goto done;
    }
    xa_multi *rm = NULL, *pm = NULL;
    xa_status st = xa_multi_open_bmodel(pos[0], bm.model, bm.net, (int)bm.stage, &rm, &err);
    if (!st) st = xa_multi_open_bmodel(pos[1], bm.model, bm.net, (int)bm.stage, &pm, &err);
    char split_spec[4096 + 512] = "";
    if (!st) st = split_shapeless(pos, &rm, &pm, split_spec, sizeof split_spec, &err);
    if (!st && split_spec[0]) /* said before the report (on stderr under --json) */
        fprintf(cs.json ? stderr : stdout,
                "%sraw data without a shape, split in the other side's member shapes and order: "
                "%s\n",
                cs.json ? "xalign compare: note: " : "", split_spec);
    if (st) {
        rc = cli_lib_error("compare", &err, st);
    } else if ((xa_multi_count(rm) == 1 && !xa_multi_name(rm, 0)[0] && xa_multi_count(pm) > 1) ||
               (xa_multi_count(pm) == 1 && !xa_multi_name(pm, 0)[0] && xa_multi_count(rm) > 1)) {
        /* one tensor against a file of several: say which member to take */
        int many = xa_multi_count(rm) > 1 ? 0 : 1;
        rc = cli_error("compare",
                       "%s: holds %zu tensors, %s one; select one with #NAME (npz) or #K "
                       "(split)",
                       pos[many], xa_multi_count(many ? pm : rm), pos[1 - many]);
    } else if (xa_multi_count(rm) == 1 && xa_multi_count(pm) == 1 &&
               xa_multi_get_kind(rm) != XA_MULTI_DIR && xa_multi_get_kind(pm) != XA_MULTI_DIR) {
        rc = compare_pair(&cs, &bm, pos, rm, pm);
    } else if (cs.have_axis || cs.html.path) {
        rc = cli_error("compare", "%s works on one tensor pair; %s holds %zu and %s %zu",
                       cs.have_axis ? "--axis" : "--html", pos[0], xa_multi_count(rm), pos[1],
                       xa_multi_count(pm));
    } else {
        xa_members_options mo;
        xa_members_options_init(&mo);
        mo.threads = cs.opt.threads;
        mo.tol = cs.opt.tol;
        mo.tolerance_file = tf;
        mo.names = names;
        mo.by_position = by_position;
        mo.u16_as = cs.u16_as;
        xa_members_report rep;
        st = xa_compare_members(rm, pm, &mo, &rep, &err);
        if (st) {
            rc = cli_lib_error("compare", &err, st);
        } else {
            char *t = cs.json ? xa_report_members_json(&rep, pos[0], pos[1])
                              : xa_report_members_text(&rep, pos[0], pos[1]);
            rc = cli_emit(t, "compare")         ? XA_EXIT_USAGE
                 : xa_members_all_aligned(&rep) ? XA_EXIT_OK
                                                : XA_EXIT_UNALIGNED;
            xa_members_report_clear(&rep);
        }
    }
    xa_multi_free(rm);
    xa_multi_free(pm);
    xa_tolerance_file_free(tf);
    cli_bmodel_close(&bm);
done:
    xa_name_map_free(names);
    return rc;
}
