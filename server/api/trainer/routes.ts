import { Router } from "express";
import { ZodError } from "zod";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { audit } from "../../audit/index.js";
import { Lease } from "../../models/lease.js";
import { loadTrainerSettings, updateTrainerSettings, type TrainerSettings } from "../../nightly/settings.js";
import { nextSlot } from "../../nightly/scheduler.js";
import { TRAINER_LEASE } from "../../nightly/lease.js";
import { HttpError, valid, validate, zodDetails } from "../errors.js";
import { trainerSchemas as s } from "./schema.js";

function present(settings: TrainerSettings) {
  const next = settings.schedule.enabled ? nextSlot(settings.schedule.cron, settings.schedule.timezone, new Date()) : null;
  return { settings, nextRunAt: next?.toISOString() ?? null };
}

export function trainerRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/settings", guard("models.read"), async (_req, res) => {
    const lease = await Lease.findById(TRAINER_LEASE).lean();
    const held = lease && lease.expiresAt > new Date() ? { owner: lease.owner, runId: lease.runId, expiresAt: lease.expiresAt.toISOString() } : null;
    res.json({ ...present(await loadTrainerSettings(ctx.config)), lease: held });
  });

  router.patch("/settings", guard("models.manage"), validate(s.update), async (req, res) => {
    const { body } = valid(req, s.update);
    let settings: TrainerSettings;
    try {
      settings = await updateTrainerSettings(body, currentUser(req).email, ctx.config);
    } catch (err) {
      if (err instanceof ZodError) throw new HttpError(400, "invalid_input", "Invalid trainer settings", zodDetails(err));
      throw err;
    }
    await audit(currentUser(req), "trainer.settings_update", { type: "setting", id: "trainer" }, body);
    res.json(present(settings));
  });

  return router;
}
