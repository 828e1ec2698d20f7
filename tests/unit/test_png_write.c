/* xa_png_encode / xa_png_save: gray, gray+1, RGB and RGBA round trips through libpng's decoder
 * (xa_image_load), Fortran order, identical bytes for identical pixels, a row wider
 * than libpng's default limit, the heatmap tensor, and every refusal. */
#include "test.h"
#include "xalign/xalign.h"

#include <string.h>
#include <unistd.h>

static xa_tensor *pattern(int rank, int64_t h, int64_t w, int64_t c) {
    int64_t shape[3] = {h, w, c};
    xa_tensor *t = NULL;
    if (xa_tensor_new(XA_U8, rank, shape, &t, NULL)) return NULL;
    for (size_t i = 0; i < t->nbytes; i++) ((uint8_t *)t->data)[i] = (uint8_t)(i * 37 + i / 7);
    return t;
}

/* Encode, decode with libpng (xa_image_load's basic decode), compare the samples. */
static int round_trip(const xa_tensor *t, const uint8_t *want) {
    void *buf = NULL;
    size_t n = 0;
    xa_error err = {0};
    xa_status st = xa_png_encode(t, &buf, &n, &err);
    CHECKF(st == XA_OK, "encode: %s", err.message);
    if (st) return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/xa-test-png-%d.png", (int)getpid());
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, n, f) == n;
    if (f) fclose(f);
    xa_tensor *back = NULL;
    ok = ok && xa_image_load(path, &back, &err) == XA_OK;
    int64_t c = t->rank == 3 ? t->shape[2] : 1;
    ok = ok && back->rank == 3 && back->shape[0] == t->shape[0] && back->shape[1] == t->shape[1] &&
         back->shape[2] == c && back->dtype == XA_U8 && !memcmp(back->data, want, t->nbytes);
    /* identical pixels, identical bytes (no time chunk, fixed settings) */
    void *again = NULL;
    size_t n2 = 0;
    ok = ok && xa_png_encode(t, &again, &n2, NULL) == XA_OK && n2 == n && !memcmp(buf, again, n);
    xa_free(again);
    xa_free(buf);
    xa_tensor_free(back);
    unlink(path);
    return ok;
}

int main(void) {
    int64_t dims[][3] = {{5, 7, 1}, {5, 7, 3}, {5, 7, 4}, {1, 1, 3}};
    for (int i = 0; i < 4; i++) {
        xa_tensor *t = pattern(3, dims[i][0], dims[i][1], dims[i][2]);
        CHECKF(t && round_trip(t, t->data), "H x W x %lld", (long long)dims[i][2]);
        xa_tensor_free(t);
    }
    xa_tensor *g = pattern(2, 9, 4, 0); /* H x W: gray */
    CHECK(g && round_trip(g, g->data));
    xa_tensor_free(g);
    /* Fortran order: the same logical image as its C-order copy */
    xa_tensor *c = pattern(3, 6, 5, 3), *fo = NULL;
    CHECK(c && xa_tensor_dup_native(c, &fo, NULL) == XA_OK);
    if (c && fo) {
        /* fo: the elements of c laid out in Fortran order */
        int64_t h = 6, w = 5, ch = 3;
        for (int64_t y = 0; y < h; y++)
            for (int64_t x = 0; x < w; x++)
                for (int64_t k = 0; k < ch; k++)
                    ((uint8_t *)fo->data)[y + h * (x + w * k)] =
                        ((uint8_t *)c->data)[(y * w + x) * ch + k];
        fo->fortran_order = 1;
        CHECK(round_trip(fo, c->data));
    }
    xa_tensor_free(c);
    xa_tensor_free(fo);
    /* a row wider than libpng's default user limit (1000000 pixels, which its reader keeps:
     * the IHDR is checked instead of decoding) */
    xa_tensor *wide = pattern(2, 1, 1000001, 0);
    void *wb = NULL;
    size_t wn = 0;
    CHECK(wide && xa_png_encode(wide, &wb, &wn, NULL) == XA_OK && wn > 24 &&
          !memcmp((uint8_t *)wb + 12, "IHDR\x00\x0f\x42\x41\x00\x00\x00\x01", 12));
    xa_free(wb);
    xa_tensor_free(wide);
    /* the heatmap is an RGB uint8 tensor the writer takes */
    xa_tensor *a = pattern(3, 4, 4, 3), *b = pattern(3, 4, 4, 3), *hm = NULL;
    ((uint8_t *)b->data)[5] ^= 1;
    xa_heatmap_info info;
    CHECK(xa_heatmap_new(a, b, NULL, &hm, &info, NULL) == XA_OK && hm->rank == 3 &&
          hm->shape[2] == 3 && info.exact == 15 && info.max == 1 && round_trip(hm, hm->data));
    xa_tensor_free(a);
    xa_tensor_free(b);
    xa_tensor_free(hm);
    /* refusals: dtype, channels, empty, and a path that cannot be written */
    xa_error err = {0};
    void *buf = NULL;
    size_t n = 0;
    int64_t s5[3] = {2, 2, 5}, s0[3] = {0, 3, 3};
    xa_tensor *bad = NULL;
    CHECK(xa_tensor_new(XA_F32, 3, s5 + 0, &bad, NULL) == XA_OK);
    CHECK(xa_png_encode(bad, &buf, &n, &err) == XA_EINVAL && strstr(err.message, "float32") &&
          !buf && !n);
    xa_tensor_free(bad);
    CHECK(xa_tensor_new(XA_U8, 3, s5, &bad, NULL) == XA_OK);
    CHECK(xa_png_encode(bad, &buf, &n, &err) == XA_EINVAL && strstr(err.message, "[2, 2, 5]"));
    xa_tensor_free(bad);
    CHECK(xa_tensor_new(XA_U8, 3, s0, &bad, NULL) == XA_OK);
    CHECK(xa_png_encode(bad, &buf, &n, &err) == XA_ESHAPE && strstr(err.message, "[0, 3, 3]"));
    xa_tensor_free(bad);
    xa_tensor *ok = pattern(3, 2, 2, 3);
    CHECK(xa_png_save("/nonexistent-dir/x.png", ok, &err) == XA_EIO &&
          strstr(err.message, "/nonexistent-dir/x.png"));
    xa_tensor_free(ok);
    TEST_DONE();
}
