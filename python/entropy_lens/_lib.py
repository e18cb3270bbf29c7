"""ctypes mirror of include/entropy_lens.h (the structs and functions the
package uses). Keep in step with the header: field order and types matter."""
import ctypes
import ctypes.util
import os
from ctypes import (POINTER, Structure, c_char_p, c_double, c_float, c_int, c_size_t, c_uint8,
                    c_void_p)

EL_MAX_ALPHA = 16
EL_DEFAULT_MAX_PIXELS = 89478485
EL_TOKENS_CLS, EL_TOKENS_PATCHES, EL_TOKENS_MEAN = 1, 2, 4


class Image(Structure):
    _fields_ = [("width", c_int), ("height", c_int), ("channels", c_int),
                ("pixels", POINTER(c_uint8))]


class Preprocess(Structure):
    _fields_ = [("channels", c_int), ("do_resize", c_int), ("shortest_edge", c_int),
                ("resize_w", c_int), ("resize_h", c_int), ("resample", c_int),
                ("do_center_crop", c_int), ("crop_w", c_int), ("crop_h", c_int),
                ("crop_round", c_int), ("do_rescale", c_int), ("rescale_factor", c_double),
                ("do_normalize", c_int), ("mean", c_float * 3), ("std", c_float * 3),
                ("out_w", c_int), ("out_h", c_int), ("max_pixels", c_size_t)]


class ModelParams(Structure):
    _fields_ = [("tokenizer", c_char_p), ("classes", c_char_p), ("templates", c_char_p),
                ("class_cache", c_char_p)]


class StateParams(Structure):
    _fields_ = [("n_threads", c_int)]


class ModelInfo(Structure):
    _fields_ = [("is_text", c_int), ("name", c_char_p), ("arch", c_char_p),
                ("family", c_char_p), ("layout", c_char_p), ("dtype", c_char_p),
                ("n_layers", c_int), ("hidden", c_int), ("n_heads", c_int), ("mlp_dim", c_int),
                ("image_size", c_int), ("patch_size", c_int), ("channels", c_int),
                ("n_classes", c_int), ("n_prefix", c_int), ("n_patches", c_int),
                ("ln_eps", c_double), ("n_params", c_size_t), ("n_shards", c_int),
                ("preprocess", Preprocess), ("n_kv_heads", c_int), ("context", c_int),
                ("norm", c_char_p), ("softcap", c_double), ("lens_norm", c_int),
                ("lens_project_out", c_int), ("zero_shot", c_int), ("zs_from_cache", c_int),
                ("act", c_char_p)]


class LensParams(Structure):
    _fields_ = [("tokens", c_int), ("include_embeddings", c_int), ("n_alpha", c_int),
                ("alpha", c_double * EL_MAX_ALPHA), ("units", c_int), ("keep_logits", c_int)]


class Profile(Structure):
    _fields_ = [("n_depth", c_int), ("first_layer", c_int), ("n_patches", c_int),
                ("n_alpha", c_int), ("n_classes", c_int), ("entropy", POINTER(c_float)),
                ("entropy_mean", POINTER(c_float)), ("patch_entropy", POINTER(c_float)),
                ("renyi", POINTER(c_float)), ("logits", POINTER(c_float)), ("top1", c_int),
                ("prob", c_float), ("overflow_layer", c_int)]


def _find_library():
    """$ENTROPY_LENS_LIB, then the system's search (an installed
    libentropylens.so), then a build/ tree beside this package's repository."""
    path = os.environ.get("ENTROPY_LENS_LIB")
    if path:
        return path
    found = ctypes.util.find_library("entropylens")
    if found:
        return found
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    candidate = os.path.join(repo, "build", "libentropylens.so")
    if os.path.exists(candidate):
        return candidate
    raise OSError("libentropylens.so not found: set ENTROPY_LENS_LIB, install entropy-lens "
                  "(cmake --install) or build it (scripts/build.sh)")


def _declare(lib):
    sig = {
        "el_version": (c_char_p, []),
        "el_last_error": (c_char_p, []),
        "el_model_default_params": (ModelParams, []),
        "el_model_load": (c_int, [c_char_p, POINTER(ModelParams), POINTER(c_void_p)]),
        "el_model_free": (None, [c_void_p]),
        "el_state_default_params": (StateParams, []),
        "el_state_new": (c_int, [c_void_p, POINTER(StateParams), POINTER(c_void_p)]),
        "el_state_free": (None, [c_void_p]),
        "el_model_get_info": (None, [c_void_p, POINTER(ModelInfo)]),
        "el_model_class_name": (c_char_p, [c_void_p, c_int]),
        "el_image_load": (c_int, [c_char_p, c_int, c_size_t, POINTER(Image)]),
        "el_image_free": (None, [POINTER(Image)]),
        "el_preprocess_image": (c_int, [POINTER(Image), POINTER(Preprocess), POINTER(c_float)]),
        "el_lens_default_params": (LensParams, []),
        "el_lens_params_check": (c_int, [POINTER(LensParams)]),
        "el_profile_init": (c_int, [POINTER(Profile), c_void_p, POINTER(LensParams)]),
        "el_profile_free": (None, [POINTER(Profile)]),
        "el_model_profile": (c_int, [c_void_p, POINTER(c_float), c_int, POINTER(LensParams),
                                     POINTER(Profile)]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


_LIB = None


def lib():
    """The shared library, loaded on first use."""
    global _LIB
    if _LIB is None:
        _LIB = _declare(ctypes.CDLL(_find_library()))
    return _LIB


class EntropyLensError(RuntimeError):
    """A library call failed; the message is the library's (file and reason)."""


def check(status, what):
    if status != 0:
        raise EntropyLensError(f"{what}: {lib().el_last_error().decode(errors='replace')}")
