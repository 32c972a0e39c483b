// Shapes the API returns (see /api/openapi.json); only the fields the console reads.
export interface User {
  id: string;
  email: string;
  name: string;
  role: "agent" | "admin";
  disabled?: boolean;
  invitePending?: boolean;
  lastLoginAt?: string | null;
}

export interface Conversation {
  id: string;
  status: "bot" | "waiting" | "agent" | "closed";
  customerId: string;
  customerName: string | null;
  customerEmail: string | null;
  assignedAgentId: string | null;
  assignedAgentName: string | null;
  lastMessagePreview: string;
  lastMessageAt: string | null;
  unreadByAgents: number;
  waitingSince: string | null;
  lastSeq: number;
  channel: { pageUrl: string | null; language: string };
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  role: "customer" | "bot" | "agent" | "system";
  text: string;
  clientId: string;
  createdAt: string;
  authorId: string | null;
  feedback: "up" | "down" | null;
  bot: { modelVersion: string; answerId: string | null; confidence: number } | null;
  review: { status: string | null; exampleId: string | null };
  handoffReason?: string | null;
}

export interface AnswerAction {
  name: string;
  slots: { name: string; pattern: string; prompt: string }[];
}

export interface Answer {
  id: string;
  title: string;
  text: string;
  /** The same answer in other languages; the bot replies in the customer's. */
  translations?: { language: string; text: string }[];
  status: string;
  version: number;
  placeholders: string[];
  action: AnswerAction | null;
  exampleCount?: number;
}

export interface Example {
  id: string;
  question: string;
  answerId: string | null;
  answerTitle: string | null;
  polarity: "positive" | "negative";
  // "not for the bot": no answer should answer this question
  outOfScope?: boolean;
  golden: boolean;
  status: string;
  version: number;
  lineage: {
    kind: string;
    conversationId: string | null;
    questionMessageId: string | null;
    replyMessageId: string | null;
    modelVersion: string | null;
    approvedBy: string | null;
    approvedByName: string | null;
    approvedAt: string | null;
    // Imports: the import, the file's sha256 and the line the phrasing came from.
    importId?: string | null;
    fileSha256?: string | null;
    line?: number | null;
  };
}
