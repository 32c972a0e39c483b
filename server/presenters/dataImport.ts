import type { Types } from "mongoose";
import type { DataImportAttrs } from "../models/dataImport.js";

type ImportLike = DataImportAttrs & { _id: Types.ObjectId; createdAt?: Date | null };

export function presentImport(i: ImportLike) {
  return {
    id: String(i._id),
    kind: i.kind,
    format: i.format,
    fileName: i.fileName ?? null,
    fileSha256: i.fileSha256,
    mode: i.mode,
    state: i.state,
    counts: (i.counts ?? {}) as Record<string, unknown>,
    error: i.error ?? null,
    createdAt: i.createdAt ? new Date(i.createdAt).toISOString() : null,
    finishedAt: i.finishedAt ? new Date(i.finishedAt).toISOString() : null,
  };
}
