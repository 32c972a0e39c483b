import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { loginAs, seedWaitingConversation, type LoggedInAgent } from "../helpers/agents.js";
import { connectSocket, newWidgetSession, type TestSocket } from "../helpers/socketClient.js";
import { recordHardening } from "../helpers/faults.js";
import { agentEvents } from "../../server/gateway/agent/schema.js";

// Property: the console's namespace, driven by a signed-in agent with fuzzed payloads, never fails with
// "internal"; and nobody without an agent session — a widget customer, a forged cookie, another site's
// page — gets a socket on it.
let t: TestServer;
let agent: LoggedInAgent;
let sock: TestSocket;
let realConversation: string;
let tried = 0;
let serverErrors = 0;
let unauthorizedAttempts = 0;
let unauthorizedSucceeded = 0;
before(async () => {
  t = await startTestServer();
  agent = await loginAs(t.url, "agent");
  sock = await connectSocket(t.url, {}, "/agent", { Cookie: agent.cookie });
  realConversation = String((await seedWaitingConversation(t.server.ctx)).conversation._id);
});
after(async () => {
  sock?.close();
  await t.stop();
  await recordHardening("fuzz.agentSocket", { payloadsTried: tried, serverErrors, unauthorizedAttempts, unauthorizedSucceeded });
  console.log(
    `fuzz: ${tried} agent socket payloads tried, ${serverErrors} internal errors; ${unauthorizedAttempts} unauthorized connections tried, ${unauthorizedSucceeded} succeeded`,
  );
});

const operator = fc.constantFrom<unknown>({ $gt: "" }, { $ne: null }, { $where: "1" }, ["$in"]);
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("0123456789abcdef01234567", "<img src=x onerror=alert(1)>", "x".repeat(4001), "", " "),
  operator,
  fc.integer({ min: -3, max: 1e9 }),
  fc.boolean(),
  fc.constant(null),
);

test("every /agent event with fuzzed payloads gets a clear answer, never internal", async () => {
  for (const event of Object.keys(agentEvents)) {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything({ maxDepth: 2 }),
          fc.record(
            {
              conversationId: fc.oneof(value, fc.constant(realConversation)),
              afterSeq: value,
              clientId: value,
              text: value,
              typing: value,
            },
            { requiredKeys: [] },
          ),
        ),
        async (payload) => {
          // The event names in agentEvents come from the console's own schema: unknown ones are checked below.
          const ack = await sock.request(event, payload);
          tried++;
          if (ack.ok) return;
          if (ack.error.code === "internal") serverErrors++;
          assert.notEqual(ack.error.code, "internal", `${event} ${JSON.stringify(payload)}`);
          assert.equal(typeof ack.error.message, "string");
        },
      ),
      { numRuns: 40, includeErrorInReport: true },
    );
  }
  const unknown = await sock.request("users:promote", { role: "admin" });
  tried++;
  assert.equal(unknown.error.code, "unknown_event");
});

async function refused(label: string, connect: () => Promise<TestSocket>) {
  unauthorizedAttempts++;
  try {
    const s = await connect();
    s.close();
    unauthorizedSucceeded++;
    assert.fail(`${label}: connected to /agent`);
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_ASSERTION") throw err;
    const code = (err as { data?: { code?: string } }).data?.code;
    assert.ok(
      code === "unauthorized" || code === "forbidden" || /origin/i.test((err as Error).message),
      `${label}: ${(err as Error).message}`,
    );
  }
}

test("only agents with a session, from the console's own origin, can open /agent", async () => {
  const customer = await newWidgetSession(t.url);
  await refused("no cookie", () => connectSocket(t.url, {}, "/agent"));
  await refused("a widget token", () => connectSocket(t.url, { token: customer.token }, "/agent"));
  await refused("a widget token as bearer", () => connectSocket(t.url, {}, "/agent", { Authorization: `Bearer ${customer.token}` }));
  await refused("a forged session cookie", () => connectSocket(t.url, {}, "/agent", { Cookie: "understudy.sid=s%3Aforged.signature" }));
  await refused("the agent's cookie from another site", () =>
    connectSocket(t.url, {}, "/agent", { Cookie: agent.cookie, Origin: "https://evil.example" }),
  );
  // A widget token cannot be used as a console session on REST either.
  unauthorizedAttempts++;
  const rest = await fetch(`${t.url}/api/conversations`, { headers: { Authorization: `Bearer ${customer.token}` } });
  if (rest.status < 400) unauthorizedSucceeded++;
  assert.equal(rest.status, 401);
});
