import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { LiveFeed, type LiveMessage, type LiveState } from './live-feed';

interface Subscriber {
  message(m: LiveMessage): void;
  reset(): void;
}

type Subscribe = (s: Subscriber) => () => void;

const SubscribeContext = createContext<Subscribe | null>(null);
const StateContext = createContext<LiveState>('connecting');

/** One stream per signed-in tab, shared by every page. */
export function LiveProvider({ apiKey, children }: { apiKey: string; children: ReactNode }) {
  const [state, setState] = useState<LiveState>('connecting');
  const [subscribers] = useState(() => new Set<Subscriber>());
  const [subscribe] = useState<Subscribe>(() => (s: Subscriber) => {
    subscribers.add(s);
    return () => subscribers.delete(s);
  });
  useEffect(() => {
    const feed = new LiveFeed(apiKey, {
      message: (m) => subscribers.forEach((s) => s.message(m)),
      reset: () => subscribers.forEach((s) => s.reset()),
      state: setState,
    });
    feed.start();
    return () => feed.stop();
  }, [apiKey, subscribers]);
  return (
    <SubscribeContext.Provider value={subscribe}>
      <StateContext.Provider value={state}>{children}</StateContext.Provider>
    </SubscribeContext.Provider>
  );
}

export function useLiveState(): LiveState {
  return useContext(StateContext);
}

/**
 * Calls `onMessage` for every signal event of the user and `onReset` when the stream could not
 * resume (views reload). The latest callbacks are used without resubscribing.
 */
export function useLive(onMessage: (m: LiveMessage) => void, onReset: () => void): void {
  const subscribe = useContext(SubscribeContext);
  const latest = useRef({ onMessage, onReset });
  useEffect(() => {
    latest.current = { onMessage, onReset };
  });
  useEffect(() => {
    if (!subscribe) return undefined;
    return subscribe({ message: (m) => latest.current.onMessage(m), reset: () => latest.current.onReset() });
  }, [subscribe]);
}
