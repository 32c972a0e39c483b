// `npm run bench:serve -- [--clients 2000] [--rate 5] [--duration 60] [--swap-at 0.5] [--from DIR]`
// `npm run bench:serve -- --rates 5,10,25,50 --history 10000 --history-messages 10 --curve 1000,100000 [--curve-rate 10]`
//
// With --rates: one phase per rate (--duration s each, no hot-swap) on a database first filled by the bulk loader
// (bench/lib/history.ts) to --history conversations of --history-messages messages; with --curve, the same
// --curve-rate phase also runs with each of those many conversations stored (loaded up before it, the ones above
// --history with --curve-messages each), for the cost curve of the write path against what is stored. Every phase
// reports the reply's and each server stage's p50/p95/p99, the server's CPU and RSS, lost/duplicated/failed, and
// the database commands per turn (DB_TALLY, by stage, command and collection) into --out.
//
// Serving under load, through the real product: a chat server process (`tsx server/index.ts`) with a trained model,
// K widget clients over socket.io in a separate process (bench/serveClients.ts) sending `--rate` messages a second in
// total. Midway an admin hot-swaps the model (POST /api/models/rollback to the other trained version: the server
// downloads it from GridFS, verifies, loads and warms it beside the live one, then swaps a reference). Reports
// p50/p95/p99 time from message:send to the bot's reply, replies per second, the server's CPU and RSS, and how many
// messages were lost, duplicated or failed.
//
// The model comes from a kept `npm run bench:loop -- --keep` database (`--from DIR`, default: the stateDir named in
// bench/results/loop.json); without one, a short loop run (1 night, k=5) is run first to make it. The database files
// are copied, so the loop's state is left as it was.
import { execFileSync, fork, spawn } from "node:child_process";
import mongoose from "mongoose";
import fs from "node:fs";
import path from "node:path";
import { Api } from "./lib/api.js";
import { log, num, parseFlags, quantile, sleep, str } from "./lib/args.js";
import { activeModel, trainNow, untilServing } from "./lib/models.js";
import {
  ADMIN,
  machine,
  procSample,
  root,
  runBenchmark,
  startServer,
  writeOutput,
  type Database,
  type ServerProcess,
} from "./lib/stack.js";
import { startEmbeddedMongo } from "../server/db/embeddedMongo.js";
import { ferretdbProcessesOn } from "../server/db/staleFerretdb.js";
import { loadHistory } from "./lib/history.js";
import { lineChart } from "./lib/svg.js";
import os from "node:os";

const flags = parseFlags();
const CLIENTS = num(flags, "clients", 2000);
const RATE = num(flags, "rate", 5);
const DURATION_S = num(flags, "duration", 60);
const SWAP_AT = num(flags, "swap-at", 0.5);
// rollback: swap to the other trained version (download, verify, load, warm, swap); train: a "train now" run during
// the traffic, promoted and hot-swapped when it passes the gate; auto: rollback when a second version exists.
const SWAP = str(flags, "swap", "auto");
const OUT = str(flags, "out", "bench/results/serve.json");
const CHART = str(flags, "chart", "docs/benchmarks/serve.svg");

let server: ServerProcess | null = null;
let db: Database | null = null;

async function stateDir(): Promise<string> {
  if (flags.has("from")) return flags.get("from")!;
  const loopResults = path.join(root, "bench/results/loop.json");
  if (fs.existsSync(loopResults)) {
    const dir = JSON.parse(fs.readFileSync(loopResults, "utf8")).stateDir as string | null;
    if (dir && fs.existsSync(path.join(dir, "ferretdb"))) return dir;
  }
  log("no kept loop database: running a short loop (1 night, k=5) to train two versions");
  const out = path.join(root, "tmp/bench-serve-setup.json");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/loop.ts",
        "--nights",
        "1",
        "--per-day",
        "100",
        "--k",
        "5",
        "--test-size",
        "100",
        "--keep",
        "--out",
        path.relative(root, out),
        "--chart",
        "tmp/bench-serve-setup.svg",
      ],
      {
        cwd: root,
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`setup loop exited ${code}`))));
  });
  return JSON.parse(fs.readFileSync(out, "utf8")).stateDir as string;
}

