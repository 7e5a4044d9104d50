export interface Bar {
  label: string;
  value: number;
  /** A class for the bar's colour (e.g. its run status). */
  tone?: string;
}

/** A small SVG bar chart; the table of values is its accessible description. */
export function BarChart({ title, bars, unit = '' }: { title: string; bars: Bar[]; unit?: string }) {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = bars.length > 0 ? width / bars.length : width;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} preserveAspectRatio="none">
        {bars.map((bar, i) => {
          const h = (bar.value / max) * (height - 4);
          return (
            <rect
              key={i}
              className={`bar ${bar.tone ?? ''}`}
              x={i * step + 1}
              y={height - h}
              width={Math.max(step - 2, 1)}
              height={h}
            >
              <title>{`${bar.label}: ${bar.value}${unit}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
