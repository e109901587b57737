// Joi schemas for the wishlist endpoints. No schema takes an account or wishlist id: the list is
// always the caller's own, named by the access token alone.
import Joi from 'joi';
import type { AddItemInput, WishlistPreferences } from '../services/wishlists/wishlist.service';

const objectId = (label: string) =>
  Joi.string().hex().length(24).lowercase().messages({ 'string.hex': `{{#label}} must be ${label}`, 'string.length': `{{#label}} must be ${label}` });

export const addItemBody = Joi.object<AddItemInput>({
  productId: objectId('a product id').required(),
  variantId: objectId('a variant id').description("Required when the product has several variants; a single-variant product's is implied"),
});

export const itemParams = Joi.object<{ variantId: string }>({ variantId: objectId('a variant id').required() });

export const preferencesBody = Joi.object<WishlistPreferences>({
  notifyBackInStock: Joi.boolean().required().description('false: no back-in-stock emails for this account'),
});

// Every key is present (`presence: 'required'` is inherited by nested keys).
export const wishlistItemView = Joi.object({
  productId: Joi.string(),
  variantId: Joi.string(),
  addedAt: Joi.string().isoDate(),
  availability: Joi.string().valid('in_stock', 'out_of_stock', 'unavailable').description('unavailable: the product is no longer listed, or the variant is gone or inactive'),
  name: Joi.string().allow(null).description('Null when the product is no longer listed'),
  slug: Joi.string().allow(null),
  currency: Joi.string().allow(null),
  sku: Joi.string().allow(null).description('Null when unavailable'),
  optionValues: Joi.object().pattern(Joi.string(), Joi.string()).allow(null),
  price: Joi.number().allow(null).description('The current price (decimal, in `currency`)'),
  stock: Joi.number().integer().allow(null),
})
  .prefs({ presence: 'required' });

export const wishlistView = Joi.object({
  notifyBackInStock: Joi.boolean(),
  itemCount: Joi.number().integer(),
  maxItems: Joi.number().integer(),
  items: Joi.array().items(wishlistItemView),
})
  .prefs({ presence: 'required' });
