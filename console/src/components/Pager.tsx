import { useSearchParam } from '../router';

/** Previous / next over a paginated list; the page lives in the URL (?page=). */
export function Pager({ page, pages, total }: { page: number; pages: number; total: number }) {
  const [, setPage] = useSearchParam('page');
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" disabled={page <= 1} onClick={() => setPage(String(page - 1))}>
        Previous page
      </button>
      <span>
        Page {page} of {Math.max(pages, 1)} ({total} in all)
      </span>
      <button type="button" disabled={page >= pages} onClick={() => setPage(String(page + 1))}>
        Next page
      </button>
    </nav>
  );
}

export function pageParam(value: string): number {
  const page = Number(value);
  return Number.isInteger(page) && page > 0 ? page : 1;
}
