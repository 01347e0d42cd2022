// The card fingerprint: stable for one installation's key (kept 0600 in the data dir, or from the
// environment), different under another key, and never the number itself.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARD_A, CARD_B } from '../../../sim/bank/test-support.ts';
import { CARD_FINGERPRINT_KEY_ENV, CARD_FINGERPRINT_KEY_FILE, cardFingerprinter, loadCardFingerprinter } from './card-fingerprint.ts';

describe('card fingerprints', () => {
  it('keeps its key in a 0600 file and gives the same fingerprint after a restart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-fp-'));
    try {
      const first = loadCardFingerprinter(dir, {});
      const file = path.join(dir, CARD_FINGERPRINT_KEY_FILE);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadCardFingerprinter(dir, {})(CARD_A)).toBe(first(CARD_A));
      expect(first(CARD_A)).not.toBe(first(CARD_B));
      expect(first(CARD_A)).toMatch(/^[0-9a-f]{64}$/);
      expect(first(CARD_A)).not.toContain(CARD_A);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the key from the environment, and another key gives other fingerprints', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-fp-'));
    try {
      const key = 'k'.repeat(40);
      const fromEnv = loadCardFingerprinter(dir, { [CARD_FINGERPRINT_KEY_ENV]: key });
      expect(fs.existsSync(path.join(dir, CARD_FINGERPRINT_KEY_FILE))).toBe(false);
      expect(fromEnv(CARD_A)).toBe(cardFingerprinter(key)(CARD_A));
      expect(fromEnv(CARD_A)).not.toBe(cardFingerprinter('j'.repeat(40))(CARD_A));
      expect(() => cardFingerprinter('short')).toThrow(/at least 32/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
