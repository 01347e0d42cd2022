// For tests and benchmarks of the daily accrual: confirmed holders planted in bulk, when what is
// measured or tested is the income run, not the subscriptions. Each holder gets its share
// account, its shares issued on the ledger (issuance to holder, posted) and its earning row, and
// the custodian the cash they are worth, so the ledger and the fund's rows agree as if every
// holder had subscribed and been confirmed.
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { MAX_BATCH_EVENTS, transferEvent } from '../../ledger/index.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { derivedId, fundCustodyAccountId, fundEarningsAccountId, fundIssuanceAccountId, fundSharesAccountId, TransferCode } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { holderSharesAccount, SHARE_CURRENCY } from './fund-ledger.ts';

/** Holders per ledger batch: their share transfers and the chunk's one cash transfer. */
const PER_BATCH = MAX_BATCH_EVENTS - 1;
const ROWS_PER_STATEMENT = 500;
const ROWS_PER_TRANSACTION = 50_000;

export interface PlantedHolder {
  readonly userId: string;
  readonly sharesMinor: bigint;
}

/** Opens, funds and records `holders` as confirmed holders of `fundId`; `progress` sees how many are done. */
export async function plantHolders(
  deps: { engine: LedgerEngine; sql: SqlDatabase },
  fundId: string,
  holders: readonly PlantedHolder[],
  progress: (done: number) => void = () => {},
): Promise<void> {
  for (let i = 0; i < holders.length; i += PER_BATCH) {
    const chunk = holders.slice(i, i + PER_BATCH);
    await requireAll('open', await deps.engine.createAccounts(chunk.map((h) => holderSharesAccount(fundId, h.userId))));
    await requireAll('issue', await deps.engine.createTransfers([...chunk.map((h) => issueShares(fundId, h)), custodyCash(fundId, i, chunk)]));
    progress(i + chunk.length);
  }
  for (let i = 0; i < holders.length; i += ROWS_PER_TRANSACTION) {
    const part = holders.slice(i, i + ROWS_PER_TRANSACTION);
    await deps.sql.transaction(async (tx) => {
      for (let j = 0; j < part.length; j += ROWS_PER_STATEMENT) {
        const rows = part.slice(j, j + ROWS_PER_STATEMENT);
        await tx.run(
          `INSERT INTO fund_holdings (fund_id, user_id, earning_minor) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`,
          rows.flatMap((h) => [fundId, h.userId, h.sharesMinor]),
        );
      }
    });
  }
}

function issueShares(fundId: string, holder: PlantedHolder) {
  return transferEvent({
    id: derivedId('fplant', fundId, holder.userId),
    debitAccountId: fundIssuanceAccountId(fundId),
    creditAccountId: fundSharesAccountId(fundId, holder.userId),
    amount: holder.sharesMinor,
    ledger: SHARE_CURRENCY.ledger,
    code: TransferCode.fundSubscription,
    userData: holder.userId,
  });
}

/** The chunk's cash, from the fund's earnings to its custody, so the custodian holds what the shares are worth. */
function custodyCash(fundId: string, chunkStart: number, chunk: readonly PlantedHolder[]) {
  return transferEvent({
    id: derivedId('fplantcash', fundId, String(chunkStart)),
    debitAccountId: fundEarningsAccountId(fundId),
    creditAccountId: fundCustodyAccountId(fundId),
    amount: chunk.reduce((sum, h) => sum + h.sharesMinor, 0n),
    ledger: PLATFORM_CURRENCY.ledger,
    code: TransferCode.fundSubscription,
    userData: fundId,
  });
}

async function requireAll(what: string, results: readonly string[]): Promise<void> {
  const bad = results.find((r) => r !== 'ok');
  if (bad !== undefined) throw new Error(`planting holders: cannot ${what} (${bad})`);
}
