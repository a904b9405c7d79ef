/**
 * The Night Core vendor's license-signing PUBLIC key, built into the product: licenses are verified
 * offline against it. The private key never enters this repository (docs/licensing.md says who
 * holds it). Rotating it means shipping a release with the new key beside the old one.
 */
import { decodeBase64Strict, keyIdOf } from '../crypto/keys';
import type { VendorKey } from './license';

export const VENDOR_PUBLIC_KEY_BASE64 = '0rqCwKKJdHb4qkj/D9nrfFR+AbplD73P8/iZMTP5v90=';

const bytes = decodeBase64Strict(VENDOR_PUBLIC_KEY_BASE64)!;

export const PRODUCTION_VENDOR_KEY: VendorKey = { keyid: keyIdOf(bytes), publicKey: bytes, test: false };
