// The channels upgrade: a card bound before cards had channels keeps working through its one bank,
// with its token, after the migration (no fingerprint: it was never seen, and is not guessed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSql } from '../../store/sql.ts';
import { CARDS_MIGRATIONS } from './cards-schema.ts';

describe('cards schema', () => {
  it('gives every existing card a channel at the bank it was bound at', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-cards-'));
    const db = await openSql({ dataDir });
    try {
      const before = { sqlite: CARDS_MIGRATIONS.sqlite.slice(0, 2), postgres: CARDS_MIGRATIONS.postgres.slice(0, 2) };
      await db.migrate('cards', before);
      await db.run(
        "INSERT INTO cards (card_id, user_id, bank, binding_request_id, token, last4, status, created_at) VALUES ('crd_1', 'u1', 'ICBC', 'b1', 'tok1', '2230', 'bound', 5)",
      );
      await db.migrate('cards', CARDS_MIGRATIONS);
      expect(await db.get('SELECT fingerprint FROM cards')).toEqual({ fingerprint: '' });
      const channel = await db.get<Record<string, unknown>>('SELECT card_id, bank, binding_request_id, token, status, fee_bps FROM card_channels');
      expect(channel).toEqual({ card_id: 'crd_1', bank: 'ICBC', binding_request_id: 'b1', token: 'tok1', status: 'bound', fee_bps: expect.anything() });
      expect(Number(channel?.fee_bps)).toBe(0);
    } finally {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
