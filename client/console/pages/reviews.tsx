import { useEffect, useState } from "preact/hooks";
import { get, post } from "../api.js";
import type { Answer, Message } from "../types.js";
import { Badge, ErrorNote, errorText, useAction, when } from "../ui.js";
import { PendingExamples } from "../data/pendingExamples.js";

interface Item {
  reply: Message;
  question: { id: string; text: string; previousTurn: string | null } | null;
  answer: { id: string; title: string; text: string; status: string } | null;
  customerName: string | null;
}

export function ReviewsPage() {
  const [kind, setKind] = useState<"bot" | "agent" | "pending">("bot");
  const [items, setItems] = useState<Item[]>([]);
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    kind !== "pending" &&
    Promise.all([get<{ items: Item[] }>(`/api/reviews?kind=${kind}`), get<{ answers: Answer[] }>("/api/answers")]).then(
      ([q, a]) => {
        setItems(q.items);
        setAnswers(a.answers);
      },
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), [kind]);

  return (
    <div class="page">
      <h2>Review queue</h2>
      <div class="tabs">
        <button class={kind === "bot" ? "" : "secondary"} onClick={() => setKind("bot")}>
          Bot replies
        </button>
        <button class={kind === "agent" ? "" : "secondary"} onClick={() => setKind("agent")}>
          Agent replies
        </button>
        <button class={kind === "pending" ? "" : "secondary"} data-testid="reviews-pending" onClick={() => setKind("pending")}>
          Pending examples
        </button>
      </div>
      <ErrorNote error={error} />
      {kind === "pending" && <PendingExamples />}
      {kind !== "pending" && items.length === 0 && <p class="muted">Nothing to review.</p>}
      {kind !== "pending" &&
        items.map((item) => (
          <ReviewCard
            key={item.reply.id}
            item={item}
            answers={answers}
            onDone={() => setItems((xs) => xs.filter((x) => x.reply.id !== item.reply.id))}
          />
        ))}
    </div>
  );
}

function ReviewCard({ item, answers, onDone }: { item: Item; answers: Answer[]; onDone: () => void }) {
  const [mode, setMode] = useState<"view" | "edit">("view");
  const [text, setText] = useState(item.answer?.text ?? item.reply.text);
  const [sameAs, setSameAs] = useState("");
  const [golden, setGolden] = useState(false);
  const { error, run } = useAction();
  const isBot = item.reply.role === "bot";
  const act = async (action: "approve" | "edit" | "reject" | "not-for-bot") => {
    const body =
      action === "reject" || action === "not-for-bot"
        ? {}
        : action === "edit"
          ? { ...(sameAs ? { answerId: sameAs } : { text }), golden }
          : { ...(sameAs ? { answerId: sameAs } : {}), golden };
    await run(async () => {
      await post(`/api/reviews/${item.reply.id}/${action}`, body);
      onDone();
    });
  };
  return (
    <div class="card review" data-testid="review-item">
      <div class="muted small">
        {item.customerName ?? "Visitor"} · {when(item.reply.createdAt)}
        {item.reply.bot && (
          <>
            {" "}
            · model {item.reply.bot.modelVersion} · confidence <Badge>{Math.round(item.reply.bot.confidence * 100)}%</Badge>
          </>
        )}
        {item.reply.feedback === "down" && <Badge tone="waiting">👎 customer</Badge>}
      </div>
      <p>
        <strong>Customer:</strong> <span data-testid="review-question">{item.question?.text ?? "—"}</span>
      </p>
      <p>
        <strong>{isBot ? "Bot" : "Agent"}:</strong> <span data-testid="review-reply">{item.reply.text}</span>
      </p>
      {item.answer && <p class="muted small">Answer: {item.answer.title}</p>}
      {mode === "edit" && <textarea data-testid="edit-text" value={text} onInput={(e) => setText(e.currentTarget.value)} rows={3} />}
      <div class="actions">
        <label class="small">
          Same as answer{" "}
          <select value={sameAs} onChange={(e) => setSameAs(e.currentTarget.value)}>
            <option value="">{isBot ? "(the bot's answer)" : "(a new answer)"}</option>
            {answers.map((a) => (
              <option key={a.id} value={a.id}>
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <label class="small">
          <input type="checkbox" data-testid="golden" checked={golden} onChange={(e) => setGolden(e.currentTarget.checked)} /> Golden
        </label>
        {mode === "view" ? (
          <>
            <button data-testid="approve" onClick={() => act("approve")}>
              Approve
            </button>
            <button class="secondary" data-testid="edit" onClick={() => setMode("edit")}>
              Edit
            </button>
          </>
        ) : (
          <button data-testid="save-edit" onClick={() => act("edit")}>
            Approve edited reply
          </button>
        )}
        {isBot && (
          <button class="danger" data-testid="reject" onClick={() => act("reject")}>
            Reject
          </button>
        )}
        <button
          class="secondary"
          data-testid="not-for-bot"
          title="No answer should answer this question: the bot hands questions like it to a person"
          onClick={() => act("not-for-bot")}
        >
          Not for the bot
        </button>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}
