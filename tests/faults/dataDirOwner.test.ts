import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import request from "supertest";
import { freePort } from "../../server/db/embeddedMongo.js";
import { TrainingRun } from "../../server/models/trainingRun.js";
import { recordHardening, waitUntil } from "../helpers/faults.js";
import { spawnTs, waitForHealth, type TestProcess } from "../helpers/processes.js";

// One owner per DATA_DIR: a server killed with kill -9 (its pid only, as an OOM killer or an operator would)
// takes its embedded FerretDB and its trainer with it, the restarted server runs exactly one of each, a second
// server on the same directory refuses to start and names the holder, and a FerretDB left running on the
// directory is stopped before a new one opens the same SQLite files.
const root = path.resolve(import.meta.dirname, "../..");
const FERRETDB_BIN = path.join(root, ".local/bin/ferretdb");
const ADMIN = { email: "owner-admin@example.test", password: "a long admin password" };
let dir: string;
let dataDir: string;
let stateDir: string;
let port: number;
const started: TestProcess[] = [];
const counts = { faultsInjected: 0, secondServersRefused: 0, orphanFerretdbs: 0, orphanTrainers: 0 };

function procs(match: (argv: string[], pid: number) => boolean): number[] {
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
        if (/^\d+ \(.*\) Z/.test(stat)) return false;
        return match(fs.readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0"), Number(e));
      } catch {
        return false;
      }
    })
    .map(Number);
}
/** FerretDB processes (not their watchdogs) serving this test's SQLite files. */
const ferretdbs = () => procs((argv) => path.basename(argv[0]!) === "ferretdb" && argv.includes(`--state-dir=${stateDir}`));
/** Trainer processes started for this test's DATA_DIR (they inherit it from their server's environment). */
const trainers = () =>
  procs(
    (argv, pid) =>
      argv.some((a) => a.endsWith("server/nightly/main.ts")) &&
      fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`DATA_DIR=${dataDir}`),
  );
const ppid = (pid: number) =>
  Number(
    fs
      .readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ")[1],
  );

function startServer(name: string, serverPort = port): TestProcess {
  const p = spawnTs(name, "server/index.ts", [], {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: String(serverPort),
    LOG_LEVEL: "info",
    LOG_PRETTY: "false",
    MONGODB_URI: "",
    DATA_DIR: dataDir,
    MODELS_DIR: path.join(dir, "models"),
    TRAINER_ENABLED: "true",
    SESSION_SECRET: "data-dir-owner-secret-0123456789",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  started.push(p);
  return p;
}

async function healthyServer(name: string): Promise<TestProcess> {
  const p = startServer(name);
  await waitForHealth(p, `http://127.0.0.1:${port}`);
  await waitUntil(`${name}'s trainer`, () => trainers().length >= 1, 60_000, 200);
  return p;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "understudy-owner-"));
  dataDir = path.join(dir, "data");
  stateDir = path.join(dataDir, "ferretdb");
  port = await freePort();
});

