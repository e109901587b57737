// Media on the local disk: one flat folder of content-hashed files, served by the API at /media.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertMediaName, type MediaStorage } from './media-storage';

export interface LocalDiskOptions {
  readonly dir: string;
  readonly publicBaseUrl: string;
}

export function createLocalDiskStorage(options: LocalDiskOptions): MediaStorage {
  const root = path.resolve(options.dir);
  let ready: Promise<unknown> | undefined;
  // The name was checked against the hash pattern, so the result is always a direct child of root.
  const fileFor = (name: string) => path.join(root, name);

  return {
    kind: 'local',
    async put(name, body) {
      assertMediaName(name);
      await (ready ??= mkdir(root, { recursive: true }));
      // Write then rename: a reader never sees a half-written file, and a crash leaves only a temp file.
      const temp = path.join(root, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      await writeFile(temp, body, { mode: 0o644 });
      await rename(temp, fileFor(name));
    },
    async get(name) {
      const contentType = assertMediaName(name);
      try {
        return { body: await readFile(fileFor(name)), contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async remove(name) {
      assertMediaName(name);
      await rm(fileFor(name), { force: true });
    },
    url(name) {
      assertMediaName(name);
      return `${options.publicBaseUrl}/${name}`;
    },
  };
}