const RATES = flags.has("rates") ? str(flags, "rates", "").split(",").map(Number) : null;
const HISTORY = num(flags, "history", 0);
const HISTORY_MESSAGES = num(flags, "history-messages", 10);
const CURVE = flags.has("curve") ? str(flags, "curve", "").split(",").map(Number) : [];
const CURVE_RATE = num(flags, "curve-rate", 10);
const CURVE_MESSAGES = num(flags, "curve-messages", 4);

async function main() {
  if (RATES) return phases();
  const from = await stateDir();
  // A copy of the trained database, so the measured server starts cold with its own model cache.
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR ?? os.tmpdir(), "understudy-bench-serve-"));
  fs.cpSync(path.join(from, "ferretdb"), path.join(dir, "ferretdb"), { recursive: true });
  const mongo = await startEmbeddedMongo({
    bin: path.join(root, ".local/bin/ferretdb"),
    dataDir: path.join(dir, "ferretdb"),
    database: "understudy_bench",
  });
  db = { uri: mongo.uri, dir, mongo, stop: async () => (await mongo.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
  server = await startServer(db, "serve", { TRAINER_ENABLED: SWAP === "rollback" ? "false" : "true" });
  const admin = await Api.login(server.url, ADMIN.email, ADMIN.password);
  const health = () => activeModel(server!.url);
  // The model host loads the active version in the background after start.
  let active = await health();
  for (const until = Date.now() + 180_000; !active && Date.now() < until; active = await health()) await sleep(500);
  const { versions } = await admin.get<{ versions: { version: string; status: string }[] }>("/api/models");
  const other = versions.find((v) => v.version !== active && v.status !== "rejected" && v.status !== "broken");
  if (!active) throw new Error("the database has no active model version");
  const mode = SWAP === "auto" ? (other ? "rollback" : "train") : SWAP;
  if (mode === "rollback" && !other)
    throw new Error(`no second version to swap to (versions ${versions.map((v) => `${v.version}:${v.status}`).join(", ")})`);
  log(
    `server on ${active}; midway: ${mode === "rollback" ? `hot-swap to ${other!.version}` : "train now, then hot-swap to the new version"}`,
  );

  const loadBefore = machine().loadAverage;
  const swarm = fork(
    path.join(root, "bench/serveClients.ts"),
    ["--url", server.url, "--clients", String(CLIENTS), "--rate", String(RATE), "--duration", String(DURATION_S * 20)],
    {
      cwd: root,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const messages: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  swarm.on("message", (m: any) => {
    if (m.type === "progress") log(`  t=${m.t.toFixed(0)}s sent ${m.sent}, answered ${m.done}`);
    messages.push(m);
    waiters.splice(0).forEach((w) => w(m));
  });
  const waitFor = async (type: string) => {
    for (;;) {
      const m = messages.find((x) => x.type === type || x.type === "error");
      if (m) {
        if (m.type === "error") throw new Error(`client swarm: ${m.message}`);
        return m;
      }
      await new Promise((r) => waiters.push(r));
    }
  };
  const ready = await waitFor("ready");
  const idle = procSample(server.pid)!;
  log(`${ready.clients} clients connected; server RSS ${idle.rssMiB.toFixed(0)} MiB`);

  // Sample the server process once a second during the measured phase.
  const usage: { t: number; cpu: number; rssMiB: number }[] = [];
  const t0 = performance.now();
  let prev = procSample(server.pid)!;
  let prevT = t0;
  const sampler = setInterval(() => {
    const s = procSample(server!.pid);
    if (!s) return;
    const now = performance.now();
    usage.push({ t: (now - t0) / 1000, cpu: (s.cpuSeconds - prev.cpuSeconds) / ((now - prevT) / 1000), rssMiB: s.rssMiB });
    prev = s;
    prevT = now;
  }, 1000);
  const cpuStart = procSample(server.pid)!;
  swarm.send({ type: "start" });

  await sleep(DURATION_S * SWAP_AT * 1000);
  const swapStart = (performance.now() - t0) / 1000;
  let trainRun: unknown = null;
  if (mode === "rollback") {
    log(`hot-swap: rollback ${active} → ${other!.version}`);
    await admin.post<{ version: string }>("/api/models/rollback", { version: other!.version, reason: "bench:serve hot-swap" });
  } else {
    log("hot-swap: train now");
    const r = await trainNow(admin, { pollMs: 500 });
    trainRun = { id: r.id, state: r.state, candidate: r.candidateVersion, reasons: r.reasons };
    if (r.state === "promoted") await untilServing(server.url, r.candidateVersion, { pollMs: 100 });
  }
  const swapDone = (performance.now() - t0) / 1000;
  const after = await health();
  log(`hot-swap done in ${(swapDone - swapStart).toFixed(2)} s; server now on ${after}`);
  await sleep(Math.max(0, DURATION_S * (1 - SWAP_AT) * 1000));
  swarm.send({ type: "stop" });

  const result = await waitFor("result");
  swarm.send({ type: "exit" });
  clearInterval(sampler);
  // The server's own per-stage timings of the same turns (GET /api/analytics/latency).
  const stages = await admin.get<{ turns: number; stages: Record<string, { p50: number; p95: number; p99: number; max: number }> }>(
    "/api/analytics/latency",
  );
  const wall = (performance.now() - t0) / 1000;
  const cpuEnd = procSample(server.pid)!;
  const measured = usage;
  const samples = result.samples as [number, number | null, string][];
  const window = (a: number, b: number) => {
    const l = samples
      .filter((s) => s[1] !== null && s[0] / 1000 >= a && s[0] / 1000 < b)
      .map((s) => s[1]!)
      .sort((x, y) => x - y);
    return { n: l.length, p50: quantile(l, 0.5), p95: quantile(l, 0.95), p99: quantile(l, 0.99), max: l[l.length - 1] ?? null };
  };
  const out = {
    benchmark: "serve",
    params: { clients: CLIENTS, rate: RATE, durationSeconds: DURATION_S, swapAt: SWAP_AT, from },
    machine: { ...machine(), loadAverageBefore: loadBefore },
    models: { before: active, after, mode, swapTo: mode === "rollback" ? other!.version : null, trainRun },
    connect: {
      clients: result.clients,
      errors: result.connectErrors,
      seconds: result.connectSeconds,
      serverRssMiBIdle: Math.round(idle.rssMiB),
    },
    messages: {
      sent: result.sent,
      replied: result.replied,
      botReplies: result.botReplies,
      handoffs: result.handoffs,
      lost: result.lost,
      duplicated: result.duplicated,
      failed: result.failed,
      skippedSlots: result.skipped,
      disconnects: result.disconnects,
      errors: result.errors,
    },
    latencyMs: result.latencyMs,
    latencyWindowsMs: {
      beforeSwap: window(0, swapStart),
      duringSwap: window(swapStart, swapDone + 1),
      afterSwap: window(swapDone + 1, Infinity),
    },
    messagesPerSecond: result.messagesPerSecond,
    serverStagesMs: stages,
    hotSwap: { startSecond: swapStart, seconds: swapDone - swapStart },
    server: {
      cpuCoresMean: (cpuEnd.cpuSeconds - cpuStart.cpuSeconds) / wall,
      cpuCoresMax: Math.max(...measured.map((u) => u.cpu)),
      rssMiBMax: Math.round(Math.max(...usage.map((u) => u.rssMiB), cpuEnd.rssMiB)),
      rssMiBEnd: Math.round(cpuEnd.rssMiB),
      usage: usage.map((u) => ({ t: Math.round(u.t * 10) / 10, cpu: Math.round(u.cpu * 100) / 100, rssMiB: Math.round(u.rssMiB) })),
    },
    updatedAt: new Date().toISOString(),
    samples,
  };
  writeOutput(OUT, JSON.stringify(out, null, 1) + "\n");
  drawChart(out);
  log(
    `p50 ${out.latencyMs.p50?.toFixed(1)} ms, p95 ${out.latencyMs.p95?.toFixed(1)} ms, p99 ${out.latencyMs.p99?.toFixed(1)} ms; ${out.messagesPerSecond.toFixed(1)} msg/s; ` +
      `server CPU ${out.server.cpuCoresMean.toFixed(2)} cores (max ${out.server.cpuCoresMax.toFixed(2)}), RSS max ${out.server.rssMiBMax} MiB; ` +
      `lost ${out.messages.lost}, duplicated ${out.messages.duplicated}, failed ${out.messages.failed} of ${out.messages.sent}`,
  );
  for (const [stage, q] of Object.entries(stages.stages))
    log(`  server ${stage.padEnd(9)} p50 ${q.p50} ms, p95 ${q.p95} ms, p99 ${q.p99} ms, max ${q.max} ms`);
  await server.stop();
  await db.stop();
}

/** --rates: one phase per rate on a loaded history, plus the cost curve (see the header). */
async function phases() {
  const out = flags.has("out") ? OUT : "bench/results/serve-rates.json";
  const chart = flags.has("chart") ? CHART : "docs/benchmarks/serve-rates.svg";
  const from = await stateDir();
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_TMPDIR ?? os.tmpdir(), "understudy-bench-serve-"));
  fs.cpSync(path.join(from, "ferretdb"), path.join(dir, "ferretdb"), { recursive: true });
  const bin = path.join(root, ".local/bin/ferretdb");
  const mongo = await startEmbeddedMongo({ bin, dataDir: path.join(dir, "ferretdb"), database: "understudy_bench" });
  db = { uri: mongo.uri, dir, mongo, stop: async () => (await mongo.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
  const ferretdbPid = ferretdbProcessesOn(bin, path.join(dir, "ferretdb"))[0] ?? null;
  const counter = await mongoose.mongo.MongoClient.connect(mongo.uri);
  const stored = async () => ({
    conversations: await counter.db().collection("conversations").estimatedDocumentCount(),
    messages: await counter.db().collection("messages").estimatedDocumentCount(),
  });

  // The history first: each level is loaded up to (the first HISTORY conversations with HISTORY_MESSAGES each,
  // those above with CURVE_MESSAGES) just before its phases run, with the server idle.
  const levels = [...new Set([...CURVE, HISTORY])].sort((a, b) => a - b);
  const loads: unknown[] = [];
  const load = async (target: number) => {
    const r = await loadHistory(mongo.uri, target, target <= HISTORY ? HISTORY_MESSAGES : CURVE_MESSAGES);
    loads.push({ target, ...r });
    log(
      `history: +${r.conversations} conversations, +${r.messages} messages in ${r.seconds.toFixed(1)} s (bulk loader); stored ${JSON.stringify(await stored())}`,
    );
  };
  await load(levels[0]!);
  server = await startServer(db, "serve", { TRAINER_ENABLED: "false", DB_TALLY: "true" });
  const admin = await Api.login(server.url, ADMIN.email, ADMIN.password);
  const health = () => activeModel(server!.url);
  let active = await health();
  for (const until = Date.now() + 180_000; !active && Date.now() < until; active = await health()) await sleep(500);
  if (!active) throw new Error("the database has no active model version");
  log(`server on ${active}; rates ${RATES!.join(", ")} msg/s at ${HISTORY} conversations; ${CURVE_RATE} msg/s at ${levels.join(", ")}`);

  const swarm = fork(
    path.join(root, "bench/serveClients.ts"),
    ["--url", server.url, "--clients", String(CLIENTS), "--rate", String(CURVE_RATE), "--duration", String(DURATION_S)],
    {
      cwd: root,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const inbox: any[] = [];
  let wake: (() => void) | null = null;
  swarm.on("message", (m: any) => {
    if (m.type === "progress") return log(`  t=${m.t.toFixed(0)}s sent ${m.sent}, answered ${m.done}`);
    inbox.push(m);
    wake?.();
  });
  swarm.once("exit", (code) => {
    inbox.push({ type: "error", message: `client swarm exited (${code})` });
    wake?.();
  });
  const next = async (type: string) => {
    for (;;) {
      const i = inbox.findIndex((x) => x.type === type || x.type === "error");
      if (i >= 0) {
        const [m] = inbox.splice(i, 1);
        if (m.type === "error") throw new Error(`client swarm: ${m.message}`);
        return m;
      }
      await new Promise<void>((r) => (wake = r));
    }
  };
  const ready = await next("ready");
  log(
    `${ready.clients} clients connected in ${ready.connectSeconds.toFixed(1)} s; server RSS ${procSample(server.pid)!.rssMiB.toFixed(0)} MiB`,
  );

  const results: any[] = [];
  const runPhase = async (level: number, rate: number) => {
    await admin.req("DELETE", "/api/analytics/latency", undefined, [204]);
    await admin.req("DELETE", "/api/analytics/database", undefined, [204]);
    const before = await stored();
    const uptimeBefore = execFileSync("uptime", { encoding: "utf8" }).trim();
    const pids = { server: server!.pid, ferretdb: ferretdbPid, clients: swarm.pid! };
    const first = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? procSample(pid) : null]));
    let rssMax = 0;
    let serverCpuMax = 0;
    let prev = procSample(server!.pid)!;
    let prevT = performance.now();
    const t0 = prevT;
    const sampler = setInterval(() => {
      const s = procSample(server!.pid);
      if (!s) return;
      const now = performance.now();
      serverCpuMax = Math.max(serverCpuMax, (s.cpuSeconds - prev.cpuSeconds) / ((now - prevT) / 1000));
      rssMax = Math.max(rssMax, s.rssMiB);
      prev = s;
      prevT = now;
    }, 1000);
    log(
      `phase: ${rate} msg/s for ${DURATION_S} s with ${before.conversations} conversations / ${before.messages} messages stored; ${uptimeBefore}`,
    );
    swarm.send({ type: "start", rate, duration: DURATION_S });
    const r = await next("result");
    clearInterval(sampler);
    const wall = (performance.now() - t0) / 1000;
    const last = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? procSample(pid) : null]));
    const cores = (k: string) =>
      first[k] && last[k] ? Math.round(((last[k]!.cpuSeconds - first[k]!.cpuSeconds) / wall) * 100) / 100 : null;
    const stages = await admin.get<{ turns: number; stages: Record<string, { p50: number; p95: number; p99: number; max: number }> }>(
      "/api/analytics/latency",
    );
    const tally = await admin.get("/api/analytics/database");
    const phase = {
      storedLevel: level,
      stored: before,
      rate,
      durationSeconds: DURATION_S,
      loadAverage: { before: uptimeBefore, after: execFileSync("uptime", { encoding: "utf8" }).trim() },
      messages: {
        sent: r.sent,
        replied: r.replied,
        botReplies: r.botReplies,
        handoffs: r.handoffs,
        lost: r.lost,
        duplicated: r.duplicated,
        failed: r.failed,
        skippedSlots: r.skipped,
        disconnects: r.disconnects,
        errors: r.errors,
      },
      messagesPerSecond: r.messagesPerSecond,
      latencyMs: r.latencyMs,
      serverStagesMs: stages,
      cpuCoresMean: { server: cores("server"), ferretdb: cores("ferretdb"), clients: cores("clients") },
      serverCpuCoresMax: Math.round(serverCpuMax * 100) / 100,
      serverRssMiBMax: Math.round(Math.max(rssMax, last.server?.rssMiB ?? 0)),
      ferretdbRssMiB: last.ferretdb ? Math.round(last.ferretdb.rssMiB) : null,
      databaseCommands: tally,
    };
    results.push(phase);
    const q = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(0));
    log(
      `  ${rate} msg/s @ ${before.conversations} conversations: reply p50 ${q(r.latencyMs.p50)} p95 ${q(r.latencyMs.p95)} p99 ${q(r.latencyMs.p99)} ms; ` +
        `lost ${r.lost}, duplicated ${r.duplicated}, failed ${r.failed} of ${r.sent}; CPU server ${phase.cpuCoresMean.server} ferretdb ${phase.cpuCoresMean.ferretdb} clients ${phase.cpuCoresMean.clients} cores; ` +
        `RSS ${phase.serverRssMiBMax} MiB; ${tally.commandsPerTurn} commands (${tally.writesPerTurn} writes) per turn`,
    );
    for (const [stage, s] of Object.entries(stages.stages))
      log(`    ${stage.padEnd(9)} p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max} ms`);
  };

  for (const level of levels) {
    if ((await stored()).conversations < level) await load(level);
    for (const rate of level === HISTORY ? RATES! : [CURVE_RATE]) await runPhase(level, rate);
  }
  swarm.send({ type: "exit" });
  await counter.close();

  const atHistory = results.filter((p) => p.storedLevel === HISTORY);
  const curve = results
    .filter((p) => p.rate === CURVE_RATE)
    .map((p) => ({
      storedConversations: p.stored.conversations,
      storedMessages: p.stored.messages,
      p50: p.latencyMs.p50,
      p99: p.latencyMs.p99,
      recordP99: p.serverStagesMs.stages.record?.p99 ?? null,
    }));
  // the 50 msg/s target is judged only where a phase ran at 50 msg/s or more (a curve-only run has none)
  const top = atHistory.find((p) => p.rate >= 50 && p.rate === Math.max(...RATES!));
  const p99s = curve.map((c) => c.p99);
  const result = {
    benchmark: "serve-rates",
    params: {
      clients: CLIENTS,
      rates: RATES,
      durationSeconds: DURATION_S,
      history: HISTORY,
      historyMessages: HISTORY_MESSAGES,
      curve: levels,
      curveRate: CURVE_RATE,
      curveMessages: CURVE_MESSAGES,
      from,
      dbSynchronous: "NORMAL",
    },
    machine: machine(),
    model: active,
    connect: { clients: ready.clients, errors: ready.connectErrors, seconds: ready.connectSeconds },
    history: loads,
    targets: {
      at50: top
        ? {
            rate: top.rate,
            p99: top.latencyMs.p99,
            lost: top.messages.lost,
            duplicated: top.messages.duplicated,
            met: top.latencyMs.p99 <= 150 && top.messages.lost === 0 && top.messages.duplicated === 0,
          }
        : null,
      curve: {
        points: curve,
        spread: p99s.length ? Math.max(...p99s) / Math.min(...p99s) - 1 : null,
        met: p99s.length ? Math.max(...p99s) / Math.min(...p99s) - 1 <= 0.2 : null,
      },
    },
    phases: results,
    updatedAt: new Date().toISOString(),
  };
  writeOutput(out, JSON.stringify(result, null, 1) + "\n");
  const svg = lineChart({
    title: `Understudy serving: ${ready.clients} widget clients, reply time by load (${HISTORY} conversations stored)`,
    subtitle: `p99 at ${CURVE_RATE} msg/s with ${curve.map((c) => `${c.storedConversations}: ${c.p99?.toFixed(0)} ms`).join(" · ")} conversations stored`,
    xLabel: "messages per second",
    yLabel: "time to bot reply (ms)",
    yMin: 0,
    hlines: [{ y: 150, label: "goal p99 ≤ 150 ms", color: "#c33" }],
    series: (["p50", "p95", "p99"] as const).map((k, i) => ({
      name: k,
      color: ["#36c", "#e80", "#c33"][i]!,
      points: atHistory.map((p) => ({ x: p.rate, y: p.latencyMs[k] ?? null })),
    })),
  });
  writeOutput(chart, svg);
  log(
    `wrote ${out} and ${chart}; 50 msg/s target ${result.targets.at50 ? (result.targets.at50.met ? "met" : "not met") : "not measured"}, curve spread ${((result.targets.curve.spread ?? 0) * 100).toFixed(0)} % (${result.targets.curve.met ? "met" : "not met"})`,
  );
  await server.stop();
  await db.stop();
}

