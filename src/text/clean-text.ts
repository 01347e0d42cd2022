// The one rule for text that comes from outside (HTTP bodies, path and query parameters, the
// merchant API's parameters): no control characters (NUL above all: PostgreSQL cannot store it),
// only well-formed Unicode, and NFC so the same words are always the same bytes. Length bounds
// are counted after normalization. The HTTP schemas and the merchant gateway both apply it.

/** C0 and C1 controls and DEL; tab and newline included: no field Formica keeps is multi-line. */
const CONTROL = /\p{Cc}/u;
/** A surrogate without its partner: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type TextProblem = 'control_character' | 'malformed_unicode';

/** Why `text` may not be stored, or undefined when it may. */
export function textProblem(text: string): TextProblem | undefined {
  if (CONTROL.test(text)) return 'control_character';
  if (LONE_SURROGATE.test(text)) return 'malformed_unicode';
  return undefined;
}

export const TEXT_PROBLEM_MESSAGES: Record<TextProblem, string> = {
  control_character: 'must not contain control characters',
  malformed_unicode: 'must be well-formed Unicode',
};

export function normalizeText(text: string): string {
  return text.normalize('NFC');
}

/** The path (`a.b.0.c`) of the first string anywhere in `value` that breaks the rule. */
export function findUncleanText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return textProblem(value) ? path || 'value' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const where = path ? `${path}.${key}` : key;
    if (textProblem(key)) return where;
    const found = findUncleanText(inner, where);
    if (found) return found;
  }
  return undefined;
}
