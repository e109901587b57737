// Who the stock alerts go to, resolved by the outbox relay when it publishes a fan-out event:
// back in stock → accounts that had the variant on their wishlist when it came back and did not opt
// out; low stock → admin accounts. Both page through in id order, so any audience size is bounded.
import type { Audiences, Recipient } from '../../jobs/outbox/events';
import type { AccountRepository } from '../../repositories/account.repository';
import type { WishlistRepository } from '../../repositories/wishlist.repository';

export interface AudienceDeps {
  readonly wishlists: Pick<WishlistRepository, 'findWatchers'>;
  readonly accounts: Pick<AccountRepository, 'findMailable'>;
  readonly batchSize?: number;
}

export function createStockAlertAudiences(deps: AudienceDeps): Audiences {
  const batch = deps.batchSize ?? 200;
  const toRecipient = (a: { id: string; email: string; firstName: string }): Recipient => ({ accountId: a.id, email: a.email, name: a.firstName });

  return {
    // Only lists that held the variant when the event happened: a re-publish never reaches someone
    // who wishlisted the variant after it was already back.
    async *'variant-watchers'({ payload, occurredAt }) {
      let after: string | null = null;
      for (;;) {
        const ids = await deps.wishlists.findWatchers(String(payload.variantId), occurredAt, after, batch);
        if (!ids.length) return;
        yield (await deps.accounts.findMailable({ ids, limit: ids.length })).map(toRecipient);
        if (ids.length < batch) return;
        after = ids[ids.length - 1];
      }
    },
    async *admins() {
      let after: string | null = null;
      for (;;) {
        const page = await deps.accounts.findMailable({ role: 'admin', after, limit: batch });
        if (!page.length) return;
        yield page.map(toRecipient);
        if (page.length < batch) return;
        after = page[page.length - 1].id;
      }
    },
  };
}
