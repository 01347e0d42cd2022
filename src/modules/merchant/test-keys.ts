// RSA key pairs as merchants and the platform hold them (PEM), for the merchant API's tests.
import { generateKeyPairSync } from 'node:crypto';

export function rsaKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}
