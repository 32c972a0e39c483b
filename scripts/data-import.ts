// Imports an FAQ sheet or past conversations into the reply bank from the command line. A dry run always comes
// first and is printed; nothing is written without --apply.
//   npm run data:import -- faq.csv                          dry run (format from the extension)
//   npm run data:import -- faq.csv --apply --mode review    write it; the phrasings wait in the review queue
//   npm run data:import -- chats.jsonl --kind conversations --apply --mode approved
// Uses MONGODB_URI, or the embedded FerretDB in DATA_DIR (stop `npm start` first, or use the console).
import fsp from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { runCli, withDatabase } from "../server/cli.js";
import { printImportReport } from "./lib/importReport.js";
import { importApplier, importDryRunner } from "../server/imports/importCommands.js";
import { conversationItemReader, type FamilyEmbedder } from "../server/imports/conversationReader.js";
import { activeBaseFamily } from "../server/embeddings/activeFamily.js";
import { baseModelDirFor } from "../trainer/index.js";
import { encoderEmbedder } from "../server/snapshot/embedder.js";
import { AppError } from "../server/errors.js";
import { DataImport } from "../server/models/dataImport.js";
import type { ImportFormat } from "../server/imports/types.js";

const usage = `usage: npm run data:import -- FILE [--kind faq|conversations] [--format csv|tsv|jsonl|openai|transcript]
       [--answer COL] [--questions COL[,COL…]] [--title COL] [--topic COL] [--similarity 0.9 (default: the base model's)]
       [--apply --mode approved|review]`;

function formatFor(file: string, kind: string): ImportFormat | null {
  const ext = path.extname(file).toLowerCase();
  if (kind === "conversations") return ext === ".jsonl" ? "openai" : ext === ".csv" ? "transcript" : null;
  return ext === ".csv" ? "csv" : ext === ".tsv" || ext === ".tab" ? "tsv" : ext === ".jsonl" ? "jsonl" : null;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      kind: { type: "string", default: "faq" },
      format: { type: "string" },
      answer: { type: "string" },
      questions: { type: "string" },
      title: { type: "string" },
      topic: { type: "string" },
      similarity: { type: "string" },
      apply: { type: "boolean", default: false },
      mode: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  const file = positionals[0];
  const kind = values.kind as "faq" | "conversations";
  const format = (values.format ?? (file ? formatFor(file, kind) : null)) as ImportFormat | null;
  if (
    values.help ||
    !file ||
    !format ||
    !["faq", "conversations"].includes(kind) ||
    (values.apply && values.mode !== "approved" && values.mode !== "review")
  ) {
    console.error(
      !format && file
        ? `cannot tell the format of ${file}; pass --format\n${usage}`
        : values.apply && !values.mode
          ? `--apply needs --mode approved or --mode review\n${usage}`
          : usage,
    );
    return values.help ? 0 : 2;
  }
  const bytes = await fsp.readFile(file);
  return withDatabase(async (config) => {
    // This process is not a chat server: conversations may embed here, in the workspace's base family, loaded
    // once for the dry run and the apply.
    let encoder: Promise<FamilyEmbedder> | null = null;
    const familyEmbedder = async (): Promise<FamilyEmbedder> => {
      const family = await activeBaseFamily();
      return { family, embed: await encoderEmbedder(baseModelDirFor(family, config.BASE_MODEL_DIR)) };
    };
    const reader = kind === "conversations" ? conversationItemReader(() => (encoder ??= familyEmbedder())) : undefined;
    const source = {
      kind,
      format,
      bytes,
      fileName: path.basename(file),
      mapping: {
        answer: values.answer,
        questions: values.questions?.split(",").map((s) => s.trim()),
        title: values.title,
        topic: values.topic,
      },
      similarity: values.similarity ? Number(values.similarity) : undefined,
    };
    try {
      const started = Date.now();
      const dry = await importDryRunner(source, reader);
      printImportReport(dry);
      console.log(`dry run: ${Date.now() - started} ms`);
      if (!values.apply) {
        console.log("\nNothing written (dry run). Add --apply --mode approved|review to import.");
        return 0;
      }
      const writeStart = Date.now();
      const { import: imp, done } = await importApplier(
        null,
        { ...source, mode: values.mode as "approved" | "review", expectSha256: dry.file.sha256 },
        reader,
      );
      const total = Number(imp.counts?.answersPlanned ?? 0) + Number(imp.counts?.examplesPlanned ?? 0);
      const bar = new cliProgress.SingleBar(
        { format: "writing |{bar}| {value}/{total} records", noTTYOutput: true, notTTYSchedule: 2000 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0);
      const poll = setInterval(async () => {
        const now = await DataImport.findById(imp._id).lean();
        bar.update(Number(now?.counts?.answersWritten ?? 0) + Number(now?.counts?.examplesWritten ?? 0));
      }, 500);
      try {
        await done;
      } finally {
        clearInterval(poll);
        bar.update(total);
        bar.stop();
      }
      console.log(
        `Import ${String(imp._id)} applied in ${Date.now() - writeStart} ms (${values.mode}). Undo: POST /api/imports/${String(imp._id)}/undo`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      console.error(`${err.message}`);
      const problems = (err.details as { problems?: { line: number; message: string }[] } | undefined)?.problems ?? [];
      for (const p of problems) console.error(`  line ${p.line}: ${p.message}`);
      return 1;
    }
  });
}

runCli(main);
