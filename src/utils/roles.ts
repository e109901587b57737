// Roles and what each may do is decided in services and route declarations; this is the vocabulary.
export const ROLES = ['customer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const STAFF_ROLES: readonly Role[] = ['manager', 'admin'];

export function isStaff(role: Role | undefined): boolean {
  return role === 'manager' || role === 'admin';
}
