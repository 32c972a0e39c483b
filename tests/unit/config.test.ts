import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../server/config.js";
import { getServerSecret } from "../../server/secrets.js";

test("no environment at all gives working defaults (a newcomer's npm start)", () => {
  const c = loadConfig({}, "/srv/app");
  assert.equal(c.PORT, 3000);
  assert.equal(c.HOST, "127.0.0.1");
  assert.equal(c.MONGODB_URI, undefined, "embedded FerretDB is used");
  assert.equal(c.DATA_DIR, "/srv/app/data");
  assert.equal(c.FERRETDB_BIN, "/srv/app/.local/bin/ferretdb");
  assert.equal(c.TRAINER_ENABLED, true);
  assert.equal(c.CORS_ORIGINS, "*");
});

test("values are coerced and empty strings count as unset", () => {
  const c = loadConfig({ PORT: "8080", TRAINER_ENABLED: "no", RETENTION_DAYS: "30", MONGODB_URI: "", DATA_DIR: "/var/lib/u" }, "/srv/app");
  assert.equal(c.PORT, 8080);
  assert.equal(c.TRAINER_ENABLED, false);
  assert.equal(c.RETENTION_DAYS, 30);
  assert.equal(c.MONGODB_URI, undefined);
  assert.equal(c.DATA_DIR, "/var/lib/u");
});

const bad: [Record<string, string>, RegExp][] = [
  [{ PORT: "eighty" }, /PORT: Expected number/],
  [{ PORT: "70000" }, /PORT: Number must be less than or equal to 65535/],
  [{ MONGODB_URI: "postgres://x" }, /MONGODB_URI: must start with mongodb:\/\/ or mongodb\+srv:\/\//],
  [{ REDIS_URL: "localhost:6379" }, /REDIS_URL: must start with redis:\/\/ or rediss:\/\//],
  [{ SESSION_SECRET: "short" }, /SESSION_SECRET: must be at least 16 characters/],
  [{ NODE_ENV: "prod" }, /NODE_ENV: Invalid enum value/],
  [{ TRAINER_ENABLED: "maybe" }, /TRAINER_ENABLED: Invalid enum value/],
  [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
  [{ PUBLIC_URL: "not a url" }, /PUBLIC_URL: Invalid url/],
];

for (const [env, message] of bad) {
  test(`a bad ${Object.keys(env)[0]} fails at start naming the variable`, () => {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^Invalid configuration:/);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}

test("every bad variable is reported at once", () => {
  assert.throws(() => loadConfig({ PORT: "x", ADMIN_EMAIL: "nope" }), /PORT:[\s\S]*ADMIN_EMAIL:/);
});

test("the server secret is SESSION_SECRET when set", () => {
  assert.equal(getServerSecret({ SESSION_SECRET: "0123456789abcdef-given", DATA_DIR: "/nonexistent" }), "0123456789abcdef-given");
});

test("without SESSION_SECRET a secret is generated once, kept private, and reused after a restart", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-secret-"));
  try {
    const dataDir = path.join(dir, "data");
    const first = getServerSecret({ DATA_DIR: dataDir });
    assert.ok(first.length >= 32);
    const file = path.join(dataDir, "secret");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file, "utf8").trim(), first);
    assert.equal(getServerSecret({ DATA_DIR: dataDir }), first);
    // A restart is a new process with an empty cache: the same file must give the same secret.
    const out = execFileSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./server/secrets.ts").then(m => process.stdout.write(m.getServerSecret({ DATA_DIR: ${JSON.stringify(dataDir)} })))`,
      ],
      {
        cwd: path.resolve(import.meta.dirname, "../.."),
      },
    ).toString();
    assert.equal(out, first);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the server refuses to start on bad configuration, naming the variable, without a stack trace", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const env = { PATH: process.env.PATH ?? "", PORT: "eighty", MONGODB_URI: "mysql://db" };
  const res = spawnSync(process.execPath, ["--import", "tsx", "server/index.ts"], { cwd: root, env, encoding: "utf8", timeout: 20000 });
  assert.equal(res.status, 1);
  assert.match(
    res.stderr,
    /^Invalid configuration:\n {2}PORT: Expected number, received nan\n {2}MONGODB_URI: must start with mongodb:\/\//,
  );
  assert.doesNotMatch(res.stderr, /at .*\.ts:\d+/, "no stack trace for a configuration mistake");
});
