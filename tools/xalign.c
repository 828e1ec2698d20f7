/* xalign: the command line. One file per subcommand; this file is the dispatch table. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const xa_command commands[] = {
    {"info", cmd_info, "describe tensors: dtype, shape, order, size, min/max/mean, NaN/Inf"},
    {"compare", cmd_compare, "compare two tensors with the full metric set and a verdict"},
    {"stages", cmd_stages, "compare two pipelines stage by stage; name the first that diverges"},
    {"diagnose", cmd_diagnose, "name the cause of a difference between two tensors, with the fix"},
    {"merge", cmd_merge, "join the --json of a sharded dataset run's parts into one report"},
    {"resize", cmd_resize, "resize an image exactly as OpenCV, Pillow or torch does"},
    {"transform", cmd_transform,
     "crop, pad, letterbox, normalise, quantise exactly as the original does"},
    {"preprocess", cmd_preprocess,
     "a whole common preprocessing recipe (torchvision ResNet, YOLOv5 letterbox)"},
    {"ops", cmd_ops, "list the registered operations with their parameters and defaults"},
    {"decode", cmd_decode,
     "decode a JPEG/PNG exactly as cv2.imread or PIL does (+ decoder variants)"},
    {"heatmap", cmd_heatmap, "draw |port - ref| of an image-like tensor as a PNG heatmap"},
    {"nms", cmd_nms, "non-maximum suppression exactly as torchvision, cv2.dnn or YOLOv5 does it"},
    {"results", cmd_results,
     "compare two programs' detections (by IoU) or classification results over a dataset"},
    {"cocoeval", cmd_cocoeval,
     "COCO bbox mAP exactly as pycocotools; what moves it between two runs"},
    {"coco-json", cmd_coco_json,
     "write COCO results JSON as Python does (seed's rounding); check it"},
};

static void usage(FILE *f) {
    fprintf(f,
            "usage: xalign COMMAND [ARGS...]\n\n"
            "Find where, and why, a ported deep-learning pipeline stops matching its original.\n\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'xalign COMMAND --help' describes one command. Exit codes: 0 aligned / success,\n"
               "1 compared but unaligned, 2 usage or input error.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return XA_EXIT_USAGE;
    }
    const char *c = argv[1];
    if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
        if (argc > 2 && strcmp(c, "help") == 0) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (!strcmp(argv[2], commands[i].name)) {
                    char *hv[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, hv);
                }
        }
        usage(stdout);
        return XA_EXIT_OK;
    }
    if (!strcmp(c, "--version") || !strcmp(c, "version")) {
        printf("xalign %s\n", xa_version_string());
        /* the SIMD path in use, and what lowered it */
        const char *cap = getenv("XALIGN_CPU");
        if (cap && *cap)
            printf("cpu: %s (XALIGN_CPU=%s)\n", xa_cpu_path_name(), cap);
        else
            printf("cpu: %s\n", xa_cpu_path_name());
        return XA_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(c, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "xalign: unknown command '%s'\n", c);
    usage(stderr);
    return XA_EXIT_USAGE;
}
