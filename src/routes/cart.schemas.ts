// Joi schemas for the cart and checkout endpoints. Prices never come from the client: a body with
// a price, total or any other unknown field is a 400 (the catalog prices every line).
import Joi from 'joi';
import { MAX_CART_LINE_QUANTITY } from '../models/Cart';
import type { AddCartItemInput } from '../services/cart/cart.service';
import type { CheckoutInput } from '../services/checkout.service';
import type { IdempotencyHeaders } from '../utils/typed-request';
import { idempotencyKey } from './headers.schemas';
import { objectId, shippingAddress } from './order.schemas';

const quantity = Joi.number().integer().min(1).max(MAX_CART_LINE_QUANTITY);

export const addItemBody = Joi.object<AddCartItemInput>({
  productId: objectId('a product id').required(),
  variantId: objectId('a variant id').description('Required when the product has several variants'),
  quantity: quantity.required().description('Added to the quantity already in the cart for this variant'),
});

export const quantityBody = Joi.object<{ quantity: number }>({ quantity: quantity.required() });

export const variantParams = Joi.object<{ variantId: string }>({ variantId: objectId('a variant id').required() });

export const checkoutBody = Joi.object<CheckoutInput>({ shippingAddress: shippingAddress.required() });

// `idempotency: 'required'` answers 428 before the handler when the key is missing; documented as required.
export const checkoutHeaders = Joi.object<Required<IdempotencyHeaders>>({ 'idempotency-key': idempotencyKey.meta({ documentedRequired: true }) });

const money = Joi.number().description('Decimal amount in the cart currency');

// Every key is present unless marked optional (`presence: 'required'` is inherited by nested keys).
export const cartResponse = Joi.object({
  items: Joi.array().items(
    Joi.object({
      productId: Joi.string(),
      variantId: Joi.string(),
      name: Joi.string(),
      sku: Joi.string(),
      optionValues: Joi.object().pattern(Joi.string(), Joi.string()),
      quantity: Joi.number().integer(),
      unitPrice: money.description("The catalog's price now (the last known price when the line is unavailable)"),
      addedUnitPrice: money.description('The price when the line was added or its quantity last set'),
      lineTotal: money,
      availableQuantity: Joi.number().integer().description('Units in stock now (0 when unavailable)'),
      flags: Joi.object({
        priceChanged: Joi.boolean().description('unitPrice differs from addedUnitPrice'),
        unavailable: Joi.boolean().description('The product or variant is gone or not for sale: the line is left out of the subtotal'),
        stockShort: Joi.boolean().description('availableQuantity is below quantity'),
      }),
    }),
  ),
  itemCount: Joi.number().integer(),
  subtotal: money.description('Sum over the lines that can be bought, at current prices'),
  currency: Joi.string().allow(null),
  canCheckout: Joi.boolean().description('Lines present and none unavailable or short'),
  version: Joi.number().integer().description('0 when the account has no cart yet'),
  expiresAt: Joi.string().isoDate().allow(null).description('The cart is deleted after this unless it changes'),
  updatedAt: Joi.string().isoDate().allow(null),
}).prefs({ presence: 'required' });
