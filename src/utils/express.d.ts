// Request fields our middlewares add. Validated input lives on `req.validated` because
// Express 5 makes `req.query` a read-only getter.
import type { Principal } from './roles';

declare global {
  namespace Express {
    interface Request {
      requestId: string;
      auth?: Principal;
      validated: {
        params: Record<string, unknown>;
        query: Record<string, unknown>;
        body: unknown;
        /** Only the declared headers, parsed (e.g. `idempotency-key`, `if-match`). */
        headers: Record<string, unknown>;
      };
    }
  }
}

export {};
