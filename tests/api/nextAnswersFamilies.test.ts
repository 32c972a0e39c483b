// "What to answer next" in the workspace's base family: with training.baseModel = use-multilingual, Chinese
// hand-offs are embedded by USE in the embedding thread and grouped at USE's measured default; a change of the
// setting takes effect on the next request, without a restart. Needs .local/models/use-multilingual-v3 (setup).
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { useTestServerWithLogins } from "../helpers/suite.js";
import type { LoggedInAgent } from "../helpers/agents.js";
import type { TestServer } from "../helpers/server.js";
import { recordCustomerMessage } from "../../server/conversationLog/messageRecorder.js";
import { handOff } from "../../server/conversationLog/botResponder.js";
import { CLUSTER_SIMILARITY } from "../../server/embeddings/similarity.js";

let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));

async function handedOff(text: string) {
  const asked = await recordCustomerMessage(t.server.ctx, { customerId: `c-${crypto.randomUUID()}`, clientId: crypto.randomUUID(), text });
  await handOff(t.server.ctx, asked.conversation, "low_confidence", asked.message);
}

// Returns, and opening hours: USE puts each topic's paraphrases at cosine ≥ 0.76 and the topics ≤ 0.24 apart;
// MiniLM reads Chinese as nearly unknown pieces (怎么退货？ and 你们几点开门？ at 0.97).
const RETURNS = ["我想退货，怎么办？", "怎么退货？", "请问如何办理退货？"];
const HOURS = ["你们几点开门？", "你们早上几点开门？", "商店几点开门？"];
const topicOf = (text: string) => (RETURNS.includes(text) ? "returns" : HOURS.includes(text) ? "hours" : "?");

interface Cluster {
  count: number;
  examples: { text: string }[];
}
const topics = (clusters: Cluster[]) => clusters.map((c) => [...new Set(c.examples.map((e) => topicOf(e.text)))].sort().join("+"));
const setBase = (baseModel: string) => admin.patch("/api/trainer/settings").send({ training: { baseModel } }).expect(200);

test("use-multilingual: Chinese questions on two topics are two clusters at USE's default; an explicit similarity still wins", async () => {
  for (const q of [...RETURNS, ...HOURS]) await handedOff(q);
  await setBase("use-multilingual");

  const res = await agent.get("/api/next-answers").expect(200);
  assert.equal(res.body.baseModel, "use-multilingual");
  assert.equal(res.body.similarity, CLUSTER_SIMILARITY["use-multilingual"]);
  assert.equal(res.body.questions, 6);
  assert.deepEqual(
    res.body.clusters.map((c: Cluster) => c.count),
    [3, 3],
    JSON.stringify(res.body.clusters.map((c: Cluster) => c.examples.map((e) => e.text))),
  );
  assert.deepEqual(topics(res.body.clusters).sort(), ["hours", "returns"]);

  const strict = await agent.get("/api/next-answers?similarity=0.95").expect(200);
  assert.equal(strict.body.similarity, 0.95);
  assert.equal(strict.body.clusters.length, 6, "no two of these paraphrases are 0.95 alike");
});

test("the next request after a change of base model embeds in the new family, without a restart", async () => {
  await setBase("minilm");
  const mini = await agent.get("/api/next-answers").expect(200);
  assert.equal(mini.body.baseModel, "minilm");
  assert.equal(mini.body.similarity, CLUSTER_SIMILARITY.minilm);
  assert.ok(
    topics(mini.body.clusters).some((t) => t === "hours+returns"),
    `MiniLM cannot tell these Chinese topics apart: ${JSON.stringify(topics(mini.body.clusters))}`,
  );

  await setBase("use-multilingual");
  const use = await agent.get("/api/next-answers").expect(200);
  assert.deepEqual(topics(use.body.clusters).sort(), ["hours", "returns"]);
  await setBase("minilm");
});
