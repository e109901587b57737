// The only code that touches the Category model. Lean reads, version-guarded writes, every write
// optionally inside the caller's transaction; never throws HTTP errors.
import { Types, type ClientSession } from 'mongoose';
import type { CategoryDoc, CategoryModel } from '../models/Category';
import { isDuplicateKey, rethrowDuplicateKey } from './errors';
import { lean } from './lean';

export interface CategoryRecord {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  description: string;
  parent: Types.ObjectId | null;
  /** Root first, parent last; empty for a root. */
  ancestors: Types.ObjectId[];
  position: number;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewCategory = Pick<CategoryRecord, 'name' | 'slug' | 'parent' | 'ancestors' | 'position'> & Partial<Pick<CategoryRecord, 'description' | 'active'>>;

export type CategoryChanges = Partial<Pick<CategoryRecord, 'name' | 'slug' | 'description' | 'position' | 'active' | 'parent' | 'ancestors'>>;

type Session = ClientSession | null | undefined;

export type CategoryRepository = ReturnType<typeof createCategoryRepository>;

export function createCategoryRepository(model: CategoryModel) {
  const opts = (session: Session) => ({ session: session ?? undefined });

  return {
    findById(id: string | Types.ObjectId, session?: Session): Promise<CategoryRecord | null> {
      return lean<CategoryRecord | null>(model.findById(id).session(session ?? null));
    },

    findBySlug(slug: string, session?: Session): Promise<CategoryRecord | null> {
      return lean<CategoryRecord | null>(model.findOne({ slug }).setOptions({ sanitizeFilter: true }).session(session ?? null));
    },

    findManyByIds(ids: readonly Types.ObjectId[], session?: Session): Promise<CategoryRecord[]> {
      return lean<CategoryRecord[]>(model.find({ _id: { $in: ids } }).session(session ?? null));
    },

    /** The whole tree (bounded by MAX_CATEGORIES), siblings in display order. */
    findAll(): Promise<CategoryRecord[]> {
      return lean<CategoryRecord[]>(model.find({}).sort({ position: 1, name: 1, _id: 1 }));
    },

    /** Every descendant of `id` (not `id` itself). */
    findDescendants(id: Types.ObjectId, session?: Session): Promise<CategoryRecord[]> {
      return lean<CategoryRecord[]>(model.find({ ancestors: id }).session(session ?? null));
    },

    async hasChildren(id: Types.ObjectId, session?: Session): Promise<boolean> {
      return (await model.exists({ parent: id }).session(session ?? null)) !== null;
    },

    countAll(): Promise<number> {
      return model.countDocuments({}).exec();
    },

    /** One past the last sibling's position under `parent` (0 for the first child). */
    async nextPosition(parent: Types.ObjectId | null): Promise<number> {
      const last = await lean<{ position: number } | null>(model.findOne({ parent }, { position: 1 }).sort({ position: -1 }));
      return last ? last.position + 1 : 0;
    },

    async create(input: NewCategory, session?: Session): Promise<CategoryRecord> {
      const doc = new model(input as never as CategoryDoc);
      await doc.save(opts(session)).catch(rethrowDuplicateKey);
      return doc.toObject() as unknown as CategoryRecord;
    },

    /** Writes only when the stored version is the one the caller read; null otherwise (or gone). */
    updateIfVersion(id: Types.ObjectId, expectedVersion: number, changes: CategoryChanges, session?: Session): Promise<CategoryRecord | null> {
      const query = model.findOneAndUpdate({ _id: id, version: expectedVersion }, { $set: changes, $inc: { version: 1 } }, { returnDocument: 'after', runValidators: true, ...opts(session) });
      return lean<CategoryRecord | null>(query).catch(rethrowDuplicateKey);
    },

    /** A descendant's new ancestry after a move of one of its ancestors. */
    async setAncestors(id: Types.ObjectId, ancestors: readonly Types.ObjectId[], session?: Session): Promise<void> {
      await model.updateOne({ _id: id }, { $set: { ancestors }, $inc: { version: 1 } }, { runValidators: true, ...opts(session) });
    },

    async delete(id: Types.ObjectId, session?: Session): Promise<boolean> {
      return (await model.deleteOne({ _id: id }, opts(session))).deletedCount === 1;
    },

    /**
     * The category a product is being assigned to, marked as assigned in the same transaction: a
     * concurrent delete or move of it then conflicts with the assignment. null when there is none.
     */
    holdForAssignment(slug: string, session?: Session): Promise<CategoryRecord | null> {
      const query = model.findOneAndUpdate({ slug }, { $set: { assignedAt: new Date() } }, { returnDocument: 'after', ...opts(session) }).setOptions({ sanitizeFilter: true });
      return lean<CategoryRecord | null>(query);
    },

    /**
     * Seed and migration: the category with this slug, created (as given) when missing. Safe to run
     * concurrently: a racing insert of the same slug is read back instead.
     */
    async ensure(input: NewCategory): Promise<{ category: CategoryRecord; created: boolean }> {
      const existing = await lean<CategoryRecord | null>(model.findOne({ slug: input.slug }));
      if (existing) return { category: existing, created: false };
      try {
        const doc = await model.create(input as never as CategoryDoc);
        return { category: doc.toObject() as unknown as CategoryRecord, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return { category: (await lean<CategoryRecord | null>(model.findOne({ slug: input.slug })))!, created: false };
      }
    },

    /** `npm run seed -- --reset` only. */
    async deleteAll(): Promise<number> {
      return (await model.deleteMany({}).exec()).deletedCount;
    },
  };
}
