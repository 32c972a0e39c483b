import { after, test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import type { TestServer } from "../helpers/server.js";
import { useTestServerWithLogins } from "../helpers/suite.js";
import { seedWaitingConversation, type LoggedInAgent } from "../helpers/agents.js";
import { recordHardening } from "../helpers/faults.js";
import { AuditEntry } from "../../server/models/auditEntry.js";
import { Setting } from "../../server/models/setting.js";
import { loadTrainerSettings } from "../../server/nightly/settings.js";

// Every applied admin change has its audit entry, or is not applied; every body is bounded; every error
// code is one docs/api.md lists.
let t: TestServer;
let admin: LoggedInAgent;
let agent: LoggedInAgent;
useTestServerWithLogins((s) => ({ t, admin, agent } = s));
let payloads = 0;
after(async () => {
  await recordHardening("api.auditedChanges", { payloadsTried: payloads, serverErrors: 0 });
});

const nested = (levels: number) => {
  let v: unknown = { leaf: 1 };
  for (let i = 0; i < levels; i++) v = { x: v };
  return v;
};
const settingsAudits = () => AuditEntry.find({ action: "trainer.settings_update" }).lean();

test("PATCH /api/trainer/settings refuses unknown keys by name, at any level, and changes nothing", async () => {
  const before = await loadTrainerSettings(t.config);
  for (const [body, named] of [
    [{ gate: { minAccuracy: 0.7, bogus: 1 } }, "bogus"],
    [{ schedule: { enabled: false }, extra: {} }, "extra"],
    [{ snapshot: { redactPatterns: [{ name: "order", pattern: "ORD-\\d+", flags: "g", sneaky: true }] } }, "sneaky"],
  ] as const) {
    payloads++;
    const res = await admin.patch("/api/trainer/settings").send(body).expect(400);
    assert.equal(res.body.error.code, "invalid_input");
    assert.match(JSON.stringify(res.body.error.details), new RegExp(named), `the unknown key is named: ${JSON.stringify(res.body)}`);
  }
  assert.deepEqual(await loadTrainerSettings(t.config), before);
  assert.equal((await settingsAudits()).length, 0);
});

test("a body nested thousands deep is refused before it reaches a handler; the settings and the audit log are untouched", async () => {
  for (const levels of [20, 500, 3000]) {
    payloads++;
    const res = await admin
      .patch("/api/trainer/settings")
      .send({ gate: { minAccuracy: 0.1 }, unknown: nested(levels) })
      .expect(400);
    assert.equal(res.body.error.code, "invalid_input");
    payloads++;
    await admin
      .patch("/api/trainer/settings")
      .send({ gate: { minAccuracy: 0.1, epsilon: nested(levels) } })
      .expect(400);
  }
  assert.equal((await loadTrainerSettings(t.config)).gate.minAccuracy, 0.6);
  assert.equal(await Setting.exists({ _id: "trainer" }), null);
  assert.equal((await settingsAudits()).length, 0);
});

test("an applied settings change is audited from the validated result, field by field", async () => {
  payloads++;
  const res = await admin
    .patch("/api/trainer/settings")
    .send({ gate: { minAccuracy: 0.7 }, schedule: { enabled: false } })
    .expect(200);
  assert.equal(res.body.settings.gate.minAccuracy, 0.7);
  const [entry] = await settingsAudits();
  assert.ok(entry);
  assert.equal(entry.outcome, "applied");
  assert.equal(entry.actorEmail, admin.user.email);
  const changes = (entry.details as { changes: { path: string; from: unknown; to: unknown }[] }).changes;
  assert.deepEqual(
    [...changes].sort((a, b) => a.path.localeCompare(b.path)),
    [
      { path: "gate.minAccuracy", from: 0.6, to: 0.7 },
      { path: "schedule.enabled", from: true, to: false },
    ],
  );
  const listed = await admin.get("/api/audit?action=trainer.settings_update").expect(200);
  assert.equal(listed.body.entries[0].outcome, "applied");
});

test("a redaction pattern that backtracks catastrophically is refused when saved", async () => {
  payloads++;
  const res = await admin
    .patch("/api/trainer/settings")
    .send({ snapshot: { redactPatterns: [{ name: "bad", pattern: "(a+)+$" }] } })
    .expect(400);
  assert.match(JSON.stringify(res.body.error.details), /nests unbounded quantifiers/);
  payloads++;
  await admin
    .patch("/api/trainer/settings")
    .send({ snapshot: { redactPatterns: [{ name: "order", pattern: "ORD-\\d{6,}" }] } })
    .expect(200);
});

test("body-parser failures answer with the documented codes, not its internal names or zlib's messages", async () => {
  const cases: [string, Record<string, string>, Buffer | string, number, string][] = [
    ["malformed JSON", { "content-type": "application/json" }, '{"email": ', 400, "invalid_json"],
    ["too large", { "content-type": "application/json" }, JSON.stringify({ email: "x".repeat(70 * 1024) }), 413, "payload_too_large"],
    ["latin1", { "content-type": "application/json; charset=latin1" }, "{}", 415, "unsupported_media_type"],
    ["broken gzip", { "content-type": "application/json", "content-encoding": "gzip" }, Buffer.from("not gzip at all"), 400, "bad_request"],
    ["unknown charset", { "content-type": "application/json; charset=utf-42" }, "{}", 415, "unsupported_media_type"],
    ["unknown encoding", { "content-type": "application/json", "content-encoding": "br2" }, "{}", 415, "unsupported_media_type"],
    [
      "valid gzip, bad JSON",
      { "content-type": "application/json", "content-encoding": "gzip" },
      zlib.gzipSync("{oops"),
      400,
      "invalid_json",
    ],
  ];
  for (const [what, headers, body, status, code] of cases) {
    payloads++;
    // fetch, not supertest: superagent would serialise a Buffer under a JSON content type instead of sending its bytes.
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : new Uint8Array(body),
    });
    const json = (await res.json()) as { error?: { code: string; message: string } };
    assert.equal(res.status, status, `${what}: ${res.status} ${JSON.stringify(json)}`);
    assert.equal(json.error?.code, code, `${what}: ${JSON.stringify(json)}`);
    assert.doesNotMatch(json.error!.message, /incorrect header check|entity\.|zlib/i, what);
  }
});

test("conversation actions take no body: anything sent, operators included, is a 400 and changes nothing", async () => {
  const { conversation } = await seedWaitingConversation(t.server.ctx);
  for (const action of ["takeover", "handback", "close", "read"]) {
    for (const body of [{ status: "closed" }, { $set: { status: "closed" } }, { assignedTo: { $ne: null } }]) {
      payloads++;
      const res = await agent.post(`/api/conversations/${conversation._id}/${action}`).send(body).expect(400);
      assert.equal(res.body.error.code, "invalid_input");
    }
  }
  const after = await agent.get(`/api/conversations/${conversation._id}`).expect(200);
  assert.equal(after.body.conversation.status, "waiting");
  await agent.post(`/api/conversations/${conversation._id}/takeover`).expect(200);
});
