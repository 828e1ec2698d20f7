/* Dump a port's stages with libxalign (active only when XALIGN_DUMP_DIR is set):
 *   cc dump_stages.c $(pkg-config --cflags --libs xalign) -o dump_stages
 *   XALIGN_DUMP_DIR=port_dumps ./dump_stages && xalign info port_dumps/00_input.npy */
#include <stdio.h>
#include <xalign/xalign.h>

int main(void) {
    float input[2][3] = {{0.5f, 1.5f, 2.5f}, {3.5f, 4.5f, 5.5f}};
    float logits[4] = {0.1f, 2.0f, -1.0f, 0.3f};
    XA_DUMP_RAW("input", XA_F32, 2, ((int64_t[]){2, 3}), input);
    XA_DUMP_RAW("logits", XA_F32, 2, ((int64_t[]){1, 4}), logits);
    printf("dumping is %s\n", xa_dump_enabled() ? "on" : "off (set XALIGN_DUMP_DIR)");
    return 0;
}
