/** The page shape every list endpoint returns: `{items, total, page, size, pages}`. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export interface PageRequest {
  page: number;
  size: number;
}

export function toPage<T>(items: T[], total: number, request: PageRequest): Page<T> {
  return { items, total, page: request.page, size: request.size, pages: Math.ceil(total / request.size) };
}
