import { fork } from "node:child_process";
const child = fork("bench/serveClients.ts", ["--url", process.argv[2], "--clients", "100", "--rate", "4", "--duration", "10"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
child.on("message", (m: any) => {
  if (m.type === "ready") { console.log("ready", m); child.send({ type: "start" }); }
  else if (m.type === "result") { const { samples, ...rest } = m; console.log(JSON.stringify(rest), samples.slice(0, 3)); }
  else console.log(m);
});
