import fsp from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { Answer } from "../models/answer.js";
import { Setting } from "../models/setting.js";
import { User } from "../models/user.js";
import { importApplier } from "../imports/importCommands.js";
import { requestRunNow } from "../nightly/runQueue.js";
import { ensureDemoUsers, readDemoSignIn, type DemoSignIn } from "./demoUsers.js";
import { seedDemoConversations } from "./demoConversations.js";
import { demoActionsLoader } from "./demoActions.js";
import type { DemoOrderService } from "./demoOrderService.js";

export const SAMPLE_DIR = path.resolve(import.meta.dirname, "../../samples/acme-tea");
const DEMO_KEY = "demo";

/**
 * Whether this start may fill an empty database with the sample shop. Never against a real MongoDB
 * (MONGODB_URI) nor with DEMO=false; on the embedded database by default in development, or with DEMO=true.
 */
export function demoEnabled(config: Pick<Config, "DEMO" | "MONGODB_URI" | "NODE_ENV">): boolean {
  if (config.MONGODB_URI || config.DEMO === false) return false;
  return config.DEMO ?? config.NODE_ENV === "development";
}

/** Whether this database holds the demo workspace, or is empty and about to get it. */
export async function demoWorkspaceExpected(): Promise<boolean> {
  return !!(await Setting.exists({ _id: DEMO_KEY })) || !(await Answer.exists({}));
}

export interface DemoResult {
  loaded: boolean;
  signIn: DemoSignIn[];
  runId: string | null;
}

/**
 * Loads the sample workspace (Acme Tea Co.'s FAQ through the ordinary FAQ import, its order_status action on
 * the "Where is my order" answer, a demo admin and agent, a few past conversations) into an empty reply bank,
 * once, and queues "train now" so the trainer makes v1 through the normal nightly path. A database that has
 * answers, or had the demo before, is left alone.
 */
export async function demoWorkspaceLoader(config: Config): Promise<DemoResult> {
  const marker = await Setting.findById(DEMO_KEY).lean();
  if (marker || (await Answer.exists({})))
    return { loaded: false, signIn: (marker && (await readDemoSignIn(config.DATA_DIR))) || [], runId: null };
  // Claimed first, so two processes starting together do not both load it.
  try {
    await Setting.create({ _id: DEMO_KEY, value: { state: "loading", at: new Date() } });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return { loaded: false, signIn: [], runId: null };
    throw err;
  }
  const started = Date.now();
  const signIn = await ensureDemoUsers(config.DATA_DIR);
  const faq = path.join(SAMPLE_DIR, "faq.jsonl");
  const { report, done } = await importApplier(null, {
    kind: "faq",
    format: "jsonl",
    bytes: await fsp.readFile(faq),
    fileName: "acme-tea/faq.jsonl",
    mode: "approved",
  });
  await done;
  const actions = await demoActionsLoader(config, path.join(SAMPLE_DIR, "actions.json"));
  const agent = await User.findOne({ email: "agent@acmetea.example" }, { _id: 1 }).lean();
  const conversations = await seedDemoConversations(path.join(SAMPLE_DIR, "conversations.json"), agent?._id ?? null);
  const { run } = await requestRunNow(null);
  await Setting.updateOne(
    { _id: DEMO_KEY },
    {
      $set: {
        value: {
          state: "loaded",
          at: new Date(),
          runId: String(run._id),
          answers: report.answers.created,
          examples: report.examples.created,
          actions,
          conversations,
        },
      },
    },
  );
  logger.info(
    {
      answers: report.answers.created,
      examples: report.examples.created,
      actions,
      conversations,
      ms: Date.now() - started,
      runId: String(run._id),
    },
    "loaded the demo workspace (Acme Tea Co.); training v1 in the background",
  );
  return { loaded: true, signIn, runId: String(run._id) };
}

/** What a newcomer reads at start: where to sign in, and with what. */
export function demoBanner(port: number, host: string, signIn: DemoSignIn[], orders: DemoOrderService | null = null): string {
  const url = `http://${host}:${port}`;
  const lines = [
    "",
    "  Demo workspace: Acme Tea Co. (set DEMO=false for a start without it)",
    `    shop page with the chat widget  ${url}/`,
    `    console                         ${url}/console/`,
    ...signIn.map((s) => `    ${s.role.padEnd(6)} ${s.email}  password ${s.password}`),
    "    v1 trains in the background; the widget answers once the console shows it under Models.",
    ...(orders
      ? [
          `    order service                   ${orders.url} (pid ${orders.pid}), called by the order_status action:`,
          `      ask "where is my order 4321?"; stop it (kill ${orders.pid}) and the bot hands the question to a person.`,
        ]
      : []),
    "",
  ];
  return lines.join("\n");
}
