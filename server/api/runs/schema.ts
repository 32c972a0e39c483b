import { z } from "zod";
import { idParams } from "../schemas.js";

export const runsSchemas = {
  list: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(30) }).strict() },
  show: { params: idParams },
  create: { body: z.object({}).strict() },
};
