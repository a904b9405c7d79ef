/**
 * Where to go after signing in: only a path on this site. "//evil.example" and "/\evil.example"
 * are protocol-relative URLs to another host, so they are refused too.
 */
export function safeCallbackUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f]/.test(value)) return '/';
  return value;
}
