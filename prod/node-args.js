// V8 flags the API runs with in production, declared once: PM2 passes them as the API app's
// node_args (ecosystem.config.js), `npm run start:prod` repeats them (a unit test keeps the two
// equal), and `npm run bench` starts its API processes with them, so what is measured is what runs.
//
// --max-semi-space-size (MiB): the young generation's semi-spaces may grow to this size instead of
// V8's 16 MiB default. A request allocates tens to hundreds of KiB of short-lived objects (parsed
// BSON, views, the JSON text); with a larger nursery, scavenges run less often and fewer objects
// survive long enough to be copied or promoted. Measured in bench/changes.md ("Issue 20, third
// pass"): 32 MiB took the collector from ~14 % to ~9 % of the API's busy CPU for ~50 MiB more RSS
// under load; 64 MiB to ~7 % for ~100–150 MiB more, too close to PM2's max_memory_restart (512M).
module.exports = {
  API_NODE_ARGS: ['--max-semi-space-size=32'],
};
