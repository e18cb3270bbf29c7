#!/usr/bin/env bash
# (Re)generate the seed corpora in tests/fuzz/corpus/<target>/ from the test
# fixtures and tools/fixtures/make_hostile_inputs.sh: valid examples, truncated and
# near-valid variants. Small on purpose (the whole corpus stays under ~2 MB);
# the fuzzer grows its own working corpus elsewhere (tests/fuzz/run.sh).
# Bash + coreutils only. Usage: tests/fuzz/make_corpus.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fx=$root/tests/fixtures
c=$root/tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
rm -rf "$c"
mkdir -p "$c"/{fuzz_image,fuzz_safetensors,fuzz_config,fuzz_tokenizer_llama2c,fuzz_tokenizer_json,fuzz_tokenizer_gpt2,fuzz_llama2c_model,fuzz_spiece,fuzz_gguf,fuzz_gguf_model,fuzz_preprocess,fuzz_records}

hex() {
  local h=$1 esc="" i
  for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
  printf "$esc"
}
le64() { # 8-byte little-endian
  local v=$1 i
  for ((i = 0; i < 8; i++)); do printf -v b '%02x' $(((v >> (8 * i)) & 255)); hex "$b"; done
}
size_of() { wc -c <"$1" | tr -d ' '; }

# ---------------------------------------------------------------- images
d=$c/fuzz_image
cp "$fx"/imageio/src/*.png "$fx"/imageio/src/*.jpg "$fx"/imageio/src/*.pgm "$fx"/imageio/src/*.ppm "$d/"
"$root/tools/fixtures/make_hostile_inputs.sh" "$tmp/hostile" 2>/dev/null
find "$tmp/hostile/bad" -type f -size +0 | while read -r f; do cp "$f" "$d/hostile_$(basename "$f")"; done
printf 'P5 3 2 255\n\x00\x10\x20\x30\x40\x50' >"$d/p5_tiny.pgm"
printf 'P6\n# comment\n2 1\n65535\n\x00\x01\x00\x02\x00\x03\xff\xff\x80\x00\x00\x00' >"$d/p6_16bit_tiny.ppm"
printf 'P5\n1 1\n0\n\x00' >"$d/p5_maxval0.pgm"
printf 'P2\n1 1\n255\n0\n' >"$d/p2_plain.pgm"

# ---------------------------------------------------------------- safetensors
# st FILE HEADER_JSON DATA_HEX: an 8-byte length, the header, the data.
st() {
  local out=$1 header=$2 data=${3:-}
  { le64 ${#header}; printf '%s' "$header"; hex "$data"; } >"$out"
}
d=$c/fuzz_safetensors
st "$d/f32_2x3.safetensors" '{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}' \
  0000803f000000400000404000008040 0000a0400000c040
st "$d/mixed.safetensors" '{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[4,8]},"c":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},"s":{"dtype":"F32","shape":[],"data_offsets":[16,20]},"z":{"dtype":"F32","shape":[0,4],"data_offsets":[20,20]}}' \
  003c00c0803f80bf0100000000000000 0000803f
# Header padded with spaces to a multiple of 8, as the reference writer does.
st "$d/padded.safetensors" '{"x":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}      ' 00fc007c017c
st "$d/all_dtypes.safetensors" '{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[2],"data_offsets":[8,10]},"c":{"dtype":"BOOL","shape":[1],"data_offsets":[10,11]},"d":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[11,12]},"e":{"dtype":"I32","shape":[1],"data_offsets":[12,16]},"f":{"dtype":"U16","shape":[1],"data_offsets":[16,18]}}' \
  000000000000f03f0102010712345678abcd
st "$d/overlap.safetensors" '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}' \
  000000000000000000000000
st "$d/past_end.safetensors" '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}' 00000000
st "$d/bad_size.safetensors" '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}' 0000000000000000
st "$d/huge_shape.safetensors" '{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}'
st "$d/neg_shape.safetensors" '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}' 00000000
st "$d/dup_name.safetensors" '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}' \
  0000000000000000
st "$d/not_object.safetensors" '[1,2,3]'
{ le64 $((1 << 40)); printf '{}'; } >"$d/hlen_huge.safetensors"
printf '\x04\x00\x00' >"$d/short.safetensors"
# One real checkpoint (half precision, ~50 KB) and truncated copies of it.
real=$fx/tiny/vit-hf-f16/model.safetensors
cp "$real" "$d/vit_hf_f16.safetensors"
hlen=$(od -An -tu4 -N4 "$real" | tr -d ' ')
head -c $((8 + hlen)) "$real" >"$d/vit_hf_f16_header_only.safetensors"
head -c $((8 + hlen / 2)) "$real" >"$d/vit_hf_f16_half_header.safetensors"

# ---------------------------------------------------------------- model configs
# Input: config.json NUL preprocessor_config.json NUL selector NUL index.json
# (see fuzz_config.c; the selector's first byte indexes its fixture table).
d=$c/fuzz_config
fixtures=(tiny/vit-hf-f32 tiny/vit-timm tiny/deit-distilled-hf tiny/deit-distilled-timm tiny/vit-hf-gray
  tiny/vit-hf-sharded text/gpt2-tiny text/llama-tiny text/llama-tiny-sharded text/qwen2-tiny text/mistral-tiny
  tiny/vit-hf-bf16 tiny/deit-hf families/gemma2-tiny families/gemma3-mm-tiny families/bloom-tiny
  families/llama3-tiny families/phi3-longrope-tiny families/opt-350m-tiny vision/clip vision/siglip)
# The selector byte is taken modulo the number of fixtures; 0 would be a NUL
# (a part separator), so fixture 0 is written as ${#fixtures[@]}.
selector() { local v=$1; ((v == 0)) && v=${#fixtures[@]}; hex "$(printf '%02x' "$v")"; }
seed() { # name selector config-file [preprocessor-file] [index-file]
  local name=$1 sel=$2 cfg=$3 pre=${4:-} idx=${5:-}
  {
    cat "$cfg"
    printf '\0'
    if [ -n "$pre" ]; then cat "$pre"; fi
    printf '\0'
    selector "$sel"
    if [ -n "$idx" ]; then printf '\0'; cat "$idx"; fi
  } >"$d/$name"
}
for i in "${!fixtures[@]}"; do
  f=$fx/${fixtures[$i]}
  pre=""
  [ -f "$f/preprocessor_config.json" ] && pre=$f/preprocessor_config.json
  seed "$(basename "$f")" "$i" "$f/config.json" "$pre"
  if [ -f "$f/model.safetensors.index.json" ]; then
    seed "$(basename "$f")-index" "$i" "$f/config.json" "$pre" "$f/model.safetensors.index.json"
  fi
done
# (Inputs that exposed bugs live in tests/fuzz/regressions/, not here.)
# Near-valid variants of the HF ViT config (sed on the fixture).
vit=$fx/tiny/vit-hf-f32
variant() { # name sed-expression
  sed -e "$2" "$vit/config.json" >"$tmp/cfg.json"
  seed "vit-$1" 0 "$tmp/cfg.json" "$vit/preprocessor_config.json"
}
variant hidden-33 's/"hidden_size": 32/"hidden_size": 33/'
variant layers-0 's/"num_hidden_layers": 2/"num_hidden_layers": 0/'
variant layers-huge 's/"num_hidden_layers": 2/"num_hidden_layers": 1000000000/'
variant heads-neg 's/"num_attention_heads": 2/"num_attention_heads": -2/'
variant patch-float 's/"patch_size": 8/"patch_size": 8.5/'
variant image-string 's/"image_size": 32/"image_size": "32"/'
variant eps-zero 's/"layer_norm_eps": 1e-12/"layer_norm_eps": 0/'
variant eps-huge 's/"layer_norm_eps": 1e-12/"layer_norm_eps": 1e308/'
variant channels-2 's/"num_channels": 3/"num_channels": 2/'
variant labels-odd 's/"9": "truck, lorry"/"99": "x", "-1": "y", "0x1": "z", "9": 9/'
variant arch-text 's/ViTForImageClassification/GPT2LMHeadModel/'
variant arch-deit 's/ViTForImageClassification/DeiTForImageClassificationWithTeacher/'
variant no-arch 's/"ViTForImageClassification"//'
# Zero-shot configs (their fixture's tokenizer, classes and templates come along).
clip=$fx/vision/clip
nf=${#fixtures[@]}
sed -e 's/"eos_token_id": 2/"eos_token_id": 562/' "$clip/config.json" >"$tmp/cfg.json"
seed clip-eos-id $((nf - 2)) "$tmp/cfg.json" "$clip/preprocessor_config.json"
sed -e 's/"num_attention_heads": 2,/"num_attention_heads": 3,/' "$clip/config.json" >"$tmp/cfg.json"
seed clip-heads-3 $((nf - 2)) "$tmp/cfg.json" "$clip/preprocessor_config.json"
sed -e 's/"max_position_embeddings": 77/"max_position_embeddings": 4/' "$clip/config.json" >"$tmp/cfg.json"
seed clip-context-4 $((nf - 2)) "$tmp/cfg.json" "$clip/preprocessor_config.json"
printf '{"model_type": "siglip"}' >"$tmp/cfg.json"
seed siglip-defaults $((nf - 1)) "$tmp/cfg.json"
sed -e 's/"resample": 2/"resample": 7/' "$vit/preprocessor_config.json" >"$tmp/pre.json"
seed vit-pre-resample-7 0 "$vit/config.json" "$tmp/pre.json"
printf '{"do_center_crop": true, "crop_size": {"height": 32, "width": 32}, "size": {"shortest_edge": 40}, "image_std": [0, 1, 1]}' >"$tmp/pre.json"
seed vit-pre-crop-std0 0 "$vit/config.json" "$tmp/pre.json"
printf '{"size": 32, "image_mean": [0.5], "image_std": 1e-12, "rescale_factor": 1000000}' >"$tmp/pre.json"
seed vit-pre-scalar 0 "$vit/config.json" "$tmp/pre.json"
# Weight patches (5th part): NaN, +Inf and a huge value written into the
# data section of single-file fixtures.
patch_seed() { # name selector fixture-dir offset-hex bytes-hex
  local name=$1 sel=$2 f=$3 pre=""
  [ -f "$f/preprocessor_config.json" ] && pre=$f/preprocessor_config.json
  { cat "$f/config.json"; printf '\0'; [ -n "$pre" ] && cat "$pre"; printf '\0'; selector "$sel"
    printf '\0\0'; hex "$4$5"; } >"$d/$name"
}
patch_seed vit-patch-inf 0 "$vit" 00010000 0000807f0000807f
patch_seed vit-patch-huge 0 "$vit" 40000000 ffff7f7fffff7fff
patch_seed timm-patch-nan 1 "$fx/tiny/vit-timm" 00000000 0000c07f
patch_seed llama-patch-nan 7 "$fx/text/llama-tiny" 10000000 0000c07f0000c07f
printf '{}' >"$tmp/empty.json"
seed empty-object 0 "$tmp/empty.json"
printf '{"model_type": "llama"}' >"$tmp/cfg.json"
seed llama-bare 7 "$tmp/cfg.json"
sed -e 's/"vocab_size": 128/"vocab_size": 2147483647/' "$fx/text/llama-tiny/config.json" >"$tmp/cfg.json"
seed llama-vocab-max 7 "$tmp/cfg.json"
sed -e 's/"num_key_value_heads": 4/"num_key_value_heads": 3/' "$fx/text/llama-tiny/config.json" >"$tmp/cfg.json"
seed llama-kv-3 7 "$tmp/cfg.json"
printf '{"weight_map": {"a": "../etc/passwd", "b": "model-00001-of-00002.safetensors"}}' >"$tmp/idx.json"
seed vit-sharded-bad-index 5 "$fx/tiny/vit-hf-sharded/config.json" "$fx/tiny/vit-hf-sharded/preprocessor_config.json" \
  "$tmp/idx.json"

# ---------------------------------------------------------------- tokenizers
tk=$fx/tokenizers
d=$c/fuzz_tokenizer_llama2c
# 2-byte vocab size (0: as many as the file holds), then tokenizer.bin.
{ printf '\0\0'; cat "$tk/llama2c_tok.bin"; } >"$d/valid_auto"
n=$(size_of "$tk/llama2c_tok.bin")
{ printf '\x03\x01'; cat "$tk/llama2c_tok.bin"; } >"$d/vocab_259"
{ printf '\0\0'; head -c $((n / 2)) "$tk/llama2c_tok.bin"; } >"$d/truncated_half"
{ printf '\0\0'; head -c 4 "$tk/llama2c_tok.bin"; } >"$d/header_only"
{ printf '\xff\xff'; cat "$tk/llama2c_tok.bin"; } >"$d/vocab_65535"
{ printf '\0\0'; cat "$tk/llama2c_tok.bin"; printf 'hello \xe2\x96\x81world'; } >"$d/valid_trailing"

d=$c/fuzz_tokenizer_json
for f in gpt2_tokenizer.json llama_tokenizer.json metaspace_tokenizer.json; do
  cp "$tk/$f" "$d/$f"
  { cat "$tk/$f"; printf '\0Hello  world<|endoftext|> \xe2\x96\x81caf\xc3\xa9 \xf0\x9f\x98\x80<s>\xff'; } >"$d/${f%.json}_text"
  n=$(size_of "$tk/$f")
  head -c $((n * 2 / 3)) "$tk/$f" >"$d/${f%.json}_truncated"
done
printf '{"model": {"type": "BPE", "vocab": {}, "merges": []}}' >"$d/empty_bpe.json"
printf '{"model": {"type": "WordPiece", "vocab": {"a": 0}}}' >"$d/wordpiece.json"
printf '{"added_tokens": [{"id": 5, "content": "<x>", "special": true}], "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false}}' \
  >"$d/added_out_of_range.json"

d=$c/fuzz_tokenizer_gpt2
{ cat "$tk/gpt2_vocab.json"; printf '\0'; cat "$tk/gpt2_merges.txt"; } >"$d/fixture"
{ cat "$tk/gpt2_vocab.json"; printf '\0'; cat "$tk/gpt2_merges.txt"; printf '\0Hello world<|endoftext|> caf\xc3\xa9\xff'; } >"$d/fixture_text"
{ cat "$tk/gpt2_vocab.json"; printf '\0'; head -c 300 "$tk/gpt2_merges.txt"; } >"$d/merges_truncated"
{ cat "$tk/gpt2_vocab.json"; printf '\0#version: 0.2\nnot_in_vocab x\n\xc4\xa0 t\n'; } >"$d/merges_unknown"
{ printf '{"a": 0, "b": 1, "ab": 5}'; printf '\0a b\n'; } >"$d/gap_ids"
{ printf '{"a": 0, "a": 1}'; printf '\0'; } >"$d/dup_token"
fg=$root/samples/models/fortune-gpt2
if [ -f "$fg/vocab.json" ] && [ -f "$fg/merges.txt" ]; then
  { cat "$fg/vocab.json"; printf '\0'; cat "$fg/merges.txt"; } >"$d/fortune_gpt2"
fi

# ---------------------------------------------------------------- llama2.c checkpoints
d=$c/fuzz_llama2c_model
for f in llama2c-tiny.bin llama2c-tiny-unshared.bin llama2c-tiny-v1.bin; do cp "$fx/text/$f" "$d/$f"; done
head -c 28 "$fx/text/llama2c-tiny.bin" >"$d/legacy_header_only.bin"
head -c 256 "$fx/text/llama2c-tiny-v1.bin" >"$d/v1_header_only.bin"
n=$(size_of "$fx/text/llama2c-tiny.bin")
head -c $((n - 4)) "$fx/text/llama2c-tiny.bin" >"$d/legacy_minus_4.bin"

# ---------------------------------------------------------------- SentencePiece Unigram (SigLIP)
d=$c/fuzz_spiece
sp=$fx/vision/siglip/spiece.model
{ cat "$sp"; printf '\0A blurry photo of the Cr\xc3\xa8me Br\xc3\xbbl\xc3\xa9e!'; } >"$d/siglip_tiny"
head -c 200 "$sp" >"$d/cut200"

# ---------------------------------------------------------------- GGUF
# The committed GGUF fixtures (tools/fixtures/make_gguf_fixtures.py) and
# truncations of one: in the header, in the tensor infos, in the data.
d=$c/fuzz_gguf
cp "$fx"/gguf/types.gguf "$fx"/gguf/aligned64.gguf "$fx"/gguf/small_k.gguf "$d/"
cp "$fx"/gguf/spm_tiny.gguf "$fx"/gguf/spm_noprefix.gguf "$fx"/gguf/llama_meta.gguf "$d/"
for n in 20 700 1200 3000; do head -c "$n" "$fx/gguf/types.gguf" >"$d/types_cut$n.gguf"; done

# GGUF models: tiny Qwen3 and Gemma 1/2/3 files (make_gguf_models.py seeds),
# and one cut in its tensor data.
d=$c/fuzz_gguf_model
cp "$fx"/gguf/seeds/*.gguf "$d/"
n=$(size_of "$fx/gguf/seeds/gemma2.gguf")
head -c $((n - 100)) "$fx/gguf/seeds/gemma2.gguf" >"$d/gemma2_minus_100.gguf"

# ---------------------------------------------------------------- preprocessing geometry
# Header of tests/fuzz/fuzz_preprocess.c: width-1, height-1 (le32 each),
# channels, flags (1 resize, 2 shortest edge, 4 crop, 8 rounded crop,
# 16 rescale, 32 normalise, 64 default pixel limit), filter, shortest edge or
# resize width, resize height, crop width-1, crop height-1 (le16), pixel limit
# (le32), then pixel bytes. Aspect-ratio bombs among them.
d=$c/fuzz_preprocess
pre() { # NAME W H CH FLAGS FILTER SE RH CW CH LIMIT
  local v
  { for v in $(($2 - 1)) $(($3 - 1)); do le64 "$v" | head -c 4; done
    printf "\\x$(printf %02x "$4")\\x$(printf %02x "$5")\\x$(printf %02x "$6")"
    for v in $(($7 - 1)) "$8" $(($9 - 1)) $((${10} - 1)); do le64 "$v" | head -c 2; done
    le64 "${11}" | head -c 4
    printf 'pixels\x00\xff\x80'; } >"$d/$1"
}
pre bomb_1x32768_se248 1 32768 1 $((1 | 2 | 4 | 16 | 32 | 64)) 3 248 0 224 224 0
pre bomb_1x20000_se36 1 20000 3 $((1 | 2 | 4 | 8 | 16 | 32 | 64)) 3 36 0 32 32 0
pre bomb_32768x1_exact 32768 1 1 $((1 | 16 | 32)) 2 224 224 1 1 0
pre bomb_2x30000_se3000_lanczos 2 30000 3 $((1 | 2 | 4 | 16)) 1 3000 0 64 64 0
pre small_limit_se256 300 200 3 $((1 | 2 | 4 | 8 | 16 | 32)) 3 256 0 224 224 1000
pre pad_1x1_crop256 1 1 3 $((4 | 16 | 32)) 0 1 0 256 256 0

# ---------------------------------------------------------------- records
# records NUL extract regex NUL generated text (fuzz_records.c)
d=$c/fuzz_records
printf '{"file":"a\\udc80","label":"x","correct":true,"prob":0.9,"entropy":[1,2,3]}\n{"prompt":"p \\ud83d\\udc80","label":"y","correct":false,"prob":0.2,"entropy":[[1,2],[3,4]]}\n\0(\\d+)\0the answer is 42\n' >"$d/two_records"
printf '{"prompt":"\\udce3\\udc81","label":"a","entropy":[1,null,3]}\n{"prompt":"\\\\udc80","label":"b","entropy":[1]}\n\0\0 B) because\n' >"$d/surrogates"
cp "$fx"/analysis/*.jsonl "$d/"

du -sh "$c" >&2
for t in "$c"/*; do echo "$(basename "$t"): $(find "$t" -type f | wc -l) files, $(du -sk "$t" | cut -f1) KB" >&2; done
