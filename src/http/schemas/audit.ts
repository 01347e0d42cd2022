// The platform audit log on the wire: entries in order, with their place in the hash chain.
import { z } from 'zod';

export const AuditQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,19}$/, 'must be an entry number from a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AuditEntryOutput = z.object({
  seq: z.string(),
  kind: z.string(),
  actor: z.string(),
  subject: z.string(),
  detail: z.string(),
  created_at: z.string(),
  prev_hash: z.string(),
  hash: z.string(),
});

export const AuditPageOutput = z.object({ entries: z.array(AuditEntryOutput), next: z.string().nullable() });
