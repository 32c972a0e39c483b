import { z } from "zod";

// Schemas shared by several resources: every route that takes a document id parses it with these.
export const objectId = z.string().regex(/^[0-9a-f]{24}$/i, "must be a 24-character hex id");
export const idParams = z.object({ id: objectId });
