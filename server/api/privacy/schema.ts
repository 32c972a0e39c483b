import { z } from "zod";

// Widget ids look like cus_<base64url>; imported or older ids vary, so any short url-safe id is accepted.
const customerId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1-64 characters of letters, digits and _.:-");

export const privacySchemas = {
  export: { params: z.object({ customerId }).strict() },
  // No body: anything sent is refused, so a stray request with a payload erases nothing.
  erase: { params: z.object({ customerId }).strict(), body: z.object({}).strict() },
};

export const erasureResponse = z.object({
  customerId: z.string(),
  erased: z.object({ conversations: z.number(), messages: z.number(), examples: z.number() }),
});
