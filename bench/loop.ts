// `npm run bench:loop -- [--nights 14] [--per-day 300] [--k 10] [--golden 1] [--concurrency 6] [--test-size 0]`
//
// N simulated days and nights of Understudy on BANKING77 (Casanueva et al. 2020, CC BY 4.0), through the real
// product: a real server process (`tsx server/index.ts`) on an embedded FerretDB, its trainer child process,
// the widget socket protocol for customers, and the agents' REST API for every review. Nothing is written to
// the database directly.
//
// Day 0: the 77 canonical answers (bench/data/banking77-answers.json) are created through /api/answers, and k
// questions per intent are asked by customers; the bot has no model and hands off, the agent answers with the
// canonical answer and approves the reply for that answer (the first `--golden` per intent as golden).
// Day d ≥ 1: customers ask `--per-day` unused train-split questions; the agent, who knows the true intent,
// approves right bot replies, corrects wrong ones (edit → the right answer) and answers hand-offs.
// Every night (after day 0 too) the trainer runs with its gate ("train now", POST /api/runs).
//
// Open traffic (`--open 0.2`, the default): real support traffic asks things the bank has no answer for. The answers
// of `--new-intents` (2) intents per night are held back from the bank at the start (28 of 77 over 14 nights), and
// on day d that share of the questions comes from the two intents that emerge that day; the agent writes each such
// answer the first time they meet one (as a new answer, from the reply), as a real team would. A bot reply to a
// question whose intent has no answer the model knows counts as wrong.
import fs from "node:fs";
import path from "node:path";
import { Api } from "./lib/api.js";
import { log, num, parseFlags, rng, shuffle, sleep, str } from "./lib/args.js";
import { readAnswers, readSplit, type CannedAnswer, type Row } from "./lib/banking77.js";
import { Customer, loopbackAddress, type Reply } from "./lib/customer.js";
import { activeModel, trainNow, untilServing } from "./lib/models.js";
import {
  ADMIN,
  AGENT,
  machine,
  root,
  runBenchmark,
  startDatabase,
  startServer,
  writeOutput,
  type Database,
  type ServerProcess,
} from "./lib/stack.js";
import { lineChart } from "./lib/svg.js";

const flags = parseFlags();
const NIGHTS = num(flags, "nights", 14);
const PER_DAY = num(flags, "per-day", 300);
const K = num(flags, "k", 10);
const GOLDEN = num(flags, "golden", 1);
const CONCURRENCY = num(flags, "concurrency", 6);
const TEST_SIZE = num(flags, "test-size", 0); // 0: the whole test split (3,080)
const SEED = num(flags, "seed", 1);
const NIGHT_TIMEOUT_S = num(flags, "night-timeout", 3600);
const OUT = str(flags, "out", "bench/results/loop.json");
const CHART = str(flags, "chart", "docs/benchmarks/loop.svg");
const METHOD = flags.get("method"); // training method override (product default: "head")
// The goal is ≤ 3 % wrong answers on 300 questions a day, whose sampling noise alone is about ±1 point, so the
// admin asks the trainer for 98 % precision (product default: 90 %).
const TARGET_PRECISION = num(flags, "target-precision", 0.98);
// Stop cleanly (after the night in progress) once this UTC time has passed, e.g. --deadline 2026-11-29T04:50:00Z.
const DEADLINE = flags.has("deadline") ? Date.parse(flags.get("deadline")!) : Infinity;
const CLOSE = str(flags, "close", "true") !== "false"; // the agent closes each conversation when done
const OPEN = num(flags, "open", 0.2);
const NEW_INTENTS = OPEN > 0 ? num(flags, "new-intents", 2) : 0;

