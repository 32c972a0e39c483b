import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseSafetensors } from "./safetensors.js";
import { WordPieceTokenizer } from "./tokenizer.js";
import { bertWeightsFromTensors, parseBertConfig, type BertConfig, type BertWeights } from "./weights.js";

/** The pretrained encoder, loaded once per process and shared read-only by every fine-tuned version. */
export interface BaseModel {
  dir: string;
  config: BertConfig;
  tokenizer: WordPieceTokenizer;
  /** sha256 of model.safetensors: fine-tuned artifacts record it to refuse a mismatched base. */
  weightsSha256: string;
  weights: BertWeights;
  /** Whether the sentence-transformers pipeline ends with a Normalize module (all-MiniLM-L6-v2 does). */
  normalize: boolean;
}

const HINT = "run `npm run setup` or set BASE_MODEL_DIR to a folder with config.json, vocab.txt and model.safetensors";

function usesNormalize(dir: string): boolean {
  const modulesFile = path.join(dir, "modules.json");
  if (!existsSync(modulesFile)) return true;
  const modules = JSON.parse(readFileSync(modulesFile, "utf8")) as { type?: string }[];
  return modules.some((m) => m.type?.endsWith(".Normalize"));
}

/** The pooling this encoder implements is mean pooling; any other sentence-transformers pooling is refused. */
function checkPooling(dir: string): void {
  const poolingFile = path.join(dir, "1_Pooling", "config.json");
  if (!existsSync(poolingFile)) return;
  const cfg = JSON.parse(readFileSync(poolingFile, "utf8")) as Record<string, unknown>;
  if (cfg.pooling_mode_mean_tokens === false) throw new Error(`${poolingFile}: only mean pooling is supported`);
}

export async function loadBaseModel(dir: string): Promise<BaseModel> {
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`base model folder '${dir}' does not exist: ${HINT}`);
  }
  for (const f of ["config.json", "vocab.txt"]) {
    if (!existsSync(path.join(dir, f))) throw new Error(`base model folder '${dir}' has no ${f}: ${HINT}`);
  }
  const weightsFile = path.join(dir, "model.safetensors");
  if (!existsSync(weightsFile)) {
    const other = readdirSync(dir).filter((f) => /\.(bin|pt|pth|h5|ckpt|onnx|msgpack)$/.test(f));
    const why = other.length
      ? `has weights only in an unsupported format (${other.join(", ")}); only model.safetensors is read`
      : "has no model.safetensors";
    throw new Error(`base model folder '${dir}' ${why}: ${HINT}`);
  }
  const configFile = path.join(dir, "config.json");
  const config = parseBertConfig(JSON.parse(readFileSync(configFile, "utf8")), configFile);
  checkPooling(dir);
  const tokenizer = WordPieceTokenizer.fromDir(dir);
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new Error(`${dir}: vocab.txt has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.vocabSize}`);
  }
  const bytes = readFileSync(weightsFile);
  const weightsSha256 = createHash("sha256").update(bytes).digest("hex");
  // position_ids (I64) and the pooler are not used by a mean-pooled sentence encoder
  const { tensors } = parseSafetensors(bytes, weightsFile, {
    include: (n) => !n.endsWith("position_ids") && !n.includes("pooler."),
  });
  const weights = bertWeightsFromTensors(tensors, config, weightsFile);
  return { dir, config, tokenizer, weightsSha256, weights, normalize: usesNormalize(dir) };
}
