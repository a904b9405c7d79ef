import { describe, it, expect } from 'vitest';
import { safeCallbackUrl } from './callback-url';

describe('safeCallbackUrl', () => {
  it('keeps paths on this site', () => {
    expect(safeCallbackUrl('/modules?tab=quarantine')).toBe('/modules?tab=quarantine');
    expect(safeCallbackUrl('/')).toBe('/');
  });
  it.each(['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/ok\n//x', '', undefined, 42, 'x'.repeat(3000)])(
    'sends %j home instead',
    (value) => expect(safeCallbackUrl(value)).toBe('/'),
  );
});
