import { useState } from "preact/hooks";
import { post } from "../api.js";
import type { User } from "../types.js";
import { ErrorNote, errorText } from "../ui.js";

export function LoginPage({ onLogin }: { onLogin: (user: User, csrfToken: string) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await post<{ user: User; csrfToken: string }>("/api/auth/login", { email, password });
      onLogin(res.user, res.csrfToken);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login card" onSubmit={submit}>
      <h1>Understudy console</h1>
      <label>
        Email
        <input name="email" type="email" autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

export function InvitePage({ token }: { token: string }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await post("/api/auth/invite/accept", { token, password });
      setDone(true);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (done) {
    return (
      <div class="login card">
        <p>Your password is set.</p>
        <a href="#/login">Sign in</a>
      </div>
    );
  }
  return (
    <form class="login card" onSubmit={submit}>
      <h1>Choose a password</h1>
      <label>
        Password (at least 10 characters)
        <input
          type="password"
          autocomplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
          minLength={10}
        />
      </label>
      <ErrorNote error={error} />
      <button type="submit">Set password</button>
    </form>
  );
}
