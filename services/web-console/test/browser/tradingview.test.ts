import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fillPlaceholders, KEY_PLACEHOLDER } from '../../src/tradingview';
import { fitsWidth, launchChromium, newPage, screenshot } from './browser';
import { NpmStartStack } from './stack';

/**
 * The TradingView page of an account, in a real Chromium against `npm start`'s stack: the
 * webhook URL and each ready-to-paste message are copied with their Copy buttons (the real
 * clipboard), filled in as TradingView fills its placeholders, and posted as TradingView posts
 * them (text/plain, the key in the URL) to the real gateway: each is accepted and worked, and
 * the Signals page shows what each was applied as.
 */
jest.setTimeout(120000);

const stack = new NpmStartStack();
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launchChromium();
  await stack.start();
  ({ context, page, errors } = await newPage(browser, { width: 1280, height: 900 }));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(stack.banner.consoleUrl).origin,
  });
}, 180000);

afterAll(async () => {
  await browser?.close();
  await stack.stop();
}, 60000);

afterEach(() => {
  expect(stack.crashed).toBeUndefined();
  expect(errors).toEqual([]);
});

async function copied(button: string): Promise<string> {
  await page.getByRole('button', { name: button }).click();
  await page.getByRole('button', { name: button }).getByText('Copied').waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** POSTs a filled-in message as TradingView does: text/plain unless it is JSON (it is: application/json). */
async function postAsTradingView(
  url: string,
  message: string,
  contentType: string,
): Promise<{ status: number; signalId?: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body: message });
  const body = (await res.json()) as { signalId?: string };
  return { status: res.status, ...(body.signalId ? { signalId: body.signalId } : {}) };
}

it('shows the webhook URL and three messages for the account, each copied and accepted by the gateway', async () => {
  await page.goto(stack.banner.consoleUrl);
  await page.getByLabel('API key').fill(stack.banner.apiKey);
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'Accounts', exact: true }).click();
  await page.locator(`tr[data-account-id="${stack.banner.accountId}"]`).getByRole('link').click();
  await page.getByRole('link', { name: 'TradingView alerts for this account →' }).click();
  await page.getByRole('heading', { name: 'TradingView alerts' }).waitFor();
  expect(page.url()).toBe(`${stack.banner.consoleUrl}accounts/${stack.banner.accountId}/tradingview`);
  // Served on localhost with a port: the page says TradingView cannot reach it, and what to do.
  await page.getByText('TradingView sends only to ports 80 and 443 of a public IPv4 address').waitFor();
  await screenshot(page, 'tradingview');

  const url = await copied('Copy webhook URL');
  expect(url).toBe(`${new URL(stack.banner.consoleUrl).origin}/api/v1/signals/ingest?apiKey=${KEY_PLACEHOLDER}`);
  const webhook = url.replace(KEY_PLACEHOLDER, encodeURIComponent(stack.banner.apiKey));

  const sent: Record<string, string> = {};
  for (const [name, title] of [
    ['indicator', 'Indicator alert'],
    ['strategy', 'Strategy alert: buy or sell'],
    ['target', 'Strategy alert: target position'],
  ] as const) {
    const message = await copied(`Copy ${title} message`);
    expect(message).toBe(await page.getByLabel(`${title} message`, { exact: true }).innerText());
    const filled = fillPlaceholders(message, new Date());
    // Valid JSON once filled in: TradingView sends it as application/json; text/plain is read alike.
    const r = await postAsTradingView(
      webhook,
      filled,
      name === 'strategy' ? 'text/plain; charset=utf-8' : 'application/json',
    );
    expect({ name, status: r.status }).toEqual({ name, status: 202 });
    sent[name] = r.signalId ?? '';
    await stack.until(sent[name] ?? '', ['FILLED', 'REJECTED']);
  }

  // The paper market quotes AAPL (npm start's first start): the indicator's openLong 10 and the strategy's
  // buy 10 (long) filled; the target of long 10 then sold the difference, 10.
  const statuses = await Promise.all(Object.values(sent).map(async (id) => (await stack.signal(id)).status));
  expect(statuses).toEqual(['FILLED', 'FILLED', 'FILLED']);

  await page.getByRole('link', { name: 'Signals', exact: true }).click();
  const action = (id: string | undefined) => page.locator(`tr[data-signal-id="${id}"] td[data-label="Action"]`);
  await action(sent.target).waitFor();
  expect(await action(sent.indicator).innerText()).toBe('open long');
  expect(await action(sent.strategy).innerText()).toBe('buy (long) → open long');
  expect(await action(sent.target).innerText()).toBe('set position (long) → close long');
  await screenshot(page, 'signals-tradingview');

  await page.locator(`tr[data-signal-id="${sent.target}"]`).getByRole('link').click();
  await page.locator('dd[data-applied-action="closeLong"]').waitFor();
  expect(await page.locator('li[data-event-type="NOTE"]').first().innerText()).toContain(
    'setPosition to long 10 AAPL on a long position of 20 AAPL: applied as closeLong of 10',
  );
});

it('changes the indicator message with the action chosen, and fits a phone', async () => {
  await page.goto(`${stack.banner.consoleUrl}accounts/${stack.banner.accountId}/tradingview`);
  await page.getByLabel('Action').selectOption('closeLong');
  const text = await page.getByLabel('Indicator alert message', { exact: true }).innerText();
  expect(JSON.parse(text)).toMatchObject({ action: 'closeLong', symbol: '{{exchange}}:{{ticker}}' });
  expect(JSON.parse(text)).not.toHaveProperty('quantity');
  const phone = await newPage(browser, { width: 375, height: 812 });
  try {
    await phone.page.goto(stack.banner.consoleUrl);
    await phone.page.getByLabel('API key').fill(stack.banner.apiKey);
    await phone.page.keyboard.press('Enter');
    await phone.page.getByRole('heading', { name: 'Signals' }).waitFor();
    await phone.page.goto(`${stack.banner.consoleUrl}accounts/${stack.banner.accountId}/tradingview`);
    await phone.page.getByRole('heading', { name: 'TradingView alerts' }).waitFor();
    expect(await fitsWidth(phone.page)).toBe(true);
    await screenshot(phone.page, 'tradingview-375');
    expect(phone.errors).toEqual([]);
  } finally {
    await phone.context.close();
  }
});
