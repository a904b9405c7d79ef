'use client';
/** Stop or resume delivery to one destination; its cursor is kept, so resuming catches up. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '@/components/providers';
import { Button } from '@/components/ui/button';

export function ToggleDestination({ name, enabled }: { readonly name: string; readonly enabled: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toggle = useMutation(
    trpc.delivery.setEnabled.mutationOptions({ onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.delivery.status.pathKey() }) }),
  );
  return (
    <>
      <Button variant="secondary" pending={toggle.isPending} onClick={() => toggle.mutate({ name, enabled: !enabled })} data-testid="delivery-toggle">
        {enabled ? `Disable ${name}` : `Enable ${name}`}
      </Button>
      {toggle.isError ? (
        <p role="alert" className="text-sm text-rose-400">
          {toggle.error.message}
        </p>
      ) : null}
    </>
  );
}
