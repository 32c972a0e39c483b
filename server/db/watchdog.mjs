// Runs one program (argv[2..]) for as long as the process that started this one is alive.
// That parent holds our stdin, a pipe; the kernel closes its end whatever ends the parent (kill -9, OOM,
// a crash), and the EOF here stops the program: SIGTERM, then SIGKILL after 5 s. Signals that reach us
// are passed on the same way. We exit with the program's exit code. Plain JavaScript, so it starts in
// milliseconds without a TypeScript loader.
import { spawn } from "node:child_process";

const [program, ...args] = process.argv.slice(2);
const child = spawn(program, args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 5000).unref();
}

child.on("error", (err) => {
  console.error(`watchdog: cannot run ${program}: ${err.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
process.stdin.resume();
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, stop);
