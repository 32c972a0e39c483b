// Worker threads do not inherit tsx's loader from the parent under Node 20, so a worker starts here,
// registers it, and then imports its TypeScript entry (workerData.entry, a file URL).
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";

register();
await import(workerData.entry);
