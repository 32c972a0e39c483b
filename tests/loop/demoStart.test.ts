// The newcomer's first start, as `npm start` runs it: an empty embedded database fills with the sample shop,
// the trainer beside the server trains v1 through the normal "train now" path, and the widget then answers
// in-scope questions and hands off the rest. A second start loads nothing again; DEMO=false loads nothing at all.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { freePort } from "../../server/db/embeddedMongo.js";
import { spawnTs, waitForHealth, type TestProcess } from "../helpers/processes.js";
import { connectSocket, newWidgetSession } from "../helpers/socketClient.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-demo-"));
const running: TestProcess[] = [];
after(async () => {
  for (const p of running) await p.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string>) {
  const port = await freePort();
  // No MONGODB_URI: the embedded FerretDB under DATA_DIR, exactly as a first `npm start`.
  // The demo's order service gets a port of its own too (4555 may be taken by another test's demo).
  const p = spawnTs(name, "server/index.ts", [], {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
    LOG_PRETTY: "false",
    MONGODB_URI: "",
    DEMO_ORDERS_PORT: String(await freePort()),
    ...env,
  });
  running.push(p);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(p, url, 120_000);
  return { p, url };
}

// The first questions right after v1 starts serving also wait for the version to load in the inference thread; on
// a loaded CI machine that took over 20 s once. Listening before sending: the reply cannot slip past the listener.
async function ask(url: string, text: string, server?: TestProcess): Promise<{ role: string; text: string }> {
  const s = await newWidgetSession(url);
  const sock = await connectSocket(url, { token: s.token });
  try {
    const reply = sock.next("message:new", (m) => m.role === "bot" || m.role === "system", 60_000);
    await sock.request("message:send", { clientId: `q-${Date.now()}`, text });
    return await reply.catch((err: Error) => {
      throw new Error(`${err.message} for "${text}"; server output:\n${server?.output().slice(-4000) ?? ""}`);
    });
  } finally {
    sock.close();
  }
}

test(
  "first start: sample shop loaded, sign-in printed, v1 trained in the background, the widget answers and hands off",
  { timeout: 600_000 },
  async () => {
    const began = Date.now();
    const { p, url } = await start("demo", { DEMO: "true", DATA_DIR: path.join(dir, "data"), MODELS_DIR: path.join(dir, "models") });
    const deadline = Date.now() + 60_000;
    while (!/admin@acmetea\.example\s+password (\S+)/.test(p.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const password = /admin@acmetea\.example\s+password (\S+)/.exec(p.output())?.[1];
    assert.ok(password, `the demo admin's sign-in is printed:\n${p.output()}`);

    const admin = request.agent(url);
    const login = await admin.post("/api/auth/login").send({ email: "admin@acmetea.example", password }).expect(200);
    admin.set("x-csrf-token", login.body.csrfToken);
    const answers = await admin.get("/api/answers").expect(200);
    assert.equal(answers.body.answers.length, 32);
    assert.ok(answers.body.answers.every((a: { exampleCount: number }) => a.exampleCount >= 8));

    let models: request.Response;
    for (;;) {
      models = await admin.get("/api/models").expect(200);
      if (models.body.serving === "v1") break;
      assert.ok(Date.now() - began < 540_000, `v1 is serving within 9 minutes:\n${p.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const firstModelMs = Date.now() - began;
    console.log(
      `first demo model serving ${(firstModelMs / 1000).toFixed(1)} s after start (load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")})`,
    );
    const v1 = await admin.get("/api/models/v1").expect(200);
    assert.ok(v1.body.version.report, "v1 has its eval report");
    assert.equal(v1.body.version.gate.passed, true);

    const inScope = ["how much is shipping?", "I forgot my password", "can I pay with PayPal", "how do I cancel my order"];
    const replies = await Promise.all(inScope.map((q) => ask(url, q, p)));
    const answered = replies.filter((r) => r.role === "bot");
    assert.ok(answered.length >= 3, `in-scope questions are answered: ${JSON.stringify(replies)}`);
    const off = await ask(url, "what's the capital of France?", p);
    assert.equal(off.role, "system", "an out-of-scope question is handed off");

    const queue = await admin.get("/api/reviews?kind=agent").expect(200);
    assert.ok(JSON.stringify(queue.body).includes("glass teapots"), "the seeded agent replies wait in the review queue");
    await p.stop();
    running.pop();

    // Second start on the same data: nothing is loaded twice, the same sign-in is printed again.
    const again = await start("demo-again", {
      DEMO: "true",
      DATA_DIR: path.join(dir, "data"),
      MODELS_DIR: path.join(dir, "models"),
      TRAINER_ENABLED: "false",
    });
    const a2 = request.agent(again.url);
    const l2 = await a2.post("/api/auth/login").send({ email: "admin@acmetea.example", password }).expect(200);
    a2.set("x-csrf-token", l2.body.csrfToken);
    assert.equal((await a2.get("/api/answers").expect(200)).body.answers.length, 32);
    assert.match(again.p.output(), new RegExp(`password ${password}`));
  },
);

test("DEMO=false: an empty embedded database stays empty", { timeout: 180_000 }, async () => {
  const { p, url } = await start("no-demo", {
    DEMO: "false",
    DATA_DIR: path.join(dir, "plain"),
    MODELS_DIR: path.join(dir, "plain-models"),
    TRAINER_ENABLED: "false",
  });
  assert.doesNotMatch(p.output(), /acmetea/);
  const health = await request(url).get("/api/health").expect(200);
  assert.ok(health.body);
  const agent = request.agent(url);
  // No demo users exist: their sign-in is refused.
  await agent.post("/api/auth/login").send({ email: "admin@acmetea.example", password: "whatever-long-enough" }).expect(401);
});
