import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/access.decorators';
import { HealthComponentDto, HealthResponseDto } from './dto/health-response.dto';
import { HealthService, type HealthAnswer } from './health.service';

const DOWN_EXAMPLE = {
  status: 'error',
  info: { database: { status: 'up' } },
  error: { queue: { status: 'down', message: 'timeout of 3000ms exceeded' } },
  details: { database: { status: 'up' }, queue: { status: 'down', message: 'timeout of 3000ms exceeded' } },
};

const LIVENESS_DOWN_EXAMPLE = {
  status: 'error',
  info: { process: { status: 'up', pid: 4242, uptime_seconds: 3600, roles: ['api', 'scheduler', 'worker'] } },
  error: {
    embedded_database: {
      status: 'down',
      state: 'failed',
      port: 38237,
      failed_attempts: 10,
      message: 'The embedded PostgreSQL could not be restarted 10 times in a row: restart this process',
    },
  },
  details: {},
};

@ApiTags('operations')
@ApiExtraModels(HealthComponentDto)
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness',
    description:
      'The process is up and answers; restart the process only when this fails. It checks no dependency, except that a process ' +
      'running the embedded PostgreSQL reports it under `embedded_database` (`state`: up, restarting, failed): a database that is ' +
      'being restarted keeps liveness up (readiness is down meanwhile); after EMBEDDED_PG_RESTART_ATTEMPTS failed restarts in a row it is 503.',
  })
  @ApiOkResponse({ type: HealthResponseDto, description: 'Alive' })
  @ApiServiceUnavailableResponse({
    type: HealthResponseDto,
    description: 'The process cannot recover by itself (the embedded PostgreSQL keeps failing to restart): restart it',
    example: LIVENESS_DOWN_EXAMPLE,
  })
  async liveness(@Res({ passthrough: true }) res: Response): Promise<HealthResponseDto> {
    return send(res, await this.health.liveness());
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness',
    description:
      'The database, the queue backend (BullMQ on PostgreSQL or Redis) and, in processes running those roles, the dispatch loop ' +
      '(`scheduler`) and the BullMQ workers (`worker`). 503 names the failing components under `error`.',
  })
  @ApiOkResponse({ type: HealthResponseDto, description: 'Ready: every component is up' })
  @ApiServiceUnavailableResponse({
    type: HealthResponseDto,
    description: 'Not ready: the components under `error` are down',
    example: DOWN_EXAMPLE,
  })
  async readiness(@Res({ passthrough: true }) res: Response): Promise<HealthResponseDto> {
    return send(res, await this.health.readiness());
  }
}

function send(res: Response, answer: HealthAnswer): HealthResponseDto {
  res.status(answer.ready ? 200 : 503);
  return answer.result as HealthResponseDto;
}
