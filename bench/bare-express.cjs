// The baseline: a bare Express 5 app answering the same JSON bodies from memory, with no
// middleware at all. Started by bench/run.ts as its own process, like the real server.
// BARE_BODIES is a JSON object mapping a path to the exact body the real server returned for it.
const express = require('express');

const bodies = JSON.parse(process.env.BARE_BODIES || '{}');
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
for (const [path, body] of Object.entries(bodies)) {
  app.get(path, (_req, res) => res.json(body));
}
app.get('/health', (_req, res) => res.json({ success: true }));
const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
