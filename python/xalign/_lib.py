"""ctypes binding of libxalign: finding the library, the few structs a binding needs (xa_tensor,
xa_error), numpy arrays as zero-copy tensor views and tensors back as numpy arrays."""
import ctypes
import glob
import os
import sys

import numpy as np

MAX_RANK = 8


class Error(Exception):
    """A failure reported by libxalign; the message is the library's (what is wrong, where)."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


class _Tensor(ctypes.Structure):
    # include/xalign/core.h: xa_tensor
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int), ("shape", ctypes.c_int64 * MAX_RANK),
                ("fortran_order", ctypes.c_int), ("swapped", ctypes.c_int), ("readonly", ctypes.c_int),
                ("data", ctypes.c_void_p), ("nbytes", ctypes.c_size_t), ("backing", ctypes.c_void_p)]


class _Err(ctypes.Structure):
    # include/xalign/core.h: xa_error
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 512)]


_P = ctypes.POINTER(_Tensor)
_VIEW_FORTRAN, _VIEW_SWAPPED, _VIEW_READONLY = 1, 2, 4

# xa_dtype numbers (core.h) and numpy's kinds
_DTYPES = {1: "?", 2: "i1", 3: "u1", 4: "i2", 5: "u2", 6: "i4", 7: "u4", 8: "i8", 9: "u8",
           10: "f2", 12: "f4", 13: "f8"}
_FROM_NP = {np.dtype(v).str[1:]: k for k, v in _DTYPES.items()}


def _candidates():
    env = os.environ.get("XALIGN_LIB")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    try:  # written by `make install`: the library's directory
        from . import _paths
        yield os.path.join(_paths.LIBDIR, "libxalign.so.0")
    except ImportError:
        pass
    # the build tree: PYTHONPATH=python with the library in build/
    for build in ("build", "build-asan"):
        yield os.path.join(here, "..", "..", build, "libxalign.so")
    prefix = os.path.normpath(os.path.join(here, "..", "..", "..", ".."))
    yield from sorted(glob.glob(os.path.join(prefix, "lib*", "libxalign.so.0")))
    yield from sorted(glob.glob(os.path.join(prefix, "lib", "*", "libxalign.so.0")))
    yield "libxalign.so.0"


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("xalign: libxalign.so not found; build it (make) or set XALIGN_LIB. Tried: "
                      + "; ".join(tried))


lib = _load()


def _sig(name, res, *args):
    f = getattr(lib, name)
    f.restype, f.argtypes = res, list(args)
    return f


_c = ctypes
_sig("xa_version_string", _c.c_char_p)
_sig("xa_tensor_view", _c.c_int, _c.c_int, _c.c_int, _c.POINTER(_c.c_int64), _c.c_void_p, _c.c_size_t,
     _c.c_uint, _c.POINTER(_P), _c.POINTER(_Err))
_sig("xa_tensor_free", None, _P)
_sig("xa_free", None, _c.c_void_p)
_sig("xa_load", _c.c_int, _c.c_char_p, _c.POINTER(_P), _c.POINTER(_Err))
_sig("xa_load_bytes", _c.c_int, _c.c_char_p, _c.POINTER(_P), _c.POINTER(_Err))
_sig("xa_compare_to_json", _c.c_int, _P, _P, _c.c_char_p, _c.POINTER(_c.c_void_p), _c.POINTER(_Err))
_sig("xa_stages_to_json", _c.c_int, _c.c_char_p, _c.c_char_p, _c.c_char_p, _c.POINTER(_c.c_void_p),
     _c.POINTER(_Err))
_sig("xa_diagnose_to_json", _c.c_int, _P, _P, _P, _P, _c.c_char_p, _c.c_char_p, _c.POINTER(_c.c_void_p),
     _c.POINTER(_Err))
_sig("xa_report_ops_json", _c.c_void_p)
_sig("xa_op_new", _c.c_int, _c.c_char_p, _c.POINTER(_c.c_void_p), _c.POINTER(_Err))
_sig("xa_op_free", None, _c.c_void_p)
_sig("xa_op_set", _c.c_int, _c.c_void_p, _c.c_char_p, _c.c_char_p, _c.POINTER(_Err))
_sig("xa_op_run", _c.c_int, _c.c_void_p, _c.POINTER(_P), _c.c_size_t, _c.POINTER(_P), _c.POINTER(_Err))
_sig("xa_op_note", _c.c_char_p, _c.c_void_p)
_sig("xa_op_describe", _c.c_char_p, _c.c_void_p)


def check(status, err):
    if status:
        raise Error(err.message.decode("utf-8", "replace") or f"xalign error {status}", status)


def take_string(ptr):
    """A malloc'd C string from the library as str (freed)."""
    if not ptr:
        raise Error("xalign: out of memory rendering the result")
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib.xa_free(ptr)


class View:
    """A numpy array as an xa_tensor without a copy (C- or Fortran-contiguous, either byte
    order); other arrays are copied to C order first. Keeps the array alive while in use."""

    def __init__(self, a):
        a = np.asarray(a)
        key = a.dtype.str[1:]
        if key not in _FROM_NP:
            raise Error(f"xalign: numpy dtype {a.dtype} is not supported "
                        "(bool, int8..int64, uint8..uint64, float16/32/64)")
        if a.ndim > MAX_RANK:
            raise Error(f"xalign: {a.ndim} dimensions; at most {MAX_RANK}")
        flags = 0
        if not a.flags.c_contiguous:
            if a.flags.f_contiguous and a.ndim > 1:
                flags |= _VIEW_FORTRAN
            else:
                a = np.ascontiguousarray(a)
        swapped = a.dtype.byteorder not in ("=", "|") and a.dtype.byteorder != {
            "little": "<", "big": ">"}[sys.byteorder]
        if swapped:
            flags |= _VIEW_SWAPPED
        if not a.flags.writeable:
            flags |= _VIEW_READONLY
        self.array = a
        shape = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
        self.ptr = _P()
        err = _Err()
        check(lib.xa_tensor_view(_FROM_NP[key], a.ndim, shape, a.ctypes.data or None, a.nbytes, flags,
                                 ctypes.byref(self.ptr), ctypes.byref(err)), err)

    def __enter__(self):
        return self.ptr

    def __exit__(self, *exc):
        lib.xa_tensor_free(self.ptr)
        self.ptr = None


def to_numpy(ptr):
    """An xa_tensor returned by the library as a numpy array (copied; the tensor is freed)."""
    try:
        t = ptr.contents
        if t.dtype not in _DTYPES:
            raise Error(f"xalign: tensor dtype {t.dtype} has no numpy equivalent (bfloat16: "
                        "read its bits as uint16)")
        dt = np.dtype(_DTYPES[t.dtype])
        if t.swapped:
            dt = dt.newbyteorder()
        shape = tuple(t.shape[k] for k in range(t.rank))
        buf = (ctypes.c_char * t.nbytes).from_address(t.data) if t.nbytes else b""
        a = np.frombuffer(buf, dtype=dt).copy() if t.nbytes else np.zeros(0, dt)
        return a.reshape(shape, order="F" if t.fortran_order else "C")
    finally:
        lib.xa_tensor_free(ptr)
