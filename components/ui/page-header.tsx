import type { ReactNode } from 'react';

/** A console page's title and one line about it; `page-title` is what the e2e tests look for. */
export function PageHeader({ title, description }: { title: ReactNode; description: ReactNode }) {
  return (
    <div>
      <h1 className="text-2xl font-semibold" data-testid="page-title">
        {title}
      </h1>
      <p className="mt-1 text-slate-400">{description}</p>
    </div>
  );
}
