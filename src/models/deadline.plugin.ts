// Every query made on behalf of a request carries the request's deadline: `maxTimeMS` is capped by
// the time left, so the server stops work the client no longer waits for, and once the deadline
// has passed no query or write starts at all (REQUEST_TIMEOUT). Registered globally, before any
// model is compiled, so no repository call can forget it; outside a request nothing changes.
import mongoose, { type Aggregate, type Query, type Schema } from 'mongoose';
import { remainingRequestMs, throwIfCancelled } from '../utils/tracing';

const QUERY_OPERATIONS: ('find' | 'findOne' | 'countDocuments' | 'distinct' | 'findOneAndUpdate' | 'findOneAndDelete' | 'findOneAndReplace' | 'updateOne' | 'updateMany' | 'replaceOne' | 'deleteOne' | 'deleteMany')[] = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
];

export function requestDeadlinePlugin(schema: Schema): void {
  schema.pre(QUERY_OPERATIONS, { document: false, query: true }, function (this: Query<unknown, unknown>) {
    const remaining = remainingRequestMs();
    const own = this.getOptions().maxTimeMS;
    if (remaining !== undefined && (own === undefined || own > remaining)) this.maxTimeMS(remaining);
  });
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    const remaining = remainingRequestMs();
    const own = this.options.maxTimeMS;
    if (remaining !== undefined && (own === undefined || own > remaining)) this.option({ maxTimeMS: remaining });
  });
  // Inserts have no time limit of their own; they must not start after the deadline.
  schema.pre('save', () => throwIfCancelled());
  schema.pre('insertMany', () => throwIfCancelled());
  schema.pre('bulkWrite', () => throwIfCancelled());
}

mongoose.plugin(requestDeadlinePlugin);
