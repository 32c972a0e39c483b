import { useEffect, useState } from "preact/hooks";
import { get, patch, post } from "../api.js";
import type { User } from "../types.js";
import { Badge, ErrorNote, errorText, useAction, when } from "../ui.js";

export function UsersPage({ me }: { me: User }) {
  const [users, setUsers] = useState<User[]>([]);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<"agent" | "admin">("agent");
  const [inviteUrl, setInviteUrl] = useState<string | null>(null);
  const action = useAction();
  const { error, setError } = action;
  const load = () =>
    get<{ users: User[] }>("/api/users").then(
      (r) => setUsers(r.users),
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), []);
  const run = (fn: () => Promise<unknown>) =>
    action.run(async () => {
      await fn();
      await load();
    });
  const invite = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const res = await post<{ inviteUrl: string }>("/api/users", { email, name, role });
      setInviteUrl(new URL(res.inviteUrl, location.href).href);
      setEmail("");
      setName("");
    });
  };
  return (
    <div class="page">
      <h2>Users</h2>
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Last sign-in</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>
                {u.name} {u.invitePending && <Badge>invited</Badge>} {u.disabled && <Badge tone="waiting">disabled</Badge>}
              </td>
              <td>{u.email}</td>
              <td>
                <select
                  value={u.role}
                  disabled={u.id === me.id}
                  onChange={(e) => run(() => patch(`/api/users/${u.id}`, { role: e.currentTarget.value }))}
                >
                  <option value="agent">agent</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td>{when(u.lastLoginAt)}</td>
              <td>
                {u.id !== me.id && (
                  <button
                    class={u.disabled ? "secondary" : "danger"}
                    onClick={() => run(() => patch(`/api/users/${u.id}`, { disabled: !u.disabled }))}
                  >
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card inline" onSubmit={invite}>
        <h3>Invite</h3>
        <input type="email" placeholder="Email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />
        <input placeholder="Name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as "agent" | "admin")}>
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit">Invite</button>
        {inviteUrl && (
          <p class="small">
            Send this link (valid 7 days): <code>{inviteUrl}</code>
          </p>
        )}
      </form>
    </div>
  );
}
