/* JPEG decoding with libjpeg-turbo's libjpeg API, as cv2.imread and Pillow drive it.
 *
 * Both OpenCV 4.6 (imgcodecs/src/grfmt_jpeg.cpp, JpegDecoder) and Pillow 9.4
 * (libImaging/JpegDecode.c) call the same libjpeg-turbo with its defaults (JDCT_ISLOW, fancy
 * upsampling); they differ in the output colour space they ask for, in what they do after
 * libjpeg, and in how they treat the end of the data:
 *  - cv2.imread(path) reads through jpeg_stdio_src: when the data runs out, libjpeg warns
 *    "Premature end of JPEG file", inserts a fake EOI and the missing blocks decode as flat
 *    grey; the warning is printed and the image returned. Errors inside jpeg_finish_decompress
 *    come after OpenCV has set its result, so they are ignored too.
 *  - Pillow feeds a suspending source (fill_input_buffer returns FALSE). Running out of data
 *    while reading the header, starting or reading scanlines makes Image.load() raise
 *    "image file is truncated"; jpeg_finish_decompress suspending is ignored.
 * Warnings never fail either library; they are counted and the first one is kept for the
 * settings string. libjpeg never prints or exits here: error_exit longjmps, output_message and
 * emit_message only record.
 */
#include "image_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    xa_decoded *d;
} jerr_ctx;

static void on_error(j_common_ptr cinfo) {
    jerr_ctx *e = (jerr_ctx *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->message);
    longjmp(e->jump, 1);
}
static void on_output(j_common_ptr cinfo) {
    (void)cinfo;
}
/* libjpeg's emit_message with trace messages dropped and warnings recorded, not printed.
 * num_warnings is kept as jpeg_std_error's version keeps it. */
