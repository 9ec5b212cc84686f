import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload(): void;
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError(0, 'UNEXPECTED', err instanceof Error ? err.message : String(err));
}

/** Loads `load()` whenever `key` changes; answers that arrive out of order are dropped. */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; key: string }>({
    loading: true,
    key,
  });
  const latestLoad = useRef(load);
  const seq = useRef(0);
  useEffect(() => {
    latestLoad.current = load;
  });
  const run = useCallback((forKey: string) => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    latestLoad.current().then(
      (data) => n === seq.current && setState({ data, loading: false, key: forKey }),
      (err: unknown) =>
        n === seq.current &&
        setState((s) => ({
          data: s.key === forKey ? s.data : undefined,
          error: asApiError(err),
          loading: false,
          key: forKey,
        })),
    );
  }, []);
  useEffect(() => run(key), [key, run]);
  const reload = useCallback(() => run(key), [key, run]);
  // Data of a previous key (another filter, another id) is never shown for the new one.
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: state.loading || !current,
    reload,
  };
}

/** A function that runs `fn` at most once per `ms`, at the end of a burst (live refreshes). */
export function useDebounced(fn: () => void, ms: number): () => void {
  const latest = useRef(fn);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    latest.current = fn;
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => latest.current(), ms);
  }, [ms]);
}
