import type { HTMLAttributes } from 'react';
import { cn } from './cn';

export type BadgeTone = 'neutral' | 'good' | 'warn' | 'bad' | 'info';

const TONES: Record<BadgeTone, string> = {
  neutral: 'border-slate-600 bg-slate-800 text-slate-200',
  good: 'border-emerald-700 bg-emerald-950 text-emerald-300',
  warn: 'border-amber-700 bg-amber-950 text-amber-300',
  bad: 'border-rose-700 bg-rose-950 text-rose-300',
  info: 'border-sky-700 bg-sky-950 text-sky-300',
};

/** A short status label. Colour is never the only signal: the text must say it too. */
export function Badge({ tone = 'neutral', className, ...rest }: HTMLAttributes<HTMLSpanElement> & { readonly tone?: BadgeTone }) {
  return <span className={cn('inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium', TONES[tone], className)} {...rest} />;
}
