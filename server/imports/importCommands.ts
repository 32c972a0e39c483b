import type { SessionUser } from "../auth/types.js";
import { audit } from "../audit/index.js";
import { DataImport, type DataImportDoc } from "../models/dataImport.js";
import { loadTrainerSettings } from "../nightly/settings.js";
import { logger } from "../logger.js";
import { importPlanner, type ImportPlan, type ImportReport } from "./importPlanner.js";
import { importWriter, undoImportRecords } from "./importWriter.js";
import { readImportItems, type ImportSource, type ItemReader } from "./readImportItems.js";
import { conflict, notFound } from "../errors.js";
import { withRecordLock } from "../db/recordLock.js";

export interface DryRunResult {
  file: { name: string | null; sha256: string; bytes: number; kind: ImportSource["kind"]; format: ImportSource["format"] };
  report: ImportReport;
}

type ReadFile = Awaited<ReturnType<typeof readImportItems>>;

async function plan(source: ImportSource, read: ReadFile): Promise<{ plan: ImportPlan; file: DryRunResult["file"] }> {
  const { items, notes, sha256, bytes } = read;
  const settings = (await loadTrainerSettings()).snapshot;
  const p = await importPlanner({
    items,
    fileSha256: sha256,
    redactPatterns: settings.redactPatterns,
    minPerAnswer: settings.minPerAnswer,
    redactAnswers: source.kind === "conversations",
  });
  p.report.warnings.unshift(...notes);
  return { plan: p, file: { name: source.fileName ?? null, sha256, bytes, kind: source.kind, format: source.format } };
}

/** What importing the file would do, writing nothing. Always run (and shown) before an import is applied. */
export async function importDryRunner(source: ImportSource, conversations?: ItemReader): Promise<DryRunResult> {
  const { plan: p, file } = await plan(source, await readImportItems(source, conversations));
  return { file, report: p.report };
}

/**
 * Applies an import: the plan is recomputed from the same bytes (so what is written is what a dry run of this
 * file reports now), recorded as a DataImport, then written in the background; `done` settles when it is.
 * `expectSha256` is the file the admin saw the dry run of: another file is refused rather than applied unseen.
 */
export async function importApplier(
  actor: SessionUser | null,
  source: ImportSource & { mode: "approved" | "review"; expectSha256?: string },
  conversations?: ItemReader,
): Promise<{ import: DataImportDoc; report: ImportReport; done: Promise<void> }> {
  const read = await readImportItems(source, conversations);
  if (source.expectSha256 && source.expectSha256 !== read.sha256)
    throw conflict("This is not the file the dry run was made of; run the dry run again");
  // One import is planned and recorded at a time: two applies of the same file (a double click) must not both
  // plan against the reply bank before either wrote, or the second would duplicate the first.
  const { p, file, imp } = await withRecordLock("imports:apply", async () => {
    if (await DataImport.exists({ state: "applying" })) throw conflict("Another import is being written; try again when it has finished");
    const { plan: p, file } = await plan(source, read);
    const imp = await createImport(actor, source, p, file);
    return { p, file, imp };
  });
  await audit(
    actor,
    "import.apply",
    { type: "import", id: String(imp._id) },
    { fileName: file.name, sha256: file.sha256, mode: source.mode, answers: p.report.answers.created, examples: p.report.examples.created },
  );
  const done = p.report.nothingToImport ? Promise.resolve() : importWriter(imp, p, { approvedBy: actor?.id ?? null });
  // The caller may not wait (the REST route answers 202 at once); a failure is already recorded on the import.
  done.catch(() => {});
  return { import: imp, report: p.report, done };
}

function createImport(
  actor: SessionUser | null,
  source: ImportSource & { mode: "approved" | "review" },
  p: ImportPlan,
  file: DryRunResult["file"],
) {
  return DataImport.create({
    kind: source.kind,
    format: source.format,
    fileName: file.name,
    fileSha256: file.sha256,
    mode: source.mode,
    state: p.report.nothingToImport ? "applied" : "applying",
    counts: {
      answersPlanned: p.report.answers.created,
      examplesPlanned: p.report.examples.created,
      answersWritten: 0,
      examplesWritten: 0,
      mergedIntoExisting: p.report.answers.mergedIntoExisting,
    },
    createdBy: actor?.id ?? null,
    finishedAt: p.report.nothingToImport ? new Date() : null,
  });
}

/** Takes an applied import out again: the answers it created and the examples it added. */
export async function importUndoer(
  actor: SessionUser | null,
  id: string,
): Promise<{ import: DataImportDoc; removed: { answers: number; examples: number } }> {
  const imp = await DataImport.findById(id);
  if (!imp) throw notFound("Import");
  if (imp.state === "applying") throw conflict("The import is still being written; undo it once it has finished");
  const removed = await undoImportRecords(imp._id);
  imp.state = imp.state === "failed" ? "failed" : "undone";
  await imp.save();
  await audit(actor, "import.undo", { type: "import", id }, removed);
  return { import: imp, removed };
}

/** Imports left "applying" by a process that died are taken out again, so no import stays half-written. */
export async function importRecovery(staleMs = 5 * 60_000): Promise<number> {
  const stale = await DataImport.find({ state: "applying", updatedAt: { $lt: new Date(Date.now() - staleMs) } });
  for (const imp of stale) {
    const removed = await undoImportRecords(imp._id);
    await DataImport.updateOne(
      { _id: imp._id, state: "applying" },
      { $set: { state: "failed", error: "the process writing it stopped; what it wrote was removed", finishedAt: new Date() } },
    );
    logger.warn({ importId: String(imp._id), removed }, "removed a half-written import");
  }
  return stale.length;
}
