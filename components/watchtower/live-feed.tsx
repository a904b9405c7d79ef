'use client';
/**
 * The newest decisions, updated without a reload: polls watchtower.feed every 2.5 s with the
 * newest item as cursor and merges what is new. TanStack Query stops polling while the tab is
 * hidden (refetchIntervalInBackground is false) and catches up when it is shown again.
 */
import { useRef } from 'react';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { errorCode, useTRPCClient } from '@/components/providers';
import type { TFeedItem } from '@/server/api/routers/watchtower';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorState } from '@/components/ui/error-state';
import { Time } from '@/components/ui/time';
import { scoreTone } from './format';

const KEEP = 50;
const POLL_MS = 2500;

export function LiveFeed() {
  const client = useTRPCClient();
  const items = useRef<TFeedItem[]>([]);
  const feed = useQuery({
    queryKey: ['watchtower', 'live-feed'],
    queryFn: async () => {
      const newest = items.current[0];
      const fresh = await client.watchtower.feed.query(newest ? { afterStartedAt: newest.startedAt, afterId: newest.id } : undefined);
      const known = new Set(fresh.map((i) => i.id));
      items.current = [...fresh, ...items.current.filter((i) => !known.has(i.id))].slice(0, KEEP);
      return { items: items.current, arrived: fresh.length };
    },
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });

  return (
    <Card
      title="Live decisions"
      description="Newest first; updates every few seconds while this tab is visible."
      // Only news is announced: a screen reader must not hear "checking" every 2.5 s.
      actions={
        <span className="text-xs text-slate-400" aria-live="polite" data-testid="feed-news">
          {feed.data && feed.data.arrived > 0 ? `${feed.data.arrived.toLocaleString('en-US')} new ${feed.data.arrived === 1 ? 'decision' : 'decisions'}` : ''}
        </span>
      }
    >
      {feed.isPending ? (
        <p className="text-sm text-slate-400">Loading the newest decisions…</p>
      ) : feed.isError && !feed.data ? (
        <ErrorState title="Could not load the live feed" message="It will retry on its own; reload the page if this stays." code={errorCode(feed.error)} />
      ) : feed.data.items.length === 0 ? (
        <EmptyState title="No runs yet" description="Decisions appear here as soon as a module runs. Run one from the Modules page." />
      ) : (
        <ul className="divide-y divide-slate-800" data-testid="feed-list">
          {feed.data.items.map((item) => (
            <li key={item.id} data-testid="feed-row">
              <Link
                href={`/runs/${encodeURIComponent(item.id)}`}
                className="flex min-h-11 flex-wrap items-center gap-x-3 gap-y-1 rounded-md px-2 py-2 text-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400"
              >
                {/* On a phone the name takes its own line and wraps: never cut to a few characters. */}
                <span className="min-w-0 basis-full break-all text-slate-100 sm:basis-auto sm:flex-1" data-testid="feed-module">
                  {item.moduleName}@{item.moduleVersion}
                </span>
                <Time iso={item.startedAt} className="shrink-0 text-xs text-slate-400" />
                <Badge tone={item.decision === 'allow' ? 'good' : 'bad'}>{item.decision === 'allow' ? 'allowed' : 'denied'}</Badge>
                <span className="text-xs text-slate-400">{item.outcome}</span>
                <Badge tone={scoreTone(item.threatScore)}>score {item.threatScore}</Badge>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
