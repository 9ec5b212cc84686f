/**
 * The API key lives in sessionStorage only (this tab, until it closes or the user signs out):
 * never in localStorage, a cookie or the URL bar.
 */
const KEY = 'utm.apiKey';

export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(apiKey: string): void {
  sessionStorage.setItem(KEY, apiKey);
}

export function clearApiKey(): void {
  sessionStorage.removeItem(KEY);
}
