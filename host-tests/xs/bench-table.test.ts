/*
 * The table `npm run bench` prints (build/bench-table.mjs) fits TABLE_WIDTH (120) columns: rows shaped like the
 * bench's own, their longest labels, titles and targets, and the storm rows' wide figures included.
 */
import { TABLE_WIDTH, formatTable, wrap, type TableRow } from '../../build/bench-table.mjs';

const number = (v: unknown): string => String(v);
const LONG = 'threaded oneshot level irq: ESP32 HAL, onReadable to the end of the thread (no-op DigitalBank, board platform on stubs)';

const sections: { title: string; rows: TableRow[] }[] = [
  {
    title: 'XS meter units per interrupt',
    rows: [
      { label: 'edge irq, primary handler only', framework: 15455.4, floor: 14022, extra: 1433.4, ratio: 1.1, show: number },
      { label: LONG, framework: 2270.9, floor: 178, extra: 2092.9, ratio: 12.76, deterministic: false, target: '<= 1.3x tracing off (1.60x)', met: false, show: number },
    ],
  },
  {
    title: 'A victim thread beside an interrupt storm, virtual us (bench/storm.ts): edge to start p50/max, edge to end of 2 ms of work p50/max, storm CPU share',
    rows: ['no storm', 'storm, polled when over budget', 'storm, storm handling off'].map((label) => ({
      label, framework: label, target: 'storm <= 50% CPU', met: true, show: () => '270/320 us, 3,050/3,100 us, 80.0% CPU',
    })),
  },
  {
    title: `XS memory the demo needs, live slots after GC / snapshot bytes (framework: ${'the demo firmware on the simulated board; '.repeat(3)})`,
    rows: [
      { label: '(2) started: board, fakes, 10 ms (framework: drivers probed)', framework: 1, floor: 2, extra: 3, show: () => '18,962 / 948,643 B' },
      { label: 'peak live slots', framework: 1, floor: 2, extra: 3, show: number, target: "firmware <= 4,928 / 2 (half the demo manifest's creation.heap.initial)", met: true },
      { label: 'firmware in ESP32 units: live / peak slots, chunk bytes', framework: 1, show: () => '2,133 / 2,282-5,669 slots, <= 11,704 B', target: 'chunk <= 32,768 B (esp32 default)', met: true },
    ],
  },
];

test('every line of the table fits 120 columns, and nothing is cut: every label word, figure and target is there', () => {
  const table = formatTable(sections);
  const lines = table.split('\n');
  expect(lines.filter((l) => l.length > TABLE_WIDTH)).toEqual([]);
  for (const word of [...LONG.split(' '), 'storm,', 'share', '80.0%', 'CPU: met', 'MISSED', 'NOT deterministic', 'creation.heap.initial): met']) {
    expect(table).toContain(word);
  }
  expect(lines.filter((l) => l.includes('270/320 us, 3,050/3,100 us, 80.0% CPU'))).toHaveLength(3);
});

test('a section without rows is left out; a word longer than the width stands alone', () => {
  expect(formatTable([{ title: 'nothing measured', rows: [] }])).toBe('');
  expect(wrap(`a ${'x'.repeat(10)} b`, 5)).toEqual(['a', 'x'.repeat(10), 'b']);
});
