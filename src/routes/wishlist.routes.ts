// Wishlist endpoints: the caller's own list, at one fixed address per caller. No path, query or body
// names an account or a wishlist, so there is no id another account could substitute (no IDOR surface).
// Items are addressed by variant id, unique across the catalog, so it names one item of one's own list.
import { createWishlistController } from '../controllers/wishlist.controller';
import type { WishlistService } from '../services/wishlists/wishlist.service';
import { route, type RouteDefinition } from './route-table';
import { addItemBody, itemParams, preferencesBody, wishlistItemView, wishlistView } from './wishlist.schemas';

export function wishlistRoutes(wishlists: WishlistService): RouteDefinition[] {
  const controller = createWishlistController(wishlists);
  const tags = ['Wishlist'];
  return [
    route({
      method: 'post',
      path: '/wishlist/items',
      summary: 'Add a product variant to your wishlist (idempotent)',
      description:
        'Adding a variant that is already on the list answers 200 with the item (no duplicate); a new item answers 201. Out-of-stock variants can be added: you are emailed once when one comes back in stock (unless `notifyBackInStock` is off).',
      tags,
      access: 'authenticated',
      validate: { body: addItemBody },
      responses: {
        201: { description: 'Added; `Location` names the item', schema: wishlistItemView },
        200: { description: 'Already on the list: nothing changed', schema: wishlistItemView },
        400: { description: 'VALIDATION_FAILED; VARIANT_REQUIRED (the product has several variants)' },
        404: { description: 'PRODUCT_NOT_FOUND (unknown, draft or deleted); VARIANT_NOT_FOUND (not this product’s, or inactive)' },
        409: { description: 'WISHLIST_FULL: the list already holds the maximum (100) items' },
      },
      requestExample: { productId: '665f1c2e9b1e8a3d4c5b6a79', variantId: '665f1c2e9b1e8a3d4c5b6a7a' },
      // Integer keys iterate in ascending order, so the story names its expected status (the first add is 201).
      postman: { expectStatus: 201, body: { productId: '{{productId}}', variantId: '{{variantId}}' } },
      handler: controller.addItem,
    }),
    route({
      method: 'get',
      path: '/wishlist',
      summary: 'Your wishlist, with current name, SKU, options, price and availability of each item',
      description: 'Created empty on first use. Bounded (100 items), so it is one response, not a paginated list.',
      tags,
      access: 'authenticated',
      responses: { 200: { description: 'Your wishlist', schema: wishlistView } },
      handler: controller.get,
    }),
    route({
      method: 'patch',
      path: '/wishlist',
      summary: 'Turn back-in-stock emails for your wishlist on or off',
      tags,
      access: 'authenticated',
      validate: { body: preferencesBody },
      responses: { 200: { description: 'Your wishlist with the new setting', schema: wishlistView } },
      requestExample: { notifyBackInStock: false },
      handler: controller.setPreferences,
    }),
    route({
      method: 'delete',
      path: '/wishlist/items/:variantId',
      summary: 'Remove a variant from your wishlist (idempotent)',
      tags,
      access: 'authenticated',
      validate: { params: itemParams },
      responses: { 204: { description: 'Removed (or was not on your list)' } },
      handler: controller.removeItem,
    }),
  ];
}
