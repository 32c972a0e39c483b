import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { loginAs, type LoggedInAgent } from "../helpers/agents.js";
import { catalog, type RouteDoc } from "../../server/api/openapi/catalog.js";
import { PERMISSIONS } from "../../server/policies/permissions.js";

// The authorization matrix: every catalogued route × anonymous / agent / admin, against the real server.
// Ids are well-formed but unknown, so an allowed call ends in 400/404/409, never 401/403.
const ID_FOR: Record<string, string> = { version: "v-authz-probe" };
const ID = "0123456789abcdef01234567";
const pathOf = (r: RouteDoc) => r.path.replace(/:(\w+)/g, (_m, name: string) => ID_FOR[name] ?? ID);
const allowed = (r: RouteDoc, role: "agent" | "admin") =>
  r.access === null || r.access === "session" || (PERMISSIONS[r.access] as readonly string[]).includes(role);

let t: TestServer;
const as: Partial<Record<"agent" | "admin", LoggedInAgent>> = {};
before(async () => {
  t = await startTestServer();
  as.agent = await loginAs(t.url, "agent");
  as.admin = await loginAs(t.url, "admin");
});
after(async () => {
  await t.stop();
});

function call(client: ReturnType<typeof request> | LoggedInAgent, r: RouteDoc) {
  const req = (client as unknown as Record<string, (p: string) => request.Test>)[r.method](pathOf(r));
  // An unknown field: every body schema is strict, so an allowed call stops at validation (400) and a
  // matrix run never trains, promotes or rolls back anything. Authorization runs before validation.
  return r.method === "get" ? req : req.send({ authzProbe: true });
}

test("the catalog covers the agent/admin API", () => {
  const paths = new Set(catalog.map((r) => `${r.method} ${r.path}`));
  for (const p of [
    "post /api/auth/login",
    "get /api/users",
    "post /api/conversations/:id/takeover",
    "post /api/reviews/:id/approve",
    "post /api/answers/:id/merge",
    "patch /api/examples/:id",
    "get /api/audit",
  ]) {
    assert.ok(paths.has(p), p);
  }
});

describe("anonymous", () => {
  for (const r of catalog) {
    test(`${r.method.toUpperCase()} ${r.path} → ${r.access === null ? "not 401" : "401"}`, async () => {
      const res = await call(request(t.url), r);
      if (r.access === null) assert.notEqual(res.status, 401);
      else {
        assert.equal(res.status, 401, JSON.stringify(res.body));
        assert.equal(res.body.error.code, "unauthorized");
      }
    });
  }
});

for (const role of ["agent", "admin"] as const) {
  describe(role, () => {
    for (const r of catalog.filter((r) => r.path !== "/api/auth/logout" && r.path !== "/api/auth/login")) {
      const ok = allowed(r, role);
      test(`${r.method.toUpperCase()} ${r.path} → ${ok ? "allowed" : "403"}`, async () => {
        const res = await call(as[role]!, r);
        if (ok) assert.ok(![401, 403].includes(res.status), `${res.status} ${JSON.stringify(res.body)}`);
        else {
          assert.equal(res.status, 403, JSON.stringify(res.body));
          assert.equal(res.body.error.code, "forbidden");
        }
      });
    }
  });
}

describe("CSRF", () => {
  for (const r of catalog.filter((r) => r.method !== "get" && r.access !== null && allowed(r, "admin"))) {
    test(`${r.method.toUpperCase()} ${r.path} without the token → 403 csrf_invalid`, async () => {
      const res = await request(t.url)[r.method](pathOf(r)).set("Cookie", as.admin!.cookie).send({});
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, "csrf_invalid");
      const stale = await request(t.url)[r.method](pathOf(r)).set("Cookie", as.admin!.cookie).set("x-csrf-token", "stale-token").send({});
      assert.equal(stale.status, 403);
    });
  }
});

test("logout works for both roles", async () => {
  for (const role of ["agent", "admin"] as const) {
    const a = await loginAs(t.url, role);
    await a.post("/api/auth/logout").expect(204);
    await a.get("/api/auth/session").expect(401);
  }
});

test("the OpenAPI document lists every catalogued route with its security, and swagger UI is served", async () => {
  const { body } = await request(t.url).get("/api/openapi.json").expect(200);
  assert.equal(body.openapi, "3.0.3");
  for (const r of catalog) {
    const op = body.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method];
    assert.ok(op, `${r.method} ${r.path} is documented`);
    assert.equal(op.security.length === 0, r.access === null, `${r.method} ${r.path} security`);
    if (r.access !== null) assert.ok(op.responses["401"] && op.responses["403"]);
  }
  assert.ok(body.components.securitySchemes.csrf);
  const ui = await request(t.url).get("/api/docs/").expect(200);
  assert.match(ui.text, /swagger/i);
});
