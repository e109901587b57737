// Test-only preload (node --require) for resilience tests; prints JSON lines that spawnServer reads
// like log records:
// - on SIGUSR2: heap after a GC and the open handles ('process stats');
// - with TEST_REPORT_REQUESTS=1: the X-Request-ID of every request the HTTP server takes in
//   ('request received'), so a test knows exactly which requests the process accepted.
const http = require('node:http');

process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
  const resources = process.getActiveResourcesInfo();
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ message: 'process stats', heapUsed, rss, handles: resources.length, resources })}\n`);
});

if (process.env.TEST_REPORT_REQUESTS === '1') {
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    if (event === 'request') process.stdout.write(`${JSON.stringify({ message: 'request received', requestId: args[0].headers['x-request-id'] })}\n`);
    return emit.call(this, event, ...args);
  };
}
