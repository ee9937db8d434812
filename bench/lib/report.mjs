// Renders benchmark results as plain-text tables (the terminal) and Markdown (bench/RESULTS.md).

const width = (rows, column) => Math.max(...rows.map((row) => String(row[column] ?? '').length));
const numeric = (cell) => /^-?[\d.,]+(\s?(B|KB|MB|ms|µs|x|%))?$/.test(String(cell).trim()) || /^[\d.,]+x$/.test(String(cell));

export function textTable({ columns, rows }) {
  const all = [columns, ...rows];
  const widths = columns.map((_, column) => width(all, column));
  const line = (row) =>
    row.map((cell, column) => (numeric(cell) ? String(cell).padStart(widths[column]) : String(cell).padEnd(widths[column]))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const escapeCell = (cell) => String(cell).replace(/\|/g, '\\|');

export function markdownTable({ columns, rows }) {
  const align = columns.map((_, column) =>
    rows.length > 0 && rows.every((row) => numeric(row[column]) || row[column] === '') ? '---:' : '---',
  );
  return [
    `| ${columns.map(escapeCell).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

export const verdict = (met) => (met === true ? 'met' : met === false ? 'MISSED' : 'not measured');
