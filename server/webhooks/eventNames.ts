// Kept free of mongoose so the console bundles the same list the API validates against.
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "message.created",
  "conversation.handoff",
  "conversation.assigned",
  "conversation.resolved",
  "feedback.created",
  "model.promoted",
  "model.rolled_back",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
