import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { User } from "../models/user.js";
import { userCreator } from "../auth/userCreator.js";

export interface DemoSignIn {
  role: "admin" | "agent";
  email: string;
  password: string;
}

const FILE = "demo-sign-in.json";

/**
 * The demo admin and agent, with passwords generated on first start and kept in the data folder so every
 * start can print them (the database stores only their hashes).
 */
export async function ensureDemoUsers(dataDir: string): Promise<DemoSignIn[]> {
  const saved = await readDemoSignIn(dataDir);
  if (saved) return saved;
  const accounts: DemoSignIn[] = [
    { role: "admin", email: "admin@acmetea.example", password: crypto.randomBytes(9).toString("base64url") },
    { role: "agent", email: "agent@acmetea.example", password: crypto.randomBytes(9).toString("base64url") },
  ];
  const created: DemoSignIn[] = [];
  for (const a of accounts) {
    if (await User.exists({ email: a.email })) continue;
    await userCreator({ email: a.email, name: a.role === "admin" ? "Demo Admin" : "Demo Agent", role: a.role, password: a.password });
    created.push(a);
  }
  await fsp.mkdir(dataDir, { recursive: true });
  await fsp.writeFile(path.join(dataDir, FILE), JSON.stringify(created, null, 2), { mode: 0o600 });
  return created;
}

export async function readDemoSignIn(dataDir: string): Promise<DemoSignIn[] | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(dataDir, FILE), "utf8")) as DemoSignIn[];
  } catch {
    return null;
  }
}
