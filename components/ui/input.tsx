import { useId, type InputHTMLAttributes } from 'react';
import { cn } from './cn';

export interface InputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  readonly label: string;
  /** Shown under the field and linked with aria-describedby; marks the field invalid. */
  readonly error?: string;
  readonly hint?: string;
  readonly id?: string;
}

/** A labelled text field: the label is always visible and errors are tied to the input for screen readers. */
export function Input({ label, error, hint, id, className, ...rest }: InputProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const describedBy = [hint ? `${inputId}-hint` : '', error ? `${inputId}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={inputId} className="text-sm font-medium text-slate-200">
        {label}
      </label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cn(
          'min-h-11 w-full rounded-md border bg-slate-950 px-3 text-base text-slate-100 placeholder:text-slate-500',
          'focus:outline-2 focus:outline-offset-1 focus:outline-indigo-400',
          error ? 'border-rose-500' : 'border-slate-700',
          className,
        )}
        {...rest}
      />
      {hint ? (
        <p id={`${inputId}-hint`} className="text-xs text-slate-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${inputId}-error`} className="text-sm text-rose-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
