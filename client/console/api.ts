// The console's REST client: same-origin cookies for the session, the CSRF token in a header on every
// mutating request, and errors as ApiError with the server's code and details.
// What the server puts in `error.details`: the current version on a 409, an import's problems, zod's issues.
export interface ErrorDetails {
  current?: unknown;
  problems?: unknown[];
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
export const setCsrfToken = (t: string | null) => (csrfToken = t);
let onUnauthorized: () => void = () => {};
export const setUnauthorizedHandler = (fn: () => void) => (onUnauthorized = fn);

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  // A file (imports) travels as itself; anything else as JSON.
  const raw = body instanceof Blob;
  if (body !== undefined) headers["content-type"] = raw ? "application/octet-stream" : "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  return fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : raw ? (body as Blob) : JSON.stringify(body),
  });
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let res = await send(method, path, body);
  if (res.status === 403 && method !== "GET") {
    const err = await res
      .clone()
      .json()
      .catch(() => null);
    // The session rotated under us (another tab signed in again): fetch a fresh token and retry once.
    if (err?.error?.code === "csrf_invalid") {
      const fresh = await send("GET", "/api/auth/csrf");
      if (fresh.ok) {
        setCsrfToken((await fresh.json()).csrfToken);
        res = await send(method, path, body);
      }
    }
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== "/api/auth/login") onUnauthorized();
    throw new ApiError(res.status, data?.error?.code ?? "error", data?.error?.message ?? res.statusText, data?.error?.details);
  }
  return data as T;
}

export const get = <T = unknown>(path: string) => api<T>("GET", path);
export const post = <T = unknown>(path: string, body: unknown = {}) => api<T>("POST", path, body);
export const patch = <T = unknown>(path: string, body: unknown) => api<T>("PATCH", path, body);
export const upload = <T = unknown>(path: string, file: Blob) => api<T>("POST", path, file);
