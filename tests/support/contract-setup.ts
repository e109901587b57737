// Runs after every test: a response that the generated OpenAPI document does not allow (an
// undocumented status, a body off its schema) fails the test that caused it. See response-contract.ts.
import { drainContractViolations } from './response-contract';

afterEach(() => {
  const violations = drainContractViolations();
  if (violations.length) throw new Error(`Responses broke the OpenAPI document:\n- ${[...new Set(violations)].join('\n- ')}`);
});
