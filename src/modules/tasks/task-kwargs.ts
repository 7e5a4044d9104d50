import { z } from 'zod';

/** Kwarg building blocks shared by the handlers. */
export const httpUrl = (what = 'URL') =>
  z.url({ protocol: /^https?$/, error: `must be an http:// or https:// ${what}` });

export const timeoutSeconds = (defaultSeconds: number) =>
  z
    .number()
    .positive()
    .max(86_400)
    .default(defaultSeconds)
    .describe("Gives up after this many seconds (the job's timeout_seconds still bounds it)");
