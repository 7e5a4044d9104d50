import { z } from 'zod';

/** Kwarg building blocks shared by the handlers. */
export const httpUrl = (what = 'URL') =>
  z.url({ protocol: /^https?$/, error: `must be an http:// or https:// ${what}` });

export const timeoutSeconds = z.number().positive().max(86_400).optional().describe('Gives up after this many seconds');
