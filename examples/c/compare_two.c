/* Compare two tensors with libxalign: the smallest useful program.
 *   cc compare_two.c $(pkg-config --cflags --libs xalign) -o compare_two
 *   ./compare_two ref.npy dump.bmrt:f32:1x1000
 * Compiles as C and as C++. */
#include <stdio.h>
#include <xalign/xalign.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s REF PORT\n", argv[0]);
        return 2;
    }
    xa_error err; /* filled by the call that fails */
    xa_tensor *ref = NULL, *port = NULL;
    if (xa_load(argv[1], &ref, &err) || xa_load(argv[2], &port, &err)) {
        fprintf(stderr, "%s\n", err.message);
        xa_tensor_free(ref);
        return 2;
    }
    xa_cmp_result res;
    int rc = 2;
    if (xa_compare(ref, port, NULL, &res, &err) == XA_OK) {
        printf("%s max_abs %.9g at flat index %lld, cosine %.9f\n",
               res.aligned ? "aligned." : "unaligned!", res.total.max_abs,
               (long long)res.total.max_abs_index, res.total.cosine);
        rc = res.aligned ? 0 : 1;
        xa_cmp_result_clear(&res);
    } else {
        fprintf(stderr, "%s\n", err.message);
    }
    xa_tensor_free(ref);
    xa_tensor_free(port);
    return rc;
}
