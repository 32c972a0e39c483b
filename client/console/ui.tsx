import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

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
export const time = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The console's one way to run what a click asks for: clear the page's error, run it, and on failure show the
 * server's message (after `onError`, e.g. taking the current version from a 409). Resolves to whether it worked.
 */
export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>, onError?: (err: unknown) => void): Promise<boolean> => {
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      onError?.(err);
      setError(errorText(err));
      return false;
    }
  };
  return { error, setError, run };
}
