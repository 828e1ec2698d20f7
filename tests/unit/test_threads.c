/* Library code on several threads at once, for the ThreadSanitizer build (label "threads", make
 * tsan) as much as for its results: a dataset run over 8 samples on 4 threads, each sample with
 * .npy and .npz stage dumps (stored .npz members share the archive's mapping, so backings are
 * referenced from several threads) and a replayed resize; comparisons split over 4 threads; and
 * the per-thread operation limits, set on one thread and not seen by another. */
#include "test.h"
#include "ops/ops_internal.h"
#include "xalign/xalign.h"

#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

enum { SAMPLES = 8 };
static char root[] = "/tmp/xa-test-threads-XXXXXX";

static xa_tensor *image(int seed) {
    int64_t shape[3] = {20, 30, 3};
    xa_tensor *t = NULL;
    if (xa_tensor_new(XA_U8, 3, shape, &t, NULL)) return NULL;
    for (size_t i = 0; i < t->nbytes; i++) ((uint8_t *)t->data)[i] = (uint8_t)(i * 31 + seed * 7);
    return t;
}

static int save_sample(const char *side, int s, int broken) {
    char dir[512], p[640];
    snprintf(dir, sizeof dir, "%s/%s/s%d", root, side, s);
    if (mkdir(dir, 0700)) return 0;
    xa_tensor *img = image(s), *small = NULL;
    xa_error e;
    int ok = img && xa_resize(img, 15, 10, XA_RESIZE_PIL_BILINEAR, &small, &e) == XA_OK;
    if (ok && broken) ((uint8_t *)small->data)[7] ^= 1; /* the port's resize is off by one */
    snprintf(p, sizeof p, "%s/00_read.npy", dir);
    ok = ok && xa_npy_save(p, img, &e) == XA_OK;
    snprintf(p, sizeof p, "%s/01_resize.npy", dir);
    ok = ok && xa_npy_save(p, small, &e) == XA_OK;
    const char *names[2] = {"image", "small"};
    const xa_tensor *ts[2] = {img, small};
    snprintf(p, sizeof p, "%s/02_both.npz", dir);
    ok = ok && xa_npz_save(p, 2, names, ts, &e) == XA_OK;
    xa_tensor_free(img);
    xa_tensor_free(small);
    return ok;
}

static void test_dataset(void) {
    char ref[512], port[512];
    snprintf(ref, sizeof ref, "%s/ref", root);
    snprintf(port, sizeof port, "%s/port", root);
    CHECK(mkdir(ref, 0700) == 0 && mkdir(port, 0700) == 0);
    for (int s = 0; s < SAMPLES; s++) {
        CHECK(save_sample("ref", s, 0));
        CHECK(save_sample("port", s, s % 3 == 1)); /* samples 1, 4, 7 differ */
    }
    const char *json =
        "{\"stages\": {\"resize\": {\"op\": \"resize\", \"method\": \"pil-bilinear\","
        " \"size\": [15, 10]}}}";
    xa_manifest m;
    xa_error e;
    CHECKF(xa_manifest_parse(json, strlen(json), &m, &e) == XA_OK, "%s", e.message);
    xa_stages_options o;
    memset(&o, 0, sizeof o);
    o.manifest = &m;
    xa_dataset_report r;
    xa_status st = xa_dataset_run(ref, port, &o, 4, &r, &e);
    CHECKF(st == XA_OK, "%s", e.message);
    if (st) return;
    CHECK(r.nsamples == SAMPLES && r.unaligned_samples == 3);
    for (size_t i = 0; i < r.nsamples; i++) {
        const xa_stages_report *s = &r.reports[i];
        int broken = i % 3 == 1;
        CHECKF(s->nstages == 3 && s->stages[0].status == XA_STAGE_ALIGNED &&
                   s->stages[1].status == (broken ? XA_STAGE_UNALIGNED : XA_STAGE_ALIGNED) &&
                   s->stages[2].status == (broken ? XA_STAGE_UNALIGNED : XA_STAGE_ALIGNED),
               "sample %zu", i);
        /* the replayed resize on the port's read is the reference's: the broken port's own
         * error shows there, the others have none */
        CHECKF(s->stages[1].has_own &&
                   s->stages[1].own_status == (broken ? XA_STAGE_UNALIGNED : XA_STAGE_ALIGNED),
               "sample %zu replay", i);
    }
    xa_dataset_report_clear(&r);
    xa_manifest_clear(&m);
}

/* One comparison split over 4 threads gives what one thread gives. */
static void test_compare_parts(void) {
    int64_t n = (int64_t)1 << 21;
    xa_tensor *a = NULL, *b = NULL;
    CHECK(xa_tensor_new(XA_F32, 1, &n, &a, NULL) == XA_OK &&
          xa_tensor_new(XA_F32, 1, &n, &b, NULL) == XA_OK);
    if (!a || !b) return;
    for (int64_t i = 0; i < n; i++) {
        ((float *)a->data)[i] = (float)(i % 1000) * 0.5f;
        ((float *)b->data)[i] = (float)(i % 1000) * 0.5f + (i == n - 12345 ? 3.0f : 0.0f);
    }
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    xa_cmp_result r1, r4;
    o.threads = 1;
    CHECK(xa_compare(a, b, &o, &r1, NULL) == XA_OK);
    o.threads = 4;
    CHECK(xa_compare(a, b, &o, &r4, NULL) == XA_OK);
    const xa_metrics *m1 = &r1.total, *m4 = &r4.total;
    CHECK(m1->max_abs == 3.0 && m4->max_abs == 3.0 && m1->max_abs_index == n - 12345 &&
          m4->max_abs_index == n - 12345 && m1->equal == n - 1 && m4->equal == n - 1 &&
          m1->sum_d2 == m4->sum_d2 && m1->cosine == m4->cosine); /* sums of quarters: exact */
    xa_cmp_result_clear(&r1);
    xa_cmp_result_clear(&r4);
    xa_tensor_free(a);
    xa_tensor_free(b);
}

/* Operation limits are per thread: a small limit set on one thread stops its resize only. */
static void *limited_resize(void *arg) {
    xa_limits l;
    xa_limits_init(&l);
    l.op_output_bytes = 100;
    xa_ops_set_limits(&l);
    xa_tensor *out = NULL;
    xa_status st = xa_resize(arg, 15, 10, XA_RESIZE_CV_LINEAR, &out, NULL);
    xa_tensor_free(out);
    xa_ops_set_limits(NULL);
    return (void *)(intptr_t)st;
}

static void test_ops_limits_per_thread(void) {
    xa_tensor *img = image(1), *out = NULL;
    pthread_t th;
    void *res = NULL;
    CHECK(pthread_create(&th, NULL, limited_resize, img) == 0);
    xa_status mine = xa_resize(img, 15, 10, XA_RESIZE_CV_LINEAR, &out, NULL);
    CHECK(pthread_join(th, &res) == 0);
    CHECK((xa_status)(intptr_t)res == XA_ELIMIT && mine == XA_OK);
    xa_tensor_free(out);
    xa_tensor_free(img);
}

int main(void) {
    if (!mkdtemp(root)) return 1;
    test_dataset();
    test_compare_parts();
    test_ops_limits_per_thread();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    TEST_DONE();
}
