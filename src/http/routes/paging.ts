// A paged list's `before` query parameter, read back into the cursor a page handed out.
import { decodePageCursor, type PageCursor } from '../../text/page-cursor.ts';
import { badRequest } from '../errors.ts';

/** The cursor `before` names, undefined for the first page; 400 invalid_cursor for anything a page did not hand out. */
export function cursorBefore(before: string | undefined): PageCursor | undefined {
  if (before === undefined) return undefined;
  const cursor = decodePageCursor(before);
  if (!cursor) throw badRequest('invalid_cursor', '`before` must be the `next` of a previous page');
  return cursor;
}
