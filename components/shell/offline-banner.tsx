'use client';
/**
 * A clear offline state: while the browser is offline every page says so at the top. What is on
 * screen is the last data received; nothing is queued to be sent later (see providers.tsx).
 */
import { useOnline } from './use-online';

export function OfflineBanner() {
  const online = useOnline();
  if (online) return null;
  return (
    <div role="status" className="mb-4 rounded-md border border-amber-700 bg-amber-950 px-4 py-3 text-sm text-amber-200" data-testid="offline-banner">
      <p className="font-semibold">You are offline.</p>
      <p>What you see is the last data received. Nothing you press is sent or queued: runs and changes happen only when you press them again while online.</p>
    </div>
  );
}
