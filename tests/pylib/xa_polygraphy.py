"""Files written the way Polygraphy writes them (NVIDIA/TensorRT tools/Polygraphy, read through the
project's look-up tools): polygraphy/json/serde.py encodes a numpy array as the base64 text of the
bytes np.save writes, {"array": ..., "polygraphy_class": "ndarray"}, the type marker added after
the encoder's own keys; comparator/struct.py wraps outputs in LazyArray ({"values": ...}),
iterations in IterationResult ({"outputs", "runtime", "runner_name"}) and runners in RunResults
({"lst": [[runner_name, [iteration, ...]], ...]}); to_json() is json.dumps(obj, indent=4).
--save-inputs saves the data loader's List[Dict[str, ndarray]] the same way.

Older Polygraphy marked types with "__polygraphy_encoded_<type>": "polygraphy_serialized_json_type"
instead, and its decoder still accepts an array saved as latin-1 text or as an .npz whose first
member is the array; `legacy` and `mode` produce those forms.
"""
import base64
import io
import json

import numpy as np

TYPE_MARKER = "polygraphy_class"
LEGACY_TYPE_MARKER = "polygraphy_serialized_json_type"


def _mark(d, typ, legacy):
    if legacy:
        d["__polygraphy_encoded_" + typ] = LEGACY_TYPE_MARKER
    else:
        d[TYPE_MARKER] = typ
    return d


def encode_array(a, legacy=False, mode="base64"):
    f = io.BytesIO()
    if mode == "npz":  # what very old versions saved: an .npz image
        np.savez(f, a)
    else:
        np.save(f, a, allow_pickle=False)
    raw = f.getvalue()
    text = raw.decode("latin-1") if mode == "latin-1" else base64.b64encode(raw).decode()
    return _mark({"array": text}, "ndarray", legacy)


def lazy(a, **kw):
    legacy = kw.get("legacy", False)  # the class was LazyNumpyArray before it held torch tensors
    return _mark({"values": encode_array(a, **kw)}, "LazyNumpyArray" if legacy else "LazyArray", legacy)


def iteration(outputs, runner_name, runtime=0.00123, wrap_lazy=True, **kw):
    outs = {k: (lazy(v, **kw) if wrap_lazy else encode_array(v, **kw)) for k, v in outputs.items()}
    return _mark({"outputs": outs, "runtime": runtime, "runner_name": runner_name}, "IterationResult",
                 kw.get("legacy", False))


def run_results(runners, **kw):
    """runners: [(runner_name, [outputs_dict per iteration]), ...] -> the JSON text."""
    lst = [[name, [iteration(o, name, **kw) for o in its]] for name, its in runners]
    return json.dumps(_mark({"lst": lst}, "RunResults", kw.get("legacy", False)), indent=4)


def save_inputs(feed_dicts, **kw):
    """--save-inputs: the data loader's feed dicts, one per iteration -> the JSON text."""
    return json.dumps([{k: encode_array(v, **kw) for k, v in fd.items()} for fd in feed_dicts], indent=4)
