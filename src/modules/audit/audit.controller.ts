import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { AuditService } from './audit.service';
import { AuditLogPageDto } from './dto/audit-log-response.dto';
import { ListAuditLogsQuery } from './dto/list-audit-logs.query';

@ApiTags('audit')
@ApiAuth()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid filter; the message names the field' })
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Superuser()
  @ApiOperation({
    operationId: 'listAuditLogs',
    description:
      'Every change (API or CLI) and every login, successful or not, newest first: filter by `actor`, `action`, `entity_type`, `entity_id` and time (`from`, `to`), paginated. Credentials are shown as "***". Superuser.',
    summary: 'List audit entries, newest first, filtered and paginated',
  })
  @ApiOkResponse({ type: AuditLogPageDto, description: 'A page of audit entries' })
  list(@Query() query: ListAuditLogsQuery): Promise<AuditLogPageDto> {
    return this.audit.list(
      {
        actor: query.actor,
        action: query.action,
        entityType: query.entity_type,
        entityId: query.entity_id,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      },
      { page: query.page, size: query.size },
    );
  }
}
