import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import request from "supertest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { loginAs, type LoggedInAgent } from "../helpers/agents.js";
import { newWidgetSession, type WidgetSession } from "../helpers/socketClient.js";
import { recordHardening } from "../helpers/faults.js";
import { catalog, type RouteDoc } from "../../server/api/openapi/catalog.js";

// Property: every REST route, called by a signed-in admin (so requests get past the guards and reach
// validation and the handlers) with fuzzed path ids, queries and bodies — wrong types, MongoDB operators,
// prototype keys, hostile strings — answers below 500 with a JSON error that says what was wrong.
let t: TestServer;
let admin: LoggedInAgent;
let widget: WidgetSession;
let tried = 0;
let serverErrors = 0;
before(async () => {
  t = await startTestServer();
  admin = await loginAs(t.url, "admin");
  widget = await newWidgetSession(t.url);
});
after(async () => {
  await t.stop();
  await recordHardening("fuzz.rest", { payloadsTried: tried, serverErrors });
  console.log(`fuzz: ${tried} REST payloads tried, ${serverErrors} 5xx`);
});

const operator = fc.constantFrom<unknown>(
  { $gt: "" },
  { $ne: null },
  { $where: "sleep(100)" },
  { $regex: ".*" },
  { $in: [] },
  { $expr: { $eq: [1, 1] } },
);
const hostile = fc.constantFrom(
  "<script>alert(1)</script>",
  "' OR '1'='1",
  "../../etc/passwd",
  "\u0000",
  "0123456789abcdef01234567",
  "ffffffffffffffffffffffff",
  "NaN",
  "-1",
  "1e309",
  "x".repeat(5000),
  "__proto__",
  "constructor",
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  hostile,
  operator,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const fieldNames = (r: RouteDoc) => {
  const shape = r.body as { shape?: Record<string, unknown>; _def?: { schema?: { shape?: Record<string, unknown> } } } | undefined;
  return Object.keys(shape?.shape ?? shape?._def?.schema?.shape ?? {});
};
const bodyFor = (r: RouteDoc) =>
  fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fieldNames(r).length ? fc.record(Object.fromEntries(fieldNames(r).map((k) => [k, value])), { requiredKeys: [] }) : fc.constant({}),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("$set", "$where", "__proto__", "constructor", "role", "passwordHash")),
      value,
      { maxKeys: 4 },
    ),
  );
