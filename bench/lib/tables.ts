// Prints the results as Markdown tables for docs/benchmarks.md: `npx tsx bench/lib/tables.ts`.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)} %`);
const read = (name: string) => {
  const f = path.join(root, `bench/results/${name}.json`);
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null;
};

const loop = read("loop");
if (loop) {
  console.log(
    `**Loop** — ${loop.params.k} seed questions per intent (${loop.params.golden} golden), ${loop.params.perDay} questions a day, concurrency ${loop.params.concurrency}, test questions ${loop.params.testSize}; started ${loop.startedAt}, load average at the end ${loop.machine.loadAverage.join(" / ")} on ${loop.machine.cores} cores; ${loop.nightsCompleted} of ${loop.params.nights} nights${loop.complete ? "" : " (run still in progress or stopped)"}.\n`,
  );
  console.log(
    "| night | day: questions | served by | containment | wrong among bot answers | hand-off | failed | night's run | train s | run total s | active after | test accuracy | test coverage | wrong among confident (test) |",
  );
  console.log("| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: |");
  for (const r of loop.rows) {
    console.log(
      `| ${r.night} | ${r.day.questions} | ${r.servedBy ?? "none"} | ${pct(r.day.containment)} | ${pct(r.day.wrongRate)} | ${pct(r.day.handoffRate)} | ${r.day.failed} | ${r.run.outcome} ${r.run.candidate ?? ""} | ${r.run.trainSeconds ?? "–"} | ${r.run.totalSeconds ?? "–"} | ${r.activeAfter ?? "none"} | ${pct(r.test?.accuracy)} | ${pct(r.test?.coverage)} | ${pct(r.test?.wrongAmongConfident)} |`,
    );
  }
  for (const r of loop.rows) if (r.run.reasons.length) console.log(`\nNight ${r.night} gate: ${r.run.reasons.join("; ")}`);
  console.log("");
}
const serve = read("serve");
if (serve) {
  const f = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(1));
  console.log(
    `**Serve** — ${serve.connect.clients} clients (${serve.connect.errors} failed to connect, ${f(serve.connect.seconds)} s to connect), ${serve.params.rate} msg/s for ${serve.params.durationSeconds} s, ${serve.models.mode} ${serve.models.before} → ${serve.models.after} at ${f(serve.hotSwap.startSecond)} s (took ${f(serve.hotSwap.seconds)} s); load average before ${serve.machine.loadAverageBefore.join(" / ")}.\n`,
  );
  console.log("| window | replies | p50 ms | p95 ms | p99 ms | max ms |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| all | ${serve.messages.replied} | ${f(serve.latencyMs.p50)} | ${f(serve.latencyMs.p95)} | ${f(serve.latencyMs.p99)} | ${f(serve.latencyMs.max)} |`,
  );
  for (const [k, w] of Object.entries(serve.latencyWindowsMs) as [string, any][])
    console.log(`| ${k} | ${w.n} | ${f(w.p50)} | ${f(w.p95)} | ${f(w.p99)} | ${f(w.max)} |`);
  console.log(
    `\n${f(serve.messagesPerSecond)} replies/s; server CPU ${serve.server.cpuCoresMean.toFixed(2)} cores mean (max ${serve.server.cpuCoresMax.toFixed(2)}), RSS ${serve.connect.serverRssMiBIdle} MiB with clients connected, max ${serve.server.rssMiBMax} MiB. Sent ${serve.messages.sent}: bot replies ${serve.messages.botReplies}, hand-offs ${serve.messages.handoffs}, **lost ${serve.messages.lost}, duplicated ${serve.messages.duplicated}, failed ${serve.messages.failed}**${serve.messages.errors.length ? ` (errors: ${serve.messages.errors.join(", ")})` : ""}; ${serve.messages.skippedSlots} send slots skipped (no idle client).`,
  );
}
