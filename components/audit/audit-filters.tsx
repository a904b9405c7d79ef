'use client';
/** Filters for the audit listing: exact action (closed list), actor and subject. */
import { useId, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';

export interface AuditFilterValues {
  readonly action?: string;
  readonly actor?: string;
  readonly subject?: string;
}

export function AuditFilters({
  actions,
  value,
  onChange,
}: {
  readonly actions: readonly string[];
  readonly value: AuditFilterValues;
  readonly onChange: (next: AuditFilterValues) => void;
}) {
  const [action, setAction] = useState(value.action ?? '');
  const [actor, setActor] = useState(value.actor ?? '');
  const [subject, setSubject] = useState(value.subject ?? '');
  const actionId = useId();

  function apply(e: FormEvent) {
    e.preventDefault();
    const trimmed = (s: string) => (s.trim() === '' ? undefined : s.trim());
    onChange({ action: trimmed(action), actor: trimmed(actor), subject: trimmed(subject) });
  }
  function clear() {
    setAction('');
    setActor('');
    setSubject('');
    onChange({});
  }

  return (
    <form onSubmit={apply} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4 lg:items-end" aria-label="Filter audit events" data-testid="audit-filters">
      <div className="flex flex-col gap-1.5">
        <label htmlFor={actionId} className="text-sm font-medium text-slate-200">
          Action
        </label>
        <select
          id={actionId}
          value={action}
          onChange={(e) => setAction(e.target.value)}
          data-testid="filter-action"
          className="min-h-11 rounded-md border border-slate-700 bg-slate-950 px-3 text-base text-slate-100 focus:outline-2 focus:outline-offset-1 focus:outline-indigo-400"
        >
          <option value="">Any action</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <Input label="Actor" placeholder="user:alice" value={actor} onChange={(e) => setActor(e.target.value)} maxLength={256} data-testid="filter-actor" hint="exact match" />
      <Input label="Subject" placeholder="key:…, module:…" value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={1024} data-testid="filter-subject" hint="exact match" />
      <div className="flex gap-2 lg:pb-6">
        <Button type="submit" data-testid="filter-apply">
          Apply
        </Button>
        <Button type="button" variant="secondary" onClick={clear} data-testid="filter-clear">
          Clear
        </Button>
      </div>
    </form>
  );
}
