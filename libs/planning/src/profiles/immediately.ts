import { z } from 'zod';
import { pushLine, type StartingLine } from '../starting-line.js';
import { RUNS_ONCE_UNLESS_LOOPED, type ClosedProfileDescriptor } from './descriptor.js';

/** IMMEDIATELY: every minion starts at the campaign's start instant. The default profile. */
export interface ImmediatelyProfile {
  profile: 'IMMEDIATELY';
}

export const immediatelySchema = z
  .object({ profile: z.literal('IMMEDIATELY') })
  .transform((): ImmediatelyProfile => ({ profile: 'IMMEDIATELY' }));

/** One line of all `minionsCount` minions at 0 (none when there is no minion). */
export function immediatelyLines(minionsCount: number): StartingLine[] {
  const lines: StartingLine[] = [];
  pushLine(lines, 0, minionsCount);
  return lines;
}

export const immediatelyDescriptor: ClosedProfileDescriptor<ImmediatelyProfile, typeof immediatelySchema> = {
  name: 'IMMEDIATELY',
  aliases: [],
  model: 'closed',
  schema: immediatelySchema,
  example: { profile: 'IMMEDIATELY' },
  lines: (_profile, minionsCount) => immediatelyLines(minionsCount),
  ...RUNS_ONCE_UNLESS_LOOPED,
};
