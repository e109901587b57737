// The fixed prose of SECURITY-REPORT.md (scope, method, residual risks); the table comes from the run.

export const REPORT_INTRO = `
## Scope and method

**Scope.** The commerce-api HTTP surface as mounted from the route table: health, auth, accounts,
products (with their images and reviews), orders and the job-admin endpoints under \`/api/v1\`, the \`/media\`
files, and the app-wide middleware (helmet, CORS, rate limits, body parsers, request validation, the
error handler). The queue dashboard
(\`/admin/queues\`, mounted outside the route table) is out of scope here; it is admin-only behind
a short-lived signed link (see src/jobs/README.md).

**Method.** \`tests/security/\` attacks the real application over HTTP (supertest against the app
built by \`createTestContext\`, with a real MongoDB-compatible database and, where counters matter,
the real Redis). There is one test per vector: it names the route it attacks and fails if that route
is not mounted (a vector can never pass vacuously), sends the payload, asserts that the defence held
— status, error code, headers, and the database state afterwards — and records what it observed.
Two vectors run against a production profile (\`NODE_ENV=production\`, real secrets required,
internals hidden). \`npm run security:report\` runs the suite and renders this file; CI runs
\`npm run security:report -- --check\`, which fails when this file differs from a fresh run in
anything but the timestamp line.

**Defences under test** (details in src/middlewares/README.md): every route passes through
\`validate()\` (\`src/middlewares/validate.ts\` + \`input-guard.ts\`), which refuses \`$\`-operator,
dotted and prototype keys (400 \`FORBIDDEN_KEY\`), bounds nesting, arrays, strings and keys (400
\`PAYLOAD_TOO_COMPLEX\`), rejects repeated scalar query parameters, then validates params, query and
body against the route's joi schemas with unknown keys refused; plain-text fields reject markup
(\`src/utils/sanitize.ts\`, sanitize-html); \`src/middlewares/security.ts\` sets the headers, CORS
allow-list, Redis-backed rate limits, body limits and request timeout. Uploads
(\`src/middlewares/upload.ts\`, \`src/services/media/processing.ts\`) are parsed only after the role
check, bounded in bytes, files and fields, typed by their content, refused before decoding when their
header declares too many pixels, and re-encoded without metadata; \`/media\` names are checked
against the content-hash pattern before any storage is touched.

Observed values are the HTTP status and error code (or a fixed description): nothing run-specific.
`;

export const REPORT_FOOTER = `
## Not covered by this suite

- Volumetric denial of service and slow-client attacks (see below: the proxy's job).
- The queue dashboard's own UI (a third-party bundle served under its own cookie-scoped path).
- Business-logic abuse beyond the vectors listed (e.g. coupon or inventory games): covered by each
  module's integration tests, not by this suite.

## Residual risks

- **Rate limits key on the client IP.** Behind a proxy, \`TRUST_PROXY\` must be set exactly right:
  too trusting lets clients spoof \`X-Forwarded-For\` and dodge limits; too strict puts every client
  behind one counter. Distributed guessing from many IPs is bounded only by the per-account lockout,
  which in turn lets an attacker lock a victim out for \`LOCKOUT_SECONDS\` (a deliberate trade-off).
- **Slow requests.** Handlers are cut off at \`REQUEST_TIMEOUT_MS\` (503 \`REQUEST_TIMEOUT\`), but a
  client trickling its body is bounded only by Node's \`server.requestTimeout\` (300 s) and the
  100 kB body limit: the TLS proxy in front must enforce tight client-body and header timeouts.
- **Rate limits fail open.** If Redis is unreachable the limiter lets requests through
  (\`passOnStoreError\`): availability is chosen over limiting for the duration of the outage.
- **Timing.** Login timing is equalised with a dummy argon2id verify; the ~3 ms failed-attempt write
  remains, well inside network jitter. \`ENUM-02\` uses a generous bound and cannot prove the absence
  of a small oracle. Registration answers 409 \`EMAIL_TAKEN\` by design, so it reveals registered
  emails (rate-limited by the auth limiter).
- **Access tokens live until they expire** (15 min) after logout; deleted, disabled or locked
  accounts are cut off at once: each API process keeps an account's role and status for at most
  \`PRINCIPAL_CACHE_TTL_MS\` (5 s), and every account write through the API drops that entry in every
  process (Redis pub/sub) before its response is sent; while the subscription is down, every request
  re-reads the account. A change made by hand in the database applies within the TTL.
- **Stored text is plain, not encoded.** Names and descriptions are stored as sent (markup refused).
  Any client rendering them must still escape text; email templates must escape every value.
- **Logs** carry error messages and stacks verbatim, except that secrets in well-known fields are
  redacted and every URL's \`user:password@\` is masked (ERR-01). A secret a third-party message
  embeds in any other form (a bare token in free text) would still reach the log.
- **No CSRF token.** Cookies are only used for the refresh token (\`SameSite=Strict\`, HttpOnly,
  path-scoped); all other authentication is a bearer header, which browsers do not send cross-site.

## What a production deployment adds

- **TLS at the proxy** (nginx, a cloud load balancer) with HSTS preloading; the app only speaks
  HTTP on a private network and sets HSTS itself in production.
- **A WAF / edge rate limiting** (Cloudflare, AWS WAF) for volumetric attacks and bot traffic that
  an in-process limiter should never see.
- **Secrets management** (Vault, AWS Secrets Manager, Kubernetes secrets) for \`JWT_SECRET\`, the
  MongoDB and Redis credentials; the config refuses known-weak secrets in production, and rotation
  of \`JWT_SECRET\` invalidates outstanding access tokens.
- **Least-privilege database users**, network policies so MongoDB and Redis are unreachable from
  the internet, Redis with AUTH/TLS.
- **Dependency and image scanning** (\`npm audit\` in CI, Dependabot), and log shipping with alerts on
  \`REFRESH_TOKEN_REUSED\`, lockouts and 429 spikes.
`;
