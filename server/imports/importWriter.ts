import mongoose from "mongoose";
import { Answer } from "../models/answer.js";
import { Example } from "../models/example.js";
import { DataImport, type DataImportDoc } from "../models/dataImport.js";
import { logger } from "../logger.js";
import type { ImportPlan } from "./importPlanner.js";

const CHUNK = 500;

/**
 * Writes a plan under its import id. There are no transactions on FerretDB, so all-or-nothing is by
 * compensation: every record carries the import id, and any failure deletes what this import wrote before
 * the import is marked failed. A process killed mid-way leaves the import "applying"; importRecovery undoes it.
 */
export async function importWriter(imp: DataImportDoc, plan: ImportPlan, opts: { approvedBy: string | null }): Promise<void> {
  const importId = imp._id;
  const sha = imp.fileSha256;
  const pending = imp.mode === "review";
  try {
    const ids = new Map<string, mongoose.Types.ObjectId>();
    const fresh = plan.answers.filter((a) => !a.existingId && !a.notForTheBot);
    for (const a of plan.answers) if (!a.notForTheBot) ids.set(a.key, a.existingId ?? new mongoose.Types.ObjectId());
    for (let i = 0; i < fresh.length; i += CHUNK) {
      await Answer.insertMany(
        fresh.slice(i, i + CHUNK).map((a) => ({
          _id: ids.get(a.key),
          title: a.title,
          text: a.text,
          createdBy: imp.createdBy,
          origin: { importId, fileSha256: sha, line: a.line, topic: a.topic },
        })),
        { ordered: true },
      );
      await progress(imp, i + Math.min(CHUNK, fresh.length - i), 0);
    }
    const now = new Date();
    for (let i = 0; i < plan.examples.length; i += CHUNK) {
      await Example.insertMany(
        plan.examples.slice(i, i + CHUNK).map((e) => ({
          question: e.question,
          previousTurn: e.previousTurn,
          // "Not for the bot" questions have no answer.
          answerId: ids.get(e.answerKey) ?? null,
          polarity: e.polarity,
          golden: e.golden,
          outOfScope: e.outOfScope,
          status: pending ? "pending" : "active",
          source: { kind: "import", importId, fileSha256: sha, line: e.line },
          approvedBy: pending ? null : opts.approvedBy,
          approvedAt: now,
        })),
        { ordered: true },
      );
      await progress(imp, fresh.length, i + Math.min(CHUNK, plan.examples.length - i));
    }
    await DataImport.updateOne(
      { _id: importId },
      {
        $set: {
          state: "applied",
          finishedAt: new Date(),
          "counts.answersWritten": fresh.length,
          "counts.examplesWritten": plan.examples.length,
        },
      },
    );
  } catch (err) {
    logger.error({ err, importId: String(importId) }, "import failed; removing what it wrote");
    await undoImportRecords(importId);
    await DataImport.updateOne({ _id: importId }, { $set: { state: "failed", error: (err as Error).message, finishedAt: new Date() } });
    throw err;
  }
}

async function progress(imp: DataImportDoc, answers: number, examples: number) {
  await DataImport.updateOne({ _id: imp._id }, { $set: { "counts.answersWritten": answers, "counts.examplesWritten": examples } });
}

/** Deletes every record an import wrote (answers it created, examples it added); safe to run again. */
export async function undoImportRecords(importId: mongoose.Types.ObjectId | string): Promise<{ answers: number; examples: number }> {
  const examples = await Example.deleteMany({ "source.importId": importId });
  const answers = await Answer.deleteMany({ "origin.importId": importId });
  return { answers: answers.deletedCount, examples: examples.deletedCount };
}
