/**
 * Reading the trade_updates stream's messages
 * (https://docs.alpaca.markets/docs/websocket-streaming, "Trade Updates" and its example):
 * {"stream": "...", "data": {...}}; trade_updates data: event, order (the REST order entity),
 * and for fill / partial_fill: execution_id, qty, price, timestamp, position_qty.
 */
import type { RawData } from 'ws';
import { asRecord, optDecimal, optString, reqString, type JsonRecord } from './json';
import { parseAlpacaOrder, type AlpacaOrder } from './mapping';
import { parseDate, type StreamFill } from './order-tracker';

/** A frame's messages. Binary and text frames alike arrive as bytes (the paper stream sends binary). */
export function decodeFrame(data: RawData): JsonRecord[] {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
  return (Array.isArray(parsed) ? parsed : [parsed]).map((m) => asRecord(m, 'stream message'));
}

export function parseTradeUpdate(data: JsonRecord): { event: string; order: AlpacaOrder; fill: StreamFill | null } {
  const what = 'trade update';
  const event = reqString(data, 'event', what);
  const order = parseAlpacaOrder(data.order);
  if (event !== 'fill' && event !== 'partial_fill') return { event, order, fill: null };
  return {
    event,
    order,
    fill: {
      executionId: optString(data, 'execution_id', what),
      qty: optDecimal(data, 'qty', what),
      price: optDecimal(data, 'price', what),
      at: parseDate(optString(data, 'timestamp', what)),
    },
  };
}
