import type { ComponentChildren } from "preact";

// Small shared pieces. All text goes through JSX children, which preact escapes: message text is never HTML.
export function ErrorNote({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Badge({ children, tone = "" }: { children: ComponentChildren; tone?: string }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "—");
export const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "");
export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
