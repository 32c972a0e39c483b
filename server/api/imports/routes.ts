import express, { Router, type RequestHandler } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { DataImport } from "../../models/dataImport.js";
import { importApplier, importDryRunner, importUndoer } from "../../imports/importCommands.js";
import { csvColumns } from "../../imports/faqReader.js";
import { decodeFile } from "../../imports/decodeFile.js";
import { IMPORT_LIMITS } from "../../imports/limits.js";
import { tooLarge } from "../../imports/importErrors.js";
import type { ImportSource, ItemReader } from "../../imports/readImportItems.js";
import { documentRoutes } from "../openapi/catalog.js";
import { badRequest, notFound, valid, validate } from "../../errors.js";
import { presentImport } from "../../presenters/dataImport.js";
import { importView, importsSchemas as s } from "./schema.js";
import { z } from "zod";

// The upload is the request body itself (any type but JSON, which the app parses with a 64 kB limit first).
const raw = express.raw({ type: (req) => !String(req.headers["content-type"] ?? "").includes("json"), limit: IMPORT_LIMITS.maxBytes });
const rawFile: RequestHandler = (req, res, next) =>
  raw(req, res, (err?: unknown) =>
    next(
      (err as { type?: string } | undefined)?.type === "entity.too.large"
        ? tooLarge(`The file is over the ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB limit per import (split it into several files)`)
        : err,
    ),
  );

function fileOf(req: express.Request): Buffer {
  if (!Buffer.isBuffer(req.body))
    throw badRequest("Send the file itself as the request body (Content-Type: application/octet-stream or text/csv), not JSON");
  return req.body;
}

type FileQuery = z.infer<typeof s.dryRun.query>;
const sourceOf = (q: FileQuery, bytes: Buffer): ImportSource => ({
  kind: q.kind,
  format: q.format,
  bytes,
  fileName: q.fileName ?? null,
  mapping: { answer: q.answer, questions: q.questions, title: q.title, topic: q.topic },
  similarity: q.similarity,
});

documentRoutes([
  {
    method: "post",
    path: "/api/imports/columns",
    tag: "imports",
    summary: "The columns of a CSV/TSV file (raw body) and the mapping that would be used",
    access: "data.import",
    ...s.columns,
  },
  {
    method: "post",
    path: "/api/imports/dry-run",
    tag: "imports",
    summary: "What importing the file (raw body) would do; writes nothing",
    access: "data.import",
    ...s.dryRun,
  },
  {
    method: "post",
    path: "/api/imports",
    tag: "imports",
    summary: "Apply an import (raw body): 202, then poll the import for progress",
    access: "data.import",
    ...s.apply,
    response: z.object({ import: importView }),
    status: 202,
  },
  {
    method: "get",
    path: "/api/imports",
    tag: "imports",
    summary: "Recent imports",
    access: "data.import",
    ...s.list,
    response: z.object({ imports: z.array(importView) }),
  },
  {
    method: "get",
    path: "/api/imports/:id",
    tag: "imports",
    summary: "One import with its progress",
    access: "data.import",
    ...s.show,
    response: z.object({ import: importView }),
  },
  {
    method: "post",
    path: "/api/imports/:id/undo",
    tag: "imports",
    summary: "Take an import out again (its answers and examples)",
    access: "data.import",
    ...s.undo,
  },
]);

export function importsRouter(_ctx: AppContext, conversations?: ItemReader): Router {
  const router = Router();

  router.post("/columns", guard("data.import"), validate(s.columns), rawFile, (req, res) => {
    const { query } = valid(req, s.columns);
    res.json(csvColumns(decodeFile(fileOf(req)).text, query.format));
  });

  router.post("/dry-run", guard("data.import"), validate(s.dryRun), rawFile, async (req, res) => {
    const { query } = valid(req, s.dryRun);
    res.json(await importDryRunner(sourceOf(query, fileOf(req)), conversations));
  });

  router.post("/", guard("data.import"), validate(s.apply), rawFile, async (req, res) => {
    const { query } = valid(req, s.apply);
    const result = await importApplier(
      currentUser(req),
      { ...sourceOf(query, fileOf(req)), mode: query.mode, expectSha256: query.expectSha256 },
      conversations,
    );
    res.status(202).json({ import: presentImport(result.import), report: result.report });
  });

  router.get("/", guard("data.import"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const imports = await DataImport.find({}).sort({ createdAt: -1 }).limit(query.limit).lean();
    res.json({ imports: imports.map(presentImport) });
  });

  router.get("/:id", guard("data.import"), validate(s.show), async (req, res) => {
    const { params } = valid(req, s.show);
    const imp = await DataImport.findById(params.id).lean();
    if (!imp) throw notFound("Import");
    res.json({ import: presentImport(imp) });
  });

  router.post("/:id/undo", guard("data.import"), validate(s.undo), async (req, res) => {
    const { params } = valid(req, s.undo);
    const { import: imp, removed } = await importUndoer(currentUser(req), params.id);
    res.json({ import: presentImport(imp), removed });
  });

  return router;
}
