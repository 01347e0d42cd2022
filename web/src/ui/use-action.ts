// Runs a command (a POST) from a form: whether it is running, and the API error it ended with.
import { useCallback, useState } from 'react';
import type { ApiError } from '../api.ts';
import { asApiError } from '../use-load.ts';

export interface Action<A extends unknown[]> {
  readonly running: boolean;
  readonly error: ApiError | undefined;
  readonly run: (...args: A) => Promise<boolean>;
}

export function useAction<A extends unknown[]>(command: (...args: A) => Promise<void>): Action<A> {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(
    async (...args: A) => {
      setRunning(true);
      setError(undefined);
      try {
        await command(...args);
        return true;
      } catch (e) {
        setError(asApiError(e));
        return false;
      } finally {
        setRunning(false);
      }
    },
    [command],
  );
  return { running, error, run };
}
