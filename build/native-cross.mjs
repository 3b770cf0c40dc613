// The native GPIO module's board code (native/gpio-irq/gpio_irq.c and the ESP-IDF/Moddable glue gpio_irq_esp32.c),
// compiled for a 32-bit RISC-V target, the ESP32-C3/C6 architecture, with -Wall -Wextra -Werror, against our own
// declarations of ESP-IDF 6.0's and Moddable's headers (native/gpio-irq/decl/). Then it checks that the ISR and
// what it calls were placed in IRAM (.iram1), as IRAM_ATTR asks.
//
//   node build/native-cross.mjs          (npm run build:native-cross)
//
// Needs Debian's gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf (its C library headers); where the
// compiler is missing it says so and skips (exit 0). .ci/run installs both and runs this. The host build of the
// same C (with its host twin) is hal/mock/native/gpio-irq-host.ts, which npm test compiles and runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './xs/host.mjs';

const CC = 'riscv64-unknown-elf-gcc';
const OBJDUMP = 'riscv64-unknown-elf-objdump';
const DIR = join(root, 'native/gpio-irq');
const SOURCES = ['gpio_irq.c', 'gpio_irq_esp32.c'];
const FLAGS = [
  '--specs=picolibc.specs', '-march=rv32imc', '-mabi=ilp32', '-std=gnu11', '-Os', '-Wall', '-Wextra', '-Werror',
  '-DESP_PLATFORM', `-I${join(DIR, 'decl')}`, `-I${DIR}`,
];
/** Functions the ISR runs: each must be in IRAM. */
const IRAM_FUNCTIONS = [
  'gpio_irq_isr', 'gpio_irq_platform_now_us', 'gpio_irq_platform_get_level', 'gpio_irq_platform_intr_disable',
  'gpio_irq_platform_lock_from_isr', 'gpio_irq_platform_unlock_from_isr', 'gpio_irq_platform_post_from_isr',
];

if (spawnSync(CC, ['--version']).error !== undefined) {
  console.log(`native-cross: skipped, ${CC} is not installed (apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)`);
  process.exit(0);
}

const out = mkdtempSync(join(tmpdir(), 'genirq-native-cross-'));
let failed = false;
try {
  /** @type {Map<string, string>} symbol -> section */
  const sections = new Map();
  for (const source of SOURCES) {
    const object = join(out, source.replace(/\.c$/, '.o'));
    const result = spawnSync(CC, [...FLAGS, '-c', join(DIR, source), '-o', object], { encoding: 'utf8' });
    if (result.status !== 0) {
      console.log(`native-cross: ${source}: FAILED\n${result.stderr}`);
      failed = true;
      continue;
    }
    console.log(`native-cross: ${source}: rv32imc, -Wall -Wextra -Werror, no warnings`);
    // objdump -t: "<addr> <flags> <section>\t<size> <name>"
    for (const line of execFileSync(OBJDUMP, ['-t', object], { encoding: 'utf8' }).split('\n')) {
      const match = /\s(\S+)\t[0-9a-f]+\s+(\S+)$/.exec(line);
      if (match) sections.set(match[2], match[1]);
    }
  }
  if (!failed) {
    for (const fn of IRAM_FUNCTIONS) {
      const section = sections.get(fn);
      const inIram = section !== undefined && section.startsWith('.iram1');
      if (!inIram) failed = true;
      console.log(`native-cross: ${fn} in ${section ?? '(missing)'}${inIram ? '' : ': NOT in IRAM'}`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
