import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { CurrentActor } from '../../common/current-actor.decorator';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { ApiAuth, Superuser } from '../../common/access.decorators';
import { CreateSecretDto, ListSecretsQuery, SecretPageDto, SecretResponseDto, UpdateSecretDto } from './dto/secret.dto';
import { SecretsService } from './secrets.service';

const NAME_PARAM = { name: 'name', description: "The secret's name", example: 'webhook_token' };

@ApiTags('secrets')
@ApiAuth()
@Superuser()
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'SECRETS_KEY is not set (external database)' })
@Controller('secrets')
export class SecretsController {
  constructor(private readonly secrets: SecretsService) {}

  @Post()
  @ApiOperation({
    operationId: 'createSecret',
    summary: 'Store a secret',
    description:
      'The value is encrypted at rest (AES-256-GCM) and never returned. Task kwargs reference it as {"$secret": "<name>"}.',
  })
  @ApiCreatedResponse({ type: SecretResponseDto, description: 'The secret as stored (without its value)' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A secret with this name exists (SECRET_NAME_TAKEN)' })
  create(@Body() dto: CreateSecretDto, @CurrentActor() actor: Actor): Promise<SecretResponseDto> {
    return this.secrets.create({ name: dto.name, value: dto.value, description: dto.description }, actor);
  }

  @Get()
  @ApiOperation({
    operationId: 'listSecrets',
    summary: 'List secrets (names and descriptions, never values)',
    description:
      'Names, descriptions and times of every secret, by name, paginated; values are write-only and never answered. Superuser.',
  })
  @ApiOkResponse({ type: SecretPageDto, description: 'A page of secrets' })
  list(@Query() query: ListSecretsQuery): Promise<SecretPageDto> {
    return this.secrets.list({ page: query.page, size: query.size });
  }

  @Get(':name')
  @ApiOperation({
    operationId: 'getSecret',
    description: 'The name, description and times of one secret; never its value. Superuser.',
    summary: 'Show a secret (without its value)',
  })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: SecretResponseDto, description: 'The secret (without its value)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such secret (SECRET_NOT_FOUND)' })
  get(@Param('name') name: string): Promise<SecretResponseDto> {
    return this.secrets.get(name);
  }

  @Put(':name')
  @ApiOperation({
    operationId: 'updateSecret',
    summary: "Replace a secret's value and/or description",
    description:
      'Only the fields given change; a new value is used by every run that starts after it. Superuser; audited (the value never).',
  })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: SecretResponseDto, description: 'The secret as updated (without its value)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such secret (SECRET_NOT_FOUND)' })
  update(
    @Param('name') name: string,
    @Body() dto: UpdateSecretDto,
    @CurrentActor() actor: Actor,
  ): Promise<SecretResponseDto> {
    return this.secrets.update(name, { value: dto.value, description: dto.description }, actor);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteSecret',
    description: 'Runs that still reference it by `{"$secret": NAME}` fail, naming it. Superuser; audited.',
    summary: 'Delete a secret (runs that still reference it fail, naming it)',
  })
  @ApiParam(NAME_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such secret (SECRET_NOT_FOUND)' })
  delete(@Param('name') name: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.secrets.delete(name, actor);
  }
}
