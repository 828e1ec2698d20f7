/* JSON loading of a COCO results file: xalign's pull parser vs jansson (the JSON library the
 * project links for its reports), for bench/bench_cocoeval.py, which runs each in its own process
 * and reads the time and the peak RSS.
 *   bench_json xalign FILE    xa_coco_results_load: the detections into their arrays
 *   bench_json jansson FILE   json_load_file, then the same detections out of the tree
 * Prints "SECONDS DETECTIONS". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xalign/xalign.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_json xalign|jansson FILE\n");
        return 2;
    }
    double t0 = now();
    size_t n = 0;
    if (!strcmp(argv[1], "xalign")) {
        xa_error err;
        xa_dets *d;
        if (xa_coco_results_load(argv[2], NULL, &d, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        n = d->count;
        xa_dets_free(d);
    } else {
        json_error_t e;
        json_t *root = json_load_file(argv[2], 0, &e);
        if (!root) {
            fprintf(stderr, "%s: %s\n", argv[2], e.text);
            return 1;
        }
        size_t count = json_array_size(root);
        double *v = malloc((count + 1) * 6 * sizeof *v);
        for (size_t i = 0; i < count && v; i++) {
            json_t *o = json_array_get(root, i), *b = json_object_get(o, "bbox");
            v[i * 6] = (double)json_integer_value(json_object_get(o, "image_id"));
            v[i * 6 + 1] = (double)json_integer_value(json_object_get(o, "category_id"));
            for (size_t k = 0; k < 4; k++)
                v[i * 6 + 2 + k] = json_number_value(json_array_get(b, k));
            n++;
        }
        free(v);
        json_decref(root);
    }
    printf("%.4f %zu\n", now() - t0, n);
    return 0;
}
