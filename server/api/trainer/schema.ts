import { z } from "zod";

// A partial update; the merged result is validated against the full settings schema before anything is written.
export const trainerSchemas = {
  update: {
    body: z
      .object({
        schedule: z.record(z.unknown()).optional(),
        snapshot: z.record(z.unknown()).optional(),
        training: z.record(z.unknown()).optional(),
        evals: z.record(z.unknown()).optional(),
        gate: z.record(z.unknown()).optional(),
      })
      .strict(),
  },
};