interface DayStats {
  questions: number;
  botAnswered: number;
  correct: number;
  wrong: number;
  handoffs: number;
  failed: number;
  // Agent requests answered 401 on a live session (the agent signed in again and retried).
  reauthentications: number;
  refusedSignIns: number;
  containment: number;
  wrongRate: number | null;
  handoffRate: number;
  // questions whose intent had no answer in the bank when the day began, and how many the bot answered (all wrong)
  novelQuestions: number;
  novelAnswered: number;
  novelAnsweredRate: number | null;
  replyP50Ms: number | null;
  seconds: number;
  steps: Record<string, { n: number; meanMs: number }>;
}

interface NightRow {
  night: number;
  servedBy: string | null;
  day: DayStats;
  run: {
    id: string;
    outcome: string;
    candidate: string | null;
    reasons: string[];
    error: string | null;
    snapshotSeconds: number | null;
    trainSeconds: number | null;
    evalSeconds: number | null;
    totalSeconds: number | null;
    epochs: number;
  };
  promoted: boolean;
  activeAfter: string | null;
  // accuracy / coverage / wrong over the test questions of intents in the bank; novelAnswered over the others
  test: {
    version: string;
    accuracy: number;
    coverage: number;
    wrongAmongConfident: number;
    n: number;
    novelN: number;
    novelAnswered: number | null;
  } | null;
  examplesApproved: number;
  loadAverage: number[];
  finishedAt: string;
}

/** A results file of a run kept with --keep, which --resume continues. */
interface Resumed {
  stateDir: string;
  rows: NightRow[];
  startedAt: string;
}

/** The reply bank as the agent knows it: each intent's answer and back, and the answers being written now. */
interface Bank {
  answerOf: Map<string, { id: string; text: string }>;
  intentOf: Map<string, string>;
  writing: Map<string, Promise<unknown>>;
}

interface CustomerPool {
  all: Customer[];
  take(): Promise<Customer>;
  giveBack(c: Customer): void;
}

/** Everything a day and a night run against: the product's processes, the team's sessions, the bank, the customers. */
interface Stack {
  db: Database;
  server: ServerProcess;
  admin: Api;
  agent: Api;
  settings: unknown;
  bank: Bank;
  customers: CustomerPool;
  approved: number;
}

type DayQuestion = Row & { golden?: boolean; novel?: boolean };
type Outcome = { kind: "bot" | "handoff" | "failed"; correct: boolean; ms: number };

const stepMs = new Map<string, number[]>();
const meanMs = (v: number[]) => Math.round(v.reduce((a, b) => a + b, 0) / v.length);
async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    const l = stepMs.get(name) ?? [];
    l.push(performance.now() - t0);
    stepMs.set(name, l);
  }
}
function stepSummary(): Record<string, { n: number; meanMs: number }> {
  const out: Record<string, { n: number; meanMs: number }> = {};
  for (const [k, v] of stepMs) out[k] = { n: v.length, meanMs: meanMs(v) };
  stepMs.clear();
  return out;
}

const answersSpec = readAnswers();
const specOf = new Map(answersSpec.map((a) => [a.intent, a]));
const train = readSplit("train");
const testSplit = readSplit("test");
const test = TEST_SIZE > 0 ? shuffle([...testSplit], rng(SEED + 1)).slice(0, TEST_SIZE) : testSplit;

// Intents whose answers emerge later (open traffic): NEW_INTENTS a night, drawn in a seeded order.
const emerging = shuffle([...new Set(answersSpec.map((a) => a.intent))].sort(), rng(SEED + 7)).slice(0, NEW_INTENTS * NIGHTS);
const emergesOn = new Map(emerging.map((intent, k) => [intent, 1 + Math.floor(k / Math.max(1, NEW_INTENTS))]));

/** The train split dealt out: day 0's seed questions, the pool the later days draw from, the emerging intents' own. */
interface Traffic {
  seedRows: (Row & { golden: boolean })[];
  pool: Row[];
  novelPool: Map<string, Row[]>;
}

/**
 * Day 0: k per intent of the initial bank, in a seeded order; everything else is the pool the days draw from
 * without replacement (the emerging intents' questions in a pool of their own).
 */
