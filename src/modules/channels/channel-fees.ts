// What each bank channel costs, from configuration (FORMICA_CHANNEL_FEES="ICBC:12,CCB:10"): the
// router prefers the cheaper of equally healthy channels, and each bound channel records its fee.
import type { ChannelCost } from './routing.ts';

/** Parses "BANK:bps,BANK:bps"; an empty or missing setting means no bank has a known cost (0). */
export function parseChannelFees(text: string | undefined): ChannelCost[] {
  if (!text?.trim()) return [];
  return text.split(',').map((entry) => {
    const match = /^\s*([A-Z0-9_]{2,16})\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(entry);
    if (!match) throw new Error(`FORMICA_CHANNEL_FEES: '${entry}' is not BANK:basis_points`);
    return { bank: match[1], feeBps: Number(match[2]) };
  });
}
