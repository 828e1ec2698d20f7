"""xalign for Python: libxalign through ctypes, on numpy arrays in memory.

    import xalign
    r = xalign.compare(ref, port, atol=1e-5)           # the fields of `xalign compare --json`
    r["aligned"], r["metrics"]["max_abs"]
    rep = xalign.stages("ref_dumps", "port_dumps", manifest="manifest.json")
    d = xalign.diagnose(ref, port, input_ref=a, input_port=b)
    small = xalign.resize(img, "pil-bilinear", (224, 224))      # (width, height), like PIL/cv2
    x = xalign.run_op("letterbox-yolov5", img, size=(640, 640), auto=False)
    xalign.ops()                                        # every registered operation

compare/diagnose take C- or Fortran-contiguous arrays of either byte order without a copy;
operations take C-order native arrays without a copy and copy others first. Every registered
operation (`xalign ops`) is also a function of `xalign.op`: `xalign.op.center_crop(img, size=224)`.
Errors raise xalign.Error with the library's message. The one-file dump helper is re-exported:
`xalign.dump`, `xalign.dump_multi` (python/xalign_dump.py, numpy only, for copying next to a
program). The library is found next to the package after `make install`, in build/ of a source
tree (PYTHONPATH=python), or through XALIGN_LIB.
"""
import ctypes
import json
import os
import sys
import types

import numpy as np

from ._lib import Error, View, _Err, _P, check, lib, take_string, to_numpy

try:  # the dump helper is a module of its own, next to this package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from xalign_dump import DumpError, configure, dump, dump_multi, enabled, set_sample  # noqa: F401
finally:
    sys.path.pop(0)

__all__ = ["Error", "compare", "stages", "diagnose", "ops", "run_op", "resize", "decode", "letterbox",
           "normalize", "op", "version", "dump", "dump_multi", "configure", "set_sample", "DumpError"]

__version__ = lib.xa_version_string().decode()


def version():
    """The library's version string."""
    return __version__


def _options(kw):
    """Keyword arguments as the library's "key=value" options (kebab-case keys)."""
    out = []
    for k, v in kw.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        s = str(v)
        if "\n" in s:
            raise Error(f"xalign: option {k}={s!r} holds a newline")
        out.append(f"{k.replace('_', '-')}={s}")
    return "\n".join(out).encode()


def _json(ptr):
    return json.loads(take_string(ptr))


def compare(ref, port, **tolerance):
    """Compare two arrays with the full metric set; returns the object `xalign compare --json`
    prints. Keywords: atol, rtol, max_abs, min_cosine, min_euclid, min_sqnr, equal, preset
    ("f32", "f16", "bf16", "int8"), axis, threads."""
    out, err = ctypes.c_void_p(), _Err()
    with View(ref) as r, View(port) as p:
        check(lib.xa_compare_to_json(r, p, _options(tolerance), ctypes.byref(out), ctypes.byref(err)), err)
    return _json(out)


def stages(ref_dir, port_dir, manifest=None, bmodel=None, diagnose=True, threads=None, jobs=None,
           **tolerance):
    """`xalign stages REF_DIR PORT_DIR --json` in memory: the stages (or dataset) object."""
    out, err = ctypes.c_void_p(), _Err()
    opts = _options(dict(manifest=manifest and os.fspath(manifest), bmodel=bmodel and os.fspath(bmodel),
                         diagnose=diagnose, threads=threads, jobs=jobs, **tolerance))
    check(lib.xa_stages_to_json(os.fsencode(ref_dir), os.fsencode(port_dir), opts, ctypes.byref(out),
                                ctypes.byref(err)), err)
    return _json(out)


def diagnose(ref, port, input_ref=None, input_port=None, image=None, **tolerance):
    """`xalign diagnose --json`: the comparison and the causes of the difference, best first."""
    out, err = ctypes.c_void_p(), _Err()
    views = [View(x) if x is not None else None for x in (ref, port, input_ref, input_port)]
    try:
        ptrs = [v.ptr if v else None for v in views]
        check(lib.xa_diagnose_to_json(*ptrs, image and os.fsencode(image), _options(tolerance),
                                      ctypes.byref(out), ctypes.byref(err)), err)
    finally:
        for v in views:
            if v:
                v.__exit__()
    return _json(out)


def ops():
    """Every registered operation with its parameters, defaults and choices (`xalign ops --json`)."""
    return _json(lib.xa_report_ops_json())["ops"]


