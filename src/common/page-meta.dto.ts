import { ApiProperty } from '@nestjs/swagger';

/** What every page answer has besides its items: `{total, page, size, pages}`. */
export class PageMetaDto {
  /** @example 57 */
  @ApiProperty({ description: 'Items matching the filters, on every page' })
  total: number;
  /**
   * This page, from 1
   * @example 1
   */
  @ApiProperty()
  page: number;
  /**
   * Items per page (1–100)
   * @example 20
   */
  @ApiProperty()
  size: number;
  /** @example 3 */
  @ApiProperty({ description: 'ceil(total / size)' })
  pages: number;
}
