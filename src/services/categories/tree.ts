// Pure tree rules over category records: paths, the nested tree with counts, and where a move puts
// every category of the moved subtree. No I/O; the service reads and writes around these.
import type { Types } from 'mongoose';
import { MAX_CATEGORY_DEPTH } from '../../models/Category';
import type { CategoryRecord } from '../../repositories/category.repository';
import { ConflictError } from '../../utils/errors';

type Ancestry = Pick<CategoryRecord, '_id' | 'slug' | 'ancestors'>;

/** The slugs from the root down to `category` itself, given its ancestors' records. */
export function slugPath(category: Pick<CategoryRecord, 'slug' | 'ancestors'>, byId: ReadonlyMap<string, Pick<CategoryRecord, 'slug'>>): string[] {
  return [...category.ancestors.map((id) => byId.get(id.toString())?.slug ?? '?'), category.slug];
}

export interface CategoryNode<V> {
  readonly view: V;
  readonly children: CategoryNode<V>[];
}

/**
 * Nests flat records (already in sibling order) under their parents. With `activeOnly`, an inactive
 * category hides its whole subtree. A record whose parent is missing is treated as a root rather
 * than lost (it cannot happen through the API; it keeps a damaged tree visible to staff).
 */
export function nest<V>(records: readonly CategoryRecord[], render: (r: CategoryRecord) => V, options: { activeOnly: boolean }): CategoryNode<V>[] {
  const shown = options.activeOnly ? records.filter((r) => r.active) : records;
  const nodes = new Map(shown.map((r) => [r._id.toString(), { view: render(r), children: [] as CategoryNode<V>[] }]));
  const ids = new Set(records.map((r) => r._id.toString()));
  const roots: CategoryNode<V>[] = [];
  for (const record of shown) {
    const node = nodes.get(record._id.toString())!;
    const parentId = record.parent?.toString();
    if (!parentId || !ids.has(parentId)) roots.push(node);
    // Under an inactive (hidden) parent the node is dropped with it.
    else nodes.get(parentId)?.children.push(node);
  }
  return roots;
}

/** Levels below (and including) `root` in its subtree: a leaf has height 1. */
export function subtreeHeight(root: Ancestry, descendants: readonly Ancestry[]): number {
  const rootDepth = root.ancestors.length;
  return descendants.reduce((h, d) => Math.max(h, d.ancestors.length - rootDepth + 1), 1);
}

export interface MovePlan {
  /** New ancestors for the moved category and for each descendant, by id. */
  readonly ancestors: Map<string, Types.ObjectId[]>;
}

/**
 * The moved category's new ancestors are the new parent's ancestry; each descendant keeps the part of
 * its ancestry below the moved category. Refuses a move under itself or a descendant (a cycle) and a
 * move that would make the tree deeper than MAX_CATEGORY_DEPTH.
 */
export function planMove(moved: Ancestry, newParent: Ancestry | null, descendants: readonly Ancestry[]): MovePlan {
  if (newParent && (newParent._id.equals(moved._id) || newParent.ancestors.some((a) => a.equals(moved._id)))) {
    throw new ConflictError('A category cannot be moved into itself or one of its descendants', 'CATEGORY_CYCLE', {
      details: [{ location: 'body', path: 'parent', message: `${newParent.slug} is ${newParent._id.equals(moved._id) ? 'the category itself' : `a descendant of ${moved.slug}`}`, type: 'category.cycle' }],
    });
  }
  const prefix = newParent ? [...newParent.ancestors, newParent._id] : [];
  if (prefix.length + subtreeHeight(moved, descendants) > MAX_CATEGORY_DEPTH) throw tooDeep('parent');
  const ancestors = new Map<string, Types.ObjectId[]>([[moved._id.toString(), prefix]]);
  const cut = moved.ancestors.length;
  for (const d of descendants) ancestors.set(d._id.toString(), [...prefix, ...d.ancestors.slice(cut)]);
  return { ancestors };
}

export function tooDeep(path: string): ConflictError {
  return new ConflictError(`The category tree is at most ${MAX_CATEGORY_DEPTH} levels deep`, 'CATEGORY_TOO_DEEP', {
    details: [{ location: 'body', path, message: `at most ${MAX_CATEGORY_DEPTH} levels`, type: 'category.depth' }],
  });
}
