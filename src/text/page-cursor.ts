// The cursor of a list paged newest first by (time, id): where a page ends. Opaque to clients
// (base64url JSON), so a list can change how it pages without clients noticing; anything a page
// did not hand out decodes to undefined, which the route answers with 400 invalid_cursor.
export interface PageCursor {
  /** The page's last entry's time, epoch ms. */
  readonly createdAt: number;
  readonly id: string;
}

/** A cursor as a query parameter takes it: base64url of a short JSON pair. */
export const PAGE_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,400}$/;

export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** The cursor a page handed out, or undefined when it is not one. */
export function decodePageCursor(text: string): PageCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string')
      return { createdAt: value[0], id: value[1] };
  } catch {
    // Not base64url JSON: not a cursor.
  }
  return undefined;
}
