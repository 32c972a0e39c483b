// Which cosine threshold each base family's question clustering should default to (not a test):
// `npm run bench:clusters -- [--samples 10] [--size 300] [--families minilm,use-multilingual]`.
// "What to answer next" groups handed-off questions with the greedy clusterer (server/nextAnswers/questionClusterer.ts).
// On the TRAINING splits only (BANKING77, Casanueva et al. 2020, CC BY 4.0; xSID zh and en, van der Goot et al. 2021,
// CC BY-SA 4.0), seeded samples of a few hundred questions in random order are clustered at every threshold of a
// grid and scored against the true intents (pairwise F1 and adjusted Rand). BANKING77's 77 intents are one canned
// support answer each, what a cluster stands for: each family's threshold is the best mean pairwise F1 there. xSID's
// 13 intents are broad voice-assistant domains (a quarter is weather_find), where every family prefers the grid's
// floor, so they cannot place a default; but they are the same sentences in Chinese and English, which carries a
// threshold from English to Chinese for USE (the zh threshold giving as many clusters as the en one). The import's
// reply collapsing (near-identical wordings; no labelled data for it) keeps MiniLM's 0.9 and takes for USE the
// threshold that collapses as much (as many clusters on the same English questions), carried to Chinese likewise.
// Writes bench/results/clusters.json.
import { readFile } from "node:fs/promises";
import { writeOutput } from "./lib/output.js";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  baseModelDirFor,
  embed,
  importCsv,
  initBackend,
  loadAnyBaseModel,
  numberFlag,
  parseArgs,
  parseFamily,
  runCli,
  seededRandom,
  shuffleInPlace,
  type BaseFamily,
  type TrainExample,
} from "../trainer/index.js";
import { groupBySimilarity } from "../server/nextAnswers/questionClusterer.js";

const RESULTS = "bench/results/clusters.json";
const USAGE = "usage: npm run bench:clusters -- [--samples 5] [--size 300] [--families minilm,use-multilingual]";
// Steps of 0.01 from 0.30 to 0.95 (the API accepts 0.3–0.99).
const GRID = Array.from({ length: 66 }, (_, i) => Math.round((0.3 + i * 0.01) * 100) / 100);
// MiniLM's collapse threshold for agent replies (the import's default before there were two families).
const MINILM_COLLAPSE = 0.9;

interface DatasetSpec {
  name: string;
  language: "zh" | "en";
  file: string;
  citation: string;
}
const DATASETS: DatasetSpec[] = [
  { name: "xSID zh", language: "zh", file: "data/xsid/zh.train.csv", citation: "van der Goot et al. 2021, CC BY-SA 4.0" },
  { name: "xSID en", language: "en", file: "data/xsid/en.train.csv", citation: "van der Goot et al. 2021, CC BY-SA 4.0" },
  { name: "BANKING77", language: "en", file: "data/banking77/train.csv", citation: "Casanueva et al. 2020, CC BY 4.0" },
];
// Where each family's clustering threshold is chosen (support answers' granularity), and the parallel pair that
// carries a USE threshold from English to Chinese.
const CHOSEN_ON = "BANKING77";
const PARALLEL = { en: "xSID en", zh: "xSID zh" };

