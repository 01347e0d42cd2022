// For tests and benchmarks of the reveal: complete sets planted straight into the campaign's
// card table, when what is measured or tested is the payout, not the drawing.
import type { SqlExecutor } from '../../store/sql.ts';
import { CARD_KINDS } from './cards.ts';

const USERS_PER_STATEMENT = 100;

export async function plantCompleteSets(db: SqlExecutor, campaignId: string, userIds: readonly string[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += USERS_PER_STATEMENT) {
    const chunk = userIds.slice(i, i + USERS_PER_STATEMENT);
    await db.run(
      `INSERT INTO campaign_cards (campaign_id, user_id, kind, held) VALUES ${chunk.flatMap(() => CARD_KINDS.map(() => '(?, ?, ?, 1)')).join(', ')}`,
      chunk.flatMap((u) => CARD_KINDS.flatMap((k) => [campaignId, u, k])),
    );
  }
}
