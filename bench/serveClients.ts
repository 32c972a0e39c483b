// The client swarm of `npm run bench:serve`, in its own process (started by bench/serve.ts with an IPC channel):
// K widget customers (POST /api/widget/session, then socket.io on /customer), sending `rate` messages a second in
// total (in phases the parent starts, one rate each), each in a new conversation, and timing each message from `message:send` to the bot's reply (or the
// hand-off notice). Counts what was lost (acked, never answered), duplicated (answered twice) or failed (refused
// or never acked).
import { log, num, parseFlags, quantile, rng, str } from "./lib/args.js";
import { readSplit } from "./lib/banking77.js";
import { Customer, loopbackAddress } from "./lib/customer.js";

const flags = parseFlags();
const URL_ = str(flags, "url", "http://127.0.0.1:3000");
const CLIENTS = num(flags, "clients", 2000);
const RATE = num(flags, "rate", 50);
const DURATION_S = num(flags, "duration", 60);
const REPLY_TIMEOUT_S = num(flags, "reply-timeout", 30); // acked but unanswered after this long: lost
const CONNECT_PARALLEL = num(flags, "connect-parallel", 50);

interface Sample {
  sentAt: number; // ms since the start of the measured phase
  latencyMs: number | null;
  kind: "bot" | "handoff" | "lost" | "failed";
  error?: string;
}

const send = (m: unknown) => process.send?.(m);

