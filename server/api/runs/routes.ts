import { Router } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { audit } from "../../audit/index.js";
import { TrainingRun } from "../../models/trainingRun.js";
import { Snapshot } from "../../models/snapshot.js";
import { requestRunNow } from "../../nightly/runQueue.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentRun, presentSnapshot } from "../../presenters/trainingRun.js";
import { runsSchemas as s } from "./schema.js";

export function runsRouter(_ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("models.read"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const runs = await TrainingRun.find({}, { logs: 0 }).sort({ createdAt: -1 }).limit(query.limit).lean();
    res.json({ runs: runs.map((r) => presentRun(r)) });
  });

  router.get("/:id", guard("models.read"), validate(s.show), async (req, res) => {
    const { params } = valid(req, s.show);
    const run = await TrainingRun.findById(params.id).lean();
    if (!run) throw notFound("Training run");
    const snapshot = run.snapshotHash ? await Snapshot.findOne({ hash: run.snapshotHash }, { examples: 0 }).lean() : null;
    res.json({ run: presentRun(run, { logs: true }), snapshot: snapshot ? presentSnapshot(snapshot) : null });
  });

  // "Train now": queues a run for the trainer process; a run already queued or in progress is returned instead.
  router.post("/", guard("models.manage"), validate(s.create), async (req, res) => {
    const actor = currentUser(req);
    const { run, created } = await requestRunNow(actor.email);
    if (created) await audit(actor, "trainer.run_requested", { type: "trainingRun", id: String(run._id) }, {});
    res.status(created ? 201 : 200).json({ run: presentRun(run.toObject()), created });
  });

  return router;
}
