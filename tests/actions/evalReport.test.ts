// The eval report's actions part, on a real database: live action failures over the eval window are counted
// apart from the model's hand-offs (and from previews and calls outside the window), and the model's errors on
// answers with actions come from the scored suites. tests/e2e/demoOrders.test.ts checks the same part on a
// version trained for real after live traffic, and the console's view of it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Types } from "mongoose";
import { ActionCall, Message } from "../../server/models/index.js";
import { actionAnswerErrors, actionsReport, liveActionOutcomes } from "../../server/evals/actionFailures.js";
import { startTestDatabase, type TestDatabase } from "../helpers/database.js";

let db: TestDatabase;
before(async () => {
  db = await startTestDatabase();
});
after(async () => {
  await db?.stop();
});

const DAY = 86_400_000;

test("live outcomes over the window: failed calls by outcome, action hand-offs by reason, the model's hand-offs apart", async () => {
  const now = new Date();
  const actionId = new Types.ObjectId();
  const conversationId = new Types.ObjectId();
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
  const call = (outcome: string, daysAgo: number, preview = false) => ({
    actionId,
    actionName: "order_status",
    conversationId,
    requestId: new Types.ObjectId().toHexString(),
    outcome,
    durationMs: 12,
    slotNames: ["order_number"],
    preview,
    createdAt: at(daysAgo),
  });
  await ActionCall.insertMany(
    [
      call("ok", 1),
      call("ok", 2),
      call("timeout", 3),
      call("error", 3),
      call("error", 13),
      call("bad_response", 20),
      call("error", 1, true),
    ],
    { timestamps: false } as never,
  );
  let seq = 0;
  const notice = (reason: string | null, daysAgo: number, role = "system") => ({
    conversationId,
    seq: ++seq,
    role,
    text: "A member of our team will reply here.",
    clientId: `c${seq}`,
    handoffReason: reason,
    createdAt: at(daysAgo),
    updatedAt: at(daysAgo),
  });
  await Message.insertMany(
    [
      notice("action_timeout", 3),
      notice("action_error", 3),
      notice("action_error", 13),
      notice("action_slot_missing", 5),
      notice("action_bad_response", 20), // outside a 14-day window
      notice("low_confidence", 2),
      notice("out_of_scope", 4),
      notice("no_model", 6), // no model was asked: neither
      notice(null, 1, "customer"),
    ],
    { timestamps: false } as never,
  );

  const live = await liveActionOutcomes(at(14), now);
  assert.deepEqual(live, {
    calls: 5,
    failedCalls: 3,
    byOutcome: { timeout: 1, error: 2 },
    actionHandoffs: 4,
    actionHandoffsByReason: { action_timeout: 1, action_error: 2, action_slot_missing: 1 },
    modelHandoffs: 2,
  });
  const narrow = await liveActionOutcomes(at(7), now);
  assert.equal(narrow.calls, 4);
  assert.equal(narrow.actionHandoffs, 3);
  assert.equal(narrow.modelHandoffs, 2);

  // Offline: the order answer's questions the model missed, and others it wrongly sent there.
  const order = { answerId: "a-order", title: "Where is my order", action: "order_status" };
  const refund = { answerId: "a-refund", title: "Refund status", action: "refund_status" };
  const offline = actionAnswerErrors(
    [order, refund],
    [
      {
        truth: ["a-order", "a-order", "a-order", "a-ship", "a-ship", "a-refund"],
        predicted: ["a-order", "a-ship", "a-refund", "a-order", "a-ship", "a-refund"],
      },
      { truth: ["a-order", "a-cancel"], predicted: ["a-order", "a-cancel"] },
    ],
  );
  assert.deepEqual(offline.answers, [
    { ...order, cases: 4, modelErrors: 3, missed: 2, wronglyPicked: 1 },
    { ...refund, cases: 1, modelErrors: 1, missed: 0, wronglyPicked: 1 },
  ]);
  // The order question given the refund answer is one mistake, though both rows show it.
  assert.equal(offline.modelErrors, 3);

  const report = actionsReport(14, at(14), offline, live);
  assert.equal(report?.actionFailures, 4);
  assert.equal(report?.modelErrors, 3);
  assert.equal(
    actionsReport(14, at(14), { answers: [], modelErrors: 0 }, { ...live, calls: 0, actionHandoffs: 0 }),
    null,
    "nothing to say without actions",
  );
});