function dealQuestions(): Traffic {
  const traffic: Traffic = { seedRows: [], pool: [], novelPool: new Map() };
  const perIntent = new Map<string, number>();
  for (const r of shuffle([...train], rng(SEED))) {
    if (emergesOn.has(r.intent)) {
      traffic.novelPool.set(r.intent, [...(traffic.novelPool.get(r.intent) ?? []), r]);
      continue;
    }
    const n = perIntent.get(r.intent) ?? 0;
    if (n < K) {
      traffic.seedRows.push({ ...r, golden: n < GOLDEN });
      perIntent.set(r.intent, n + 1);
    } else traffic.pool.push(r);
  }
  return traffic;
}

/** Questions of intents that emerged before day d are in-scope traffic from then on: dealt into the unused pool. */
function releaseEmerged({ pool, novelPool }: Traffic, d: number, cursor: number): void {
  const released = emerging
    .filter((i) => (emergesOn.get(i) ?? Infinity) < d && novelPool.has(i))
    .flatMap((i) => {
      const rows = novelPool.get(i)!;
      novelPool.delete(i);
      return rows;
    });
  if (released.length) pool.splice(cursor, pool.length - cursor, ...shuffle([...pool.slice(cursor), ...released], rng(SEED * 7919 + d)));
}

/** Day d's questions: the share of open traffic from the intents emerging that day, the rest from the bank's. */
function questionsOfDay({ novelPool }: Traffic, d: number, known: Row[]): (Row & { novel: boolean })[] {
  const today = emerging.filter((i) => emergesOn.get(i) === d);
  const nNovel = today.length ? Math.round(OPEN * PER_DAY) : 0;
  const novel: (Row & { novel: boolean })[] = [];
  for (let k = 0; novel.length < nNovel && k < nNovel * 2; k++) {
    const list = novelPool.get(today[k % today.length]) ?? [];
    if (list.length) novel.push({ ...list.shift()!, novel: true });
  }
  return shuffle([...novel, ...known.slice(0, PER_DAY - novel.length).map((r) => ({ ...r, novel: false }))], rng(SEED * 1000 + d));
}

// The server of the run in progress, for the failure handler.
let server: ServerProcess | null = null;

async function main() {
  const started = new Date();
  log(
    `loop: ${NIGHTS} nights × ${PER_DAY} questions, k=${K} (${GOLDEN} golden) per intent, concurrency ${CONCURRENCY}, test ${test.length}; load ${machine().loadAverage.join(" ")}`,
  );
  const resumed = readResumed();
  const traffic = dealQuestions();
  const stack = await startStack(resumed);
  const rows: NightRow[] = resumed ? resumed.rows : [];
  await runNights(stack, traffic, rows, !!resumed, (done) => saveResults(stack, rows, { started, resumed, done }));
  for (const c of stack.customers.all) c.close();
  await stack.server.stop();
  await stack.db.stop();
  log(`wrote ${OUT} and ${CHART}${flags.has("keep") ? `; database kept in ${stack.db.dir}` : ""}`);
}

/** --resume: continue a run kept with --keep, from its results file (same flags), after its last night. */
function readResumed(): Resumed | null {
  return flags.has("resume") ? (JSON.parse(fs.readFileSync(path.join(root, OUT), "utf8")) as Resumed) : null;
}

/** The product as a new team starts it: database, server with its trainer, the admin's settings, agent, bank, customers. */
async function startStack(resumed: Resumed | null): Promise<Stack> {
  const db = await startDatabase("loop", flags.has("keep") || !!resumed, resumed?.stateDir);
  server = await startServer(db, "loop", { TRAINER_ENABLED: "true" });
  const { admin, agent, settings } = await setUpTeam(server.url, !!resumed);
  const bank = await replyBank(agent, !!resumed);
  const customers = await customerPool(server.url);
  return { db, server, admin, agent, settings, bank, customers, approved: 0 };
}

