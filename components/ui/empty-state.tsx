import type { ReactNode } from 'react';

/** What to show when a list is empty: say what would be here and how to get it there. */
export function EmptyState({ title, description, action }: { readonly title: string; readonly description?: ReactNode; readonly action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed border-slate-700 px-4 py-10 text-center">
      <p className="font-medium text-slate-200">{title}</p>
      {description ? <p className="max-w-prose text-sm text-slate-400">{description}</p> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}
