import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config.js";

const cache = new Map<string, string>();

/**
 * The key that signs widget tokens and sessions. SESSION_SECRET wins; without it a random secret is
 * generated once and kept in `${DATA_DIR}/secret`, so `npm start` works with no configuration and a
 * restart does not log every customer out.
 */
export function getServerSecret(config: Pick<Config, "SESSION_SECRET" | "DATA_DIR">): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = path.join(config.DATA_DIR, "secret");
  const cached = cache.get(file);
  if (cached) return cached;
  let secret: string;
  try {
    secret = fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    fs.mkdirSync(config.DATA_DIR, { recursive: true });
    secret = crypto.randomBytes(32).toString("base64url");
    try {
      // "wx": if another process won the race, read its secret instead of overwriting it.
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== "EEXIST") throw writeErr;
      secret = fs.readFileSync(file, "utf8").trim();
    }
  }
  if (secret.length < 16) throw new Error(`The secret in ${file} is too short; delete the file to regenerate it`);
  cache.set(file, secret);
  return secret;
}
