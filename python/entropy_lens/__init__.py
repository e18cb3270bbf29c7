"""entropy_lens: per-layer logit-lens entropies from Python, over the
entropy-lens shared library (ctypes; needs numpy, no compilation).

    import entropy_lens as el
    with el.Model("samples/models/fashion-vit") as m:
        H = m.profile(["a.png", "b.jpg"])          # numpy [n_images, n_layers]
        H = m.profile(uint8_array_NxHxW[xC])       # numpy images
    df = el.read_jsonl("records.jsonl")            # pandas DataFrame (pandas optional)
"""
import ctypes
import json

import numpy as np

from . import _lib
from ._lib import EntropyLensError

__all__ = ["Model", "read_jsonl", "version", "EntropyLensError"]

_BATCH = 16


def version():
    """The library's version string."""
    return _lib.lib().el_version().decode()


def _to_model_channels(arr, channels):
    """uint8 HxW or HxWxC -> the model's channel count, the way Pillow's
    convert('L') / convert('RGB') does it (what the CLI's decoder does)."""
    arr = np.asarray(arr)
    if arr.dtype != np.uint8:
        raise TypeError(f"images must be uint8 arrays, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        return np.ascontiguousarray(arr if channels == 1 else np.repeat(arr[:, :, None], 3, axis=2))
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"image array of shape {arr.shape}: want HxW, HxWx1, HxWx3 or HxWx4")
    rgb = arr[:, :, :3]
    if channels == 3:
        return np.ascontiguousarray(rgb)
    r, g, b = (rgb[:, :, i].astype(np.uint32) for i in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(np.uint8)


class Model:
    """A loaded model with its working memory (an el_state): one call at a
    time; make one Model per thread, as the C API makes one state per thread."""

    def __init__(self, path, n_threads=0, classes=None, templates=None, class_cache=None):
        """classes, templates, class_cache: files for zero-shot models (CLIP,
        SigLIP), as profile's --classes and --templates and the cache."""
        L = _lib.lib()
        params = L.el_model_default_params()
        keep = [None if f is None else str(f).encode() for f in (classes, templates, class_cache)]
        params.classes, params.templates, params.class_cache = keep
        handle = ctypes.c_void_p()
        _lib.check(L.el_model_load(str(path).encode(), ctypes.byref(params), ctypes.byref(handle)),
                   f"loading {path}")
        self._h = handle
        sparams = L.el_state_default_params()
        sparams.n_threads = n_threads
        state = ctypes.c_void_p()
        status = L.el_state_new(self._h, ctypes.byref(sparams), ctypes.byref(state))
        if status:
            L.el_model_free(self._h)
            self._h = None
            _lib.check(status, f"loading {path}")
        self._s = state
        self.info = _lib.ModelInfo()
        L.el_model_get_info(self._h, ctypes.byref(self.info))
        if self.info.is_text:
            self.close()
            raise EntropyLensError(f"{path}: a language model; this package profiles image models")
        self.n_layers = self.info.n_layers
        self.class_names = [L.el_model_class_name(self._h, k).decode()
                            for k in range(self.info.n_classes)]

    def close(self):
        if getattr(self, "_s", None):
            _lib.lib().el_state_free(self._s)
            self._s = None
        if getattr(self, "_h", None):
            _lib.lib().el_model_free(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _pixels(self, image, out):
        """Decode/convert one image (path or array) and preprocess it into out."""
        L, c = _lib.lib(), self.info.channels
        if isinstance(image, (str, bytes)) or hasattr(image, "__fspath__"):
            img = _lib.Image()
            path = image if isinstance(image, bytes) else str(image).encode()
            _lib.check(L.el_image_load(path, c, _lib.EL_DEFAULT_MAX_PIXELS, ctypes.byref(img)),
                       f"reading {image!r}")
            try:
                _lib.check(L.el_preprocess_image(ctypes.byref(img), ctypes.byref(self.info.preprocess),
                                                 out), f"preprocessing {image!r}")
            finally:
                L.el_image_free(ctypes.byref(img))
            return
        arr = _to_model_channels(image, c)
        img = _lib.Image(arr.shape[1], arr.shape[0], c,
                         arr.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)))
        _lib.check(L.el_preprocess_image(ctypes.byref(img), ctypes.byref(self.info.preprocess), out),
                   "preprocessing an array")

    def profile(self, images, include_embeddings=False, return_top1=False):
        """Entropy (nats) of the classification token at every layer.

        images: a list of file paths and/or uint8 arrays (HxW or HxWxC), or one
        uint8 array of a batch (NxHxW or NxHxWxC). Returns a float32 array
        [n_images, n_depth] (n_depth = layers, + 1 with include_embeddings);
        with return_top1 also int array [n_images] of final top-1 indices
        (class names in self.class_names)."""
        if isinstance(images, np.ndarray):
            # HxW and HxWxC (C in 1, 3, 4) are one image; NxHxW and NxHxWxC a batch.
            one = images.ndim == 2 or (images.ndim == 3 and images.shape[2] in (1, 3, 4))
            images = [images] if one else list(images)
        elif isinstance(images, (str, bytes)) or hasattr(images, "__fspath__"):
            images = [images]
        images = list(images)
        L = _lib.lib()
        lp = L.el_lens_default_params()
        lp.include_embeddings = int(include_embeddings)
        depth = self.n_layers + (1 if include_embeddings else 0)
        H = np.empty((len(images), depth), dtype=np.float32)
        top1 = np.empty(len(images), dtype=np.int64)
        pp = self.info.preprocess
        per = pp.channels * pp.out_w * pp.out_h
        for start in range(0, len(images), _BATCH):
            chunk = images[start:start + _BATCH]
            self._profile_batch(chunk, lp, per, H[start:start + len(chunk)], top1[start:start + len(chunk)])
        return (H, top1) if return_top1 else H

    def _profile_batch(self, chunk, lp, per, H, top1):
        L = _lib.lib()
        pixels = np.empty(len(chunk) * per, dtype=np.float32)
        fp = ctypes.POINTER(ctypes.c_float)
        for i, image in enumerate(chunk):
            self._pixels(image, pixels[i * per:].ctypes.data_as(fp))
        profs = (_lib.Profile * len(chunk))()
        try:
            for p in profs:
                _lib.check(L.el_profile_init(ctypes.byref(p), self._h, ctypes.byref(lp)), "profile")
            _lib.check(L.el_model_profile(self._s, pixels.ctypes.data_as(fp), len(chunk),
                                          ctypes.byref(lp), profs), "profiling")
            for i, p in enumerate(profs):
                if p.overflow_layer >= 0:
                    raise EntropyLensError(f"image {i}: the forward pass overflowed float32 at "
                                           f"layer {p.overflow_layer}")
                H[i] = np.ctypeslib.as_array(p.entropy, shape=(p.n_depth,))
                top1[i] = p.top1
        finally:
            for p in profs:
                if p.entropy:
                    L.el_profile_free(ctypes.byref(p))


def read_jsonl(path, pandas=True):
    """Records of `entropy-lens profile`/`text` (JSONL): a pandas DataFrame
    (list-valued fields such as "entropy" stay lists; np.stack(df.entropy)
    makes a matrix), or a list of dicts with pandas=False or without pandas."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if not pandas:
        return rows
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows)
