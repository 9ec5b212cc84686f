import type { Browser, Page } from 'playwright-core';
import { WebhookReceiver } from '@utm/testkit';
import { fitsWidth, launchChromium, newPage, screenshot } from './browser';
import { NpmStartStack } from './stack';

/**
 * A newcomer's paper trade in the web console, in a real Chromium against `npm start`'s stack:
 * sign in with the banner's key, send the banner's signal through the HTTP API, watch it appear
 * and reach FILLED without reloading, open it, open the account and see the position and its
 * stop. Screenshots of each page go to .artifacts/screenshots/.
 */
jest.setTimeout(120000);

const stack = new NpmStartStack();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium(); // first: without Chromium, fail before starting anything
  await stack.start();
}, 180000);

afterAll(async () => {
  await browser?.close();
  await stack.stop();
}, 60000);

const row = (page: Page, signalId: string) => page.locator(`tr[data-signal-id="${signalId}"]`);
const EXIT_RULES = { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 4 } };

async function signIn(page: Page, apiKey: string): Promise<void> {
  await page.goto(stack.banner.consoleUrl);
  await page.getByLabel('API key').fill(apiKey);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Signals' }).waitFor();
}

describe('desktop', () => {
  let page: Page;
  let errors: string[];
  let filled: string;

  beforeAll(async () => {
    ({ page, errors } = await newPage(browser, { width: 1280, height: 860 }));
  });

  afterEach(() => {
    expect(stack.crashed).toBeUndefined();
    expect(errors).toEqual([]); // no console errors, page by page
  });

  it('signs in by pasting the key from npm start; a wrong key is refused; the key stays in sessionStorage', async () => {
    await page.goto(stack.banner.consoleUrl);
    expect(page.url()).toBe(stack.banner.consoleUrl);
    await page.getByLabel('API key').fill('utm_paper_notarealkeynotarealkey');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key is unknown or revoked.').waitFor();
    errors.splice(0); // the refused check's 401 is logged by Chromium as a failed resource
    await page.getByLabel('API key').fill(stack.banner.apiKey);
    await screenshot(page, 'sign-in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Signals' }).waitFor();
    await page.getByText('No signals yet').waitFor();
    await page.locator('.live-live').waitFor();
    await screenshot(page, 'signals-empty');
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('utm.apiKey'),
      local: localStorage.length,
      cookie: document.cookie,
    }));
    expect(stored).toEqual({ session: stack.banner.apiKey, local: 0, cookie: '' });
  });

  it('shows a signal sent through the HTTP API at once, and its way to FILLED, without reloading', async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // No quote yet: the paper market order waits at the broker (SUBMITTED) until one is set.
    filled = await stack.send({ exitRules: EXIT_RULES });
    await row(page, filled).waitFor();
    await page.locator(`tr[data-signal-id="${filled}"][data-status="SUBMITTED"]`).waitFor();
    const cells = await row(page, filled).locator('td').allInnerTexts();
    expect(cells.slice(2, 6)).toEqual(['AAPL', 'open long', '10', 'SUBMITTED']);
    await stack.utm('quote', 'set', '--symbol', 'AAPL', '--price', '150');
    await page.locator(`tr[data-signal-id="${filled}"][data-status="FILLED"]`).waitFor();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect((await stack.signal(filled)).status).toBe('FILLED');
  });

  it('shows a REJECTED signal with its code in the list and the reason in plain words', async () => {
    const rejected = await stack.send({ action: 'closeShort', quantity: undefined });
    await page.locator(`tr[data-signal-id="${rejected}"][data-status="REJECTED"]`).waitFor();
    expect(await row(page, rejected).locator('.error-code').innerText()).toBe('NO_POSITION');
    await screenshot(page, 'signals');
    await row(page, rejected).getByRole('link').click();
    await page.getByText('Why it was rejected').waitFor();
    await page.getByText('There was no position to close').waitFor();
    await screenshot(page, 'signal-rejected');
    await page.goBack();
    await row(page, filled).waitFor();
  });

  it('opens the signal (keyboard): request, timeline with times, every order with role, prices, fills and broker id', async () => {
    await row(page, filled).getByRole('link').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /AAPL/ }).waitFor();
    const orders = page.getByRole('table', { name: 'Orders of this signal' });
    await orders.locator('tr[data-role="STOP_LOSS"]').waitFor();
    const entry = await orders.locator('tr[data-role="ENTRY"]').innerText();
    expect(entry).toMatch(/Entry\s+BUY\s+AAPL\s+MARKET\s+10\s+DAY\s+FILLED\s+10 @ 150/);
    expect(entry).toContain('paper-'); // the broker's order id
    expect(await orders.locator('tr[data-role="STOP_LOSS"]').innerText()).toMatch(
      /Stop loss\s+SELL\s+AAPL\s+STOP · stop 147\s+10\s+GTC\s+ACCEPTED/,
    );
    expect(await orders.locator('tr[data-role="TAKE_PROFIT"]').innerText()).toMatch(
      /Take profit\s+SELL\s+AAPL\s+LIMIT · limit 156\s+10\s+GTC\s+ACCEPTED/,
    );
    const events = await page
      .locator('ol.timeline li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    expect(events).toEqual(expect.arrayContaining(['RECEIVED', 'PROCESSING', 'ORDER_FILLED', 'FILLED']));
    expect(await page.locator('ol.timeline time').first().innerText()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/,
    );
    expect(await page.getByLabel('Request JSON').innerText()).toContain('"stopLoss"');
    await screenshot(page, 'signal-detail');
  });

  it('lists the accounts with a copyable id, mode, broker, cash, equity and trading state', async () => {
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    const account = page.locator(`tr[data-account-id="${stack.banner.accountId}"]`);
    await account.waitFor();
    const text = await account.innerText();
    expect(text).toContain(stack.banner.accountId);
    expect(text).toMatch(/PAPER[\s\S]*paper[\s\S]*98,500\.00[\s\S]*100,000\.00[\s\S]*Active/);
    await account.getByRole('button', { name: /Copy account id/ }).waitFor();
    await screenshot(page, 'accounts');
  });

  it('opens the account: the position with its stop, an unprotected one flagged, open orders, fills; halt and resume', async () => {
    // A second position without exit rules: the page must say it has no stop.
    await stack.utm('quote', 'set', '--symbol', 'MSFT', '--price', '400');
    await stack.until(await stack.send({ symbol: 'MSFT', quantity: 2, price: 400 }), ['FILLED']);
    await page.locator(`tr[data-account-id="${stack.banner.accountId}"]`).getByRole('link').click();
    await page.getByRole('table', { name: 'Positions' }).waitFor();
    const aapl = page.locator('tr[data-symbol="AAPL"]');
    await page.locator('tr[data-symbol="MSFT"]').waitFor();
    expect(await aapl.innerText()).toMatch(/AAPL\s+LONG\s+10\s+150\s+150/);
    expect(await aapl.locator('li[data-role="STOP_LOSS"]').innerText()).toMatch(/Stop loss SELL 10 · STOP · stop 147/);
    expect(await aapl.locator('.warning').count()).toBe(0);
    expect(await page.locator('tr[data-symbol="MSFT"] .warning').innerText()).toContain('No live stop or target');
    expect(await page.getByRole('table', { name: 'Open orders' }).locator('tbody tr').count()).toBe(2);
    expect(await page.getByRole('table', { name: 'Recent fills' }).locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'account');

    await page.getByRole('button', { name: 'Halt' }).click();
    await page.locator('.trading-halted').first().waitFor();
    const refused = await stack.send({ symbol: 'AAPL', quantity: 1 });
    expect((await stack.until(refused, ['REJECTED'])).error?.code).toBe('ACCOUNT_HALTED'); // the processor reads it at decision time
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('h1 .trading-active').waitFor();
  });

  it('Notifications: adds an endpoint (secret shown once), sends a test, shows a failed attempt and retries it', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      await page.getByRole('link', { name: 'Notifications', exact: true }).click();
      await page.getByText('No endpoints yet').waitFor();
      const form = page.getByRole('form', { name: 'Add an endpoint' });
      await form.getByLabel('URL').fill(receiver.url());
      await form.getByLabel('account.halted').check();
      await form.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = await page.getByTestId('webhook-secret').innerText();
      expect(secret).toMatch(/^whsec_/);
      receiver.useSecret(secret);
      const endpoint = page.getByRole('table', { name: 'Endpoints' }).locator('tbody tr');
      expect(await endpoint.innerText()).toMatch(
        /webhook[\s\S]*\/hooks\/utm[\s\S]*signal\.filled, signal\.rejected, order\.filled, account\.halted[\s\S]*ACTIVE/,
      );

      await page.getByRole('button', { name: 'Send a test' }).click();
      const deliveries = page.getByRole('table', { name: 'Deliveries' });
      await deliveries.locator('tr[data-status="DELIVERED"]').waitFor();
      expect(receiver.delivered.map((d) => d.payload?.type)).toEqual(['webhook.test']);

      // The receiver fails the next one: the log shows the attempt, its answer and the next try.
      receiver.script.push({ status: 500, body: 'receiver is down' });
      await page.getByRole('button', { name: 'Send a test' }).click();
      const pending = deliveries.locator('tr[data-status="PENDING"]');
      await pending.filter({ hasText: '500' }).waitFor();
      expect(await pending.innerText()).toMatch(/webhook\.test\s+PENDING\s+1\s+500/);
      await pending.getByText('1 attempt').click();
      await pending.locator('pre.response', { hasText: 'receiver is down' }).waitFor();
      await screenshot(page, 'notifications');
      await pending.getByRole('button', { name: 'Retry' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tr[data-status="DELIVERED"]').length === 2);
      expect(receiver.delivered).toHaveLength(2);
      // The halt of the last test reaches it too, signed.
      await page.getByRole('link', { name: 'Accounts', exact: true }).click();
      await page.locator(`tr[data-account-id="${stack.banner.accountId}"]`).getByRole('link').click();
      await page.getByRole('button', { name: 'Halt' }).click();
      await page.locator('.trading-halted').first().waitFor();
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('h1 .trading-active').waitFor();
      const deadline = Date.now() + 20000;
      while (!receiver.delivered.some((d) => d.payload?.type === 'account.halted') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(receiver.delivered.map((d) => d.payload?.type)).toContain('account.halted');
      expect(receiver.requests.every((r) => r.verified)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('signs out: the key is gone from the tab', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('utm.apiKey'))).toBeNull();
  });
});

describe('375 px wide', () => {
  it('every page fits the screen and keeps its content', async () => {
    const { page, errors, context } = await newPage(browser, { width: 375, height: 812 });
    try {
      await page.goto(stack.banner.consoleUrl);
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'sign-in-375');
      await signIn(page, stack.banner.apiKey);
      await page.locator('tr[data-status="FILLED"]').first().waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'signals-375');

      await page.locator('tr[data-status="FILLED"]').first().getByRole('link').click();
      await page.getByRole('table', { name: 'Orders of this signal' }).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'signal-detail-375');

      await page.getByRole('link', { name: 'Accounts', exact: true }).click();
      await page.locator(`tr[data-account-id="${stack.banner.accountId}"]`).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'accounts-375');

      await page.locator(`tr[data-account-id="${stack.banner.accountId}"]`).getByRole('link').click();
      await page.locator('tr[data-symbol="AAPL"] li[data-role="STOP_LOSS"]').waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'account-375');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
