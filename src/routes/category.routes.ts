// Category endpoints: the public tree with product counts, one category, and staff CRUD (a PATCH
// with a new `parent` moves the whole subtree; DELETE can reassign the products in the same step).
import { createCategoryController } from '../controllers/category.controller';
import type { CategoryService } from '../services/categories/category.service';
import {
  category,
  categoryCreateBody,
  categoryDeleteQuery,
  categoryIdOrSlugParams,
  categoryIdParams,
  categoryPatchBody,
  categoryTree,
} from './category.schemas';
import { ifMatchHeaders } from './headers.schemas';
import { route, type RouteDefinition } from './route-table';

export function categoryRoutes(categories: CategoryService): RouteDefinition[] {
  const controller = createCategoryController(categories);
  const tags = ['Categories'];
  const staff = ['manager', 'admin'] as const;
  return [
    route({
      method: 'get',
      path: '/categories',
      summary: 'The category tree with product counts (descendants included)',
      description:
        'Roots in sibling order (`position`, then name), each with its `children`. `productCount` is what `GET /products?category=<slug>` lists for the same caller. The public sees active categories only (an inactive one hides its subtree); managers and admins see every category and count drafts.',
      tags,
      access: 'optional',
      responses: {
        200: { description: 'The tree', schema: categoryTree },
        304: { description: 'Not modified (If-None-Match)' },
      },
      handler: controller.tree,
    }),
    route({
      method: 'post',
      path: '/categories',
      summary: 'Create a category (under `parent`, or a root)',
      tags,
      access: staff,
      validate: { body: categoryCreateBody },
      responses: {
        201: { description: 'Created (Location names it; ETag carries its version)', schema: category },
        409: { description: 'DUPLICATE_KEY (slug); CATEGORY_TOO_DEEP; CATEGORY_LIMIT_REACHED', code: 'DUPLICATE_KEY' },
        422: { description: 'UNKNOWN_CATEGORY: no category has the `parent` slug', code: 'UNKNOWN_CATEGORY' },
      },
      requestExample: { name: 'Desk Lamps', slug: 'desk-lamps', description: 'Lamps for desks and reading corners.', parent: null, active: true },
      // A slug of its own per run; the story then reads, changes and deletes it.
      postman: { body: { slug: 'e2e-lamps-{{$timestamp}}' }, captures: { categoryId: 'data.id', categoryEtag: 'header:ETag' } },
      handler: controller.create,
    }),
    route({
      method: 'get',
      path: '/categories/:id',
      summary: 'One category by id or slug, with its path and product count',
      tags,
      access: 'optional',
      validate: { params: categoryIdOrSlugParams },
      responses: {
        200: { description: 'The category (ETag carries its version)', schema: category },
        304: { description: 'Not modified' },
        404: { description: 'CATEGORY_NOT_FOUND (for the public also an inactive one or one under an inactive ancestor)', code: 'CATEGORY_NOT_FOUND' },
      },
      postman: { captures: { categoryEtag: 'header:ETag' } },
      handler: controller.get,
    }),
    route({
      method: 'patch',
      path: '/categories/:id',
      summary: 'Change a category; a new `parent` moves it with its subtree (optimistic concurrency: If-Match or version)',
      description:
        'One transaction: the category, its descendants\' ancestry and the category path of every product in the subtree change together. Moving a category under itself or a descendant is refused (409 CATEGORY_CYCLE). A new slug is written to the products filed under the category.',
      tags,
      access: staff,
      validate: { params: categoryIdParams, headers: ifMatchHeaders, body: categoryPatchBody },
      responses: {
        200: { description: 'The category as it is now', schema: category },
        404: { description: 'CATEGORY_NOT_FOUND', code: 'CATEGORY_NOT_FOUND' },
        409: { description: 'VERSION_CONFLICT; CATEGORY_CYCLE; CATEGORY_TOO_DEEP; DUPLICATE_KEY (slug)', code: 'VERSION_CONFLICT' },
        422: { description: 'UNKNOWN_CATEGORY: no category has the `parent` slug', code: 'UNKNOWN_CATEGORY' },
        428: { description: 'VERSION_REQUIRED: neither If-Match nor version sent', code: 'VERSION_REQUIRED' },
      },
      requestExample: { description: 'Desk and reading lamps, dimmable and not.', position: 3 },
      postman: { headers: { 'If-Match': '{{categoryEtag}}' }, captures: { categoryEtag: 'header:ETag' } },
      handler: controller.update,
    }),
    route({
      method: 'delete',
      path: '/categories/:id',
      summary: 'Delete a category without subcategories (its products must be reassigned: ?reassignTo=<slug>)',
      tags,
      access: staff,
      validate: { params: categoryIdParams, query: categoryDeleteQuery },
      responses: {
        204: { description: 'Deleted (its products, if any, now in `reassignTo`)' },
        404: { description: 'CATEGORY_NOT_FOUND', code: 'CATEGORY_NOT_FOUND' },
        409: { description: 'CATEGORY_HAS_CHILDREN; CATEGORY_HAS_PRODUCTS (without reassignTo)', code: 'CATEGORY_HAS_PRODUCTS' },
        422: { description: 'UNKNOWN_CATEGORY (reassignTo); INVALID_REASSIGNMENT (reassignTo is the category itself)', code: 'UNKNOWN_CATEGORY' },
      },
      handler: controller.remove,
    }),
  ];
}
