/** An API error, shown next to the control that caused it. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'The request failed';
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}
