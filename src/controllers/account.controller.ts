// HTTP side of /accounts: pagination parameters and cursors in, envelopes out.
import type { Request, Response } from 'express';
import type { AccountStatus } from '../models/Account';
import type { AccountListQuery, AccountSortField } from '../repositories/account.repository';
import type { AccountPatch, AccountService } from '../services/account.service';
import { BadRequestError } from '../utils/errors';
import { sendNoContent, sendSuccess } from '../utils/response';
import type { Role } from '../utils/roles';

interface ListParams {
  role?: Role;
  status?: AccountStatus;
  email?: string;
  includeDeleted: boolean;
  sort: string;
  limit: number;
  page?: number;
  mode: 'offset' | 'cursor';
  cursor?: string;
}

interface CursorPayload {
  s: string;
  v: string;
  d: boolean;
  id: string;
}

// Opaque to clients; bound to the sort it was issued for.
function encodeCursor(sort: string, after: { value: string | Date; id: string }): string {
  const payload: CursorPayload = { s: sort, v: after.value instanceof Date ? after.value.toISOString() : after.value, d: after.value instanceof Date, id: after.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decodeCursor(cursor: string, sort: string): { value: string | Date; id: string } {
  const invalid = () => new BadRequestError('cursor is invalid or belongs to another sort', 'INVALID_CURSOR');
  let payload: CursorPayload;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
  } catch {
    throw invalid();
  }
  if (payload?.s !== sort || typeof payload.v !== 'string' || typeof payload.id !== 'string' || !/^[0-9a-f]{24}$/.test(payload.id)) throw invalid();
  const value = payload.d ? new Date(payload.v) : payload.v;
  if (value instanceof Date && Number.isNaN(value.getTime())) throw invalid();
  return { value, id: payload.id };
}

function toListQuery(params: ListParams): AccountListQuery {
  const direction = params.sort.startsWith('-') ? -1 : 1;
  const field = params.sort.replace(/^-/, '') as AccountSortField;
  const isCursorMode = params.mode === 'cursor' || params.cursor !== undefined;
  return {
    role: params.role,
    status: params.status,
    emailPrefix: params.email,
    includeDeleted: params.includeDeleted,
    sort: { field, direction },
    limit: params.limit,
    page: isCursorMode ? undefined : (params.page ?? 1),
    after: params.cursor ? decodeCursor(params.cursor, params.sort) : undefined,
  };
}

export function createAccountController(accounts: AccountService) {
  const idOf = (req: Request) => String(req.validated.params.id);

  return {
    async list(req: Request, res: Response) {
      const params = req.validated.query as unknown as ListParams;
      const query = toListQuery(params);
      const page = await accounts.list(query);
      const meta =
        query.page !== undefined
          ? { mode: 'offset', page: query.page, limit: query.limit, total: page.total, totalPages: Math.ceil((page.total ?? 0) / query.limit) }
          : { mode: 'cursor', limit: query.limit, nextCursor: page.next ? encodeCursor(params.sort, page.next) : null };
      sendSuccess(res, page.items, { meta });
    },

    async get(req: Request, res: Response) {
      sendSuccess(res, await accounts.get(req.auth!, idOf(req)));
    },

    async update(req: Request, res: Response) {
      sendSuccess(res, await accounts.update(req.auth!, idOf(req), req.validated.body as AccountPatch));
    },

    async updateMe(req: Request, res: Response) {
      sendSuccess(res, await accounts.update(req.auth!, req.auth!.id, req.validated.body as AccountPatch));
    },

    async remove(req: Request, res: Response) {
      await accounts.remove(req.auth!, idOf(req));
      sendNoContent(res);
    },

    async restore(req: Request, res: Response) {
      sendSuccess(res, await accounts.restore(req.auth!, idOf(req)));
    },
  };
}
