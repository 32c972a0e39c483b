import { test } from "node:test";
import assert from "node:assert/strict";
import { useTestDatabase } from "../helpers/suite.js";
import { Lease } from "../../server/models/lease.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { acquireLease, TRAINER_LEASE } from "../../server/nightly/lease.js";
import { enqueueRun, reapExpiredLease, requestRunNow } from "../../server/nightly/runQueue.js";
import { RunLog } from "../../server/nightly/runLog.js";
import { startNightlyWorker } from "../../server/nightly/nightlyWorker.js";

useTestDatabase({ clearBetweenTests: true });

test("of many processes asking at once, exactly one gets the lease", async () => {
  const owners = Array.from({ length: 8 }, (_, i) => `owner-${i}`);
  const results = await Promise.all(owners.map((o) => acquireLease(TRAINER_LEASE, o, 10_000)));
  const winners = results.filter((r) => r !== null);
  assert.equal(winners.length, 1);
  const doc = await Lease.findById(TRAINER_LEASE).lean();
  assert.equal(doc?.owner, winners[0]!.owner);
});

test("a held lease is refused; released or expired it can be taken", async () => {
  let t = new Date("2026-01-01T00:00:00Z");
  const clock = () => t;
  const a = await acquireLease(TRAINER_LEASE, "a", 1000, clock);
  assert.ok(a);
  assert.equal(await acquireLease(TRAINER_LEASE, "b", 1000, clock), null);
  assert.equal(await a.renew(), true);
  t = new Date(t.getTime() + 1500);
  const b = await acquireLease(TRAINER_LEASE, "b", 1000, clock);
  assert.ok(b, "an expired lease is taken over");
  assert.equal(await a.renew(), false, "the old holder learns it lost the lease");
  await b.release();
  assert.ok(await acquireLease(TRAINER_LEASE, "c", 1000, clock));
});

test("a crashed run's lease expires and the run is marked failed", async () => {
  const { run } = await enqueueRun("manual", null);
  const lease = await acquireLease(TRAINER_LEASE, "crashy", 200);
  assert.ok(lease);
  await lease.setRun(String(run._id));
  await new RunLog(String(run._id)).state("training");
  // The holder "dies": nobody renews. Before expiry nothing happens…
  await reapExpiredLease();
  assert.equal((await TrainingRun.findById(run._id).lean())?.state, "training");
  await new Promise((r) => setTimeout(r, 300));
  // …after it, the next look at the lease fails the run, with the reason in its log.
  await reapExpiredLease();
  const failed = await TrainingRun.findById(run._id).lean();
  assert.equal(failed?.state, "failed");
  assert.match(failed?.error ?? "", /stopped renewing its lease/);
  assert.deepEqual(
    failed?.transitions.map((t) => t.state),
    ["queued", "training", "failed"],
  );
  assert.ok(failed?.finishedAt);
});

test("taking over an expired lease also fails the abandoned run", async () => {
  const { run } = await enqueueRun("cli", null);
  const lease = await acquireLease(TRAINER_LEASE, "dead", 100);
  await lease!.setRun(String(run._id));
  await new RunLog(String(run._id)).state("snapshotting");
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(await acquireLease(TRAINER_LEASE, "next", 1000));
  assert.equal((await TrainingRun.findById(run._id).lean())?.state, "failed");
});

test("a scheduled slot is queued once however many trainers reach it", async () => {
  const key = "schedule:2026-01-01T02:00:00.000Z";
  const results = await Promise.all([1, 2, 3, 4].map(() => enqueueRun("schedule", key)));
  assert.equal(results.filter((r) => r.created).length, 1);
  assert.equal(await TrainingRun.countDocuments({}), 1);
  assert.ok(results.every((r) => String(r.run._id) === String(results[0].run._id)));
});

test("train now returns the pending run instead of queueing a second", async () => {
  const first = await requestRunNow("admin@example.test");
  const second = await requestRunNow("admin@example.test");
  assert.equal(first.created, true);
  assert.equal(second.created, false);
  assert.equal(String(second.run._id), String(first.run._id));
});

test("a lease is fenced: the holder it was taken from learns so before its next irreversible step", async () => {
  let t = new Date("2026-01-01T00:00:00Z");
  const clock = () => t;
  const a = await acquireLease(TRAINER_LEASE, "same-owner", 1000, clock);
  assert.ok(a);
  assert.equal(await a.held(), true);
  t = new Date(t.getTime() + 1500);
  assert.equal(await a.held(), false, "expired is not held, even before anyone takes it");
  assert.equal(await a.renew(), false, "an expired lease is not revived by its old holder");
  // The same owner id (a restarted process reusing it) takes it again: the token tells the two apart.
  const b = await acquireLease(TRAINER_LEASE, "same-owner", 1000, clock);
  assert.ok(b);
  assert.equal(b.token, a.token + 1);
  assert.equal(await a.held(), false);
  assert.equal(await a.renew(), false);
  assert.equal(await b.held(), true);
});

test("a trainer whose server is gone takes no run; the supervised one does", async () => {
  const { run } = await enqueueRun("manual", null);
  const config = { MODELS_DIR: "unused", BASE_MODEL_DIR: "unused", TRAINER_SCHEDULE: "0 2 * * *", TRAINER_TIMEZONE: "UTC" };
  // Reaching the embedder means the run was executed; it says by whom instead of loading a model.
  const executedBy = (who: string) => async () => {
    throw new Error(`executed by ${who}`);
  };
  const orphan = startNightlyWorker({
    config,
    owner: "orphan",
    supervised: () => false,
    embedder: executedBy("orphan"),
    tickMs: 3_600_000,
  });
  await orphan.tick();
  await orphan.stop();
  let doc = await TrainingRun.findById(run._id).lean();
  assert.equal(doc?.state, "queued", `the orphaned trainer ran it: ${doc?.error}`);
  assert.equal(doc?.owner, null);
  assert.equal(await Lease.exists({ _id: TRAINER_LEASE }), null, "nor did it take the lease");

  const live = startNightlyWorker({ config, owner: "live", supervised: () => true, embedder: executedBy("live"), tickMs: 3_600_000 });
  await live.tick();
  await live.stop();
  doc = await TrainingRun.findById(run._id).lean();
  assert.equal(doc?.owner, "live");
  assert.match(doc?.error ?? "", /executed by live/);
});
