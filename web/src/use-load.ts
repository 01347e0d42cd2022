// Loads data for a view: the result, the API error (shown to the user), and a reload. A response
// that arrives after a newer load started is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'client_error', error instanceof Error ? error.message : String(error));
}

/** Runs `load` now, again when `key` changes, and on reload(). */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const loadRef = useRef(load);
  loadRef.current = load;
  const [round, setRound] = useState(0);
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `round` are what start a new load; the loader itself is read through a ref
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error: asApiError(error), loading: false })),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
