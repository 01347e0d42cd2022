// Shapes every route shares, and the one rule for free text (src/text/clean-text.ts) as zod.
import { z } from 'zod';
import { normalizeText, TEXT_PROBLEM_MESSAGES, textProblem } from '../../text/clean-text.ts';
import { PAGE_CURSOR_PATTERN } from '../../text/page-cursor.ts';

export const ErrorOutput = z.object({ code: z.string(), message: z.string() }).meta({ description: 'a stable machine code and a human message' });

export interface TextBounds {
  readonly max: number;
  /** At least this many characters after trimming; default 0. */
  readonly min?: number;
  /** Drop surrounding white space first (names, reasons); default false. */
  readonly trim?: boolean;
}

/** Adds the text rule to a string schema: refused with `invalid_request` like any bad field. */
export function withCleanText<T extends z.ZodType<string>>(schema: T): T {
  return schema.check((ctx) => {
    const problem = textProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: TEXT_PROBLEM_MESSAGES[problem], input: ctx.value, abort: true });
  });
}

/** Free text: no control characters, NFC, and bounded (the bounds count NFC characters). */
export function cleanText(bounds: TextBounds): z.ZodString {
  let schema = withCleanText(z.string()).overwrite(normalizeText);
  if (bounds.trim) schema = schema.trim();
  if (bounds.min) schema = schema.min(bounds.min, bounds.min === 1 ? 'must not be empty' : `must be at least ${bounds.min} characters`);
  return schema.max(bounds.max, `must be at most ${bounds.max} characters`);
}

/** A document's language: ?lang=zh|en, else the request's Accept-Language (src/text/lang.ts). */
export const DocumentLangQuery = z.object({
  lang: z.enum(['zh', 'en']).optional().meta({ description: 'the language to write the document in; unset, Accept-Language chooses, else Chinese' }),
});

/** A page's `next`, passed back as `before` to read the page after it. */
export const PageCursorParam = z.string().regex(PAGE_CURSOR_PATTERN, 'must be the `next` of a previous page').optional();
