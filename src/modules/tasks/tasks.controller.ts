import { ApiAuth } from '../../common/access.decorators';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TaskDescriptionDto } from './task-description.dto';
import { TaskRegistry } from './task-registry.service';

@ApiTags('tasks')
@ApiAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly registry: TaskRegistry) {}

  @Get()
  @ApiOperation({ summary: 'List the task handlers a job can name, with the JSON Schema of their kwargs' })
  @ApiOkResponse({ type: TaskDescriptionDto, isArray: true })
  list(): TaskDescriptionDto[] {
    return this.registry.describe();
  }
}
