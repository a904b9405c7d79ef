'use client';
/** A digest or id in monospace that wraps on small screens, with a copy button (copying is the usual next step). */
import { useState } from 'react';
import { cn } from '@/components/ui/cn';

export function Digest({ value, label, className }: { readonly value: string; readonly label?: string; readonly className?: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed'); // e.g. clipboard blocked on plain http: the text is still selectable
    }
    setTimeout(() => setCopied(null), 2000);
  };
  return (
    <span className={cn('inline-flex max-w-full items-start gap-2', className)}>
      <code className="min-w-0 break-all font-mono text-xs text-slate-200">{value}</code>
      <button
        type="button"
        onClick={copy}
        aria-label={`Copy ${label ?? 'value'}`}
        className="-my-3 inline-flex min-h-11 min-w-11 shrink-0 items-center justify-center rounded text-xs text-indigo-300 hover:text-indigo-200 focus-visible:outline-2 focus-visible:outline-indigo-400"
      >
        {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Select' : 'Copy'}
      </button>
      <span className="sr-only" aria-live="polite">
        {copied === 'yes' ? 'Copied to clipboard' : ''}
      </span>
    </span>
  );
}

export const shortDigest = (d: string) => (d.length > 16 ? `${d.slice(0, 12)}…` : d);