interface Score {
  similarity: number;
  pairwiseF1: number;
  pairwisePrecision: number;
  pairwiseRecall: number;
  adjustedRand: number;
  clusters: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (x: number) => Math.round(x * 10000) / 10000;
const choose2 = (n: number) => (n * (n - 1)) / 2;

/** Pair counting against the true labels: pairwise precision/recall/F1 and the adjusted Rand index (Hubert & Arabie). */
function agreement(labels: string[], groups: number[][]): Omit<Score, "similarity"> {
  const cells = new Map<string, number>();
  const byLabel = new Map<string, number>();
  groups.forEach((g, c) =>
    g.forEach((i) => {
      const key = `${c}\u0000${labels[i]}`;
      cells.set(key, (cells.get(key) ?? 0) + 1);
      byLabel.set(labels[i], (byLabel.get(labels[i]) ?? 0) + 1);
    }),
  );
  const together = [...cells.values()].reduce((s, n) => s + choose2(n), 0);
  const sameCluster = groups.reduce((s, g) => s + choose2(g.length), 0);
  const sameLabel = [...byLabel.values()].reduce((s, n) => s + choose2(n), 0);
  const precision = sameCluster ? together / sameCluster : 1;
  const recall = sameLabel ? together / sameLabel : 1;
  const expected = (sameCluster * sameLabel) / choose2(labels.length);
  const maxIndex = (sameCluster + sameLabel) / 2;
  return {
    pairwiseF1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    pairwisePrecision: precision,
    pairwiseRecall: recall,
    adjustedRand: maxIndex === expected ? 1 : (together - expected) / (maxIndex - expected),
    clusters: groups.length,
  };
}

/** The mean score of each grid threshold over the samples of one dataset. */
async function sweep(
  family: BaseFamily,
  ds: DatasetSpec,
  opts: { samples: number; size: number },
  encode: (texts: string[]) => Promise<Float32Array[]>,
) {
  const rows: TrainExample[] = importCsv(await readFile(join(import.meta.dirname, ds.file), "utf8"));
  const samples = Array.from({ length: opts.samples }, (_, s) =>
    shuffleInPlace([...rows], seededRandom(100 + s)).slice(0, Math.min(opts.size, rows.length)),
  );
  const texts = [...new Set(samples.flat().map((e) => e.text))];
  const t0 = Date.now();
  const vectors = new Map((await encode(texts)).map((v, i) => [texts[i], v]));
  console.error(`${ds.name} on ${family}: ${texts.length} questions embedded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const perSample = samples.map((sample) => {
    const v = sample.map((e) => vectors.get(e.text)!);
    const n = v.length;
    const sim = new Float32Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        let d = 0;
        for (let k = 0; k < v[i].length; k++) d += v[i][k] * v[j][k];
        sim[i * n + j] = sim[j * n + i] = d;
      }
    const labels = sample.map((e) => e.label);
    return GRID.map((t) =>
      agreement(
        labels,
        groupBySimilarity(n, t, (i, j) => sim[i * n + j]),
      ),
    );
  });
  const curve: Score[] = GRID.map((similarity, g) => {
    const at = perSample.map((scores) => scores[g]);
    return {
      similarity,
      pairwiseF1: round(mean(at.map((s) => s.pairwiseF1))),
      pairwisePrecision: round(mean(at.map((s) => s.pairwisePrecision))),
      pairwiseRecall: round(mean(at.map((s) => s.pairwiseRecall))),
      adjustedRand: round(mean(at.map((s) => s.adjustedRand))),
      clusters: round(mean(at.map((s) => s.clusters))),
    };
  });
  return {
    family,
    dataset: ds.name,
    language: ds.language,
    questions: rows.length,
    intents: new Set(rows.map((e) => e.label)).size,
    sampleSize: samples[0].length,
    best: curve.reduce((a, b) => (b.pairwiseF1 > a.pairwiseF1 ? b : a)),
    curve,
  };
}

type Sweep = Awaited<ReturnType<typeof sweep>>;

const at = (s: Sweep, similarity: number) => s.curve.find((c) => c.similarity === similarity)!;
/** The grid threshold at which `sweep` has the mean number of clusters nearest `clusters`. */
const withClusters = (sweep: Sweep, clusters: number) =>
  sweep.curve.reduce((a, c) => (Math.abs(c.clusters - clusters) < Math.abs(a.clusters - clusters) ? c : a)).similarity;

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ["samples", "size", "families", "backend"]);
  const samples = numberFlag(flags, "samples", { integer: true, min: 1, max: 50 }) ?? 10;
  const size = numberFlag(flags, "size", { integer: true, min: 20, max: 2000 }) ?? 300;
  const families = (flags.families ?? "minilm,use-multilingual").split(",").map((f) => parseFamily(f.trim()));
  if (families.some((f) => !f)) throw new Error("--families: minilm and/or use-multilingual");
  await initBackend((flags.backend as "tensorflow" | "wasm" | undefined) ?? undefined);
  const started = Date.now();
  const sweeps: Sweep[] = [];
  for (const family of families as BaseFamily[]) {
    const model = await loadAnyBaseModel(baseModelDirFor(family, process.env.BASE_MODEL_DIR));
    for (const ds of DATASETS) sweeps.push(await sweep(family, ds, { samples, size }, (texts) => embed(model, texts)));
  }
  const find = (family: BaseFamily, dataset: string) => sweeps.find((s) => s.family === family && s.dataset === dataset)!;
  // USE in Chinese: the threshold that clusters xSID's Chinese sentences as finely as `t` clusters their English.
  const toChinese = (t: number) =>
    withClusters(find("use-multilingual", PARALLEL.zh), at(find("use-multilingual", PARALLEL.en), t).clusters);
  const chosen = Object.fromEntries(
    (families as BaseFamily[]).map((family) => {
      const english = find(family, CHOSEN_ON).best.similarity;
      const similarity = family === "use-multilingual" ? toChinese(english) : english;
      return [
        family,
        {
          similarity,
          english,
          chosenOn: CHOSEN_ON,
          carriedToChinese: family === "use-multilingual" ? `${english} on ${PARALLEL.en} ≈ ${similarity} on ${PARALLEL.zh}` : null,
          atChosen: sweeps.filter((s) => s.family === family).map((s) => ({ dataset: s.dataset, ...at(s, similarity) })),
          atEnglish: { dataset: CHOSEN_ON, ...at(find(family, CHOSEN_ON), english) },
          atOldDefault: sweeps.filter((s) => s.family === family).map((s) => ({ dataset: s.dataset, ...at(s, 0.7) })),
        },
      ];
    }),
  );
  let collapse = null;
  if (families.includes("minilm") && families.includes("use-multilingual")) {
    const english = (family: BaseFamily) => sweeps.filter((s) => s.family === family && s.language === "en");
    const summary = (ss: Sweep[], t: number) => ({
      similarity: t,
      meanClusters: round(mean(ss.map((s) => at(s, t).clusters))),
      meanPairwisePrecision: round(mean(ss.map((s) => at(s, t).pairwisePrecision))),
    });
    const mini = english("minilm");
    const use = english("use-multilingual");
    const clusters = mean(mini.map((s) => at(s, MINILM_COLLAPSE).clusters));
    const useEnglish = GRID.reduce((a, t) =>
      Math.abs(mean(use.map((s) => at(s, t).clusters)) - clusters) < Math.abs(mean(use.map((s) => at(s, a).clusters)) - clusters) ? t : a,
    );
    collapse = {
      minilm: summary(mini, MINILM_COLLAPSE),
      "use-multilingual": { ...summary(use, useEnglish), english: useEnglish, similarity: toChinese(useEnglish) },
      on: use.map((s) => s.dataset),
    };
  }
  const result = {
    benchmark: "question clustering threshold per base family (greedy clusterer of next answers), training splits only",
    datasets: DATASETS.map(({ name, file, citation }) => ({ name, file, citation })),
    protocol: {
      samples,
      sampleSize: size,
      order: "random, seeded per sample (seed 100 + sample)",
      grid: `${GRID[0]}–${GRID[GRID.length - 1]} step 0.01`,
      choice: `max mean pairwise F1 on ${CHOSEN_ON}; use-multilingual carried to Chinese by cluster count on ${PARALLEL.en} / ${PARALLEL.zh}`,
      collapse: `use-multilingual: as many clusters as minilm's ${MINILM_COLLAPSE} on the English datasets, carried to Chinese likewise`,
    },
    machine: { cores: cpus().length, node: process.version, backend: tf.getBackend(), loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    chosen,
    collapse,
    sweeps,
    createdAt: new Date().toISOString(),
  };
  writeOutput(RESULTS, JSON.stringify(result, null, 2) + "\n");
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`.padStart(7);
  console.log("family            dataset     best t   F1        ARI     | chosen t   F1       ARI      clusters | at 0.7 F1  ARI");
  for (const [family, c] of Object.entries(chosen))
    console.log(
      `${family}: ${c.similarity} (${CHOSEN_ON}'s best ${c.english}${c.carriedToChinese ? `, carried to Chinese: ${c.carriedToChinese}` : ""})`,
    );
  for (const s of sweeps) {
    const c = chosen[s.family];
    const a = at(s, c.similarity);
    const o = at(s, 0.7);
    console.log(
      `${s.family.padEnd(17)} ${s.dataset.padEnd(11)} ${s.best.similarity.toFixed(2)}  ${pct(s.best.pairwiseF1)}  ${pct(s.best.adjustedRand)} | ${c.similarity.toFixed(2)}  ${pct(a.pairwiseF1)}  ${pct(a.adjustedRand)}  ${a.clusters.toFixed(0).padStart(5)} | ${pct(o.pairwiseF1)} ${pct(o.adjustedRand)}`,
    );
  }
  if (collapse)
    console.log(
      `collapse: minilm ${MINILM_COLLAPSE} (${collapse.minilm.meanClusters} clusters, precision ${pct(collapse.minilm.meanPairwisePrecision)}) ≈ use-multilingual ${collapse["use-multilingual"].english} in English (${collapse["use-multilingual"].meanClusters}, ${pct(collapse["use-multilingual"].meanPairwisePrecision)}), ${collapse["use-multilingual"].similarity} in Chinese`,
    );
  console.log(`wrote ${RESULTS}`);
}

runCli(main, USAGE);
