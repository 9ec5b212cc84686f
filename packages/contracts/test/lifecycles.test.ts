import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  canTransitionOrder,
  canTransitionSignal,
  EVENT_TYPE_NAMES,
  IllegalTransitionError,
  OPEN_ORDER_STATUSES,
  ORDER_ROLES,
  ORDER_STATUSES,
  orderStatusesLeadingTo,
  orderStatusEvent,
  orderTransition,
  SIGNAL_STATUSES,
  signalStatusesLeadingTo,
  signalTransition,
  sqlList,
  TERMINAL_ORDER_STATUSES,
  TERMINAL_SIGNAL_STATUSES,
  TRADING_STATES,
  UNPLACED_ORDER_STATUSES,
  WORKING_ORDER_STATUSES,
  type OrderStatus,
  type SignalStatus,
} from '../src';

/** Every legal order transition, written out: the table test of the lifecycle. */
const LEGAL_ORDER: [OrderStatus, OrderStatus][] = [
  ['NEW', 'SUBMITTING'],
  ['NEW', 'ACCEPTED'],
  ['NEW', 'PARTIALLY_FILLED'],
  ['NEW', 'FILLED'],
  ['NEW', 'CANCELLED'],
  ['NEW', 'REJECTED'],
  ['NEW', 'EXPIRED'],
  ['SUBMITTING', 'NEW'],
  ['SUBMITTING', 'ACCEPTED'],
  ['SUBMITTING', 'PARTIALLY_FILLED'],
  ['SUBMITTING', 'FILLED'],
  ['SUBMITTING', 'CANCELLED'],
  ['SUBMITTING', 'REJECTED'],
  ['SUBMITTING', 'EXPIRED'],
  ['ACCEPTED', 'PARTIALLY_FILLED'],
  ['ACCEPTED', 'FILLED'],
  ['ACCEPTED', 'CANCELLED'],
  ['ACCEPTED', 'REJECTED'],
  ['ACCEPTED', 'EXPIRED'],
  ['PARTIALLY_FILLED', 'FILLED'],
  ['PARTIALLY_FILLED', 'CANCELLED'],
  ['PARTIALLY_FILLED', 'EXPIRED'],
  ['CANCELLED', 'PARTIALLY_FILLED'],
  ['CANCELLED', 'FILLED'],
  ['EXPIRED', 'PARTIALLY_FILLED'],
  ['EXPIRED', 'FILLED'],
];

const LEGAL_SIGNAL: [SignalStatus, SignalStatus][] = [
  ['PENDING', 'PROCESSING'],
  ['PENDING', 'REJECTED'],
  ['PENDING', 'FAILED'],
  ['PROCESSING', 'SUBMITTED'],
  ['PROCESSING', 'PARTIALLY_FILLED'],
  ['PROCESSING', 'FILLED'],
  ['PROCESSING', 'FAILED'],
  ['PROCESSING', 'CANCELLED'],
  ['PROCESSING', 'EXPIRED'],
  ['SUBMITTED', 'PROCESSING'],
  ['SUBMITTED', 'PARTIALLY_FILLED'],
  ['SUBMITTED', 'FILLED'],
  ['SUBMITTED', 'FAILED'],
  ['SUBMITTED', 'CANCELLED'],
  ['SUBMITTED', 'EXPIRED'],
  ['PARTIALLY_FILLED', 'FILLED'],
  ['PARTIALLY_FILLED', 'FAILED'],
  ['PARTIALLY_FILLED', 'CANCELLED'],
  ['PARTIALLY_FILLED', 'EXPIRED'],
  ['FAILED', 'PENDING'],
];

const pairs = <T extends string>(all: readonly T[]): [T, T][] => all.flatMap((a) => all.map((b): [T, T] => [a, b]));
const key = (a: string, b: string) => `${a}→${b}`;

