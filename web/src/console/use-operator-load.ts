// useLoad for operator views: a refused token (401) sends the operator back to the token form.
import { useEffect } from 'react';
import { type Loaded, useLoad } from '../use-load.ts';
import type { Operator } from './operator-gate.tsx';

export function useOperatorLoad<T>(operator: Operator, key: string, load: () => Promise<T>): Loaded<T> {
  const loaded = useLoad(key, load);
  const refused = loaded.error?.status === 401;
  const { forget } = operator;
  useEffect(() => {
    if (refused) forget(true);
  }, [refused, forget]);
  return loaded;
}
