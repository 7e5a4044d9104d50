import { capMessages, findInputProblems } from '../../../src/common/validation';

const fields = (value: unknown, path?: string) => findInputProblems(value, path).map(({ field }) => field);

describe('findInputProblems', () => {
  it('names every string value or key holding a NUL, dotted through objects and arrays', () => {
    const input = { title: 'a\u0000', ok: 'fine', kwargs: { list: ['x', 'y\u0000'], 'k\u0000': 1 }, n: 3, none: null };
    expect(findInputProblems(input)).toEqual([
      { field: 'title', problem: 'must not contain the NUL character (\\u0000)' },
      { field: 'kwargs.list.1', problem: 'must not contain the NUL character (\\u0000)' },
      { field: 'kwargs.k\u0000', problem: 'must not contain the NUL character (\\u0000)' },
    ]);
  });

  it('names lone surrogates (high or low, in values and keys) but not surrogate pairs', () => {
    const input = { title: '\ud800 lone', emoji: 'ok 😀', low: ['\udc00'], deep: { 'k\ud83d': 1, end: 'x\ud83d' } };
    expect(findInputProblems(input)).toEqual([
      { field: 'title', problem: expect.stringMatching(/well-formed Unicode/) },
      { field: 'low.0', problem: expect.stringMatching(/well-formed Unicode/) },
      { field: 'deep.k\ud83d', problem: expect.stringMatching(/well-formed Unicode/) },
      { field: 'deep.end', problem: expect.stringMatching(/well-formed Unicode/) },
    ]);
  });

  it('names keys called like Object.prototype members, parsed from JSON as own keys', () => {
    const input = JSON.parse(
      '{"__proto__": {"x": 1}, "config": {"constructor": 1, "a": {"toString": 2, "prototype": 3}}, "kw": [{"hasOwnProperty": 4, "valueOf": 5}]}',
    );
    expect(findInputProblems(input)).toEqual(
      [
        '__proto__',
        'config.constructor',
        'config.a.toString',
        'config.a.prototype',
        'kw.0.hasOwnProperty',
        'kw.0.valueOf',
      ].map((field) => ({
        field,
        problem: expect.stringMatching(/reserved name/),
      })),
    );
  });

  it('prefixes a path parameter with its name and a bare string body with "body"', () => {
    expect(fields('1\u0000', 'id')).toEqual(['id']);
    expect(fields('\u0000')).toEqual(['body']);
    expect(fields('\udfff')).toEqual(['body']);
  });

  it('finds nothing in clean input, whatever the keys look like otherwise', () => {
    expect(
      findInputProblems({ a: ['b', { c: 'd' }], e: 1, f: true, proto: 1, 'to string': 2, Constructor: 3, __proto: 4 }),
    ).toEqual([]);
  });
});

describe('capMessages', () => {
  it('keeps up to 20 messages and counts the rest', () => {
    const many = Array.from({ length: 40_000 }, (_, i) => `property k${i} should not exist`);
    expect(capMessages(many)).toEqual([...many.slice(0, 20), '… and 39980 more']);
    expect(capMessages(many.slice(0, 20))).toHaveLength(20);
  });
});
