// The data key on its own: sealing round-trips, a sealed value opens only in its own row and with a
// key the installation holds, rotation keeps old values readable, and the key file is private.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_KEY_FILE, dataKey, loadDataKey } from './data-key.ts';

const newKey = () => randomBytes(32).toString('hex');

describe('data key', () => {
  it('seals and opens, never leaving the plain text in the sealed value', () => {
    const key = dataKey(newKey());
    const sealed = key.seal('tok_secret_123', 'card_1/ICBC');
    expect(sealed).not.toContain('tok_secret_123');
    expect(key.isSealed(sealed)).toBe(true);
    expect(key.open(sealed, 'card_1/ICBC')).toBe('tok_secret_123');
    expect(key.seal('tok_secret_123', 'card_1/ICBC')).not.toBe(sealed);
  });

  it('refuses a value moved to another row, altered, or sealed with an unknown key', () => {
    const key = dataKey(newKey());
    const sealed = key.seal('tok', 'card_1/ICBC');
    expect(() => key.open(sealed, 'card_2/ICBC')).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => key.open(parts.join(':'), 'card_1/ICBC')).toThrow();
    expect(() => dataKey(newKey()).open(sealed, 'card_1/ICBC')).toThrow(/key/);
    expect(() => key.open('plain-token', 'card_1/ICBC')).toThrow();
  });

  it('rotates: the new key seals, the old one still opens what it sealed', () => {
    const old = newKey();
    const fresh = newKey();
    const before = dataKey(old).seal('tok', 'ctx');
    const rotated = dataKey(`${fresh},${old}`);
    expect(rotated.open(before, 'ctx')).toBe('tok');
    expect(dataKey(fresh).open(rotated.seal('tok', 'ctx'), 'ctx')).toBe('tok');
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => dataKey('too-short')).toThrow(/32 bytes/);
    expect(() => dataKey('')).toThrow(/no key/);
  });

  it('keeps a generated key in a 0600 file of a 0700 data dir, the same on every start', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'formica-key-')), 'data');
    try {
      const sealed = loadDataKey(dir, {}).seal('tok', 'ctx');
      expect(loadDataKey(dir, {}).open(sealed, 'ctx')).toBe('tok');
      expect(fs.statSync(path.join(dir, DATA_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      const fromEnv = newKey();
      expect(loadDataKey(dir, { FORMICA_DATA_KEY: fromEnv }).open(dataKey(fromEnv).seal('x', 'c'), 'c')).toBe('x');
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