/** The admin sets the trainer up as they would in the console (no cron during the benchmark, nights on demand) and adds the agent. */
async function setUpTeam(url: string, resumed: boolean) {
  const admin = await Api.login(url, ADMIN.email, ADMIN.password);
  const settingsPatch: Record<string, unknown> = { schedule: { enabled: false }, evals: { targetPrecision: TARGET_PRECISION } };
  if (METHOD) settingsPatch.training = { method: METHOD };
  const settings = await admin.patch("/api/trainer/settings", settingsPatch);
  if (!resumed) await admin.post("/api/users", { email: AGENT.email, name: AGENT.name, role: "agent", password: AGENT.password });
  const agent = await Api.login(url, AGENT.email, AGENT.password);
  return { admin, agent, settings };
}

/** The reply bank: every intent's answer except those that emerge later (a resumed run finds the ones it made). */
async function replyBank(agent: Api, resumed: boolean): Promise<Bank> {
  const bank: Bank = { answerOf: new Map(), intentOf: new Map(), writing: new Map() };
  const know = (a: CannedAnswer, id: string) => {
    bank.answerOf.set(a.intent, { id, text: a.text });
    bank.intentOf.set(id, a.intent);
  };
  if (resumed) {
    const { answers } = await agent.get<{ answers: { id: string; title: string; text: string }[] }>("/api/answers?limit=500");
    for (const a of answersSpec) {
      const found = answers.find((x) => x.title === a.title && x.text === a.text);
      if (found) know(a, found.id);
    }
  }
  for (const a of resumed ? [] : answersSpec.filter((x) => !emergesOn.has(x.intent))) {
    const res = await agent.post<{ answer: { id: string } }>("/api/answers", { title: a.title, text: a.text });
    know(a, res.answer.id);
  }
  log(`created ${bank.answerOf.size} answers`);
  return bank;
}

/** Customers: a small pool of widget identities, each question in a new conversation; a question waits for a free one. */
async function customerPool(url: string): Promise<CustomerPool> {
  const all: Customer[] = [];
  const nCustomers = Math.max(CONCURRENCY * 4, 8);
  for (let i = 0; i < nCustomers; i++) {
    const c = new Customer(url);
    await c.open(loopbackAddress(i));
    all.push(c);
  }
  const free = [...all];
  const waiting: ((c: Customer) => void)[] = [];
  return {
    all,
    take: () => new Promise<Customer>((resolve) => (free.length ? resolve(free.shift()!) : waiting.push(resolve))),
    giveBack(c) {
      const w = waiting.shift();
      if (w) w(c);
      else free.push(c);
    },
  };
}

/**
 * Day 0 and night 0 (unless resumed), then a day and a night each until --nights, the deadline or the train split
 * runs out. Each night's test accuracy is measured during the next day and its row saved after it.
 */
async function runNights(stack: Stack, traffic: Traffic, rows: NightRow[], resumed: boolean, save: (done: boolean) => void) {
  let measuring: Promise<void> = Promise.resolve();
  const nightDone = (row: NightRow) => {
    rows.push(row);
    measuring = measureTest(stack, row);
  };
  const finishNight = async () => {
    await measuring;
    logRow(rows[rows.length - 1]);
    save(false);
  };

  if (!resumed) {
    log(`day 0: ${traffic.seedRows.length} seed questions`);
    const day0 = await runDay(stack, traffic.seedRows);
    log(`day 0 done in ${day0.seconds}s: ${day0.handoffs} hand-offs, ${day0.failed} failed`);
    nightDone(await night(stack, 0, day0, null));
  }

  let cursor = (rows.length - 1) * PER_DAY;
  for (let n = rows.length; n <= NIGHTS; n++) {
    const stop = reasonToStop(n, cursor, traffic);
    if (stop) {
      log(stop);
      break;
    }
    releaseEmerged(traffic, n, cursor);
    const rowsToday = questionsOfDay(traffic, n, traffic.pool.slice(cursor, cursor + PER_DAY));
    cursor += rowsToday.filter((r) => !r.novel).length;
    const servedBy = await activeModel(stack.server.url);
    log(`day ${n}: ${rowsToday.length} questions, bot on ${servedBy ?? "no model"}`);
    const d = await runDay(stack, rowsToday);
    log(`day ${n} done in ${d.seconds}s`);
    await finishNight();
    nightDone(await night(stack, n, d, servedBy));
  }
  if (rows.length > 0) await finishNight();
  save(true);
}

