// JSON over HTTP for end-to-end tests: one request, with an optional Bearer token, answered as
// status and parsed body.

// biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly
export type Reply = { status: number; body: any };

export async function send(url: string, token: string | undefined, method: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
