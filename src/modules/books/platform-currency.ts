// The currency the platform keeps its wallets, trades and fees in. Every module that prices
// something in the platform's money names this one constant instead of choosing its own.
import { type Currency, findCurrency } from '../../money/currency.ts';

const cny = findCurrency('CNY');
if (!cny) throw new Error('the currency table lacks CNY');

export const PLATFORM_CURRENCY: Currency = cny;