static void on_emit(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    jerr_ctx *e = (jerr_ctx *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    xa_decoded_warn(e->d, text);
    cinfo->err->num_warnings++;
}

typedef struct {
    struct jpeg_source_mgr pub;
    const unsigned char *data;
    size_t size;
    int suspending; /* Pillow's source: no more data means suspension */
    int eof;        /* libjpeg asked for bytes past the end */
} jsrc_ctx;

static const JOCTET fake_eoi[2] = {0xFF, JPEG_EOI};

static void src_init(j_decompress_ptr cinfo) {
    (void)cinfo;
}
static void src_term(j_decompress_ptr cinfo) {
    (void)cinfo;
}
/* The whole buffer is given at once, so this runs only past the end. */
static boolean src_fill(j_decompress_ptr cinfo) {
    jsrc_ctx *s = (jsrc_ctx *)cinfo->src;
    s->eof = 1;
    if (s->suspending) return FALSE;
    /* jpeg_stdio_src / jpeg_mem_src at end of data (libjpeg-turbo jdatasrc.c). */
    WARNMS(cinfo, JWRN_JPEG_EOF);
    s->pub.next_input_byte = fake_eoi;
    s->pub.bytes_in_buffer = 2;
    return TRUE;
}
static void src_skip(j_decompress_ptr cinfo, long n) {
    jsrc_ctx *s = (jsrc_ctx *)cinfo->src;
    if (n <= 0) return;
    if (s->suspending) { /* Pillow's skip_input_data: skip what is there, suspend later */
        if ((size_t)n > s->pub.bytes_in_buffer) {
            s->pub.next_input_byte += s->pub.bytes_in_buffer;
            s->pub.bytes_in_buffer = 0;
            s->eof = 1;
            return;
        }
    } else { /* jdatasrc.c skip_input_data: refill (fake EOIs) until enough is buffered */
        while (n > (long)s->pub.bytes_in_buffer) {
            n -= (long)s->pub.bytes_in_buffer;
            (void)src_fill(cinfo);
        }
    }
    s->pub.next_input_byte += n;
    s->pub.bytes_in_buffer -= (size_t)n;
}

static J_DCT_METHOD dct_of(xa_dct_method m) {
    return m == XA_DCT_IFAST ? JDCT_IFAST : m == XA_DCT_FLOAT ? JDCT_FLOAT : JDCT_ISLOW;
}

/* "4:2:0"-style name of the chroma sampling of a 3-component image. */
static void sampling_name(const struct jpeg_decompress_struct *ci, char *buf, size_t n) {
    if (ci->num_components == 1) {
        snprintf(buf, n, "gray");
        return;
    }
    const jpeg_component_info *c = ci->comp_info;
    int same = 1;
    for (int i = 2; i < ci->num_components; i++)
        same &=
            c[i].h_samp_factor == c[1].h_samp_factor && c[i].v_samp_factor == c[1].v_samp_factor;
    int h = c[0].h_samp_factor, v = c[0].v_samp_factor;
    if (same && c[1].h_samp_factor == 1 && c[1].v_samp_factor == 1) {
        const char *s = h == 1 && v == 1   ? "4:4:4"
                        : h == 2 && v == 1 ? "4:2:2"
                        : h == 2 && v == 2 ? "4:2:0"
                        : h == 1 && v == 2 ? "4:4:0"
                        : h == 4 && v == 1 ? "4:1:1"
                                           : NULL;
        if (s) {
            snprintf(buf, n, "%s", s);
            return;
        }
    }
    int k = snprintf(buf, n, "sampling");
    for (int i = 0; i < ci->num_components && k > 0 && (size_t)k < n; i++)
        k += snprintf(buf + k, n - (size_t)k, " %dx%d", c[i].h_samp_factor, c[i].v_samp_factor);
}

static const char *space_name(J_COLOR_SPACE s) {
    switch (s) {
    case JCS_GRAYSCALE:
        return "gray";
    case JCS_RGB:
        return "RGB";
    case JCS_YCbCr:
        return "YCbCr";
    case JCS_CMYK:
        return "CMYK";
    case JCS_YCCK:
        return "YCCK";
    default:
        return "unknown";
    }
}

/* What is done with libjpeg's output rows. */
typedef enum {
    ROW_DIRECT,       /* libjpeg writes the final pixels */
    ROW_CV_CMYK_BGR,  /* OpenCV icvCvt_CMYK2BGR_8u_C4C3R */
    ROW_CV_CMYK_GRAY, /* OpenCV icvCvt_CMYK2Gray_8u_C4C1R */
    ROW_PIL_L_RGB,    /* Pillow l2rgb: L replicated */
    ROW_PIL_RGB_L,    /* Pillow rgb2l */
    ROW_PIL_CMYK_RGB, /* Pillow "CMYK;I" unpack, then cmyk2rgb */
    ROW_PIL_CMYK_L,   /* ... then rgb2l (Image.convert falls back through RGB) */
} row_mode;

static void convert_row(row_mode m, const unsigned char *in, unsigned char *out, size_t w) {
    for (size_t x = 0; x < w; x++) {
        switch (m) {
        case ROW_CV_CMYK_BGR:
            xa_cv_cmyk_to_bgr(in + 4 * x, out + 3 * x);
            break;
        case ROW_CV_CMYK_GRAY:
            out[x] = xa_cv_cmyk_to_gray(in + 4 * x);
            break;
        case ROW_PIL_L_RGB:
            out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = in[x];
            break;
        case ROW_PIL_RGB_L:
            out[x] = xa_pil_luma(in[3 * x], in[3 * x + 1], in[3 * x + 2]);
            break;
        case ROW_PIL_CMYK_RGB:
        case ROW_PIL_CMYK_L: {
            unsigned char cmyk[4], rgb[3];
            for (int i = 0; i < 4; i++) cmyk[i] = (unsigned char)(255 - in[4 * x + i]);
            xa_pil_cmyk_to_rgb(cmyk, rgb);
            if (m == ROW_PIL_CMYK_RGB)
                memcpy(out + 3 * x, rgb, 3);
            else
                out[x] = xa_pil_luma(rgb[0], rgb[1], rgb[2]);
            break;
        }
        case ROW_DIRECT:
            break;
        }
    }
}

/* Choose libjpeg's output colour space and the row conversion for a request. */
static xa_status choose_output(struct jpeg_decompress_struct *ci, const xa_image_request *rq,
                               row_mode *mode, int *channels, char *note, size_t nn,
                               xa_error *err) {
    int nc = ci->num_components;
    *mode = ROW_DIRECT;
    switch (rq->flavor) {
    case XA_FLAVOR_BASIC:
        /* libjpeg's default: RGB for YCbCr/RGB, gray, CMYK for CMYK/YCCK. Other component
         * counts would come out as raw components; refuse them. */
        if (nc != 1 && nc != 3 && nc != 4)
            return xa_fail(err, XA_EUNSUPPORTED, "JPEG: %d components (only 1, 3 or 4 are read)",
                           nc);
        *channels = nc;
        snprintf(note, nn, "libjpeg default output %s", space_name(ci->out_color_space));
        return XA_OK;
    case XA_FLAVOR_CV2:
        /* JpegDecoder::readData: 4 components -> CMYK + OpenCV's own conversion; otherwise
         * libjpeg converts (BGR directly, or gray = the Y component for YCbCr files). */
        if (nc == 4) {
            ci->out_color_space = JCS_CMYK;
            *mode = rq->gray ? ROW_CV_CMYK_GRAY : ROW_CV_CMYK_BGR;
            snprintf(note, nn, "libjpeg CMYK, OpenCV icvCvt_CMYK2%s", rq->gray ? "Gray" : "BGR");
        } else {
            ci->out_color_space = rq->gray ? JCS_GRAYSCALE : JCS_EXT_BGR;
            snprintf(note, nn, "libjpeg %s->%s", space_name(ci->jpeg_color_space),
                     rq->gray ? "gray" : "BGR");
        }
        *channels = rq->gray ? 1 : 3;
        return XA_OK;
    case XA_FLAVOR_PIL:
        /* JpegImagePlugin: the SOF's layer count decides the mode (1 L, 3 RGB, 4 CMYK);
         * anything else is "cannot handle N-layer images". */
        if (nc == 1) {
            ci->out_color_space = JCS_GRAYSCALE;
            if (!rq->gray) *mode = ROW_PIL_L_RGB;
            snprintf(note, nn, "mode L%s", rq->gray ? "" : ", convert('RGB') l2rgb");
        } else if (nc == 3) {
            ci->out_color_space = JCS_RGB;
            if (rq->gray) *mode = ROW_PIL_RGB_L;
            snprintf(note, nn, "libjpeg %s->RGB%s", space_name(ci->jpeg_color_space),
                     rq->gray ? ", convert('L') rgb2l" : "");
        } else if (nc == 4) {
            ci->out_color_space = JCS_CMYK;
            *mode = rq->gray ? ROW_PIL_CMYK_L : ROW_PIL_CMYK_RGB;
            snprintf(note, nn, "mode CMYK (CMYK;I), convert cmyk2rgb%s", rq->gray ? "+rgb2l" : "");
        } else {
            return xa_fail(err, XA_EUNSUPPORTED, "JPEG: cannot handle %d-layer images (as PIL)",
                           nc);
        }
        *channels = rq->gray ? 1 : 3;
        return XA_OK;
    }
    return xa_fail(err, XA_EINVAL, "JPEG: unknown decoder flavor");
}

/* The phases where a libjpeg error can land; cv2 ignores errors in FINISH. */
enum { PH_HEADER, PH_DECODE, PH_FINISH };

/* Everything the decode touches lives here, so nothing is a register variable across the
 * setjmp in xa_jpeg_decode. */
typedef struct {
    struct jpeg_decompress_struct ci;
    jerr_ctx je;
    jsrc_ctx src;
    const xa_image_request *rq;
    xa_decoded *d;
    unsigned char *scratch;
    int phase;
} jpeg_job;

/* Kept out of line so that none of its locals live in the frame that calls setjmp. */
static XA_NOINLINE xa_status decode_body(jpeg_job *j, xa_error *err) {
    struct jpeg_decompress_struct *ci = &j->ci;
    const xa_image_request *rq = j->rq;
    xa_decoded *d = j->d;
    xa_status st;

    /* OpenCV keeps APP1 segments to read the EXIF orientation from the first one. */
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);
    if (rq->flavor == XA_FLAVOR_PIL) {
        int r;
        do r = jpeg_read_header(ci, FALSE); /* Pillow skips tables-only datastreams */
        while (r == JPEG_HEADER_TABLES_ONLY);
        if (r == JPEG_SUSPENDED)
            return xa_fail(err, XA_ETRUNC,
                           "JPEG: image file is truncated (the header ends "
                           "early; PIL raises)");
    } else {
        jpeg_read_header(ci, TRUE);
    }
    for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1) {
            /* OpenCV skips 6 bytes ("Exif\0\0", not checked) to the TIFF header. */
            if (m->data_length > 6)
                d->exif_orientation = xa_exif_orientation(m->data + 6, m->data_length - 6);
            break;
        }

    row_mode mode = ROW_DIRECT;
    int channels = 0;
    char note[96];
    if ((st = choose_output(ci, rq, &mode, &channels, note, sizeof note, err))) return st;
    ci->dct_method = dct_of(rq->dct);
    ci->do_fancy_upsampling = rq->fancy_upsampling ? TRUE : FALSE;
    char samp[48];
    sampling_name(ci, samp, sizeof samp);
    snprintf(d->note, sizeof d->note, "%s %s%s; %s", space_name(ci->jpeg_color_space), samp,
             ci->progressive_mode ? " progressive" : "", note);
    /* The limit is checked on the header's size, before libjpeg allocates anything big. */
    if ((uint64_t)ci->image_width * ci->image_height > rq->max_pixels)
        return xa_fail(err, XA_ELIMIT, "JPEG: %u x %u pixels exceed the limit of %llu",
                       ci->image_width, ci->image_height, (unsigned long long)rq->max_pixels);

    j->phase = PH_DECODE;
    if (!jpeg_start_decompress(ci))
        return xa_fail(err, XA_ETRUNC,
                       "JPEG: image file is truncated (data ends before the "
                       "last scan; PIL raises)");
    if ((st = xa_decoded_alloc(d, ci->output_width, ci->output_height, channels, 1, rq->max_pixels,
                               "JPEG", err)))
        return st;
    size_t w = ci->output_width, in_row = w * (size_t)ci->output_components;
    if (mode != ROW_DIRECT && !(j->scratch = malloc(in_row)))
        return xa_fail(err, XA_ENOMEM, "JPEG: out of memory");
    unsigned char *base = d->tensor->data;
    size_t out_row = w * (size_t)channels;
    while (ci->output_scanline < ci->output_height) {
        size_t y = ci->output_scanline;
        JSAMPROW row = mode == ROW_DIRECT ? base + y * out_row : j->scratch;
        if (jpeg_read_scanlines(ci, &row, 1) != 1)
            return xa_fail(err, XA_ETRUNC,
                           "JPEG: image file is truncated (data ends at row %zu "
                           "of %u; PIL raises)",
                           y, ci->output_height);
        if (mode != ROW_DIRECT) convert_row(mode, j->scratch, base + y * out_row, w);
    }
    if (rq->flavor == XA_FLAVOR_BASIC && j->src.eof)
        return xa_fail(err, XA_ETRUNC,
                       "JPEG: the data ends before the image does (libjpeg: "
                       "Premature end of JPEG file)");
    j->phase = PH_FINISH;
    (void)jpeg_finish_decompress(ci); /* a suspension here is ignored by Pillow too */
    return XA_OK;
}

