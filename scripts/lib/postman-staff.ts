// Staff-only requests (role lists without `customer`) authenticate as the least privileged role
// allowed: `['manager', 'admin']` sends {{managerAccessToken}}, `['admin']` sends {{adminAccessToken}}.
// So the run proves a manager can do what manager routes promise, not only that an admin can.
// Each token comes from a login generated from the sign-in request (the one capturing
// `accessToken` with only email and password in its body), with {{<role>Email}} / {{<role>Password}}
// in the body (environment values, never committed; the end-to-end runner passes the seed's demo
// staff accounts, overridable with E2E_<ROLE>_EMAIL / E2E_<ROLE>_PASSWORD).
import type { Operation } from '../../src/routes/openapi';
import { ROLES } from '../../src/utils/roles';

export function isStaffOnly(op: Operation): boolean {
  const roles = op['x-roles'];
  return Array.isArray(roles) && roles.length > 0 && !roles.includes('customer');
}

/** The role a staff-only request signs in as: the least privileged one the route allows. */
export function staffRoleFor(op: Operation): string {
  const roles = op['x-roles'] ?? [];
  return ROLES.find((role) => roles.includes(role)) ?? roles[0]!;
}

export const staffTokenFor = (op: Operation): string => `${staffRoleFor(op)}AccessToken`;

interface Item {
  name: string;
  event: { listen: string; script: { exec: string[] } }[];
  request: { body?: { raw: string } };
}

function isSignIn(item: Record<string, unknown>): boolean {
  const typed = item as unknown as Item;
  if (!JSON.stringify(typed.event).includes('pm.environment.set(\\"accessToken\\"') || !typed.request.body) return false;
  const fields = Object.keys(JSON.parse(typed.request.body.raw) as Record<string, unknown>);
  return fields.includes('email') && fields.every((field) => field === 'email' || field === 'password');
}

function staffLogin(signIn: Record<string, unknown>, role: string): Record<string, unknown> {
  const staff = structuredClone(signIn) as unknown as Item;
  staff.name = `${staff.name} (${role}, for staff-only requests)`;
  const example = JSON.parse(staff.request.body!.raw) as Record<string, unknown>;
  example.email = `{{${role}Email}}`;
  example.password = `{{${role}Password}}`;
  staff.request.body!.raw = JSON.stringify(example, null, 2);
  for (const event of staff.event) {
    event.script.exec = event.script.exec
      // Only the access token: the customer's refresh token and other captures stay the customer's.
      .filter((line) => !line.includes('pm.environment.set(') || line.includes('pm.environment.set("accessToken"'))
      .map((line) => line.replace('pm.environment.set("accessToken"', `pm.environment.set("${role}AccessToken"`));
  }
  return staff as unknown as Record<string, unknown>;
}

/** Inserts one staff login per token the staff-only requests use, right after the sign-in request. */
export function addStaffLogins(items: Record<string, unknown>[], tokens: readonly string[]): void {
  const index = items.findIndex(isSignIn);
  if (index === -1) return;
  const roles = ROLES.filter((role) => tokens.includes(`${role}AccessToken`));
  items.splice(index + 1, 0, ...roles.map((role) => staffLogin(items[index]!, role)));
}
