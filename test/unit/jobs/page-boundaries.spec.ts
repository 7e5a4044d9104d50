import { PageBoundaries } from '../../../src/modules/jobs/page-boundaries';

describe(PageBoundaries.name, () => {
  it('answers the nearest start at or before an offset, within the seek limit', () => {
    const b = new PageBoundaries();
    b.remember('list', { offset: 200, id: 250, generation: '7' });
    b.remember('list', { offset: 220, id: 275, generation: '7' });
    expect(b.nearest('list', 219)).toEqual({ offset: 200, id: 250, generation: '7' });
    expect(b.nearest('list', 220)).toEqual({ offset: 220, id: 275, generation: '7' });
    expect(b.nearest('list', 1220)).toEqual({ offset: 220, id: 275, generation: '7' });
    expect(b.nearest('list', 1221)).toBeUndefined();
    expect(b.nearest('list', 199)).toBeUndefined();
    expect(b.nearest('other', 220)).toBeUndefined();
  });

  it('keeps one generation per list: a start found in a newer one drops the older starts', () => {
    const b = new PageBoundaries();
    b.remember('list', { offset: 200, id: 250, generation: '7' });
    b.remember('list', { offset: 400, id: 520, generation: '8' });
    expect(b.nearest('list', 300)).toBeUndefined();
    b.remember('list', { offset: 400, id: 521, generation: '8' });
    expect(b.nearest('list', 400)).toEqual({ offset: 400, id: 521, generation: '8' });
    b.forget('list');
    expect(b.nearest('list', 400)).toBeUndefined();
  });

  it('bounds what it remembers: 64 starts per list, 256 lists, the least recently used forgotten', () => {
    const b = new PageBoundaries();
    for (let i = 0; i < 70; i++) b.remember('list', { offset: 200 + i * 20, id: i, generation: '1' });
    expect(b.nearest('list', 200 + 5 * 20)).toBeUndefined();
    expect(b.nearest('list', 200 + 6 * 20)?.id).toBe(6);

    for (let i = 0; i < 255; i++) b.remember(`l${i}`, { offset: 200, id: i, generation: '1' });
    expect(b.nearest('list', 1500)?.id).toBe(65); // read: now the most recent
    b.remember('one more', { offset: 200, id: 0, generation: '1' });
    expect(b.nearest('l0', 200)).toBeUndefined();
    expect(b.nearest('list', 1500)?.id).toBe(65);
    expect(b.nearest('l1', 200)?.id).toBe(1);
  });
});
