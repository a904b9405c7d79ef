import type { ReactNode } from 'react';

/**
 * A failure the user should notice: announced to screen readers (role="alert"). Show the error
 * code when there is one, so a report to an admin can quote it.
 */
export function ErrorState({
  title = 'Something went wrong',
  message,
  code,
  action,
}: {
  readonly title?: string;
  readonly message?: ReactNode;
  readonly code?: string;
  readonly action?: ReactNode;
}) {
  return (
    <div role="alert" className="rounded-lg border border-rose-800 bg-rose-950/60 px-4 py-3 text-sm text-rose-200">
      <p className="font-medium text-rose-100">{title}</p>
      {message ? <p className="mt-1">{message}</p> : null}
      {code ? <p className="mt-1 font-mono text-xs text-rose-300">code: {code}</p> : null}
      {action ? <div className="mt-3">{action}</div> : null}
    </div>
  );
}
