/**
 * Binance's request security for SIGNED (TRADE, USER_DATA) endpoints, checked as the docs
 * describe it.
 *
 * Sources (github.com/binance/binance-spot-api-docs, rest-api.md):
 * - "General Information on Endpoints": GET parameters in the query string; POST/PUT/DELETE in
 *   the query string and/or an application/x-www-form-urlencoded body; a parameter sent in both
 *   takes the query string's value.
 * - "SIGNED Endpoint Examples … HMAC Keys": the signature payload is the query string
 *   concatenated without separator to the body; HMAC-SHA256 under the secret key, hex; the
 *   signature is case-insensitive. The API key travels in the X-MBX-APIKEY header.
 * - "Timing security": `timestamp` is mandatory; `recvWindow` defaults to 5000 and may not exceed
 *   60000; a request is processed only if timestamp < serverTime + 1000 and
 *   serverTime - timestamp <= recvWindow.
 * - errors.md: -1022 "Signature for this request is not valid.", -1021 "Timestamp for this
 *   request is outside of the recvWindow." / "Timestamp for this request was 1000ms ahead of the
 *   server's time.", -1102 mandatory parameter, -1131 "recvWindow must be less than 60000.",
 *   -2014 "API-key format invalid.", -2015 "Invalid API-key, IP, or permissions for action."
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface BinanceError {
  http: number;
  code: number;
  msg: string;
}

export const err = (code: number, msg: string, http = 400): BinanceError => ({ http, code, msg });

export const mandatory = (name: string): BinanceError =>
  err(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

/** Parameters of a request: the body's, overridden by the query string's (rest-api.md). */
export function requestParams(rawQuery: string, rawBody: string): URLSearchParams {
  const params = new URLSearchParams(rawBody);
  for (const [k, v] of new URLSearchParams(rawQuery)) params.set(k, v);
  return params;
}

/** The raw `k=v&…` text without its signature parameter. */
function withoutSignature(raw: string): { payload: string; signature: string | null } {
  let signature: string | null = null;
  const kept = raw
    .split('&')
    .filter((part) => {
      if (!part.startsWith('signature=')) return part.length > 0;
      signature = decodeURIComponent(part.slice('signature='.length));
      return false;
    })
    .join('&');
  return { payload: kept, signature };
}

export interface SignedCheck {
  apiKey: string | undefined;
  rawQuery: string;
  rawBody: string;
  serverTime: number;
}

/** Null when the request may proceed, else Binance's refusal. */
export function checkSigned(req: SignedCheck, keys: { apiKey: string; secret: string }): BinanceError | null {
  if (!req.apiKey) return err(-2014, 'API-key format invalid.', 401);
  if (req.apiKey !== keys.apiKey) return err(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
  const q = withoutSignature(req.rawQuery);
  const b = withoutSignature(req.rawBody);
  const given = q.signature ?? b.signature;
  if (!given) return mandatory('signature');
  const expected = createHmac('sha256', keys.secret)
    .update(q.payload + b.payload)
    .digest('hex');
  const a = Buffer.from(given.toLowerCase());
  const e = Buffer.from(expected);
  if (a.length !== e.length || !timingSafeEqual(a, e)) return err(-1022, 'Signature for this request is not valid.');
  const params = requestParams(req.rawQuery, req.rawBody);
  const ts = Number(params.get('timestamp'));
  if (!params.get('timestamp') || !Number.isFinite(ts)) return mandatory('timestamp');
  const recvWindow = params.has('recvWindow') ? Number(params.get('recvWindow')) : 5000;
  if (!Number.isFinite(recvWindow) || recvWindow > 60000) return err(-1131, 'recvWindow must be less than 60000.');
  if (ts >= req.serverTime + 1000)
    return err(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (req.serverTime - ts > recvWindow) return err(-1021, 'Timestamp for this request is outside of the recvWindow.');
  return null;
}
