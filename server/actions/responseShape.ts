import { z, type ZodTypeAny } from "zod";

export type FieldType = "string" | "number" | "boolean";
export interface ResponseField {
  path: string;
  type: FieldType;
  required: boolean;
}
export type FieldValue = string | number | boolean;

// A dotted path of plain names: order.status, order.eta. No indexes or wildcards, so what a reply may show
// is exactly what the admin listed.
export const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]{0,40}(\.[A-Za-z_][A-Za-z0-9_]{0,40}){0,4}$/;

const leaf = { string: () => z.string().max(500), number: () => z.number().finite(), boolean: () => z.boolean() } as const;

/** The zod schema the admin's field list describes; unknown keys pass through (and are then dropped). */
export function responseSchema(fields: readonly ResponseField[]): ZodTypeAny {
  type Node = { leaf?: ResponseField; children: Map<string, Node> };
  const root: Node = { children: new Map() };
  for (const f of fields) {
    let node = root;
    for (const part of f.path.split(".")) {
      if (!node.children.has(part)) node.children.set(part, { children: new Map() });
      node = node.children.get(part)!;
    }
    node.leaf = f;
  }
  const build = (node: Node): ZodTypeAny => {
    if (node.leaf) return node.leaf.required ? leaf[node.leaf.type]() : leaf[node.leaf.type]().nullish();
    const shape: Record<string, ZodTypeAny> = {};
    for (const [k, child] of node.children) shape[k] = build(child);
    const obj = z.object(shape).passthrough();
    // A parent with only optional leaves may be absent altogether.
    return [...node.children.values()].some(requiredBelow) ? obj : obj.nullish();
  };
  const requiredBelow = (node: Node): boolean => (node.leaf ? node.leaf.required : [...node.children.values()].some(requiredBelow));
  return build(root);
}

/** The values at the given paths (missing optional ones left out). */
export function pickFields(data: unknown, paths: readonly string[]): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const p of paths) {
    let v: unknown = data;
    for (const part of p.split("."))
      v = v && typeof v === "object" && Object.hasOwn(v, part) ? (v as Record<string, unknown>)[part] : undefined;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[p] = v;
  }
  return out;
}

/** "order.status: Required" — where the response broke its shape, without echoing the response. */
export function shapeProblem(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
    .join("; ")
    .slice(0, 300);
}
