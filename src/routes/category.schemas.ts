// Joi schemas for the category endpoints: what each parameter accepts and its bounds, and the
// response shapes (the tree is recursive: one named schema, `CategoryNode`, refers to itself).
import Joi from 'joi';
import { CATEGORY_SLUG } from '../models/Category';
import type { CategoryInput, CategoryPatch } from '../services/categories/category.service';
import { plainText } from '../utils/sanitize';
import { idParams } from './product.schemas';

const slug = () => Joi.string().trim().lowercase().max(60).pattern(CATEGORY_SLUG).messages({ 'string.pattern.base': '{{#label}} must be a slug (a-z, 0-9 and single hyphens)' });

export const categoryIdOrSlugParams = Joi.object<{ id: string }>({
  id: Joi.alternatives(Joi.string().hex().length(24).lowercase(), slug())
    .required()
    .messages({ 'alternatives.match': 'id must be a category id or slug' }),
});

export const categoryIdParams = Joi.object<{ id: string }>({
  id: idParams.extract('id').messages({ 'string.hex': 'id must be a category id', 'string.length': 'id must be a category id' }),
});

const fields = {
  name: plainText({ min: 1, max: 100 }),
  slug: slug().description('Derived from the name when left out on create'),
  description: plainText({ max: 2000 }).allow(''),
  parent: slug().allow(null).description("The parent's slug; null: a root. On PATCH, a different parent moves the category with its whole subtree"),
  position: Joi.number().integer().min(0).max(100_000).description('Order among siblings (ties by name); on create, after the last sibling when left out'),
  active: Joi.boolean().description('An inactive category is hidden, with its subtree, from the public tree'),
};

export const categoryCreateBody = Joi.object<CategoryInput>({ ...fields, name: fields.name.required() });

export const categoryPatchBody = Joi.object<CategoryPatch & { version?: number }>({ ...fields, version: Joi.number().integer().min(1) })
  .or(...Object.keys(fields))
  .messages({ 'object.missing': 'send at least one field to change' });

export const categoryDeleteQuery = Joi.object<{ reassignTo?: string }>({
  reassignTo: slug().description("Moves the category's products (soft-deleted ones too) to this category before deleting it"),
});

// Every key is present (`presence: 'required'` is inherited by nested keys).
const categoryKeys = {
  id: Joi.string(),
  name: Joi.string(),
  slug: Joi.string(),
  description: Joi.string().allow(''),
  parent: Joi.string().allow(null).description("The parent's slug; null for a root"),
  path: Joi.array().items(Joi.string()).description('Slugs from the root down to this category'),
  depth: Joi.number().integer().description('1 for a root'),
  position: Joi.number().integer(),
  active: Joi.boolean(),
  productCount: Joi.number().integer().description('Products `GET /products?category=<slug>` lists for the same caller (descendants included)'),
  version: Joi.number().integer(),
  createdAt: Joi.string().isoDate(),
  updatedAt: Joi.string().isoDate(),
};

export const category = Joi.object(categoryKeys).prefs({ presence: 'required' });

const categoryNode = Joi.object({ ...categoryKeys, children: Joi.array().items(Joi.link('#CategoryNode')) })
  .id('CategoryNode')
  .prefs({ presence: 'required' });

/** The tree: roots in sibling order, each with its children, recursively. */
export const categoryTree = Joi.array().items(categoryNode).shared(categoryNode);
