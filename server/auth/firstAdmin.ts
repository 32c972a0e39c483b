import type { Config } from "../config.js";
import { logger } from "../logger.js";
import { User } from "../models/user.js";
import { audit } from "../audit/index.js";
import { hashPassword } from "./password.js";

/**
 * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no admin exists yet. Once any admin
 * exists the env is ignored, so a leftover ADMIN_PASSWORD cannot reset a changed password.
 */
export async function ensureFirstAdmin(config: Pick<Config, "ADMIN_EMAIL" | "ADMIN_PASSWORD">): Promise<void> {
  if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return;
  if (await User.exists({ role: "admin" })) return;
  const email = config.ADMIN_EMAIL.toLowerCase();
  const passwordHash = await hashPassword(config.ADMIN_PASSWORD);
  try {
    const user = await User.findOneAndUpdate(
      { email },
      { $set: { role: "admin", passwordHash, disabled: false }, $setOnInsert: { email, name: email.split("@")[0] } },
      { upsert: true, new: true },
    );
    await audit(null, "user.bootstrap_admin", { type: "user", id: String(user._id) }, { email });
    logger.info({ email }, "created the first admin from ADMIN_EMAIL");
  } catch (err) {
    // Two instances starting together: the unique email index lets one win.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}
