import type { Pool } from 'pg';
import type { Logger } from '@utm/logger';
import type { Histogram } from 'prom-client';
import type { Broker, BrokerOrderUpdate } from '../venues/broker/types';
import type { MilestoneSink } from '../domain/milestones';
import {
  accountsWithOrdersAtBrokers,
  loadAccount,
  paperAccountsAmong,
  type ExecAccount,
} from '../repositories/accounts';
import { resyncLegs } from '../use-cases/leg-resize';
import { BrokerUnreachable } from '../use-cases/order-job-failed';
import { recordBrokerFill } from '../use-cases/record-fill';
import { workAccount } from '../venues/account-executor';
import { BrokerVenue, type LegHooks, type RequestWork } from '../venues/broker/broker-venue';
import { instrumentBroker } from '../venues/broker/instrumented-broker';
import type { PaperVenue } from '../venues/paper/paper-venue';
import type { Venue } from '../venues/venue';

/** An account's broker, and the stream of its order updates when it has one. */
export interface BrokerConnection {
  broker: Broker;
  /** The same account for background reads (reconciliation), behind placement in its request budget. */
  background?: Broker;
  updates?: {
    start(): Promise<void>;
    stop(): Promise<void>;
    onUpdate(cb: (u: BrokerOrderUpdate) => void): () => void;
    onError(cb: (err: Error) => void): () => void;
  };
}

export interface AccountVenuesDeps {
  pool: Pool;
  /** The paper engine, shared by every paper account. */
  paper: PaperVenue;
  lockTimeoutMs: number;
  logger: Logger;
  /** External brokers by account (Alpaca, or one speaking its contract in tests). */
  brokerFor: (account: ExecAccount) => BrokerConnection;
  brokerCalls: Histogram<'broker' | 'operation' | 'outcome'>;
  milestones: MilestoneSink;
  requestWork: RequestWork;
  /** After a broker's update was recorded for the account. */
  onUpdated: (accountId: string) => Promise<void>;
}

/**
 * Which venue each account trades on: the paper engine (remembered: an account's broker never
 * changes), or its external broker, connected on first use — the broker instrumented, its exit
 * legs recorded through the fill use case, its update stream started — and kept for the
 * executor's life.
 */
export class AccountVenues {
  private readonly venues = new Map<string, BrokerVenue>();
  private readonly working = new Map<string, Venue>();
  private readonly paper = new Set<string>();
  private readonly streams: NonNullable<BrokerConnection['updates']>[] = [];
  private closing = false;

  constructor(private readonly deps: AccountVenuesDeps) {}

  /** The venue the account's orders are worked on; null for an unknown account. */
  async venueOf(accountId: string): Promise<Venue | null> {
    if ((await this.paperAmong([accountId])).length) return this.deps.paper;
    const cached = this.working.get(accountId);
    if (cached) return cached;
    const broker = await this.venueFor(accountId);
    if (!broker) return null;
    const log = this.deps.logger.child({ module: 'broker', accountId });
    const opts = { lockTimeoutMs: this.deps.lockTimeoutMs };
    // An external broker's account is worked on its own, order by order, under its execution lock.
    const venue: Venue = {
      name: broker.name,
      together: false,
      work: async (ids) => {
        let handled = 0;
        for (const id of ids) handled += await workAccount(this.deps.pool, broker, id, log, opts);
        return handled;
      },
    };
    this.working.set(accountId, venue);
    return venue;
  }

  /** Those of `accountIds` that trade on the paper engine. */
  async paperAmong(accountIds: string[]): Promise<string[]> {
    const unknown = accountIds.filter((id) => !this.paper.has(id) && !this.venues.has(id));
    if (unknown.length) for (const id of await paperAccountsAmong(this.deps.pool, unknown)) this.paper.add(id);
    return accountIds.filter((id) => this.paper.has(id));
  }

  /** The account's external broker, its orders placed exactly once; null for a paper account or an unknown one. */
  async venueFor(accountId: string): Promise<BrokerVenue | null> {
    const cached = this.venues.get(accountId);
    if (cached) return cached;
    if (this.paper.has(accountId)) return null;
    const account = await loadAccount(this.deps.pool, accountId);
    if (account?.broker === 'paper') this.paper.add(accountId);
    if (!account || account.broker === 'paper') return null;
    let connection: BrokerConnection;
    try {
      connection = this.deps.brokerFor(account);
    } catch (err) {
      // Credentials missing or unreadable, no encryption key: retrying cannot help.
      throw new BrokerUnreachable(`${account.broker} cannot be reached for this account: ${(err as Error).message}`);
    }
    const log = this.deps.logger.child({ module: 'broker', accountId });
    const broker = instrumentBroker(connection.broker, this.deps.brokerCalls);
    const legVenue = { broker };
    const legs: LegHooks = {
      fill: (c, o, execution) => recordBrokerFill(c, o, execution, legVenue),
      afterSettle: (c, o) => resyncLegs(c, o, legVenue),
    };
    const background = connection.background ? instrumentBroker(connection.background, this.deps.brokerCalls) : broker;
    const venue = new BrokerVenue(
      this.deps.pool,
      broker,
      legs,
      this.deps.requestWork,
      log,
      this.deps.milestones,
      background,
    );
    this.venues.set(accountId, venue);
    const updates = connection.updates;
    if (updates && !this.closing) {
      updates.onUpdate((u) => {
        venue
          .apply(u.order.clientOrderId, u.order, null)
          .then(() => this.deps.onUpdated(accountId))
          .catch((err: unknown) =>
            log.warn('could not record a broker update; reconciliation will', { orderId: u.order.clientOrderId, err }),
          );
      });
      updates.onError((err) => log.warn('broker update stream error', { err }));
      this.streams.push(updates);
      await updates.start();
    }
    return venue;
  }

  /** At start-up: the accounts with orders working at their broker, connected (their streams started). */
  async connectWorking(log: Logger): Promise<void> {
    for (const accountId of await accountsWithOrdersAtBrokers(this.deps.pool))
      await this.venueFor(accountId).catch((err: unknown) =>
        log.warn('could not connect an account to its broker', { accountId, err }),
      );
  }

  /** Closing: an account connected from now on gets no update stream. */
  refuseNewStreams(): void {
    this.closing = true;
  }

  async close(): Promise<void> {
    this.refuseNewStreams();
    await Promise.all(this.streams.map((u) => u.stop()));
  }
}
