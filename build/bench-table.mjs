// The table `npm run bench` prints (build/bench.mjs): one section per measurement, every line at most
// TABLE_WIDTH columns. A section has the figure columns its rows use (framework, floor, framework-floor,
// ratio), as wide as their widest figure; figures never wrap. The row labels wrap within the column left to
// them, and so do the titles; the targets are a last column when it fits beside a label column of at least
// MIN_LABEL, else a line of their own under their row.
//
// Jest loads this file as CommonJS (host-tests/xs/bench-table.test.ts): keep it free of import.meta.

export const TABLE_WIDTH = 120;
const MIN_LABEL = 40;
const INDENT = '  ';

/**
 * A row of a measurement (build/bench.mjs says what each figure is).
 *
 * @typedef {object} TableRow
 * @property {string} label
 * @property {unknown} [framework]
 * @property {unknown} [floor]
 * @property {unknown} [extra]
 * @property {number} [ratio]
 * @property {boolean} [deterministic]  false: a repeat gave another figure
 * @property {string} [target]
 * @property {boolean} [met]
 * @property {(value: any) => string} show  formats framework, floor and extra
 */

/** @type {readonly (readonly ['framework' | 'floor' | 'extra' | 'ratio', string])[]} */
const FIGURES = [['framework', 'framework'], ['floor', 'floor'], ['extra', 'framework-floor'], ['ratio', 'ratio']];

/**
 * The words of `text` in lines of at most `first` characters, then `rest` (a longer word stands alone).
 *
 * @param {string} text
 * @param {number} first
 * @param {number} [rest]
 * @returns {string[]}
 */
export function wrap(text, first, rest = first) {
  /** @type {string[]} */
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    const width = lines.length === 0 ? first : rest;
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * The lines of one section: its title, a header, and its rows.
 *
 * @param {string} title
 * @param {TableRow[]} rows
 * @returns {string[]}
 */
export function sectionLines(title, rows) {
  const cells = rows.map((r) => {
    /** @param {unknown} v */
    const cell = (v) => (v === undefined ? '' : r.show(v));
    return {
      label: r.label,
      framework: cell(r.framework),
      floor: cell(r.floor),
      extra: cell(r.extra),
      ratio: r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x${r.deterministic === false ? ' (NOT deterministic)' : ''}`,
      target: r.target === undefined ? '' : `${r.target}: ${r.met ? 'met' : 'MISSED'}`,
    };
  });
  const columns = FIGURES.filter(([key]) => cells.some((c) => c[key] !== '')).map(([key, name]) => ({
    key, name, width: Math.max(name.length, ...cells.map((c) => c[key].length)),
  }));
  const figuresWidth = columns.reduce((sum, c) => sum + INDENT.length + c.width, 0);
  const targetWidth = Math.max(0, ...cells.map((c) => c.target.length));
  const targetColumn = targetWidth > 0 && INDENT.length + MIN_LABEL + figuresWidth + INDENT.length + Math.max(targetWidth, 'target'.length) <= TABLE_WIDTH;
  const room = TABLE_WIDTH - INDENT.length - figuresWidth - (targetColumn ? INDENT.length + targetWidth : 0);
  const labelWidth = Math.max(Math.min(room, Math.max(...cells.map((c) => c.label.length))), 1);
  /**
   * @param {string} label
   * @param {string[]} figures
   * @param {string} target
   */
  const line = (label, figures, target) => {
    const text = `${INDENT}${label.padEnd(labelWidth)}${figures.map((f, i) => `${INDENT}${f.padStart(columns[i].width)}`).join('')}`;
    return (targetColumn && target !== '' ? `${text}${INDENT}${target}` : text).trimEnd();
  };
  const lines = [...wrap(title, TABLE_WIDTH), line('', columns.map((c) => c.name), targetColumn ? 'target' : '')];
  for (const c of cells) {
    // Label lines after the first are indented by two more.
    const [first, ...more] = wrap(c.label, labelWidth, labelWidth - INDENT.length);
    lines.push(line(first, columns.map((col) => c[col.key]), c.target));
    lines.push(...more.map((l) => `${INDENT}${INDENT}${l}`));
    if (!targetColumn && c.target !== '') lines.push(...wrap(`target: ${c.target}`, TABLE_WIDTH - 2 * INDENT.length).map((l) => `${INDENT}${INDENT}${l}`));
  }
  return lines;
}

/**
 * The whole table: a section per measurement that has rows, a blank line between two.
 *
 * @param {{ title: string, rows: TableRow[] }[]} sections
 * @returns {string}
 */
export function formatTable(sections) {
  return sections.filter((s) => s.rows.length > 0).map((s) => sectionLines(s.title, s.rows).join('\n')).join('\n\n');
}