describe('order lifecycle', () => {
  const legal = new Set(LEGAL_ORDER.map(([a, b]) => key(a, b)));

  it.each(LEGAL_ORDER)('%s → %s is allowed', (from, to) => {
    expect(orderTransition(from, to)).toBe(to);
  });

  const illegal = pairs(ORDER_STATUSES).filter(([a, b]) => a !== b && !legal.has(key(a, b)));
  it.each(illegal)('%s → %s is refused', (from, to) => {
    expect(canTransitionOrder(from, to)).toBe(false);
    expect(() => orderTransition(from, to, 'o-1')).toThrow(IllegalTransitionError);
  });

  // The ones that matter: an ended order never works again, a fill is never undone, nothing
  // goes back to NEW except an uncertain placement the venue never saw.
  it.each([
    ['FILLED', 'ACCEPTED'],
    ['FILLED', 'CANCELLED'],
    ['FILLED', 'PARTIALLY_FILLED'],
    ['CANCELLED', 'ACCEPTED'],
    ['REJECTED', 'ACCEPTED'],
    ['REJECTED', 'FILLED'],
    ['EXPIRED', 'ACCEPTED'],
    ['PARTIALLY_FILLED', 'ACCEPTED'],
    ['PARTIALLY_FILLED', 'REJECTED'],
    ['ACCEPTED', 'NEW'],
    ['ACCEPTED', 'SUBMITTING'],
    ['CANCELLED', 'NEW'],
  ] as [OrderStatus, OrderStatus][])('%s → %s is among the refused', (from, to) => {
    expect(illegal).toContainEqual([from, to]);
  });

  it('says which transition it refused, and for which order', () => {
    expect(() => orderTransition('FILLED', 'CANCELLED', 'o-7')).toThrow(
      'illegal order transition FILLED → CANCELLED (order o-7)',
    );
  });

  it('allows writing the same status again (an update of other fields)', () => {
    for (const s of ORDER_STATUSES) expect(orderTransition(s, s)).toBe(s);
  });

  it('partitions the statuses into open and terminal, open into unplaced and working', () => {
    expect([...OPEN_ORDER_STATUSES, ...TERMINAL_ORDER_STATUSES].sort()).toEqual([...ORDER_STATUSES].sort());
    expect([...UNPLACED_ORDER_STATUSES, ...WORKING_ORDER_STATUSES].sort()).toEqual([...OPEN_ORDER_STATUSES].sort());
  });

  it('lets a terminal order move only to a fill the venue reports', () => {
    for (const from of TERMINAL_ORDER_STATUSES)
      for (const to of ORDER_STATUSES)
        if (from !== to && canTransitionOrder(from, to)) expect(['PARTIALLY_FILLED', 'FILLED']).toContain(to);
  });

  it('lists the statuses that may lead to a status (for SQL guards)', () => {
    expect(orderStatusesLeadingTo('SUBMITTING')).toEqual(['NEW', 'SUBMITTING']);
    expect(orderStatusesLeadingTo('NEW')).toEqual(['NEW', 'SUBMITTING']);
  });

  it.each(ORDER_STATUSES)('names the event of reaching %s', (status) => {
    expect(EVENT_TYPE_NAMES).toContain(orderStatusEvent(status));
  });
});

describe('signal lifecycle', () => {
  const legal = new Set(LEGAL_SIGNAL.map(([a, b]) => key(a, b)));

  it.each(LEGAL_SIGNAL)('%s → %s is allowed', (from, to) => {
    expect(signalTransition(from, to)).toBe(to);
  });

  const illegal = pairs(SIGNAL_STATUSES).filter(([a, b]) => a !== b && !legal.has(key(a, b)));
  it.each(illegal)('%s → %s is refused', (from, to) => {
    expect(canTransitionSignal(from, to)).toBe(false);
    expect(() => signalTransition(from, to, 's-1')).toThrow(IllegalTransitionError);
  });

  it('ends for good, except a FAILED signal re-driven by an operator', () => {
    for (const from of TERMINAL_SIGNAL_STATUSES)
      for (const to of SIGNAL_STATUSES)
        if (from !== to && canTransitionSignal(from, to)) expect([from, to]).toEqual(['FAILED', 'PENDING']);
  });

  it('is decided only from PENDING', () => {
    expect(signalStatusesLeadingTo('REJECTED')).toEqual(['PENDING', 'REJECTED']);
    expect(signalStatusesLeadingTo('PROCESSING')).toEqual(['PENDING', 'PROCESSING', 'SUBMITTED']);
  });

  it.each(SIGNAL_STATUSES.filter((s) => s !== 'PENDING'))('records reaching %s as an event type', (status) => {
    expect(EVENT_TYPE_NAMES).toContain(status);
  });
});

/** The database declares the same vocabularies: schema.prisma's enums and the partial indexes. */
describe('the database agrees', () => {
  const root = path.resolve(__dirname, '../../..');
  const schema = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');
  const enumOf = (name: string) => {
    const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(schema)?.[1] ?? '';
    return body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('//'));
  };

  it.each([
    ['OrderStatus', ORDER_STATUSES],
    ['SignalStatus', SIGNAL_STATUSES],
    ['OrderRole', ORDER_ROLES],
    ['TradingState', TRADING_STATES],
  ] as const)('schema.prisma enum %s has exactly these values', (name, values) => {
    expect(enumOf(name)).toEqual([...values]);
  });

  it("the per-account partial indexes use the sets' own lists", () => {
    const dir = path.join(root, 'prisma/migrations');
    const sql = readdirSync(dir)
      .filter((d) => !d.endsWith('.toml'))
      .map((d) => readFileSync(path.join(dir, d, 'migration.sql'), 'utf8'))
      .join('\n');
    const actionable = /CREATE INDEX "orders_actionable_by_account_idx"[^;]*;/.exec(sql)?.[0] ?? '';
    expect(actionable).toContain(`"status" IN (${sqlList(UNPLACED_ORDER_STATUSES)})`);
    expect(actionable).toContain(`"status" IN (${sqlList(WORKING_ORDER_STATUSES)})`);
    const resting = /CREATE INDEX "orders_resting_idx"[^;]*;/.exec(sql)?.[0] ?? '';
    expect(resting).toContain(`"status" IN (${sqlList(WORKING_ORDER_STATUSES)})`);
  });
});
