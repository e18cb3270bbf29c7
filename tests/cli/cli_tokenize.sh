#!/usr/bin/env bash
# entropy-lens tokenize end to end, and text --bos: encode/decode records,
# the three BOS modes, JSONL input of every kind, exit codes, prompt_ids in
# text records. Ids themselves are checked against the reference by
# test_tokenizer_real / test_tokenizer_components; here the command line.
# Usage: tests/cli/cli_tokenize.sh BUILD/entropy-lens
set -uo pipefail
cli=${1:?usage: cli_tokenize.sh path/to/entropy-lens}
here=$(cd "$(dirname "$0")/.." && pwd)
fix=$here/fixtures/tokenizers
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/el_cli_tokenize.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
field() { # field FILE LINE EXPR: a Python expression over record r of line LINE
  $py -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]; print($3)" "$1" "$2"
}

"$cli" tokenize --help >"$tmp/help.txt"; rc=$?
check "--help exits 0" test $rc -eq 0
check "--help lists --bos" grep -q -- "--bos MODE" "$tmp/help.txt"
"$cli" tokenize --text x 2>/dev/null; rc=$?
check "no tokenizer: usage error (2)" test $rc -eq 2
"$cli" tokenize --tokenizer "$fix/llama_tokenizer.json" --text x --bos sometimes 2>/dev/null; rc=$?
check "--bos sometimes: usage error (2)" test $rc -eq 2
"$cli" tokenize --tokenizer "$tmp/none.json" --text x 2>"$tmp/err"; rc=$?
check "missing tokenizer: fatal (3), named" sh -c "test $rc -eq 3 && grep -q none.json '$tmp/err'"

# Encode, then decode the ids back (GPT-2 files round-trip exactly).
"$cli" tokenize --tokenizer "$fix/gpt2_tokenizer.json" --text "Hello world, café 😀" >"$tmp/enc.jsonl"; rc=$?
check "encode exits 0" test $rc -eq 0
ids=$(field "$tmp/enc.jsonl" 0 "','.join(map(str, r['ids']))")
check "n and pieces match ids" test "$(field "$tmp/enc.jsonl" 0 "r['n'] == len(r['ids']) == len(r['pieces'])")" = True
"$cli" tokenize --tokenizer "$fix/gpt2_tokenizer.json" --ids "$ids" >"$tmp/dec.jsonl"
check "decode gives the text back" test "$(field "$tmp/dec.jsonl" 0 "r['text']")" = "Hello world, café 😀"

# BOS modes on a Llama-style file whose template adds <s> (id 1).
for m in auto always never; do
  "$cli" tokenize --tokenizer "$fix/llama_tokenizer.json" --text "Hello" --bos $m >"$tmp/$m.jsonl"
done
check "auto: the template's <s>" test "$(field "$tmp/auto.jsonl" 0 "r['ids'][0]")" = 1
check "always: <s>" test "$(field "$tmp/always.jsonl" 0 "r['ids'][0]")" = 1
check "never: no <s>" test "$(field "$tmp/never.jsonl" 0 "1 not in r['ids']")" = True
check "never = auto without <s>" test "$(field "$tmp/never.jsonl" 0 "r['ids']")" = "$(field "$tmp/auto.jsonl" 0 "r['ids'][1:]")"
"$cli" tokenize --tokenizer "$fix/gpt2_tokenizer.json" --text "Hello" --bos always >"$tmp/g.jsonl"
check "GPT-2 always: <|endoftext|> first" test "$(field "$tmp/g.jsonl" 0 "r['pieces'][0]")" = "<|endoftext|>"

