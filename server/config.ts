import net from "node:net";
import path from "node:path";
import { z } from "zod";
import { parseAllowList } from "./outbound/allowList.js";
import { SYNCHRONOUS } from "./db/embeddedMongo.js";

// Every setting comes from the environment and is checked once at start, so a typo fails loudly
// with the variable's name instead of surfacing later as odd behaviour.
const boolean = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "must start with mongodb:// or mongodb+srv://")
    .optional(),
  DATA_DIR: z.string().min(1).default("data"),
  FERRETDB_BIN: z.string().min(1).default(".local/bin/ferretdb"),
  // The embedded database's SQLite `synchronous`: NORMAL survives any crash of the processes; FULL also a power
  // loss, at an fsync per write (docs/security.md).
  DB_SYNCHRONOUS: z.enum(SYNCHRONOUS).default("NORMAL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .optional(),
  BASE_MODEL_DIR: z.string().min(1).default(".local/models/all-MiniLM-L6-v2"),
  MODELS_DIR: z.string().min(1).default("data/models"),
  TFJS_BACKEND: z.enum(["wasm", "cpu", "webgpu", "tensorflow"]).optional(),
  SESSION_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  CORS_ORIGINS: z.string().default("*"),
  TRAINER_SCHEDULE: z.string().default("0 2 * * *"),
  TRAINER_TIMEZONE: z.string().default("UTC"),
  TRAINER_ENABLED: boolean.default("true"),
  // Fill an empty database with the sample shop (server/demo); unset = only an embedded database in development.
  DEMO: boolean.optional(),
  // The demo's order service (scripts/order-service) listens here on 127.0.0.1; the sample order_status action calls it.
  DEMO_ORDERS_PORT: z.coerce.number().int().min(1).max(65535).default(4555),
  RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: boolean.optional(),
  // Log database commands slower than this (ms); unset = off.
  DB_SLOW_MS: z.coerce.number().int().min(0).optional(),
  // Count every database command by chat-turn stage, command and collection (GET /api/analytics/database).
  DB_TALLY: boolean.default("false"),
  // Where actions and webhooks may call: comma-separated origins (https://api.shop.example, https://*.shop.example);
  // plain http and private addresses only when an entry names them (http://10.0.0.5:8080).
  OUTBOUND_ALLOWED_URLS: z
    .string()
    .default("")
    .superRefine((v, ctx) => {
      try {
        parseAllowList(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
  // Webhook delivery: first retry after this many ms, doubling up to an hour; a delivery gives up after
  // WEBHOOK_MAX_ATTEMPTS; a subscription is disabled after WEBHOOK_DISABLE_AFTER failed attempts in a row.
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).default(30),
  // The embedding site's secret for signed customer identities (identity verification); unset = off.
  IDENTITY_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  // Proxies whose X-Forwarded-For is believed (express "trust proxy": addresses, CIDRs, loopback, uniquelocal…).
  // Anyone else's is ignored, so a client reaching the app port directly cannot pick the address it is limited by.
  TRUSTED_PROXIES: z
    .string()
    .default("loopback")
    .refine(
      (v) => v.split(",").every((p) => isProxySpec(p.trim())),
      "must list IP addresses, CIDR ranges, loopback, linklocal, uniquelocal or none",
    ),
  // Swagger UI (/api/docs) and the bundles' source maps; unset = on except in production.
  API_DOCS: boolean.optional(),
  SOURCE_MAPS: boolean.optional(),
});

function isProxySpec(p: string): boolean {
  if (["", "none", "loopback", "linklocal", "uniquelocal"].includes(p)) return true;
  const [ip, bits, extra] = p.split("/");
  if (extra !== undefined || !net.isIP(ip!)) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (net.isIPv4(ip!) ? 32 : 128));
}

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): Config {
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(root, p));
  return {
    ...c,
    DATA_DIR: abs(c.DATA_DIR),
    FERRETDB_BIN: abs(c.FERRETDB_BIN),
    BASE_MODEL_DIR: abs(c.BASE_MODEL_DIR),
    MODELS_DIR: abs(c.MODELS_DIR),
  };
}
