// Independent reference token ids: the npm package @huggingface/tokenizers
// (tokenizers.js, Hugging Face's JavaScript port of the Rust tokenizers).
// Nothing here shares code or logic with the C tokenizer.
//
//   npm install --ignore-scripts --prefix /tmp/tokref @huggingface/tokenizers
//   EL_TOKREF=/tmp/tokref node tools/reference/tokenize_reference.mjs DIR [--no-special] < in.jsonl > out.jsonl
//
// DIR holds tokenizer.json (+ tokenizer_config.json), or GPT-2's vocab.json +
// merges.txt (turned into the tokenizer.json HF's GPT2TokenizerFast uses).
// Input: one JSON string per line. Output, per line: {"ids": [...],
// "decoded": "..."}: ids with the post-processor's special tokens (none with
// --no-special), decoded with skip_special_tokens=false and no clean-up.
import fs from "fs";
import path from "path";
import readline from "readline";
import { pathToFileURL } from "url";

const root = process.env.EL_TOKREF || "/tmp/tokref";
const lib = path.join(root, "node_modules/@huggingface/tokenizers/dist/tokenizers.mjs");
const { Tokenizer } = await import(pathToFileURL(lib).href);

function gpt2Json(dir) {
  const vocab = JSON.parse(fs.readFileSync(path.join(dir, "vocab.json"), "utf8"));
  const merges = fs.readFileSync(path.join(dir, "merges.txt"), "utf8").split("\n")
    .filter((l) => l && !l.startsWith("#version"));
  const eot = vocab["<|endoftext|>"];
  return {
    added_tokens: [{ id: eot, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false,
                     normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "",
             end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

function load(dir) {
  if (fs.statSync(dir).isFile()) return new Tokenizer(JSON.parse(fs.readFileSync(dir, "utf8")), {});
  const tj = path.join(dir, "tokenizer.json");
  if (!fs.existsSync(tj)) return new Tokenizer(gpt2Json(dir), {});
  const cfgPath = path.join(dir, "tokenizer_config.json");
  const cfg = fs.existsSync(cfgPath) ? JSON.parse(fs.readFileSync(cfgPath, "utf8")) : {};
  return new Tokenizer(JSON.parse(fs.readFileSync(tj, "utf8")), cfg);
}

const dir = process.argv[2];
const special = !process.argv.includes("--no-special");
const tok = load(dir);
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of rl) {
  if (!line) continue;
  const text = JSON.parse(line);
  const ids = tok.encode(text, { add_special_tokens: special }).ids;
  const decoded = ids.length ? tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : "";
  out.push(JSON.stringify({ ids, decoded }));
  if (out.length >= 1000) process.stdout.write(out.splice(0).join("\n") + "\n");
}
if (out.length) process.stdout.write(out.join("\n") + "\n");
