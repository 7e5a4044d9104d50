import { ApiProperty } from '@nestjs/swagger';

/** What every page answer has besides its items: `{total, page, size, pages}`. */
export class PageMetaDto {
  @ApiProperty({ description: 'Items matching the filters, on every page' })
  total: number;
  @ApiProperty()
  page: number;
  @ApiProperty()
  size: number;
  @ApiProperty({ description: 'ceil(total / size)' })
  pages: number;
}
