import type { Browser, Page } from 'playwright-core';
import { fitsWidth, launchChromium, newPage, screenshot } from './browser';
import { NpmStartStack } from './stack';

/**
 * A newcomer's path, in the README's order, in a real Chromium against `npm start`'s stack: the
 * banner's signal (FILLED at once: the first start gives the paper market a price for it), the
 * stop-and-target trade of "A paper trade with a stop and a target", then "Follow a paper trade in
 * the browser" step by step, checking the figures the README shows. Screenshots of each page go
 * to .artifacts/screenshots/ (the README's, via npm run screenshots).
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

async function account(): Promise<{ cash: string; positions: { symbol: string; quantity: string }[] }> {
  const res = await fetch(stack.banner.ingestUrl.replace('/signals/ingest', `/accounts/${stack.banner.accountId}`), {
    headers: { 'X-API-Key': stack.banner.apiKey },
  });
  return (await res.json()) as { cash: string; positions: { symbol: string; quantity: string }[] };
}

describe('desktop', () => {
  let page: Page;
  let errors: string[];
  const ids: Record<string, string> = {};

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

  it("Quick start: the banner's curl is FILLED at once, at the price the first start gave the market", async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(stack.banner.lines.join('\n')).toContain('The paper market quotes AAPL at 150.25: the order fills at once');
    ids.banner = await stack.send();
    await row(page, ids.banner).waitFor();
    await page.locator(`tr[data-signal-id="${ids.banner}"][data-status="FILLED"]`).waitFor();
    const cells = await row(page, ids.banner).locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/); // list times carry their date
    expect(cells.slice(2, 6)).toEqual(['AAPL', 'open long', '10', 'FILLED']);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await account()).toMatchObject({ cash: '98497.5', positions: [{ symbol: 'AAPL', quantity: '10' }] });
  });

  it('A paper trade with a stop and a target: MSFT hits its target, the stop is cancelled, cash up 165.00', async () => {
    await stack.utm('quote', 'set', '--symbol', 'MSFT', '--price', '400');
    ids.msft = await stack.send({ symbol: 'MSFT', price: undefined, exitRules: EXIT_RULES });
    await stack.until(ids.msft, ['FILLED']);
    await stack.utm('quote', 'set', '--symbol', 'MSFT', '--price', '416.5');
    await page.locator(`tr[data-signal-id="${ids.msft}"][data-status="FILLED"]`).waitFor();
    const res = await fetch(stack.banner.ingestUrl.replace('/ingest', `/${ids.msft}`), {
      headers: { 'X-API-Key': stack.banner.apiKey },
    });
    const orders = ((await res.json()) as { orders: Record<string, string | null>[] }).orders;
    expect(orders.map((o) => [o.role, o.type, o.stopPrice ?? o.limitPrice, o.status, o.avgFillPrice])).toEqual([
      ['ENTRY', 'MARKET', null, 'FILLED', '400'],
      ['STOP_LOSS', 'STOP', '392', 'CANCELLED', null],
      ['TAKE_PROFIT', 'LIMIT', '416', 'FILLED', '416.5'],
    ]);
    expect(await account()).toMatchObject({ cash: '98662.5', positions: [{ symbol: 'AAPL', quantity: '10' }] });
  });

  it('Follow a trade in the browser, steps 2–3: a limit entry rests (SUBMITTED) and turns FILLED while you watch', async () => {
    await stack.utm('quote', 'set', '--symbol', 'TSLA', '--price', '250');
    ids.tsla = await stack.send({
      symbol: 'TSLA',
      quantity: 4,
      price: undefined,
      orderType: 'LIMIT',
      limitPrice: 245,
      exitRules: EXIT_RULES,
    });
    await page.locator(`tr[data-signal-id="${ids.tsla}"][data-status="SUBMITTED"]`).waitFor();
    await stack.utm('quote', 'set', '--symbol', 'TSLA', '--price', '245');
    await page.locator(`tr[data-signal-id="${ids.tsla}"][data-status="FILLED"]`).waitFor();
    expect((await stack.signal(ids.tsla)).status).toBe('FILLED');
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
    await row(page, ids.tsla ?? '').waitFor();
  });

  it('step 4: opens the signal (keyboard): the entry at 245, the stop at 240.1 and the target at 254.8 resting, every step timed', async () => {
    await row(page, ids.tsla ?? '')
      .getByRole('link')
      .focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /TSLA/ }).waitFor();
    const orders = page.getByRole('table', { name: 'Orders of this signal' });
    await orders.locator('tr[data-role="STOP_LOSS"]').waitFor();
    const entry = await orders.locator('tr[data-role="ENTRY"]').innerText();
    expect(entry).toMatch(/Entry\s+BUY\s+TSLA\s+LIMIT · limit 245\s+4\s+DAY\s+FILLED\s+4 @ 245/);
    expect(entry).toContain('paper-'); // the broker's order id
    expect(await orders.locator('tr[data-role="STOP_LOSS"]').innerText()).toMatch(
      /Stop loss\s+SELL\s+TSLA\s+STOP · stop 240\.1\s+4\s+GTC\s+ACCEPTED/,
    );
    expect(await orders.locator('tr[data-role="TAKE_PROFIT"]').innerText()).toMatch(
      /Take profit\s+SELL\s+TSLA\s+LIMIT · limit 254\.8\s+4\s+GTC\s+ACCEPTED/,
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
    const acct = page.locator(`tr[data-account-id="${stack.banner.accountId}"]`);
    await acct.waitFor();
    const text = await acct.innerText();
    expect(text).toContain(stack.banner.accountId);
    expect(text).toMatch(/PAPER[\s\S]*paper[\s\S]*97,682\.50[\s\S]*Active/);
    await acct.getByRole('button', { name: /Copy account id/ }).waitFor();
    await screenshot(page, 'accounts');
  });

  it('step 5: the account: TSLA with its stop and target, AAPL flagged unprotected, cash 97,682.50; halt and resume', async () => {
    await page.locator(`tr[data-account-id="${stack.banner.accountId}"]`).getByRole('link').click();
    await page.getByRole('table', { name: 'Positions' }).waitFor();
    const tsla = page.locator('tr[data-symbol="TSLA"]');
    await tsla.waitFor();
    expect(await tsla.innerText()).toMatch(/TSLA\s+LONG\s+4\s+245\s+245/);
    expect(await tsla.locator('li[data-role="STOP_LOSS"]').innerText()).toMatch(
      /Stop loss SELL 4 · STOP · stop 240\.1/,
    );
    expect(await tsla.locator('.warning').count()).toBe(0);
    expect(await page.locator('tr[data-symbol="AAPL"] .warning').innerText()).toContain('No live stop or target');
    expect(await page.locator('.facts').innerText()).toMatch(/Cash\s+97,682\.50/i);
    expect(await page.getByRole('table', { name: 'Open orders' }).locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'account');

    // The current state is said in words; its own button is unavailable, never highlighted as if chosen.
    const resume = page.getByRole('button', { name: 'Resume' });
    expect(await resume.isDisabled()).toBe(true);
    expect(await resume.getAttribute('aria-pressed')).toBeNull();
    const look = (name: string) =>
      page
        .getByRole('button', { name })
        .evaluate((b) => [getComputedStyle(b).boxShadow, getComputedStyle(b).borderColor]);
    expect(await look('Resume')).toEqual(await look('Reduce only'));
    await page.getByRole('button', { name: 'Halt' }).click();
    await page.locator('h1 .trading-halted').waitFor();
    const refused = await stack.send({ symbol: 'AAPL', quantity: 1 });
    expect((await stack.until(refused, ['REJECTED'])).error?.code).toBe('ACCOUNT_HALTED'); // read at decision time
    expect(await page.getByRole('button', { name: 'Halt' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('h1 .trading-active').waitFor();
  });

  it('step 6: the target fills, the stop is cancelled (one-cancels-other, said plainly, not as an error), TSLA goes', async () => {
    await stack.utm('quote', 'set', '--symbol', 'TSLA', '--price', '255');
    await page.locator('tr[data-symbol="TSLA"]').waitFor({ state: 'detached' });
    expect(await page.locator('.facts').innerText()).toMatch(/Cash\s+98,702\.50/i);
    await page.getByRole('link', { name: 'Signals', exact: true }).click();
    await row(page, ids.tsla ?? '')
      .getByRole('link')
      .click();
    const stop = page.locator('tr[data-role="STOP_LOSS"]');
    await page.locator('tr[data-role="STOP_LOSS"][data-status="CANCELLED"]').waitFor();
    const note = stop.locator('.order-note');
    expect(await note.innerText()).toContain(
      'One-cancels-other: the take profit filled, closing what its entry bought (4 TSLA); this stop loss is no longer needed',
    );
    expect(await stop.locator('.order-error').count()).toBe(0);
    expect(await note.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(91, 100, 112)'); // muted, not red
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
      await page.locator('tr[data-symbol="AAPL"]').waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, 'account-375');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
