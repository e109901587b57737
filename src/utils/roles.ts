// Roles and what each may do is decided in services and route declarations; this is the vocabulary.
export const ROLES = ['customer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const STAFF_ROLES: readonly Role[] = ['manager', 'admin'];

export function isStaff(role: Role | undefined): boolean {
  return role === 'manager' || role === 'admin';
}

/** The authenticated caller as they are now: set on the request by the auth middleware, passed to services. */
export interface Principal {
  readonly id: string;
  readonly role: Role;
}
