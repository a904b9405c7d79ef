'use client';
/**
 * A time as the console shows it everywhere: relative on screen, exact UTC on hover. The server
 * and the browser may render a different "ago" a minute apart, so the text is allowed to differ
 * at hydration; it re-renders every 30 s so ages stay true on a page left open.
 */
import { useEffect, useState } from 'react';
import { exactUtc, relativeTime } from './time-format';

export function Time({ iso, className, testId }: { readonly iso: string; readonly className?: string; readonly testId?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const exact = exactUtc(iso);
  return (
    <time dateTime={iso} title={exact} className={className} data-testid={testId} suppressHydrationWarning>
      {relativeTime(iso, now)}
    </time>
  );
}
