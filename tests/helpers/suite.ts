import { after, before, beforeEach } from "node:test";
import { clearDatabase, startTestDatabase, type TestDatabase } from "./database.js";
import { startTestServer, type TestServer } from "./server.js";
import { loginAs, type LoggedInAgent } from "./agents.js";

// One server (or database) per test file, started in `before` and stopped in `after`. The value reaches the
// file through `use`, so test bodies keep reading a plain top-level `let`.

export interface PerFileOptions {
  /** Empty every collection before each test, for files whose tests must not see each other's data. */
  clearBetweenTests?: boolean;
}

export interface ServerPerFileOptions extends PerFileOptions {
  /** Runs in `after` before the server stops (e.g. closing client sockets, so the server need not wait on them). */
  beforeStop?: () => void;
}

function clearBetweenTests(opts: PerFileOptions): void {
  if (!opts.clearBetweenTests) return;
  beforeEach(async () => {
    await clearDatabase();
  });
}

/** A server per file over its own database. */
export function useTestServer(use: (t: TestServer) => void, opts: ServerPerFileOptions = {}): void {
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer();
    use(t);
  });
  after(async () => {
    opts.beforeStop?.();
    await t?.stop();
  });
  clearBetweenTests(opts);
}

export interface ServerWithLogins {
  t: TestServer;
  admin: LoggedInAgent;
  agent: LoggedInAgent;
}

/** A server per file plus one signed-in admin and one signed-in agent, for files that test who may do what. */
export function useTestServerWithLogins(use: (s: ServerWithLogins) => void): void {
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer();
    const admin = await loginAs(t.url, "admin");
    const agent = await loginAs(t.url, "agent");
    use({ t, admin, agent });
  });
  after(async () => {
    await t?.stop();
  });
}

/** A database per file, without a server, for tests that call the server's modules directly. */
export function useTestDatabase(opts: PerFileOptions = {}, use?: (db: TestDatabase) => void): void {
  let db: TestDatabase | undefined;
  before(async () => {
    db = await startTestDatabase();
    use?.(db);
  });
  after(async () => {
    await db?.stop();
  });
  clearBetweenTests(opts);
}
