/** Throws unless the campaign's speedFactor can divide durations (finite and > 0). */
export function assertSpeedFactor(speedFactor: number): void {
  if (!(Number.isFinite(speedFactor) && speedFactor > 0)) {
    throw new RangeError(`speedFactor must be a finite number > 0 (got ${speedFactor})`);
  }
}
