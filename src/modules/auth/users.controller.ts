import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { IdParam } from '../../common/id-param.decorator';
import { CreateUserDto, ListUsersQuery, UpdateUserDto, UserPageDto, UserResponseDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiAuth()
@Superuser()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({
    operationId: 'createUser',
    description:
      'The password must have at least 12 characters and not be guessable; usernames are unique regardless of case. Superuser; audited.',
    summary: 'Create a user',
  })
  @ApiCreatedResponse({ type: UserResponseDto, description: 'The user as created' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A user with this name exists' })
  create(@Body() dto: CreateUserDto, @CurrentActor() actor: Actor): Promise<UserResponseDto> {
    return this.users.create(
      { username: dto.username, password: dto.password, isSuperuser: dto.is_superuser ?? false },
      actor,
    );
  }

  @Get()
  @ApiOperation({
    operationId: 'listUsers',
    description: 'Every user, by id, paginated. Superuser.',
    summary: 'List users',
  })
  @ApiOkResponse({ type: UserPageDto, description: 'A page of users' })
  list(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    return this.users.list({ page: query.page, size: query.size });
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getUser',
    description: 'One user (never its password). Superuser.',
    summary: 'Get a user',
  })
  @ApiOkResponse({ type: UserResponseDto, description: 'The user' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@IdParam() id: number): Promise<UserResponseDto> {
    return this.users.get(id);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Change a user: password, superuser right, active flag (only the given fields change)',
    description:
      "A new password revokes the user's tokens; a demoted or deactivated user's very next request, in any process, has the new rights (or none).",
  })
  @ApiOkResponse({ type: UserResponseDto, description: 'The user as updated' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The last active superuser cannot be demoted or deactivated',
  })
  update(@IdParam() id: number, @Body() dto: UpdateUserDto, @CurrentActor() actor: Actor): Promise<UserResponseDto> {
    return this.users.update(
      id,
      { password: dto.password, isSuperuser: dto.is_superuser, isActive: dto.is_active },
      actor,
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteUser',
    description:
      "The user's tokens stop working at once, in every process. The last active superuser cannot be deleted (409 LAST_SUPERUSER). Superuser; audited.",
    summary: 'Delete a user; its tokens stop working at once',
  })
  @ApiNoContentResponse({ description: 'Deleted; no body' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The last active superuser cannot be deleted' })
  delete(@IdParam() id: number, @CurrentActor() actor: Actor): Promise<void> {
    return this.users.delete(id, actor);
  }
}
