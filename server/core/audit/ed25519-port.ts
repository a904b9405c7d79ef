/** The Ed25519 check the audit code is given (strict RFC 8032 in production, node:crypto in benches). */
export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
