// A console-like REST client: session cookie + CSRF header on every mutating request, as the console sends them.
export class ApiError extends Error {
  constructor(
    public status: number,
    public body: unknown,
    what: string,
  ) {
    super(`${what} → ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

export class Api {
  private cookie = "";
  private csrf = "";
  private credentials: { email: string; password: string } | null = null;
  /** Signed-in requests answered 401 (session lost); the client signed in again and retried, as a person would. */
  static reauthentications = 0;
  /** Of those, sign-ins with the right password that were refused and retried. */
  static refusedSignIns = 0;
  constructor(public url: string) {}

  static async login(url: string, email: string, password: string): Promise<Api> {
    const api = new Api(url);
    api.credentials = { email, password };
    await api.signIn();
    return api;
  }

  private async signIn(): Promise<void> {
    const { email, password } = this.credentials!;
    let res: Response;
    let body: { csrfToken?: string };
    // A re-sign-in with the right password can itself be refused for a moment (see docs/benchmarks.md): retry a few times.
    for (let attempt = 0; ; attempt++) {
      res = await fetch(`${this.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      body = (await res.json()) as { csrfToken?: string };
      if ((res.status === 200 && body.csrfToken) || !this.cookie || attempt >= 60) break;
      Api.refusedSignIns++;
      await new Promise((r) => setTimeout(r, 3000));
    }
    if (res.status !== 200 || !body.csrfToken) throw new ApiError(res.status, body, `login ${email}`);
    this.csrf = body.csrfToken;
    this.cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
  }

  async req<T = any>(method: string, path: string, body?: unknown, okStatuses = [200, 201]): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          cookie: this.cookie,
          ...(method === "GET" ? {} : { "x-csrf-token": this.csrf, "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : null;
      if (okStatuses.includes(res.status)) return json as T;
      if (res.status === 401 && this.credentials && attempt < 2) {
        Api.reauthentications++;
        await this.signIn();
        continue;
      }
      // Retry what a person would retry: a busy database or rate limit.
      if ((res.status === 503 || res.status === 429) && attempt < 5) {
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
        continue;
      }
      throw new ApiError(res.status, json, `${method} ${path}`);
    }
  }
  get<T = any>(path: string) {
    return this.req<T>("GET", path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.req<T>("POST", path, body);
  }
  patch<T = any>(path: string, body: unknown) {
    return this.req<T>("PATCH", path, body);
  }
}
