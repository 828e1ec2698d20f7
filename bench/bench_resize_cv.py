"""Benchmark (not a test): xalign's cv2-* resize against OpenCV 4.6 cv2.resize, single thread.

    /usr/bin/python3 bench/bench_resize_cv.py [--build build] [--runs 15] [--rounds 5] [--methods ...]
                                              [--dtype uint8|float32]

For each case and method, ROUNDS rounds alternate the two libraries: the median of RUNS calls
of cv2.resize (cv2.setNumThreads(1), timed in-process with perf_counter), then the median of RUNS
calls of xa_resize (timed in-process by build/bench/bench_resize). Printed: the median over rounds
of each, and the median of the per-round ratios xalign / OpenCV (below 1: xalign is faster);
alternating keeps a shared machine's changing load out of the ratio. The outputs are also
compared, so a fast but wrong kernel shows up here as well.
"""
import cv2

from xa_bench_resize import compare, parse_args

METHODS = {
    "cv2-linear": cv2.INTER_LINEAR,
    "cv2-area": cv2.INTER_AREA,
    "cv2-nearest": cv2.INTER_NEAREST,
    "cv2-nearest-exact": cv2.INTER_NEAREST_EXACT,
    "cv2-linear-exact": cv2.INTER_LINEAR_EXACT,
    "cv2-cubic": cv2.INTER_CUBIC,
    "cv2-lanczos4": cv2.INTER_LANCZOS4,
}


def main():
    a = parse_args(METHODS, 15, 5)
    cv2.setNumThreads(1)
    print(f"OpenCV {cv2.__version__}, threads {cv2.getNumThreads()}")
    compare(a, "OpenCV", lambda img, method, dw, dh: (
        lambda: cv2.resize(img, (dw, dh), interpolation=METHODS[method]),) * 2)


if __name__ == "__main__":
    main()
