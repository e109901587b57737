// Plain-object reads. `lean()` runs a Mongoose query now: `exec()` is called here, so the query runs
// in the caller's async context (its request deadline, or none inside `withoutDeadline`) and the
// repository returns a real Promise — not a Query thenable that would run whenever it is awaited.
// `readOne`/`readMany` skip Mongoose for the hottest reads (per-request lookups, list pages): the
// driver's own call, with the request deadline applied here as the model plugin applies it to
// Mongoose queries. Their filters must already hold stored types (ObjectIds, Dates): nothing casts them.
import type { Collection, mongo, Schema } from 'mongoose';
import { remainingRequestMs } from '../utils/tracing';

export function lean<T>(query: { lean(): { exec(): Promise<unknown> } }): Promise<T> {
  return query.lean().exec() as Promise<T>;
}

/** The options with `maxTimeMS` capped by the time the current request has left (throws once it has passed). */
function withinDeadline<O extends { maxTimeMS?: number }>(options: O): O {
  const remaining = remainingRequestMs();
  return remaining === undefined ? options : { ...options, maxTimeMS: Math.min(options.maxTimeMS ?? remaining, remaining) };
}

/** Any model: only its collection is used, and the caller names the row type. */
type AnyModel = { readonly collection: Collection };

/**
 * The exclusion projection of a schema's `select: false` paths, which Mongoose leaves out of a query
 * without a projection: a driver read without one passes this instead, so hidden fields stay hidden.
 */
export function hiddenFields(model: { readonly schema: Schema }): Record<string, 0> {
  const hidden: Record<string, 0> = {};
  model.schema.eachPath((path, type) => {
    if ((type.options as { select?: boolean }).select === false) hidden[path] = 0;
  });
  return hidden;
}

export async function readOne<T>(model: AnyModel, filter: object, projection?: mongo.Document): Promise<T | null> {
  return model.collection.findOne(filter as mongo.Filter<mongo.Document>, withinDeadline<mongo.FindOneOptions>(projection ? { projection } : {})) as Promise<T | null>;
}

export interface ReadManyOptions {
  readonly projection?: mongo.Document;
  /** Key order as stored, `{ $meta: 'textScore' }` allowed. */
  readonly sort?: object;
  readonly skip?: number;
  readonly limit?: number;
}

export async function readMany<T>(model: AnyModel, filter: object, options: ReadManyOptions = {}): Promise<T[]> {
  const { projection, sort, skip, limit } = options;
  const find: mongo.FindOptions = { ...(projection && { projection }), ...(sort && { sort: sort as mongo.Sort }), ...(skip && { skip }), ...(limit && { limit }) };
  return model.collection.find(filter as mongo.Filter<mongo.Document>, withinDeadline(find)).toArray() as Promise<T[]>;
}

export async function countMatching(model: AnyModel, filter: object): Promise<number> {
  return model.collection.countDocuments(filter as mongo.Filter<mongo.Document>, withinDeadline({}));
}
