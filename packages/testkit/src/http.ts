import type { IngestRequest } from '@utm/contracts';
import type { Fixture } from './fixtures';

/**
 * Sends a signal to a gateway exactly as a provider does (POST /api/v1/signals/ingest with
 * X-API-Key), defaulting symbol and account from the fixture; returns the signal id, or
 * throws with the gateway's answer when it is not a 202.
 */
export async function postSignal(
  baseUrl: string,
  f: Fixture,
  body: Partial<IngestRequest> & Record<string, unknown>,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/signals/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': f.apiKey },
    body: JSON.stringify({ symbol: 'AAPL', accountId: f.accountId, ...body }),
  });
  const json = (await res.json()) as { signalId?: string };
  if (res.status !== 202 || !json.signalId) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
  return json.signalId;
}
