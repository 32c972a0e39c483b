import { Router } from "express";
import type { AppContext } from "../../context.js";
import { currentUser, guard } from "../../auth/index.js";
import { audit, auditedChange } from "../../audit/index.js";
import { customerExporter } from "../../privacy/customerExporter.js";
import { customerEraser } from "../../privacy/customerEraser.js";
import { documentRoutes } from "../openapi/catalog.js";
import { valid, validate } from "../../errors.js";
import { erasureResponse, privacySchemas as s } from "./schema.js";

// Customer data requests are people-data administration: the same admin-only permission as managing users.
const PERMISSION = "users.manage" as const;

documentRoutes([
  {
    method: "get",
    path: "/api/privacy/customers/:customerId/export",
    tag: "privacy",
    summary: "Export everything held about one customer",
    access: PERMISSION,
    ...s.export,
  },
  {
    method: "delete",
    path: "/api/privacy/customers/:customerId",
    tag: "privacy",
    summary: "Erase one customer: conversations, messages, training examples",
    access: PERMISSION,
    ...s.erase,
    response: erasureResponse,
  },
]);

export function privacyRouter(_ctx: AppContext): Router {
  const router = Router();

  router.get("/customers/:customerId/export", guard(PERMISSION), validate(s.export), async (req, res) => {
    const { params } = valid(req, s.export);
    const data = await customerExporter(params.customerId);
    await audit(
      currentUser(req),
      "privacy.export",
      { type: "customer", id: params.customerId },
      {
        conversations: data.conversations.length,
        examples: data.trainingExamples.length,
      },
    );
    res.setHeader("Content-Disposition", `attachment; filename="customer-${params.customerId}.json"`);
    res.setHeader("Cache-Control", "no-store");
    res.json(data);
  });

  router.delete("/customers/:customerId", guard(PERMISSION), validate(s.erase), async (req, res) => {
    const { params } = valid(req, s.erase);
    const erased = await auditedChange(
      currentUser(req),
      "privacy.erase",
      { type: "customer", id: params.customerId },
      {},
      () => customerEraser(params.customerId),
      (e) => ({ ...e }),
    );
    res.json({ customerId: params.customerId, erased });
  });

  return router;
}
