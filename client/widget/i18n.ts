// Every string the widget shows, in each supported language. Keys are shared; a missing key is a type error.
const en = {
  open: "Open chat",
  close: "Close chat",
  title: "Chat with us",
  greeting: "Hi! Ask us anything — we usually reply within minutes.",
  placeholder: "Type your message…",
  inputLabel: "Message",
  send: "Send",
  you: "You",
  bot: "Assistant",
  agent: "Support agent",
  system: "Notice",
  sending: "Sending…",
  queued: "Waiting for connection; will send automatically",
  failed: "Not sent",
  retry: "Retry",
  typing: "An agent is typing…",
  online: "Online",
  connecting: "Connecting…",
  offline: "Offline — messages will be sent when you reconnect",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  closed: "This conversation was closed. Write again to start a new one.",
  newMessages: "new messages",
  tooLong: "That message is too long (4,000 characters at most).",
  rateLimited: "You are sending messages too fast; retrying shortly.",
};

export type Strings = typeof en;

const zhCN: Strings = {
  open: "打开聊天",
  close: "关闭聊天",
  title: "在线客服",
  greeting: "您好!有什么可以帮您?我们通常几分钟内回复。",
  placeholder: "请输入消息…",
  inputLabel: "消息",
  send: "发送",
  you: "您",
  bot: "智能助手",
  agent: "客服",
  system: "通知",
  sending: "发送中…",
  queued: "等待连接,恢复后自动发送",
  failed: "发送失败",
  retry: "重试",
  typing: "客服正在输入…",
  online: "在线",
  connecting: "连接中…",
  offline: "已离线,恢复连接后将自动发送消息",
  helpful: "有帮助",
  notHelpful: "没有帮助",
  closed: "本次对话已结束。再次发送消息即可开始新的对话。",
  newMessages: "条新消息",
  tooLong: "消息太长(最多 4000 个字符)。",
  rateLimited: "您发送得太快了,稍后将自动重试。",
};

export type Language = "en" | "zh-CN";

export function stringsFor(lang: string | null | undefined): { lang: Language; t: Strings } {
  const l = (lang ?? "").toLowerCase();
  if (l.startsWith("zh")) return { lang: "zh-CN", t: zhCN };
  return { lang: "en", t: en };
}
