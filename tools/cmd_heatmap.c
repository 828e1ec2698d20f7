/* xalign heatmap REF PORT OUT.png : the |port - ref| heatmap of an image-like tensor as a PNG. */
#include "cli.h"

#include <string.h>

static const char *help =
    "usage: xalign heatmap REF PORT OUT.png [options]\n\n"
    "Draw |port - ref| as a PNG with one pixel per spatial element (W x H of the tensor), the\n"
    "maximum over the channels unless --channel is given. REF and PORT are tensor specs of the\n"
    "same shape: H x W, H x W x C, C x H x W, 1 x C x H x W or 1 x H x W x C; any dtypes.\n"
    "Colours: black = exact (|d| = 0), magenta = NaN/Inf on one side, otherwise a perceptual\n"
    "map from dark violet (small) through blue, cyan and green to light yellow (the largest\n"
    "|d|). The scale's numbers are printed; docs/heatmap.md has the exact rule.\n\n"
    "options:\n"
    "  --channel K         draw channel K only (0-based)\n"
    "  --scale abs|log     colour k = floor(|d| / max * 255) (default), or logarithmic from\n"
    "                      the smallest nonzero |d| to the largest (small differences visible)\n"
    "  --layout hwc|chw    where the channels are (default: last axis <= 4 is HWC / NHWC,\n"
    "                      otherwise CHW / NCHW)\n"
    "  --json              one JSON object: the scale, the pixel counts, the verdict\n"
    "  --help              this text\n\n"
    "verdict, as 'xalign compare' (default: integer pairs equal, otherwise max_abs <= 1e-3):\n"
    "" CLI_TOLERANCE_HELP "\n"
    "exit: 0 aligned, 1 unaligned (the PNG is written either way), 2 usage or input error\n";

int cmd_heatmap(int argc, char **argv) {
    int rc;
    cli_args a = CLI_ARGS(argc, argv, "heatmap");
    xa_heatmap_options ho;
    xa_heatmap_options_init(&ho);
    cli_tolerance tol = {0};
    int json = 0, bad = 0;
    long channel = -1;
    while (cli_next(&a)) {
        const char *o = a.opt, *v;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(o, "--json")) {
            json = 1;
        } else if (cli_tolerance_option(&a, &tol, &bad)) {
            if (bad) return XA_EXIT_USAGE;
        } else if (!strcmp(o, "--channel")) {
            if (!cli_parse_int(&a, &channel)) return XA_EXIT_USAGE;
            if (channel < 0) return cli_error("heatmap", "--channel must be 0 or more");
            ho.channel = channel;
        } else if (!strcmp(o, "--scale")) {
            if (!(v = cli_value(&a))) return XA_EXIT_USAGE;
            if (!strcmp(v, "abs"))
                ho.scale = XA_HEATMAP_ABS;
            else if (!strcmp(v, "log"))
                ho.scale = XA_HEATMAP_LOG;
            else
                return cli_error("heatmap", "--scale must be abs or log, not '%s'", v);
        } else if (!strcmp(o, "--layout")) {
            if (!(v = cli_value(&a))) return XA_EXIT_USAGE;
            if (!strcmp(v, "hwc"))
                ho.layout = XA_LAYOUT_HWC;
            else if (!strcmp(v, "chw"))
                ho.layout = XA_LAYOUT_CHW;
            else
                return cli_error("heatmap", "--layout must be hwc or chw, not '%s'", v);
        } else {
            return cli_error("heatmap", "unknown option '%s' (see --help)", o);
        }
    }
    if ((rc = cli_positionals(&a, 3, "REF, PORT and OUT.png", help))) return rc;
    char **pos = a.pos;

    xa_error err = {0};
    xa_tensor *ref = NULL, *port = NULL, *img = NULL;
    xa_heatmap_info info;
    xa_cmp_result res = {0};
    xa_cmp_options co;
    xa_cmp_options_init(&co);
    co.tol = tol.tol;
    xa_status st = xa_load(pos[0], &ref, &err);
    if (!st) st = xa_load(pos[1], &port, &err);
    if (!st) st = xa_heatmap_new(ref, port, &ho, &img, &info, &err);
    if (!st) st = xa_compare(ref, port, &co, &res, &err);
    if (!st) st = xa_png_save(pos[2], img, &err);
    if (st) {
        rc = cli_lib_error("heatmap", &err, st);
    } else {
        xa_heatmap_report rep = {{pos[0], ref}, {pos[1], port}, pos[2], &info, &res};
        rc =
            cli_emit(json ? xa_report_heatmap_json(&rep) : xa_report_heatmap_text(&rep), "heatmap");
        if (!rc) rc = res.aligned ? XA_EXIT_OK : XA_EXIT_UNALIGNED;
    }
    xa_cmp_result_clear(&res);
    xa_tensor_free(ref);
    xa_tensor_free(port);
    xa_tensor_free(img);
    return rc;
}
