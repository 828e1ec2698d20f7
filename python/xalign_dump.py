"""xalign_dump: stage dumps from the original (Python) program, in the layout xalign reads.

Copy this one file next to your program (it needs only numpy). Dumping is active only when the
environment variable XALIGN_DUMP_DIR is set (or after configure()); then every dump() writes
DIR[/SAMPLE]/NN_name.npy, NN being the two-digit call order, and dump_multi() writes
NN_name.npz for a stage with several named tensors. The C library's xa_dump() writes exactly the
same layout from the port, so both sides dump with one convention:

    import xalign_dump as xd
    img = Image.open(path).convert("RGB");  xd.dump("read", np.asarray(img))
    img = T.Resize(256)(img);               xd.dump("resize", np.asarray(img))
    ...
    xd.dump("logits", logits.detach().numpy())

then `xalign stages ref_dumps/ port_dumps/`. Sub-folders per sample (dataset runs):
set_sample("img_0001") or XALIGN_DUMP_SAMPLE. A dump that cannot be written (folder not
creatable, disk full) or holds a dtype xalign does not read (complex, object, a torch dtype
without a numpy equivalent) raises DumpError, an OSError naming the stage and the file. Torch
tensors are accepted; bfloat16 ones are written as numpy writes ml_dtypes' bfloat16 (descr |V2),
which xalign reads as bfloat16.
"""
import errno
import os
import re
import sys
import threading

import numpy as np

__all__ = ["configure", "set_sample", "enabled", "dump", "dump_multi", "DumpError"]

_lock = threading.Lock()
_state = {"base": None, "dir": None, "next": 0, "ready": False}
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class DumpError(OSError):
    """A stage dump could not be written; errno is the OS error's (EINVAL for a dtype xalign does
    not read), the message names the stage and the file."""


def _failed(name, path, e):
    return DumpError(e.errno, f"xalign_dump: stage {name!r}: cannot write {path}: {e.strerror}")


def _check_name(name, what="stage name"):
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        raise ValueError(f"{what} {name!r} must be 1-64 characters of [A-Za-z0-9_.-]")


def configure(directory, sample=None):
    """Dump into `directory` (None or "" turns dumping off); numbering restarts at 00."""
    with _lock:
        if not directory:
            _state.update(base=None, dir=None, next=0, ready=False)
            return
        if sample is not None:
            _check_name(sample, "sample name")
        _state.update(base=str(directory), next=0, ready=False,
                      dir=os.path.join(str(directory), sample) if sample else str(directory))


def set_sample(sample):
    """Dump into DIR/sample from now on, numbering from 00 again (None: DIR itself)."""
    if sample is not None:
        _check_name(sample, "sample name")
    with _lock:
        base = _state["base"]
        if base is not None:
            _state.update(dir=os.path.join(base, sample) if sample else base, next=0, ready=False)


def enabled():
    return _state["dir"] is not None


def _reserve(name, ext):
    _check_name(name)
    with _lock:
        d = _state["dir"]
        if d is None:
            return None
        if not _state["ready"]:
            try:
                os.makedirs(d, exist_ok=True)
            except OSError as e:
                raise _failed(name, d, e) from e
            _state["ready"] = True
        k = _state["next"]
        _state["next"] = k + 1
    return os.path.join(d, f"{k:02d}_{name}.{ext}")


def _unsupported(name, path, what):
    return DumpError(errno.EINVAL, f"xalign_dump: stage {name!r}: cannot write {path}: {what}")


def _as_array(name, path, x):
    """numpy array in a dtype xalign reads: bool, (u)int8..64, float16/32/64, and bfloat16 as
    the 2-byte void numpy writes for ml_dtypes' bfloat16 (descr |V2, read back as bfloat16)."""
    if hasattr(x, "detach"):  # torch tensors without importing torch (it is imported already)
        t = x.detach().cpu()
        torch = sys.modules.get(type(x).__module__.split(".")[0])
        if torch is not None and t.dtype == getattr(torch, "bfloat16", None):
            return t.contiguous().view(torch.int16).numpy().view("V2")
        try:
            x = t.numpy()
        except (TypeError, RuntimeError) as e:
            raise _unsupported(name, path, f"torch dtype {t.dtype} has no numpy equivalent "
                                           "xalign reads ({e})") from e
    a = np.asarray(x)
    dt = a.dtype
    if not (dt.kind in "biu" or (dt.kind == "f" and dt.itemsize in (2, 4, 8))
            or (dt.kind == "V" and dt.itemsize == 2 and dt.fields is None)):
        raise _unsupported(name, path, f"dtype {dt} is not one xalign reads (bool, int8..int64, "
                                       "uint8..uint64, float16/32/64, bfloat16)")
    return a


def _write(name, path, save):
    try:
        save(path)
    except OSError as e:
        raise _failed(name, path, e) from e


def dump(name, array):
    """Write one stage as NN_name.npy; returns the path (None when dumping is off)."""
    if _state["dir"] is None:
        return None
    path = _reserve(name, "npy")
    if path is not None:
        a = _as_array(name, path, array)
        _write(name, path, lambda p: np.save(p, a))
    return path


def dump_multi(name, **arrays):
    """Write a stage with several named tensors as NN_name.npz (members are matched by name)."""
    if _state["dir"] is None:
        return None
    for k in arrays:
        _check_name(k, "tensor name")
    path = _reserve(name, "npz")
    if path is not None:
        a = {k: _as_array(name, f"{path} member {k!r}", v) for k, v in arrays.items()}
        _write(name, path, lambda p: np.savez(p, **a))
    return path


_env = os.environ.get("XALIGN_DUMP_DIR")
if _env:
    _s = os.environ.get("XALIGN_DUMP_SAMPLE")
    configure(_env, _s if _s and _NAME.match(_s) else None)
