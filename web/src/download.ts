// Files the API answers only to a session (a receipt, an export): fetched with the Bearer token,
// then handed to the browser as a download under the name the server gave it.
import { ApiError } from './api.ts';

function fileName(disposition: string | null, fallback: string): string {
  return /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? fallback;
}

export async function download(path: string, token: string, fallbackName: string): Promise<string> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(response.status, body.code ?? `http_${response.status}`, body.message ?? response.statusText);
  }
  const name = fileName(response.headers.get('content-disposition'), fallbackName);
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.click();
  // The click has started the download; the object URL is released on the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return name;
}
