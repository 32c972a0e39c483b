import { test } from "node:test";
import assert from "node:assert/strict";
import request from "supertest";
import type { TestServer } from "../helpers/server.js";
import { useTestServer } from "../helpers/suite.js";

let t: TestServer;
useTestServer((server) => (t = server));

test("health reports the database up and no active model", async () => {
  const res = await request(t.url).get("/api/health").expect(200);
  assert.equal(res.body.database, "up");
  assert.equal(res.body.model, null);
});

test("unknown API routes are a JSON 404", async () => {
  const res = await request(t.url).get("/api/nope").expect(404);
  assert.equal(res.body.error.code, "not_found");
});
