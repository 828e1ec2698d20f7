/* Dump a port's stages with libxalign (active only when XALIGN_DUMP_DIR is set):
 *   cc dump_stages.c $(pkg-config --cflags --libs xalign) -o dump_stages
 *   XALIGN_DUMP_DIR=port_dumps ./dump_stages && xalign info port_dumps/00_input.npy
 * Compiles as C and as C++ (shapes are named arrays: C++ has no compound literals). */
#include <stdio.h>
#include <xalign/xalign.h>

int main(void) {
    float input[2][3] = {{0.5f, 1.5f, 2.5f}, {3.5f, 4.5f, 5.5f}};
    float logits[4] = {0.1f, 2.0f, -1.0f, 0.3f};
    const int64_t input_shape[2] = {2, 3}, logits_shape[2] = {1, 4};
    XA_DUMP_RAW("input", XA_F32, 2, input_shape, input);
    XA_DUMP_RAW("logits", XA_F32, 2, logits_shape, logits);
    printf("dumping is %s\n", xa_dump_enabled() ? "on" : "off (set XALIGN_DUMP_DIR)");
    /* XA_DUMP* pass no xa_error: a failed write (full disk, unwritable folder) is kept */
    xa_error err;
    if (xa_dump_last_error(&err) != XA_OK) {
        fprintf(stderr, "%lld dump(s) failed, the last: %s\n", (long long)xa_dump_error_count(),
                err.message);
        return 1;
    }
    return 0;
}
