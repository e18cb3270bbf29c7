// ONNX Runtime peer for the speed benchmark (tools/bench): runs the ONNX
// export of the ViT + lens (tools/benchmarks/bench_torch.py export-onnx: pixels [N,3,H,W]
// -> per-layer CLS entropies [N, L]) on preprocessed pixels (no decoding).
//
// Usage: node tools/benchmarks/bench_ort.mjs MODEL.onnx PIXELS.f32 N [--size 224] [--batch 8]
//          [--threads 1,2] [--runs 3] [--out ENTROPIES.json]
// Needs onnxruntime-node; set NODE_PATH to the node_modules it was installed
// in (tools/bench installs it under /tmp/el-bench/ort with --ignore-scripts).
// Prints one JSON object on stdout: per thread count the median and all run
// times of the whole set (all batches), images/s, and the best of them.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const size = Number(opt("--size", "224"));
const batch = Number(opt("--batch", "8"));
const threadsList = opt("--threads", "1,2").split(",").map(Number);
const runs = Number(opt("--runs", "3"));
const outPath = opt("--out", null);
if (args.length !== 3) {
  console.error("usage: bench_ort.mjs MODEL.onnx PIXELS.f32 N [--size S] [--batch B] [--threads 1,2] [--runs R] [--out FILE]");
  process.exit(2);
}
const [modelPath, pixelsPath, nStr] = args;
const n = Number(nStr);

// Resolve onnxruntime-node from NODE_PATH (ESM ignores NODE_PATH).
const bases = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
let ort = null;
for (const b of [...bases, process.cwd()]) {
  try {
    ort = createRequire(path.join(b, "x.js"))("onnxruntime-node");
    break;
  } catch (e) {
    /* try the next one */
  }
}
if (!ort) {
  console.error("bench_ort: cannot load onnxruntime-node (set NODE_PATH to its node_modules)");
  process.exit(3);
}

const buf = readFileSync(pixelsPath);
const per = 3 * size * size;
if (buf.length !== n * per * 4) {
  console.error(`bench_ort: ${pixelsPath}: ${buf.length} bytes, expected ${n} x 3 x ${size} x ${size} float32`);
  process.exit(3);
}
const pixels = new Float32Array(buf.buffer, buf.byteOffset, n * per);

const t0 = performance.now();
const result = { tool: "onnxruntime-node", version: ort.env.versions?.common ?? null, batch, n, runs: {} };
let entropies = null;
for (const threads of threadsList) {
  const tl = performance.now();
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  });
  const loadS = (performance.now() - tl) / 1000;
  const runAll = async (limit = n) => {
    const out = [];
    for (let s = 0; s < limit; s += batch) {
      const nb = Math.min(batch, limit - s);
      const x = new ort.Tensor("float32", pixels.subarray(s * per, (s + nb) * per), [nb, 3, size, size]);
      const r = await session.run({ pixels: x });
      const e = r.entropy;
      const L = e.dims[1];
      for (let i = 0; i < nb; i++) out.push(Array.from(e.data.subarray(i * L, (i + 1) * L)));
    }
    return out;
  };
  await runAll(Math.min(batch, n)); // warm-up: one batch
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    entropies = await runAll();
    times.push((performance.now() - t) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)];
  result.runs[threads] = { load_s: loadS, times, median_s: med, images_per_s: n / med };
  await session.release?.();
}
let best = null;
for (const [t, r] of Object.entries(result.runs))
  if (!best || r.images_per_s > best.images_per_s) best = { threads: Number(t), ...r };
result.best = best;
result.rss_mb = process.memoryUsage().rss / 1e6;
result.total_s = (performance.now() - t0) / 1000;
if (outPath) writeFileSync(outPath, JSON.stringify(entropies));
console.log(JSON.stringify(result));
