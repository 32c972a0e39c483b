import { Router } from "express";
import type { ZodTypeAny } from "zod";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { reviewQueue } from "../../curation/reviewQueue.js";
import { replyReviewer, type ReviewDecision } from "../../curation/replyReviewer.js";
import { presentMessageForAgent } from "../../presenters/message.js";
import { valid, validate } from "../../errors.js";
import { presentAnswer } from "../../presenters/answer.js";
import { presentOneExample } from "../../presenters/example.js";
import { reviewsSchemas as s } from "./schema.js";

export function reviewsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("reviews.act"), validate(s.queue), async (req, res) => {
    const { query } = valid(req, s.queue);
    res.json({ items: await reviewQueue(query.kind, query.limit) });
  });

  // :id is the reply message's id.
  const actions = { approve: "approve", edit: "edit", reject: "reject", "not-for-bot": "notForBot" } as const;
  for (const [path, action] of Object.entries(actions)) {
    const schemas = s[path as keyof typeof actions] as { params: typeof s.approve.params; body: ZodTypeAny };
    router.post(`/:id/${path}`, guard("reviews.act"), validate(schemas), async (req, res) => {
      const { params, body } = valid(req, schemas);
      const result = await replyReviewer(ctx, currentUser(req), params.id, { action, ...(body as object) } as ReviewDecision);
      res.status(201).json({
        example: await presentOneExample(result.example),
        answer: result.answer ? presentAnswer(result.answer) : null,
        createdAnswer: result.createdAnswer,
        message: presentMessageForAgent(result.message),
      });
    });
  }

  return router;
}