const idSegment = fc.oneof(
  fc.constant("0123456789abcdef01234567"),
  fc.string({ maxLength: 30 }),
  hostile,
  fc.constantFrom('{"$gt":""}', "[object Object]", "%00", "..", "."),
);
const query = fc.dictionary(
  fc.oneof(
    fc.constantFrom("limit", "afterSeq", "status", "kind", "role", "q", "before", "cursor", "limit[$gt]", "__proto__"),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(
    fc.string({ maxLength: 20 }),
    hostile.filter((s) => s.length < 100),
  ),
  { maxKeys: 3 },
);

const pathOf = (r: RouteDoc, id: string) => r.path.replace(/:(\w+)/g, () => encodeURIComponent(id));

function check(label: string, res: request.Response) {
  tried++;
  if (res.status >= 500) serverErrors++;
  assert.ok(res.status < 500, `${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  if (res.status >= 400) {
    assert.equal(typeof res.body?.error?.code, "string", `${label} → ${res.status} without a JSON error: ${res.text.slice(0, 200)}`);
    assert.equal(typeof res.body.error.message, "string");
  }
}

// Serialized here so that any value, primitives included, goes over the wire as the JSON it is.
const json = (v: unknown) => {
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return "null";
  }
};

const encodable = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

test("every catalogued route survives fuzzed ids, queries and bodies (as admin)", async () => {
  const routes = catalog.filter((r) => r.path !== "/api/auth/logout");
  assert.ok(routes.length >= 40, `expected the whole API in the catalog, got ${routes.length}`);
  for (const r of routes) {
    // Each failed login costs an argon2 verification; a few runs are enough to prove the shape.
    const numRuns = r.path === "/api/auth/login" || r.path === "/api/auth/invite/accept" ? 5 : 12;
    await fc.assert(
      fc.asyncProperty(idSegment.filter(encodable), query, bodyFor(r), async (id, q, body) => {
        const url = pathOf(r, id);
        let req = request(t.url)[r.method](url).query(q).set("Cookie", admin.cookie).set("x-csrf-token", admin.csrfToken);
        if (r.method !== "get") req = req.set("Content-Type", "application/json").send(json(body));
        check(`${r.method.toUpperCase()} ${url} ${JSON.stringify(body)?.slice(0, 120)}`, await req);
      }),
      { numRuns, includeErrorInReport: true },
    );
  }
});

test("the widget routes survive fuzzed tokens, ids and queries", async () => {
  const token = fc.oneof(
    fc.constant(widget.token),
    fc.string({ maxLength: 60 }),
    fc.constantFrom(`${widget.customerId}.0.x`, "Bearer", "cus_AAAAAAAAAAAAAAAAAAAA.1.AAAA", "x".repeat(300)),
  );
  await fc.assert(
    fc.asyncProperty(token, idSegment.filter(encodable), query, async (tok, id, q) => {
      const auth = `Bearer ${tok}`.replace(/[^\t\x20-\x7e]/g, "");
      check("GET conversations", await request(t.url).get("/api/widget/conversations").query(q).set("Authorization", auth));
      check(
        "GET messages",
        await request(t.url)
          .get(`/api/widget/conversations/${encodeURIComponent(id)}/messages`)
          .query(q)
          .set("Authorization", auth),
      );
    }),
    { numRuns: 60, includeErrorInReport: true },
  );
  await fc.assert(
    fc.asyncProperty(fc.anything({ maxDepth: 2 }), async (body) => {
      check("POST session", await request(t.url).post("/api/widget/session").set("Content-Type", "application/json").send(json(body)));
    }),
    { numRuns: 40, includeErrorInReport: true },
  );
});

test("malformed, oversized and non-JSON bodies get a 4xx JSON error", async () => {
  const raw: [string, string][] = [
    ["application/json", "{"],
    ["application/json", '{"email": "a@b.c", "password": '],
    ["application/json", "[".repeat(5000) + "]".repeat(5000)],
    ["application/json", JSON.stringify({ text: "x".repeat(70 * 1024) })],
    ["application/json", '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"polluted": 1}}}'],
    ["application/json; charset=utf-7", "{}"],
    ["text/plain", "hello"],
    ["application/x-www-form-urlencoded", "email[$ne]=x&password[$ne]=y"],
  ];
  for (const route of ["/api/auth/login", "/api/users", "/api/answers", "/api/widget/session"]) {
    for (const [type, body] of raw) {
      const res = await request(t.url)
        .post(route)
        .set("Cookie", admin.cookie)
        .set("x-csrf-token", admin.csrfToken)
        .set("Content-Type", type)
        .send(body);
      check(`POST ${route} ${type} ${body.slice(0, 40)}`, res);
      // An empty or unreadable body is a first visit for the widget (a new identity); elsewhere it is refused.
      if (route !== "/api/widget/session")
        assert.ok(res.status >= 400, `POST ${route} with ${body.slice(0, 40)} should be refused, got ${res.status}`);
    }
  }
  // The server shares this process: a prototype-pollution payload would show up here.
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("operator injection in the login body never signs anyone in", async () => {
  for (const body of [
    { email: { $ne: null }, password: { $ne: null } },
    { email: admin.user.email, password: { $gt: "" } },
    { email: { $regex: ".*" }, password: "x" },
  ]) {
    const res = await request(t.url).post("/api/auth/login").send(body);
    check(`login ${JSON.stringify(body)}`, res);
    assert.ok(res.status === 400 || res.status === 429, `${res.status} ${JSON.stringify(res.body)}`);
  }
});
