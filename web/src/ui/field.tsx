// A labelled form input, with an optional hint under the label.
import type { InputHTMLAttributes } from 'react';

export function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} />
      {hint && <small className="hint">{hint}</small>}
    </label>
  );
}
