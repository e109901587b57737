// The cart: one per account, lines by variant, priced from the catalog on every read. Writes are
// read-modify-write on the cart's version (a lost race is read again), so concurrent edits from two
// tabs both land. A cart untouched for CART_TTL_DAYS reads as empty and is deleted by its TTL index.
import { Types } from 'mongoose';
import type { CartLineRecord, CartRecord, CartRepository } from '../../repositories/cart.repository';
import type { ProductRecord, ProductRepository } from '../../repositories/product.repository';
import { ConflictError, ValidationError } from '../../utils/errors';
import { resolveVariant, type LineProblem } from '../orders/placement';
import { addLine, lineNotFound, removeLine, setLineQuantity } from './lines';
import { toCartView, type CartView } from './view';

export interface AddCartItemInput {
  readonly productId: string;
  /** Required when the product has several variants. */
  readonly variantId?: string;
  readonly quantity: number;
}

export interface CartServiceDeps {
  readonly carts: CartRepository;
  readonly products: Pick<ProductRepository, 'findById' | 'findManyByIds'>;
  readonly ttlDays: number;
  readonly now?: () => Date;
}

const WRITE_ATTEMPTS = 5;

/** The same refusal as order placement gives for the line, addressed to the cart's body fields. */
function unorderable(problem: LineProblem): ValidationError {
  const code = problem.type === 'product.unavailable' ? 'PRODUCT_UNAVAILABLE' : problem.type === 'variant.required' ? 'VARIANT_REQUIRED' : 'VARIANT_UNAVAILABLE';
  const message = code === 'PRODUCT_UNAVAILABLE' ? 'This product cannot be ordered' : 'This line does not name an orderable variant';
  return new ValidationError(message, [{ location: 'body', path: problem.field, message: problem.message, type: problem.type }], code);
}

const priceOf = (product: ProductRecord, variantId: string) => {
  const variant = product.variants.find((v) => v._id.toString() === variantId);
  return variant ? (variant.priceMinor ?? product.priceMinor) : null;
};

export function createCartService(deps: CartServiceDeps) {
  const { carts, products } = deps;
  const now = deps.now ?? (() => new Date());
  const ttlMs = deps.ttlDays * 24 * 3600 * 1000;

  /** An expired cart the TTL monitor has not deleted yet is no cart. */
  const live = (cart: CartRecord | null) => (cart && new Date(cart.expiresAt).getTime() > now().getTime() ? cart : null);

  async function view(cart: CartRecord | null): Promise<CartView> {
    const ids = [...new Set((cart?.lines ?? []).map((l) => l.product.toString()))];
    return toCartView(cart, ids.length ? await products.findManyByIds(ids) : []);
  }

  /** Applies `change` to the current lines and writes them if nobody wrote meanwhile (else reads again). */
  async function edit(accountId: string, change: (lines: readonly CartLineRecord[]) => CartLineRecord[]): Promise<CartRecord> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const stored = await carts.findByAccount(accountId);
      const lines = change(live(stored)?.lines ?? []);
      const saved = await carts.saveLines(accountId, stored ? stored.version : null, lines, new Date(now().getTime() + ttlMs));
      if (saved) return saved;
    }
    throw new ConflictError('The cart kept changing while this change was applied; retry', 'CART_CONFLICT');
  }

  return {
    async get(accountId: string): Promise<CartView> {
      return view(live(await carts.findByAccount(accountId)));
    },

    /** Adds a variant (merging with its line if present) at the catalog's current price. */
    async addItem(accountId: string, input: AddCartItemInput): Promise<CartView> {
      const product = await products.findById(input.productId);
      const resolved = resolveVariant(input, 0, product ?? undefined);
      if ('field' in resolved) throw unorderable(resolved);
      const incoming: CartLineRecord = {
        product: new Types.ObjectId(input.productId),
        variant: resolved._id,
        quantity: input.quantity,
        unitPriceMinor: resolved.priceMinor ?? product!.priceMinor,
        currency: product!.currency,
        name: product!.name,
        sku: resolved.sku,
        addedAt: now(),
      };
      return view(await edit(accountId, (lines) => addLine(lines, incoming)));
    },

    async setQuantity(accountId: string, variantId: string, quantity: number): Promise<CartView> {
      const cart = live(await carts.findByAccount(accountId));
      const line = cart?.lines.find((l) => l.variant.toString() === variantId);
      if (!line) throw lineNotFound(variantId);
      const product = await products.findById(line.product.toString());
      const current = product ? priceOf(product, variantId) : null;
      return view(await edit(accountId, (lines) => setLineQuantity(lines, variantId, quantity, current)));
    },

    async removeItem(accountId: string, variantId: string): Promise<CartView> {
      return view(await edit(accountId, (lines) => removeLine(lines, variantId)));
    },

    async clear(accountId: string): Promise<CartView> {
      return view(await edit(accountId, () => []));
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;
