/* Fuzz target: the JSON pull parser through every results reader (COCO results, COCO ground
 * truth, classification CSV / JSON lines), then what consumes their output: the rounding check,
 * the detection comparison, COCO JSON writing (whose output must parse back to the same count)
 * and, when the input is "GROUND TRUTH \0 RESULTS", COCOeval and its movers. */
#include "fuzz_target.h"
#include <stdint.h>
#include <string.h>
#include <xalign/xalign.h>

static void use_dets(const xa_dets *d) {
    xa_rounding_check c;
    xa_rounding_check_run(d, &c);
    xa_results_report *r;
    if (xa_results_compare(d, d, NULL, &r, NULL) == XA_OK) {
        if (!r->aligned) __builtin_trap(); /* a set always matches itself */
        xa_free(xa_report_results_text(r, "a", "b", 5));
        xa_free(xa_report_results_json(r, "a", "b"));
        xa_results_report_free(r);
    }
    xa_coco_write_options o;
    xa_coco_write_options_init(&o);
    o.categories = XA_CATEGORY_AS_IS;
    for (int round = 0; round < 2; round++) {
        o.round = round;
        char *s;
        size_t n;
        if (xa_coco_results_encode(d, &o, &s, &n, NULL) != XA_OK) continue;
        xa_dets *back;
        if (xa_coco_results_parse(s, n, "encoded", NULL, &back, NULL) != XA_OK ||
            back->count != d->count)
            __builtin_trap(); /* what xalign writes, it reads */
        xa_dets_free(back);
        xa_free(s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *zero = memchr(data, 0, size);
    if (zero) { /* ground truth \0 results */
        xa_coco_gt *gt;
        xa_dets *d;
        if (xa_coco_gt_parse(data, (size_t)(zero - data), "gt", NULL, &gt, NULL) != XA_OK) return 0;
        if (xa_coco_results_parse(zero + 1, size - (size_t)(zero - data) - 1, "dt", NULL, &d,
                                  NULL) == XA_OK) {
            xa_cocoeval *e;
            if (xa_cocoeval_run(gt, d, 1, &e, NULL) == XA_OK) {
                for (int i = 0; i < 12; i++)
                    if (!(e->stats[i] >= -1 && e->stats[i] <= 1)) __builtin_trap();
                xa_free(xa_report_cocoeval_text(e, 1));
                xa_cocoeval_movers *m;
                if (xa_cocoeval_movers_new(gt, e, e, 10, 1, &m, NULL) == XA_OK) {
                    if (m->images_changed) __builtin_trap(); /* a run is equal to itself */
                    xa_cocoeval_movers_free(m);
                }
                xa_cocoeval_free(e);
            }
            xa_dets_free(d);
        }
        xa_coco_gt_free(gt);
        return 0;
    }
    xa_dets *d;
    if (xa_coco_results_parse(data, size, "fuzz", NULL, &d, NULL) == XA_OK) {
        use_dets(d);
        xa_dets_free(d);
    }
    xa_coco_gt *gt;
    if (xa_coco_gt_parse(data, size, "fuzz", NULL, &gt, NULL) == XA_OK) xa_coco_gt_free(gt);
    xa_cls_results *c;
    if (xa_cls_results_parse(data, size, "fuzz", NULL, &c, NULL) == XA_OK) {
        xa_cls_report *r;
        if (xa_cls_compare(c, c, -1, &r, NULL) == XA_OK) {
            if (!r->all_aligned) __builtin_trap();
            xa_free(xa_report_cls_text(r, "a", "b", 5));
            xa_cls_report_free(r);
        }
        xa_cls_results_free(c);
    }
    return 0;
}
