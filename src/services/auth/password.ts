// argon2id password hashing with a configurable cost, plus a dummy verify so that a login for an
// unknown email spends the same time as one for a known email.
import argon2 from 'argon2';
import type { AppConfig } from '../../config';

export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
  /** Burns one verify's worth of time against a hash nobody's password matches. */
  verifyDummy(plain: string): Promise<false>;
}

export function createPasswordHasher(cost: AppConfig['auth']['passwordHash']): PasswordHasher {
  const options: argon2.HashOptions & { raw?: false } = { type: argon2.argon2id, memoryCost: cost.memoryKib, timeCost: cost.timeCost, parallelism: cost.parallelism };
  let dummy: Promise<string> | undefined;

  async function verify(hash: string, plain: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, plain);
    } catch {
      // A malformed stored hash is a failed verification, never a 500 that hints at the account.
      return false;
    }
  }

  return {
    hash: (plain) => argon2.hash(plain, options) as Promise<string>,
    verify,
    async verifyDummy(plain) {
      // Computed once with the same cost as real hashes, so the verify takes as long.
      dummy ??= argon2.hash('dummy-password-for-timing-equalisation', options) as Promise<string>;
      await verify(await dummy, plain);
      return false;
    },
  };
}
