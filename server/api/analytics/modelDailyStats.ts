import { AuditEntry } from "../../models/auditEntry.js";
import { Message } from "../../models/message.js";
import { isActionHandoff, MODEL_HANDOFF_REASONS } from "../../evals/actionFailures.js";

export interface DailyModelStats {
  day: string;
  version: string;
  replies: number;
  handoffs: number;
  handoffRate: number | null;
  conversations: number;
  contained: number;
  containment: number | null;
  thumbsUp: number;
  thumbsDown: number;
  thumbsUpRate: number | null;
  // Hand-offs where the model picked an answer whose action then failed (timeout, error, bad response…):
  // the service's fault, not the model's, so not among `handoffs`.
  actionFailures: number;
}

// "no_model" hand-offs belong to no version: no model was asked.

/**
 * Per model version per UTC day, from the conversation log: bot replies carry their version; a hand-off
 * notice does not, so it is credited to the version that was active at that moment (from the audited
 * promote/rollback history). A conversation is contained when the bot replied and no person was needed that day.
 */
export async function modelDailyStats(days: number, now = new Date()): Promise<DailyModelStats[]> {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * 86400000);
  const switches = await AuditEntry.find({ action: { $in: ["model.promote", "model.rollback"] } }, { at: 1, targetId: 1 })
    .sort({ at: 1 })
    .lean();
  const versionAt = (t: Date): string | null => {
    let v: string | null = null;
    for (const s of switches) {
      if (s.at > t) break;
      v = s.targetId ?? null;
    }
    return v;
  };

  const messages = await Message.find(
    { createdAt: { $gte: since }, role: { $in: ["bot", "system", "agent"] } },
    { conversationId: 1, role: 1, createdAt: 1, "bot.modelVersion": 1, feedback: 1, handoffReason: 1 },
  )
    .sort({ createdAt: 1 })
    .lean();

  const rows = new Map<string, DailyModelStats>();
  const row = (day: string, version: string) => {
    const key = `${day}\u0000${version}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        day,
        version,
        replies: 0,
        handoffs: 0,
        handoffRate: null,
        conversations: 0,
        contained: 0,
        containment: null,
        thumbsUp: 0,
        thumbsDown: 0,
        thumbsUpRate: null,
        actionFailures: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  const convs = new Map<string, { day: string; version: string | null; replied: boolean; human: boolean }>();

  for (const m of messages) {
    const at = m.createdAt as unknown as Date;
    const day = at.toISOString().slice(0, 10);
    const ckey = `${String(m.conversationId)}\u0000${day}`;
    const c = convs.get(ckey) ?? { day, version: null, replied: false, human: false };
    convs.set(ckey, c);
    if (m.role === "bot" && m.bot?.modelVersion) {
      const r = row(day, m.bot.modelVersion);
      r.replies++;
      if (m.feedback === "up") r.thumbsUp++;
      if (m.feedback === "down") r.thumbsDown++;
      c.version ??= m.bot.modelVersion;
      c.replied = true;
    } else if (m.role === "system" && m.handoffReason) {
      c.human = true;
      if (MODEL_HANDOFF_REASONS.has(m.handoffReason)) {
        const v = versionAt(at);
        if (v) {
          row(day, v).handoffs++;
          c.version ??= v;
        }
      } else if (isActionHandoff(m.handoffReason)) {
        const v = versionAt(at);
        if (v) row(day, v).actionFailures++;
      }
    } else if (m.role === "agent") {
      c.human = true;
    }
  }
  for (const c of convs.values()) {
    if (!c.version) continue;
    const r = row(c.day, c.version);
    r.conversations++;
    if (c.replied && !c.human) r.contained++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return [...rows.values()]
    .map((r) => ({
      ...r,
      handoffRate: ratio(r.handoffs, r.replies + r.handoffs),
      containment: ratio(r.contained, r.conversations),
      thumbsUpRate: ratio(r.thumbsUp, r.thumbsUp + r.thumbsDown),
    }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.version.localeCompare(b.version, undefined, { numeric: true }));
}
