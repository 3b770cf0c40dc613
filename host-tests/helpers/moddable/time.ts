/* `time` for host tests: see installed.ts. */
import { standIn } from './installed';

export default standIn('Time');
