// Installation secrets kept in the data dir: created once with mode 0600 and read back on every
// start, so a restart (or a second process on the same dir) keeps the same secret.
import fs from 'node:fs';

/** Reads `file`, or creates it with `generate()`; 'wx' makes two processes starting together keep one secret. */
export function readOrCreateSecretFile(file: string, generate: () => string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = generate();
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8');
    throw error;
  }
}
