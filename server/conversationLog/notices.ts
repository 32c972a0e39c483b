// System notices the customer reads, in the widget's languages. Stored as text, so they stay as sent.
const notices = {
  handoff: {
    en: "Thanks for your message. A member of our team will reply here as soon as possible.",
    "zh-CN": "感谢您的留言。我们的客服人员会尽快在这里回复您。",
  },
} as const;

export type NoticeKey = keyof typeof notices;

export function notice(key: NoticeKey, language: string | null | undefined): string {
  const byLang = notices[key] as Record<string, string>;
  return byLang[language ?? "en"] ?? byLang[(language ?? "").startsWith("zh") ? "zh-CN" : "en"] ?? byLang.en;
}
