// The automatic half of checking a business: its unified social credit code (GB 32100-2015), 18
// characters whose last is a check character over the first 17. A mistyped or invented code fails
// here before an operator looks at the application.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Why a code is not a valid unified social credit code, or null when it is. */
export function creditCodeProblem(code: string): string | null {
  if (code.length !== 18) return 'a unified social credit code has 18 characters';
  const values = [...code].map((c) => ALPHABET.indexOf(c));
  if (values.some((v) => v < 0)) return 'a unified social credit code uses digits and the capitals ABCDEFGHJKLMNPQRTUWXY only';
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * values[i], 0);
  const expected = (31 - (sum % 31)) % 31;
  return values[17] === expected ? null : `the check character should be ${ALPHABET[expected]}, not ${code[17]}`;
}

/** Completes 17 characters with their check character (tests and demo data). */
export function withCheckCharacter(first17: string): string {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * ALPHABET.indexOf(first17[i]), 0);
  return first17 + ALPHABET[(31 - (sum % 31)) % 31];
}
