// The MongoDB query shapes repositories accept. Services build them (the query engine plans
// filters and sorts); they live here, below the services, because the repository executes them.
export type MongoFilter = Record<string, unknown>;
export type MongoSort = Record<string, 1 | -1 | { $meta: 'textScore' }>;
