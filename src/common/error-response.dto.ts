import { ApiProperty } from '@nestjs/swagger';

/** The one error shape: `{statusCode, error, message}`. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;
  @ApiProperty({ example: 'Bad Request' })
  error: string;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['title must be longer than or equal to 1 characters'] })
  message: string | string[];
}
