// Optional manual check (needs Chromium; not part of CI): opens Swagger UI in headless Chromium
// against a running server, clicks "Try it out" → "Execute" on GET /health, and fails unless the
// live response is 200 and the browser logged no error (a CSP violation is logged as one).
//   node scripts/docs-browser-check.mjs http://127.0.0.1:3000      (CHROMIUM=/path/to/chrome to choose the browser)
// puppeteer-core (a dev dependency) drives the browser over a pipe: no fixed DevTools port to collide.
import { execFileSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // not installed under this name
    }
  }
  throw new Error('no Chromium found: install chromium or set CHROMIUM=/path/to/chrome');
}

let browser;
try {
  browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, pipe: true, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  const op = '#operations-Ops-getHealth';
  await page.goto(`${base}/docs/`, { waitUntil: 'networkidle0' });
  await (await page.waitForSelector(`${op} .opblock-summary-control`)).click();
  await (await page.waitForSelector(`${op} .try-out__btn`)).click();
  await (await page.waitForSelector(`${op} .execute`)).click();
  const cell = await page.waitForSelector(`${op} .live-responses-table .response .response-col_status`);
  const status = (await cell.evaluate((el) => el.textContent ?? '')).trim();
  if (status !== '200' || errors.length) throw new Error(`status ${status}; browser errors: ${JSON.stringify(errors)}`);
  process.stdout.write(`Swagger UI "Try it out" on GET /health answered ${status} with no browser errors\n`);
} catch (err) {
  process.stderr.write(`docs browser check failed: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}