def _param_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(repr(float(x)) if isinstance(x, float) else str(x) for x in v)
    return repr(v) if isinstance(v, float) else str(v)


_SIZE_KEYS = {}


def _size_part(name, key, size, x):
    """One side of a (width, height) size: a positive whole number, never truncated."""
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise Error(f"{name}: {key} {tuple(size)!r}: width and height must be whole numbers, "
                    f"not {x!r} ({type(x).__name__})")
    if x < 1:
        raise Error(f"{name}: {key} {tuple(size)!r}: width and height must be at least 1")
    return str(int(x))


def _op_input(x):
    """Operations read C-order arrays in the machine's byte order: other arrays (Fortran order,
    strided, byte-swapped) are copied into that form first; a C-contiguous native array is passed
    as it is, without a copy."""
    a = np.asarray(x)
    if a.flags.c_contiguous and a.dtype.isnative:
        return a
    a = np.ascontiguousarray(a)
    return a.astype(a.dtype.newbyteorder("="), copy=False)


def run_op(name, *inputs, **params):
    """Run a registered operation on numpy arrays; returns the output array. Parameters are the
    operation's (`xalign ops NAME`), with underscores for dashes; sizes are (width, height)."""
    opp, err = ctypes.c_void_p(), _Err()
    check(lib.xa_op_new(name.encode(), ctypes.byref(opp), ctypes.byref(err)), err)
    views = []
    try:
        sizes = _SIZE_KEYS.get(name)
        if sizes is None:
            sizes = _SIZE_KEYS[name] = {p["name"] for o in ops() if o["name"] == name or o["alias"] == name
                                        for p in o["params"] if p["type"] == "size"}
        for k, v in params.items():
            key = k.replace("_", "-")
            if key in sizes and isinstance(v, (tuple, list)) and len(v) == 2:
                text = "x".join(_size_part(name, key, v, x) for x in v)
            else:
                text = _param_text(v)
            check(lib.xa_op_set(opp, key.encode(), text.encode(), ctypes.byref(err)), err)
        path = None
        if name == "decode" and len(inputs) == 1 and isinstance(inputs[0], (bytes, bytearray, memoryview)):
            inputs = (np.frombuffer(inputs[0], np.uint8),)  # the file's bytes, as read
        elif name == "decode" and len(inputs) == 1 and isinstance(inputs[0], (str, os.PathLike)):
            path = os.fsdecode(inputs[0])
            t = _P()
            check(lib.xa_load_bytes(os.fsencode(inputs[0]), ctypes.byref(t), ctypes.byref(err)), err)
            arr = to_numpy(t)
            inputs = (arr,)
        views = [View(_op_input(x)) for x in inputs]
        arr_t = (_P * max(len(views), 1))(*[v.ptr for v in views])
        out = _P()
        status = lib.xa_op_run(opp, arr_t, len(views), ctypes.byref(out), ctypes.byref(err))
        if status and path is not None:  # name the file, as `xalign decode` does
            msg = err.message.decode("utf-8", "replace")
            raise Error(msg if msg.startswith(path + ":") else f"{path}: {msg}", status)
        check(status, err)
        return to_numpy(out)
    finally:
        for v in views:
            v.__exit__()
        lib.xa_op_free(opp)


def resize(img, method, size):
    """Resize exactly as the named library does: `method` from `xalign resize --help`
    ("pil-bilinear", "cv2-linear", ...), size (width, height) as PIL and cv2 take it."""
    return run_op("resize", img, method=method, size=size)


def decode(path, like="pil", **params):
    """Decode a JPEG/PNG file as cv2.imread (like="cv2", BGR) or PIL (like="pil", RGB) does. `path`
    is a file name, or the file's bytes (bytes, bytearray, memoryview or a uint8 array)."""
    return run_op("decode", path, like=like, **params)


def letterbox(img, size=(640, 640), kind="yolov5", **params):
    """YOLOv5's letterbox (kind="yolov5") or sophon-demo's bmcv one (kind="sail")."""
    return run_op("letterbox-" + kind, img, size=size, **params)


def normalize(x, mean, std, **params):
    """torchvision F.normalize on a float32 C x H x W tensor."""
    return run_op("normalize", x, mean=mean, std=std, **params)


def _make_op(name, summary):
    def f(*inputs, **params):
        return run_op(name, *inputs, **params)
    f.__name__ = name.replace("-", "_")
    f.__doc__ = summary
    return f


op = types.SimpleNamespace(**{o["name"].replace("-", "_"): _make_op(o["name"], o["summary"]) for o in ops()})
