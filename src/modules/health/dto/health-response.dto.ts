import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One checked component, e.g. `database`; components add fields of their own. */
export class HealthComponentDto {
  /** up, down or degraded */
  @ApiProperty({ enum: ['up', 'down', 'degraded'], example: 'up' })
  status: 'up' | 'down' | 'degraded';

  @ApiPropertyOptional({ description: 'Why the component is down', example: 'timeout of 3000ms exceeded' })
  message?: string;
}

const components = (description: string, example: Record<string, unknown>) => ({
  type: 'object' as const,
  description,
  additionalProperties: { $ref: '#/components/schemas/HealthComponentDto' },
  example,
});

/** The @nestjs/terminus answer: `info` holds the healthy components, `error` the failing ones, `details` all of them. */
export class HealthResponseDto {
  /** ok, error, degraded or shutting_down */
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down', 'degraded'], example: 'ok' })
  status: 'ok' | 'error' | 'shutting_down' | 'degraded';

  @ApiPropertyOptional(
    components('Components that are up', { database: { status: 'up' }, queue: { status: 'up', backend: 'postgres' } }),
  )
  info?: Record<string, HealthComponentDto>;

  @ApiPropertyOptional(components('Components that are down, by name', {}))
  error?: Record<string, HealthComponentDto>;

  @ApiProperty(
    components('Every checked component', { database: { status: 'up' }, queue: { status: 'up', backend: 'postgres' } }),
  )
  details: Record<string, HealthComponentDto>;
}
