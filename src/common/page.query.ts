import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `page` (from 1) and `size` (1–100, default 20): the query every list endpoint takes. */
export class PageQuery {
  /**
   * The page to answer, from 1
   * @example 1
   */
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be an integer' })
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  /**
   * Items per page, 1–100
   * @example 20
   */
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'size must be an integer' })
  @Min(1)
  @Max(100)
  size: number = 20;
}
