import type { ReactNode } from 'react';

/**
 * Every console page's title, one line about it and (optionally) page-wide controls on the right;
 * `page-title` is what the e2e tests look for.
 */
export function PageHeader({ title, description, actions }: { title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <div className="min-w-0">
        <h1 className="break-words text-2xl font-semibold" data-testid="page-title">
          {title}
        </h1>
        {description ? <p className="mt-1 text-slate-400">{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}
