#!/usr/bin/python3
"""Regenerate the seed corpora of fuzz/fuzz_polygraphy.c and fuzz/fuzz_member_rules.c.

    /usr/bin/python3 fuzz/polygraphy_corpus.py

Polygraphy files come from tests/pylib/xa_polygraphy.py, which writes them the way Polygraphy
does (RunResults, --save-inputs, the legacy markers, latin-1 and npz encodings); malformed ones
are edits of those, each named for what it carries. Deterministic, small (a few KiB each)."""
import json
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pylib"))
from xa_polygraphy import encode_array, run_results, save_inputs  # noqa: E402


def polygraphy(w):
    rng = np.random.default_rng(20261202)
    outs = {"output0": rng.standard_normal((1, 5)).astype(np.float32),
            "boxes": rng.standard_normal((2, 4)).astype(np.float16),
            "ids": np.arange(6, dtype=np.int64).reshape(2, 3)}
    good = run_results([("onnxrt-runner-N0", [outs])])
    w("run_results.json", good)
    w("two_runners_three_iterations.json",
      run_results([("a", [outs, outs, outs]), ("b", [outs, outs, outs])], wrap_lazy=False))
    w("legacy_markers.json", run_results([("r", [outs])], legacy=True))
    w("latin1.json", run_results([("r", [{"x": np.arange(4, dtype=np.float32)}])], legacy=True, mode="latin-1"))
    w("npz_inside.json", run_results([("r", [{"x": np.arange(3, dtype=np.uint8)}])], legacy=True, mode="npz"))
    w("save_inputs.json", save_inputs([{"images": np.zeros((1, 3, 2, 2), np.uint8)}, {"images": np.ones((1, 3, 2, 2), np.uint8)}]))
    w("feed_dict.json", json.dumps({"x": encode_array(np.float32(3.5))}))
    w("torch_tensor.json", '{"lst": [["r", [{"outputs": {"x": {"tensor": "gASV", "polygraphy_class": "Tensor"}}}]]]}')
    w("escaped_names.json", json.dumps({"\u00e9t\u00e9/\ud83d\ude00": encode_array(np.ones(2, np.float32)),
                                        "tab\tname": encode_array(np.ones(1, np.int8))}))
    w("lone_surrogate.json", '{"\\ud800": {"array": "AAAA"}}')
    w("nul_name.json", '{"a\\u0000b": {"array": "AAAA"}}')
    w("duplicate_names.json", '{"x": %s, "x": %s}' % (json.dumps(encode_array(np.ones(1))), json.dumps(encode_array(np.zeros(2)))))
    w("bad_base64.json", '{"x": {"array": "QQ=Q"}}')
    w("not_npy.json", '{"x": {"array": "SGVsbG8="}}')
    w("truncated.json", good[: len(good) // 2])
    w("deep.json", "[" * 100 + "]" * 100)
    w("numbers.json", '{"lst": [], "runtime": [NaN, Infinity, -Infinity, 1e999, -0.0, 12345678901234567890]}')
    w("bad_lst.json", '{"lst": [["r", 3]]}')
    w("no_outputs.json", '{"lst": [["r", [{"runtime": 1}]]]}')
    w("empty_object.json", "{}")
    w("empty.json", "")


def member_rules(w):
    w("tolerance_file.json", json.dumps({"/layer3*": {"atol": 1e-4, "rtol": 1e-3}, "*": {"preset": "f16"},
                                         "onnx::*": {"min_cosine": 0.99, "min_euclid": 0.9, "equal": True},
                                         "#?": {"max_abs": 0.5, "min_sqnr": 30}}))
    w("tolerance_bad.json", json.dumps({"[": {"atol": -1}, "x": {"colour": 1}}))
    w("name_map.json", json.dumps({"/layer3/conv0/Conv_output_0": "conv0", "#0": "p3", "a/b/c.npy": "\u00e9"}))
    w("rename_prefix.txt", "s|^onnx::||")
    w("rename_groups.txt", "s/(layer)([0-9]+)/\\2_\\1/g")
    w("rename_empty_match.txt", "s/x*/-/g")
    w("rename_escaped_delim.txt", "s/\\//:/g")
    w("rename_bad.txt", "s/(/x/")
    w("rename_growth.txt", "s/./&&&&&&&&/g")


def main():
    total = 0
    for kind, fn in [("polygraphy", polygraphy), ("member_rules", member_rules)]:
        d = os.path.join(HERE, "corpus", kind)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

        def w(name, text, d=d):
            nonlocal total
            data = text.encode("utf-8", "surrogatepass")
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            total += len(data)
        fn(w)
    print(f"wrote {total} bytes of seed corpora")


if __name__ == "__main__":
    sys.exit(main())
