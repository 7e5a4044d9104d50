import { findNulFields } from '../../../src/common/validation';

describe('findNulFields', () => {
  it('names every string value or key holding a NUL, dotted through objects and arrays', () => {
    const input = { title: 'a\u0000', ok: 'fine', kwargs: { list: ['x', 'y\u0000'], 'k\u0000': 1 }, n: 3, none: null };
    expect(findNulFields(input)).toEqual(['title', 'kwargs.list.1', 'kwargs.k\u0000']);
  });

  it('prefixes a path parameter with its name and a bare string body with "body"', () => {
    expect(findNulFields('1\u0000', 'id')).toEqual(['id']);
    expect(findNulFields('\u0000')).toEqual(['body']);
  });

  it('finds nothing in clean input', () => {
    expect(findNulFields({ a: ['b', { c: 'd' }], e: 1, f: true })).toEqual([]);
  });
});
