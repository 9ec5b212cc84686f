import { WebhookReceiver } from '@utm/testkit';
import { Harness } from './support/harness';

/**
 * With WEBHOOK_ALLOW_PRIVATE off, a delivery to an endpoint that resolves to loopback is refused
 * before a connection is made: the receiver (on 127.0.0.1) never hears of it, the attempt says
 * why. (Only loopback is used: nothing here may send traffic to any other address.)
 */
let h: Harness;
let r: WebhookReceiver;
beforeAll(async () => {
  r = await new WebhookReceiver().start();
  h = await new Harness().start({
    policy: { allowPrivate: false },
    // A public-looking name that resolves to loopback, as a rebinding DNS would answer.
    resolve: async () => [{ address: '127.0.0.1', family: 4 }],
  });
});
afterAll(async () => {
  await h.close();
  await r.close();
});

it('refuses to connect to a loopback address, for a literal IP and for a name resolving to one', async () => {
  const f = await h.fixture();
  const port = new URL(r.url()).port;
  const literal = await h.endpoint(f.userId, r.url(), ['signal.filled']);
  const named = await h.endpoint(f.userId, `http://hooks.attacker.example:${port}/x`, ['signal.filled']);
  await h.db.pool.query("INSERT INTO signal_events (signal_id, type, message) VALUES ($1, 'FILLED', 'Signal FILLED')", [
    await h.signal(f),
  ]);
  for (const ep of [literal, named]) {
    const [d] = await h.until(
      'refused attempt',
      () => h.deliveriesOf(ep.id),
      (ds) => ds[0]?.attempts === 1,
    );
    expect(d?.attemptRows[0]).toMatchObject({ statusCode: null, response: null });
    expect(d?.attemptRows[0]?.error).toMatch(
      /resolves to 127\.0\.0\.1 \(loopback\): webhooks are not sent to loopback addresses/,
    );
    expect(d?.status).toBe('PENDING');
  }
  expect(r.server.received).toEqual([]);
});
