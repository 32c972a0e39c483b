import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../server/config.js";
import { demoEnabled } from "../../server/demo/demoWorkspace.js";

test("the demo workspace loads only on the embedded database, never against MONGODB_URI or with DEMO=false", () => {
  const on = (env: Record<string, string>) => demoEnabled(loadConfig(env));
  assert.equal(on({}), true, "npm start: embedded, development");
  assert.equal(on({ DEMO: "false" }), false);
  assert.equal(on({ MONGODB_URI: "mongodb://db:27017/x" }), false, "production database");
  assert.equal(on({ MONGODB_URI: "mongodb://db:27017/x", DEMO: "true" }), false, "not even when asked for");
  assert.equal(on({ NODE_ENV: "production" }), false);
  assert.equal(on({ NODE_ENV: "test", DEMO: "true" }), true);
  assert.throws(() => loadConfig({ DEMO: "maybe" }), /DEMO/);
});