/** Why day n does not run (the deadline has passed, the train split is used up), or null. */
function reasonToStop(n: number, cursor: number, traffic: Traffic): string | null {
  if (Date.now() > DEADLINE) return `deadline passed: stopping after night ${n - 1}`;
  if (cursor + PER_DAY > traffic.pool.length) return `train split exhausted before night ${n}`;
  return null;
}

/** One day's questions, CONCURRENCY customers at a time, and what came of them. */
async function runDay(stack: Stack, rows: DayQuestion[]): Promise<DayStats> {
  const t0 = Date.now();
  const reauthBefore = Api.reauthentications;
  const refusedBefore = Api.refusedSignIns;
  const results: (Outcome & { novel: boolean })[] = [];
  let next = 0;
  let lastLog = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < rows.length) {
        const row = rows[next++];
        results.push({ ...(await handle(stack, row, row.golden ?? false)), novel: !!row.novel });
        if (Date.now() - lastLog > 20_000) {
          lastLog = Date.now();
          log(
            `  ${results.length}/${rows.length} questions ${JSON.stringify(Object.fromEntries([...stepMs].map(([k, v]) => [k, meanMs(v)])))}`,
          );
        }
      }
    }),
  );
  const bot = results.filter((r) => r.kind === "bot");
  const correct = bot.filter((r) => r.correct).length;
  const handoffs = results.filter((r) => r.kind === "handoff").length;
  const lat = results
    .map((r) => r.ms)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  const novel = results.filter((r) => r.novel);
  const novelAnswered = novel.filter((r) => r.kind === "bot").length;
  return {
    questions: rows.length,
    botAnswered: bot.length,
    correct,
    wrong: bot.length - correct,
    handoffs,
    failed: results.filter((r) => r.kind === "failed").length,
    reauthentications: Api.reauthentications - reauthBefore,
    refusedSignIns: Api.refusedSignIns - refusedBefore,
    containment: correct / rows.length,
    wrongRate: bot.length ? (bot.length - correct) / bot.length : null,
    handoffRate: handoffs / rows.length,
    novelQuestions: novel.length,
    novelAnswered,
    novelAnsweredRate: novel.length ? novelAnswered / novel.length : null,
    replyP50Ms: lat.length ? Math.round(lat[Math.floor(lat.length / 2)]) : null,
    seconds: Math.round((Date.now() - t0) / 1000),
    steps: stepSummary(),
  };
}

/** One customer question and everything the agent does about it. */
async function handle(stack: Stack, row: Row, golden: boolean): Promise<Outcome> {
  const c = await stack.customers.take();
  try {
    const reply = await timed("ask", () => askWithRetry(c, row.text));
    const cid = reply.conversationId;
    let correct = false;
    if (reply.kind === "bot") correct = await reviewBotReply(stack, row, reply, golden);
    else await answerHandoff(stack, row, reply, golden);
    stack.approved++;
    c.done(cid);
    if (CLOSE) await timed("agent.close", () => stack.agent.post(`/api/conversations/${cid}/close`));
    return { kind: reply.kind, correct, ms: reply.latencyMs };
  } catch (err) {
    log(`question failed: ${(err as Error).message}`);
    return { kind: "failed", correct: false, ms: NaN };
  } finally {
    stack.customers.giveBack(c);
  }
}

async function askWithRetry(c: Customer, text: string): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await c.ask(text);
    } catch (err) {
      const e = err as Error & { code?: string; retryAfter?: number };
      if (attempt < 5 && (e.code === "rate_limited" || e.code === "unavailable")) {
        await sleep(1000 * (e.retryAfter ?? 1));
        continue;
      }
      throw err;
    }
  }
}

