// Every merchant API request the sandbox saw: method, parameters, the signature check and why it
// failed, and the response, for the inspector. Recorded after the answer is sent, from the request
// as it arrived, so the gateway itself is untouched.
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../engine/clock.ts';
import { collectV2Params } from '../merchant/gateway-v2.ts';
import { methodFromV3Path } from '../merchant/protocol/methods.ts';
import { parseBizContent } from '../merchant/protocol/v2-request.ts';
import type { MerchantAppDirectory } from '../merchant/protocol/directory.ts';
import { RingLog } from './ring-log.ts';
import { checkV2Signature, checkV3Signature, type SignatureCheck } from './signature-check.ts';

const KEEP_REQUESTS = 1_000;
const KEEP_RESPONSE_CHARS = 4_000;

export interface GatewayExchange {
  readonly atMs: number;
  readonly protocol: 'v2' | 'v3';
  readonly httpMethod: string;
  readonly path: string;
  readonly appId?: string;
  readonly method?: string;
  /** Public and business parameters as sent (v2), or the query and JSON body (v3). */
  readonly params: Record<string, unknown>;
  readonly signature: SignatureCheck;
  readonly status: number;
  readonly response: string;
  /** The trade numbers (ours and the merchant's) named in the request or the response, for filtering. */
  readonly tradeRefs: readonly string[];
}

export function isGatewayPath(url: string): boolean {
  return url.startsWith('/gateway.do') || url.startsWith('/v3/');
}

export class GatewayLog {
  private readonly exchanges = new RingLog<GatewayExchange>(KEEP_REQUESTS);

  constructor(
    private readonly clock: Clock,
    private readonly apps: MerchantAppDirectory,
  ) {}

  async record(request: FastifyRequest, status: number, payload: unknown): Promise<void> {
    const response = typeof payload === 'string' ? payload : '';
    const seen = request.url.startsWith('/v3/') ? await this.v3(request) : await this.v2(request);
    this.exchanges.push({
      atMs: this.clock.now(),
      httpMethod: request.method,
      path: request.url.split('?')[0],
      status,
      response: response.slice(0, KEEP_RESPONSE_CHARS),
      tradeRefs: tradeRefs(seen.params, response),
      ...seen,
    });
  }

  /** Newest first. */
  list(matches: (exchange: GatewayExchange) => boolean): GatewayExchange[] {
    return this.exchanges.newest(matches);
  }

  private async v2(request: FastifyRequest) {
    const { params } = collectV2Params(request);
    const biz = parseBizContent(params.biz_content);
    const signature = await checkV2Signature(params, (appId) => this.apps.findPublicKey(appId));
    return {
      protocol: 'v2' as const,
      appId: text(params.app_id),
      method: text(params.method),
      params: biz.ok ? { ...params, biz_content: biz.biz } : params,
      signature,
    };
  }

  private async v3(request: FastifyRequest) {
    const raw = typeof request.body === 'string' ? request.body : '';
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const parts = { httpMethod: request.method, pathWithQuery: request.url, body: raw, appAuthToken: header('alipay-app-auth-token') };
    const signature = await checkV3Signature(header('authorization'), parts, (appId) => this.apps.findPublicKey(appId));
    const appId = /app_id=([^,]+)/.exec(header('authorization') ?? '')?.[1];
    const query = Object.fromEntries(new URLSearchParams(request.url.split('?')[1] ?? ''));
    return { protocol: 'v3' as const, appId, method: methodFromV3Path(request.url), params: { ...query, ...jsonObject(raw) }, signature };
  }
}

function tradeRefs(params: Record<string, unknown>, response: string): string[] {
  const refs = new Set<string>();
  const biz = (params.biz_content ?? {}) as Record<string, unknown>;
  for (const source of [params, biz]) for (const key of ['out_trade_no', 'trade_no']) if (typeof source[key] === 'string') refs.add(source[key] as string);
  for (const match of response.matchAll(/"(?:out_trade_no|trade_no)":"([^"]+)"/g)) refs.add(match[1]);
  return [...refs];
}

function jsonObject(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { body: raw };
  } catch {
    return raw === '' ? {} : { body: raw };
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
