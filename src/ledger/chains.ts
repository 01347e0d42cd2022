// Linked chains: events flagged `linked` succeed or fail with the events after them, up to and
// including the first event without the flag. Shared by account and transfer batches.
import type { WorkingSet } from './working-set.ts';

const LINKED = 1;

type ChainResult = 'ok' | 'linked_event_failed' | 'linked_event_chain_open';

export function applyChained<E extends { readonly flags: number }, R extends string>(
  work: WorkingSet,
  events: readonly E[],
  apply: (event: E, index: number) => R | 'ok',
): (R | ChainResult)[] {
  const results: (R | ChainResult)[] = new Array(events.length);
  let chainStart = -1;
  let chainBroken = false;
  for (let i = 0; i < events.length; i++) {
    const linked = (events[i].flags & LINKED) !== 0;
    if (linked && chainStart < 0) {
      chainStart = i;
      chainBroken = false;
      work.beginChain();
    }
    let result: R | ChainResult;
    if (linked && i === events.length - 1) result = 'linked_event_chain_open';
    else if (chainBroken) result = 'linked_event_failed';
    else result = apply(events[i], i);

    if (result !== 'ok' && chainStart >= 0 && !chainBroken) {
      chainBroken = true;
      work.endChain(false);
      for (let j = chainStart; j < i; j++) results[j] = 'linked_event_failed';
    }
    results[i] = result;
    const chainEnds = !linked || result === 'linked_event_chain_open';
    if (chainStart >= 0 && chainEnds) {
      if (!chainBroken) work.endChain(true);
      chainStart = -1;
      chainBroken = false;
    }
  }
  return results;
}
