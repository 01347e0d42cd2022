import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditCodeProblem, withCheckCharacter } from './credit-code.ts';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('unified social credit code check', () => {
  it('accepts a published code and refuses it with any other check character', () => {
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull();
    expect(creditCodeProblem('91350100M000100Y44')).toMatch(/check character should be 3/);
    expect(creditCodeProblem('91350100M000100Y4')).toMatch(/18 characters/);
    expect(creditCodeProblem('91350100M000100Y4I')).toMatch(/capitals/);
  });

  it('a completed code passes and changing its check character fails it (property)', () => {
    const char = fc.constantFrom(...ALPHABET);
    fc.assert(
      fc.property(fc.array(char, { minLength: 17, maxLength: 17 }), char, (body, other) => {
        const code = withCheckCharacter(body.join(''));
        expect(creditCodeProblem(code)).toBeNull();
        if (other !== code[17]) expect(creditCodeProblem(code.slice(0, 17) + other)).not.toBeNull();
      }),
    );
  });
});
