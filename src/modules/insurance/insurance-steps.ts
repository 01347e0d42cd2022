// The insurance's money as steps. Buying: the policy row (one per trade) and the premium from the
// buyer's wallet into the pool commit together; a premium the wallet cannot pay leaves no policy.
// Claiming: the policy turns claimed and the payout leaves the pool for the buyer's wallet in one
// commit, once; past the buyer's monthly cap of claims it turns `cap_reached` and nothing moves.
import { transferEvent } from '../../ledger/index.ts';
import { derivedId, insurancePoolAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step } from '../books/step-runner.ts';

export type PolicyStatus = 'active' | 'claimed' | 'cap_reached';

export interface PolicyRow extends Record<string, unknown> {
  policy_id: string;
  trade_no: string;
  buyer_user_id: string;
  merchant_id: string;
  premium_minor: bigint;
  payout_minor: bigint;
  premium_transfer_id: string;
  status: PolicyStatus;
  created_at: bigint;
  claim_minor: bigint;
  claim_month: string;
  claim_transfer_id: string;
  claimed_at: bigint | null;
}

const pool = () => insurancePoolAccountId(PLATFORM_CURRENCY.code);

export function buyStep(row: PolicyRow): Step<boolean, LedgerVerdict | null> {
  return {
    name: 'insurance.buy',
    maxEvents: 1,
    async claim(tx) {
      const claimed = await tx.run(
        `INSERT INTO insurance_policies (policy_id, trade_no, buyer_user_id, merchant_id, premium_minor, payout_minor, premium_transfer_id, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?) ON CONFLICT (trade_no) DO NOTHING`,
        [row.policy_id, row.trade_no, row.buyer_user_id, row.merchant_id, row.premium_minor, row.payout_minor, row.premium_transfer_id, row.created_at],
      );
      return claimed.changes === 1;
    },
    plan: (fresh) =>
      fresh
        ? [
            transferEvent({
              id: row.premium_transfer_id,
              debitAccountId: walletAccountId(row.buyer_user_id),
              creditAccountId: pool(),
              amount: row.premium_minor,
              ledger: PLATFORM_CURRENCY.ledger,
              code: TransferCode.insurancePremium,
              userData: row.trade_no,
            }),
          ]
        : [],
    async record(tx, fresh, outcomes) {
      if (!fresh) return null;
      const verdict = ledgerVerdict(outcomes);
      if (!verdict.applied) await tx.run('DELETE FROM insurance_policies WHERE policy_id = ?', [row.policy_id]);
      return verdict;
    },
  };
}

export interface ClaimInput {
  readonly policyId: string;
  readonly month: string;
  readonly capPerMonth: number;
  readonly nowMs: number;
}

/** Pays the claim of an active policy, within the buyer's monthly cap; the status after, or null if it was not active. */
export function claimStep(input: ClaimInput): Step<PolicyRow | null, PolicyStatus | null> {
  const claimId = derivedId('insc', input.policyId);
  return {
    name: 'insurance.claim',
    maxEvents: 1,
    async claim(tx) {
      const policy = await tx.get<PolicyRow>("SELECT * FROM insurance_policies WHERE policy_id = ? AND status = 'active'", [input.policyId]);
      if (!policy) return null;
      const used = await tx.get<{ n: bigint }>(
        "SELECT COUNT(*) AS n FROM insurance_policies WHERE buyer_user_id = ? AND claim_month = ? AND status = 'claimed'",
        [policy.buyer_user_id, input.month],
      );
      const status: PolicyStatus = Number(used?.n ?? 0) < input.capPerMonth ? 'claimed' : 'cap_reached';
      const paid = status === 'claimed' ? policy.payout_minor : 0n;
      await tx.run('UPDATE insurance_policies SET status = ?, claim_minor = ?, claim_month = ?, claim_transfer_id = ?, claimed_at = ? WHERE policy_id = ?', [
        status,
        paid,
        input.month,
        status === 'claimed' ? claimId : '',
        BigInt(input.nowMs),
        policy.policy_id,
      ]);
      return { ...policy, status };
    },
    plan: (policy) =>
      policy?.status === 'claimed'
        ? [
            transferEvent({
              id: claimId,
              debitAccountId: pool(),
              creditAccountId: walletAccountId(policy.buyer_user_id),
              amount: policy.payout_minor,
              ledger: PLATFORM_CURRENCY.ledger,
              code: TransferCode.insuranceClaim,
              userData: policy.trade_no,
            }),
          ]
        : [],
    async record(_tx, policy, outcomes) {
      if (!policy) return null;
      // The pool has no balance limit: a refused claim is a bug, and throwing undoes the claim row.
      if (outcomes.length > 0 && !ledgerVerdict(outcomes).applied) throw new Error(`the claim of ${policy.policy_id} was refused: ${outcomes[0].result}`);
      return policy.status;
    },
  };
}