after(async () => {
  await mongoose.disconnect();
  for (const p of started) await p.stop();
  for (const pid of [...ferretdbs(), ...trainers()]) process.kill(pid, "SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
  await recordHardening("faults.dataDirOwner", counts);
  console.log(`faults: data-dir owner, ${JSON.stringify(counts)}`);
});

let survivor: TestProcess;

test("kill -9 of the server takes its FerretDB and trainer with it; the restart runs exactly one of each", async () => {
  const first = await healthyServer("owner-1");
  const [oldDb] = ferretdbs();
  const [oldTrainer] = trainers();
  assert.equal(ferretdbs().length, 1);
  assert.equal(ppid(oldTrainer!), first.child.pid, "the trainer is the server's child");

  process.kill(first.child.pid!, "SIGKILL");
  counts.faultsInjected++;
  await first.exited;
  await waitUntil(
    "the dead server's FerretDB and trainer to stop",
    () => ferretdbs().length === 0 && trainers().length === 0,
    20_000,
    100,
  ).catch((err) => {
    counts.orphanFerretdbs = ferretdbs().length;
    counts.orphanTrainers = trainers().length;
    throw new Error(`${(err as Error).message}: ${ferretdbs().length} FerretDB and ${trainers().length} trainers left behind`);
  });

  survivor = await healthyServer("owner-2");
  const dbs = ferretdbs();
  const live = trainers();
  assert.equal(dbs.length, 1, `FerretDBs on the directory: ${dbs.join(", ")}`);
  assert.equal(live.length, 1, `trainers: ${live.join(", ")}`);
  assert.notEqual(dbs[0], oldDb);
  assert.equal(ppid(live[0]!), survivor.child.pid);

  // "Train now" through the restarted server is run by its own trainer (an empty install: rejected quickly).
  const uri = /"uri":"(mongodb:\/\/[^"]+)"/.exec(survivor.output())?.[1];
  assert.ok(uri, "the server logs its embedded database");
  await mongoose.connect(uri);
  const admin = request.agent(`http://127.0.0.1:${port}`);
  const login = await admin.post("/api/auth/login").send(ADMIN);
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const queued = await admin.post("/api/runs").set("x-csrf-token", login.body.csrfToken).send({});
  assert.equal(queued.status, 201, JSON.stringify(queued.body));
  await waitUntil(
    "the run to finish",
    async () => ["promoted", "rejected", "failed"].includes((await TrainingRun.findById(queued.body.run.id).lean())?.state ?? ""),
    90_000,
    250,
  );
  const run = await TrainingRun.findById(queued.body.run.id).lean();
  assert.equal(run?.owner?.split(":")[1], String(live[0]), `run owner ${run?.owner}; live trainer ${live[0]}`);
});

test("a second server on the same DATA_DIR refuses to start and names the holder", async () => {
  const second = startServer("owner-3", await freePort());
  const code = await Promise.race([second.exited, new Promise((r) => setTimeout(r, 60_000, "still running after 60 s"))]);
  if (code !== 1) await second.stop();
  counts.secondServersRefused++;
  assert.equal(code, 1);
  assert.match(second.output(), new RegExp(`DATA_DIR .* is in use by pid ${survivor.child.pid} `));
  assert.equal(ferretdbs().length, 1, "the refused server started no database");
  assert.equal(trainers().length, 1);
});

test("a start stops a FerretDB left running on its directory before opening the files itself", async () => {
  process.kill(survivor.child.pid!, "SIGTERM");
  assert.equal(await survivor.exited, 0);
  assert.deepEqual([ferretdbs().length, trainers().length], [0, 0], "SIGTERM stops the database and the trainer");
  // A FerretDB whose supervisor died with it (or one started by an older version), still serving the files.
  const stalePort = await freePort();
  const stale = spawn(
    FERRETDB_BIN,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${stateDir}/`,
      `--state-dir=${stateDir}`,
      `--listen-addr=127.0.0.1:${stalePort}`,
      "--debug-addr=-",
      "--telemetry=disable",
      "--log-level=ERROR",
    ],
    {
      stdio: "ignore",
      detached: true,
    },
  );
  counts.faultsInjected++;
  await waitUntil("the stale FerretDB", () => ferretdbs().includes(stale.pid!), 10_000);
  const third = await healthyServer("owner-4");
  assert.match(third.output(), /stopping FerretDB left running on this DATA_DIR/);
  const dbs = ferretdbs();
  assert.equal(dbs.length, 1);
  assert.notEqual(dbs[0], stale.pid);
  assert.equal(trainers().length, 1);
  process.kill(third.child.pid!, "SIGTERM");
  assert.equal(await third.exited, 0);
  assert.deepEqual([ferretdbs().length, trainers().length], [0, 0], "nothing outlives a stopped server");
});
