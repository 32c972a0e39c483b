import { Router } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { ModelVersion } from "../../models/modelVersion.js";
import { modelPinner, modelPromoter, modelRollbacker, readActivePointer } from "../../registry/index.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentPointer, presentVersion, presentVersionDetail } from "../../presenters/modelVersion.js";
import { modelVersionsSchemas as s } from "./schema.js";

type Bot = AppContext["bot"] & { sync?: () => Promise<void>; loadedVersions?: () => string[] };

async function state(ctx: AppContext) {
  const pointer = await readActivePointer();
  const bot = ctx.bot as Bot;
  return { active: presentPointer(pointer), serving: ctx.bot.activeVersion(), loaded: bot.loadedVersions?.() ?? [] };
}

export function modelVersionsRouter(ctx: AppContext): Router {
  const router = Router();
  const bot = ctx.bot as Bot;
  // This process switches right away; other processes see the pointer on their next poll.
  const switchHere = async () => {
    await bot.sync?.();
  };

  router.get("/", guard("models.read"), async (_req, res) => {
    const pointer = await readActivePointer();
    const versions = await ModelVersion.find({}, { report: 0 }).sort({ createdAt: -1 }).limit(200).lean();
    const active =
      versions.find((v) => v.version === pointer.version) ??
      (pointer.version ? await ModelVersion.findOne({ version: pointer.version }, { report: 0 }).lean() : null);
    res.json({ ...(await state(ctx)), versions: versions.map((v) => presentVersion(v, pointer, active)) });
  });

  router.get("/:version", guard("models.read"), validate(s.show), async (req, res) => {
    const { params } = valid(req, s.show);
    const pointer = await readActivePointer();
    const v = await ModelVersion.findOne({ version: params.version }).lean();
    if (!v) throw notFound("Model version");
    const active = pointer.version ? await ModelVersion.findOne({ version: pointer.version }, { report: 0 }).lean() : null;
    res.json({ version: presentVersionDetail(v, pointer, active) });
  });

  router.post("/rollback", guard("models.manage"), validate(s.rollback), async (req, res) => {
    const { body } = valid(req, s.rollback);
    const result = await modelRollbacker({ actor: currentUser(req), toVersion: body.version, reason: body.reason });
    await switchHere();
    res.json({ ...result, ...(await state(ctx)) });
  });

  router.post("/pin", guard("models.manage"), validate(s.pin), async (req, res) => {
    const { body } = valid(req, s.pin);
    await modelPinner({ actor: currentUser(req), pinned: body.pinned });
    res.json(await state(ctx));
  });

  router.post("/:version/promote", guard("models.manage"), validate(s.promote), async (req, res) => {
    const { params, body } = valid(req, s.promote);
    const result = await modelPromoter({ version: params.version, actor: currentUser(req), reason: body.reason ?? "promoted by an admin" });
    await switchHere();
    res.json({ ...result, ...(await state(ctx)) });
  });

  return router;
}
