/** Deepest nesting of objects and arrays a request body may have (a job's config, kwargs…). */
export const MAX_JSON_DEPTH = 64;

/**
 * body-parser `verify` hook: refuses a JSON body nested deeper than MAX_JSON_DEPTH with a 400
 * naming the top-level field, before anything (parsing, class-transformer, validation)
 * recurses into it and overflows the stack.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let field: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) {
        inString = false;
        // A string that ends at depth 1 before a colon is a top-level key; remember the last one.
        if (depth === 1) field = body.subarray(stringStart + 1, i).toString('utf8');
      }
    } else if (c === 0x22) {
      inString = true;
      stringStart = i;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        const where = field ? `${field}: ` : '';
        throw Object.assign(new Error(`${where}nested too deeply (more than ${MAX_JSON_DEPTH} levels of objects and arrays)`), { status: 400 });
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}