function drawChart(out: any) {
  const samples = out.samples as [number, number | null, string][];
  const ok = samples.filter((s) => s[1] !== null);
  // p99 per 2-second bucket, over the raw points.
  const buckets = new Map<number, number[]>();
  for (const s of ok) {
    const b = Math.floor(s[0] / 2000) * 2;
    buckets.set(b, [...(buckets.get(b) ?? []), s[1]!]);
  }
  const p99 = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, l]) => ({
      x: t + 1,
      y: quantile(
        l.sort((a, b) => a - b),
        0.99,
      ),
    }));
  const svg = lineChart({
    title: `Understudy serving: ${out.connect.clients} widget clients, ${out.params.rate} msg/s, hot-swap midway`,
    subtitle: `p50 ${out.latencyMs.p50?.toFixed(0)} ms · p95 ${out.latencyMs.p95?.toFixed(0)} ms · p99 ${out.latencyMs.p99?.toFixed(0)} ms · lost ${out.messages.lost} · duplicated ${out.messages.duplicated} · failed ${out.messages.failed} · load avg ${out.machine.loadAverageBefore[0]}`,
    xLabel: "seconds since the first message",
    yLabel: "time to bot reply (ms)",
    yMin: 0,
    hlines: [{ y: 150, label: "goal p99 ≤ 150 ms", color: "#c33" }],
    vlines: [
      {
        x: out.hotSwap.startSecond,
        label: `hot-swap ${out.models.before}→${out.models.after} (${out.hotSwap.seconds.toFixed(1)} s)`,
        color: "#a0a",
      },
    ],
    series: [
      { name: "each message", color: "#36c", kind: "dots", points: ok.map((s) => ({ x: s[0] / 1000, y: s[1] })) },
      { name: "p99 per 2 s", color: "#e80", points: p99 },
    ],
  });
  writeOutput(CHART, svg);
}

runBenchmark("serve", main, () => ({ server, db }));
