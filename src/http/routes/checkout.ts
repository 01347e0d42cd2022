// The hosted checkout: `GET /checkout/:trade_no` renders the trade for the buyer, who logs in and
// pays from balance on the page. Where pageExecute and precreate's qr_code send buyers.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { renderCheckoutPage, renderMissingTradePage } from '../../modules/merchant/checkout-page.ts';
import { checkoutLang } from '../../modules/merchant/checkout-text.ts';
import { TradeError } from '../../modules/merchant/trade-port.ts';
import { cleanText } from '../schemas/common.ts';

const Params = z.object({ trade_no: cleanText({ min: 1, max: 64 }) });
const Query = z.object({
  lang: z.enum(['zh', 'en']).optional().catch(undefined),
  /** Where page pay's return_url sends the buyer back; only an http(s) address is linked. */
  return_url: z
    .string()
    .max(512)
    .regex(/^https?:\/\/[^\s<>"']+$/, 'must be an http(s) address')
    .optional()
    .catch(undefined),
});

export function checkoutRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/checkout/:trade_no',
      { schema: { tags: ['checkout'], summary: 'Hosted checkout page (HTML)', params: Params, querystring: Query } },
      async (request, reply) => {
        // The page is the buyer's only view of the trade: never let it be framed by another site.
        const lang = checkoutLang(request.query.lang, request.headers['accept-language']);
        reply.header('x-frame-options', 'DENY').header('cache-control', 'no-store').type('text/html; charset=utf-8');
        try {
          const trade = await app.trades.getForBuyer(request.params.trade_no);
          const merchant = await app.merchants.get(trade.merchantId);
          const pageUrl = `${request.protocol}://${request.host}${request.url}`;
          const returnUrl = request.query.return_url;
          return await renderCheckoutPage({ trade, merchantName: merchant?.name, pageUrl, nowMs: app.clock.now(), lang, returnUrl });
        } catch (error) {
          if (!(error instanceof TradeError) || error.code !== 'TRADE_NOT_EXIST') throw error;
          reply.status(404);
          return renderMissingTradePage(lang);
        }
      },
    );
  };
}
