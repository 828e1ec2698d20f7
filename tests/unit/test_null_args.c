/* Public entry points that take tensors refuse a NULL tensor or result pointer with XA_EINVAL
 * and a message instead of crashing (README's "Library" example stops on error; a caller that
 * does not must get an error, not a segfault). Each call runs in a child process, so a crash
 * fails its check and the others still run. */
#include "test.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xalign/xalign.h>

static xa_tensor *good;
static xa_error err;

/* 0: the call returned XA_EINVAL with a message; 1: another status; 2: it crashed. */
#define PROBE(call)                                                                                \
    do {                                                                                           \
        fflush(NULL);                                                                              \
        pid_t pid = fork();                                                                        \
        if (pid == 0) {                                                                            \
            memset(&err, 0, sizeof err);                                                           \
            xa_status st_ = (call);                                                                \
            _exit(st_ == XA_EINVAL && err.message[0] ? 0 : 1);                                     \
        }                                                                                          \
        int ws = 0;                                                                                \
        waitpid(pid, &ws, 0);                                                                      \
        CHECKF(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "%s: %s", #call,                             \
               WIFEXITED(ws) ? "not XA_EINVAL with a message" : "crashed");                        \
    } while (0)

int main(void) {
    int64_t shape[3] = {4, 4, 3};
    if (xa_tensor_new(XA_U8, 3, shape, &good, NULL)) return 1;
    memset(good->data, 7, good->nbytes);
    xa_cmp_result res;
    xa_tensor *out = NULL;
    char *json = NULL;
    xa_stats stats;
    xa_heatmap_options ho;
    xa_heatmap_options_init(&ho);
    xa_heatmap_info hi;
    xa_permutation perm;
    memset(&perm, 0, sizeof perm);

    PROBE(xa_compare(NULL, good, NULL, &res, &err));
    PROBE(xa_compare(good, NULL, NULL, &res, &err));
    PROBE(xa_compare(good, good, NULL, NULL, &err));
    PROBE(xa_compare_to_json(NULL, good, NULL, &json, &err));
    PROBE(xa_compare_to_json(good, NULL, NULL, &json, &err));
    PROBE(xa_compare_to_json(good, good, NULL, NULL, &err));
    PROBE(xa_diagnose_to_json(NULL, good, NULL, NULL, NULL, NULL, &json, &err));
    PROBE(xa_diagnose_to_json(good, NULL, NULL, NULL, NULL, NULL, &json, &err));
    PROBE(xa_heatmap_new(NULL, good, &ho, &out, &hi, &err));
    PROBE(xa_heatmap_new(good, NULL, &ho, &out, &hi, &err));
    PROBE(xa_tensor_stats(NULL, &stats, &err));
    PROBE(xa_tensor_stats(good, NULL, &err));
    PROBE(xa_tensor_permute(NULL, &perm, &out, &err));
    PROBE(xa_tensor_dup_native(NULL, &out, &err));
    PROBE(xa_npy_save("/nonexistent/x.npy", NULL, &err));
    PROBE(xa_resize(NULL, 2, 2, XA_RESIZE_PIL_BILINEAR, &out, &err));
    PROBE(xa_tv_center_crop(NULL, XA_LAYOUT_HWC, 2, 2, &out, &err));
    PROBE(xa_hwc_to_chw(NULL, &out, &err));
    PROBE(xa_to_f32(NULL, &out, &err));
    CHECK(xa_shape_permutations(NULL, good, &perm, 1) == 0);
    xa_tensor_free(good);
    TEST_DONE();
}
