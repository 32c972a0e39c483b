import { Router } from "express";
import type { AppContext } from "../../context.js";
import { Answer } from "../../models/answer.js";
import { Conversation } from "../../models/conversation.js";
import { Example } from "../../models/example.js";
import { currentUser, guard } from "../../auth/index.js";
import { answerCreator, answerRetirer, answerUpdater } from "../../curation/answers.js";
import { answerMerger } from "../../curation/answerMerger.js";
import { assertValidAnswerText, PLACEHOLDERS, renderAnswer } from "../../curation/placeholders.js";
import { notFound, valid, validate } from "../../errors.js";
import { presentExamples } from "../../presenters/example.js";
import { presentAnswer } from "../../presenters/answer.js";
import { answersSchemas as s } from "./schema.js";
import { assertCanSetAnswerAction } from "../../policies/answers.js";

const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function answersRouter(_ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("answers.read"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const filter: Record<string, unknown> = query.status === "all" ? {} : { status: query.status };
    if (query.q) filter.title = { $regex: escapeRegex(query.q), $options: "i" };
    const answers = await Answer.find(filter).sort({ title: 1 }).limit(query.limit).lean();
    const counts = await Promise.all(
      answers.map((a) => Example.countDocuments({ answerId: a._id, status: "active", polarity: "positive" })),
    );
    res.json({ answers: answers.map((a, i) => presentAnswer(a, { exampleCount: counts[i] })) });
  });

  // The placeholders an answer may use; the console lists them next to the editor.
  router.get("/placeholders", guard("answers.read"), (_req, res) => {
    res.json({
      placeholders: Object.entries(PLACEHOLDERS).map(([name, p]) => ({ name, token: `{{${name}}}`, description: p.description })),
    });
  });

  // Validates and renders a draft against a conversation (or placeholder defaults), without saving.
  router.post("/preview", guard("answers.read"), validate(s.preview), async (req, res) => {
    const { body } = valid(req, s.preview);
    assertValidAnswerText(body.text);
    const conversation = body.conversationId ? await Conversation.findById(body.conversationId).lean() : null;
    if (body.conversationId && !conversation) throw notFound("Conversation");
    res.json({ rendered: renderAnswer(body.text, conversation ?? { customerName: null, customerEmail: null }) });
  });

  router.get("/:id", guard("answers.read"), validate(s.get), async (req, res) => {
    const { params } = valid(req, s.get);
    const answer = await Answer.findById(params.id).lean();
    if (!answer) throw notFound("Answer");
    // "One answer, many phrasings": the customer questions that map to it.
    const examples = await Example.find({ answerId: answer._id, status: { $ne: "deleted" } })
      .sort({ approvedAt: -1 })
      .limit(200)
      .lean();
    res.json({ answer: presentAnswer(answer, { exampleCount: examples.length }), examples: await presentExamples(examples) });
  });

  router.post("/", guard("answers.write"), validate(s.create), async (req, res) => {
    const { body } = valid(req, s.create);
    assertCanSetAnswerAction(currentUser(req), body);
    res.status(201).json({ answer: presentAnswer(await answerCreator(currentUser(req), body)) });
  });

  router.patch("/:id", guard("answers.write"), validate(s.update), async (req, res) => {
    const { params, body } = valid(req, s.update);
    assertCanSetAnswerAction(currentUser(req), body);
    res.json({ answer: presentAnswer(await answerUpdater(currentUser(req), params.id, body)) });
  });

  router.post("/:id/retire", guard("answers.write"), validate(s.retire), async (req, res) => {
    const { params, body } = valid(req, s.retire);
    res.json({ answer: presentAnswer(await answerRetirer(currentUser(req), params.id, body.version)) });
  });

  router.post("/:id/merge", guard("answers.write"), validate(s.merge), async (req, res) => {
    const { params, body } = valid(req, s.merge);
    const { target, moved } = await answerMerger(currentUser(req), params.id, body.intoId);
    res.json({ answer: presentAnswer(target), movedExamples: moved });
  });

  return router;
}
