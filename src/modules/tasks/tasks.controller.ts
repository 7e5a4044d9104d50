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
  @ApiOperation({
    operationId: 'listTasks',
    description:
      'Every task handler this service knows, the names `task_name` may take, each with a description and the JSON Schema of its kwargs. Any signed-in user.',
    summary: 'List the task handlers a job can name, with the JSON Schema of their kwargs',
  })
  @ApiOkResponse({ type: TaskDescriptionDto, isArray: true, description: 'The task handlers' })
  list(): TaskDescriptionDto[] {
    return this.registry.describe();
  }
}
