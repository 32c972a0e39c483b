import { Router } from "express";
import type { AppContext } from "../../context.js";
import { Example } from "../../models/example.js";
import { currentUser, guard } from "../../auth/index.js";
import { exampleUpdater } from "../../curation/exampleUpdater.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentExamples, presentOneExample } from "../../presenters/example.js";
import { examplesSchemas as s } from "./schema.js";

export function examplesRouter(_ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("examples.read"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const filter: Record<string, unknown> = {};
    if (query.status !== "all") filter.status = query.status;
    if (query.golden !== undefined) filter.golden = query.golden;
    if (query.polarity) filter.polarity = query.polarity;
    if (query.answerId) filter.answerId = query.answerId;
    if (query.conversationId) filter["source.conversationId"] = query.conversationId;
    const examples = await Example.find(filter).sort({ approvedAt: -1, _id: -1 }).limit(query.limit).lean();
    res.json({ examples: await presentExamples(examples) });
  });

  router.get("/:id", guard("examples.read"), validate(s.get), async (req, res) => {
    const { params } = valid(req, s.get);
    const example = await Example.findById(params.id).lean();
    if (!example) throw notFound("Example");
    res.json({ example: await presentOneExample(example) });
  });

  router.patch("/:id", guard("examples.write"), validate(s.update), async (req, res) => {
    const { params, body } = valid(req, s.update);
    res.json({ example: await presentOneExample(await exampleUpdater(currentUser(req), params.id, body)) });
  });

  return router;
}