/** The agent opens the conversation in the console, sees which answer the bot chose, and approves or corrects it. */
async function reviewBotReply(stack: Stack, row: Row, reply: Reply, golden: boolean): Promise<boolean> {
  const { messages } = await timed("agent.read", () =>
    stack.agent.get<{ messages: { id: string; bot?: { answerId?: string } | null }[] }>(
      `/api/conversations/${reply.conversationId}/messages`,
    ),
  );
  const m = messages.find((x) => x.id === reply.message.id);
  const correct = !!m?.bot?.answerId && stack.bank.intentOf.get(m.bot.answerId) === row.intent;
  if (correct)
    await timed("agent.approve", () => stack.agent.post(`/api/reviews/${reply.message.id}/approve`, golden ? { golden: true } : {}));
  // where the bank has no answer for it yet, the correction is the new answer
  else await review(stack, "edit", reply.message.id, row, golden, (spec) => ({ text: spec.text, title: spec.title }));
  return correct;
}

/** A hand-off: the agent takes the conversation, answers with the canonical reply, and approves it. */
async function answerHandoff(stack: Stack, row: Row, reply: Reply, golden: boolean): Promise<void> {
  const cid = reply.conversationId;
  await timed("agent.takeover", () => stack.agent.post(`/api/conversations/${cid}/takeover`));
  const sent = await timed("agent.reply", () =>
    stack.agent.post<{ message: { id: string } }>(`/api/conversations/${cid}/messages`, {
      clientId: `agent-${reply.question.id}`,
      text: (stack.bank.answerOf.get(row.intent) ?? specOf.get(row.intent)!).text,
    }),
  );
  // where the bank has no answer for it yet, approving the agent's own words makes them the new answer
  await review(stack, "approve", sent.message.id, row, golden, (spec) => ({ title: spec.title }));
}

/**
 * The agent's review (edit or approve) of a message as the intent's answer. Where the bank has none yet, the review
 * writes it, with `asNew` as the review's body.
 */
async function review(
  stack: Stack,
  action: "edit" | "approve",
  messageId: string,
  row: Row,
  golden: boolean,
  asNew: (spec: CannedAnswer) => object,
): Promise<unknown> {
  const post = (body: object) => stack.agent.post<{ answer: { id: string } }>(`/api/reviews/${messageId}/${action}`, body);
  const withAnswer = () => post({ answerId: stack.bank.answerOf.get(row.intent)!.id, ...(golden ? { golden: true } : {}) });
  if (stack.bank.answerOf.has(row.intent)) return timed(`agent.${action}`, withAnswer);
  return timed(`agent.${action}`, () => answerNew(stack.bank, row.intent, (spec) => post(asNew(spec)), withAnswer));
}

/** The first time an agent meets an intent with no answer they write it; two agents never write the same one. */
async function answerNew(
  bank: Bank,
  intent: string,
  write: (spec: CannedAnswer) => Promise<{ answer: { id: string } }>,
  existing: () => Promise<unknown>,
) {
  while (bank.writing.has(intent)) await bank.writing.get(intent);
  if (bank.answerOf.has(intent)) return existing();
  const spec = specOf.get(intent)!;
  const p = write(spec).then((res) => {
    bank.answerOf.set(intent, { id: res.answer.id, text: spec.text });
    bank.intentOf.set(res.answer.id, intent);
  });
  bank.writing.set(
    intent,
    p.catch(() => {}),
  );
  try {
    await p;
  } finally {
    bank.writing.delete(intent);
  }
}

