// Shapes every route shares.
import { z } from 'zod';

export const ErrorOutput = z
  .object({ code: z.string(), message: z.string() })
  .meta({ description: 'a stable machine code and a human message' });
