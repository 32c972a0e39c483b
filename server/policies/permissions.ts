import type { Role } from "../models/user.js";

// Role → what it may do. Routes and socket handlers name a permission, never a role, so widening
// a role is a one-line change here and the authorization matrix test reads from the same table.
export const PERMISSIONS = {
  "conversations.read": ["agent", "admin"],
  "conversations.act": ["agent", "admin"],
  "reviews.act": ["agent", "admin"],
  "answers.read": ["agent", "admin"],
  "answers.write": ["agent", "admin"],
  "examples.read": ["agent", "admin"],
  "examples.write": ["agent", "admin"],
  "users.manage": ["admin"],
  "audit.read": ["admin"],
  "models.read": ["agent", "admin"],
  "models.manage": ["admin"],
  // Bringing a team's data in (imports) and taking it out (exports) changes or copies the whole reply bank.
  "data.import": ["admin"],
  "data.export": ["admin"],
  "actions.manage": ["admin"],
  "webhooks.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(user: { role: string } | null | undefined, permission: Permission): boolean {
  if (!user) return false;
  return (PERMISSIONS[permission] as readonly string[]).includes(user.role);
}
