import { z, type ZodTypeAny } from "zod";
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import { PERMISSIONS } from "../../policies/permissions.js";
import { catalog, type RouteDoc } from "./catalog.js";

extendZodWithOpenApi(z);

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const json = (schema: ZodTypeAny) => ({ "application/json": { schema } });

function describeAccess(r: RouteDoc): string {
  if (r.access === null) return "Public.";
  if (r.access === "session") return "Any signed-in user.";
  return `Roles: ${PERMISSIONS[r.access].join(", ")} (permission \`${r.access}\`).`;
}

/** Built on request, so routes documented by other resources after start-up are included. */
export function openApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "session", { type: "apiKey", in: "cookie", name: "understudy.sid" });
  registry.registerComponent("securitySchemes", "csrf", { type: "apiKey", in: "header", name: "x-csrf-token" });
  for (const r of catalog) {
    const mutating = r.method !== "get";
    const responses: Record<number, { description: string; content?: ReturnType<typeof json> }> = {
      [r.status ?? 200]:
        r.status === 204 ? { description: "Done" } : { description: "OK", ...(r.response ? { content: json(r.response) } : {}) },
      400: { description: "Invalid input", content: json(errorBody) },
    };
    if (r.access !== null) {
      responses[401] = { description: "No session", content: json(errorBody) };
      responses[403] = { description: mutating ? "Wrong role, or missing/stale CSRF token" : "Wrong role", content: json(errorBody) };
    }
    if (r.path.includes(":")) responses[404] = { description: "Not found", content: json(errorBody) };
    if (r.method === "patch" || r.path.endsWith("/approve") || r.path.endsWith("/takeover")) {
      responses[409] = {
        description: "Conflict: stale version or state; details.current holds the current record",
        content: json(errorBody),
      };
    }
    registry.registerPath({
      method: r.method,
      path: r.path.replace(/:(\w+)/g, "{$1}"),
      summary: r.summary,
      description: describeAccess(r),
      tags: [r.tag],
      security: r.access === null ? [] : mutating ? [{ session: [], csrf: [] }] : [{ session: [] }],
      request: {
        ...(r.params ? { params: r.params as never } : {}),
        ...(r.query ? { query: r.query as never } : {}),
        ...(r.body ? { body: { content: json(r.body) } } : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: { title: "Understudy API", version: "0.1.0", description: "Agent and admin API. See docs/api.md." },
    servers: [{ url: "/" }],
  });
}
