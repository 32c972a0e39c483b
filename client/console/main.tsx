import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post, setCsrfToken, setUnauthorizedHandler } from "./api.js";
import { closeAgentSocket } from "./socket.js";
import { errorText } from "./ui.js";
import type { User } from "./types.js";
import { InvitePage, LoginPage } from "./pages/login.js";
import { ConversationsPage } from "./pages/conversations.js";
import { ReviewsPage } from "./pages/reviews.js";
import { AnswersPage } from "./pages/answers.js";
import { ExamplesPage } from "./pages/examples.js";
import { UsersPage } from "./pages/users.js";
import { AuditPage } from "./pages/audit.js";
import { ModelsPage } from "./models/modelsPage.js";
import { ActionsPage } from "./actions/actionsPage.js";
import { ImportPage } from "./data/importPage.js";
import { NextAnswersPage } from "./data/nextAnswersPage.js";
import { WebhooksPage } from "./actions/webhooksPage.js";

// Hash routes keep the console a static bundle: #/conversations/<id>, #/reviews, #/answers, …
function useRoute(): string[] {
  const parse = () => location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

const NAV: { path: string; label: string; admin?: boolean }[] = [
  { path: "conversations", label: "Conversations" },
  { path: "reviews", label: "Review queue" },
  { path: "answers", label: "Reply bank" },
  { path: "examples", label: "Examples" },
  { path: "next", label: "What to answer next" },
  { path: "data", label: "Import & export", admin: true },
  { path: "models", label: "Models", admin: true },
  { path: "actions", label: "Actions", admin: true },
  { path: "webhooks", label: "Webhooks", admin: true },
  { path: "users", label: "Users", admin: true },
  { path: "audit", label: "Audit log", admin: true },
];

function App() {
  const route = useRoute();
  const [me, setMe] = useState<User | null | undefined>(undefined);
  // Set when the session could not be read for another reason than "not signed in" (server down, 500):
  // the sign-in form would be a lie then, so the console says what happened and offers to try again.
  const [sessionError, setSessionError] = useState<string | null>(null);

  const loadSession = () => {
    setSessionError(null);
    get<{ user: User; csrfToken: string }>("/api/auth/session").then(
      (r) => {
        setCsrfToken(r.csrfToken);
        setMe(r.user);
      },
      (err) => {
        if (err instanceof ApiError && err.status === 401) setMe(null);
        else setSessionError(errorText(err));
      },
    );
  };
  useEffect(() => {
    setUnauthorizedHandler(() => {
      closeAgentSocket();
      setMe(null);
    });
    loadSession();
  }, []);

  if (route[0] === "invite" && route[1]) return <InvitePage token={route[1]} />;
  if (sessionError) {
    return (
      <div class="login card" role="alert">
        <p class="error">The console could not reach the server: {sessionError}</p>
        <button onClick={loadSession}>Try again</button>
      </div>
    );
  }
  if (me === undefined) return <p class="muted">Loading…</p>;
  if (me === null) {
    return (
      <LoginPage
        onLogin={(user, token) => {
          setCsrfToken(token);
          // The socket must reconnect with the new (rotated) session cookie.
          closeAgentSocket();
          setMe(user);
          if (!route[0] || route[0] === "login") location.hash = "#/conversations";
        }}
      />
    );
  }

  const page = route[0] && route[0] !== "login" ? route[0] : "conversations";
  const logout = async () => {
    await post("/api/auth/logout").catch(() => undefined);
    closeAgentSocket();
    setCsrfToken(null);
    setMe(null);
  };
  return (
    <div class="shell">
      <nav>
        <div class="brand">Understudy</div>
        {NAV.filter((n) => !n.admin || me.role === "admin").map((n) => (
          <a key={n.path} href={`#/${n.path}`} class={page === n.path ? "active" : ""} data-testid={`nav-${n.path}`}>
            {n.label}
          </a>
        ))}
        <div class="me">
          <div>{me.name}</div>
          <div class="muted small">{me.role}</div>
          <button class="link" onClick={logout}>
            Sign out
          </button>
        </div>
      </nav>
      <main>
        {page === "conversations" && <ConversationsPage me={me} openId={route[1] ?? null} />}
        {page === "reviews" && <ReviewsPage />}
        {page === "answers" && <AnswersPage canManageActions={me.role === "admin"} />}
        {page === "examples" && <ExamplesPage />}
        {page === "next" && <NextAnswersPage />}
        {page === "data" && me.role === "admin" && <ImportPage />}
        {page === "models" && me.role === "admin" && <ModelsPage />}
        {page === "actions" && me.role === "admin" && <ActionsPage />}
        {page === "webhooks" && me.role === "admin" && <WebhooksPage />}
        {page === "users" && me.role === "admin" && <UsersPage me={me} />}
        {page === "audit" && me.role === "admin" && <AuditPage />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
