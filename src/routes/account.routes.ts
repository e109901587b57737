import Joi from 'joi';
import { createAccountController } from '../controllers/account.controller';
import { noBody } from '../middlewares/validate';
import type { AccountService } from '../services/account.service';
import { accountView, idParams, listAccountsQuery, updateAccountBody, updateOwnAccountBody } from './account.schemas';
import type { RouteDefinition } from './route-table';

const TAGS = ['Accounts'];

export function accountRoutes(accounts: AccountService): RouteDefinition[] {
  const controller = createAccountController(accounts);
  return [
    {
      method: 'get',
      path: '/accounts',
      summary: 'List accounts (offset or cursor pages, filters, sort whitelist)',
      tags: TAGS,
      access: ['admin'],
      validate: { query: listAccountsQuery },
      postman: { query: { role: 'customer', limit: '5' } },
      responses: { 200: { description: 'A page of accounts; meta holds total (offset) or nextCursor (cursor)', schema: Joi.array().items(accountView) } },
      handler: controller.list,
    },
    // Declared before /accounts/:id so "me" is never read as an id.
    {
      method: 'patch',
      path: '/accounts/me',
      summary: "Change the caller's profile (names, addresses)",
      tags: TAGS,
      access: 'authenticated',
      validate: { body: updateOwnAccountBody },
      requestExample: { firstName: 'Ada', lastName: 'King' },
      responses: { 200: { description: 'Updated account', schema: accountView } },
      handler: controller.updateMe,
    },
    {
      method: 'get',
      path: '/accounts/:id',
      summary: 'Read an account (admin, or the account itself)',
      tags: TAGS,
      access: 'authenticated',
      validate: { params: idParams },
      responses: { 200: { description: 'The account', schema: accountView }, 403: { description: 'Not yours' }, 404: { description: 'ACCOUNT_NOT_FOUND' } },
      handler: controller.get,
    },
    {
      method: 'patch',
      path: '/accounts/:id',
      summary: 'Change an account: profile fields (self or admin), role and status (admin)',
      tags: TAGS,
      access: 'authenticated',
      validate: { params: idParams, body: updateAccountBody },
      // Fields anyone may change on their own account; role and status are for admins (the run's caller is the customer).
      requestExample: { lastName: 'Lovelace' },
      responses: { 200: { description: 'Updated account', schema: accountView }, 403: { description: 'ACCOUNT_FIELD_FORBIDDEN, SELF_ADMINISTRATION_FORBIDDEN' } },
      handler: controller.update,
    },
    {
      method: 'delete',
      path: '/accounts/:id',
      summary: 'Soft-delete an account and revoke its sessions',
      tags: TAGS,
      access: ['admin'],
      validate: { params: idParams },
      responses: { 204: { description: 'Deleted' }, 404: { description: 'ACCOUNT_NOT_FOUND' } },
      handler: controller.remove,
    },
    {
      method: 'post',
      path: '/accounts/:id/restore',
      summary: 'Restore a soft-deleted account',
      tags: TAGS,
      access: ['admin'],
      validate: { params: idParams, body: noBody },
      responses: { 200: { description: 'Restored account', schema: accountView }, 404: { description: 'ACCOUNT_NOT_FOUND' } },
      handler: controller.restore,
    },
  ];
}
