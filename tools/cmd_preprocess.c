/* xalign preprocess IN OUT.npy --recipe R : a whole common preprocessing, bit-exact. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign preprocess IN OUT.npy --recipe R [options]\n\n"
    "Run a whole common preprocessing exactly as its program does and write the model input as\n"
    ".npy. IN is an image (decoded as the recipe's program decodes it) or an .npy H x W x 3 uint8\n"
    "array in that program's channel order. Every step is printed with its parameters.\n\n"
    "recipes:\n"
    "  torchvision-resnet  PIL decode, T.Resize(256), T.CenterCrop(224), ToTensor, Normalize\n"
    "  resnet-opencv       sophon-demo resnet_opencv.py: cv2.imread, cv2.resize to 224x224,\n"
    "                      BGR->RGB, (img/255 - mean)/std in numpy, CHW\n"
    "  yolov5-letterbox    cv2.imread, YOLOv5 letterbox 640 (auto=False, pad 114), RGB, CHW, "
    "/255\n\n"
    "options:\n"
    "  --recipe R          required\n"
    "  --size N            network input side (default 224, yolov5: 640)\n"
    "  --resize N          torchvision-resnet's Resize(N) (default 256)\n"
    "  --mean A,B,C        normalisation mean (default ImageNet 0.485,0.456,0.406)\n"
    "  --std A,B,C         normalisation std (default ImageNet 0.229,0.224,0.225)\n"
    "  --json              print the steps as JSON instead of text\n"
    "  --help              this text\n";

static int parse3(const char *cmd, const char *opt, const char *v, double *out) {
    char *e;
    for (int i = 0; i < 3; i++) {
        errno = 0;
        out[i] = strtod(v, &e);
        if (e == v || errno || !isfinite(out[i]) || (i < 2 && *e != ',') || (i == 2 && *e))
            return cli_error(cmd, "%s wants three finite numbers A,B,C", opt);
        v = e + 1;
    }
    return 0;
}

int cmd_preprocess(int argc, char **argv) {
    int rc0;
    cli_args a = CLI_ARGS(argc, argv, "preprocess");
    char **pos = a.pos;
    const char *recipe = NULL, *v;
    int json = 0, have_mean = 0, have_std = 0, have_size = 0, have_resize = 0;
    long size = 0, resize = 0;
    xa_recipe_params p = {0};
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--recipe")) {
            if (!(recipe = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!strcmp(a.opt, "--size")) {
            if (!cli_parse_int(&a, &size)) return XA_EXIT_USAGE;
            have_size = 1;
        } else if (!strcmp(a.opt, "--resize")) {
            if (!cli_parse_int(&a, &resize)) return XA_EXIT_USAGE;
            have_resize = 1;
        } else if (!strcmp(a.opt, "--mean")) {
            if (!(v = cli_value(&a)) || parse3("preprocess", "--mean", v, p.mean))
                return XA_EXIT_USAGE;
            have_mean = 1;
        } else if (!strcmp(a.opt, "--std")) {
            if (!(v = cli_value(&a)) || parse3("preprocess", "--std", v, p.std))
                return XA_EXIT_USAGE;
            have_std = 1;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else {
            return cli_error("preprocess", "unknown option '%s' (see --help)", a.opt);
        }
    }
    if ((rc0 = cli_positionals(&a, 2, "IN and OUT.npy", help))) return rc0;
    if (!recipe) return cli_error("preprocess", "--recipe is required (see --help)");
    const char *dec = xa_recipe_decoder(recipe);
    if (!dec) return cli_error("preprocess", "unknown recipe '%s' (see --help)", recipe);
    if (have_mean != have_std) return cli_error("preprocess", "--mean and --std go together");
    if (have_size && (size < 1 || size > 65536))
        return cli_error("preprocess", "--size must be 1..65536");
    if (have_resize && (resize < 1 || resize > 65536))
        return cli_error("preprocess", "--resize must be 1..65536");
    p.size = size;
    p.resize = resize;
    p.has_mean_std = have_mean;
    xa_error err = {0};
    xa_tensor *in = NULL, *out = NULL;
    xa_decode_info info = {0};
    int decoded = 0;
    unsigned char head[8] = {0};
    FILE *f = fopen(pos[0], "rb");
    size_t nh = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
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
    char log[4096];
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
