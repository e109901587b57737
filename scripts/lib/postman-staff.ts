// Staff-only requests (role lists without `customer`) authenticate with {{staffAccessToken}}.
// It comes from a second login request, generated from the one that captures `accessToken`,
// whose body uses {{staffEmail}} / {{staffPassword}} (environment values, never committed; the
// end-to-end runner passes the seed's staff credentials from E2E_STAFF_EMAIL / E2E_STAFF_PASSWORD).
import type { Operation } from '../../src/routes/openapi';

export const STAFF_TOKEN = 'staffAccessToken';
const STAFF_FIELDS: Readonly<Record<string, string>> = { email: '{{staffEmail}}', password: '{{staffPassword}}' };

export function isStaffOnly(op: Operation): boolean {
  const roles = op['x-roles'];
  return Array.isArray(roles) && roles.length > 0 && !roles.includes('customer');
}

interface Item {
  name: string;
  event: { listen: string; script: { exec: string[] } }[];
  request: { body?: { raw: string } };
}

/** Inserts "Log in as staff" right after the login request (the one capturing accessToken). */
export function addStaffLogin(items: Record<string, unknown>[]): void {
  const index = items.findIndex((item) => JSON.stringify(item).includes('pm.environment.set(\\"accessToken\\"'));
  if (index === -1) return;
  const staff = structuredClone(items[index]) as unknown as Item;
  staff.name = `${staff.name} (staff, for staff-only requests)`;
  if (staff.request.body) {
    const example = JSON.parse(staff.request.body.raw) as Record<string, unknown>;
    for (const [field, variable] of Object.entries(STAFF_FIELDS)) if (field in example) example[field] = variable;
    staff.request.body.raw = JSON.stringify(example, null, 2);
  }
  for (const event of staff.event) {
    event.script.exec = event.script.exec
      .filter((line) => !line.includes('pm.environment.set("refreshToken"'))
      .map((line) => line.replace('pm.environment.set("accessToken"', `pm.environment.set("${STAFF_TOKEN}"`));
  }
  items.splice(index + 1, 0, staff as unknown as Record<string, unknown>);
}
