// The API representation of a category: string ids, the parent and path as slugs (what clients
// filter products by), ISO dates.
import type { CategoryRecord } from '../../repositories/category.repository';
import { slugPath, type CategoryNode } from './tree';

export interface CategoryView {
  id: string;
  name: string;
  slug: string;
  description: string;
  /** The parent's slug; null for a root. */
  parent: string | null;
  /** Slugs from the root down to this category. */
  path: string[];
  depth: number;
  position: number;
  active: boolean;
  /** Products listed by `GET /products?category=<slug>` for the same caller (descendants included). */
  productCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CategoryTreeView extends CategoryView {
  children: CategoryTreeView[];
}

export function toCategoryView(record: CategoryRecord, byId: ReadonlyMap<string, Pick<CategoryRecord, 'slug'>>, productCount: number): CategoryView {
  const path = slugPath(record, byId);
  return {
    id: record._id.toString(),
    name: record.name,
    slug: record.slug,
    description: record.description,
    parent: path.length > 1 ? path[path.length - 2] : null,
    path,
    depth: path.length,
    position: record.position,
    active: record.active,
    productCount,
    version: record.version,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

export function toTreeView(nodes: readonly CategoryNode<CategoryView>[]): CategoryTreeView[] {
  return nodes.map((n) => ({ ...n.view, children: toTreeView(n.children) }));
}
