/* xalign preprocess IN OUT.npy --recipe R: a whole common preprocessing, bit-exact; every step is
 * a registered operation, printed with its parameters. */
#include "cli.h"

#include <string.h>

static void usage(FILE *f) {
    fputs("usage: xalign preprocess IN OUT.npy --recipe R [options]\n\n"
          "Run a whole common preprocessing exactly as its program does and write the model input\n"
          "as .npy. IN is an image (decoded as the recipe's program decodes it) or an .npy\n"
          "H x W x 3 uint8 array in that program's channel order. Every step is printed with the\n"
          "original's call and the registered operation that reproduces it.\n\nrecipes:\n",
          f);
    for (size_t i = 0; xa_recipe_name(i); i++)
        fprintf(f, "  %-20s %s\n", xa_recipe_name(i), xa_recipe_summary(xa_recipe_name(i)));
    fputs("\noptions:\n"
          "  --recipe R          required\n"
          "  --size WxH|N        network input (CenterCrop / cv2.resize / letterbox size; default\n"
          "                      224, yolov5-letterbox 640)\n"
          "  --short N           torchvision-resnet's Resize(N): the shorter side (default 256)\n"
          "  --mean A,B,C        normalisation mean (default ImageNet 0.485,0.456,0.406)\n"
          "  --std A,B,C         normalisation std (default ImageNet 0.229,0.224,0.225)\n"
          "  --json              print the steps as JSON instead of text\n"
          "  --help              this text\n",
          f);
}

int cmd_preprocess(int argc, char **argv) {
    static const xa_param_info size_p = {
        .name = "size", .type = XA_PARAM_SIZE, .min = 1, .max = 65536, .square_ok = 1};
    static const xa_param_info short_p = {
        .name = "short", .type = XA_PARAM_INT, .min = 1, .max = 65536};
    static const xa_param_info three_p = {
        .name = "mean/std", .type = XA_PARAM_FLOATS, .min_count = 3, .max_count = 3};
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "preprocess");
    char **pos = a.pos;
    const char *recipe = NULL;
    int json = 0, have_mean = 0, have_std = 0, n;
    double v[XA_PARAM_MAX_VALUES];
    xa_recipe_params p = {0};
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            usage(stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--recipe")) {
            if (!(recipe = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--size")) {
            if (!cli_param(&a, &size_p, v, &n)) return XA_EXIT_USAGE;
            p.width = (int64_t)v[0], p.height = (int64_t)v[1];
        } else if (!strcmp(a.opt, "--short")) {
            if (!cli_param(&a, &short_p, v, &n)) return XA_EXIT_USAGE;
            p.short_side = (int64_t)v[0];
        } else if (!strcmp(a.opt, "--resize")) {
            return cli_error("preprocess", "--resize is now --short N (torchvision's Resize(N): "
                                           "the shorter side)");
        } else if (!strcmp(a.opt, "--mean") || !strcmp(a.opt, "--std")) {
            int m = !strcmp(a.opt, "--mean");
            if (!cli_param(&a, &three_p, m ? p.mean : p.std, &n)) return XA_EXIT_USAGE;
            *(m ? &have_mean : &have_std) = 1;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else {
            return cli_error("preprocess", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if (!a.npos) {
        usage(stderr);
        return XA_EXIT_USAGE;
    }
    if ((rc0 = cli_positionals(&a, 2, "IN and OUT.npy", ""))) return rc0;
    if (!recipe) return cli_error("preprocess", "--recipe is required (see --help)");
    const char *dec = xa_recipe_decoder(recipe);
    if (!dec) return cli_error("preprocess", "unknown recipe '%s' (see --help)", recipe);
    if (have_mean != have_std) return cli_error("preprocess", "--mean and --std go together");
    p.has_mean_std = have_mean;
    xa_error err = {0};
    xa_tensor *in = NULL, *out = NULL;
    xa_decode_info info = {0};
    int decoded = 0;
    unsigned char head[8] = {0};
    size_t nh = cli_read_head(pos[0], head, sizeof head);
    xa_status st;
    if (xa_image_sniff(head, nh)) {
        xa_decode_options o;
        xa_decode_options_init(&o);
        o.like = !strcmp(dec, "pil") ? XA_DECODE_PIL : XA_DECODE_CV2;
        st = xa_image_decode(pos[0], &o, &in, &info, &err);
        decoded = 1;
    } else {
        st = xa_load(pos[0], &in, &err);
    }
    char log[8192];
    if (!st) st = xa_recipe_run(recipe, in, &p, &out, log, sizeof log, &err);
    if (!st) st = xa_npy_save(pos[1], out, &err);
    int rc = XA_EXIT_OK;
    if (st) {
        rc = cli_lib_error("preprocess", &err, st);
    } else if (json) {
        rc = cli_emit(xa_report_recipe_json(recipe, decoded ? info.settings : NULL, log, out),
                      "preprocess");
    } else {
        if (decoded) printf("decode: %s\n", info.settings);
        fputs(log, stdout);
        printf("wrote %s\n", pos[1]);
    }
    xa_tensor_free(in);
    xa_tensor_free(out);
    return rc;
}
