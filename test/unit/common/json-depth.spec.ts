import { MAX_JSON_DEPTH, MAX_JSON_KEYS, refuseDeepJson } from '../../../src/common/json-depth';

const verify = (text: string) => () => refuseDeepJson(undefined, undefined, Buffer.from(text));
const object = (n: number, prefix = 'k') => `{${Array.from({ length: n }, (_, i) => `"${prefix}${i}":1`).join(',')}}`;

describe('refuseDeepJson', () => {
  it(`accepts objects of up to ${MAX_JSON_KEYS} keys, at any depth, and many such objects`, () => {
    expect(verify(object(MAX_JSON_KEYS))).not.toThrow();
    expect(verify(`{"config":${object(MAX_JSON_KEYS)},"metadata":${object(MAX_JSON_KEYS)}}`)).not.toThrow();
    expect(verify(`{"list":[${Array.from({ length: 50 }, () => object(100)).join(',')}]}`)).not.toThrow();
  });

  it('does not count colons inside strings (keys or values) as keys', () => {
    const text = `{"url":"${'http://x:1/'.repeat(5000)}","k:${':'.repeat(2000)}":"a"}`;
    expect(verify(text)).not.toThrow();
  });

  it(`refuses a top-level object of more than ${MAX_JSON_KEYS} keys as the body's fault`, () => {
    expect(verify(object(MAX_JSON_KEYS + 1))).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^body: an object has more than 1000 keys/),
      }),
    );
    expect(verify(object(40_000))).toThrow(/^body: /);
  });

  it('refuses a nested object of too many keys naming the top-level field', () => {
    expect(verify(`{"title":"x","task_kwargs":{"a":[${object(MAX_JSON_KEYS + 1)}]}}`)).toThrow(
      /^task_kwargs: an object has more than 1000 keys/,
    );
  });

  it(`still refuses nesting deeper than ${MAX_JSON_DEPTH} levels`, () => {
    const deep = `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(verify(`{"config":${deep}}`)).toThrow(/^config: nested too deeply/);
  });
});
