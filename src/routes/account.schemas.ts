// joi schemas for account payloads, shared by the auth and account routes.
import Joi from 'joi';
import { ACCOUNT_STATUSES, MAX_ADDRESSES } from '../models/Account';
import { ACCOUNT_SORT } from '../services/account.service';
import { LISTING_EXCLUSIONS, listingKeys } from './listing.schemas';
import { ROLES } from '../utils/roles';
import { plainText } from '../utils/sanitize';

export const objectId = () => Joi.string().pattern(/^[0-9a-fA-F]{24}$/).messages({ 'string.pattern.base': '{#label} must be a valid id' });
export const email = () => Joi.string().trim().lowercase().email({ tlds: false }).max(254);
/** Length is what makes a password strong (NIST 800-63B); no composition rules. 128 caps hashing work. */
export const newPassword = () => Joi.string().min(8).max(128);
const name = () => plainText({ min: 1, max: 60 });

export const addressSchema = Joi.object({
  label: plainText({ max: 40 }),
  line1: plainText({ min: 1, max: 120 }).required(),
  line2: plainText({ max: 120 }).allow(''),
  city: plainText({ min: 1, max: 80 }).required(),
  region: plainText({ max: 80 }).allow(''),
  postalCode: plainText({ min: 1, max: 20 }).required(),
  country: Joi.string().trim().uppercase().pattern(/^[A-Z]{2}$/).required().messages({ 'string.pattern.base': 'country must be an ISO 3166-1 alpha-2 code' }),
  isDefault: Joi.boolean(),
});
const addresses = () => Joi.array().items(addressSchema).max(MAX_ADDRESSES);

export const idParams = Joi.object({ id: objectId().required() });

const listing = listingKeys(ACCOUNT_SORT);

/**
 * Deprecated (one release): `sort=-field` meant `field:desc`. Rewritten to the shared grammar here so
 * everything past validation sees one form.
 */
const legacySort = (value: string) => value.split(',').map((term) => (/^-[A-Za-z]+$/.test(term.trim()) ? `${term.trim().slice(1)}:desc` : term)).join(',');

export const listAccountsQuery = Joi.object({
  role: Joi.string().valid(...ROLES),
  status: Joi.string().valid(...ACCOUNT_STATUSES),
  email: Joi.string().trim().min(1).max(254).description('Email prefix (case-insensitive)'),
  includeDeleted: Joi.boolean().default(false),
  ...listing,
  sort: listing.sort.custom(legacySort),
  mode: Joi.string().valid('offset', 'cursor').description('Deprecated alias of `pagination` (removed in the next release)'),
})
  // Deprecated alias: `mode=` is `pagination=`; sending both is refused (object.rename.override).
  .rename('mode', 'pagination', { ignoreUndefined: true })
  .meta({ exclusiveParameters: [...LISTING_EXCLUSIONS.exclusiveParameters, ['mode', 'pagination']] });

const profileFields = { firstName: name(), lastName: name(), addresses: addresses() };

export const updateOwnAccountBody = Joi.object(profileFields).min(1);
export const updateAccountBody = Joi.object({
  ...profileFields,
  role: Joi.string().valid(...ROLES),
  status: Joi.string().valid(...ACCOUNT_STATUSES),
}).min(1);

export const registerBody = Joi.object({
  firstName: name().required(),
  lastName: name().required(),
  email: email().required(),
  password: newPassword().required(),
  addresses: addresses(),
});

export const accountView = Joi.object({
  id: Joi.string().required(),
  firstName: Joi.string().required(),
  lastName: Joi.string().required(),
  fullName: Joi.string().required(),
  email: Joi.string().required(),
  role: Joi.string().valid(...ROLES).required(),
  status: Joi.string().valid(...ACCOUNT_STATUSES).required(),
  addresses: Joi.array().items(addressSchema.keys({ id: Joi.string() })).required(),
  lastLoginAt: Joi.string().isoDate().allow(null),
  deletedAt: Joi.string().isoDate().allow(null),
  createdAt: Joi.string().isoDate().required(),
  updatedAt: Joi.string().isoDate().required(),
});
