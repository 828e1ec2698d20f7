"""The library itself through ctypes, for oracle tests that make thousands of calls (a process
per call would dominate their time): libxalign.so next to $XALIGN, and the public structs."""
import ctypes
import os

from xa_testlib import XALIGN


class XaTensor(ctypes.Structure):
    """xa_tensor of include/xalign/core.h."""
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int), ("shape", ctypes.c_int64 * 8),
                ("fortran_order", ctypes.c_int), ("swapped", ctypes.c_int), ("readonly", ctypes.c_int),
                ("data", ctypes.c_void_p), ("nbytes", ctypes.c_size_t), ("backing", ctypes.c_void_p)]


class XaError(ctypes.Structure):
    """xa_error of include/xalign/core.h."""
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 512)]


def load_lib():
    lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(XALIGN)), "libxalign.so"))
    lib.xa_tensor_free.argtypes = [ctypes.POINTER(XaTensor)]
    return lib
