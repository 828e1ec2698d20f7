// The port side of an alignment, in C++: each stage is dumped with XA_DUMP (active only when
// XALIGN_DUMP_DIR is set), and the resize the original program does (torchvision's Resize on a
// PIL image) is done with xalign's bit-exact copy, so the port matches it.
//   XALIGN_DUMP_DIR=port_dumps ./port.soc photo.jpg
#include <cstdio>
#include <xalign/xalign.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
        return 2;
    }
    xa_error err = {};
    xa_tensor *img = nullptr, *small = nullptr;
    if (xa_image_load(argv[1], &img, &err) != XA_OK ||
        xa_resize(img, 64, 48, XA_RESIZE_PIL_BILINEAR, &small, &err) != XA_OK) {
        std::fprintf(stderr, "%s\n", err.message);
        xa_tensor_free(img);
        return 1;
    }
    XA_DUMP("read", img);
    XA_DUMP("resize", small);
    // the model's output would come from bmrt; any float buffer dumps the same way
    float logits[4] = {0.25f, -1.5f, 3.0f, 0.125f};
    const int64_t shape[2] = {1, 4};
    XA_DUMP_RAW("logits", XA_F32, 2, shape, logits);
    std::printf("resized %lldx%lld -> 64x48; dumps %s\n", (long long)img->shape[1],
                (long long)img->shape[0], xa_dump_enabled() ? "written" : "off");
    xa_tensor_free(small);
    xa_tensor_free(img);
    return 0;
}
