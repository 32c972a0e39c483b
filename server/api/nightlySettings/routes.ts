import { Router } from "express";
import { ZodError } from "zod";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { auditedChange } from "../../audit/index.js";
import { Lease } from "../../models/lease.js";
import {
  loadTrainerSettings,
  planTrainerSettings,
  writeTrainerSettings,
  type TrainerSettings,
  type TrainerSettingsPlan,
} from "../../nightly/settings.js";
import { nextSlot } from "../../nightly/scheduler.js";
import { suggestBaseModel } from "../../nightly/baseModelSuggestion.js";
import { TRAINER_LEASE } from "../../nightly/lease.js";
import { AppError, valid, validate, zodDetails } from "../../errors.js";
import { nightlySettingsSchemas as s } from "./schema.js";

function present(settings: TrainerSettings) {
  const next = settings.schedule.enabled ? nextSlot(settings.schedule.cron, settings.schedule.timezone, new Date()) : null;
  return { settings, nextRunAt: next?.toISOString() ?? null };
}

export function nightlySettingsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/settings", guard("models.read"), async (_req, res) => {
    const lease = await Lease.findById(TRAINER_LEASE).lean();
    const held =
      lease && lease.expiresAt > new Date() ? { owner: lease.owner, runId: lease.runId, expiresAt: lease.expiresAt.toISOString() } : null;
    res.json({ ...present(await loadTrainerSettings(ctx.config)), lease: held, baseModelSuggestion: await suggestBaseModel() });
  });

  router.patch("/settings", guard("models.manage"), validate(s.update), async (req, res) => {
    const { body } = valid(req, s.update);
    const actor = currentUser(req);
    let plan: TrainerSettingsPlan;
    try {
      plan = await planTrainerSettings(body, ctx.config);
    } catch (err) {
      if (err instanceof ZodError) throw new AppError(400, "invalid_input", "Invalid trainer settings", zodDetails(err));
      throw err;
    }
    // The entry records what changes, field by field, from the validated result; no entry, no change.
    await auditedChange(actor, "trainer.settings_update", { type: "setting", id: "trainer" }, { changes: plan.changes }, () =>
      writeTrainerSettings(plan.next, actor.email),
    );
    res.json(present(plan.next));
  });

  return router;
}
