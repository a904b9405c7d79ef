'use client';
/** Create a webhook: name, http(s) URL, the kinds of events. The signing secret is shown once, here. */
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorCode, useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ErrorState } from '@/components/ui/error-state';

const CATEGORIES = [
  ['submissions', 'New submissions'],
  ['decisions', 'Inbox decisions'],
  ['quarantines', 'Quarantines'],
  ['releases', 'Releases'],
  ['runs', 'Run decisions'],
] as const;
type Category = (typeof CATEGORIES)[number][0];

export function AddWebhookForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<Category[]>(['submissions', 'decisions', 'quarantines', 'releases']);
  const legendId = useId();
  const create = useMutation(
    trpc.delivery.createWebhook.mutationOptions({
      onSuccess: () => {
        setName('');
        setUrl('');
        void queryClient.invalidateQueries({ queryKey: trpc.delivery.status.pathKey() });
      },
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ name: name.trim(), url: url.trim(), events, fromStart: false });
  }

  const flip = (c: Category) => setEvents((now) => (now.includes(c) ? now.filter((x) => x !== c) : [...now, c]));

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Add a webhook" data-testid="add-webhook-form">
      <div className="grid gap-4 sm:grid-cols-2">
        <Input label="Name" required maxLength={64} pattern="[a-z0-9][a-z0-9._\-]{0,63}" value={name} onChange={(e) => setName(e.target.value)} hint="lower case, digits, . _ -" data-testid="webhook-name" />
        <Input label="URL" required type="url" maxLength={2048} value={url} onChange={(e) => setUrl(e.target.value)} hint="http(s) only; no user:password@ in it" data-testid="webhook-url" />
      </div>
      <fieldset aria-labelledby={legendId} className="flex flex-col gap-2">
        <legend id={legendId} className="text-sm font-medium text-slate-200">
          Events
        </legend>
        <div className="flex flex-wrap gap-x-5 gap-y-2">
          {CATEGORIES.map(([value, label]) => (
            <label key={value} className="flex min-h-11 items-center gap-2 text-sm text-slate-200">
              <input type="checkbox" checked={events.includes(value)} onChange={() => flip(value)} className="h-5 w-5" data-testid={`webhook-event-${value}`} />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {create.isError ? <ErrorState title="The webhook was not added" message={create.error.message} code={errorCode(create.error)} /> : null}
      {create.isSuccess ? (
        <div role="status" className="rounded-md border border-amber-700 bg-amber-950 p-3 text-sm text-amber-200" data-testid="webhook-secret">
          <p>
            Created {create.data.destination.name}. Its signing secret is shown only this once: copy it into the receiver now.
          </p>
          <p className="mt-2 break-all font-mono text-amber-100">{create.data.secret}</p>
        </div>
      ) : null}
      <div>
        <Button type="submit" pending={create.isPending} disabled={events.length === 0} data-testid="add-webhook-submit">
          Add webhook
        </Button>
      </div>
    </form>
  );
}
