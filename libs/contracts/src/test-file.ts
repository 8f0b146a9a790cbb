/**
 * The file `barrage run` takes (docs/cli.md#the-test-file): the scenarios to store and the
 * campaign to start, each exactly the body its route takes, so a file that validates here
 * is one the head accepts (the head still checks what only it can know: zones, live
 * factories, scenarios stored earlier).
 */
import { z } from 'zod';
import { createCampaignSchema } from './campaign.js';
import { scenarioSchema } from './scenario.js';

export const testFileSchema = z
  .strictObject({
    /** Stored with `POST /scenarios` before the campaign starts (a new version when the name exists). */
    scenarios: z.array(scenarioSchema).max(100).default([]),
    /** The `POST /campaigns` body. Its scenarios may also name ones stored on the head before. */
    campaign: createCampaignSchema,
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.scenarios.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['scenarios', i, 'name'], message: `scenario "${s.name}" appears twice in the file` });
      seen.add(s.name);
    });
  });
export type TestFileInput = z.input<typeof testFileSchema>;
export type TestFile = z.output<typeof testFileSchema>;
