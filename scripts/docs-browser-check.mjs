// Optional manual check (needs Chromium; not part of CI): opens Swagger UI in headless Chromium
// against a running server, clicks "Try it out" → "Execute" on GET /health, and fails unless the
// live response is 200 and the browser logged no error (a CSP violation is logged as one).
//   node scripts/docs-browser-check.mjs http://127.0.0.1:3000
import { spawn } from 'node:child_process';
import WebSocket from 'ws';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const port = 9333;
const chrome = spawn(process.env.CHROMIUM ?? 'chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--remote-debugging-port=${port}`, 'about:blank']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe, what, timeoutMs = 10_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms`);
}

try {
  const targets = await until(async () => (await fetch(`http://127.0.0.1:${port}/json`)).json(), 'Chromium DevTools');
  const ws = new WebSocket(targets.find((t) => t.type === 'page').webSocketDebuggerUrl);
  await new Promise((resolve) => ws.on('open', resolve));
  let id = 0;
  const pending = new Map();
  const errors = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw);
    if (msg.id && pending.has(msg.id)) pending.get(msg.id)(msg);
    if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error') errors.push(msg.params.entry.text);
    if (msg.method === 'Runtime.exceptionThrown') errors.push(msg.params.exceptionDetails.text);
  });
  const send = (method, params = {}) => new Promise((resolve) => {
    pending.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  const run = async (expression) => (await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result.result.value;
  const op = '#operations-Ops-getHealth';
  await send('Log.enable');
  await send('Runtime.enable');
  await send('Page.navigate', { url: `${base}/docs/` });
  await until(() => run(`!!document.querySelector('${op} .opblock-summary-control')`), 'the GET /health operation');
  await run(`document.querySelector('${op} .opblock-summary-control').click()`);
  await until(() => run(`!!document.querySelector('${op} .try-out__btn')`), '"Try it out"');
  await run(`document.querySelector('${op} .try-out__btn').click()`);
  await until(() => run(`!!document.querySelector('${op} .execute')`), '"Execute"');
  await run(`document.querySelector('${op} .execute').click()`);
  const status = await until(() => run(`document.querySelector('${op} .live-responses-table .response .response-col_status')?.textContent.trim()`), 'the live response');
  ws.close();
  if (status !== '200' || errors.length) throw new Error(`status ${status}; browser errors: ${JSON.stringify(errors)}`);
  process.stdout.write(`Swagger UI "Try it out" on GET /health answered ${status} with no browser errors\n`);
} catch (err) {
  process.stderr.write(`docs browser check failed: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  chrome.kill();
}
