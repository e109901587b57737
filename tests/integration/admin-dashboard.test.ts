/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// GET /admin in headless Chromium (Debian's `chromium`, driven by puppeteer-core): an admin signs in
// with the keyboard, the chart and tables render data from the analytics API, no console error and
// no CSP violation occur, the page fits a phone width; a screenshot is saved
// (DASHBOARD_SCREENSHOT=docs/dashboard.png — `npm run dashboard:screenshot` — for the README's).
import { existsSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import request from 'supertest';
import { createEmailQueue } from '../../src/jobs/email/setup';
import { ADMIN_CSP } from '../../src/loaders/admin-dashboard';
import { createTestContext, testConfig, type TestContext } from '../support/app';
import { TEST_PASSWORD, uniqueEmail } from '../support/auth';
import { useTestDatabase } from '../support/db';
import { eventsFor, insertOrder } from './analytics.fixture';
import { insertProducts } from './products.fixture';

useTestDatabase();

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOUR = 3_600_000;

describe('GET /admin (dashboard in Chromium)', () => {
  let ctx: TestContext;
  let server: Server;
  let browser: Browser;
  let base: string;
  let adminEmail: string;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
    // An inspectable in-process queue, so the queue-health panel has numbers.
    ctx = await createTestContext({ emailQueue: createEmailQueue(testConfig(), null) });
    adminEmail = uniqueEmail('admin');
    await ctx.container.accounts.create({ id: new Types.ObjectId().toString(), firstName: 'Ada', lastName: 'Admin', email: adminEmail, password: TEST_PASSWORD, role: 'admin' });
    const products = await insertProducts([
      { name: 'Aurora Phone', price: 499, category: 'phones', stock: 3 },
      { name: 'Nimbus Earbuds', price: 79.9, category: 'audio', stock: 40 },
      { name: 'Braided USB-C Cable', price: 12.5, category: 'cables', stock: 1 },
    ]);
    const prices = [49_900, 7_990, 1_250];
    // Three weeks of paid orders (a few cancelled), deterministic.
    const now = Date.now();
    for (let i = 0; i < 60; i += 1) {
      const paidAt = new Date(now - (i * 8 + 3) * HOUR);
      const lines = [{ productId: products[i % 3], quantity: 1 + (i % 4), unitPriceMinor: prices[i % 3] }];
      if (i % 5 === 0) lines.push({ productId: products[(i + 1) % 3], quantity: 2, unitPriceMinor: prices[(i + 1) % 3] });
      const changes = [{ status: 'paid' as const, at: paidAt }, ...(i % 11 === 0 ? [{ status: 'cancelled' as const, at: new Date(paidAt.getTime() + HOUR) }] : [])];
      const id = await insertOrder(new Types.ObjectId(), lines, new Date(paidAt.getTime() - 60_000), changes);
      for (const event of eventsFor(id, changes)) await ctx.container.analytics.applyEvent(event);
    }
    server = ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await ctx?.close();
    await ctx?.emailQueue.close();
  });

  async function open(width: number, height: number): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewport({ width, height });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warn') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${(err as Error).message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    // Injected through the DevTools protocol, not the page: the CSP does not apply to it.
    await page.evaluateOnNewDocument(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    return page;
  }

  /** Waits for the dashboard's data; on timeout the error says what the page showed and logged. */
  async function loaded(page: Page): Promise<void> {
    try {
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    } catch (err) {
      const shown = await page.evaluate(() => [document.getElementById('status')?.textContent, document.getElementById('sign-in-error')?.textContent]);
      throw new Error(`dashboard did not load: ${JSON.stringify({ shown, problems })}`, { cause: err });
    }
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${base}/admin`, { waitUntil: 'networkidle0' });
    // From the email field, Tab reaches the password and Enter submits: no mouse needed.
    await page.focus('#email');
    await page.keyboard.type(adminEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await loaded(page);
  }

  it('when /admin is requested, then the page comes with a strict CSP (no inline scripts or styles)', async () => {
    const res = await request(ctx.app).get('/admin');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toBe(ADMIN_CSP);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.text).not.toMatch(/<script>(?!<\/script>)|\sstyle=|<style/);
    const chart = await request(ctx.app).get('/admin/vendor/chart.umd.js');
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toMatch(/javascript/);
  });

  it('when an admin signs in with the keyboard, then the chart, top products, low stock and queue health show API data without console or CSP errors', async () => {
    const page = await open(1280, 900);
    await signIn(page);
    await page.waitForFunction(() => document.fonts.status === 'loaded');

    const state = await page.evaluate(() => {
      const chart = (window as unknown as { Chart: { getChart(el: Element): { data: { datasets: { data: number[] }[] } } | undefined } }).Chart.getChart(document.getElementById('sales-chart')!);
      return {
        points: chart?.data.datasets.map((d) => d.data.length) ?? [],
        revenue: chart?.data.datasets[0].data.reduce((a, b) => a + b, 0) ?? 0,
        kpis: document.querySelectorAll('#kpis li').length,
        topRows: [...document.querySelectorAll('#top-products tbody tr')].map((tr) => tr.textContent),
        lowRows: [...document.querySelectorAll('#low-stock tbody tr')].map((tr) => tr.textContent),
        queue: document.getElementById('queue')!.textContent,
        labelled: [...document.querySelectorAll('input, select')].every((el) => el.id && document.querySelector(`label[for="${el.id}"]`)),
      };
    });
    expect(state.points[0]).toBeGreaterThanOrEqual(15);
    expect(state.points[1]).toBe(state.points[0]);
    expect(state.revenue).toBeGreaterThan(0);
    expect(state.kpis).toBe(5);
    expect(state.topRows[0]).toMatch(/Aurora Phone/);
    expect(state.lowRows.join(' ')).toMatch(/Braided USB-C Cable.*1/);
    expect(state.queue).toMatch(/waiting/);
    expect(state.labelled).toBe(true);

    await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT ?? path.join(mkdtempSync(path.join(tmpdir(), 'dashboard-')), 'dashboard.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('when opened at phone width, then nothing overflows sideways and the interval picker re-buckets the chart', async () => {
    const page = await open(390, 844);
    await signIn(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.select('#interval', 'week');
    await page.evaluate(() => delete document.body.dataset.loaded);
    await page.click('#filters button[type="submit"]');
    await loaded(page);
    const points = await page.evaluate(() => Number(document.getElementById('sales-chart')!.dataset.points));
    expect(points).toBeGreaterThanOrEqual(3);
    expect(points).toBeLessThanOrEqual(5);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
