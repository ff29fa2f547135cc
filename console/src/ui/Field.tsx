import { useId, type ReactNode } from "react";

/** A labelled input with its userErrors under it, tied by aria-describedby so a screen reader reads both. */
export function Field({
  label,
  errors,
  children,
}: {
  label: string;
  errors?: string[] | undefined;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-errors`;
  const invalid = Boolean(errors && errors.length > 0);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(
        invalid ? { id, "aria-invalid": true, "aria-describedby": errorId } : { id, "aria-invalid": false },
      )}
      {invalid && (
        <p id={errorId} className="field-error" role="alert">
          {errors?.join(" ")}
        </p>
      )}
    </div>
  );
}

export function ErrorList({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div role="alert" className="errors">
      {messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status.replace(/_/g, " ")}</span>;
}
