// Merchants' public keys: what they paste (PEM, or the bare Base64 a key tool prints) is parsed
// before it is stored, so a garbage key is refused at registration rather than at every request.
import { createPublicKey } from 'node:crypto';
import { MerchantError } from './merchant-errors.ts';
import { normalizePublicKeyPem } from './protocol/rsa.ts';

/** Smaller RSA keys are forgeable in practice; the SDK's key tool makes 2048-bit keys. */
const MIN_RSA_BITS = 2048;

/** The key as a canonical SPKI PEM, or a `public_key_invalid` refusal. */
export function canonicalPublicKey(text: string): string {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey(normalizePublicKeyPem(text));
  } catch {
    throw new MerchantError('public_key_invalid', 'public_key is not a readable PEM public key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new MerchantError('public_key_invalid', 'public_key must be an RSA key (RSA2)');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new MerchantError('public_key_invalid', `public_key must be at least ${MIN_RSA_BITS} bits`);
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
