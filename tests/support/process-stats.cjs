// Test-only preload (node --require) for the soak test: on SIGUSR2, collects garbage and prints
// one JSON line with the heap and the open handles, which spawnServer reads like a log record.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
  const resources = process.getActiveResourcesInfo();
  process.stdout.write(
    `${JSON.stringify({ message: 'process stats', heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, handles: resources.length, resources })}\n`,
  );
});
