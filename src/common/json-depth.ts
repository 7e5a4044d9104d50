/** Deepest nesting of objects and arrays a request body may have (a job's config, kwargs…). */
export const MAX_JSON_DEPTH = 64;
/** Most keys one JSON object of a request body may have: validating (and answering) more would stall the event loop. */
export const MAX_JSON_KEYS = 1000;

const refuse = (message: string): Error =>
  Object.assign(new Error(message), { status: 400, type: 'entity.verify.failed' });

/**
 * body-parser `verify` hook, one pass over the raw bytes before they are parsed: refuses a
 * JSON body nested deeper than MAX_JSON_DEPTH (before anything recurses into it and overflows
 * the stack) or holding an object with more than MAX_JSON_KEYS keys (before validation spends
 * seconds on them), with a 400 naming the top-level field.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let field: string | undefined;
  // keys[d]: the colons (one per key) seen so far in the object open at depth d.
  const keys = new Int32Array(MAX_JSON_DEPTH + 1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) {
        inString = false;
        // A string that ends at depth 1 before a colon is a top-level key; remember the last one.
        if (depth === 1) field = body.subarray(stringStart + 1, i).toString('utf8');
      }
    } else if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x3a) {
      if (depth > 0 && ++keys[depth] > MAX_JSON_KEYS) {
        const where = depth > 1 && field ? field : 'body';
        throw refuse(`${where}: an object has more than ${MAX_JSON_KEYS} keys (the most one object may have)`);
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        const where = field ? `${field}: ` : '';
        throw refuse(`${where}nested too deeply (more than ${MAX_JSON_DEPTH} levels of objects and arrays)`);
      }
      keys[depth] = 0;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}