# JSONL input of every kind; a bad line makes the run partial (1).
printf '%s\n' '"plain string"' '{"text": "object"}' '[1, 2, 3]' '{"ids": [4]}' '' >"$tmp/in.jsonl"
"$cli" tokenize --tokenizer "$fix/llama_tokenizer.json" --file "$tmp/in.jsonl" >"$tmp/out.jsonl"; rc=$?
check "mixed JSONL: exit 0, 4 records" sh -c "test $rc -eq 0 && test \$(wc -l <'$tmp/out.jsonl') -eq 4"
check "record 3 decodes" test "$(field "$tmp/out.jsonl" 2 "'text' in r and r['ids'] == [1, 2, 3]")" = True
printf '%s\n' '"ok"' '{"nope": 1}' '"a\u0000b"' >"$tmp/bad.jsonl"
"$cli" tokenize --tokenizer "$fix/llama_tokenizer.json" --file "$tmp/bad.jsonl" >"$tmp/out2.jsonl" 2>"$tmp/err2"; rc=$?
check "bad lines: partial (1), good one written" sh -c "test $rc -eq 1 && test \$(wc -l <'$tmp/out2.jsonl') -eq 1"
check "NUL refused by name" grep -q "NUL" "$tmp/err2"
"$cli" tokenize --tokenizer "$fix/llama_tokenizer.json" --ids 1,999999 2>/dev/null; rc=$?
check "id outside the vocab: fatal (3)" test $rc -eq 3
"$cli" tokenize --tokenizer "$fix/gpt2_tokenizer.json" --text "abc" --bench >"$tmp/bench.txt"; rc=$?
check "--bench prints MB/s" sh -c "test $rc -eq 0 && grep -q 'MB/s' '$tmp/bench.txt'"

# text: prompt_ids in the records, --bos always puts the BOS first.
model=$here/../samples/models/fortune-gpt2
if [ -d "$model" ]; then
  for m in auto always; do
    "$cli" text --model "$model" --prompt "Once" -n 2 -q --threads 1 --bos $m >"$tmp/text_$m.jsonl"
  done
  check "text records carry prompt_ids" test "$(field "$tmp/text_auto.jsonl" 0 "len(r['prompt_ids']) == r['n_prompt_tokens']")" = True
  "$cli" tokenize --model "$model" --text "" --bos always >"$tmp/bos.jsonl"
  check "text --bos always: BOS first" test "$(field "$tmp/text_always.jsonl" 0 "r['prompt_ids'][0]")" = "$(field "$tmp/bos.jsonl" 0 "r['ids'][0]")"
  check "text --bos always = BOS + auto" test "$(field "$tmp/text_always.jsonl" 0 "r['prompt_ids'][1:]")" = "$(field "$tmp/text_auto.jsonl" 0 "r['prompt_ids']")"
  "$cli" text --model "$model" --prompt "Once" -n 1 --bos maybe 2>/dev/null; rc=$?
  check "text --bos maybe: usage error (2)" test $rc -eq 2
fi
# Gemma 1/2/3 (text and multimodal folders) and BLOOM from their folders: the
# first golden case's prompt tokenizes to the reference's ids, and text
# generates the reference's greedy tokens (tests/fixtures/families).
for name in gemma-tiny gemma2-tiny gemma3-tiny gemma3-mm-tiny bloom-tiny; do
  dir=$here/fixtures/families/$name
  prompt=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['cases'][0]['prompt'])" "$dir/golden.json")
  want_ids=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['cases'][0]['prompt_ids'])" "$dir/golden.json")
  want_gen=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['cases'][0]['generated_ids'])" "$dir/golden.json")
  "$cli" tokenize --model "$dir" --text "$prompt" >"$tmp/$name.jsonl"
  check "$name: tokenize gives the reference's ids" test "$(field "$tmp/$name.jsonl" 0 "r['ids']")" = "$want_ids"
  "$cli" text --model "$dir" --prompt "$prompt" -n 6 -q --threads 1 >"$tmp/$name-text.jsonl"
  check "$name: text generates the reference's tokens" test "$(field "$tmp/$name-text.jsonl" 0 "r['tokens']")" = "$want_gen"
done
exit $fail
