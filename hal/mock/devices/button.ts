/*
 * A push button: a switch to ground on a net with a pull-up, so pressed reads 0 and released reads 1.
 *
 * Real contacts bounce. Each press or release changes the level at once, then the contact bounces
 * `bounces` times: a bounce is a brief return to the old level and back, two transitions. The bounce
 * transitions fall at pseudo-random times (sim.random(), so a seed reproduces them) and the last one
 * lands exactly `bounceUs` after the press, when the level has settled. A press or release during the
 * bouncing of the previous one cancels the remaining bounces.
 */
import type { Simulator, SimTimer } from '../sim';
import type { Net, OpenDrainDriver } from '../wire';

export interface PushButtonOptions {
  /** Bounces after each press and release (each two transitions). Default 3. */
  bounces?: number;
  /** Time from the first transition to the settled level, µs. Default 2000. */
  bounceUs?: number;
  name?: string;
}

export class PushButton {
  readonly name: string;
  readonly bounces: number;
  readonly bounceUs: number;

  private readonly contact: OpenDrainDriver;
  private isPressed = false;
  private pressCount = 0;
  private transitionCount = 0;
  private bouncing: SimTimer[] = [];

  constructor(
    private readonly sim: Simulator,
    private readonly net: Net,
    options: PushButtonOptions = {},
  ) {
    this.name = options.name ?? 'button';
    this.bounces = options.bounces ?? 3;
    this.bounceUs = options.bounceUs ?? 2000;
    if (!Number.isInteger(this.bounces) || this.bounces < 0) {
      throw new RangeError(`${this.name}: bounces must be a whole number >= 0`);
    }
    if (!(this.bounceUs > 0)) throw new RangeError(`${this.name}: bounceUs must be > 0`);
    if (net.pull === 'none') net.setPull('up');
    this.contact = net.openDrain(this.name);
  }

  get pressed(): boolean {
    return this.isPressed;
  }

  /** press() calls that pressed a released button. */
  get presses(): number {
    return this.pressCount;
  }

  /** Level changes on the net this button caused, bounces included. */
  get transitions(): number {
    return this.transitionCount;
  }

  /** Close the contact. Does nothing while already pressed. */
  press(): void {
    if (this.isPressed) return;
    this.isPressed = true;
    this.pressCount++;
    this.toggle(true);
  }

  /** Open the contact. Does nothing while already released. */
  release(): void {
    if (!this.isPressed) return;
    this.isPressed = false;
    this.toggle(false);
  }

  /** Press now and release `holdUs` later. */
  click(holdUs = 50_000): void {
    if (!(holdUs >= 0)) throw new RangeError(`${this.name}: hold time must be >= 0`);
    this.press();
    this.sim.after(holdUs, () => this.release());
  }

  private toggle(closed: boolean): void {
    for (const timer of this.bouncing) this.sim.cancel(timer);
    this.setContact(closed);
    const times: number[] = [];
    for (let i = 0; i < 2 * this.bounces; i++) times.push(1 + Math.floor(this.sim.random() * this.bounceUs));
    times.sort((a, b) => a - b);
    if (times.length > 0) times[times.length - 1] = this.bounceUs;
    // Even-numbered bounce transitions return to the old state, odd ones come back to the new one.
    this.bouncing = times.map((t, i) => this.sim.after(t, () => this.setContact(i % 2 === 0 ? !closed : closed)));
  }

  private setContact(closed: boolean): void {
    const before = this.net.level();
    if (closed) this.contact.assert();
    else this.contact.release();
    if (this.net.level() !== before) this.transitionCount++;
  }
}
