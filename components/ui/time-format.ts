/**
 * One time format for the whole console: a relative age ("5 min ago") on screen and the exact UTC
 * time on hover (title) and for machines (<time dateTime>). Pure, so it is tested without a browser.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

import { countOf as plural } from './count';

/** "just now", "5 min ago", "3 hours ago", "2 days ago"; past 30 days the UTC date. */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const ago = now - t;
  // A clock a little ahead of the viewer's is still "just now", not "in 2 s".
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${plural(Math.floor(ago / MINUTE), 'min', 'min')} ago`;
  if (ago < DAY) return `${plural(Math.floor(ago / HOUR), 'hour', 'hours')} ago`;
  if (ago < 30 * DAY) return `${plural(Math.floor(ago / DAY), 'day', 'days')} ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** "2026-12-02 13:49:08 UTC": the exact time, shown on hover. */
export function exactUtc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
