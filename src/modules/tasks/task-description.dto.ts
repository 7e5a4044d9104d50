import { ApiProperty } from '@nestjs/swagger';

export class TaskDescriptionDto {
  /** The name a job gives as task_name */
  @ApiProperty({ example: 'http.request' })
  name: string;

  /** What the task does */
  @ApiProperty({ example: 'Send an HTTP request (a webhook); a 2xx answer succeeds' })
  description: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema of the kwargs: names, types, defaults, required',
  })
  kwargs: Record<string, unknown>;
}
