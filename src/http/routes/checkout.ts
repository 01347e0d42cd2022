// The hosted checkout: `GET /checkout/:trade_no` renders the trade for the buyer, who logs in and
// pays from balance on the page. Where pageExecute and precreate's qr_code send buyers.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { renderCheckoutPage, renderMissingTradePage } from '../../modules/merchant/checkout-page.ts';
import { preferredLang } from '../../text/lang.ts';
import { TradeError } from '../../modules/merchant/trade-port.ts';
import { cleanText } from '../schemas/common.ts';

const Params = z.object({ trade_no: cleanText({ min: 1, max: 64 }) });
/** Only an http(s) address is linked as the way back to the merchant. */
const HTTP_ADDRESS = /^https?:\/\/[^\s<>"']+$/;
// Text like every other parameter (a control character is a 400); a value the page cannot use is
// ignored: an unknown language falls back to the browser's, another return_url is not linked.
const Query = z.object({
  lang: cleanText({ max: 16 }).optional(),
  /** Where page pay's return_url sends the buyer back. */
  return_url: cleanText({ max: 512 }).optional(),
});

export function checkoutRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/checkout/:trade_no',
      { schema: { tags: ['checkout'], summary: 'Hosted checkout page (HTML)', params: Params, querystring: Query } },
      async (request, reply) => {
        // The page is the buyer's only view of the trade: never let it be framed by another site.
        const lang = preferredLang(request.query.lang, request.headers['accept-language']);
        reply.header('x-frame-options', 'DENY').header('cache-control', 'no-store').type('text/html; charset=utf-8');
        try {
          const trade = await app.trades.getForBuyer(request.params.trade_no);
          const merchant = await app.merchants.get(trade.merchantId);
          const pageUrl = `${request.protocol}://${request.host}${request.url}`;
          const asked = request.query.return_url;
          const returnUrl = asked !== undefined && HTTP_ADDRESS.test(asked) ? asked : undefined;
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
