// The 0003 upgrade: a wallet transfer's row becomes its claim. Transfers keep every field, a reserved
// one still finds its row by (payer, transfer id), and only other payments keep rows in wallet_spending.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSql } from '../../store/sql.ts';
import { WALLET_MIGRATIONS } from './wallet-schema.ts';

describe('wallet schema', () => {
  it('keeps every transfer under (payer, transfer id), with its primary key as its only index, and drops only the transfers’ copies of their claims', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-wallet-schema-'));
    const db = await openSql({ dataDir });
    try {
      const before = { sqlite: WALLET_MIGRATIONS.sqlite.slice(0, 2), postgres: WALLET_MIGRATIONS.postgres.slice(0, 2) };
      await db.migrate('wallet', before);
      await db.run(
        `INSERT INTO wallet_transfers (user_id, request_id, transfer_id, to_user_id, amount_minor, currency, memo, status, day_key, year_key, created_at)
         VALUES ('u1', 'r1', 'wtr_a', 'u2', 500, 'CNY', 'rent', 'reserved', 'D2026-01-15', 'Y2026', 7)`,
      );
      await db.run(
        `INSERT INTO wallet_spending (user_id, kind, request_id, amount_minor, day_key, year_key, status, created_at)
         VALUES ('u1', 'transfer', 'r1', 500, 'D2026-01-15', 'Y2026', 'counted', 7), ('u1', 'trade', 't1', 300, 'D2026-01-15', 'Y2026', 'counted', 8)`,
      );
      await db.migrate('wallet', WALLET_MIGRATIONS);
      expect(await db.get("SELECT request_id, memo, status, amount_minor FROM wallet_transfers WHERE user_id = 'u1' AND transfer_id = 'wtr_a'")).toEqual({
        request_id: 'r1',
        memo: 'rent',
        status: 'reserved',
        amount_minor: 500n,
      });
      expect(await db.all('SELECT kind, request_id FROM wallet_spending')).toEqual([{ kind: 'trade', request_id: 't1' }]);
      const indexes = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'wallet_transfers'");
      expect(indexes.map((i) => i.name)).toEqual(['sqlite_autoindex_wallet_transfers_1']);
    } finally {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
