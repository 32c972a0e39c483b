import { Router } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { unansweredQuestions } from "../../nextAnswers/unansweredQuestions.js";
import { questionClusterer } from "../../nextAnswers/questionClusterer.js";
import { answerFromCluster } from "../../nextAnswers/answerFromCluster.js";
import { activeBaseFamily } from "../../embeddings/activeFamily.js";
import { CLUSTER_SIMILARITY } from "../../embeddings/similarity.js";
import { documentRoutes } from "../openapi/catalog.js";
import { presentAnswer } from "../../presenters/answer.js";
import { valid, validate } from "../../errors.js";
import { nextAnswersSchemas as s } from "./schema.js";

documentRoutes([
  {
    method: "get",
    path: "/api/next-answers",
    tag: "next-answers",
    summary: "What to answer next: handed-off questions no answer covers, clustered, with counts and trend",
    access: "answers.read",
    ...s.list,
  },
  {
    method: "post",
    path: "/api/next-answers",
    tag: "next-answers",
    summary: "Create an answer for a cluster; its questions become pending examples to review",
    access: "answers.write",
    ...s.create,
    status: 201,
  },
]);

export function nextAnswersRouter(ctx: AppContext): Router {
  const router = Router();

  router.get("/", guard("answers.read"), validate(s.list), async (req, res) => {
    const { query } = valid(req, s.list);
    const [questions, baseModel] = await Promise.all([unansweredQuestions(query.days), activeBaseFamily()]);
    // The vectors and the default threshold come from one family, even if the setting changes meanwhile.
    const similarity = query.similarity ?? CLUSTER_SIMILARITY[baseModel];
    // Embedding runs in the embedding thread, not on this event loop.
    const clusters = await questionClusterer(questions, ctx.embeddings.embedIn(baseModel), { similarity, days: query.days });
    res.json({ days: query.days, baseModel, similarity, questions: questions.length, clusters: clusters.slice(0, query.limit) });
  });

  router.post("/", guard("answers.write"), validate(s.create), async (req, res) => {
    const { body } = valid(req, s.create);
    const { answer, examples } = await answerFromCluster(currentUser(req), body);
    res.status(201).json({ answer: presentAnswer(answer), pendingExamples: examples });
  });

  return router;
}
