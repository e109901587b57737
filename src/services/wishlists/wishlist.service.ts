// Wishlist rules: each account has exactly one list (created on first use), reached only through the
// caller's own account id; items are product variants, each once, at most MAX_WISHLIST_ITEMS; only
// variants a customer can see in the catalog can be added (out of stock is fine: that is the point).
import { isValidObjectId } from 'mongoose';
import { MAX_WISHLIST_ITEMS } from '../../models/Wishlist';
import type { ProductRecord, ProductRepository } from '../../repositories/product.repository';
import type { WishlistRepository } from '../../repositories/wishlist.repository';
import { ConflictError, NotFoundError, ValidationError } from '../../utils/errors';
import { isListed, toItemView, toWishlistView, type WishlistItemView, type WishlistView } from './view';

export interface WishlistServiceDeps {
  readonly wishlists: WishlistRepository;
  readonly products: Pick<ProductRepository, 'findById' | 'findManyByIds'>;
  readonly maxItems?: number;
  readonly now?: () => Date;
}

export interface AddItemInput {
  readonly productId: string;
  /** Required when the product has several variants; a single-variant product's is implied. */
  readonly variantId?: string;
}

export interface WishlistPreferences {
  readonly notifyBackInStock: boolean;
}

const productNotFound = () => new NotFoundError('Product not found', 'PRODUCT_NOT_FOUND');
const variantNotFound = () => new NotFoundError('Variant not found', 'VARIANT_NOT_FOUND');

/** The variant an add names: unlisted products and inactive variants read as missing, as in the catalog. */
function chooseVariant(product: ProductRecord | null, input: AddItemInput): { productId: string; variantId: string } {
  if (!isListed(product ?? undefined)) throw productNotFound();
  const variants = product!.variants ?? [];
  if (!input.variantId) {
    if (variants.length === 1) {
      if (!variants[0].active) throw variantNotFound();
      return { productId: input.productId, variantId: variants[0]._id.toString() };
    }
    throw new ValidationError(
      'This product has several variants; choose one',
      [{ location: 'body', path: 'variantId', message: `this product has ${variants.length} variants; choose one with variantId`, type: 'variant.required' }],
      'VARIANT_REQUIRED',
    );
  }
  const variant = variants.find((v) => v._id.toString() === input.variantId && v.active);
  if (!variant) throw variantNotFound();
  return { productId: input.productId, variantId: input.variantId };
}

export function createWishlistService(deps: WishlistServiceDeps) {
  const { wishlists, products } = deps;
  const maxItems = deps.maxItems ?? MAX_WISHLIST_ITEMS;
  const now = deps.now ?? (() => new Date());

  async function view(accountId: string): Promise<WishlistView> {
    const record = await wishlists.findByAccount(accountId);
    const ids = [...new Set((record?.items ?? []).map((i) => i.productId))];
    return toWishlistView(record, ids.length ? await products.findManyByIds(ids) : [], maxItems);
  }

  return {
    /** The caller's wishlist (empty until the first add). */
    get: view,

    /** Idempotent: adding a variant already on the list answers it again with `created: false`. */
    async addItem(accountId: string, input: AddItemInput): Promise<{ item: WishlistItemView; created: boolean }> {
      const product = isValidObjectId(input.productId) ? await products.findById(input.productId) : null;
      const target = chooseVariant(product, input);
      const outcome = await wishlists.addItem(accountId, target, maxItems, now());
      if (outcome === 'full') {
        throw new ConflictError(`A wishlist holds at most ${maxItems} items; remove one first`, 'WISHLIST_FULL', {
          details: [{ path: 'variantId', message: `the wishlist already has ${maxItems} items`, maxItems }],
        });
      }
      const stored = (await wishlists.findByAccount(accountId))?.items.find((i) => i.variantId === target.variantId);
      const item = toItemView(stored ?? { ...target, addedAt: now() }, product!);
      return { item, created: outcome === 'added' };
    },

    /** Idempotent: removing a variant that is not on the list changes nothing and is not an error. */
    async removeItem(accountId: string, variantId: string): Promise<void> {
      await wishlists.removeItem(accountId, variantId);
    },

    async setPreferences(accountId: string, preferences: WishlistPreferences): Promise<WishlistView> {
      await wishlists.setNotifyBackInStock(accountId, preferences.notifyBackInStock);
      return view(accountId);
    },
  };
}

export type WishlistService = ReturnType<typeof createWishlistService>;
