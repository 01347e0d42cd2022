// SQL shared by the stores, written once with a dialect's placeholder style.
import { TRANSFER_COLUMNS } from './rows.ts';
import type { TransferQuery } from './store.ts';

type Param = string | number | bigint;

/**
 * An account's transfers oldest first: each side is read through its own index with the limit
 * applied, then merged, so a busy account costs no more than a page.
 */
export function accountTransfersSql(accountId: string, query: TransferQuery, placeholder: (n: number) => string): { sql: string; params: Param[] } {
  const params: Param[] = [];
  const p = (value: Param) => {
    params.push(value);
    return placeholder(params.length);
  };
  const side = (column: string) => {
    const where = [`${column} = ${p(accountId)}`, `timestamp > ${p(query.after ?? 0n)}`];
    if (query.until !== undefined) where.push(`timestamp <= ${p(query.until)}`);
    if (query.code !== undefined) where.push(`code = ${p(query.code)}`);
    if (query.userData !== undefined) where.push(`user_data = ${p(query.userData)}`);
    return `SELECT * FROM (SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE ${where.join(' AND ')} ORDER BY timestamp LIMIT ${p(query.limit)}) AS s`;
  };
  const sql = `SELECT * FROM (${side('debit_account_id')} UNION ALL ${side('credit_account_id')}) AS merged ORDER BY timestamp LIMIT ${p(query.limit)}`;
  return { sql, params };
}
