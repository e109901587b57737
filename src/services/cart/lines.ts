// Pure edits of a cart's lines: add (the same variant merges), set a quantity, remove. Bounds are
// those of an order, so any cart can be checked out as one order.
import type { Types } from 'mongoose';
import { MAX_CART_LINE_QUANTITY, MAX_CART_LINES } from '../../models/Cart';
import type { CartLineRecord } from '../../repositories/cart.repository';
import { NotFoundError, UnprocessableError, ValidationError } from '../../utils/errors';

const sameVariant = (variant: Types.ObjectId | string) => (line: CartLineRecord) => line.variant.toString() === variant.toString();

export function lineNotFound(variantId: string): NotFoundError {
  return new NotFoundError('Your cart has no line for this variant', 'CART_LINE_NOT_FOUND', { details: [{ path: 'variantId', message: 'not in the cart', variantId }] });
}

function limitExceeded(path: string, message: string): UnprocessableError {
  return new UnprocessableError(`The cart limit is reached: ${message}`, 'CART_LIMIT_EXCEEDED', { details: [{ path, message }] });
}

/**
 * Adds `incoming` (a snapshot of the variant's current price): a variant already in the cart gets
 * the quantities summed and the new snapshot; a new variant becomes the last line.
 */
export function addLine(lines: readonly CartLineRecord[], incoming: CartLineRecord): CartLineRecord[] {
  const existing = lines.find(sameVariant(incoming.variant));
  if (existing) {
    const quantity = existing.quantity + incoming.quantity;
    if (quantity > MAX_CART_LINE_QUANTITY) throw limitExceeded('quantity', `at most ${MAX_CART_LINE_QUANTITY} of one variant (the cart already holds ${existing.quantity})`);
    return lines.map((line) => (line === existing ? { ...incoming, quantity, addedAt: existing.addedAt } : line));
  }
  if (lines.length >= MAX_CART_LINES) throw limitExceeded('variantId', `at most ${MAX_CART_LINES} different variants`);
  if (lines.length && lines[0].currency !== incoming.currency) {
    throw new ValidationError('All items of a cart must be priced in one currency', [{ location: 'body', path: 'productId', message: `the cart is in ${lines[0].currency}; this product is priced in ${incoming.currency}`, type: 'currency.mixed' }], 'MIXED_CURRENCIES');
  }
  return [...lines, incoming];
}

/** Sets a line's quantity and refreshes its price snapshot (the customer acted on the price shown). */
export function setLineQuantity(lines: readonly CartLineRecord[], variantId: string, quantity: number, unitPriceMinor: number | null): CartLineRecord[] {
  const existing = lines.find(sameVariant(variantId));
  if (!existing) throw lineNotFound(variantId);
  return lines.map((line) => (line === existing ? { ...line, quantity, ...(unitPriceMinor !== null && { unitPriceMinor }) } : line));
}

export function removeLine(lines: readonly CartLineRecord[], variantId: string): CartLineRecord[] {
  if (!lines.some(sameVariant(variantId))) throw lineNotFound(variantId);
  return lines.filter((line) => !sameVariant(variantId)(line));
}
