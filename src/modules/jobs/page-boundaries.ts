/**
 * Where list pages start, remembered per process so that a page far down a list is a seek
 * (`id > boundary`) instead of an OFFSET walk over every earlier row.
 *
 * A boundary says: in the list `key` (its filters and order), `offset` rows come up to and
 * including the job `id`. It holds while no job enters or leaves that list, which the
 * `generation` (the sum of `job_counts.changes` over the list's groups, read in the statement
 * that found the boundary) tells: the reader reads the generation again in the statement of the
 * seek, and uses the page only when it is equal. Nothing here is trusted without that check.
 */
export interface PageBoundary {
  offset: number;
  id: number;
  generation: string;
}

/** Lists remembered (least recently used forgotten first). */
const MAX_LISTS = 256;
/** Boundaries remembered per list (the oldest forgotten first). */
const MAX_BOUNDARIES_PER_LIST = 64;
/** A seek further than this past the nearest boundary is left to the OFFSET walk. */
const MAX_SEEK_OFFSET = 1000;

export class PageBoundaries {
  private readonly lists = new Map<string, PageBoundary[]>();

  /** The boundary nearest before `offset` (at most MAX_SEEK_OFFSET rows before it). */
  nearest(key: string, offset: number): PageBoundary | undefined {
    const boundaries = this.lists.get(key);
    if (!boundaries) return undefined;
    this.touch(key, boundaries);
    let best: PageBoundary | undefined;
    for (const b of boundaries) if (b.offset <= offset && (!best || b.offset > best.offset)) best = b;
    return best && offset - best.offset <= MAX_SEEK_OFFSET ? best : undefined;
  }

  remember(key: string, boundary: PageBoundary): void {
    const boundaries = (this.lists.get(key) ?? []).filter(
      (b) => b.offset !== boundary.offset && b.generation === boundary.generation,
    );
    boundaries.push(boundary);
    if (boundaries.length > MAX_BOUNDARIES_PER_LIST) boundaries.shift();
    this.touch(key, boundaries);
    if (this.lists.size > MAX_LISTS) this.lists.delete(this.lists.keys().next().value as string);
  }

  forget(key: string): void {
    this.lists.delete(key);
  }

  private touch(key: string, boundaries: PageBoundary[]): void {
    this.lists.delete(key);
    this.lists.set(key, boundaries);
  }
}