/** Night n: "train now" with the gate, the hot-swap when it promotes, and the night's row. */
async function night(stack: Stack, n: number, day: DayStats, servedBy: string | null): Promise<NightRow> {
  const r = await trainNow(stack.admin, { pollMs: 2000, timeoutS: NIGHT_TIMEOUT_S, name: `night ${n}` });
  const promoted = r.state === "promoted";
  if (promoted) await untilServing(stack.server.url, r.candidateVersion, { pollMs: 250, timeoutMs: 300_000 });
  return {
    night: n,
    servedBy,
    day,
    run: runSummary(r),
    promoted,
    activeAfter: await activeModel(stack.server.url),
    test: null, // filled in by measureTest, while the next day runs
    examplesApproved: stack.approved,
    loadAverage: machine().loadAverage,
    finishedAt: new Date().toISOString(),
  };
}

/** A finished run's outcome and the seconds of its stages, from its state transitions. */
function runSummary(r: any): NightRow["run"] {
  const at = (s: string) => {
    const t = (r.transitions as { state: string; at: string }[]).find((x) => x.state === s);
    return t ? Date.parse(t.at) : null;
  };
  const span = (a: number | null, b: number | null) => (a !== null && b !== null ? Math.round((b - a) / 100) / 10 : null);
  const end = r.finishedAt ? Date.parse(r.finishedAt) : null;
  return {
    id: r.id,
    outcome: r.state,
    candidate: r.candidateVersion ?? null,
    reasons: r.reasons ?? [],
    error: r.error ?? null,
    snapshotSeconds: span(at("snapshotting"), at("training")),
    trainSeconds: span(at("training"), at("evaluating")),
    evalSeconds: span(at("evaluating"), end),
    totalSeconds: span(at("snapshotting"), end),
    epochs: (r.epochs ?? []).length,
  };
}

// BANKING77 test accuracy of the version live after a night, computed in this process while the next day's
// traffic runs (the server's inference is single-threaded, so this uses the otherwise idle core).
function measureTest(stack: Stack, row: NightRow): Promise<void> {
  return (row.activeAfter ? testAccuracy(stack.server.modelsDir, row.activeAfter, stack.bank) : Promise.resolve(null)).then(
    (t) => void (row.test = t),
    (err) => log(`test accuracy of ${row.activeAfter} failed: ${(err as Error).message}`),
  );
}

const testCache = new Map<string, NightRow["test"]>();
/**
 * BANKING77 test accuracy of a version, from the artifact the chat server downloaded and verified for it
 * (MODELS_DIR/<version>): accuracy, coverage and wrong answers over the intents in the bank, and how often the
 * bot answered a question whose intent had no answer.
 */
async function testAccuracy(modelsDir: string, version: string, bank: Bank): Promise<NightRow["test"]> {
  if (testCache.has(version)) return testCache.get(version)!;
  const inBank = new Set(bank.answerOf.keys());
  const dir = path.join(modelsDir, version);
  const { loadPredictor } = await import("../trainer/index.js");
  const p = await loadPredictor(dir, { baseModelDir: path.join(root, ".local/models/all-MiniLM-L6-v2") });
  let right = 0;
  let confident = 0;
  let confidentWrong = 0;
  let novelN = 0;
  let novelAnswered = 0;
  // Small chunks: each forward pass blocks this process's event loop, which also carries the simulated customers'
  // sockets (a long block misses socket.io's heartbeats and the server drops them). Batching gains nothing on wasm.
  for (let i = 0; i < test.length; i += 8) {
    const chunk = test.slice(i, i + 8);
    await new Promise((r) => setImmediate(r));
    const preds = await p.predictBatch(chunk.map((r) => ({ text: r.text, previousTurn: null })));
    preds.forEach((pr, j) => {
      if (!inBank.has(chunk[j].intent)) {
        novelN++;
        if (pr.answer) novelAnswered++;
        return;
      }
      const ok = bank.intentOf.get(pr.label) === chunk[j].intent;
      if (ok) right++;
      if (pr.answer) {
        confident++;
        if (!ok) confidentWrong++;
      }
    });
  }
  p.dispose();
  const n = test.length - novelN;
  const res = {
    version,
    accuracy: right / n,
    coverage: confident / n,
    wrongAmongConfident: confident ? confidentWrong / confident : 0,
    n,
    novelN,
    novelAnswered: novelN ? novelAnswered / novelN : null,
  };
  testCache.set(version, res);
  return res;
}

