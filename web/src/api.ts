// The one way the app talks to Formica: JSON over its HTTP API. Every failure becomes an ApiError
// carrying the server's code and message, so the page can show exactly what the server said.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly token?: string | null;
  readonly body?: unknown;
}

function field(data: unknown, name: string): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (error) {
    throw new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
  }
  const text = await response.text();
  const data = parse(text);
  if (!response.ok) {
    throw new ApiError(response.status, field(data, 'code') ?? `http_${response.status}`, field(data, 'message') ?? (text || response.statusText));
  }
  return data as T;
}

/** A fresh idempotency key for a command that moves money (the API's request_id). */
export function newRequestId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
