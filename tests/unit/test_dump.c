/* xa_dump: off by default, NN_name.npy in call order, thread-safe numbering, samples, npz;
 * failures kept for xa_dump_last_error, from every thread. */
#include "test.h"
#include "xalign/xalign.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

#define THREADS 4
#define PER_THREAD 10
static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        float v[3] = {(float)id, (float)i, 0};
        int64_t shape[1] = {3};
        char name[32];
        snprintf(name, sizeof name, "t%d_%d", id, i);
        xa_dump_raw(name, XA_F32, 1, shape, v, NULL);
    }
    return NULL;
}

/* Every call of every thread fails (the folder cannot be created); all are counted. */
static void *failing_worker(void *arg) {
    (void)arg;
    uint8_t v[2] = {1, 2};
    int64_t shape[1] = {2};
    for (int i = 0; i < PER_THREAD; i++) XA_DUMP_RAW("x", XA_U8, 1, shape, v);
    return NULL;
}

/* Write failures through XA_DUMP (no err): returned, and kept for xa_dump_last_error. */
static void check_failures(const xa_tensor *t) {
    char p[512], q[600];
    xa_error e;
    xa_dump_clear_error();
    CHECK(xa_dump_last_error(&e) == XA_OK && e.message[0] == 0 && xa_dump_error_count() == 0);
    /* a dump folder that cannot be created: its parent is a regular file (root included) */
    snprintf(p, sizeof p, "%s/file", root);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    snprintf(q, sizeof q, "%s/dumps", p);
    CHECK(xa_dump_configure(q, NULL) == XA_OK);
    CHECK(XA_DUMP("read", t) == XA_EIO);
    CHECKF(xa_dump_last_error(&e) == XA_EIO && e.status == XA_EIO &&
               strstr(e.message, "cannot create directory") && strstr(e.message, "Not a directory"),
           "last error: %s", e.message);
    CHECK(xa_dump_error_count() == 1);
    /* from every thread, counted once each, however they interleave */
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, failing_worker, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    CHECK(xa_dump_error_count() == 1 + THREADS * PER_THREAD);
    /* a failed write into a folder that exists: the file is /dev/full (ENOSPC on write) */
    snprintf(p, sizeof p, "%s/full", root);
    CHECK(xa_dump_configure(p, NULL) == XA_OK);
    CHECK(xa_dump("first", t, NULL) == XA_OK); /* creates the folder, takes 00 */
    snprintf(q, sizeof q, "%s/01_second.npy", p);
    CHECK(symlink("/dev/full", q) == 0);
    xa_error mine = {0};
    CHECK(xa_dump("second", t, &mine) == XA_EIO && strstr(mine.message, "01_second.npy"));
    CHECKF(xa_dump_last_error(&e) == XA_EIO && !strcmp(e.message, mine.message) &&
               strstr(e.message, "No space left on device"),
           "last error: %s", e.message);
    /* a later success does not hide it; clearing does */
    CHECK(XA_DUMP("third", t) == XA_OK && xa_dump_last_error(NULL) == XA_EIO);
    /* invalid calls count too (XA_DUMP with a bad name) */
    CHECK(XA_DUMP("a b", t) == XA_EINVAL && xa_dump_last_error(&e) == XA_EINVAL &&
          strstr(e.message, "'a b'"));
    xa_dump_clear_error();
    CHECK(xa_dump_last_error(&e) == XA_OK && xa_dump_error_count() == 0);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/xa-test-dump-%d", (int)getpid());
    /* off unless configured (the test runs without XALIGN_DUMP_DIR) */
    CHECK(!xa_dump_enabled() || getenv("XALIGN_DUMP_DIR"));
    int64_t shape[2] = {2, 3};
    xa_tensor *t;
    CHECK(xa_tensor_new(XA_U8, 2, shape, &t, NULL) == XA_OK);
    for (int i = 0; i < 6; i++) ((uint8_t *)t->data)[i] = (uint8_t)(i * 40);
    if (!getenv("XALIGN_DUMP_DIR")) {
        CHECK(XA_DUMP("read", t) == XA_OK); /* a no-op */
        CHECK(!exists(root));
    }
    CHECK(xa_dump_configure(root, NULL) == XA_OK && xa_dump_enabled());
    CHECK(xa_dump("read", t, NULL) == XA_OK);
    CHECK(XA_DUMP("resize", t) == XA_OK);
    char p[512];
    snprintf(p, sizeof p, "%s/00_read.npy", root);
    CHECK(exists(p));
    snprintf(p, sizeof p, "%s/01_resize.npy", root);
    CHECK(exists(p));
    xa_tensor *back;
    CHECK(xa_npy_load(p, &back, NULL) == XA_OK);
    CHECK(back && back->dtype == XA_U8 && back->rank == 2 && back->shape[1] == 3 &&
          !memcmp(back->data, t->data, 6));
    xa_tensor_free(back);
    /* bad names are refused with a message, and do not consume a number */
    xa_error err = {0};
    CHECK(xa_dump("a/b", t, &err) == XA_EINVAL && strstr(err.message, "a/b"));
    CHECK(xa_dump("", t, &err) == XA_EINVAL);
    /* a multi-tensor stage goes into NN_name.npz, members by name */
    const char *names[2] = {"boxes", "scores"};
    const xa_tensor *ts[2] = {t, t};
    xa_status st = xa_dump_multi("outputs", 2, names, ts, &err);
    snprintf(p, sizeof p, "%s/02_outputs.npz", root);
    CHECKF(st == XA_OK && exists(p), "npz dump: %s", err.message);
    if (st == XA_OK) {
        char spec[600];
        snprintf(spec, sizeof spec, "%s#scores", p);
        CHECK(xa_load(spec, &back, NULL) == XA_OK && back && !memcmp(back->data, t->data, 6));
        xa_tensor_free(back);
    }
    /* per-sample folders restart the numbering */
    CHECK(xa_dump_set_sample("img_001", NULL) == XA_OK);
    CHECK(xa_dump("read", t, NULL) == XA_OK);
    snprintf(p, sizeof p, "%s/img_001/00_read.npy", root);
    CHECK(exists(p));
    CHECK(xa_dump_set_sample("../x", &err) == XA_EINVAL);
    /* threads: every call gets its own number, none lost */
    CHECK(xa_dump_set_sample("threads", NULL) == XA_OK);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    snprintf(p, sizeof p, "%s/threads", root);
    CHECK(count_files(p) == THREADS * PER_THREAD);
    int seen[THREADS * PER_THREAD] = {0};
    DIR *d = opendir(p);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int k;
        if (sscanf(e->d_name, "%d_", &k) == 1 && k >= 0 && k < THREADS * PER_THREAD) seen[k]++;
    }
    if (d) closedir(d);
    int dup_or_gap = 0;
    for (int k = 0; k < THREADS * PER_THREAD; k++) dup_or_gap += seen[k] != 1;
    CHECK(dup_or_gap == 0);
    check_failures(t);
    /* turning it off */
    CHECK(xa_dump_configure(NULL, NULL) == XA_OK && !xa_dump_enabled());
    xa_tensor_free(t);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    TEST_DONE();
}
