// Formica's fee on a biller's collections, in basis points, rounded half up to the fen; the biller
// is paid the rest, so fee and payout always add up to the collections exactly.
export const BILLER_FEE_BP = 10n;

export function billerFee(grossMinor: bigint, feeBp: bigint = BILLER_FEE_BP): bigint {
  if (grossMinor < 0n || feeBp < 0n || feeBp > 10_000n) throw new RangeError('collections and fee rate must be non-negative, the rate at most 100%');
  return (grossMinor * feeBp + 5_000n) / 10_000n;
}

export function billerPayout(grossMinor: bigint, feeBp: bigint = BILLER_FEE_BP): { feeMinor: bigint; netMinor: bigint } {
  const feeMinor = billerFee(grossMinor, feeBp);
  return { feeMinor, netMinor: grossMinor - feeMinor };
}
