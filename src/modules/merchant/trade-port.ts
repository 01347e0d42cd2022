// The part of the trade module the merchant API calls, named in one file so the handlers, bills
// and checkout read one source of trade types.
export type { MerchantInfo, MerchantLookup, ProductCode, Refund, Trade, TradeRef } from '../trade/trade-types.ts';
export type { TradeService } from '../trade/trade.ts';
export { TradeError } from '../trade/trade-errors.ts';
// The trade service refuses a buyer's balance payment with the wallet's own errors (limits, verification).
export { WalletError } from '../wallet/wallet-errors.ts';