/** Writes --out (the rows so far and how they were made) and the chart. */
function saveResults(stack: Stack, rows: NightRow[], run: { started: Date; resumed: Resumed | null; done: boolean }) {
  const { started, resumed, done } = run;
  const result = {
    benchmark: "loop",
    dataset: {
      name: "BANKING77",
      citation: "Casanueva et al. 2020, Efficient Intent Detection with Dual Sentence Encoders (CC BY 4.0)",
      train: train.length,
      test: test.length,
      intents: stack.bank.answerOf.size,
    },
    params: {
      nights: NIGHTS,
      perDay: PER_DAY,
      k: K,
      golden: GOLDEN,
      concurrency: CONCURRENCY,
      seed: SEED,
      testSize: test.length,
      targetPrecision: TARGET_PRECISION,
      open: OPEN,
      newIntentsPerDay: NEW_INTENTS,
      emergingIntents: emerging,
    },
    trainerSettings: stack.settings,
    machine: machine(),
    startedAt: resumed?.startedAt ?? started.toISOString(),
    resumedAt: resumed ? started.toISOString() : undefined,
    updatedAt: new Date().toISOString(),
    complete: done,
    stoppedEarly: done && rows.length - 1 < NIGHTS,
    stateDir: flags.has("keep") || resumed ? stack.db.dir : null,
    nightsCompleted: rows.length - 1,
    rows,
  };
  writeOutput(OUT, JSON.stringify(result, null, 2) + "\n");
  drawChart(rows, result.params);
}

function logRow(r: NightRow) {
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? "  -  " : `${(x * 100).toFixed(1)}%`);
  log(
    `night ${r.night}: day containment ${pct(r.day.containment)}, wrong ${pct(r.day.wrongRate)}, hand-off ${pct(r.day.handoffRate)}, novel answered ${pct(r.day.novelAnsweredRate)} of ${r.day.novelQuestions} (served by ${r.servedBy ?? "none"}) | run ${r.run.outcome} ${r.run.candidate ?? ""} train ${r.run.trainSeconds ?? "-"}s total ${r.run.totalSeconds ?? "-"}s | active ${r.activeAfter} test acc ${pct(r.test?.accuracy)}`,
  );
  if (r.run.reasons.length) log(`  reasons: ${r.run.reasons.join("; ")}`);
}

function drawChart(rows: NightRow[], params: { perDay: number; k: number }) {
  const days = rows.filter((r) => r.night >= 1);
  const svg = lineChart({
    title: "Understudy nightly loop on BANKING77",
    subtitle: `${params.perDay} customer questions a day, k=${params.k} seed questions per intent; x = day (served by the model of the night before)`,
    xLabel: "day",
    yLabel: "share",
    yMin: 0,
    yMax: 1,
    yFormat: (v) => `${Math.round(v * 100)}%`,
    hlines: [
      { y: 0.75, label: "goal ≥ 75% contained", color: "#2a7" },
      { y: 0.03, label: "goal ≤ 3% wrong", color: "#c33" },
    ],
    series: [
      { name: "containment", color: "#2a7", points: days.map((r) => ({ x: r.night, y: r.day.containment })) },
      { name: "wrong among bot answers", color: "#c33", points: days.map((r) => ({ x: r.night, y: r.day.wrongRate })) },
      { name: "hand-off", color: "#888", points: days.map((r) => ({ x: r.night, y: r.day.handoffRate })) },
      {
        name: "test accuracy (after night)",
        color: "#36c",
        dashed: true,
        points: rows.map((r) => ({ x: r.night, y: r.test?.accuracy ?? null })),
      },
    ],
  });
  writeOutput(CHART, svg);
}

runBenchmark("loop", main, () => ({ server }));
