// Tokens kept for this browser tab only (sessionStorage): the user's session and the operator's token.
import { useCallback, useState } from 'react';

export const USER_TOKEN = 'formica.session';
export const OPERATOR_TOKEN = 'formica.operator';

/** A token in sessionStorage as React state: [token, save (null forgets it)]. */
export function useStoredToken(key: string): [string | null, (token: string | null) => void] {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(key));
  const save = useCallback(
    (next: string | null) => {
      if (next === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, next);
      setToken(next);
    },
    [key],
  );
  return [token, save];
}
