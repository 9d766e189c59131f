'use client';

import { useCallback, useState } from 'react';

/** Where a cursor-paged listing is (docs/api.md §1.6): the cursors of the pages walked so far. */
export interface CursorPages {
  /** The cursor of the page shown; null for the first (newest) page. */
  readonly cursor: string | null;
  /** 1 for the first page. */
  readonly page: number;
  readonly older: (nextCursor: string) => void;
  readonly newer: () => void;
  readonly newest: () => void;
}

/** A stack of cursors, so "newer" can go back a page although the API only pages forward. */
export function useCursorPages(): CursorPages {
  const [stack, setStack] = useState<readonly string[]>([]);
  const older = useCallback((nextCursor: string) => setStack((walked) => [...walked, nextCursor]), []);
  const newer = useCallback(() => setStack((walked) => walked.slice(0, -1)), []);
  const newest = useCallback(() => setStack([]), []);
  return { cursor: stack.at(-1) ?? null, page: stack.length + 1, older, newer, newest };
}
