"""Hugging Face layer tensor names -> llama.cpp's GGUF names for the
Llama-like families (gguf-py's tensor map), shared by the fixture writer
(tools/fixtures/make_gguf_models.py) and the reference that reads the files
back (tools/reference/reference_gguf.py). A wrong entry cannot hide: the C
loader reads the GGUF names with llama.cpp's meaning, and the F32 files'
reference results equal the original Hugging Face models' goldens."""


def layer_names(arch):
    """HF layer tensor (without "model.layers.N." and ".weight") -> GGUF short name."""
    names = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_proj": "attn_q",
             "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
             "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm"}
    if arch in ("gemma2", "gemma3"):  # Gemma 2/3's sandwich norms
        names.update({"post_attention_layernorm": "post_attention_norm", "pre_feedforward_layernorm": "ffn_norm",
                      "post_feedforward_layernorm": "post_ffw_norm"})
    return names


def hf_layer_names(arch):
    """The inverse: GGUF short name -> HF layer tensor."""
    return {short: hf for hf, short in layer_names(arch).items()}
