#!/usr/bin/env bash
# The Python package (python/entropy_lens, ctypes over build/libentropylens.so)
# against the CLI: the same entropies and top-1 for the sample images given as
# paths and (with PIL) as numpy arrays, batches of arrays, and read_jsonl.
# Skips (77) without Debian's python3 + numpy, or for a sanitizer build (an
# ASan library cannot be loaded into an uninstrumented python).
set -euo pipefail
bin=${1:?usage: cli_python.sh path/to/entropy-lens}
src=$(cd "$(dirname "$0")/../.." && pwd)
lib=$(cd "$(dirname "$bin")" && pwd)/libentropylens.so
py=/usr/bin/python3
[ -x "$py" ] && "$py" -c 'import numpy' 2>/dev/null || { echo "SKIP: /usr/bin/python3 with numpy not found"; exit 77; }
[ -f "$lib" ] || { echo "SKIP: $lib not built"; exit 77; }
if grep -q "EL_SANITIZE:BOOL=ON" "$(dirname "$lib")/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: sanitizer build"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" profile "$src/samples/images" --model "$src/samples/models/fashion-vit" -o "$tmp/rec.jsonl" 2>/dev/null
ENTROPY_LENS_LIB=$lib PYTHONPATH=$src/python "$py" - "$src" "$tmp/rec.jsonl" <<'PY'
import sys
import numpy as np
import entropy_lens as el

src, records = sys.argv[1], sys.argv[2]
rows = el.read_jsonl(records, pandas=False)
assert len(rows) == 40, len(rows)
want = np.array([r["entropy"] for r in rows], dtype=np.float64)
with el.Model(src + "/samples/models/fashion-vit", n_threads=1) as m:
    assert m.class_names[4] == "coat", m.class_names
    H, top1 = m.profile([r["file"] for r in rows], return_top1=True)
    assert H.shape == want.shape and H.dtype == np.float32, (H.shape, H.dtype)
    err = np.abs(H - want).max()
    assert err < 1e-5, f"paths: entropies differ from the CLI's by {err}"
    assert [m.class_names[k] for k in top1] == [r["top1_label"] for r in rows]
    He = m.profile(rows[0]["file"], include_embeddings=True)
    assert He.shape == (1, m.n_layers + 1) and np.allclose(He[0, 1:], H[0], atol=1e-5)
    try:
        from PIL import Image
    except ImportError:
        print("PIL absent: array inputs not checked")
    else:
        arrays = [np.asarray(Image.open(r["file"]).convert("L")) for r in rows[:8]]
        Ha = m.profile(arrays)
        assert np.abs(Ha - H[:8]).max() < 1e-5, "arrays differ from paths"
        Hb = m.profile(np.stack(arrays))  # one N x H x W batch
        assert np.array_equal(Hb, Ha)
        rgb = np.asarray(Image.open(rows[0]["file"]).convert("RGB"))
        assert np.abs(m.profile(rgb) - H[:1]).max() < 1e-5, "RGB array not converted like the CLI"
    try:
        m.profile(["/nonexistent.png"])
        raise AssertionError("a missing file did not raise")
    except el.EntropyLensError as e:
        assert "nonexistent" in str(e), e
try:
    import pandas  # noqa: F401
    df = el.read_jsonl(records)
    assert len(df) == 40 and np.allclose(np.stack(df.entropy), want)
    print("pandas: read_jsonl OK")
except ImportError:
    print("pandas absent: DataFrame not checked")
print(f"python package matches the CLI on {len(rows)} images, max |dH| {err:.2e}")
PY
