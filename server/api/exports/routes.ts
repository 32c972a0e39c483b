import { Router, type Response } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { audit } from "../../audit/index.js";
import { Snapshot } from "../../models/snapshot.js";
import { replyBankRows, snapshotRows, type ExportSet } from "../../exports/exportRows.js";
import { toCsv, toOpenAiJsonl, toPlainJsonl, type ExportFormat, type GoldenChoice } from "../../exports/exportFormats.js";
import { documentRoutes } from "../openapi/catalog.js";
import { valid, validate } from "../../errors.js";
import { exportsSchemas as s } from "./schema.js";

documentRoutes([
  {
    method: "get",
    path: "/api/exports/reply-bank",
    tag: "exports",
    summary: "The reply bank as JSONL (plain or OpenAI chat fine-tuning) or CSV, with its content hash",
    access: "data.export",
    ...s.replyBank,
  },
  {
    method: "get",
    path: "/api/exports/snapshots",
    tag: "exports",
    summary: "Dataset snapshots that can be exported",
    access: "data.export",
    ...s.snapshots,
  },
  {
    method: "get",
    path: "/api/exports/snapshots/:hash",
    tag: "exports",
    summary: "A dataset snapshot as JSONL (plain or OpenAI) or CSV, named by its content hash",
    access: "data.export",
    ...s.snapshot,
  },
]);

function send(res: Response, set: ExportSet, format: ExportFormat, golden: GoldenChoice) {
  const openai = format === "openai" ? toOpenAiJsonl(set, golden) : null;
  const body = openai ? openai.body : format === "csv" ? toCsv(set) : toPlainJsonl(set);
  const suffix = format === "openai" ? `-openai${golden === "only" ? "-golden" : ""}.jsonl` : format === "csv" ? ".csv" : ".jsonl";
  res.setHeader("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
  res.setHeader("content-disposition", `attachment; filename="${set.name}${suffix}"`);
  // The hash names the content: the snapshot a version was trained on, or what the live bank held when exported.
  res.setHeader("x-content-hash", `sha256:${set.hash}`);
  res.setHeader("x-export-rows", String(set.rows.length - (openai?.leftOut ?? 0)));
  if (openai) res.setHeader("x-export-left-out", String(openai.leftOut));
  res.send(body);
}

export function exportsRouter(_ctx: AppContext): Router {
  const router = Router();

  router.get("/reply-bank", guard("data.export"), validate(s.replyBank), async (req, res) => {
    const { query } = valid(req, s.replyBank);
    const set = await replyBankRows();
    await audit(currentUser(req), "export.reply_bank", null, { format: query.format, hash: set.hash, rows: set.rows.length });
    send(res, set, query.format, query.golden);
  });

  router.get("/snapshots", guard("data.export"), validate(s.snapshots), async (req, res) => {
    const { query } = valid(req, s.snapshots);
    const snaps = await Snapshot.find({}, { hash: 1, name: 1, counts: 1, createdAt: 1 }).sort({ createdAt: -1 }).limit(query.limit).lean();
    res.json({
      snapshots: snaps.map((x) => ({
        hash: x.hash,
        name: x.name,
        counts: x.counts ?? {},
        createdAt: x.createdAt ? new Date(x.createdAt).toISOString() : null,
      })),
    });
  });

  router.get("/snapshots/:hash", guard("data.export"), validate(s.snapshot), async (req, res) => {
    const { params, query } = valid(req, s.snapshot);
    const set = await snapshotRows(params.hash);
    await audit(
      currentUser(req),
      "export.snapshot",
      { type: "snapshot", id: params.hash },
      { format: query.format, rows: set.rows.length },
    );
    send(res, set, query.format, query.golden);
  });

  return router;
}