async function main() {
  const questions = readSplit("test").map((r) => r.text);
  const rand = rng(num(flags, "seed", 7));
  const customers: Customer[] = [];
  const t0 = Date.now();
  let next = 0;
  let connectErrors = 0;
  await Promise.all(
    Array.from({ length: CONNECT_PARALLEL }, async () => {
      while (next < CLIENTS) {
        const i = next++;
        const c = new Customer(URL_);
        for (let attempt = 0; ; attempt++) {
          try {
            await c.open(loopbackAddress(i));
            customers.push(c);
            break;
          } catch (err) {
            if (attempt >= 3) {
              connectErrors++;
              log(`client ${i} could not connect: ${(err as Error).message}`);
              break;
            }
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
        if (customers.length % 250 === 0) log(`${customers.length}/${CLIENTS} clients connected`);
      }
    }),
  );
  const connectSeconds = (Date.now() - t0) / 1000;
  log(`${customers.length} clients connected in ${connectSeconds.toFixed(1)} s (${connectErrors} failed)`);
  send({ type: "ready", clients: customers.length, connectSeconds, connectErrors });
  // Phases, each started by the parent ({type: "start", rate, duration}); {type: "exit"} ends the process.
  const inbox: { type?: string; rate?: number; duration?: number }[] = [];
  let wake: (() => void) | null = null;
  let stopAt = Infinity;
  let sent = 0;
  process.on("message", (m: { type?: string }) => {
    // The parent says when to stop (after the hot-swap has settled); --duration is only the fallback.
    if (m?.type === "stop") stopAt = sent;
    else inbox.push(m);
    wake?.();
  });
  process.once("disconnect", () => process.exit(0));
  const nextCommand = async () => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };
  for (;;) {
    const cmd = await nextCommand();
    if (cmd.type === "exit") break;
    stopAt = Infinity;
    sent = 0;
    send(
      await phase(
        customers,
        questions,
        rand,
        cmd.rate ?? RATE,
        cmd.duration ?? DURATION_S,
        () => stopAt,
        (n) => (sent = n),
        connectErrors,
        connectSeconds,
      ),
    );
  }
  for (const c of customers) c.close();
  setTimeout(() => process.exit(0), 500);
}

/** One measured phase: `rate` messages a second for `durationS` (or until the parent says stop). */
async function phase(
  customers: Customer[],
  questions: string[],
  rand: () => number,
  rate: number,
  durationS: number,
  stopAt: () => number,
  onSent: (n: number) => void,
  connectErrors: number,
  connectSeconds: number,
) {
  // One message every 1000/rate ms, from a random client with nothing outstanding that has not
  // written in the last second (the per-socket write limit is 1/s after a burst of 10).
  const samples: (Sample & { conversationId?: string })[] = [];
  const busy = new Set<Customer>();
  const lastWrite = new Map<Customer, number>();
  const pending: Promise<void>[] = [];
  const disconnectsBefore = customers.reduce((a, c) => a + c.disconnects, 0);
  const start = performance.now();
  const interval = 1000 / rate;
  let sent = 0;
  let skipped = 0;
  const total = () => Math.min(stopAt(), Math.round(rate * durationS));
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Catch up on the schedule if the event loop was late (open-loop load).
      while (sent < total() && start + sent * interval <= now) {
        let c: Customer | null = null;
        for (let tries = 0; tries < 20; tries++) {
          const cand = customers[Math.floor(rand() * customers.length)];
          if (!busy.has(cand) && cand.connected && now - (lastWrite.get(cand) ?? -1e9) > 1100) {
            c = cand;
            break;
          }
        }
        const sentAt = Math.round(now - start);
        sent++;
        onSent(sent);
        if (!c) {
          skipped++;
          continue;
        }
        busy.add(c);
        lastWrite.set(c, now);
        const cust = c;
        const text = questions[Math.floor(rand() * questions.length)];
        pending.push(
          cust
            .ask(text, REPLY_TIMEOUT_S * 1000)
            .then(
              (r) => void samples.push({ sentAt, latencyMs: r.latencyMs, kind: r.kind, conversationId: r.conversationId }),
              (err: Error & { code?: string }) =>
                void samples.push({
                  sentAt,
                  latencyMs: null,
                  kind: /no reply/.test(err.message) ? "lost" : "failed",
                  error: err.code ?? err.message,
                }),
            )
            .finally(() => busy.delete(cust)),
        );
      }
      if (sent >= total()) resolve();
      else setTimeout(tick, Math.max(0, Math.min(interval, start + sent * interval - performance.now())));
    };
    tick();
    const progress = setInterval(() => {
      const el = (performance.now() - start) / 1000;
      if (sent >= total()) return clearInterval(progress);
      send({ type: "progress", t: el, sent, done: samples.length });
    }, 5000);
  });
  const sendSeconds = (performance.now() - start) / 1000;
  log(`sent ${sent - skipped} messages in ${sendSeconds.toFixed(1)} s (${skipped} slots skipped: no idle client); waiting for replies`);
  await Promise.all(pending);
  // Let any late duplicate arrive before counting.
  await new Promise((r) => setTimeout(r, 2000));
  const replies = samples.filter((s) => s.kind === "bot" || s.kind === "handoff");
  const lat = replies.map((s) => s.latencyMs!).sort((a, b) => a - b);
  // Every message opens its own conversation: a second reply in one of this phase's conversations is a duplicate.
  const mine = new Set(replies.map((s) => s.conversationId!));
  let duplicated = 0;
  let conversations = 0;
  for (const c of customers)
    for (const [id, n] of c.repliesByConversation) {
      if (!mine.has(id)) continue;
      conversations++;
      if (n > 1) duplicated += n - 1;
    }
  const lastReply = Math.max(...replies.map((s) => s.sentAt + s.latencyMs!));
  return {
    type: "result",
    rate,
    clients: customers.length,
    connectErrors,
    connectSeconds,
    disconnects: customers.reduce((a, c) => a + c.disconnects, 0) - disconnectsBefore,
    sent: sent - skipped,
    skipped,
    replied: replies.length,
    botReplies: replies.filter((s) => s.kind === "bot").length,
    handoffs: replies.filter((s) => s.kind === "handoff").length,
    lost: samples.filter((s) => s.kind === "lost").length,
    failed: samples.filter((s) => s.kind === "failed").length,
    duplicated,
    conversations,
    errors: [...new Set(samples.filter((s) => s.error).map((s) => s.error))].slice(0, 10),
    sendSeconds,
    messagesPerSecond: replies.length / (Math.max(lastReply, sendSeconds * 1000) / 1000),
    latencyMs: {
      p50: quantile(lat, 0.5),
      p95: quantile(lat, 0.95),
      p99: quantile(lat, 0.99),
      max: lat[lat.length - 1],
      mean: lat.reduce((a, b) => a + b, 0) / (lat.length || 1),
    },
    samples: samples.map((s) => [s.sentAt, s.latencyMs === null ? null : Math.round(s.latencyMs * 10) / 10, s.kind]),
  };
}

main().catch((err) => {
  log(`client swarm failed: ${(err as Error).stack}`);
  send({ type: "error", message: (err as Error).message });
  process.exit(1);
});