xa_status xa_jpeg_decode(const unsigned char *buf, size_t size, const xa_image_request *rq,
                         xa_decoded *d, xa_error *err) {
    jpeg_job *j = calloc(1, sizeof *j);
    if (!j) return xa_fail(err, XA_ENOMEM, "JPEG: out of memory");
    j->rq = rq;
    j->d = d;
    j->phase = PH_HEADER;
    j->ci.err = jpeg_std_error(&j->je.pub);
    j->je.pub.error_exit = on_error;
    j->je.pub.output_message = on_output;
    j->je.pub.emit_message = on_emit;
    j->je.d = d;
    j->src.pub.init_source = src_init;
    j->src.pub.fill_input_buffer = src_fill;
    j->src.pub.skip_input_data = src_skip;
    j->src.pub.resync_to_restart = jpeg_resync_to_restart;
    j->src.pub.term_source = src_term;
    j->src.pub.next_input_byte = buf;
    j->src.pub.bytes_in_buffer = size;
    j->src.data = buf;
    j->src.size = size;
    j->src.suspending = rq->flavor == XA_FLAVOR_PIL;

    xa_status st;
    if (setjmp(j->je.jump)) {
        if (j->phase == PH_FINISH && rq->flavor == XA_FLAVOR_CV2) {
            /* OpenCV has set its result before jpeg_finish_decompress: the image stands. */
            xa_decoded_warn(d, j->je.message);
            st = XA_OK;
        } else {
            st = xa_fail(err, XA_EFORMAT, "JPEG: %s", j->je.message);
        }
    } else {
        jpeg_create_decompress(&j->ci);
        j->ci.src = &j->src.pub;
        st = decode_body(j, err);
    }
    jpeg_destroy_decompress(&j->ci);
    free(j->scratch);
    free(j);
    if (st) {
        xa_tensor_free(d->tensor);
        d->tensor = NULL;
    }
    return st;
}

#define XA_JSTR2(x) #x
#define XA_JSTR(x) XA_JSTR2(x)
const char *xa_jpeg_library(void) {
#ifdef LIBJPEG_TURBO_VERSION
    return "libjpeg-turbo " XA_JSTR(LIBJPEG_TURBO_VERSION);
#else
    return "libjpeg " XA_JSTR(JPEG_LIB_VERSION);
#endif
}
