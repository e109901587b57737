// MongoDB goes away: the test's own MongoDB server is stopped under a running API. Requests that
// need the database fail fast with 503 DATABASE_UNAVAILABLE in the error contract, /ready says so,
// liveness stays up, and when the server returns on the same port the API serves again unrestarted,
// with what was written before the outage still there (the server restarts on the same --dbpath).
import { MongoMemoryServer } from 'mongodb-memory-server';
import request from 'supertest';
import { expectErrorContract, expectSuccess } from '../support/contract';
import { pollUntil, startApi, type ApiProcess } from '../support/faults';
import { testKeyPrefix } from '../support/env';

const SELECTION_TIMEOUT_MS = 1000;

describe('resilience: MongoDB goes away', () => {
  let mongo: MongoMemoryServer;
  let api: ApiProcess;

  beforeAll(async () => {
    mongo = await MongoMemoryServer.create();
    api = await startApi({
      MONGODB_URI: mongo.getUri(),
      MONGODB_DB_NAME: 'mongo_outage',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: String(SELECTION_TIMEOUT_MS),
      REDIS_KEY_PREFIX: testKeyPrefix(),
      CACHE_ENABLED: 'false',
    });
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await mongo?.stop();
  });

  it('when the database stops and returns on the same port, then requests get a fast 503 DATABASE_UNAVAILABLE and then recover', async () => {
    expectSuccess(await request(api.url).get('/api/v1/products'));
    expectSuccess(await request(api.url).get('/ready'));
    const before = { email: 'before-outage@example.com', password: 'Str0ng-passw0rd!' };
    expectSuccess(await request(api.url).post('/api/v1/auth/register').send({ ...before, firstName: 'Be', lastName: 'Fore' }), 201);

    await mongo.stop({ doCleanup: false, force: false });

    const started = Date.now();
    const read = await request(api.url).get('/api/v1/products').timeout(10_000);
    expectErrorContract(read, 503, 'DATABASE_UNAVAILABLE');
    // Fast: bounded by server selection, far below the request timeout.
    expect(Date.now() - started).toBeLessThan(SELECTION_TIMEOUT_MS + 3000);
    const register = await request(api.url)
      .post('/api/v1/auth/register')
      .send({ email: 'during-outage@example.com', password: 'Str0ng-passw0rd!', firstName: 'Out', lastName: 'Age' })
      .timeout(10_000);
    expectErrorContract(register, 503, 'DATABASE_UNAVAILABLE');
    const ready = await request(api.url).get('/ready').timeout(5000);
    expectErrorContract(ready, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(ready.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'mongodb', status: 'down' })]));
    expectSuccess(await request(api.url).get('/health'));

    await mongo.start(true); // same port

    await pollUntil('/ready 200 after MongoDB returned', async () => (await request(api.url).get('/ready')).status === 200, 30_000, 250);
    expectSuccess(await request(api.url).get('/api/v1/products'));
    const registered = await request(api.url)
      .post('/api/v1/auth/register')
      .send({ email: 'after-outage@example.com', password: 'Str0ng-passw0rd!', firstName: 'Back', lastName: 'Again' });
    expectSuccess(registered, 201);
    // Data survival: the account written before the stop is still there (the server kept its data
    // in the same dbpath across the restart), so the outage lost nothing that had been acknowledged.
    expectSuccess(await request(api.url).post('/api/v1/auth/login').send(before));
    expect(api.server.child.exitCode).toBeNull();
  }, 90_000);
});
